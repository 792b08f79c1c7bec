package dhcp

import (
	"net/netip"
	"strconv"

	"github.com/wardhq/ward/internal/dissect"
)

const proto4 = "dhcp"

// Offsets in the fixed BOOTP header (RFC 951, RFC 2131 section 2).
const (
	offCiaddr  = 12
	offYiaddr  = 16
	offGiaddr  = 24
	offChaddr  = 28
	offSname   = 44
	offFile    = 108
	offCookie  = 236
	offOptions = 240
	lenSname   = 64
	lenFile    = 128
)

// DHCPv4 message types (option 53; RFC 2132, RFC 4388).
const (
	typeBOOTP    = 0 // no option 53: plain BOOTP
	typeDiscover = 1
	typeOffer    = 2
	typeRequest  = 3
	typeDecline  = 4
	typeAck      = 5
	typeRelease  = 7
	typeInform   = 8
)

// options4 holds the DHCPv4 options this package reads. Each slice aliases
// the payload; a nil slice means the option was absent. Only the first
// instance of an option is kept: the concatenation of split options
// (RFC 3396) is not done.
type options4 struct {
	msgType, overload byte

	hostname, requested, prl, vendorClass, clientID, fqdn, userClass []byte
	vivc, vivso                                                      []byte
	serverID, lease, routers, dns, domain                            []byte
}

// msg4 is a DHCPv4 message as far as this package reads it.
type msg4 struct {
	op, htype, hlen        byte
	ciaddr, yiaddr, giaddr netip.Addr // zero when 0.0.0.0
	chaddr                 dissect.MAC
	opts                   options4
}

// DissectV4 dissects a BOOTP or DHCPv4 message, the payload of a UDP
// datagram to or from port 67 or 68.
func DissectV4(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact,
	error) {
	var m msg4
	ok, err := m.parse(payload)
	if !ok {
		return out, err
	}
	if m.op == 1 {
		out = m.clientFacts(ctx, out)
	} else {
		out = m.serverFacts(ctx, out)
	}
	if m.giaddr.IsValid() {
		relay := dissect.Endpoint{IP: m.giaddr}
		if ctx.Src.IP == m.giaddr {
			relay.MAC = ctx.Src.MAC
		}
		out = append(out, fact(relay, proto4, KeyRelay, "yes", dissect.Medium))
	}
	return out, err
}

// parse reads the header and the options. ok is false when the header is
// unusable; err may be set with ok true when the options are damaged.
func (m *msg4) parse(b []byte) (ok bool, err error) {
	if len(b) < offCookie {
		return false, dissect.Errorf(proto4, len(b),
			"message of %d bytes is shorter than the %d-byte bootp header", len(b), offCookie)
	}
	m.op, m.htype, m.hlen = b[0], b[1], b[2]
	if m.op != 1 && m.op != 2 {
		return false, dissect.Errorf(proto4, 0, "op %d is neither request (1) nor reply (2)", m.op)
	}
	if m.hlen > 16 {
		return false, dissect.Errorf(proto4, 2, "hardware address length %d exceeds 16", m.hlen)
	}
	if m.htype == 1 && m.hlen == 6 {
		copy(m.chaddr[:], b[offChaddr:offChaddr+6])
	}
	m.ciaddr = addr4(b[offCiaddr:])
	m.yiaddr = addr4(b[offYiaddr:])
	m.giaddr = addr4(b[offGiaddr:])
	return m.parseVendor(b)
}

// parseVendor checks the magic cookie and reads the options, including
// those overloaded into the file and sname fields (option 52).
func (m *msg4) parseVendor(b []byte) (bool, error) {
	if len(b) == offCookie {
		return true, nil // BOOTP without a vendor area
	}
	if len(b) < offOptions {
		return false, dissect.Errorf(proto4, offCookie, "magic cookie cut short after %d bytes",
			len(b)-offCookie)
	}
	switch c := be32(b[offCookie:]); c {
	case 0x63825363:
	case 0:
		if allZero(b[offCookie:]) {
			return true, nil // BOOTP with an empty vendor area
		}
		return false, dissect.Errorf(proto4, offCookie, "zero magic cookie followed by data")
	default:
		return false, dissect.Errorf(proto4, offCookie, "magic cookie %#08x is not dhcp's", c)
	}
	if err := m.opts.parse(b[offOptions:], offOptions); err != nil {
		return true, err
	}
	if m.opts.overload&1 != 0 {
		if err := m.opts.parse(b[offFile:offFile+lenFile], offFile); err != nil {
			return true, err
		}
	}
	if m.opts.overload&2 != 0 {
		if err := m.opts.parse(b[offSname:offSname+lenSname], offSname); err != nil {
			return true, err
		}
	}
	return true, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// parse reads the options in b, found at offset base of the payload, up to
// the end option or the end of b.
func (o *options4) parse(b []byte, base int) error {
	for i := 0; i < len(b); {
		code := b[i]
		if code == 0 { // pad
			i++
			continue
		}
		if code == 255 { // end
			return nil
		}
		if i+1 >= len(b) {
			return dissect.Errorf(proto4, base+i, "option %d has no length byte", code)
		}
		n := int(b[i+1])
		if i+2+n > len(b) {
			return dissect.Errorf(proto4, base+i, "option %d of length %d overruns its field by %d bytes",
				code, n, i+2+n-len(b))
		}
		o.set(code, b[i+2:i+2+n])
		i += 2 + n
	}
	return nil
}

// set records the value v of option code, the first time it is seen.
func (o *options4) set(code byte, v []byte) {
	var p *[]byte
	switch code {
	case 53:
		if len(v) == 1 && o.msgType == 0 {
			o.msgType = v[0]
		}
		return
	case 52:
		if len(v) == 1 && o.overload == 0 {
			o.overload = v[0]
		}
		return
	case 3:
		p = &o.routers
	case 6:
		p = &o.dns
	case 12:
		p = &o.hostname
	case 15:
		p = &o.domain
	case 50:
		p = &o.requested
	case 51:
		p = &o.lease
	case 54:
		p = &o.serverID
	case 55:
		p = &o.prl
	case 60:
		p = &o.vendorClass
	case 61:
		p = &o.clientID
	case 77:
		p = &o.userClass
	case 81:
		p = &o.fqdn
	case 124:
		p = &o.vivc
	case 125:
		p = &o.vivso
	default:
		return
	}
	if *p == nil {
		*p = v
	}
}

// isClientType reports whether a request of this type comes from the client
// itself (not, say, a lease query from an access concentrator).
func isClientType(t byte) bool {
	switch t {
	case typeBOOTP, typeDiscover, typeRequest, typeDecline, typeRelease, typeInform:
		return true
	}
	return false
}

// clientWho is the client of a request: chaddr when it is an Ethernet
// address, ciaddr or else the source address. A relayed request's source
// is the relay, not the client, so it is not used then.
func (m *msg4) clientWho(ctx *dissect.Context) dissect.Endpoint {
	who := dissect.Endpoint{MAC: m.chaddr}
	relayed := m.giaddr.IsValid()
	if who.MAC.IsZero() && !relayed {
		who.MAC = ctx.Src.MAC
	}
	switch {
	case m.ciaddr.IsValid():
		who.IP = m.ciaddr
	case !relayed && usable(ctx.Src.IP):
		who.IP = ctx.Src.IP
	}
	return who
}

// clientFacts appends what a client's request says about the client.
func (m *msg4) clientFacts(ctx *dissect.Context, out []dissect.Fact) []dissect.Fact {
	o := &m.opts
	if !isClientType(o.msgType) {
		return out
	}
	who := m.clientWho(ctx)
	if who.MAC.IsZero() && !who.IP.IsValid() {
		return out
	}
	out = appendText(out, who, proto4, dissect.KeyHostname, o.hostname, dissect.High)
	if ip := addr4(o.requested); ip.IsValid() && len(o.requested) == 4 {
		out = append(out, fact(who, proto4, KeyRequestedIP, ip.String(), dissect.Medium))
	}
	if len(o.prl) > 0 {
		out = append(out, fact(who, proto4, KeyFingerprint, codeList(o.prl), dissect.High))
	}
	out = appendText(out, who, proto4, KeyVendorClass, o.vendorClass, dissect.High)
	out = appendClientID(out, who, o.clientID)
	out = appendUserClass4(out, who, o.userClass)
	if name := fqdn4(o.fqdn); name != "" {
		out = append(out, fact(who, proto4, dissect.KeyFQDN, name, dissect.High))
	}
	out = appendEnterprises(out, who, o.vivc)
	out = appendEnterprises(out, who, o.vivso)
	return out
}

// serverWho is the server of a reply: the sender, unless the server
// identifier names another address (the reply came through a relay) or
// the sender's address is unknown.
func (m *msg4) serverWho(ctx *dissect.Context) (dissect.Endpoint, bool) {
	sid := addr4(m.opts.serverID)
	if len(m.opts.serverID) != 4 {
		sid = netip.Addr{}
	}
	switch {
	case sid.IsValid() && sid != ctx.Src.IP:
		return dissect.Endpoint{IP: sid}, true
	case m.giaddr.IsValid() && ctx.Src.IP == m.giaddr:
		return dissect.Endpoint{}, false // the relay sent it; the server is unknown
	}
	return ctx.Src, !ctx.Src.MAC.IsZero() || usable(ctx.Src.IP)
}

// serverFacts appends what a server's reply says about the server, about
// the client and about the client's gateway.
func (m *msg4) serverFacts(ctx *dissect.Context, out []dissect.Fact) []dissect.Fact {
	if who, ok := m.serverWho(ctx); ok {
		out = append(out, fact(who, proto4, KeyServer, "yes", dissect.High))
	}
	t := m.opts.msgType
	if t != typeOffer && t != typeAck && t != typeBOOTP {
		return out
	}
	client := dissect.Endpoint{MAC: m.chaddr, IP: m.yiaddr}
	if !client.IP.IsValid() {
		client.IP = m.ciaddr // an ACK to an INFORM
	}
	if client.MAC.IsZero() && !client.IP.IsValid() {
		return out
	}
	if m.yiaddr.IsValid() {
		key, c := KeyAssignedIP, dissect.High
		if t == typeOffer {
			key, c = KeyOfferedIP, dissect.Medium
		}
		out = append(out, fact(client, proto4, key, m.yiaddr.String(), c))
	}
	return m.leaseFacts(client, out)
}

// leaseFacts appends the configuration a server gives a client.
func (m *msg4) leaseFacts(client dissect.Endpoint, out []dissect.Fact) []dissect.Fact {
	o := &m.opts
	if len(o.lease) == 4 {
		v := strconv.FormatUint(uint64(be32(o.lease)), 10)
		out = append(out, fact(client, proto4, KeyLeaseTime, v, dissect.Medium))
	}
	if len(o.routers) >= 4 {
		if gw := addr4(o.routers); gw.IsValid() {
			out = append(out, fact(client, proto4, KeyGateway, gw.String(), dissect.Medium),
				fact(dissect.Endpoint{IP: gw}, proto4, dissect.KeyRouter, "yes", dissect.Medium))
		}
	}
	if s := addrList4(o.dns); s != "" {
		out = append(out, fact(client, proto4, KeyDNSServers, s, dissect.Medium))
	}
	return appendText(out, client, proto4, KeyDomain, o.domain, dissect.Medium)
}

// appendText appends a text fact when v holds some text.
func appendText(out []dissect.Fact, who dissect.Endpoint, src, key string, v []byte,
	c dissect.Confidence) []dissect.Fact {
	if s := text(v); s != "" {
		out = append(out, fact(who, src, key, s, c))
	}
	return out
}

// appendClientID appends option 61 and, for an RFC 4361 identifier (type
// 255: IAID then DUID), the DUID in it.
func appendClientID(out []dissect.Fact, who dissect.Endpoint, id []byte) []dissect.Fact {
	if len(id) < 2 {
		return out
	}
	out = append(out, fact(who, proto4, KeyClientID, hexColon(id), dissect.High))
	if id[0] == 255 && len(id) > 5 {
		out = appendDUID(out, who, proto4, id[5:])
	}
	return out
}

// appendUserClass4 appends option 77. RFC 3004 makes it a list of classes,
// each with a length byte before it; some clients send one bare string
// instead, which is taken as it is when the list does not parse.
func appendUserClass4(out []dissect.Fact, who dissect.Endpoint, v []byte) []dissect.Fact {
	var buf [maxText]byte
	b := buf[:0]
	for i := 0; i < len(v); {
		n := int(v[i])
		if n == 0 || i+1+n > len(v) || !printable(v[i+1:i+1+n]) {
			return appendText(out, who, proto4, KeyUserClass, v, dissect.Medium)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, v[i+1:i+1+n]...)
		i += 1 + n
	}
	return appendText(out, who, proto4, KeyUserClass, b, dissect.Medium)
}

// appendEnterprises appends the enterprise numbers of option 124 or 125:
// each entry is a 4-byte enterprise number, a length byte and data.
func appendEnterprises(out []dissect.Fact, who dissect.Endpoint, v []byte) []dissect.Fact {
	for len(v) >= 5 {
		n := int(v[4])
		ent := strconv.FormatUint(uint64(be32(v)), 10)
		out = append(out, fact(who, proto4, KeyVendorEnterprise, ent, dissect.Medium))
		if 5+n > len(v) {
			break
		}
		v = v[5+n:]
	}
	return out
}

// fqdn4 decodes option 81 (RFC 4702): flags, two obsolete rcode bytes,
// then the name, in DNS wire format when the E flag is set and in ASCII
// otherwise.
func fqdn4(v []byte) string {
	if len(v) < 4 {
		return ""
	}
	const flagE = 0x04
	if v[0]&flagE == 0 {
		return trimDot(text(v[3:]))
	}
	name, _ := wireName(v[3:])
	return name
}

// trimDot drops the trailing dot of a fully qualified name.
func trimDot(s string) string {
	if len(s) > 1 && s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}

// codeList formats option codes, one byte each, as comma-separated
// decimals.
func codeList(v []byte) string {
	var buf [4 * 256]byte
	b := buf[:0]
	for i, c := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(c), 10)
	}
	return string(b)
}

// addrList4 formats a list of IPv4 addresses, comma separated.
func addrList4(v []byte) string {
	var buf [16 * 64]byte
	b := buf[:0]
	for i := 0; i+4 <= len(v) && i < 4*64; i += 4 {
		if i > 0 {
			b = append(b, ',')
		}
		b = netip.AddrFrom4([4]byte(v[i : i+4])).AppendTo(b)
	}
	return string(b)
}

// addr4 reads an IPv4 address from the first 4 bytes of b; 0.0.0.0 and a
// short b give the zero Addr.
func addr4(b []byte) netip.Addr {
	if len(b) < 4 {
		return netip.Addr{}
	}
	a := [4]byte(b[:4])
	if a == [4]byte{} {
		return netip.Addr{}
	}
	return netip.AddrFrom4(a)
}
