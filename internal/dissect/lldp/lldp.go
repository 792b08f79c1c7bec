// Package lldp dissects IEEE 802.1AB Link Layer Discovery Protocol frames,
// including the IEEE 802.1 and 802.3 organisational TLVs, the TIA LLDP-MED
// extensions (ANSI/TIA-1057) and the MUD URL TLV (RFC 8520).
//
// Every fact is about the sender (ctx.Src, known by MAC only) and has
// Source "lldp". Shared keys: dissect.KeyHostname (system name),
// dissect.KeyDescription (system description, left whole for the
// fingerprint package to parse), dissect.KeyCapability and dissect.KeyRouter
// (enabled capabilities), dissect.KeyMgmtAddress, dissect.KeyVLAN ("pvid:10",
// "ppvid:20", "voice:110"), and from the LLDP-MED inventory TLVs
// dissect.KeyHardware, KeyFirmware, KeySoftware, KeySerial,
// KeyManufacturer and KeyModel.
//
// Keys of its own:
//
//	chassis_id        "00:19:2f:a7:b2:8d", an IP address, or the printable string
//	port_id           "Fa0/13", "00:23:54:c2:57:02"
//	port_description  "GigabitEthernet0/13"
//	vlan_name         "10:Clinical" (VLAN id, colon, name)
//	autoneg           "enabled", "disabled" or "unsupported"
//	mau_type          "100BaseTXFD", or the RFC 4836 number when not in the table
//	poe               "pse class 0", "pd class 3" (802.3 power via MDI)
//	max_frame_size    "1522"
//	med_device_type   "Endpoint Class III", "Network Connectivity"
//	med_location      "elin:4405551234" or "civic:country=GB; city=Leeds; floor=2"
//	med_power         "pd 6.5W" (LLDP-MED extended power via MDI)
//	asset_id          LLDP-MED asset identifier
//	mud_url           "https://example.com/.well-known/mud/v1/device"
//
// The management-address fact carries the address in Who.IP as well as in
// its Value, so the inventory can bind the sender's MAC to that IP; no
// separate binding fact is emitted. The Time To Live TLV is ignored.
//
// An LLDPDU must begin with the Chassis ID, Port ID and Time To Live TLVs,
// in that order; the optional TLVs that follow are read in any order until
// the End TLV or the end of the payload (trailing Ethernet padding after the
// End TLV is ignored). A TLV whose
// length runs past the payload, or whose content is too short for its type,
// stops decoding with an error; facts read before it are returned.
package lldp

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"github.com/wardhq/ward/internal/dissect"
)

// Source is the Fact.Source of every fact this package emits.
const Source = "lldp"

// Keys specific to LLDP, documented in the package comment.
const (
	KeyChassisID       = "chassis_id"
	KeyPortID          = "port_id"
	KeyPortDescription = "port_description"
	KeyVLANName        = "vlan_name"
	KeyAutoneg         = "autoneg"
	KeyMAUType         = "mau_type"
	KeyPoE             = "poe"
	KeyMaxFrameSize    = "max_frame_size"
	KeyMEDDeviceType   = "med_device_type"
	KeyMEDLocation     = "med_location"
	KeyMEDPower        = "med_power"
	KeyAssetID         = "asset_id"
	KeyMUDURL          = "mud_url"
)

// Basic TLV types (IEEE 802.1AB clause 8.4).
const (
	tlvEnd         = 0
	tlvChassisID   = 1
	tlvPortID      = 2
	tlvTTL         = 3
	tlvPortDesc    = 4
	tlvSystemName  = 5
	tlvSystemDesc  = 6
	tlvSystemCaps  = 7
	tlvMgmtAddress = 8
	tlvOrgSpecific = 127
)

// mandatory lists the types the first three TLVs of an LLDPDU must have.
var mandatory = [...]int{tlvChassisID, tlvPortID, tlvTTL}

// Dissect decodes one LLDPDU (the payload after an Ethernet header with
// EtherType 0x88cc) and appends facts about ctx.Src to out.
func Dissect(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	d := dissector{who: dissect.Endpoint{MAC: ctx.Src.MAC}, out: out}
	off := 0
	for i := 0; off < len(payload); i++ {
		if len(payload)-off < 2 {
			return d.out, dissect.Errorf(Source, off, "tlv header cut short: %d byte left", len(payload)-off)
		}
		hdr := binary.BigEndian.Uint16(payload[off:])
		typ, n := int(hdr>>9), int(hdr&0x1ff)
		if typ == tlvEnd {
			return d.out, nil
		}
		if i < len(mandatory) && typ != mandatory[i] {
			return d.out, dissect.Errorf(Source, off, "tlv %d has type %d, want %d", i+1, typ, mandatory[i])
		}
		start := off + 2
		if n > len(payload)-start {
			return d.out, dissect.Errorf(Source, off,
				"tlv type %d length %d exceeds the %d bytes left", typ, n, len(payload)-start)
		}
		if err := d.tlv(typ, payload[start:start+n], start); err != nil {
			return d.out, err
		}
		off = start + n
	}
	return d.out, nil
}

// dissector holds the state of one Dissect call.
type dissector struct {
	who dissect.Endpoint
	out []dissect.Fact
}

// emit appends one High-confidence fact about the sender.
func (d *dissector) emit(key, value string) {
	d.emitWho(d.who, key, value)
}

// emitWho appends one High-confidence fact about who.
func (d *dissector) emitWho(who dissect.Endpoint, key, value string) {
	if value == "" {
		return
	}
	d.out = append(d.out, dissect.Fact{
		Who: who, Source: Source, Key: key, Value: value, Confidence: dissect.High,
	})
}

// tlv decodes one basic TLV whose value v starts at payload offset off.
func (d *dissector) tlv(typ int, v []byte, off int) error {
	switch typ {
	case tlvChassisID:
		return d.chassisID(v, off)
	case tlvPortID:
		return d.portID(v, off)
	case tlvPortDesc:
		d.emit(KeyPortDescription, dissect.Text(v))
	case tlvSystemName:
		d.emit(dissect.KeyHostname, dissect.Text(v))
	case tlvSystemDesc:
		d.emit(dissect.KeyDescription, dissect.Text(v))
	case tlvSystemCaps:
		return d.capabilities(v, off)
	case tlvMgmtAddress:
		return d.mgmtAddress(v, off)
	case tlvOrgSpecific:
		return d.orgSpecific(v, off)
	}
	return nil // TTL and reserved types carry nothing we keep
}

// chassisID decodes the Chassis ID TLV: a subtype byte, then the id.
func (d *dissector) chassisID(v []byte, off int) error {
	if len(v) < 2 {
		return dissect.Errorf(Source, off, "chassis id tlv too short: %d bytes", len(v))
	}
	var s string
	switch v[0] {
	case 4: // MAC address
		s = macOrHex(v[1:])
	case 5: // network address: IANA address family, then the address
		s = networkAddress(v[1:])
	default: // chassis component, interface alias/name, port component, local
		s = textOrHex(v[1:])
	}
	d.emit(KeyChassisID, s)
	return nil
}

// portID decodes the Port ID TLV, whose subtype numbers differ from the
// chassis id's.
func (d *dissector) portID(v []byte, off int) error {
	if len(v) < 2 {
		return dissect.Errorf(Source, off, "port id tlv too short: %d bytes", len(v))
	}
	var s string
	switch v[0] {
	case 3: // MAC address
		s = macOrHex(v[1:])
	case 4: // network address
		s = networkAddress(v[1:])
	case 6: // agent circuit id (RFC 3046): binary
		s = hexString(v[1:])
	default: // interface alias, port component, interface name, local
		s = textOrHex(v[1:])
	}
	d.emit(KeyPortID, s)
	return nil
}

// capabilityNames indexes the system capability bits (bit 0 first).
var capabilityNames = [...]string{
	"other", "repeater", "bridge", "wlan-ap", "router", "telephone",
	"docsis", "station", "c-vlan", "s-vlan", "tpmr",
}

// capabilities decodes the System Capabilities TLV: two 16-bit masks, the
// supported and the enabled capabilities. Only enabled ones are emitted.
func (d *dissector) capabilities(v []byte, off int) error {
	if len(v) != 4 {
		return dissect.Errorf(Source, off, "system capabilities tlv length %d, want 4", len(v))
	}
	enabled := binary.BigEndian.Uint16(v[2:])
	for bit, name := range capabilityNames {
		if enabled&(1<<bit) != 0 {
			d.emit(dissect.KeyCapability, name)
		}
	}
	if enabled&(1<<4) != 0 {
		d.emit(dissect.KeyRouter, "yes")
	}
	return nil
}

// mgmtAddress decodes the Management Address TLV: address string length
// (subtype byte included), subtype, address, then interface numbering and
// an OID that we skip. IPv4 and IPv6 addresses are emitted.
func (d *dissector) mgmtAddress(v []byte, off int) error {
	if len(v) < 1 || int(v[0]) < 2 || int(v[0]) > len(v)-1 {
		return dissect.Errorf(Source, off, "management address tlv: bad address length")
	}
	addr, ok := ipFromFamily(v[1], v[2:1+int(v[0])])
	if !ok || addr.IsUnspecified() {
		return nil
	}
	d.emitWho(dissect.Endpoint{MAC: d.who.MAC, IP: addr}, dissect.KeyMgmtAddress, addr.String())
	return nil
}

// ipFromFamily converts an address of IANA address family fam (1 IPv4,
// 2 IPv6) to a netip.Addr.
func ipFromFamily(fam byte, b []byte) (netip.Addr, bool) {
	switch {
	case fam == 1 && len(b) == 4:
		return netip.AddrFrom4([4]byte(b)), true
	case fam == 2 && len(b) == 16:
		return netip.AddrFrom16([16]byte(b)), true
	}
	return netip.Addr{}, false
}

// networkAddress formats a network-address id: an IP when the family is
// IPv4 or IPv6, else hex.
func networkAddress(b []byte) string {
	if len(b) > 0 {
		if addr, ok := ipFromFamily(b[0], b[1:]); ok {
			return addr.String()
		}
	}
	return hexString(b)
}

// macOrHex formats a 6-byte MAC address, or any other length as hex.
func macOrHex(b []byte) string {
	if len(b) == 6 {
		return dissect.MAC(b).String()
	}
	return hexString(b)
}

// textOrHex formats b as text when it is mostly printable, else as hex.
func textOrHex(b []byte) string {
	if printable(b) {
		return dissect.Text(b)
	}
	return hexString(b)
}

// printable reports whether b holds no control bytes other than NUL padding.
func printable(b []byte) bool {
	for _, c := range b {
		if c != 0 && (c < 0x20 || c == 0x7f) {
			return false
		}
	}
	return true
}

// hexString formats b as lower-case hex without separators.
func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	s := make([]byte, 2*len(b))
	for i, c := range b {
		s[2*i], s[2*i+1] = digits[c>>4], digits[c&0xf]
	}
	return string(s)
}

// itoa formats a non-negative integer.
func itoa(n int) string { return strconv.Itoa(n) }
