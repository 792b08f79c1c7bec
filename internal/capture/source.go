package capture

import (
	"io"
	"sync/atomic"
)

// source is the decompressed byte stream a Reader parses: a bufio.Reader
// over a file, pipe or gzip stream, or a memSource over a mapped file.
type source interface {
	Peek(n int) ([]byte, error)
	Discard(n int) (int, error)
	Read(p []byte) (int, error)
	// Size is the longest Peek that can succeed.
	Size() int
}

// memSource serves a capture held in memory (a file mapped read-only):
// Peek returns slices of the mapping itself, so nothing is copied, and
// they stay valid until the mapping is released.
type memSource struct {
	data     []byte
	pos      atomic.Int64 // read by BytesRead from other goroutines
	released int          // data[:released] has been handed back to the kernel
}

// Pages of a mapping already read are handed back to the kernel in steps
// of releaseStep, keeping releaseLag behind the read position, so that the
// process's resident memory does not grow with the file. The data stays
// valid: a page touched again is mapped again from the page cache.
const (
	releaseStep = 8 << 20
	releaseLag  = 4 << 20
)

func (m *memSource) Peek(n int) ([]byte, error) {
	pos := int(m.pos.Load())
	if rest := len(m.data) - pos; n > rest {
		return m.data[pos:], io.EOF
	}
	return m.data[pos : pos+n], nil
}

func (m *memSource) Discard(n int) (int, error) {
	pos := int(m.pos.Load())
	n = min(n, len(m.data)-pos)
	m.pos.Store(int64(pos + n))
	if end := pos + n - releaseLag; end-m.released >= releaseStep {
		end &^= pageSize - 1
		releasePages(m.data[m.released:end])
		m.released = end
	}
	return n, nil
}

func (m *memSource) Read(p []byte) (int, error) {
	b, _ := m.Peek(len(p))
	if len(b) == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	n := copy(p, b)
	m.Discard(n)
	return n, nil
}

func (m *memSource) Size() int { return len(m.data) }
