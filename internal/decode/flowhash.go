package decode

import (
	"encoding/binary"
	"net/netip"
)

// FlowHash returns a hash of p's conversation that is the same for both
// directions, for spreading packets over workers. For IP packets it covers
// the two addresses, the protocol and, except for fragments, the two
// ports: every fragment of a datagram then hashes alike, though the first
// may differ from the unfragmented packets of the same flow. For other
// packets it covers the two MACs. It does not allocate; it is not a
// cryptographic hash.
func (p *Packet) FlowHash() uint64 {
	if p.IPVersion == 0 {
		a, b := macKey(p.SrcMAC), macKey(p.DstMAC)
		return mix64(min(a, b)*golden ^ max(a, b))
	}
	var sport, dport uint64
	if !p.Fragment {
		sport, dport = uint64(p.SrcPort), uint64(p.DstPort)
	}
	a := addrKey(p.SrcIP) ^ sport<<48
	b := addrKey(p.DstIP) ^ dport<<48
	// Order the two endpoints so that both directions give the same pair.
	return mix64((min(a, b)*golden ^ max(a, b)) + uint64(p.Proto))
}

// golden is 2^64 divided by the golden ratio: an odd multiplier that
// spreads bits, so that the ordered pair (x, y) and (y, x) hash apart.
const golden = 0x9e3779b97f4a7c15

// addrKey folds an address into 64 bits whose top 16 are free for a port
// when the address is IPv4 (the common case, exact and cheapest).
func addrKey(ip netip.Addr) uint64 {
	if ip.Is4() {
		a := ip.As4()
		return uint64(binary.BigEndian.Uint32(a[:]))
	}
	a := ip.As16()
	return binary.BigEndian.Uint64(a[:8])*golden ^ binary.BigEndian.Uint64(a[8:])
}

// macKey reads a MAC as a 48-bit integer.
func macKey(m [6]byte) uint64 {
	return uint64(m[0])<<40 | uint64(m[1])<<32 | uint64(m[2])<<24 |
		uint64(m[3])<<16 | uint64(m[4])<<8 | uint64(m[5])
}

// mix64 is the finaliser of SplitMix64: a cheap bijection that spreads
// every input bit over the output.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
