package decode

import (
	"encoding/binary"
	"net/netip"
)

// Network-layer header sizes, in bytes.
const (
	arpEthIPv4Len  = 28 // ARP for Ethernet and IPv4: 8-byte header, 2×(6+4) addresses
	ipv4MinHdrLen  = 20
	ipv6HdrLen     = 40
	maxIPv6ExtHdrs = 8 // extension headers skipped before the packet is called malformed
)

// decodeARP decodes an ARP packet for Ethernet and IPv4 (hardware type 1,
// protocol 0x0800, lengths 6 and 4). Other kinds stop at the link layer
// without error.
func (p *Packet) decodeARP(b []byte) error {
	if len(b) < 8 {
		return p.truncated()
	}
	if binary.BigEndian.Uint16(b[0:2]) != 1 || binary.BigEndian.Uint16(b[2:4]) != EtherTypeIPv4 ||
		b[4] != 6 || b[5] != 4 {
		return nil
	}
	if len(b) < arpEthIPv4Len {
		return p.truncated()
	}
	a := &p.ARP
	a.Op = binary.BigEndian.Uint16(b[6:8])
	copy(a.SenderMAC[:], b[8:14])
	a.SenderIP = netip.AddrFrom4([4]byte(b[14:18]))
	copy(a.TargetMAC[:], b[18:24])
	a.TargetIP = netip.AddrFrom4([4]byte(b[24:28]))
	p.Layer = LayerNetwork
	return nil
}

// decodeIPv4 decodes an IPv4 header, skipping options, and the transport
// header after it. Ethernet padding beyond the total length is cut off; a
// frame shorter than the total length sets Truncated. Only the first
// fragment (offset 0) is decoded past the network layer.
func (p *Packet) decodeIPv4(b []byte) error {
	if len(b) < 1 {
		return p.truncated()
	}
	if b[0]>>4 != 4 {
		return ErrMalformed
	}
	hl := int(b[0]&0x0f) * 4
	if hl < ipv4MinHdrLen {
		return ErrMalformed
	}
	if len(b) < ipv4MinHdrLen {
		return p.truncated()
	}
	total := int(binary.BigEndian.Uint16(b[2:4]))
	p.IPLength = total
	if total == 0 {
		total = len(b) // segmentation offload: the NIC fills the length in later
	}
	if total < hl {
		return ErrMalformed
	}
	if len(b) < hl {
		return p.truncated()
	}
	if total < len(b) {
		b = b[:total]
	} else if total > len(b) {
		p.Truncated = true
	}
	p.IPVersion = 4
	p.TTL, p.Proto = b[8], b[9]
	p.SrcIP = netip.AddrFrom4([4]byte(b[12:16]))
	p.DstIP = netip.AddrFrom4([4]byte(b[16:20]))
	p.L3Payload = b[hl:]
	p.Layer = LayerNetwork

	frag := binary.BigEndian.Uint16(b[6:8])
	if frag&0x3fff != 0 { // MF flag or a non-zero offset
		p.Fragment = true
		p.FragmentOffset = (frag & 0x1fff) * 8
		if p.FragmentOffset != 0 {
			return nil
		}
	}
	return p.decodeTransport(b[hl:])
}

// decodeIPv6 decodes an IPv6 header, skips extension headers and decodes
// the transport header after them. A payload length of 0 (a jumbogram, or
// segmentation offload) takes the rest of the frame.
func (p *Packet) decodeIPv6(b []byte) error {
	if len(b) < 1 {
		return p.truncated()
	}
	if b[0]>>4 != 6 {
		return ErrMalformed
	}
	if len(b) < ipv6HdrLen {
		return p.truncated()
	}
	plen := int(binary.BigEndian.Uint16(b[4:6]))
	p.IPLength = ipv6HdrLen + plen
	if plen == 0 {
		plen = len(b) - ipv6HdrLen
	}
	total := ipv6HdrLen + plen
	if total < len(b) {
		b = b[:total]
	} else if total > len(b) {
		p.Truncated = true
	}
	p.IPVersion = 6
	p.TTL = b[7]
	p.SrcIP = netip.AddrFrom16([16]byte(b[8:24]))
	p.DstIP = netip.AddrFrom16([16]byte(b[24:40]))
	off, err := p.skipIPv6Ext(b[6], b, ipv6HdrLen)
	if err != nil {
		return err
	}
	p.L3Payload = b[off:]
	p.Layer = LayerNetwork
	if p.FragmentOffset != 0 || p.Proto == ProtoNoNext {
		return nil
	}
	return p.decodeTransport(b[off:])
}

// skipIPv6Ext walks the extension headers of the IPv6 packet b, starting
// with next header nh at offset off. It sets p.Proto to the first header
// that is not an extension, records a fragment header, and returns the
// offset of that header.
func (p *Packet) skipIPv6Ext(nh uint8, b []byte, off int) (int, error) {
	for range maxIPv6ExtHdrs {
		var n int
		switch nh {
		case ProtoHopByHop, ProtoRouting, ProtoDstOpts, ProtoAH, ProtoFragment:
		default:
			p.Proto = nh
			return off, nil
		}
		if len(b) < off+8 { // every extension header is at least 8 bytes
			return off, p.short()
		}
		switch nh {
		case ProtoFragment:
			n = 8
			fo := binary.BigEndian.Uint16(b[off+2:])
			p.Fragment = fo&0xfff9 != 0 // offset or M flag; not an atomic fragment
			p.FragmentOffset = fo &^ 7
		case ProtoAH:
			n = (int(b[off+1]) + 2) * 4
		default:
			n = (int(b[off+1]) + 1) * 8
		}
		if len(b) < off+n {
			return off, p.short()
		}
		nh = b[off]
		off += n
	}
	p.Proto = nh
	if nh == ProtoHopByHop || nh == ProtoRouting || nh == ProtoDstOpts || nh == ProtoAH ||
		nh == ProtoFragment {
		return off, ErrMalformed
	}
	return off, nil
}
