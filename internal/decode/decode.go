package decode

import "encoding/binary"

// Link-layer header sizes, in bytes.
const (
	ethHeaderLen  = 14
	vlanTagLen    = 4
	sllHeaderLen  = 16
	sll2HeaderLen = 20
	nullHeaderLen = 4
	maxVLANTags   = 8 // tags skipped before the frame is called malformed
)

// Values of the Linux cooked capture headers.
const (
	arphrdEther = 1      // ARPHRD_ETHER: the address is a 6-byte MAC
	sllProtoLLC = 0x0004 // ETH_P_802_2: an 802.2 LLC header follows
)

// BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 is 24
// (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (macOS).
const (
	afInet     = 2
	afInet6BSD = 24
	afInet6Fre = 28
	afInet6Mac = 30
)

// Decode resets p and decodes frame, captured with link type lt, as deep as
// it can. It returns nil when it reached the transport layer or a payload it
// does not decode further (LLDP, CDP, other EtherTypes, other IP
// protocols); otherwise ErrTruncated, ErrLinkType or ErrMalformed, with p
// filled up to p.Layer. Decode does not allocate, and p's slices alias frame.
func (p *Packet) Decode(lt LinkType, frame []byte) error {
	*p = Packet{}
	switch lt {
	case LinkEthernet:
		return p.decodeEthernet(frame)
	case LinkSLL:
		return p.decodeSLL(frame)
	case LinkSLL2:
		return p.decodeSLL2(frame)
	case LinkRaw:
		return p.decodeRaw(frame)
	case LinkIPv4:
		p.Layer, p.EtherType, p.L2Payload = LayerLink, EtherTypeIPv4, frame
		return p.decodeIPv4(frame)
	case LinkIPv6:
		p.Layer, p.EtherType, p.L2Payload = LayerLink, EtherTypeIPv6, frame
		return p.decodeIPv6(frame)
	case LinkNull:
		return p.decodeNull(frame, false)
	case LinkLoop:
		return p.decodeNull(frame, true)
	}
	return ErrLinkType
}

// truncated marks p as cut short and returns ErrTruncated.
func (p *Packet) truncated() error {
	p.Truncated = true
	return ErrTruncated
}

// decodeEthernet decodes an Ethernet II or IEEE 802.3 header, any VLAN
// tags, and what follows.
func (p *Packet) decodeEthernet(b []byte) error {
	if len(b) < ethHeaderLen {
		return p.truncated()
	}
	copy(p.DstMAC[:], b[0:6])
	copy(p.SrcMAC[:], b[6:12])
	p.HasMAC, p.HasDstMAC = true, true
	et := binary.BigEndian.Uint16(b[12:14])
	off := ethHeaderLen
	for tags := 0; et == EtherTypeVLAN || et == EtherTypeQinQ || et == EtherTypeQinQOld; tags++ {
		if tags == maxVLANTags {
			return ErrMalformed
		}
		if len(b) < off+vlanTagLen {
			return p.truncated()
		}
		if p.NumVLAN < uint8(len(p.VLANs)) {
			p.VLANs[p.NumVLAN] = binary.BigEndian.Uint16(b[off:]) & 0x0fff
			p.NumVLAN++
		}
		et = binary.BigEndian.Uint16(b[off+2:])
		off += vlanTagLen
	}
	if et <= 1500 {
		return p.decode8023(b[off:], int(et))
	}
	p.Layer, p.EtherType, p.L2Payload = LayerLink, et, b[off:]
	return p.decodeNetwork(et, b[off:])
}

// decode8023 decodes the LLC (and SNAP) header of an IEEE 802.3 frame whose
// length field says n bytes follow. Ethernet padding beyond n is cut off.
func (p *Packet) decode8023(b []byte, n int) error {
	if n <= len(b) {
		b = b[:n]
	} else {
		p.Truncated = true
	}
	return p.decodeLLC(b)
}

// decodeLLC decodes an 802.2 LLC header and, when DSAP and SSAP are 0xAA
// with a UI control byte, the SNAP header after it. A SNAP header with OUI
// 000000 carries an EtherType, which is decoded further.
func (p *Packet) decodeLLC(b []byte) error {
	if len(b) < 3 {
		return p.truncated()
	}
	p.LLC.Present = true
	p.LLC.DSAP, p.LLC.SSAP = b[0], b[1]
	hl := 3
	if b[2]&0x03 != 0x03 {
		hl = 4 // I- and S-format frames have a 2-byte control field
	}
	if b[0] != 0xaa || b[1] != 0xaa || b[2] != 0x03 {
		if len(b) < hl {
			return p.truncated()
		}
		p.Layer, p.L2Payload = LayerLink, b[hl:]
		return nil
	}
	if len(b) < 8 {
		return p.truncated()
	}
	copy(p.LLC.SNAPOUI[:], b[3:6])
	p.LLC.SNAPType = binary.BigEndian.Uint16(b[6:8])
	p.Layer, p.L2Payload = LayerLink, b[8:]
	if b[3] != 0 || b[4] != 0 || b[5] != 0 {
		return nil
	}
	p.EtherType = p.LLC.SNAPType
	return p.decodeNetwork(p.EtherType, b[8:])
}

// decodeSLL decodes a Linux cooked capture (v1) header: packet type, ARPHRD
// type, address length, 8 address bytes, protocol; all big-endian.
func (p *Packet) decodeSLL(b []byte) error {
	if len(b) < sllHeaderLen {
		return p.truncated()
	}
	hw := binary.BigEndian.Uint16(b[2:4])
	alen := binary.BigEndian.Uint16(b[4:6])
	p.sllAddr(hw, alen, b[6:14])
	return p.sllPayload(binary.BigEndian.Uint16(b[14:16]), b[sllHeaderLen:])
}

// decodeSLL2 decodes a Linux cooked capture v2 header: protocol, reserved,
// interface index, ARPHRD type, packet type, address length, 8 address
// bytes; all big-endian.
func (p *Packet) decodeSLL2(b []byte) error {
	if len(b) < sll2HeaderLen {
		return p.truncated()
	}
	hw := binary.BigEndian.Uint16(b[8:10])
	p.sllAddr(hw, uint16(b[11]), b[12:20])
	return p.sllPayload(binary.BigEndian.Uint16(b[0:2]), b[sll2HeaderLen:])
}

// sllAddr records the source MAC of a cooked capture when the link is
// Ethernet. The destination is not in the header.
func (p *Packet) sllAddr(hw, alen uint16, addr []byte) {
	if hw == arphrdEther && alen == 6 {
		copy(p.SrcMAC[:], addr[:6])
		p.HasMAC = true
	}
}

// sllPayload decodes what follows a cooked capture header, given its
// protocol field: an EtherType, or 0x0004 for an 802.2 LLC frame.
func (p *Packet) sllPayload(proto uint16, b []byte) error {
	if proto == sllProtoLLC {
		return p.decodeLLC(b)
	}
	p.Layer, p.EtherType, p.L2Payload = LayerLink, proto, b
	return p.decodeNetwork(proto, b)
}

// decodeRaw decodes a raw IP packet, IPv4 or IPv6 by its version nibble.
func (p *Packet) decodeRaw(b []byte) error {
	if len(b) < 1 {
		return p.truncated()
	}
	p.Layer, p.L2Payload = LayerLink, b
	switch b[0] >> 4 {
	case 4:
		p.EtherType = EtherTypeIPv4
		return p.decodeIPv4(b)
	case 6:
		p.EtherType = EtherTypeIPv6
		return p.decodeIPv6(b)
	}
	return ErrMalformed
}

// decodeNull decodes a BSD loopback header: a 4-byte address family, in the
// capturing host's byte order (either is accepted) or, for OpenBSD's loop
// link type, big-endian. Families other than IPv4 and IPv6 stop at the link
// layer without error.
func (p *Packet) decodeNull(b []byte, bigEndian bool) error {
	if len(b) < nullHeaderLen {
		return p.truncated()
	}
	fam := binary.BigEndian.Uint32(b)
	if !bigEndian && fam > 0xffff {
		fam = binary.LittleEndian.Uint32(b)
	}
	b = b[nullHeaderLen:]
	p.Layer, p.L2Payload = LayerLink, b
	switch fam {
	case afInet:
		p.EtherType = EtherTypeIPv4
		return p.decodeIPv4(b)
	case afInet6BSD, afInet6Fre, afInet6Mac:
		p.EtherType = EtherTypeIPv6
		return p.decodeIPv6(b)
	}
	return nil
}

// decodeNetwork decodes the network layer named by EtherType et. Other
// EtherTypes (LLDP, …) stop at the link layer without error.
func (p *Packet) decodeNetwork(et uint16, b []byte) error {
	switch et {
	case EtherTypeIPv4:
		return p.decodeIPv4(b)
	case EtherTypeIPv6:
		return p.decodeIPv6(b)
	case EtherTypeARP:
		return p.decodeARP(b)
	}
	return nil
}
