// Package decode decodes link, network and transport headers (L2–L4) into a
// reusable Packet without allocating: Ethernet II and IEEE 802.3 with
// LLC/SNAP, 802.1Q and QinQ, Linux cooked capture (SLL, SLL2), raw IP, BSD
// null/loopback, ARP, IPv4 with options and fragments, IPv6 with extension
// headers, ICMP, ICMPv6 with neighbour discovery, TCP and UDP.
//
// The Packet's byte slices alias the frame passed to Decode; they are valid
// only as long as that frame is.
package decode

import (
	"net/netip"
)

// LinkType is a pcap LINKTYPE_ value (https://www.tcpdump.org/linktypes.html).
type LinkType uint16

// The link types Ward decodes.
const (
	LinkNull     LinkType = 0   // BSD loopback: 4-byte address family, host byte order
	LinkEthernet LinkType = 1   // Ethernet II or 802.3
	LinkRaw      LinkType = 101 // raw IPv4 or IPv6, version from the first nibble
	LinkLoop     LinkType = 108 // OpenBSD loopback: 4-byte address family, big-endian
	LinkSLL      LinkType = 113 // Linux cooked capture v1
	LinkIPv4     LinkType = 228 // raw IPv4
	LinkIPv6     LinkType = 229 // raw IPv6
	LinkSLL2     LinkType = 276 // Linux cooked capture v2
)

// EtherTypes and IP protocol numbers the decoder recognises.
const (
	EtherTypeIPv4 = 0x0800
	EtherTypeARP  = 0x0806
	EtherTypeVLAN = 0x8100
	EtherTypeQinQ = 0x88a8
	EtherTypeIPv6 = 0x86dd
	EtherTypeLLDP = 0x88cc
	// EtherTypeQinQOld is the pre-standard service tag some switches still
	// send; it is decoded like EtherTypeQinQ.
	EtherTypeQinQOld = 0x9100

	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58

	// IPv6 extension headers the decoder skips, and No Next Header.
	ProtoHopByHop = 0
	ProtoRouting  = 43
	ProtoFragment = 44
	ProtoAH       = 51
	ProtoNoNext   = 59
	ProtoDstOpts  = 60
)

// ICMPv6 neighbour discovery message types (RFC 4861).
const (
	ICMPv6RouterSolicit   = 133
	ICMPv6RouterAdvert    = 134
	ICMPv6NeighborSolicit = 135
	ICMPv6NeighborAdvert  = 136
	ICMPv6Redirect        = 137
)

// TCP flag bits, as in the TCP header's flags byte.
const (
	TCPFin = 0x01
	TCPSyn = 0x02
	TCPRst = 0x04
	TCPPsh = 0x08
	TCPAck = 0x10
)

// Layer records how far decoding got.
type Layer uint8

// Layers, in the order they are decoded.
const (
	LayerNone      Layer = iota
	LayerLink            // link header decoded: MACs (when the link has them), EtherType, VLANs
	LayerNetwork         // IPv4, IPv6 or ARP decoded
	LayerTransport       // TCP, UDP, ICMP or ICMPv6 decoded
)

// Packet is one decoded frame. Decode resets every field before filling it,
// so one Packet can be reused for every frame.
type Packet struct {
	Layer Layer // the deepest layer fully decoded

	// Link layer. EtherType is the one after VLAN tags; it is 0 for an
	// 802.3 frame unless SNAP with OUI 000000 carries one, and Decode sets
	// EtherTypeIPv4 or EtherTypeIPv6 for raw IP and loopback links.
	HasMAC    bool      // SrcMAC is known (Ethernet; SLL/SLL2 when the address is 6 bytes)
	HasDstMAC bool      // DstMAC is known too (Ethernet only: SLL gives only the source)
	SrcMAC    [6]byte   //
	DstMAC    [6]byte   // zero unless HasDstMAC
	EtherType uint16    //
	VLANs     [2]uint16 // outer first; only the first NumVLAN are set
	NumVLAN   uint8     // at most 2: further tags are skipped
	// LLC is set for an IEEE 802.3 frame (length instead of EtherType).
	LLC struct {
		Present    bool
		DSAP, SSAP uint8
		SNAPOUI    [3]byte // with DSAP=SSAP=0xAA: the SNAP header
		SNAPType   uint16
	}
	L2Payload []byte // what follows the link header (and LLC/SNAP): LLDP, CDP, ARP, IP…

	// ARP (EtherType 0x0806, Ethernet/IPv4 only).
	ARP struct {
		Op                   uint16 // 1 request, 2 reply
		SenderMAC, TargetMAC [6]byte
		SenderIP, TargetIP   netip.Addr
	}

	// Network layer.
	IPVersion uint8 // 4 or 6, 0 when not IP
	SrcIP     netip.Addr
	DstIP     netip.Addr
	TTL       uint8 // TTL or hop limit
	Proto     uint8 // L4 protocol after IPv6 extension headers
	// Fragment is set when this IP packet is a fragment; only the first
	// fragment (offset 0) carries the L4 header, so later ones stop at
	// LayerNetwork.
	Fragment       bool
	FragmentOffset uint16 // in bytes
	IPLength       int    // total length of the IP packet as its header states
	// L3Payload is what follows the IP header and any IPv6 extension
	// headers, cut to the IP length: the L4 header and data, or the data
	// of a later fragment, or a protocol Decode does not parse (GRE, IGMP…).
	L3Payload []byte

	// Transport layer.
	SrcPort, DstPort uint16
	TCP              struct {
		Seq, Ack uint32
		Flags    uint8
		Window   uint16
	}
	ICMP struct {
		Type, Code uint8
	}
	// NDP is filled from ICMPv6 neighbour discovery messages (types 133–137).
	NDP struct {
		Target    netip.Addr // neighbour solicitation/advertisement target
		LinkAddr  [6]byte    // source or target link-layer address option
		HasLink   bool
		IsRouter  bool // router advertisement, or the R flag of an advertisement
		RouterAdv bool // type 134
	}
	// Payload is the L4 payload (TCP or UDP data, or the ICMP body), cut
	// to the IP length when the frame carries Ethernet padding.
	Payload []byte

	// Truncated is set when the frame ended before a header did, or before
	// the length a header announced (a snap length cut).
	Truncated bool
}

// Decode errors. They are sentinels so that decoding allocates nothing;
// the caller adds the frame number and offset.
// They are declared as error, not decodeError, so that returning one does
// not convert (and allocate) on every call.
var (
	ErrTruncated error = decodeError("frame ends inside a header")
	ErrLinkType  error = decodeError("unsupported link type")
	ErrMalformed error = decodeError("malformed header")
	ErrNotIP     error = decodeError("not an IP packet")
)

type decodeError string

func (e decodeError) Error() string { return string(e) }
