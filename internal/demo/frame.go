package demo

import (
	"encoding/binary"
	"net/netip"
)

// EtherTypes and IP protocol numbers used here.
const (
	etherIPv4 = 0x0800
	etherARP  = 0x0806
	etherVLAN = 0x8100
	etherLLDP = 0x88cc

	protoTCP = 6
	protoUDP = 17
)

// Well-known destination MACs.
var (
	macBroadcast = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	macLLDP      = [6]byte{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e} // nearest bridge
	macCDP       = [6]byte{0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc}
)

// multicastMAC is the Ethernet group address of an IPv4 multicast group
// (RFC 1112): 01:00:5e and the low 23 bits of the group.
func multicastMAC(ip netip.Addr) [6]byte {
	a := ip.As4()
	return [6]byte{0x01, 0x00, 0x5e, a[1] & 0x7f, a[2], a[3]}
}

// link is one end of a conversation as it puts frames on the wire.
type link struct {
	mac  [6]byte
	ip   netip.Addr
	next [6]byte // where its frames go: the peer on its own subnet, else its gateway
	vlan uint16  // 802.1Q tag of its frames; 0 for none
	ttl  uint8
	ipid *uint16 // the sender's IP identification counter
}

// ether appends an Ethernet header, tagged when vlan is not 0.
func ether(b []byte, dst, src [6]byte, vlan, etherType uint16) []byte {
	b = append(b, dst[:]...)
	b = append(b, src[:]...)
	if vlan != 0 {
		b = binary.BigEndian.AppendUint16(b, etherVLAN)
		b = binary.BigEndian.AppendUint16(b, vlan&0x0fff)
	}
	return binary.BigEndian.AppendUint16(b, etherType)
}

// ipv4 appends an IPv4 header with its checksum, for a payload of n bytes.
func ipv4(b []byte, l *link, dst netip.Addr, proto byte, n int, df bool) []byte {
	start := len(b)
	*l.ipid++
	var flags uint16
	if df {
		flags = 0x4000
	}
	src, d := l.ip.As4(), dst.As4()
	b = append(b, 0x45, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(20+n))
	b = binary.BigEndian.AppendUint16(b, *l.ipid)
	b = binary.BigEndian.AppendUint16(b, flags)
	b = append(b, l.ttl, proto, 0, 0)
	b = append(b, src[:]...)
	b = append(b, d[:]...)
	binary.BigEndian.PutUint16(b[start+10:], ^fold(sum(0, b[start:])))
	return b
}

// sum adds b to a one's complement sum as big-endian 16-bit words; an odd
// last byte is padded with zero.
func sum(acc uint32, b []byte) uint32 {
	for len(b) >= 2 {
		acc += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint32(b[0]) << 8
	}
	return acc
}

// fold folds the carries of a one's complement sum into 16 bits.
func fold(acc uint32) uint16 {
	for acc > 0xffff {
		acc = acc&0xffff + acc>>16
	}
	return uint16(acc)
}

// pseudoSum is the sum of the IPv4 pseudo-header of a TCP or UDP segment.
func pseudoSum(src, dst netip.Addr, proto byte, n int) uint32 {
	s, d := src.As4(), dst.As4()
	acc := sum(0, s[:])
	acc = sum(acc, d[:])
	return acc + uint32(proto) + uint32(n)
}

// udp builds a tagged Ethernet frame carrying a UDP datagram from l to dst,
// sent to the MAC dstMAC.
func udp(l *link, dstMAC [6]byte, dst netip.Addr, sport, dport uint16, payload []byte) []byte {
	n := 8 + len(payload)
	b := make([]byte, 0, 18+20+n)
	b = ether(b, dstMAC, l.mac, l.vlan, etherIPv4)
	b = ipv4(b, l, dst, protoUDP, n, false)
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	b = append(b, 0, 0)
	b = append(b, payload...)
	c := ^fold(sum(pseudoSum(l.ip, dst, protoUDP, n), b[start:]))
	if c == 0 {
		c = 0xffff // zero means "no checksum" in UDP
	}
	binary.BigEndian.PutUint16(b[start+6:], c)
	return b
}

// TCP flags.
const (
	tcpFin = 0x01
	tcpSyn = 0x02
	tcpPsh = 0x08
	tcpAck = 0x10
)

// tcpSeg is one TCP segment to build.
type tcpSeg struct {
	sport, dport uint16
	seq, ack     uint32
	flags        byte
	window       uint16
	opts         []byte // a multiple of 4 bytes
	payload      []byte
}

// tcp builds a tagged Ethernet frame carrying s from l to dst.
func tcp(l *link, dst netip.Addr, s *tcpSeg) []byte {
	hl := 20 + len(s.opts)
	n := hl + len(s.payload)
	b := make([]byte, 0, 18+20+n)
	b = ether(b, l.next, l.mac, l.vlan, etherIPv4)
	b = ipv4(b, l, dst, protoTCP, n, true)
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, s.sport)
	b = binary.BigEndian.AppendUint16(b, s.dport)
	b = binary.BigEndian.AppendUint32(b, s.seq)
	b = binary.BigEndian.AppendUint32(b, s.ack)
	b = append(b, byte(hl/4)<<4, s.flags)
	b = binary.BigEndian.AppendUint16(b, s.window)
	b = append(b, 0, 0, 0, 0) // checksum, urgent pointer
	b = append(b, s.opts...)
	b = append(b, s.payload...)
	c := ^fold(sum(pseudoSum(l.ip, dst, protoTCP, n), b[start:]))
	binary.BigEndian.PutUint16(b[start+16:], c)
	return b
}

// ARP operations.
const (
	arpRequest = 1
	arpReply   = 2
)

// arp builds an ARP frame from the sender sha/spa about tha/tpa.
func arp(dst [6]byte, vlan uint16, op uint16, sha [6]byte, spa netip.Addr, tha [6]byte,
	tpa netip.Addr) []byte {
	b := make([]byte, 0, 64)
	b = ether(b, dst, sha, vlan, etherARP)
	b = append(b, 0, 1, 0x08, 0x00, 6, 4)
	b = binary.BigEndian.AppendUint16(b, op)
	s, t := spa.As4(), tpa.As4()
	b = append(b, sha[:]...)
	b = append(b, s[:]...)
	b = append(b, tha[:]...)
	return append(b, t[:]...)
}
