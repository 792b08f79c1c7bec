// Package dhcp dissects DHCPv4 with BOOTP (RFC 951, 2131, 2132) and DHCPv6
// (RFC 8415) messages, carried in UDP on ports 67/68 and 546/547.
//
// A client's messages say a lot about it: its hostname, the options it asks
// for (whose order is a well-known fingerprint of its DHCP stack), its vendor
// class and its client identifier. A server's replies name the server and
// tell the address, lease, gateway and domain it gives the client.
//
// Facts have Source "dhcp" (DHCPv4) or "dhcpv6". Besides the shared keys
// (dissect.KeyHostname, dissect.KeyFQDN and dissect.KeyRouter), they use
// the keys below. Client facts are about the client: its chaddr MAC and its
// address when it has one. Server facts are about the server. A router named
// by DHCPv4 option 3 gets a dissect.KeyRouter fact of its own.
package dhcp

import (
	"net/netip"
	"strings"

	"github.com/wardhq/ward/internal/dissect"
)

// Fact keys of this package, besides the shared ones.
const (
	// KeyRequestedIP is the address a DHCPv4 client asks for (option 50).
	KeyRequestedIP = "requested_ip"
	// KeyFingerprint is the option codes a client requests, in its order,
	// as comma-separated decimals: DHCPv4 option 55, DHCPv6 option 6.
	KeyFingerprint = "dhcp_fingerprint"
	// KeyVendorClass is the vendor class: "MSFT 5.0" for DHCPv4 option 60;
	// the enterprise number, a colon and the data for DHCPv6 option 16
	// ("311:MSFT 5.0").
	KeyVendorClass = "vendor_class"
	// KeyClientID is DHCPv4 option 61 in colon-separated hex, type first.
	KeyClientID = "client_id"
	// KeyUserClass is the user class (DHCPv4 option 77, DHCPv6 option 15),
	// several classes separated by commas.
	KeyUserClass = "user_class"
	// KeyVendorEnterprise is an IANA enterprise number in decimal, from
	// vendor-identifying options (DHCPv4 124 and 125, DHCPv6 17).
	KeyVendorEnterprise = "vendor_enterprise"
	// KeyServer is "yes" on a DHCP server.
	KeyServer = "dhcp_server"
	// KeyOfferedIP is the address a server offers the client.
	KeyOfferedIP = "offered_ip"
	// KeyAssignedIP is the address a server acknowledges to the client.
	KeyAssignedIP = "assigned_ip"
	// KeyLeaseTime is the lease in seconds, decimal (DHCPv4 option 51);
	// 4294967295 means infinite.
	KeyLeaseTime = "lease_time"
	// KeyGateway is the client's default gateway: the first router of
	// DHCPv4 option 3. (The router itself gets dissect.KeyRouter "yes".)
	KeyGateway = "gateway"
	// KeyDNSServers is the name servers given to the client, comma
	// separated (DHCPv4 option 6, DHCPv6 option 23).
	KeyDNSServers = "dns_servers"
	// KeyDomain is the domain given to the client (DHCPv4 option 15; the
	// first of DHCPv6 option 24).
	KeyDomain = "domain"
	// KeyRelay is "yes" on a relay agent (DHCPv4 giaddr, DHCPv6
	// RELAY-FORW sender).
	KeyRelay = "relay"
	// KeyDUID is a DHCP unique identifier in colon-separated hex: a
	// DHCPv6 client or server identifier, or the DUID inside a DHCPv4
	// client identifier of type 255 (RFC 4361).
	KeyDUID = "duid"
	// KeyDUIDMAC is the Ethernet address inside a DUID of type 1 (LLT) or
	// 3 (LL): the MAC of one of the device's interfaces, not necessarily
	// the one that sent the packet.
	KeyDUIDMAC = "duid_mac"
)

// maxText bounds the length of a text value taken from the wire.
const maxText = 255

// text turns option bytes into a fact value: trailing NULs and surrounding
// spaces are dropped, control characters and invalid UTF-8 become '?', and
// the result is cut to maxText bytes. It returns "" when nothing is left.
func text(b []byte) string {
	for len(b) > 0 && (b[len(b)-1] == 0 || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	if len(b) > maxText {
		b = b[:maxText]
	}
	if printable(b) {
		return string(b)
	}
	s := strings.ToValidUTF8(string(b), "?")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// printable reports whether b is printable ASCII only.
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// hexColon formats b as lower-case hex bytes separated by colons, at most
// 128 bytes of it.
func hexColon(b []byte) string {
	const digits = "0123456789abcdef"
	if len(b) > 128 {
		b = b[:128]
	}
	if len(b) == 0 {
		return ""
	}
	buf := make([]byte, 0, len(b)*3-1)
	for i, c := range b {
		if i > 0 {
			buf = append(buf, ':')
		}
		buf = append(buf, digits[c>>4], digits[c&0xf])
	}
	return string(buf)
}

// wireName decodes a domain name in DNS wire format without compression
// (RFC 1035 section 3.1, as RFC 4702 and RFC 4704 use it). A name that lacks
// the closing root label is a partial name; it is returned as far as it
// goes. ok is false when a label overruns the input or is too long.
func wireName(b []byte) (name string, ok bool) {
	var buf [maxText]byte
	n := 0
	for i := 0; i < len(b); {
		l := int(b[i])
		if l == 0 {
			break
		}
		if l > 63 || i+1+l > len(b) || n+1+l > len(buf) {
			return text(buf[:n]), false
		}
		if n > 0 {
			buf[n] = '.'
			n++
		}
		n += copy(buf[n:], b[i+1:i+1+l])
		i += 1 + l
	}
	return text(buf[:n]), true
}

// duidMAC returns the Ethernet address inside a DUID-LLT or DUID-LL.
func duidMAC(duid []byte) (dissect.MAC, bool) {
	var mac dissect.MAC
	if len(duid) < 4 || be16(duid[2:]) != 1 { // hardware type 1: Ethernet
		return mac, false
	}
	var ll []byte
	switch be16(duid) {
	case 1: // LLT: type, hardware type, time, address
		if len(duid) >= 8 {
			ll = duid[8:]
		}
	case 3: // LL: type, hardware type, address
		ll = duid[4:]
	}
	if len(ll) != 6 {
		return mac, false
	}
	copy(mac[:], ll)
	return mac, !mac.IsZero()
}

// appendDUID appends the duid and duid_mac facts of a DUID.
func appendDUID(out []dissect.Fact, who dissect.Endpoint, src string,
	duid []byte) []dissect.Fact {
	if len(duid) == 0 {
		return out
	}
	out = append(out, fact(who, src, KeyDUID, hexColon(duid), dissect.High))
	if mac, ok := duidMAC(duid); ok {
		out = append(out, fact(who, src, KeyDUIDMAC, mac.String(), dissect.High))
	}
	return out
}

func fact(who dissect.Endpoint, src, key, value string,
	c dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: src, Key: key, Value: value, Confidence: c}
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// usable reports whether ip can name a device: valid, not unspecified,
// not multicast or broadcast.
func usable(ip netip.Addr) bool {
	return ip.IsValid() && !ip.IsUnspecified() && !ip.IsMulticast() &&
		ip != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}
