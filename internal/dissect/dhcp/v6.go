package dhcp

import (
	"net/netip"
	"strconv"

	"github.com/wardhq/ward/internal/dissect"
)

const proto6 = "dhcpv6"

// DHCPv6 message types (RFC 8415 section 7.3).
const (
	type6Solicit   = 1
	type6Advertise = 2
	type6Request   = 3
	type6Confirm   = 4
	type6Renew     = 5
	type6Rebind    = 6
	type6Reply     = 7
	type6Release   = 8
	type6Decline   = 9
	type6Reconf    = 10
	type6InfoReq   = 11
	type6RelayForw = 12
	type6RelayRepl = 13
)

// DHCPv6 option codes this package reads.
const (
	opt6ClientID    = 1
	opt6ServerID    = 2
	opt6IANA        = 3
	opt6IATA        = 4
	opt6IAAddr      = 5
	opt6ORO         = 6
	opt6RelayMsg    = 9
	opt6UserClass   = 15
	opt6VendorClass = 16
	opt6VendorOpts  = 17
	opt6DNSServers  = 23
	opt6DomainList  = 24
	opt6FQDN        = 39
)

// maxRelayDepth bounds the nesting of relay messages (RFC 8415's
// HOP_COUNT_LIMIT).
const maxRelayDepth = 8

// relay6 and client6 header lengths: type, hop count, link and peer
// addresses; type and transaction id.
const (
	lenRelay6  = 34
	lenClient6 = 4
)

// opts6 walks DHCPv6 options: a 2-byte code, a 2-byte length, the value.
type opts6 struct {
	b    []byte
	i    int
	base int // offset of b in the payload, for errors
	err  error
}

// next returns the next option; ok is false at the end or on damage, which
// sets err.
func (it *opts6) next() (code uint16, v []byte, ok bool) {
	if it.i >= len(it.b) || it.err != nil {
		return 0, nil, false
	}
	if len(it.b)-it.i < 4 {
		it.err = dissect.Errorf(proto6, it.base+it.i, "option header cut short after %d bytes",
			len(it.b)-it.i)
		return 0, nil, false
	}
	code, n := be16(it.b[it.i:]), int(be16(it.b[it.i+2:]))
	start := it.i + 4
	if start+n > len(it.b) {
		it.err = dissect.Errorf(proto6, it.base+it.i,
			"option %d of length %d overruns the message by %d bytes", code, n, start+n-len(it.b))
		return 0, nil, false
	}
	it.i = start + n
	return code, it.b[start : start+n], true
}

// find returns the value of the first option code in b.
func find6(b []byte, base int, code uint16) ([]byte, error) {
	it := opts6{b: b, base: base}
	for {
		c, v, ok := it.next()
		if !ok {
			return nil, it.err
		}
		if c == code {
			return v, nil
		}
	}
}

// DissectV6 dissects a DHCPv6 message, the payload of a UDP datagram to or
// from port 546 or 547. Relay messages are unwrapped to the message they
// carry.
func DissectV6(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact,
	error) {
	return dissect6(ctx, payload, 0, 0, netip.Addr{}, out)
}

// dissect6 dissects message b found at offset base of the payload, within
// depth relay messages; peer is the innermost relay's peer address.
func dissect6(ctx *dissect.Context, b []byte, base, depth int, peer netip.Addr,
	out []dissect.Fact) ([]dissect.Fact, error) {
	if len(b) < 1 {
		return out, dissect.Errorf(proto6, base, "empty message")
	}
	switch t := b[0]; t {
	case type6RelayForw, type6RelayRepl:
		return relay6(ctx, b, base, depth, out)
	case type6Solicit, type6Request, type6Confirm, type6Renew, type6Rebind,
		type6Release, type6Decline, type6InfoReq:
		who := ctx.Src
		if depth > 0 {
			who = dissect.Endpoint{IP: peer}
		}
		return client6(who, b, base, out)
	case type6Advertise, type6Reply, type6Reconf:
		return server6(ctx, b, base, depth, peer, out)
	default:
		return out, dissect.Errorf(proto6, base, "unknown message type %d", t)
	}
}

// relay6 unwraps a RELAY-FORW or RELAY-REPL message.
func relay6(ctx *dissect.Context, b []byte, base, depth int,
	out []dissect.Fact) ([]dissect.Fact, error) {
	if len(b) < lenRelay6 {
		return out, dissect.Errorf(proto6, base,
			"relay message of %d bytes is shorter than its %d-byte header", len(b), lenRelay6)
	}
	if depth >= maxRelayDepth {
		return out, dissect.Errorf(proto6, base, "relay messages nested deeper than %d", maxRelayDepth)
	}
	if b[0] == type6RelayForw && depth == 0 && (usable(ctx.Src.IP) || !ctx.Src.MAC.IsZero()) {
		out = append(out, fact(ctx.Src, proto6, KeyRelay, "yes", dissect.Medium))
	}
	peer := netip.AddrFrom16([16]byte(b[18:34]))
	inner, err := find6(b[lenRelay6:], base+lenRelay6, opt6RelayMsg)
	if inner == nil {
		if err == nil {
			err = dissect.Errorf(proto6, base, "relay message without a relay-message option")
		}
		return out, err
	}
	out, ierr := dissect6(ctx, inner, offsetOf(b, inner, base), depth+1, peer, out)
	if ierr != nil {
		return out, ierr
	}
	return out, err
}

// offsetOf returns the offset in the payload of sub, a subslice of b,
// which is at offset base.
func offsetOf(b, sub []byte, base int) int {
	return base + cap(b) - cap(sub)
}

// client6 appends what a client's message says about the client.
func client6(who dissect.Endpoint, b []byte, base int,
	out []dissect.Fact) ([]dissect.Fact, error) {
	if len(b) < lenClient6 {
		return out, dissect.Errorf(proto6, base, "message of %d bytes is shorter than its %d-byte header",
			len(b), lenClient6)
	}
	if who.MAC.IsZero() && !usable(who.IP) {
		return out, nil
	}
	it := opts6{b: b[lenClient6:], base: base + lenClient6}
	for code, v, ok := it.next(); ok; code, v, ok = it.next() {
		switch code {
		case opt6ClientID:
			out = appendDUID(out, who, proto6, v)
		case opt6ORO:
			if s := codeList16(v); s != "" {
				out = append(out, fact(who, proto6, KeyFingerprint, s, dissect.High))
			}
		case opt6VendorClass:
			out = appendVendorClass6(out, who, v)
		case opt6UserClass:
			out = appendUserClass6(out, who, v)
		case opt6VendorOpts:
			if len(v) >= 4 {
				ent := strconv.FormatUint(uint64(be32(v)), 10)
				out = append(out, fact(who, proto6, KeyVendorEnterprise, ent, dissect.Medium))
			}
		case opt6FQDN:
			if len(v) > 1 {
				if name, _ := wireName(v[1:]); name != "" {
					out = append(out, fact(who, proto6, dissect.KeyFQDN, name, dissect.High))
				}
			}
		}
	}
	return out, it.err
}

// server6 appends what a server's message says about the server and the
// client it is addressed to.
func server6(ctx *dissect.Context, b []byte, base, depth int, peer netip.Addr,
	out []dissect.Fact) ([]dissect.Fact, error) {
	if len(b) < lenClient6 {
		return out, dissect.Errorf(proto6, base, "message of %d bytes is shorter than its %d-byte header",
			len(b), lenClient6)
	}
	// Only the sender of a direct reply, or of the relay reply wrapping it,
	// is the server; deeper, the sender is a relay.
	server, known := ctx.Src, depth <= 1
	client := ctx.Dst
	if depth > 0 {
		client = dissect.Endpoint{IP: peer}
	}
	if !usable(client.IP) {
		client.IP = netip.Addr{}
	}
	key := KeyAssignedIP
	if b[0] == type6Advertise {
		key = KeyOfferedIP
	}
	if known {
		out = append(out, fact(server, proto6, KeyServer, "yes", dissect.High))
	}
	it := opts6{b: b[lenClient6:], base: base + lenClient6}
	for code, v, ok := it.next(); ok; code, v, ok = it.next() {
		switch code {
		case opt6ServerID:
			if known {
				out = appendDUID(out, server, proto6, v)
			}
		case opt6IANA, opt6IATA:
			if b[0] != type6Reconf && (!client.MAC.IsZero() || client.IP.IsValid()) {
				out = appendIAAddrs(out, client, key, code, v)
			}
		case opt6DNSServers:
			if s := addrList6(v); s != "" && client.IP.IsValid() {
				out = append(out, fact(client, proto6, KeyDNSServers, s, dissect.Medium))
			}
		case opt6DomainList:
			if name, _ := wireName(v); name != "" && client.IP.IsValid() {
				out = append(out, fact(client, proto6, KeyDomain, name, dissect.Medium))
			}
		}
	}
	return out, it.err
}

// appendIAAddrs appends the addresses in an IA_NA (IAID, T1, T2, options)
// or IA_TA (IAID, options) whose valid lifetime is not zero.
func appendIAAddrs(out []dissect.Fact, client dissect.Endpoint, key string, code uint16,
	v []byte) []dissect.Fact {
	skip := 12
	if code == opt6IATA {
		skip = 4
	}
	if len(v) < skip {
		return out
	}
	it := opts6{b: v[skip:]}
	for c, a, ok := it.next(); ok; c, a, ok = it.next() {
		if c != opt6IAAddr || len(a) < 24 || be32(a[20:]) == 0 {
			continue
		}
		ip := netip.AddrFrom16([16]byte(a[:16]))
		if usable(ip) {
			out = append(out, fact(client, proto6, key, ip.String(), dissect.High))
		}
	}
	return out
}

// appendVendorClass6 appends option 16: an enterprise number and a list of
// opaque strings, each after a 2-byte length. The value is the number, a
// colon and the strings joined by commas.
func appendVendorClass6(out []dissect.Fact, who dissect.Endpoint, v []byte) []dissect.Fact {
	if len(v) < 4 {
		return out
	}
	var buf [maxText + 11]byte
	b := strconv.AppendUint(buf[:0], uint64(be32(v)), 10)
	b = append(b, ':')
	b = appendStrings16(b, v[4:])
	return append(out, fact(who, proto6, KeyVendorClass, text(b), dissect.High))
}

// appendUserClass6 appends option 15: opaque strings, each after a 2-byte
// length.
func appendUserClass6(out []dissect.Fact, who dissect.Endpoint, v []byte) []dissect.Fact {
	var buf [maxText]byte
	b := appendStrings16(buf[:0], v)
	return appendText(out, who, proto6, KeyUserClass, b, dissect.Medium)
}

// appendStrings16 appends the strings of a list in which each has a 2-byte
// length before it, separated by commas, stopping at damage.
func appendStrings16(b, v []byte) []byte {
	for i, first := 0, true; i+2 <= len(v); first = false {
		n := int(be16(v[i:]))
		if i+2+n > len(v) {
			break
		}
		if !first {
			b = append(b, ',')
		}
		b = append(b, v[i+2:i+2+n]...)
		i += 2 + n
	}
	return b
}

// codeList16 formats 2-byte option codes as comma-separated decimals.
func codeList16(v []byte) string {
	var buf [6 * 128]byte
	b := buf[:0]
	for i := 0; i+2 <= len(v); i += 2 {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(be16(v[i:])), 10)
	}
	return string(b)
}

// addrList6 formats a list of IPv6 addresses, comma separated, at most 8.
func addrList6(v []byte) string {
	var buf [40 * 8]byte
	b := buf[:0]
	for i := 0; i+16 <= len(v) && i < 16*8; i += 16 {
		if i > 0 {
			b = append(b, ',')
		}
		b = netip.AddrFrom16([16]byte(v[i : i+16])).AppendTo(b)
	}
	return string(b)
}
