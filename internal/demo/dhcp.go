package demo

import (
	"encoding/binary"
	"net/netip"
)

// DHCPv4 message types (RFC 2132 option 53).
const (
	dhcpDiscover = 1
	dhcpOffer    = 2
	dhcpRequest  = 3
	dhcpAck      = 5
)

// DHCP option codes used here.
const (
	optMask        = 1
	optRouter      = 3
	optDNS         = 6
	optHostname    = 12
	optDomain      = 15
	optRequested   = 50
	optLease       = 51
	optType        = 53
	optServerID    = 54
	optParams      = 55
	optRenewal     = 58
	optRebinding   = 59
	optVendorClass = 60
	optClientID    = 61
	optFQDN        = 81
)

// dhcpMsg is a BOOTP/DHCPv4 message to encode (RFC 2131).
type dhcpMsg struct {
	op                     byte // 1 request, 2 reply
	xid                    uint32
	ciaddr, yiaddr, giaddr netip.Addr
	chaddr                 [6]byte
	opts                   []byte // options, without the end option
}

// encode returns the message: the fixed header, the magic cookie, the
// options and the end option, padded to BOOTP's 300 bytes.
func (m *dhcpMsg) encode() []byte {
	b := make([]byte, 236, 300+len(m.opts))
	b[0], b[1], b[2] = m.op, 1, 6 // Ethernet, 6-byte addresses
	binary.BigEndian.PutUint32(b[4:], m.xid)
	put4(b[12:], m.ciaddr)
	put4(b[16:], m.yiaddr)
	put4(b[24:], m.giaddr)
	copy(b[28:], m.chaddr[:])
	b = binary.BigEndian.AppendUint32(b, 0x63825363)
	b = append(b, m.opts...)
	b = append(b, 255)
	for len(b) < 300 {
		b = append(b, 0)
	}
	return b
}

// put4 writes an IPv4 address; the zero Addr is 0.0.0.0.
func put4(b []byte, ip netip.Addr) {
	if ip.IsValid() {
		a := ip.As4()
		copy(b, a[:])
	}
}

// opt appends one option.
func opt(b []byte, code byte, v ...byte) []byte {
	b = append(b, code, byte(len(v)))
	return append(b, v...)
}

func optString(b []byte, code byte, s string) []byte { return opt(b, code, []byte(s)...) }

func optAddr(b []byte, code byte, ips ...netip.Addr) []byte {
	v := make([]byte, 0, 4*len(ips))
	for _, ip := range ips {
		a := ip.As4()
		v = append(v, a[:]...)
	}
	return opt(b, code, v...)
}

func optU32(b []byte, code byte, n uint32) []byte {
	return opt(b, code, binary.BigEndian.AppendUint32(nil, n)...)
}

// dhcpClient is how a kind of client fills in its requests.
type dhcpClient struct {
	params      []byte // option 55, in the client's order
	vendorClass string // option 60; "" for none
	hostname    bool   // sends option 12
	fqdn        bool   // sends option 81 with its domain name
}

// Windows 10 and 11 ask for a sorted list (the list Ward's rules know).
var (
	dhcpWindows = dhcpClient{
		params:      []byte{1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252},
		vendorClass: "MSFT 5.0", hostname: true, fqdn: true,
	}
	dhcpEmbedded = dhcpClient{params: []byte{1, 3, 6, 15, 28, 51, 58, 59}, hostname: true}
)

// request builds a client's DISCOVER or REQUEST. A REQUEST names the
// offered address and the server that offered it.
func (c dhcpClient) request(typ byte, xid uint32, h *host, server netip.Addr) []byte {
	o := opt(nil, optType, typ)
	o = opt(o, optClientID, append([]byte{1}, h.MAC[:]...)...)
	if typ == dhcpRequest {
		o = optAddr(o, optRequested, h.IP)
		o = optAddr(o, optServerID, server)
	}
	if c.hostname {
		o = optString(o, optHostname, h.Name)
	}
	if c.fqdn {
		o = opt(o, optFQDN, append([]byte{0, 0, 0}, h.Name+"."+trustDomain...)...)
	}
	if c.vendorClass != "" {
		o = optString(o, optVendorClass, c.vendorClass)
	}
	o = opt(o, optParams, c.params...)
	m := dhcpMsg{op: 1, xid: xid, chaddr: h.MAC, opts: o}
	return m.encode()
}

// reply builds the server's OFFER or ACK as its relay, the client's
// gateway, forwards it: giaddr is the gateway, option 54 the server.
func reply(typ byte, xid uint32, h *host, gw, server netip.Addr) []byte {
	const lease = 8 * 24 * 3600 // the Windows DHCP server's default, seconds
	o := opt(nil, optType, typ)
	o = optU32(o, optRenewal, lease/2)
	o = optU32(o, optRebinding, lease*7/8)
	o = optU32(o, optLease, lease)
	o = optAddr(o, optServerID, server)
	o = opt(o, optMask, 255, 255, 255, 0)
	o = optAddr(o, optRouter, gw)
	o = optAddr(o, optDNS, server)
	o = optString(o, optDomain, trustDomain)
	m := dhcpMsg{op: 2, xid: xid, yiaddr: h.IP, giaddr: gw, chaddr: h.MAC, opts: o}
	return m.encode()
}
