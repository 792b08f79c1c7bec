package demo

import (
	"encoding/binary"
	"net/netip"
)

// LLDP TLV types (IEEE 802.1AB) and system capability bits.
const (
	lldpChassis   = 1
	lldpPort      = 2
	lldpTTL       = 3
	lldpPortDesc  = 4
	lldpSysName   = 5
	lldpSysDesc   = 6
	lldpSysCaps   = 7
	lldpMgmtAddr  = 8
	lldpOrg       = 127
	capBridge     = 1 << 2
	capRouter     = 1 << 4
	capTelephone  = 1 << 5
	medClassIII   = 3
	medAppVoice   = 1
	medInvHW      = 5
	medInvFW      = 6
	medInvSW      = 7
	medInvSerial  = 8
	medInvMaker   = 9
	medInvModel   = 10
	chassisMAC    = 4
	chassisAddr   = 5
	portMAC       = 3
	portIfName    = 5
	portLocal     = 7
	ianaIPv4      = 1
	ifIndexNumber = 2
)

// Organisationally unique identifiers of LLDP's extension TLV sets.
var (
	ouiIEEE8021 = [3]byte{0x00, 0x80, 0xc2}
	ouiIEEE8023 = [3]byte{0x00, 0x12, 0x0f}
	ouiTIA      = [3]byte{0x00, 0x12, 0xbb} // LLDP-MED
)

// lldpdu builds an LLDPDU TLV by TLV.
type lldpdu struct{ b []byte }

func (d *lldpdu) tlv(typ int, v ...byte) {
	d.b = binary.BigEndian.AppendUint16(d.b, uint16(typ)<<9|uint16(len(v)))
	d.b = append(d.b, v...)
}

func (d *lldpdu) text(typ int, s string) { d.tlv(typ, []byte(s)...) }

// sub is a TLV of a subtype and a value: chassis and port ids.
func (d *lldpdu) sub(typ int, subtype byte, v []byte) {
	d.tlv(typ, append([]byte{subtype}, v...)...)
}

func (d *lldpdu) org(oui [3]byte, subtype byte, v ...byte) {
	d.tlv(lldpOrg, append([]byte{oui[0], oui[1], oui[2], subtype}, v...)...)
}

func (d *lldpdu) caps(supported, enabled uint16) {
	d.tlv(lldpSysCaps, byte(supported>>8), byte(supported), byte(enabled>>8), byte(enabled))
}

// mgmt adds a management address TLV: the IPv4 address, interface
// numbering by ifIndex, no OID.
func (d *lldpdu) mgmt(ip netip.Addr, ifIndex uint32) {
	a := ip.As4()
	v := []byte{5, ianaIPv4, a[0], a[1], a[2], a[3], ifIndexNumber}
	v = binary.BigEndian.AppendUint32(v, ifIndex)
	d.tlv(lldpMgmtAddr, append(v, 0)...)
}

// end adds the End TLV and returns the LLDPDU.
func (d *lldpdu) end() []byte {
	d.tlv(0)
	return d.b
}

// lldpFrame wraps an LLDPDU in an untagged Ethernet frame to the nearest
// bridge group address.
func lldpFrame(src [6]byte, pdu []byte) []byte {
	b := make([]byte, 0, 14+len(pdu))
	b = ether(b, macLLDP, src, 0, etherLLDP)
	return append(b, pdu...)
}

// ciscoSysDesc is the system description a Catalyst sends: its software
// line, then the support and copyright lines.
func ciscoSysDesc(software string) string {
	return software + "\nTechnical Support: http://www.cisco.com/techsupport\n" +
		"Copyright (c) 1986-2023 by Cisco Systems, Inc.\nCompiled Fri 20-Oct-23 10:44 by mcpre"
}

// switchLLDP is what a switch announces on its uplink.
func switchLLDP(h *host, port, portDesc string) []byte {
	var d lldpdu
	d.sub(lldpChassis, chassisMAC, h.MAC[:])
	d.sub(lldpPort, portIfName, []byte(port))
	d.tlv(lldpTTL, 0, 120)
	d.text(lldpPortDesc, portDesc)
	d.text(lldpSysName, h.Name)
	d.text(lldpSysDesc, ciscoSysDesc(h.software))
	enabled := uint16(capBridge)
	if h.core {
		enabled |= capRouter
	}
	d.caps(capBridge|capRouter, enabled)
	d.mgmt(h.IP, 1)
	d.org(ouiIEEE8021, 1, 0, 1) // port VLAN id 1
	if h.core {
		for _, v := range vlans {
			if v.id == vlanServers && h.site.code != "RGH" {
				continue
			}
			b := []byte{byte(v.id >> 8), byte(v.id), byte(len(v.name))}
			d.org(ouiIEEE8021, 3, append(b, v.name...)...)
		}
	}
	return d.end()
}

// phoneLLDP is what an IP phone announces to its switch: LLDP-MED class
// III with the voice VLAN policy, power and inventory.
func phoneLLDP(h *host, cisco bool) []byte {
	var d lldpdu
	if cisco {
		a := h.IP.As4()
		d.sub(lldpChassis, chassisAddr, []byte{ianaIPv4, a[0], a[1], a[2], a[3]})
		d.sub(lldpPort, portLocal, []byte(h.Name+":P1"))
	} else {
		d.sub(lldpChassis, chassisMAC, h.MAC[:])
		d.sub(lldpPort, portMAC, h.MAC[:])
	}
	d.tlv(lldpTTL, 0, 180)
	d.text(lldpSysName, h.Name)
	maker := "Polycom"
	if cisco {
		maker = "Cisco Systems, Inc."
		d.text(lldpSysDesc, "Cisco IP Phone "+h.Model+", V1, "+h.software)
	} else {
		d.text(lldpSysDesc, "Polycom;"+h.Model+";"+h.software)
	}
	d.caps(capBridge|capTelephone, capBridge|capTelephone)
	d.mgmt(h.IP, 1)
	d.org(ouiIEEE8023, 1, 0x03, 0x6c, 0x01, 0x00, 0x10) // autoneg on, 100BASE-TX full duplex
	d.org(ouiTIA, 1, 0x00, 0x33, medClassIII)
	policy := uint32(1)<<22 | uint32(vlanVoice)<<9 | 5<<6 | 46 // tagged, priority 5, EF
	d.org(ouiTIA, 2, medAppVoice, byte(policy>>16), byte(policy>>8), byte(policy))
	d.org(ouiTIA, 4, 0x53, 0x00, 65) // a PD, powered by the switch, high priority, 6.5 W
	d.org(ouiTIA, medInvHW, []byte("1")...)
	d.org(ouiTIA, medInvFW, []byte(h.software)...)
	d.org(ouiTIA, medInvSW, []byte(h.software)...)
	d.org(ouiTIA, medInvSerial, []byte(h.Serial)...)
	d.org(ouiTIA, medInvMaker, []byte(maker)...)
	d.org(ouiTIA, medInvModel, []byte(h.Model)...)
	return d.end()
}

// CDP TLV types and capability bits.
const (
	cdpDeviceID   = 0x01
	cdpAddresses  = 0x02
	cdpPortID     = 0x03
	cdpCaps       = 0x04
	cdpSoftware   = 0x05
	cdpPlatform   = 0x06
	cdpVTPDomain  = 0x09
	cdpNativeVLAN = 0x0a
	cdpDuplex     = 0x0b
	cdpCapRouter  = 0x01
	cdpCapSwitch  = 0x08
	cdpCapHost    = 0x10
	cdpCapIGMP    = 0x20
	cdpCapPhone   = 0x80
)

// cdpPDU builds a CDP version 2 PDU.
type cdpPDU struct{ b []byte }

func newCDP() *cdpPDU { return &cdpPDU{b: []byte{2, 180, 0, 0}} }

func (p *cdpPDU) tlv(typ uint16, v []byte) {
	p.b = binary.BigEndian.AppendUint16(p.b, typ)
	p.b = binary.BigEndian.AppendUint16(p.b, uint16(4+len(v)))
	p.b = append(p.b, v...)
}

// address adds an Addresses TLV with one IPv4 address.
func (p *cdpPDU) address(ip netip.Addr) {
	a := ip.As4()
	v := []byte{0, 0, 0, 1, 1, 1, 0xcc, 0, 4, a[0], a[1], a[2], a[3]}
	p.tlv(cdpAddresses, v)
}

// frame finishes the PDU with its checksum and wraps it in 802.3, LLC and
// SNAP headers to Cisco's multicast address.
func (p *cdpPDU) frame(src [6]byte) []byte {
	binary.BigEndian.PutUint16(p.b[2:], cdpChecksum(p.b))
	b := make([]byte, 0, 22+len(p.b))
	b = append(b, macCDP[:]...)
	b = append(b, src[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(8+len(p.b)))
	b = append(b, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00)
	return append(b, p.b...)
}

// cdpChecksum is the Internet checksum as Cisco computes it for CDP: an
// odd last byte counts as the low byte of a word, less one when its top
// bit is set (the sign error of the original code, which receivers
// expect).
func cdpChecksum(b []byte) uint16 {
	n := len(b) &^ 1
	acc := sum(0, b[:n])
	if len(b)%2 == 1 {
		last := uint32(b[n])
		if last&0x80 != 0 {
			last--
		}
		acc += last
	}
	return ^fold(acc)
}

// switchCDP is a Catalyst's CDP announcement on its uplink.
func switchCDP(h *host, port string) []byte {
	p := newCDP()
	p.tlv(cdpDeviceID, []byte(h.Name+"."+trustDomain))
	p.tlv(cdpSoftware, []byte(ciscoSysDesc(h.software)))
	p.tlv(cdpPlatform, []byte(h.platform))
	p.address(h.IP)
	p.tlv(cdpPortID, []byte(port))
	caps := uint32(cdpCapSwitch | cdpCapIGMP)
	if h.core {
		caps |= cdpCapRouter
	}
	p.tlv(cdpCaps, binary.BigEndian.AppendUint32(nil, caps))
	p.tlv(cdpVTPDomain, []byte(netbiosDom))
	p.tlv(cdpNativeVLAN, []byte{0, 1})
	p.tlv(cdpDuplex, []byte{1})
	return p.frame(h.MAC)
}

// phoneCDP is a Cisco phone's CDP announcement.
func phoneCDP(h *host) []byte {
	p := newCDP()
	p.tlv(cdpDeviceID, []byte(h.Name))
	p.address(h.IP)
	p.tlv(cdpPortID, []byte("Port 1"))
	p.tlv(cdpCaps, binary.BigEndian.AppendUint32(nil, cdpCapHost|cdpCapPhone))
	p.tlv(cdpSoftware, []byte(h.software))
	p.tlv(cdpPlatform, []byte("Cisco IP Phone "+h.Model[3:]))
	p.tlv(cdpDuplex, []byte{1})
	return p.frame(h.MAC)
}
