// Package dissect holds what the application-protocol dissectors share: the
// addressing context of a packet or stream, and the Fact each dissector emits.
//
// Each protocol lives in its own subpackage (dissect/dhcp, dissect/dns, …).
// A dissector reads only what identifies a device; it never keeps payload
// bytes, and it never emits secrets (passwords, community strings, tokens) or
// patient data. Malformed input yields the facts read so far and an error
// saying where and why decoding stopped; a dissector never panics.
package dissect

import (
	"fmt"
	"net/netip"
	"time"
)

// MAC is an Ethernet hardware address. The zero value means "unknown".
type MAC [6]byte

// IsZero reports whether m is the all-zero (unknown) address.
func (m MAC) IsZero() bool { return m == MAC{} }

// String formats m in lower case, colon separated.
func (m MAC) String() string {
	const hex = "0123456789abcdef"
	var b [17]byte
	for i, v := range m {
		if i > 0 {
			b[i*3-1] = ':'
		}
		b[i*3] = hex[v>>4]
		b[i*3+1] = hex[v&0xf]
	}
	return string(b[:])
}

// Endpoint names the device a fact is about: by MAC, by IP, or both. A
// zero MAC or an invalid IP means that part is unknown.
type Endpoint struct {
	MAC MAC
	IP  netip.Addr
}

// Context is the addressing of the packet (or, for streams, of the
// connection: Src is the client, the side that sent the first SYN) that a
// dissector is looking at.
type Context struct {
	Time             time.Time
	Src, Dst         Endpoint
	SrcPort, DstPort uint16
	VLAN             uint16 // innermost 802.1Q id, 0 when untagged
	// Strings, when set, interns the fact values a dissector builds from
	// the packet, so that facts already seen cost no allocation. Nil is
	// valid.
	Strings *Strings
}

// Confidence is how sure a dissector is of a fact, from 0 to 100.
type Confidence uint8

// Common confidence levels.
const (
	Low    Confidence = 30 // a guess: a port number, a loose pattern
	Medium Confidence = 60 // the device said it, in a field others can spoof or reuse
	High   Confidence = 90 // the device said it about itself, in a field meant for it
)

// Fact is one thing learned about one endpoint.
type Fact struct {
	Who        Endpoint
	Source     string // the protocol that carried it: "dhcp", "mdns", "lldp", …
	Key        string // the attribute, snake_case: see keys.go
	Value      string
	Confidence Confidence
	// Peer, for a fact about a conversation (which AE title calls which,
	// which application sends what to which), is the other end; it is
	// zero for facts about Who alone. The inventory turns these facts into
	// the links between devices.
	Peer Endpoint
}

// String formats f for test failures and debugging.
func (f Fact) String() string {
	return fmt.Sprintf("%s %s=%q (%d) mac=%s ip=%s", f.Source, f.Key, f.Value,
		f.Confidence, f.Who.MAC, f.Who.IP)
}

// DatagramFunc dissects one datagram (a UDP payload, or an L2 payload such
// as an LLDP frame) and appends what it learned to out.
type DatagramFunc func(ctx *Context, payload []byte, out []Fact) ([]Fact, error)

// StreamFunc dissects the heads of a TCP connection: the first bytes the
// client sent and the first bytes the server sent, each in order and
// possibly cut short (at most 16 KiB). It appends what it learned to out.
type StreamFunc func(ctx *Context, client, server []byte, out []Fact) ([]Fact, error)

// Error is a decoding error that says where in the input it happened.
type Error struct {
	Proto  string // the dissector, e.g. "dhcp"
	Offset int    // byte offset into the payload or stream head
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: at byte %d: %s", e.Proto, e.Offset, e.Reason)
}

// Errorf builds an *Error.
func Errorf(proto string, offset int, format string, args ...any) error {
	return &Error{Proto: proto, Offset: offset, Reason: fmt.Sprintf(format, args...)}
}
