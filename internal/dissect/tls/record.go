package tls

import (
	"github.com/wardhq/ward/internal/dissect"
)

// Record layer (RFC 8446 section 5.1).
const (
	recordHandshake = 22
	recordHeaderLen = 5
	maxRecordLen    = 1<<14 + 2048 // the largest ciphertext a record may carry
)

// reader yields the handshake messages of one direction's head, joining
// messages that span several records and splitting records that hold
// several messages. It stops at the first record that is not a handshake
// one.
type reader struct {
	b    []byte // the stream head
	side string // "client" or "server", for errors
	off  int    // offset in b of the next record header

	// pending holds handshake bytes read but not yet returned. It aliases b
	// while they come from one record and is a copy once they span more.
	pending    []byte
	pendingOff int // offset in b where the first pending byte was read
	owned      bool
}

// next returns the type and body of the next handshake message and the
// offset in the head of its header. ok is false when there is none: err is
// nil when the handshake records simply ended, and says why otherwise.
func (r *reader) next() (typ byte, body []byte, off int, ok bool, err error) {
	for {
		if len(r.pending) >= 4 {
			n := int(r.pending[1])<<16 | int(r.pending[2])<<8 | int(r.pending[3])
			if len(r.pending)-4 >= n {
				typ, body, off = r.pending[0], r.pending[4:4+n], r.pendingOff
				r.pending = r.pending[4+n:]
				if !r.owned {
					r.pendingOff += 4 + n
				}
				return typ, body, off, true, nil
			}
		}
		more, err := r.record()
		if !more {
			return 0, nil, r.off, false, err
		}
	}
}

// record appends the payload of the next handshake record to pending. It
// reports false when there is no further handshake record, with an error
// when the head ended inside a message or the record is malformed.
func (r *reader) record() (bool, error) {
	b, off := r.b, r.off
	if off >= len(b) {
		return false, r.cut(len(b))
	}
	if len(b)-off < recordHeaderLen {
		return false, dissect.Errorf(source, off, "%s: record header cut short", r.side)
	}
	if b[off] != recordHandshake {
		if len(r.pending) > 0 {
			return false, dissect.Errorf(source, off,
				"%s: handshake message interrupted by record type %d", r.side, b[off])
		}
		if off == 0 {
			return false, dissect.Errorf(source, off, "%s: record type %d, want handshake", r.side, b[off])
		}
		return false, nil
	}
	if b[off+1] != 3 || b[off+2] > 4 {
		return false, dissect.Errorf(source, off+1,
			"%s: record version %d.%d is not tls", r.side, b[off+1], b[off+2])
	}
	n := int(b[off+3])<<8 | int(b[off+4])
	if n == 0 || n > maxRecordLen {
		return false, dissect.Errorf(source, off+3, "%s: handshake record length %d", r.side, n)
	}
	start := off + recordHeaderLen
	end := min(start+n, len(b)) // the head may end inside the record
	r.off = start + n
	r.add(b[start:end], start)
	return true, nil
}

// add appends a record payload to pending, copying only when a message
// spans records.
func (r *reader) add(payload []byte, at int) {
	switch {
	case len(r.pending) == 0:
		r.pending, r.pendingOff, r.owned = payload, at, false
	case !r.owned:
		joined := make([]byte, 0, len(r.pending)+len(payload))
		r.pending = append(append(joined, r.pending...), payload...)
		r.owned = true
	default:
		r.pending = append(r.pending, payload...)
	}
}

// cut is the error for a head that ended at off: none when it ended between
// messages.
func (r *reader) cut(off int) error {
	if len(r.pending) == 0 {
		return nil
	}
	return dissect.Errorf(source, off, "%s: handshake message cut short", r.side)
}
