// Package audit keeps Ward's tamper-evident audit log: every entry (a
// login, a failed login, a change, an import, an export, a token's use) is
// chained to the one before it by a keyed MAC, so that editing, removing or
// reordering an entry breaks the chain, and the chain's head can be
// exported as a signed checkpoint, so that cutting entries off the end is
// caught too.
//
// The MAC key and the checkpoint signing key live outside the database
// (keys.go: a file of the data directory, mode 0600): someone who can
// write the database but not read the key cannot forge a chain that
// verifies. The store holds the entries; this package computes and checks
// their MACs and knows nothing of storage.
//
// An entry's MAC is HMAC-SHA256, under the chain key, of the previous
// entry's MAC and the entry's canonical encoding: its sequence number,
// time (UTC, nanoseconds), actor, action, object and detail, each
// length-prefixed so that no two entries encode alike. The first entry's
// previous MAC is all zeros.
package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// MACSize is the length of an entry's MAC in bytes.
const MACSize = sha256.Size

// MAC is the keyed MAC that chains an entry to the one before it.
type MAC [MACSize]byte

// String formats m in lower-case hex.
func (m MAC) String() string { return hex.EncodeToString(m[:]) }

// ParseMAC reads a MAC in hex.
func ParseMAC(s string) (MAC, error) {
	var m MAC
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != MACSize {
		return m, fmt.Errorf("audit: mac %q: want %d hex bytes", s, MACSize)
	}
	copy(m[:], b)
	return m, nil
}

// Entry is one event of the log.
type Entry struct {
	Seq    uint64    // 1 for the first entry, then one more each
	Time   time.Time // when it happened
	Actor  string    // who: a user name, "token:NAME", or "system"
	Action string    // what: "login", "login_failed", "device.update", "ingest", "export"…
	Object string    // on what: a device id, a file name, a user; "" when none
	Detail string    // more, as JSON text; never a secret or patient data
	Prev   MAC       // the previous entry's MAC; zero for the first
	MAC    MAC       // this entry's MAC
}

// Chain computes and checks the MACs of a log under one key.
type Chain struct {
	key []byte
}

// NewChain returns a chain keyed by key, which must be at least 32 bytes.
func NewChain(key []byte) (*Chain, error) {
	if len(key) < 32 {
		return nil, errors.New("audit: chain key shorter than 32 bytes")
	}
	return &Chain{key: append([]byte(nil), key...)}, nil
}

// Seal sets e.Prev to prev and e.MAC to the entry's MAC, and returns it.
func (c *Chain) Seal(prev MAC, e Entry) Entry {
	e.Prev = prev
	e.MAC = c.mac(&e)
	return e
}

// Next seals an entry to follow last (nil for the first entry of a log),
// giving it the next sequence number.
func (c *Chain) Next(last *Entry, e Entry) Entry {
	var prev MAC
	e.Seq = 1
	if last != nil {
		prev, e.Seq = last.MAC, last.Seq+1
	}
	return c.Seal(prev, e)
}

func (c *Chain) mac(e *Entry) MAC {
	h := hmac.New(sha256.New, c.key)
	h.Write(e.Prev[:])
	h.Write(encode(e))
	var m MAC
	copy(m[:], h.Sum(nil))
	return m
}

// encode is the canonical encoding of an entry's content: fixed-width
// numbers, then each string with its length before it.
func encode(e *Entry) []byte {
	b := make([]byte, 0, 64+len(e.Actor)+len(e.Action)+len(e.Object)+len(e.Detail))
	b = binary.BigEndian.AppendUint64(b, e.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UTC().UnixNano()))
	for _, s := range []string{e.Actor, e.Action, e.Object, e.Detail} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}
