// Package cdp dissects Cisco Discovery Protocol (versions 1 and 2) frames:
// the payload after the 802.3, LLC and SNAP headers (OUI 00-00-0c, type
// 0x2000), starting at the version byte.
//
// Every fact is about the sender (ctx.Src, known by MAC only) and has
// Source "cdp" and High confidence. Shared keys:
//
//	hostname            Device ID (1), and System Name (20) when it differs
//	management_address  each IPv4 or IPv6 address of Addresses (2) and
//	                    Management Addresses (22), once per frame; Who.IP is
//	                    set to the address so the inventory can bind it to the MAC
//	capability          "router", "bridge", "switch", "host", "igmp",
//	                    "repeater", "telephone" from Capabilities (4)
//	router              "yes" when the router capability is set
//	description         Software Version (5), the whole text on one line
//	software            the line of Software Version that holds "Version",
//	                    cut after the version number: "Cisco IOS Software,
//	                    C3560 Software (C3560-ADVIPSERVICESK9-M), Version
//	                    12.2(25)SEB4"; the first line when none does
//	model               Platform (6): "cisco WS-C3560G-24PS"
//	vlan                "native:1" (Native VLAN, 10), "voice:110" (VoIP VLAN Reply, 14)
//
// Keys of its own: port_id ("GigabitEthernet0/5", Port ID 3), vtp_domain
// ("Lab", 9), duplex ("full" or "half", 11) and location (Location, 23).
//
// The checksum is not verified and the TTL is ignored. A TLV length below 4
// or past the payload, or a TLV too short for its type, stops decoding with
// an error; facts read before it are returned.
package cdp

import (
	"encoding/binary"
	"strconv"

	"github.com/wardhq/ward/internal/dissect"
)

// Source is the Fact.Source of every fact this package emits.
const Source = "cdp"

// Keys specific to CDP, documented in the package comment.
const (
	KeyPortID    = "port_id"
	KeyVTPDomain = "vtp_domain"
	KeyDuplex    = "duplex"
	KeyLocation  = "location"
)

// TLV types.
const (
	tlvDeviceID   = 0x01
	tlvAddresses  = 0x02
	tlvPortID     = 0x03
	tlvCaps       = 0x04
	tlvSoftware   = 0x05
	tlvPlatform   = 0x06
	tlvVTPDomain  = 0x09
	tlvNativeVLAN = 0x0a
	tlvDuplex     = 0x0b
	tlvVoiceVLAN  = 0x0e
	tlvSystemName = 0x14
	tlvMgmtAddrs  = 0x16
	tlvLocation   = 0x17
)

// headerLen is the version, TTL and checksum that precede the TLVs.
const headerLen = 4

// Dissect decodes one CDP frame and appends facts about ctx.Src to out.
func Dissect(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	if len(payload) < headerLen {
		return out, dissect.Errorf(Source, 0, "header cut short: %d bytes", len(payload))
	}
	if v := payload[0]; v != 1 && v != 2 {
		return out, dissect.Errorf(Source, 0, "unsupported version %d", v)
	}
	d := dissector{who: dissect.Endpoint{MAC: ctx.Src.MAC}, out: out, first: len(out)}
	for off := headerLen; off < len(payload); {
		if len(payload)-off < 4 {
			return d.out, dissect.Errorf(Source, off, "tlv header cut short: %d bytes left", len(payload)-off)
		}
		typ := binary.BigEndian.Uint16(payload[off:])
		n := int(binary.BigEndian.Uint16(payload[off+2:]))
		if n < 4 || n > len(payload)-off {
			return d.out, dissect.Errorf(Source, off, "tlv type %#04x has bad length %d (%d bytes left)",
				typ, n, len(payload)-off)
		}
		if err := d.tlv(typ, payload[off+4:off+n], off+4); err != nil {
			return d.out, err
		}
		off += n
	}
	return d.out, nil
}

// dissector holds the state of one Dissect call.
type dissector struct {
	who   dissect.Endpoint
	out   []dissect.Fact
	first int // index in out of this frame's first fact
}

// emit appends one fact about the sender, unless value is empty.
func (d *dissector) emit(key, value string) {
	d.emitWho(d.who, key, value)
}

// emitWho appends one fact about who, unless value is empty.
func (d *dissector) emitWho(who dissect.Endpoint, key, value string) {
	if value == "" {
		return
	}
	d.out = append(d.out, dissect.Fact{
		Who: who, Source: Source, Key: key, Value: value, Confidence: dissect.High,
	})
}

// seen reports whether this frame already gave a fact with key and value.
func (d *dissector) seen(key, value string) bool {
	for _, f := range d.out[d.first:] {
		if f.Key == key && f.Value == value {
			return true
		}
	}
	return false
}

// tlv decodes one TLV whose value v starts at payload offset off.
func (d *dissector) tlv(typ uint16, v []byte, off int) error {
	switch typ {
	case tlvDeviceID:
		d.emit(dissect.KeyHostname, dissect.Text(v))
	case tlvAddresses, tlvMgmtAddrs:
		return d.addresses(v, off)
	case tlvPortID:
		d.emit(KeyPortID, dissect.Text(v))
	case tlvCaps:
		return d.capabilities(v, off)
	case tlvSoftware:
		d.emit(dissect.KeyDescription, dissect.Text(v))
		d.emit(dissect.KeySoftware, dissect.Text(versionLine(v)))
	case tlvPlatform:
		d.emit(dissect.KeyModel, dissect.Text(v))
	case tlvVTPDomain:
		d.emit(KeyVTPDomain, dissect.Text(v))
	case tlvNativeVLAN:
		return d.nativeVLAN(v, off)
	case tlvDuplex:
		return d.duplex(v, off)
	case tlvVoiceVLAN:
		return d.voiceVLAN(v, off)
	case tlvSystemName:
		if name := dissect.Text(v); !d.seen(dissect.KeyHostname, name) {
			d.emit(dissect.KeyHostname, name)
		}
	case tlvLocation:
		d.location(v)
	}
	return nil
}

// capabilities decodes the 32-bit capability mask. Both bridge kinds
// (transparent 0x02, source-route 0x04) give one "bridge" fact.
func (d *dissector) capabilities(v []byte, off int) error {
	if len(v) != 4 {
		return dissect.Errorf(Source, off, "capabilities length %d, want 4", len(v))
	}
	caps := binary.BigEndian.Uint32(v)
	for _, c := range capabilityBits {
		if caps&c.mask != 0 {
			d.emit(dissect.KeyCapability, c.name)
		}
	}
	if caps&0x01 != 0 {
		d.emit(dissect.KeyRouter, "yes")
	}
	return nil
}

// capabilityBits maps capability masks to values, in bit order.
var capabilityBits = [...]struct {
	mask uint32
	name string
}{
	{0x01, "router"}, {0x06, "bridge"}, {0x08, "switch"}, {0x10, "host"},
	{0x20, "igmp"}, {0x40, "repeater"}, {0x80, "telephone"},
}

// nativeVLAN decodes the 16-bit native VLAN id.
func (d *dissector) nativeVLAN(v []byte, off int) error {
	if len(v) != 2 {
		return dissect.Errorf(Source, off, "native vlan length %d, want 2", len(v))
	}
	d.emit(dissect.KeyVLAN, "native:"+strconv.Itoa(int(binary.BigEndian.Uint16(v))))
	return nil
}

// voiceVLAN decodes the VoIP VLAN Reply: a data byte, then the 16-bit VLAN
// id. Some senders omit the data byte.
func (d *dissector) voiceVLAN(v []byte, off int) error {
	if len(v) < 2 {
		return dissect.Errorf(Source, off, "voice vlan length %d, want at least 2", len(v))
	}
	if len(v) >= 3 {
		v = v[1:]
	}
	if vid := int(binary.BigEndian.Uint16(v)); vid != 0 {
		d.emit(dissect.KeyVLAN, "voice:"+strconv.Itoa(vid))
	}
	return nil
}

// duplex decodes the one-byte duplex mode: 1 full, 0 half.
func (d *dissector) duplex(v []byte, off int) error {
	if len(v) != 1 {
		return dissect.Errorf(Source, off, "duplex length %d, want 1", len(v))
	}
	mode := "half"
	if v[0] == 1 {
		mode = "full"
	}
	d.emit(KeyDuplex, mode)
	return nil
}

// location decodes the Location TLV: a format byte, then free text. The
// text is taken whole when the first byte is printable.
func (d *dissector) location(v []byte) {
	if len(v) > 0 && v[0] < 0x20 {
		v = v[1:]
	}
	d.emit(KeyLocation, dissect.Text(v))
}
