// Package capture reads packet captures in pure Go: pcap (microsecond and
// nanosecond timestamps, either byte order), pcapng (any number of sections
// and interfaces, each with its own link type), either of them gzip
// compressed, from a file or standard input.
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
	Data      []byte
	OrigLen   int // length on the wire; more than len(Data) when the snap length cut it
	Time      time.Time
	LinkType  decode.LinkType
	Interface int   // pcapng interface index within its section; 0 for pcap
	Offset    int64 // byte offset of the record in the (decompressed) input
}

// Error is a problem in the capture file itself: where it was found and why.
type Error struct {
	Name   string // the file name, "-" for standard input
	Offset int64  // byte offset in the decompressed stream
	Reason string
	Err    error // underlying cause, if any
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: at byte %d: %s", e.Name, e.Offset, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }
