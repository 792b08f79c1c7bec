package decode

import (
	"encoding/binary"
	"net/netip"
)

// Transport-layer header sizes, in bytes.
const (
	tcpMinHdrLen = 20
	udpHdrLen    = 8
	icmpHdrLen   = 4
)

// short reports a header that does not fit: ErrTruncated when the frame was
// cut before the length the IP header announced, else ErrMalformed (the
// header does not fit in the packet it claims to be part of).
func (p *Packet) short() error {
	if p.Truncated {
		return ErrTruncated
	}
	return ErrMalformed
}

// decodeTransport decodes the L4 header of protocol p.Proto in b, the IP
// payload cut to the IP length. Other protocols stop at the network layer
// without error.
func (p *Packet) decodeTransport(b []byte) error {
	switch p.Proto {
	case ProtoTCP:
		return p.decodeTCP(b)
	case ProtoUDP:
		return p.decodeUDP(b)
	case ProtoICMP:
		return p.decodeICMP(b)
	case ProtoICMPv6:
		if err := p.decodeICMP(b); err != nil {
			return err
		}
		return p.decodeNDP(b)
	}
	return nil
}

// decodeTCP decodes a TCP header; Payload is the data after its options.
func (p *Packet) decodeTCP(b []byte) error {
	if len(b) < tcpMinHdrLen {
		return p.short()
	}
	hl := int(b[12]>>4) * 4
	if hl < tcpMinHdrLen {
		return ErrMalformed
	}
	if len(b) < hl {
		return p.short()
	}
	p.SrcPort = binary.BigEndian.Uint16(b[0:2])
	p.DstPort = binary.BigEndian.Uint16(b[2:4])
	p.TCP.Seq = binary.BigEndian.Uint32(b[4:8])
	p.TCP.Ack = binary.BigEndian.Uint32(b[8:12])
	p.TCP.Flags = b[13]
	p.TCP.Window = binary.BigEndian.Uint16(b[14:16])
	p.Payload = b[hl:]
	p.Layer = LayerTransport
	return nil
}

// decodeUDP decodes a UDP header; Payload is cut to the UDP length when it
// is shorter than the IP payload.
func (p *Packet) decodeUDP(b []byte) error {
	if len(b) < udpHdrLen {
		return p.short()
	}
	n := int(binary.BigEndian.Uint16(b[4:6]))
	if n < udpHdrLen {
		return ErrMalformed
	}
	if n < len(b) {
		b = b[:n]
	}
	p.SrcPort = binary.BigEndian.Uint16(b[0:2])
	p.DstPort = binary.BigEndian.Uint16(b[2:4])
	p.Payload = b[udpHdrLen:]
	p.Layer = LayerTransport
	return nil
}

// decodeICMP decodes the type and code of an ICMP or ICMPv6 header;
// Payload is the body after the 4-byte header (type, code, checksum).
func (p *Packet) decodeICMP(b []byte) error {
	if len(b) < icmpHdrLen {
		return p.short()
	}
	p.ICMP.Type, p.ICMP.Code = b[0], b[1]
	p.Payload = b[icmpHdrLen:]
	p.Layer = LayerTransport
	return nil
}

// decodeNDP fills p.NDP from an ICMPv6 neighbour discovery message b
// (RFC 4861 section 4). Other ICMPv6 types are left alone. An error here
// leaves p at LayerTransport: the ICMPv6 header itself was decoded.
func (p *Packet) decodeNDP(b []byte) error {
	var fixed int // bytes before the options, including the ICMPv6 header
	var opt uint8 // the link-layer address option this message carries
	switch b[0] {
	case ICMPv6RouterSolicit:
		fixed, opt = 8, 1
	case ICMPv6RouterAdvert:
		fixed, opt = 16, 1
		p.NDP.RouterAdv, p.NDP.IsRouter = true, true
	case ICMPv6NeighborSolicit:
		fixed, opt = 24, 1
	case ICMPv6NeighborAdvert:
		fixed, opt = 24, 2
	case ICMPv6Redirect:
		fixed, opt = 40, 2
	default:
		return nil
	}
	if len(b) < fixed {
		return p.short()
	}
	if fixed >= 24 {
		p.NDP.Target = netip.AddrFrom16([16]byte(b[8:24]))
	}
	if b[0] == ICMPv6NeighborAdvert {
		p.NDP.IsRouter = b[4]&0x80 != 0
	}
	return p.ndpOptions(b[fixed:], opt)
}

// ndpOptions walks the NDP options in b (type, length in units of 8 bytes,
// value) and records the first link-layer address option of type want.
func (p *Packet) ndpOptions(b []byte, want uint8) error {
	for len(b) > 0 {
		if len(b) < 2 {
			return p.short()
		}
		n := int(b[1]) * 8
		if n == 0 {
			return ErrMalformed
		}
		if len(b) < n {
			return p.short()
		}
		if b[0] == want && !p.NDP.HasLink {
			copy(p.NDP.LinkAddr[:], b[2:8])
			p.NDP.HasLink = true
		}
		b = b[n:]
	}
	return nil
}
