package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// Buffer sizes. A record that fits in the buffer is returned straight out
// of it without a copy; a bigger one is copied into Reader.big.
const (
	mainBufSize = 1 << 20
	minBufSize  = 4 << 10 // for inputs known to be small
)

// format is the container format of a capture.
type format uint8

const (
	formatPcap format = iota + 1
	formatPcapng
)

// Magic numbers, as the first four bytes read big-endian.
const (
	magicPcapMicroBE = 0xa1b2c3d4
	magicPcapMicroLE = 0xd4c3b2a1
	magicPcapNanoBE  = 0xa1b23c4d
	magicPcapNanoLE  = 0x4d3cb2a1
	magicPcapng      = 0x0a0d0d0a
	magicGzip        = 0x1f8b // first two bytes
)

// Reader reads packets from a pcap or pcapng stream, optionally gzip
// compressed. A Reader is not safe for concurrent use, except that
// BytesRead may be called from any goroutine.
type Reader struct {
	name   string
	format format
	file   *os.File // closed by Close; nil for standard input or NewReader
	gz     *gzip.Reader
	src    *countingReader // nil when reading a mapped file
	mem    *memSource      // the mapped file, when there is one
	unmap  func()          // releases the mapping; nil without one
	br     source          // the decompressed stream
	big    []byte          // holds records larger than br's buffer
	off    int64           // bytes of the decompressed stream consumed
	done   bool            // a fatal error was returned; Next reports io.EOF

	order order // byte order of the pcap file or the current pcapng section

	// pcap only.
	nano   bool   // timestamps are nanoseconds, not microseconds
	maxRec int    // largest record length accepted
	pcapLT uint16 // link type from the file header, FCS bits removed

	// pcapng only: the interfaces of the current section, by index.
	ifaces []iface
}

// countingReader counts the bytes read through it, for BytesRead.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Open opens a file by path ("-" means os.Stdin) and returns its reader;
// Close closes the underlying file.
func Open(path string) (*Reader, error) {
	if path == "-" {
		return NewReader(os.Stdin, "-")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open capture: %w", err)
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("open capture %s: is a directory, not a capture file", path)
	}
	if r, err, ok := openMapped(f, path); ok {
		return r, err
	}
	r, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// openMapped reads f through a read-only mapping when it is a regular,
// uncompressed capture: packets are then slices of the mapping and no byte
// is copied. ok is false when f should be read through a buffer instead.
func openMapped(f *os.File, path string) (r *Reader, err error, ok bool) {
	data, unmap := mapFile(f)
	if data == nil {
		return nil, nil, false
	}
	if len(data) >= 2 && binary.BigEndian.Uint16(data) == magicGzip {
		unmap()
		return nil, nil, false
	}
	mem := &memSource{data: data}
	r = &Reader{name: path, mem: mem, br: mem, unmap: unmap, file: f}
	if err := r.sniff(); err != nil {
		r.Close()
		return nil, err, true
	}
	return r, nil, true
}

// NewReader sniffs the format of r and returns a reader positioned at the
// first packet. name is used in errors ("-" for stdin). Gzip-compressed
// input is detected by its magic and decompressed on the fly.
func NewReader(r io.Reader, name string) (*Reader, error) {
	cr := &countingReader{r: r}
	rd := &Reader{name: name, src: cr}
	rd.br = bufio.NewReaderSize(cr, bufSizeFor(r))
	if head, _ := rd.br.Peek(2); len(head) == 2 &&
		binary.BigEndian.Uint16(head) == magicGzip {
		gz, err := gzip.NewReader(rd.br)
		if err != nil {
			return nil, rd.fatal(0, err, "open gzip stream")
		}
		rd.gz = gz
		rd.br = bufio.NewReaderSize(gz, mainBufSize)
	}
	if err := rd.sniff(); err != nil {
		return nil, err
	}
	return rd, nil
}

// bufSizeFor returns the buffer size for reading r: mainBufSize, or less
// when r is known to be smaller, so that opening many small captures (in
// tests and fuzzing) stays cheap.
func bufSizeFor(r io.Reader) int {
	size := int64(mainBufSize)
	switch v := r.(type) {
	case interface{ Len() int }: // bytes.Reader, bytes.Buffer, strings.Reader
		size = int64(v.Len())
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	return int(min(max(size, minBufSize), mainBufSize))
}

// sniff reads the magic number and the file or first section header.
func (r *Reader) sniff() error {
	head, err := r.br.Peek(4)
	if len(head) < 4 {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return r.fatal(0, err, "capture header cut short: got %d of 4 bytes", len(head))
	}
	switch m := binary.BigEndian.Uint32(head); m {
	case magicPcapMicroBE, magicPcapMicroLE, magicPcapNanoBE, magicPcapNanoLE:
		r.format = formatPcap
		return r.readPcapHeader(m)
	case magicPcapng:
		r.format = formatPcapng
		return r.readSHB()
	default:
		return r.fatal(0, nil, "unknown capture format: magic 0x%08x", m)
	}
}

// Close closes the file opened by Open. It does nothing for a reader made
// by NewReader or for standard input.
func (r *Reader) Close() error {
	r.done = true
	if r.gz != nil {
		r.gz.Close()
	}
	if r.unmap != nil {
		r.unmap()
		r.unmap, r.mem, r.br = nil, nil, nil
	}
	if r.file == nil {
		return nil
	}
	f := r.file
	r.file = nil
	return f.Close()
}

// Format returns "pcap" or "pcapng", with ".gz" appended when the input
// was gzip compressed.
func (r *Reader) Format() string {
	s := "pcap"
	if r.format == formatPcapng {
		s = "pcapng"
	}
	if r.gz != nil {
		s += ".gz"
	}
	return s
}

// BytesRead reports how many bytes of the input (compressed, if gzip)
// have been read so far, for a progress bar. Because input is buffered it
// runs ahead of the packets returned by at most one buffer (1 MiB). It is
// safe to call from any goroutine.
func (r *Reader) BytesRead() int64 {
	if r.src == nil {
		if m := r.mem; m != nil {
			return m.pos.Load()
		}
		return 0
	}
	return r.src.n.Load()
}

// Stable reports whether the Data of the packets returned stays valid
// after the next call to Next, until Close: true when the capture is read
// from a mapping, so that a caller may keep packets without copying them.
func (r *Reader) Stable() bool { return r.mem != nil }

// Next fills p with the next packet. It returns io.EOF at a clean end of
// input. On a problem in the file it returns an *Error; if the error's
// Resumable field is true the caller may call Next again and reading
// continues after the bad record; otherwise the reader is finished and
// later calls return io.EOF. A file that ends in the middle of a record is
// an *Error wrapping io.ErrUnexpectedEOF, not a clean EOF.
func (r *Reader) Next(p *Packet) error {
	if r.done {
		return io.EOF
	}
	if r.format == formatPcap {
		return r.nextPcap(p)
	}
	return r.nextPcapng(p)
}

// peekHeader returns the next n bytes without consuming them. ok is false
// at a clean end of input (nothing left); a partial header is an error.
func (r *Reader) peekHeader(n int, what string) (b []byte, ok bool, err error) {
	b, err = r.br.Peek(n)
	if len(b) == n {
		return b, true, nil
	}
	if len(b) == 0 && err == io.EOF {
		r.done = true
		return nil, false, nil
	}
	return nil, false, r.short(r.off, err, what, len(b), n)
}

// take consumes the next n bytes and returns them; they stay valid until
// the next read. A short read returns what was read and an error.
func (r *Reader) take(n int) ([]byte, error) {
	if n <= r.br.Size() {
		b, err := r.br.Peek(n)
		r.br.Discard(len(b))
		r.off += int64(len(b))
		return b, err
	}
	return r.takeBig(n)
}

// takeBig reads a record larger than the main buffer into r.big, growing
// it only as data arrives so that a corrupt length in a short file cannot
// force a huge allocation.
func (r *Reader) takeBig(n int) ([]byte, error) {
	b := r.big[:0]
	for len(b) < n {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		m, err := io.ReadFull(r.br, b[len(b):min(cap(b), n)])
		b = b[:len(b)+m]
		r.off += int64(m)
		if err != nil {
			r.big = b
			return b, err
		}
	}
	r.big = b
	return b, nil
}

// takeRecord consumes a record of n bytes that started at start, turning
// a short read into a fatal truncation error.
func (r *Reader) takeRecord(start int64, n int, what string) ([]byte, error) {
	b, err := r.take(n)
	if len(b) == n {
		return b, nil
	}
	return nil, r.short(start, err, what, len(b), n)
}

// short reports a record that could not be read in full: the input ended
// (a truncated file) or the source failed (a corrupt gzip stream, say).
func (r *Reader) short(start int64, err error, what string, got, want int) *Error {
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return r.fatal(start, err, "read %s", what)
	}
	return r.fatal(start, io.ErrUnexpectedEOF, "%s cut short: got %d of %d bytes",
		what, got, want)
}

// fatal records that the reader is finished and returns the error.
func (r *Reader) fatal(off int64, err error, format string, args ...any) *Error {
	r.done = true
	return &Error{Name: r.name, Offset: off, Reason: fmt.Sprintf(format, args...), Err: err}
}

// skip returns a resumable error about one bad record.
func (r *Reader) skip(off int64, format string, args ...any) *Error {
	return &Error{Name: r.name, Offset: off, Reason: fmt.Sprintf(format, args...),
		Resumable: true}
}

// order is a byte order chosen at run time without an interface call.
type order bool

const (
	littleEndian order = false
	bigEndian    order = true
)

func (o order) u16(b []byte) uint16 {
	if o == bigEndian {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (o order) u32(b []byte) uint32 {
	if o == bigEndian {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (o order) u64(b []byte) uint64 {
	if o == bigEndian {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

// LooksLikeCapture reports whether head, the first bytes of a file, starts
// as a capture this package reads: pcap in either byte order and time
// resolution, pcapng, or gzip (whose content is known only once opened).
func LooksLikeCapture(head []byte) bool {
	if len(head) >= 2 && binary.BigEndian.Uint16(head) == magicGzip {
		return true
	}
	if len(head) < 4 {
		return false
	}
	switch binary.BigEndian.Uint32(head) {
	case magicPcapMicroBE, magicPcapMicroLE, magicPcapNanoBE, magicPcapNanoLE, magicPcapng:
		return true
	}
	return false
}
