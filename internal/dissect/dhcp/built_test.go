package dhcp

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// v4msg describes a hand-built DHCPv4 message.
type v4msg struct {
	op                     byte
	htype, hlen            byte // 1 and 6 when both are zero
	chaddr                 string
	ciaddr, yiaddr, giaddr string
	sname, file            []byte
	opts                   []byte // after the magic cookie
	cookie                 uint32 // the DHCP cookie when zero
	noVendor               bool   // end after the file field
}

func (m v4msg) bytes() []byte {
	b := make([]byte, offCookie, offCookie+4+len(m.opts))
	b[0], b[1], b[2] = m.op, m.htype, m.hlen
	if m.htype == 0 && m.hlen == 0 {
		b[1], b[2] = 1, 6
	}
	put4 := func(off int, s string) {
		if s != "" {
			a := netip.MustParseAddr(s).As4()
			copy(b[off:], a[:])
		}
	}
	put4(offCiaddr, m.ciaddr)
	put4(offYiaddr, m.yiaddr)
	put4(offGiaddr, m.giaddr)
	if m.chaddr != "" {
		mac := dissecttest.Endpoint(m.chaddr, "").MAC
		copy(b[offChaddr:], mac[:])
	}
	copy(b[offSname:offSname+lenSname], m.sname)
	copy(b[offFile:offFile+lenFile], m.file)
	if m.noVendor {
		return b
	}
	cookie := m.cookie
	if cookie == 0 {
		cookie = 0x63825363
	}
	b = binary.BigEndian.AppendUint32(b, cookie)
	return append(b, m.opts...)
}

// opt4 encodes one DHCPv4 option.
func opt4(code byte, v ...byte) []byte { return append([]byte{code, byte(len(v))}, v...) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func str(s string) []byte { return []byte(s) }

var (
	discover = opt4(53, typeDiscover)
	request  = opt4(53, typeRequest)
	ack      = opt4(53, typeAck)
	end      = []byte{255}
)

func TestDissectV4Built(t *testing.T) {
	const mac = "00:11:22:33:44:55"
	bcast := testCtx(mac, "0.0.0.0", "ff:ff:ff:ff:ff:ff", "255.255.255.255")
	runCases(t, []dissectCase{
		{
			name: "overload file holds options", fn: DissectV4, ctx: bcast,
			payload: v4msg{op: 1, chaddr: mac,
				file:  cat(opt4(12, str("infusion-7")...), end),
				sname: cat(opt4(60, str("ignored")...), end), // not overloaded
				opts:  cat(discover, opt4(52, 1), end)}.bytes(),
			want: []dissect.Fact{f4(mac, "", "hostname", "infusion-7", dissect.High)},
		},
		{
			name: "fqdn in wire format", fn: DissectV4, ctx: bcast,
			payload: v4msg{op: 1, chaddr: mac, opts: cat(request,
				opt4(81, cat([]byte{0x05, 0, 0}, str("\x04pump\x04ward\x03nhs\x02uk\x00"))...),
				end)}.bytes(),
			want: []dissect.Fact{f4(mac, "", "fqdn", "pump.ward.nhs.uk", dissect.High)},
		},
		{
			name: "fqdn in ascii with trailing dot", fn: DissectV4, ctx: bcast,
			payload: v4msg{op: 1, chaddr: mac, opts: cat(request,
				opt4(81, cat([]byte{0x01, 0xff, 0xff}, str("pump.ward.nhs.uk."))...), end)}.bytes(),
			want: []dissect.Fact{f4(mac, "", "fqdn", "pump.ward.nhs.uk", dissect.High)},
		},
		{
			name: "fqdn with a label overrunning", fn: DissectV4, ctx: bcast,
			payload: v4msg{op: 1, chaddr: mac, opts: cat(request,
				opt4(81, cat([]byte{0x04, 0, 0}, str("\x04pump\x09ward"))...), end)}.bytes(),
			want: []dissect.Fact{f4(mac, "", "fqdn", "pump", dissect.High)},
		},
		{
			name: "rfc 4361 client identifier", fn: DissectV4, ctx: bcast,
			payload: v4msg{op: 1, chaddr: mac, opts: cat(discover,
				opt4(61, 0xff, 0, 0, 0, 1, 0, 3, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff),
				end)}.bytes(),
			want: []dissect.Fact{
				f4(mac, "", "client_id", "ff:00:00:00:01:00:03:00:01:aa:bb:cc:dd:ee:ff", dissect.High),
				f4(mac, "", "duid", "00:03:00:01:aa:bb:cc:dd:ee:ff", dissect.High),
				f4(mac, "", "duid_mac", "aa:bb:cc:dd:ee:ff", dissect.High),
			},
		},
		{
			name: "vendor-identifying options", fn: DissectV4, ctx: bcast,
			payload: v4msg{op: 1, chaddr: mac, opts: cat(discover,
				opt4(124, 0, 0, 0x01, 0x37, 3, 2, 'a', 'b'),
				opt4(125, 0, 0, 0x0d, 0xe9, 0, 0, 0, 0, 9, 9), // second entry cut short
				end)}.bytes(),
			want: []dissect.Fact{
				f4(mac, "", "vendor_enterprise", "311", dissect.Medium),
				f4(mac, "", "vendor_enterprise", "3561", dissect.Medium),
				f4(mac, "", "vendor_enterprise", "9", dissect.Medium),
			},
		},
		{
			name: "bare user class and untidy hostname", fn: DissectV4, ctx: bcast,
			payload: v4msg{op: 1, chaddr: mac, opts: cat(discover,
				opt4(12, str(" pump\x01-7\x00\x00")...),
				opt4(77, str("MSFT-Corp")...), end)}.bytes(),
			want: []dissect.Fact{
				f4(mac, "", "hostname", "pump?-7", dissect.High),
				f4(mac, "", "user_class", "MSFT-Corp", dissect.Medium),
			},
		},
		{
			name: "relayed discover does not use the relay's address", fn: DissectV4,
			ctx: testCtx("02:00:00:00:00:01", "10.1.0.1", "02:00:00:00:00:02", "10.9.0.5"),
			payload: v4msg{op: 1, chaddr: mac, giaddr: "10.1.0.1",
				opts: cat(discover, opt4(12, str("monitor")...), end)}.bytes(),
			want: []dissect.Fact{
				f4(mac, "", "hostname", "monitor", dissect.High),
				f4("02:00:00:00:00:01", "10.1.0.1", "relay", "yes", dissect.Medium),
			},
		},
		{
			name: "non-ethernet chaddr falls back to the sender", fn: DissectV4,
			ctx: testCtx(mac, "192.0.2.7", "", "192.0.2.1"),
			payload: v4msg{op: 1, htype: 6, hlen: 6, chaddr: "aa:aa:aa:aa:aa:aa",
				opts: cat(request, opt4(12, str("scanner")...), end)}.bytes(),
			want: []dissect.Fact{f4(mac, "192.0.2.7", "hostname", "scanner", dissect.High)},
		},
		{
			name: "lease query is not about its sender", fn: DissectV4, ctx: bcast,
			payload: v4msg{op: 1, chaddr: mac,
				opts: cat(opt4(53, 10), opt4(12, str("x")...), end)}.bytes(),
		},
		{
			name: "reply relayed to the client names the server by its identifier",
			fn:   DissectV4,
			ctx:  testCtx("02:00:00:00:00:01", "10.1.0.1", mac, "10.1.0.50"),
			payload: v4msg{op: 2, chaddr: mac, yiaddr: "10.1.0.50", giaddr: "10.1.0.1",
				opts: cat(ack, opt4(54, 10, 9, 0, 5), opt4(3, 10, 1, 0, 1, 10, 1, 0, 2),
					end)}.bytes(),
			want: []dissect.Fact{
				f4("", "10.9.0.5", "dhcp_server", "yes", dissect.High),
				f4(mac, "10.1.0.50", "assigned_ip", "10.1.0.50", dissect.High),
				f4(mac, "10.1.0.50", "gateway", "10.1.0.1", dissect.Medium),
				f4("", "10.1.0.1", "router", "yes", dissect.Medium),
				f4("02:00:00:00:00:01", "10.1.0.1", "relay", "yes", dissect.Medium),
			},
		},
		{
			name: "ack to an inform", fn: DissectV4,
			ctx: testCtx("02:00:00:00:00:09", "10.0.0.1", mac, "10.0.0.8"),
			payload: v4msg{op: 2, chaddr: mac, ciaddr: "10.0.0.8",
				opts: cat(ack, opt4(15, str("ward.nhs.uk")...), end)}.bytes(),
			want: []dissect.Fact{
				f4("02:00:00:00:00:09", "10.0.0.1", "dhcp_server", "yes", dissect.High),
				f4(mac, "10.0.0.8", "domain", "ward.nhs.uk", dissect.Medium),
			},
		},
		{
			name: "bootp reply without vendor area", fn: DissectV4,
			ctx:     testCtx("02:00:00:00:00:09", "10.0.0.1", mac, "10.0.0.8"),
			payload: v4msg{op: 2, chaddr: mac, yiaddr: "10.0.0.8", noVendor: true}.bytes(),
			want: []dissect.Fact{
				f4("02:00:00:00:00:09", "10.0.0.1", "dhcp_server", "yes", dissect.High),
				f4(mac, "10.0.0.8", "assigned_ip", "10.0.0.8", dissect.High),
			},
		},
		{
			name: "bootp reply with an empty vendor area", fn: DissectV4,
			ctx: testCtx("02:00:00:00:00:09", "10.0.0.1", mac, "10.0.0.8"),
			payload: append(v4msg{op: 2, chaddr: mac, yiaddr: "10.0.0.8",
				noVendor: true}.bytes(), make([]byte, 64)...),
			want: []dissect.Fact{
				f4("02:00:00:00:00:09", "10.0.0.1", "dhcp_server", "yes", dissect.High),
				f4(mac, "10.0.0.8", "assigned_ip", "10.0.0.8", dissect.High),
			},
		},
	})
}

func TestDissectV4Malformed(t *testing.T) {
	const mac = "00:11:22:33:44:55"
	ctx := testCtx(mac, "0.0.0.0", "", "255.255.255.255")
	good := v4msg{op: 1, chaddr: mac, opts: cat(discover, opt4(12, str("pump")...), end)}.bytes()
	runCases(t, []dissectCase{
		{name: "empty", fn: DissectV4, ctx: ctx, payload: []byte{}, wantErr: true},
		{name: "header cut short", fn: DissectV4, ctx: ctx, payload: good[:100], wantErr: true},
		{name: "cookie cut short", fn: DissectV4, ctx: ctx, payload: good[:238], wantErr: true},
		{
			name: "bad op", fn: DissectV4, ctx: ctx, wantErr: true,
			payload: v4msg{op: 3, chaddr: mac, opts: end}.bytes(),
		},
		{
			name: "hardware length over 16", fn: DissectV4, ctx: ctx, wantErr: true,
			payload: v4msg{op: 1, htype: 1, hlen: 17, opts: end}.bytes(),
		},
		{
			name: "foreign cookie", fn: DissectV4, ctx: ctx, wantErr: true,
			payload: v4msg{op: 1, chaddr: mac, cookie: 0x01020304, opts: end}.bytes(),
		},
		{
			name: "option overruns, earlier facts kept", fn: DissectV4, ctx: ctx, wantErr: true,
			payload: v4msg{op: 1, chaddr: mac,
				opts: cat(discover, opt4(12, str("pump")...), []byte{60, 40, 'x'})}.bytes(),
			want: []dissect.Fact{f4(mac, "", "hostname", "pump", dissect.High)},
		},
		{
			name: "option without length byte", fn: DissectV4, ctx: ctx, wantErr: true,
			payload: v4msg{op: 1, chaddr: mac, opts: cat(discover, []byte{12})}.bytes(),
		},
		{
			name: "overloaded field damaged", fn: DissectV4, ctx: ctx, wantErr: true,
			payload: v4msg{op: 1, chaddr: mac, file: []byte{12, 200},
				opts: cat(discover, opt4(52, 3), end)}.bytes(),
		},
		{
			name: "missing end option is tolerated", fn: DissectV4, ctx: ctx,
			payload: v4msg{op: 1, chaddr: mac, opts: cat(discover, opt4(12, str("pump")...))}.bytes(),
			want:    []dissect.Fact{f4(mac, "", "hostname", "pump", dissect.High)},
		},
	})
}

// opt6 encodes one DHCPv6 option.
func opt6(code uint16, v ...byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, code)
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

// msg6 builds a client/server DHCPv6 message with transaction id 0x010203.
func msg6(typ byte, opts ...[]byte) []byte {
	return append([]byte{typ, 1, 2, 3}, cat(opts...)...)
}

// relayForw wraps inner in a RELAY-FORW from a relay whose client is peer.
func relayForw(typ byte, peer string, inner []byte) []byte {
	b := make([]byte, lenRelay6)
	b[0] = typ
	p := netip.MustParseAddr(peer).As16()
	copy(b[18:], p[:])
	return append(b, opt6(opt6RelayMsg, inner...)...)
}

// iaAddr builds an IAADDR option with the given valid lifetime.
func iaAddr(ip string, valid uint32) []byte {
	a := netip.MustParseAddr(ip).As16()
	v := append(a[:], 0, 0, 0, 1)
	return opt6(opt6IAAddr, binary.BigEndian.AppendUint32(v, valid)...)
}

func TestDissectV6Built(t *testing.T) {
	const (
		cmac = "00:01:02:03:04:05"
		cip  = "fe80::201:2ff:fe03:405"
		smac = "00:11:22:33:44:55"
		sip  = "fe80::211:22ff:fe33:4455"
	)
	fromClient := testCtx(cmac, cip, "33:33:00:01:00:02", "ff02::1:2")
	fromServer := testCtx(smac, sip, cmac, cip)
	solicit := msg6(type6Solicit, opt6(opt6FQDN, cat([]byte{0}, str("\x04pump\x03nhs\x02uk\x00"))...))
	nest := func(n int) []byte {
		b := solicit
		for range n {
			b = relayForw(type6RelayForw, "fe80::1", b)
		}
		return b
	}
	runCases(t, []dissectCase{
		{
			name: "fqdn with root label", fn: DissectV6, ctx: fromClient, payload: solicit,
			want: []dissect.Fact{f6(cmac, cip, "fqdn", "pump.nhs.uk", dissect.High)},
		},
		{
			name: "two relays", fn: DissectV6, ctx: fromClient, payload: nest(2),
			want: []dissect.Fact{
				f6(cmac, cip, "relay", "yes", dissect.Medium),
				f6("", "fe80::1", "fqdn", "pump.nhs.uk", dissect.High),
			},
		},
		{
			name: "relays nested too deep", fn: DissectV6, ctx: fromClient, payload: nest(9),
			want:    []dissect.Fact{f6(cmac, cip, "relay", "yes", dissect.Medium)},
			wantErr: true,
		},
		{
			name: "reply through a relay", fn: DissectV6, ctx: fromServer,
			payload: relayForw(type6RelayRepl, "fe80::99", msg6(type6Reply,
				opt6(opt6IANA, cat(make([]byte, 12), iaAddr("2001:db8::5", 3600))...))),
			want: []dissect.Fact{
				f6(smac, sip, "dhcp_server", "yes", dissect.High),
				f6("", "fe80::99", "assigned_ip", "2001:db8::5", dissect.High),
			},
		},
		{
			name: "expired and temporary addresses, dns and domain", fn: DissectV6,
			ctx: fromServer,
			payload: msg6(type6Reply,
				opt6(opt6IANA, cat(make([]byte, 12), iaAddr("2001:db8::5", 0))...),
				opt6(opt6IATA, cat(make([]byte, 4), iaAddr("2001:db8::6", 60))...),
				opt6(opt6DNSServers, cat(ip16("2001:db8::53"), ip16("2001:db8::54"))...),
				opt6(opt6DomainList, str("\x04ward\x03nhs\x02uk\x00\x03org\x00")...)),
			want: []dissect.Fact{
				f6(smac, sip, "dhcp_server", "yes", dissect.High),
				f6(cmac, cip, "assigned_ip", "2001:db8::6", dissect.High),
				f6(cmac, cip, "dns_servers", "2001:db8::53,2001:db8::54", dissect.Medium),
				f6(cmac, cip, "domain", "ward.nhs.uk", dissect.Medium),
			},
		},
		{
			name: "vendor class with two strings", fn: DissectV6, ctx: fromClient,
			payload: msg6(type6InfoReq, opt6(opt6VendorClass,
				0, 0, 0x01, 0x37, 0, 4, 'M', 'S', 'F', 'T', 0, 3, '5', '.', '0')),
			want: []dissect.Fact{f6(cmac, cip, "vendor_class", "311:MSFT,5.0", dissect.High)},
		},
	})
}

func ip16(s string) []byte {
	a := netip.MustParseAddr(s).As16()
	return a[:]
}

func TestDissectV6Malformed(t *testing.T) {
	ctx := testCtx("00:01:02:03:04:05", "fe80::1", "", "ff02::1:2")
	runCases(t, []dissectCase{
		{name: "empty", fn: DissectV6, ctx: ctx, payload: []byte{}, wantErr: true},
		{name: "header cut short", fn: DissectV6, ctx: ctx, payload: []byte{1, 0}, wantErr: true},
		{name: "unknown type", fn: DissectV6, ctx: ctx, payload: msg6(99), wantErr: true},
		{
			name: "relay header cut short", fn: DissectV6, ctx: ctx, wantErr: true,
			payload: relayForw(type6RelayForw, "fe80::1", nil)[:20],
		},
		{
			name: "relay without its message", fn: DissectV6, ctx: ctx, wantErr: true,
			payload: relayForw(type6RelayForw, "fe80::1", nil)[:lenRelay6],
			want: []dissect.Fact{
				f6("00:01:02:03:04:05", "fe80::1", "relay", "yes", dissect.Medium),
			},
		},
		{
			name: "option overruns, earlier facts kept", fn: DissectV6, ctx: ctx, wantErr: true,
			payload: msg6(type6Solicit, opt6(opt6ORO, 0, 23), []byte{0, 16, 0, 50, 1}),
			want: []dissect.Fact{
				f6("00:01:02:03:04:05", "fe80::1", "dhcp_fingerprint", "23", dissect.High),
			},
		},
		{
			name: "option header cut short", fn: DissectV6, ctx: ctx, wantErr: true,
			payload: msg6(type6Solicit, []byte{0, 1, 0}),
		},
		{
			name: "short vendor class and duid", fn: DissectV6, ctx: ctx,
			payload: msg6(type6Solicit, opt6(opt6VendorClass, 0, 0), opt6(opt6ClientID, 0, 1, 0)),
			want: []dissect.Fact{
				f6("00:01:02:03:04:05", "fe80::1", "duid", "00:01:00", dissect.High),
			},
		},
	})
}

// TestCorpusNoPanic runs every saved payload, cut at every length,
// through both dissectors.
func TestCorpusNoPanic(t *testing.T) {
	ctx := testCtx("00:01:02:03:04:05", "10.0.0.1", "", "255.255.255.255")
	for _, tc := range realCases() {
		p := dissecttest.Hex(t, "testdata/"+tc.name+".hex")
		for n := range len(p) + 1 {
			checkFacts(t, DissectV4, ctx, p[:n])
			checkFacts(t, DissectV6, ctx, p[:n])
		}
	}
}

// checkFacts runs fn and checks the invariants every fact must keep.
func checkFacts(tb testing.TB, fn dissect.DatagramFunc, ctx *dissect.Context, p []byte) {
	tb.Helper()
	facts, _ := fn(ctx, p, nil)
	dissecttest.CheckFacts(tb, facts, "dhcp", "dhcpv6")
	for _, f := range facts {
		if f.Who.MAC.IsZero() && !f.Who.IP.IsValid() {
			tb.Fatalf("fact %v is about no one, from %x", f, p)
		}
	}
}
