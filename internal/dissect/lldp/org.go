package lldp

import (
	"encoding/binary"
	"strings"

	"github.com/wardhq/ward/internal/dissect"
)

// Organisationally unique identifiers of the TLV sets we decode.
var (
	ouiIEEE8021 = [3]byte{0x00, 0x80, 0xc2}
	ouiIEEE8023 = [3]byte{0x00, 0x12, 0x0f}
	ouiTIA      = [3]byte{0x00, 0x12, 0xbb} // LLDP-MED, ANSI/TIA-1057
	ouiIANA     = [3]byte{0x00, 0x00, 0x5e} // MUD URL, RFC 8520
)

// orgSpecific decodes an organisationally specific TLV: a 3-byte OUI, a
// subtype byte, then the content. Unknown OUIs and subtypes are skipped.
func (d *dissector) orgSpecific(v []byte, off int) error {
	if len(v) < 4 {
		return dissect.Errorf(Source, off, "organisational tlv too short: %d bytes", len(v))
	}
	oui, sub, body := [3]byte(v[:3]), v[3], v[4:]
	off += 4
	switch oui {
	case ouiIEEE8021:
		return d.ieee8021(sub, body, off)
	case ouiIEEE8023:
		return d.ieee8023(sub, body, off)
	case ouiTIA:
		return d.med(sub, body, off)
	case ouiIANA:
		if sub == 1 {
			d.emit(KeyMUDURL, dissect.Text(body))
		}
	}
	return nil
}

// ieee8021 decodes the IEEE 802.1 TLVs: port VLAN id (1), port and protocol
// VLAN id (2) and VLAN name (3).
func (d *dissector) ieee8021(sub byte, b []byte, off int) error {
	switch sub {
	case 1:
		if len(b) != 2 {
			return dissect.Errorf(Source, off, "port vlan id length %d, want 2", len(b))
		}
		if vid := int(binary.BigEndian.Uint16(b)); vid != 0 {
			d.emit(dissect.KeyVLAN, "pvid:"+itoa(vid))
		}
	case 2:
		if len(b) != 3 {
			return dissect.Errorf(Source, off, "port and protocol vlan id length %d, want 3", len(b))
		}
		const enabled = 0x04
		if vid := int(binary.BigEndian.Uint16(b[1:])); b[0]&enabled != 0 && vid != 0 {
			d.emit(dissect.KeyVLAN, "ppvid:"+itoa(vid))
		}
	case 3:
		if len(b) < 3 || int(b[2]) > len(b)-3 {
			return dissect.Errorf(Source, off, "vlan name tlv: bad name length")
		}
		vid := int(binary.BigEndian.Uint16(b))
		if name := dissect.Text(b[3 : 3+int(b[2])]); name != "" {
			d.emit(KeyVLANName, itoa(vid)+":"+name)
		}
	}
	return nil
}

// ieee8023 decodes the IEEE 802.3 TLVs: MAC/PHY configuration (1), power
// via MDI (2) and maximum frame size (4).
func (d *dissector) ieee8023(sub byte, b []byte, off int) error {
	switch sub {
	case 1:
		if len(b) != 5 {
			return dissect.Errorf(Source, off, "mac/phy configuration length %d, want 5", len(b))
		}
		d.emit(KeyAutoneg, autoneg(b[0]))
		d.emit(KeyMAUType, mauType(binary.BigEndian.Uint16(b[3:])))
	case 2:
		if len(b) < 3 {
			return dissect.Errorf(Source, off, "power via mdi length %d, want at least 3", len(b))
		}
		d.emit(KeyPoE, poe(b[0], b[2]))
	case 4:
		if len(b) != 2 {
			return dissect.Errorf(Source, off, "maximum frame size length %d, want 2", len(b))
		}
		d.emit(KeyMaxFrameSize, itoa(int(binary.BigEndian.Uint16(b))))
	}
	return nil
}

// autoneg names the auto-negotiation support (bit 0) and status (bit 1).
func autoneg(b byte) string {
	switch {
	case b&0x01 == 0:
		return "unsupported"
	case b&0x02 == 0:
		return "disabled"
	}
	return "enabled"
}

// mauTypes names the common dot3MauType values of RFC 4836.
var mauTypes = map[uint16]string{
	5: "10BaseT", 10: "10BaseTHD", 11: "10BaseTFD", 14: "100BaseT4",
	15: "100BaseTXHD", 16: "100BaseTXFD", 17: "100BaseFXHD", 18: "100BaseFXFD",
	21: "1000BaseXHD", 22: "1000BaseXFD", 23: "1000BaseLXHD", 24: "1000BaseLXFD",
	25: "1000BaseSXHD", 26: "1000BaseSXFD", 29: "1000BaseTHD", 30: "1000BaseTFD",
}

// mauType names an operational MAU type, or gives its number.
func mauType(t uint16) string {
	if name, ok := mauTypes[t]; ok {
		return name
	}
	return itoa(int(t))
}

// poe summarises power via MDI: the port class (bit 0 of the support byte:
// 1 PSE, 0 PD) and the power class byte (1 to 5 mean class 0 to 4).
func poe(support, class byte) string {
	role := "pd"
	if support&0x01 != 0 {
		role = "pse"
	}
	if class < 1 || class > 5 {
		return role
	}
	return role + " class " + itoa(int(class)-1)
}

// med decodes the LLDP-MED TLVs (ANSI/TIA-1057 clause 10.2).
func (d *dissector) med(sub byte, b []byte, off int) error {
	switch sub {
	case 1:
		return d.medCapabilities(b, off)
	case 2:
		return d.medPolicy(b, off)
	case 3:
		return d.medLocation(b, off)
	case 4:
		return d.medPower(b, off)
	}
	if int(sub) < len(medInventoryKeys) && medInventoryKeys[sub] != "" {
		d.emit(medInventoryKeys[sub], dissect.Text(b))
	}
	return nil
}

// medInventoryKeys maps the LLDP-MED inventory subtypes 5 to 11 to keys.
var medInventoryKeys = [...]string{
	5:  dissect.KeyHardware,
	6:  dissect.KeyFirmware,
	7:  dissect.KeySoftware,
	8:  dissect.KeySerial,
	9:  dissect.KeyManufacturer,
	10: dissect.KeyModel,
	11: KeyAssetID,
}

// medDeviceTypes names the LLDP-MED device type byte.
var medDeviceTypes = [...]string{
	1: "Endpoint Class I",
	2: "Endpoint Class II",
	3: "Endpoint Class III",
	4: "Network Connectivity",
}

// medCapabilities decodes the LLDP-MED capabilities TLV: a 16-bit
// capability mask, then the device type.
func (d *dissector) medCapabilities(b []byte, off int) error {
	if len(b) != 3 {
		return dissect.Errorf(Source, off, "lldp-med capabilities length %d, want 3", len(b))
	}
	if int(b[2]) < len(medDeviceTypes) {
		d.emit(KeyMEDDeviceType, medDeviceTypes[b[2]])
	}
	return nil
}

// medApplications names the network policy application types.
var medApplications = [...]string{
	1: "voice",
	2: "voice-signaling",
	3: "guest-voice",
	4: "guest-voice-signaling",
	5: "softphone-voice",
	6: "video-conferencing",
	7: "streaming-video",
	8: "video-signaling",
}

// medPolicy decodes a network policy TLV: application type, then 24 bits
// holding the unknown-policy flag (bit 23), tagged flag (bit 22), VLAN id
// (bits 20–9), priority and DSCP. Only known, tagged policies with a
// non-zero VLAN id are emitted, as "application:vlan".
func (d *dissector) medPolicy(b []byte, off int) error {
	if len(b) != 4 {
		return dissect.Errorf(Source, off, "lldp-med network policy length %d, want 4", len(b))
	}
	bits := uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	unknown, tagged, vid := bits&(1<<23) != 0, bits&(1<<22) != 0, int(bits>>9)&0xfff
	if unknown || !tagged || vid == 0 || int(b[0]) >= len(medApplications) {
		return nil
	}
	if app := medApplications[b[0]]; app != "" {
		d.emit(dissect.KeyVLAN, app+":"+itoa(vid))
	}
	return nil
}

// medPower decodes the extended power via MDI TLV: type, source and
// priority in one byte (type in the top two bits: 0 PSE, 1 PD), then the
// power in tenths of a watt.
func (d *dissector) medPower(b []byte, off int) error {
	if len(b) != 3 {
		return dissect.Errorf(Source, off, "lldp-med extended power length %d, want 3", len(b))
	}
	role := "pse"
	switch b[0] >> 6 {
	case 1:
		role = "pd"
	case 2, 3:
		return nil // reserved types
	}
	tenths := int(binary.BigEndian.Uint16(b[1:]))
	d.emit(KeyMEDPower, role+" "+itoa(tenths/10)+"."+itoa(tenths%10)+"W")
	return nil
}

// medLocation decodes a location identification TLV: a format byte (1
// coordinates, 2 civic address, 3 ELIN), then the data. Coordinates are
// skipped; civic addresses are summarised from place fields only.
func (d *dissector) medLocation(b []byte, off int) error {
	if len(b) < 1 {
		return dissect.Errorf(Source, off, "lldp-med location tlv empty")
	}
	switch b[0] {
	case 2:
		s, err := civic(b[1:], off+1)
		if s != "" {
			d.emit(KeyMEDLocation, "civic:"+s)
		}
		return err
	case 3:
		if elin := digits(b[1:]); elin != "" {
			d.emit(KeyMEDLocation, "elin:"+elin)
		}
	}
	return nil
}

// digits returns b when it is all ASCII digits, else "".
func digits(b []byte) string {
	for _, c := range b {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return string(b)
}

// civicFields names the civic address types (RFC 4776 clause 3.4) that
// describe a place. Others are left out on purpose: type 23 (NAM) names the
// occupant, 33 (SEAT) can single out a person's desk.
var civicFields = map[byte]string{
	1: "state", 2: "county", 3: "city", 4: "district", 6: "street",
	19: "number", 21: "landmark", 22: "location", 24: "postcode",
	25: "building", 26: "unit", 27: "floor", 28: "room", 29: "place_type",
}

// civic summarises a civic address: LCI length, "what" byte, two-letter
// country code, then CAtype/CAlength/CAvalue elements. It returns
// "country=GB; city=Leeds; floor=2", keeping the fields of civicFields.
func civic(b []byte, off int) (string, error) {
	if len(b) < 4 || int(b[0]) > len(b)-1 || b[0] < 3 {
		return "", dissect.Errorf(Source, off, "lldp-med civic address: bad lci length")
	}
	b = b[1 : 1+int(b[0])]
	parts := make([]string, 0, 4)
	if cc := dissect.Text(b[1:3]); cc != "" {
		parts = append(parts, "country="+cc)
	}
	for i := 3; i < len(b); {
		if len(b)-i < 2 || int(b[i+1]) > len(b)-i-2 {
			return strings.Join(parts, "; "), dissect.Errorf(Source, off+1+i,
				"lldp-med civic address element cut short")
		}
		typ, val := b[i], b[i+2:i+2+int(b[i+1])]
		i += 2 + len(val)
		if name := civicFields[typ]; name != "" {
			if s := dissect.Text(val); s != "" {
				parts = append(parts, name+"="+s)
			}
		}
	}
	return strings.Join(parts, "; "), nil
}
