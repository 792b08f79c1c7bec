package observe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/wardhq/ward/internal/capture"
	"github.com/wardhq/ward/internal/decode"
)

// ErrNothingRead is returned by Run when no input yielded a single packet.
var ErrNothingRead = errors.New("no packets could be read")

// Source is one capture to read.
type Source struct {
	Name   string // for messages: the path, or "-"
	Reader *capture.Reader
}

// Pipeline runs captures through decoding and dissection. Feed it sources
// with Read, then call Finish once for the result.
type Pipeline struct {
	cfg     Config
	workers []*worker
	stats   Stats
	packets uint64

	// Parallel mode: one channel of batches per worker.
	queues   []chan *batch
	pending  []*batch // per worker: the batch being filled
	free     chan *batch
	wg       sync.WaitGroup // the workers
	inflight sync.WaitGroup // batches queued and not yet handled
}

// New returns a pipeline with cfg's settings.
func New(cfg Config) *Pipeline {
	cfg = cfg.withDefaults()
	n := cfg.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	pl := &Pipeline{cfg: cfg}
	for range n {
		pl.workers = append(pl.workers, newWorker(cfg, n))
	}
	if n > 1 {
		pl.startWorkers()
	}
	return pl
}

// Read reads every packet of src. A problem in the file is logged and
// recorded in the stats; reading resumes after it when the format allows.
// It returns the file's fatal error, if any, after keeping what was read.
func (pl *Pipeline) Read(ctx context.Context, src Source) error {
	pl.stats.Files++
	stable := src.Reader.Stable() && pl.queues != nil
	var p capture.Packet
	var readErr error
	for n := 0; ; n++ {
		if n&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			pl.progress(src)
		}
		err := src.Reader.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			pl.stats.FileErrors = append(pl.stats.FileErrors, err.Error())
			pl.cfg.Logger.Warn("bad capture data", "component", "observe", "file", src.Name,
				"err", err)
			var ce *capture.Error
			if errors.As(err, &ce) && ce.Resumable {
				continue
			}
			readErr = err
			break
		}
		pl.packets++
		pl.dispatch(&p, stable)
	}
	if stable {
		// The packets queued alias the file's mapping, which the caller
		// releases when Read returns: let the workers finish with them.
		pl.drain()
	}
	pl.progress(src)
	return readErr
}

func (pl *Pipeline) progress(src Source) {
	if pl.cfg.Progress != nil {
		pl.cfg.Progress(Progress{File: src.Name, Packets: pl.packets,
			BytesRead: src.Reader.BytesRead()})
	}
}

func (pl *Pipeline) dispatch(p *capture.Packet, stable bool) {
	ts := p.Time.UnixNano()
	if p.OrigLen < len(p.Data) {
		p.OrigLen = len(p.Data)
	}
	if len(pl.workers) == 1 {
		pl.workers[0].handle(p.LinkType, p.Data, ts, p.OrigLen)
		return
	}
	i := int(rawFlowHash(p.LinkType, p.Data) % uint64(len(pl.workers)))
	pl.enqueue(i, p, ts, stable)
}

// Finish waits for the workers, dissects what is still open and returns
// the result. It returns ErrNothingRead, with the result, when no packet
// was read.
func (pl *Pipeline) Finish() (*Result, error) {
	if pl.queues != nil {
		pl.stopWorkers()
	}
	var wg sync.WaitGroup
	for _, w := range pl.workers {
		wg.Go(w.flush)
	}
	wg.Wait()
	total := newTables()
	st := pl.stats
	for i, w := range pl.workers {
		if i == 0 {
			total = w.t
		} else {
			total.merge(&w.t)
		}
		st.add(&w.stats, w.first, w.last)
	}
	r := &Result{Stats: st}
	total.result(r)
	sortResult(r)
	if st.Packets == 0 {
		return r, ErrNothingRead
	}
	return r, nil
}

func (s *Stats) add(o *Stats, first, last int64) {
	s.Packets += o.Packets
	s.Bytes += o.Bytes
	s.Truncated += o.Truncated
	s.Undecoded += o.Undecoded
	s.DissectErrs += o.DissectErrs
	s.Streams += o.Streams
	s.Evicted += o.Evicted
	if o.Packets == 0 {
		return
	}
	if f := nsTime(first); s.First.IsZero() || f.Before(s.First) {
		s.First = f
	}
	if l := nsTime(last); l.After(s.Last) {
		s.Last = l
	}
}

// Run is the whole pipeline over paths: each is opened, read and closed in
// turn. Errors in one file do not stop the others; they are joined into
// the returned error, which is nil when every file was read to its end.
func Run(ctx context.Context, cfg Config, paths []string) (*Result, error) {
	pl := New(cfg)
	var errs []error
	for _, path := range paths {
		if err := readPath(ctx, pl, path); err != nil {
			if ctx.Err() != nil {
				pl.Finish()
				return nil, ctx.Err()
			}
			errs = append(errs, err)
		}
	}
	r, err := pl.Finish()
	if err != nil {
		errs = append(errs, err)
	}
	return r, errors.Join(errs...)
}

func readPath(ctx context.Context, pl *Pipeline, path string) error {
	var rd *capture.Reader
	var err error
	if path == "-" && pl.cfg.Stdin != nil {
		rd, err = capture.NewReader(pl.cfg.Stdin, "-")
	} else {
		rd, err = capture.Open(path)
	}
	if err != nil {
		pl.stats.FileErrors = append(pl.stats.FileErrors, err.Error())
		return err
	}
	defer rd.Close()
	if err := pl.Read(ctx, Source{Name: path, Reader: rd}); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// batch carries packets from the reading goroutine to one worker. Frames
// are copied into buf, unless the reader's packets stay valid (a mapped
// file), in which case the batch refers to them where they are.
type batch struct {
	buf  []byte
	pkts []batchPkt
}

type batchPkt struct {
	data    []byte
	wireLen int32
	link    decode.LinkType
	ts      int64
}

const (
	batchPackets = 512
	batchBytes   = 1 << 20
)

func (pl *Pipeline) startWorkers() {
	n := len(pl.workers)
	pl.queues = make([]chan *batch, n)
	pl.free = make(chan *batch, n*4)
	for range n * 4 {
		pl.free <- &batch{buf: make([]byte, 0, batchBytes), pkts: make([]batchPkt, 0, batchPackets)}
	}
	pl.pending = make([]*batch, n)
	for i, w := range pl.workers {
		q := make(chan *batch, 2)
		pl.queues[i] = q
		pl.wg.Add(1)
		go func() {
			defer pl.wg.Done()
			for b := range q {
				for _, bp := range b.pkts {
					w.handle(bp.link, bp.data, bp.ts, int(bp.wireLen))
				}
				clear(b.pkts) // drop references to the frames
				b.buf, b.pkts = b.buf[:0], b.pkts[:0]
				pl.inflight.Done()
				pl.free <- b
			}
		}()
	}
}

func (pl *Pipeline) enqueue(i int, p *capture.Packet, ts int64, stable bool) {
	b := pl.pending[i]
	if b == nil {
		b = <-pl.free
		pl.pending[i] = b
	}
	data := p.Data
	if !stable {
		if len(b.buf)+len(data) > cap(b.buf) && len(b.pkts) > 0 {
			pl.send(i)
			b = <-pl.free
			pl.pending[i] = b
		}
		off := len(b.buf)
		b.buf = append(b.buf, data...)
		data = b.buf[off:len(b.buf):len(b.buf)]
	}
	b.pkts = append(b.pkts, batchPkt{data: data, wireLen: int32(p.OrigLen), link: p.LinkType,
		ts: ts})
	if len(b.pkts) == cap(b.pkts) {
		pl.send(i)
	}
}

// send queues worker i's pending batch.
func (pl *Pipeline) send(i int) {
	pl.inflight.Add(1)
	pl.queues[i] <- pl.pending[i]
	pl.pending[i] = nil
}

// drain queues every pending batch and waits until the workers have
// handled all of them.
func (pl *Pipeline) drain() {
	for i, b := range pl.pending {
		if b != nil && len(b.pkts) > 0 {
			pl.send(i)
		}
	}
	pl.inflight.Wait()
}

func (pl *Pipeline) stopWorkers() {
	pl.drain()
	for _, q := range pl.queues {
		close(q)
	}
	pl.wg.Wait()
	pl.queues = nil
}
