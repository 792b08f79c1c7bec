// Package capture reads packet captures in pure Go: pcap (microsecond and
// nanosecond timestamps, either byte order), pcapng (any number of sections
// and interfaces, each with its own link type), either of them gzip
// compressed, from a file or standard input.
//
// A Reader never seeks, so it works on pipes, and it does not allocate per
// packet once its buffers have grown: Packet.Data aliases the reader's
// buffer.
package capture

import (
	"fmt"
	"time"

	"github.com/wardhq/ward/internal/decode"
)

// Packet is one captured frame.
type Packet struct {
	// Data is the captured bytes. It aliases the reader's buffer and is
	// valid only until the next call to Next.
	Data    []byte
	OrigLen int // length on the wire; more than len(Data) when the snap length cut it
	// Time is when the packet was captured, in UTC. It is the zero Time
	// for a pcapng Simple Packet Block, which carries no timestamp.
	Time     time.Time
	LinkType decode.LinkType
	// Interface is the pcapng interface index within its section; 0 for pcap.
	Interface int
	Offset    int64 // byte offset of the record in the (decompressed) input
}

// Error is a problem in the capture file itself: where it was found and why.
type Error struct {
	Name   string // the file name, "-" for standard input
	Offset int64  // byte offset in the decompressed stream
	Reason string
	Err    error // underlying cause, if any; io.ErrUnexpectedEOF for a truncated file

	// Resumable reports that only one record was bad: the caller may call
	// Next again and reading continues after that record. When false the
	// reader is finished and later calls to Next return io.EOF.
	Resumable bool
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: at byte %d: %s", e.Name, e.Offset, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }
