package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/decode"
)

// rec is a packet as a test sees it: a copy of Packet with its own bytes.
type rec struct {
	Data      []byte
	OrigLen   int
	Time      time.Time
	LinkType  decode.LinkType
	Interface int
	Offset    int64
}

// maxRecords bounds every read loop in the tests.
const maxRecords = 1 << 20

// readAll reads r to its end, continuing after resumable errors. It
// returns the packets and the errors, the last of which is the fatal one
// if reading did not end cleanly.
func readAll(tb testing.TB, r *Reader) ([]rec, []*Error) {
	tb.Helper()
	var recs []rec
	var errs []*Error
	var p Packet
	for range maxRecords {
		err := r.Next(&p)
		if err == io.EOF {
			return recs, errs
		}
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				tb.Fatalf("Next: got error %v of type %T, want *Error", err, err)
			}
			errs = append(errs, ce)
			if !ce.Resumable {
				if err := r.Next(&p); err != io.EOF {
					tb.Fatalf("Next after fatal error: got %v, want io.EOF", err)
				}
				return recs, errs
			}
			continue
		}
		recs = append(recs, rec{bytes.Clone(p.Data), p.OrigLen, p.Time, p.LinkType,
			p.Interface, p.Offset})
	}
	tb.Fatalf("reader did not stop after %d records", maxRecords)
	return nil, nil
}

// readBytes opens data with NewReader and reads it all.
func readBytes(tb testing.TB, data []byte) ([]rec, []*Error) {
	tb.Helper()
	r, err := NewReader(bytes.NewReader(data), "test")
	if err != nil {
		tb.Fatalf("NewReader: %v", err)
	}
	return readAll(tb, r)
}

// readFile returns the contents of a file in testdata.
func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// corpusDir locates the shared capture corpus next to the repository, or
// skips the test when it is absent.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "pcaps")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("shared corpus not found at %s (%v): skipping", dir, err)
	}
	return dir
}

// epoch formats t like tshark's frame.time_epoch; the zero time (no
// timestamp) is the empty string.
func epoch(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

// ng builds pcapng blocks in one byte order for hand-made test files.
type ng struct{ o endian }

// endian is a byte order that can also append.
type endian interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// block frames body as a block of type typ, padding it to 4 bytes.
func (g ng) block(typ uint32, body []byte) []byte {
	pad := (4 - len(body)%4) % 4
	n := uint32(12 + len(body) + pad)
	b := g.o.AppendUint32(nil, typ)
	b = g.o.AppendUint32(b, n)
	b = append(b, body...)
	b = append(b, make([]byte, pad)...)
	return g.o.AppendUint32(b, n)
}

// shb is a version 1.0 section header with an unknown section length.
func (g ng) shb() []byte {
	b := g.o.AppendUint32(nil, 0x1a2b3c4d)
	b = g.o.AppendUint16(b, 1)
	b = g.o.AppendUint16(b, 0)
	b = g.o.AppendUint64(b, ^uint64(0))
	return g.block(blockSHB, b)
}

// opt encodes one option, padded.
func (g ng) opt(code uint16, v []byte) []byte {
	b := g.o.AppendUint16(nil, code)
	b = g.o.AppendUint16(b, uint16(len(v)))
	b = append(b, v...)
	return append(b, make([]byte, (4-len(v)%4)%4)...)
}

// idb describes an interface; opts are already encoded, without the end.
func (g ng) idb(link uint16, snap uint32, opts ...[]byte) []byte {
	b := g.o.AppendUint16(nil, link)
	b = g.o.AppendUint16(b, 0)
	b = g.o.AppendUint32(b, snap)
	for _, o := range opts {
		b = append(b, o...)
	}
	if len(opts) > 0 {
		b = append(b, 0, 0, 0, 0)
	}
	return g.block(blockIDB, b)
}

// epb is an enhanced packet block.
func (g ng) epb(id uint32, ts uint64, data []byte, orig uint32) []byte {
	b := g.o.AppendUint32(nil, id)
	b = g.o.AppendUint32(b, uint32(ts>>32))
	b = g.o.AppendUint32(b, uint32(ts))
	b = g.o.AppendUint32(b, uint32(len(data)))
	b = g.o.AppendUint32(b, orig)
	return g.block(blockEPB, append(b, data...))
}

// spb is a simple packet block.
func (g ng) spb(data []byte, orig uint32) []byte {
	return g.block(blockSPB, append(g.o.AppendUint32(nil, orig), data...))
}

// pcapFile builds a pcap file: header fields in order o, magic chosen by
// nano, records of (sec, frac, data, orig).
type pcapRec struct {
	sec, frac uint32
	data      []byte
	orig      uint32
}

func pcapFile(o endian, nano bool, snap, link uint32, recs ...pcapRec) []byte {
	magic := uint32(magicPcapMicroBE)
	if nano {
		magic = magicPcapNanoBE
	}
	b := o.AppendUint32(nil, magic)
	b = o.AppendUint16(b, 2)
	b = o.AppendUint16(b, 4)
	b = o.AppendUint32(b, 0)
	b = o.AppendUint32(b, 0)
	b = o.AppendUint32(b, snap)
	b = o.AppendUint32(b, link)
	for _, r := range recs {
		b = o.AppendUint32(b, r.sec)
		b = o.AppendUint32(b, r.frac)
		b = o.AppendUint32(b, uint32(len(r.data)))
		b = o.AppendUint32(b, r.orig)
		b = append(b, r.data...)
	}
	return b
}

// concat joins byte slices.
func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
