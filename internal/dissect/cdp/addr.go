package cdp

import (
	"bytes"
	"encoding/binary"
	"net/netip"

	"github.com/wardhq/ward/internal/dissect"
)

// Protocol fields of an address entry.
const (
	protoNLPID = 1    // protocol is one NLPID byte
	proto8022  = 2    // protocol is an 802.2 LLC/SNAP header
	nlpidIPv4  = 0xcc // NLPID of IPv4
)

// snapIPv6 is the 802.2 protocol field of an IPv6 address entry.
var snapIPv6 = []byte{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd}

// addresses decodes an Addresses or Management Addresses TLV: a 32-bit
// count, then entries of protocol type (1 byte), protocol length (1),
// protocol, address length (2) and address. IPv4 and IPv6 addresses are
// emitted once per frame; the unspecified address is skipped.
func (d *dissector) addresses(v []byte, off int) error {
	if len(v) < 4 {
		return dissect.Errorf(Source, off, "address count cut short")
	}
	count := binary.BigEndian.Uint32(v)
	for i, p := uint32(0), 4; i < count; i++ {
		if len(v)-p < 2 || int(v[p+1]) > len(v)-p-4 {
			return dissect.Errorf(Source, off+p, "address %d cut short", i+1)
		}
		ptype, proto := v[p], v[p+2:p+2+int(v[p+1])]
		p += 2 + len(proto)
		alen := int(binary.BigEndian.Uint16(v[p:]))
		if alen > len(v)-p-2 {
			return dissect.Errorf(Source, off+p, "address %d length %d exceeds the tlv", i+1, alen)
		}
		d.address(ptype, proto, v[p+2:p+2+alen])
		p += 2 + alen
	}
	return nil
}

// address emits one address entry when it is IPv4 or IPv6.
func (d *dissector) address(ptype byte, proto, a []byte) {
	var addr netip.Addr
	switch {
	case ptype == protoNLPID && len(proto) == 1 && proto[0] == nlpidIPv4 && len(a) == 4:
		addr = netip.AddrFrom4([4]byte(a))
	case ptype == proto8022 && bytes.Equal(proto, snapIPv6) && len(a) == 16:
		addr = netip.AddrFrom16([16]byte(a))
	default:
		return
	}
	if addr.IsUnspecified() {
		return
	}
	s := addr.String()
	if !d.seen(dissect.KeyMgmtAddress, s) {
		d.emitWho(dissect.Endpoint{MAC: d.who.MAC, IP: addr}, dissect.KeyMgmtAddress, s)
	}
}

// versionLine picks from a Software Version text the line that holds
// "Version " (or "version "), cut after the version number, which ends at
// the next comma, space or line end. Without such a word it returns the
// first non-empty line.
func versionLine(v []byte) []byte {
	i := bytes.Index(v, []byte("Version "))
	if i < 0 {
		i = bytes.Index(v, []byte("version "))
	}
	if i < 0 {
		return firstLine(v)
	}
	start := bytes.LastIndexByte(v[:i], '\n') + 1
	end := i + len("Version ")
	for end < len(v) && v[end] != ',' && v[end] != ' ' && v[end] != '\n' && v[end] != '\r' {
		end++
	}
	return v[start:end]
}

// firstLine returns the first line of v that is not blank.
func firstLine(v []byte) []byte {
	for len(v) > 0 {
		line, rest, _ := bytes.Cut(v, []byte("\n"))
		if len(bytes.TrimSpace(line)) > 0 {
			return line
		}
		v = rest
	}
	return nil
}
