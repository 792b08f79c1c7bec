// Package observe drives decoding and dissection over packet captures and
// aggregates what they show: facts about endpoints (observations), the
// bindings of MAC to IP addresses, and flows between addresses.
//
// Everything it keeps grows with distinct devices, facts and flows, never
// with packets: observations and flows are counted, not listed, and TCP
// connections live in a bounded table (count, idle time and buffered bytes)
// whose least recently used entries are dissected and dropped first.
package observe

import (
	"io"
	"log/slog"
	"net/netip"
	"time"

	"github.com/wardhq/ward/internal/dissect"
)

// Config tunes the pipeline. The zero value is usable: zero fields take the
// defaults below.
type Config struct {
	// Workers is how many goroutines decode and dissect in parallel, packets
	// being shared among them by a hash of their flow. Default: GOMAXPROCS.
	Workers int
	// HeadSize is how many bytes of each direction of a TCP connection are
	// kept for the stream dissectors. Default 16 KiB.
	HeadSize int
	// MaxConns bounds the TCP connection table. Default 65536.
	MaxConns int
	// MaxBuffered bounds the bytes held in stream heads across all
	// connections. Default 64 MiB.
	MaxBuffered int
	// IdleTimeout is how long, in capture time, a connection may stay
	// silent before it is dissected and dropped. Default 5 minutes.
	IdleTimeout time.Duration
	// Logger receives warnings about bad input. Default: discard.
	Logger *slog.Logger
	// Stdin is read for the path "-". Default: os.Stdin.
	Stdin io.Reader
	// Progress, when set, is called from the reading goroutine about every
	// 64k packets with the totals so far.
	Progress func(Progress)
}

// Progress reports how far reading has gone.
type Progress struct {
	File      string
	Packets   uint64
	BytesRead int64 // of the current file, as stored (compressed if gzip)
}

func (c Config) withDefaults() Config {
	if c.HeadSize <= 0 {
		c.HeadSize = 16 << 10
	}
	if c.MaxConns <= 0 {
		c.MaxConns = 65536
	}
	if c.MaxBuffered <= 0 {
		c.MaxBuffered = 64 << 20
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 5 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Observation is a fact with the times it was first and last seen and how
// many packets or streams carried it.
type Observation struct {
	dissect.Fact
	First, Last time.Time
	Count       uint64
}

// BindingKind says how a MAC-to-IP binding was seen; the kinds differ in
// what they prove. An ARP or NDP binding is made by the owner of the
// address; an IP source address behind a MAC may have been forwarded.
type BindingKind uint8

// Binding kinds.
const (
	BindIPSource BindingKind = iota // a packet from the MAC had this source IP
	BindARP                         // ARP sender fields
	BindNDP                         // ICMPv6 neighbour discovery
)

func (k BindingKind) String() string {
	switch k {
	case BindARP:
		return "arp"
	case BindNDP:
		return "ndp"
	default:
		return "ip"
	}
}

// Binding is a MAC seen with an IP address.
type Binding struct {
	MAC         dissect.MAC
	IP          netip.Addr
	VLAN        uint16
	Kind        BindingKind
	First, Last time.Time
	Packets     uint64
	Bytes       uint64
}

// FlowKey identifies a flow: a conversation from Src to Dst's DstPort.
// For TCP, Src is the side that opened the connection; for UDP, the side
// that did not use the service port.
type FlowKey struct {
	Src, Dst netip.Addr
	Proto    uint8 // IP protocol number
	DstPort  uint16
	VLAN     uint16
}

// Flow is the traffic of one FlowKey, both directions together.
type Flow struct {
	FlowKey
	App            string // application protocol, "" when unknown
	Packets, Bytes uint64 // both directions
	PacketsRev     uint64 // of Packets, those from Dst to Src
	BytesRev       uint64
	// Messages counts the application messages from Src to Dst, and
	// MessagesRev those back, for protocols whose messages the pipeline
	// counts (HL7 v2 over MLLP); zero for the others.
	Messages, MessagesRev uint64
	// Connections counts the TCP connections of the flow.
	Connections    uint64
	First, Last    time.Time
	SrcMAC, DstMAC dissect.MAC // as last seen on the wire
	// Hours are the flow's packets and bytes in each hour of capture time
	// it was seen in, in hour order; they add up to Packets and Bytes.
	Hours []HourCount
}

// HourCount is a flow's traffic in one hour.
type HourCount struct {
	Hour           time.Time // the start of the hour, UTC
	Packets, Bytes uint64    // both directions
}

// Stats counts what the pipeline read.
type Stats struct {
	Files       int
	Packets     uint64
	Bytes       uint64 // captured bytes
	Truncated   uint64 // frames cut by the snap length or ending inside a header
	Undecoded   uint64 // frames with an unsupported link type or malformed header
	DissectErrs uint64 // payloads a dissector could not fully read
	Streams     uint64 // TCP connections seen
	Evicted     uint64 // connections dropped from the table before they ended
	FileErrors  []string
	First, Last time.Time
}

// Result is what a run of the pipeline learned.
type Result struct {
	Observations []Observation
	Bindings     []Binding
	Flows        []Flow
	Stats        Stats
}
