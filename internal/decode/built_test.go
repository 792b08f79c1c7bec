package decode

import (
	"encoding/binary"
	"testing"
)

// Builders for hand-made frames: link types and conditions the corpus
// lacks. Addresses come from the documentation ranges.

var (
	testSrcMAC = "02:00:00:00:00:01"
	testDstMAC = "02:00:00:00:00:02"
)

// ethHdr is an Ethernet II header from testSrcMAC to testDstMAC.
func ethHdr(et uint16) []byte {
	return binary.BigEndian.AppendUint16(unhex("020000000002 020000000001"), et)
}

// v4 is an IPv4 header (no options, TTL 64, 192.0.2.1 to 192.0.2.2) in
// front of l4.
func v4(proto byte, l4 []byte) []byte {
	h := unhex("4500 0000 0001 0000 4000 0000 c0000201 c0000202")
	h[9] = proto
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(l4)))
	return cat(h, l4)
}

// v6 is an IPv6 header (hop limit 64, 2001:db8::1 to 2001:db8::2) with
// next header nh in front of rest.
func v6(nh byte, rest []byte) []byte {
	h := unhex(`6000 0000 0000 0040
		20010db8000000000000000000000001 20010db8000000000000000000000002`)
	h[6] = nh
	binary.BigEndian.PutUint16(h[4:], uint16(len(rest)))
	return cat(h, rest)
}

// ext is an IPv6 extension header of n bytes (a multiple of 8) whose next
// header is nh.
func ext(nh byte, n int) []byte {
	h := make([]byte, n)
	h[0], h[1] = nh, byte(n/8-1)
	return h
}

// tcpSYN is a 20-byte TCP SYN from port 1234 to 80, seq 1, window 1024.
func tcpSYN() []byte { return unhex("04d2 0050 00000001 00000000 5002 0400 0000 0000") }

// udpDgram is a UDP header (53 to 53) with its length field set to n, then
// data.
func udpDgram(n uint16, data []byte) []byte {
	return cat(unhex("0035 0035"), binary.BigEndian.AppendUint16(nil, n), unhex("0000"), data)
}

// wantTCP6 fills the expectation of v6(…, tcpSYN()) after the link layer.
func wantTCP6(p *Packet, plen int) {
	ipv6(p, "2001:db8::1", "2001:db8::2", 64, ProtoTCP, plen)
	tcp(p, 1234, 80, 1, 0, TCPSyn, 1024)
}

func TestDecodeBuilt(t *testing.T) {
	frames := readFrames(t)
	ipv4Seg := frameByName(t, frames, "ipv4_tcp").data
	stpLLC := frameByName(t, frames, "eth_8023_stp").data[14:]
	vlan2 := frameByName(t, frames, "eth_vlan2").data
	withType := func(et uint16) []byte {
		b := cat(vlan2)
		binary.BigEndian.PutUint16(b[12:], et)
		return b
	}
	wantV4 := func(p *Packet) {
		ipv4(p, "192.168.1.100", "192.168.1.200", 64, ProtoTCP, 40)
		tcp(p, 40010, 80, 1000, 0, TCPSyn, 8192)
	}
	wantVLAN2 := func(p *Packet) {
		eth(p, "c8:bc:c8:96:d2:a0", "00:10:db:88:d2:ef", EtherTypeIPv4)
		vlans(p, 10, 20)
		ipv4(p, "141.142.228.5", "192.150.187.43", 64, ProtoTCP, 64)
		tcp(p, 59856, 80, 4263588410, 0, TCPSyn, 65535)
	}
	tcp6 := tcpSYN()

	tests := []struct {
		name    string
		lt      LinkType
		frame   []byte
		wantErr error
		want    func(p *Packet)
		lens    lens
	}{
		{"loop ipv4 big-endian", LinkLoop, cat(unhex("00000002"), ipv4Seg), nil, func(p *Packet) {
			p.EtherType = EtherTypeIPv4
			wantV4(p)
		}, lens{40, 20, 0}},
		{"loop little-endian family is unknown", LinkLoop, cat(unhex("02000000"), ipv4Seg), nil,
			func(p *Packet) { p.Layer = LayerLink }, lens{40, 0, 0}},
		{"null ipv6 big-endian family 24", LinkNull, cat(unhex("00000018"), v6(ProtoTCP, tcp6)), nil,
			func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				wantTCP6(p, 20)
			}, lens{60, 20, 0}},
		{"null ipv6 family 28", LinkNull, cat(unhex("1c000000"), v6(ProtoTCP, tcp6)), nil,
			func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				wantTCP6(p, 20)
			}, lens{60, 20, 0}},
		{"null other family", LinkNull, unhex("07000000 ffff"), nil,
			func(p *Packet) { p.Layer = LayerLink }, lens{2, 0, 0}},
		{"sll 802.2 llc", LinkSLL, cat(unhex("0000 0001 0006 0800270df13c0000 0004"), stpLLC), nil,
			func(p *Packet) {
				p.Layer, p.HasMAC, p.SrcMAC = LayerLink, true, mac("08:00:27:0d:f1:3c")
				p.LLC.Present, p.LLC.DSAP, p.LLC.SSAP = true, 0x42, 0x42
			}, lens{102, 0, 0}},
		{"sll loopback device has no mac", LinkSLL, cat(unhex("0000 0304 0006 000000000000 0000 0800"), ipv4Seg),
			nil, func(p *Packet) {
				p.EtherType = EtherTypeIPv4
				wantV4(p)
			}, lens{40, 20, 0}},
		{"sll2 short address", LinkSLL2, cat(unhex("0800 0000 00000002 0001 00 04 0a0b0c0d00000000"), ipv4Seg),
			nil, func(p *Packet) {
				p.EtherType = EtherTypeIPv4
				wantV4(p)
			}, lens{40, 20, 0}},
		{"802.1ad outer tag", LinkEthernet, withType(EtherTypeQinQ), nil, wantVLAN2, lens{64, 44, 0}},
		{"0x9100 outer tag", LinkEthernet, withType(EtherTypeQinQOld), nil, wantVLAN2, lens{64, 44, 0}},
		{"ipv6 hop-by-hop routing destination options", LinkIPv6,
			v6(ProtoHopByHop, cat(ext(ProtoRouting, 8), ext(ProtoDstOpts, 16), ext(ProtoTCP, 8), tcp6)), nil,
			func(p *Packet) {
				p.Layer, p.EtherType = LayerLink, EtherTypeIPv6
				wantTCP6(p, 52)
			}, lens{92, 20, 0}},
		{"ipv6 authentication header", LinkIPv6,
			v6(ProtoAH, cat([]byte{ProtoTCP, 4}, make([]byte, 22), tcp6)), nil, func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				wantTCP6(p, 44)
			}, lens{84, 20, 0}},
		{"ipv6 first fragment", LinkIPv6, v6(ProtoFragment, cat(unhex("06000001 12345678"), tcp6)), nil,
			func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				wantTCP6(p, 28)
				p.Fragment = true
			}, lens{68, 20, 0}},
		{"ipv6 later fragment", LinkIPv6, v6(ProtoFragment, cat(unhex("06000b48 12345678"), tcp6)), nil,
			func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				ipv6(p, "2001:db8::1", "2001:db8::2", 64, ProtoTCP, 28)
				p.Fragment, p.FragmentOffset = true, 0x0b48
			}, lens{68, 20, 0}},
		{"ipv6 atomic fragment", LinkIPv6, v6(ProtoFragment, cat(unhex("06000000 12345678"), tcp6)), nil,
			func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				wantTCP6(p, 28)
			}, lens{68, 20, 0}},
		{"ipv6 no next header", LinkIPv6, v6(ProtoDstOpts, ext(ProtoNoNext, 8)), nil, func(p *Packet) {
			p.EtherType = EtherTypeIPv6
			ipv6(p, "2001:db8::1", "2001:db8::2", 64, ProtoNoNext, 8)
		}, lens{48, 0, 0}},
		{"ipv6 unknown protocol", LinkIPv6, v6(103, unhex("2000 0000")), nil, func(p *Packet) {
			p.EtherType = EtherTypeIPv6
			ipv6(p, "2001:db8::1", "2001:db8::2", 64, 103, 4)
		}, lens{44, 4, 0}},
		{"ethernet router advertisement with source link-layer option", LinkEthernet,
			cat(ethHdr(EtherTypeIPv6), v6(ProtoICMPv6, unhex(`8600 0000 40c0 0708 00000000 00000000
				0501 0000 000005dc 0101 001122334455`))), nil, func(p *Packet) {
				eth(p, testSrcMAC, testDstMAC, EtherTypeIPv6)
				ipv6(p, "2001:db8::1", "2001:db8::2", 64, ProtoICMPv6, 32)
				icmp(p, ICMPv6RouterAdvert, 0)
				p.NDP.RouterAdv, p.NDP.IsRouter = true, true
				p.NDP.LinkAddr, p.NDP.HasLink = mac("00:11:22:33:44:55"), true
			}, lens{72, 32, 28}},
		{"neighbour advertisement from a router", LinkIPv6,
			v6(ProtoICMPv6, unhex(`8800 0000 e0000000 20010db8000000000000000000000001
				0201 001122334455`)), nil, func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				ipv6(p, "2001:db8::1", "2001:db8::2", 64, ProtoICMPv6, 32)
				icmp(p, ICMPv6NeighborAdvert, 0)
				p.NDP.Target, p.NDP.IsRouter = ip("2001:db8::1"), true
				p.NDP.LinkAddr, p.NDP.HasLink = mac("00:11:22:33:44:55"), true
			}, lens{72, 32, 28}},
		{"redirect with target link-layer option", LinkIPv6,
			v6(ProtoICMPv6, unhex(`8900 0000 00000000 fe800000000000000000000000000001
				20010db8000000000000000000000009 0201 00aabbccddee`)), nil, func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				ipv6(p, "2001:db8::1", "2001:db8::2", 64, ProtoICMPv6, 48)
				icmp(p, ICMPv6Redirect, 0)
				p.NDP.Target = ip("fe80::1")
				p.NDP.LinkAddr, p.NDP.HasLink = mac("00:aa:bb:cc:dd:ee"), true
			}, lens{88, 48, 44}},
		{"ipv4 frame shorter than total length", LinkIPv4, cat(ipv4Seg[:2], unhex("0400"), ipv4Seg[4:]), nil,
			func(p *Packet) {
				p.EtherType = EtherTypeIPv4
				wantV4(p)
				p.IPLength, p.Truncated = 1024, true
			}, lens{40, 20, 0}},
		{"ipv4 total length 0 from segmentation offload", LinkIPv4,
			cat(ipv4Seg[:2], unhex("0000"), ipv4Seg[4:], []byte("data")), nil, func(p *Packet) {
				p.EtherType = EtherTypeIPv4
				wantV4(p)
				p.IPLength = 0
			}, lens{44, 24, 4}},
		{"udp length shorter than ip payload", LinkIPv4, v4(ProtoUDP, udpDgram(10, []byte("abcdef"))), nil,
			func(p *Packet) {
				p.EtherType = EtherTypeIPv4
				ipv4(p, "192.0.2.1", "192.0.2.2", 64, ProtoUDP, 34)
				udp(p, 53, 53)
			}, lens{34, 14, 2}},
		{"802.3 length beyond the frame", LinkEthernet, cat(unhex("0180c2000000 0800270df13c 0100"), stpLLC),
			nil, func(p *Packet) {
				eth(p, "08:00:27:0d:f1:3c", "01:80:c2:00:00:00", 0)
				p.LLC.Present, p.LLC.DSAP, p.LLC.SSAP = true, 0x42, 0x42
				p.Truncated = true
			}, lens{102, 0, 0}},
		{"llc i-format has a 2-byte control", LinkEthernet, cat(unhex("0180c2000000 0800270df13c 0006"),
			unhex("f0f0 0000 abcd")), nil, func(p *Packet) {
			eth(p, "08:00:27:0d:f1:3c", "01:80:c2:00:00:00", 0)
			p.LLC.Present, p.LLC.DSAP, p.LLC.SSAP = true, 0xf0, 0xf0
		}, lens{2, 0, 0}},
		{"arp for another hardware type", LinkEthernet,
			cat(ethHdr(EtherTypeARP), unhex("0006 0800 0604 0001"), make([]byte, 20)), nil,
			func(p *Packet) { eth(p, testSrcMAC, testDstMAC, EtherTypeARP) }, lens{28, 0, 0}},

		// Errors.
		{"unknown link type", LinkType(105), ipv4Seg, ErrLinkType, func(p *Packet) {}, lens{}},
		{"raw ip empty", LinkRaw, nil, ErrTruncated, func(p *Packet) { p.Truncated = true }, lens{}},
		{"raw ip version 0", LinkRaw, make([]byte, 40), ErrMalformed, func(p *Packet) {
			p.Layer = LayerLink
		}, lens{40, 0, 0}},
		{"ipv4 wrong version", LinkEthernet, cat(ethHdr(EtherTypeIPv4), unhex("55"), ipv4Seg[1:]), ErrMalformed,
			func(p *Packet) { eth(p, testSrcMAC, testDstMAC, EtherTypeIPv4) }, lens{40, 0, 0}},
		{"ipv4 ihl below 5", LinkIPv4, cat(unhex("44"), ipv4Seg[1:]), ErrMalformed,
			func(p *Packet) { p.Layer, p.EtherType = LayerLink, EtherTypeIPv4 }, lens{40, 0, 0}},
		{"ipv4 total length below ihl", LinkIPv4, cat(ipv4Seg[:2], unhex("0010"), ipv4Seg[4:]), ErrMalformed,
			func(p *Packet) {
				p.Layer, p.EtherType, p.IPLength = LayerLink, EtherTypeIPv4, 16
			}, lens{40, 0, 0}},
		{"tcp data offset below 5", LinkIPv4, v4(ProtoTCP, cat(tcp6[:12], unhex("40"), tcp6[13:])), ErrMalformed,
			func(p *Packet) {
				p.EtherType = EtherTypeIPv4
				ipv4(p, "192.0.2.1", "192.0.2.2", 64, ProtoTCP, 40)
			}, lens{40, 20, 0}},
		{"tcp data offset beyond the segment", LinkIPv4, v4(ProtoTCP, cat(tcp6[:12], unhex("f0"), tcp6[13:])),
			ErrMalformed, func(p *Packet) {
				p.EtherType = EtherTypeIPv4
				ipv4(p, "192.0.2.1", "192.0.2.2", 64, ProtoTCP, 40)
			}, lens{40, 20, 0}},
		{"udp length below 8", LinkIPv4, v4(ProtoUDP, udpDgram(7, nil)), ErrMalformed, func(p *Packet) {
			p.EtherType = EtherTypeIPv4
			ipv4(p, "192.0.2.1", "192.0.2.2", 64, ProtoUDP, 28)
		}, lens{28, 8, 0}},
		{"udp header beyond the ip length", LinkIPv4, v4(ProtoUDP, unhex("0035 0035")), ErrMalformed,
			func(p *Packet) {
				p.EtherType = EtherTypeIPv4
				ipv4(p, "192.0.2.1", "192.0.2.2", 64, ProtoUDP, 24)
			}, lens{24, 4, 0}},
		{"ipv6 extension header beyond the payload", LinkIPv6, v6(ProtoHopByHop, unhex("0601 0000 0000 0000")),
			ErrMalformed, func(p *Packet) {
				p.Layer, p.EtherType = LayerLink, EtherTypeIPv6
				p.IPVersion, p.SrcIP, p.DstIP, p.TTL, p.IPLength = 6, ip("2001:db8::1"), ip("2001:db8::2"), 64, 48
			}, lens{48, 0, 0}},
		{"ipv6 extension header cut by the frame", LinkIPv6,
			v6(ProtoHopByHop, unhex("0601 0000 0000 0000"))[:44], ErrTruncated, func(p *Packet) {
				p.Layer, p.EtherType = LayerLink, EtherTypeIPv6
				p.IPVersion, p.SrcIP, p.DstIP, p.TTL, p.IPLength = 6, ip("2001:db8::1"), ip("2001:db8::2"), 64, 48
				p.Truncated = true
			}, lens{44, 0, 0}},
		{"ipv6 too many extension headers", LinkIPv6, v6(ProtoDstOpts, cat(
			ext(ProtoDstOpts, 8), ext(ProtoDstOpts, 8), ext(ProtoDstOpts, 8), ext(ProtoDstOpts, 8),
			ext(ProtoDstOpts, 8), ext(ProtoDstOpts, 8), ext(ProtoDstOpts, 8), ext(ProtoDstOpts, 8),
			ext(ProtoTCP, 8), tcp6)), ErrMalformed, func(p *Packet) {
			p.Layer, p.EtherType = LayerLink, EtherTypeIPv6
			p.IPVersion, p.SrcIP, p.DstIP, p.TTL, p.IPLength = 6, ip("2001:db8::1"), ip("2001:db8::2"), 64, 132
			p.Proto = ProtoDstOpts
		}, lens{132, 0, 0}},
		{"ndp option length 0", LinkIPv6, v6(ProtoICMPv6, unhex("8500 0000 00000000 0100 0000 0000 0000")),
			ErrMalformed, func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				ipv6(p, "2001:db8::1", "2001:db8::2", 64, ProtoICMPv6, 16)
				icmp(p, ICMPv6RouterSolicit, 0)
			}, lens{56, 16, 12}},
		{"ndp option beyond the packet", LinkIPv6, v6(ProtoICMPv6, unhex("8500 0000 00000000 0102 0000 0000 0000")),
			ErrMalformed, func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				ipv6(p, "2001:db8::1", "2001:db8::2", 64, ProtoICMPv6, 16)
				icmp(p, ICMPv6RouterSolicit, 0)
			}, lens{56, 16, 12}},
		{"neighbour solicitation without its target", LinkIPv6, v6(ProtoICMPv6, unhex("8700 0000 00000000")),
			ErrMalformed, func(p *Packet) {
				p.EtherType = EtherTypeIPv6
				ipv6(p, "2001:db8::1", "2001:db8::2", 64, ProtoICMPv6, 8)
				icmp(p, ICMPv6NeighborSolicit, 0)
			}, lens{48, 8, 4}},
		{"arp cut short", LinkEthernet, cat(ethHdr(EtherTypeARP), unhex("0001 0800 0604 0001"), make([]byte, 10)),
			ErrTruncated, func(p *Packet) {
				eth(p, testSrcMAC, testDstMAC, EtherTypeARP)
				p.Truncated = true
			}, lens{18, 0, 0}},
		{"nine vlan tags", LinkEthernet, cat(unhex("020000000002 020000000001"),
			unhex("8100 0001 8100 0002 8100 0003 8100 0004 8100 0005 8100 0006 8100 0007 8100 0008 8100 0009 0800"),
			ipv4Seg), ErrMalformed, func(p *Packet) {
			p.HasMAC, p.HasDstMAC, p.SrcMAC, p.DstMAC = true, true, mac(testSrcMAC), mac(testDstMAC)
			vlans(p, 1, 2)
		}, lens{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, want Packet
			err := got.Decode(tt.lt, tt.frame)
			if err != tt.wantErr {
				t.Errorf("Decode: got error %v, want %v", err, tt.wantErr)
			}
			tt.want(&want)
			if d := packetDiff(&want, &got); d != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", d)
			}
			if l := lensOf(&got); l != tt.lens {
				t.Errorf("payload lengths: got %+v, want %+v", l, tt.lens)
			}
		})
	}
}
