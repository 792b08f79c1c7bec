package decode

import (
	"errors"
	"net/netip"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// packetDiff compares decoded packets field by field; the payload slices
// are compared by length in lens.
func packetDiff(want, got *Packet) string {
	return cmp.Diff(want, got,
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmpopts.IgnoreFields(Packet{}, "L2Payload", "L3Payload", "Payload"))
}

// lens are the lengths of a packet's L2Payload, L3Payload and Payload.
type lens struct{ L2, L3, L4 int }

func lensOf(p *Packet) lens { return lens{len(p.L2Payload), len(p.L3Payload), len(p.Payload)} }

// Setters for the expectations below: each fills one header's fields.

func eth(p *Packet, src, dst string, et uint16) {
	p.Layer = LayerLink
	p.HasMAC, p.HasDstMAC = true, true
	p.SrcMAC, p.DstMAC = mac(src), mac(dst)
	p.EtherType = et
}

func vlans(p *Packet, ids ...uint16) {
	p.NumVLAN = uint8(copy(p.VLANs[:], ids))
}

func ipv4(p *Packet, src, dst string, ttl, proto uint8, length int) {
	p.Layer = LayerNetwork
	p.IPVersion, p.SrcIP, p.DstIP = 4, ip(src), ip(dst)
	p.TTL, p.Proto, p.IPLength = ttl, proto, length
}

func ipv6(p *Packet, src, dst string, hlim, proto uint8, plen int) {
	p.Layer = LayerNetwork
	p.IPVersion, p.SrcIP, p.DstIP = 6, ip(src), ip(dst)
	p.TTL, p.Proto, p.IPLength = hlim, proto, 40+plen
}

func tcp(p *Packet, sport, dport uint16, seq, ack uint32, flags uint8, win uint16) {
	p.Layer = LayerTransport
	p.SrcPort, p.DstPort = sport, dport
	p.TCP.Seq, p.TCP.Ack, p.TCP.Flags, p.TCP.Window = seq, ack, flags, win
}

func udp(p *Packet, sport, dport uint16) {
	p.Layer = LayerTransport
	p.SrcPort, p.DstPort = sport, dport
}

func icmp(p *Packet, typ, code uint8) {
	p.Layer = LayerTransport
	p.ICMP.Type, p.ICMP.Code = typ, code
}

// TestDecodeRealFrames decodes frames copied from the corpus. The expected
// values are those tshark 4.0 prints for the same frames (see
// testdata/SOURCE.md).
func TestDecodeRealFrames(t *testing.T) {
	frames := readFrames(t)
	tests := []struct {
		name string
		want func(p *Packet)
		lens lens
	}{
		{"eth_ipv4_tcp_syn", func(p *Packet) {
			eth(p, "58:6d:8f:99:ec:a8", "c4:39:3a:02:a9:2a", EtherTypeIPv4)
			ipv4(p, "10.1.1.2", "10.1.1.1", 64, ProtoTCP, 60)
			tcp(p, 44644, 80, 2471086128, 0, TCPSyn, 29200)
		}, lens{60, 40, 0}},
		{"eth_ipv4_tcp_synack", func(p *Packet) {
			eth(p, "c4:39:3a:02:a9:2a", "58:6d:8f:99:ec:a8", EtherTypeIPv4)
			ipv4(p, "10.1.1.1", "10.1.1.2", 64, ProtoTCP, 60)
			tcp(p, 80, 44644, 4188542938, 2471086129, TCPSyn|TCPAck, 5792)
		}, lens{60, 40, 0}},
		{"eth_ipv4_tcp_http", func(p *Packet) {
			eth(p, "58:6d:8f:99:ec:a8", "c4:39:3a:02:a9:2a", EtherTypeIPv4)
			ipv4(p, "10.1.1.2", "10.1.1.1", 64, ProtoTCP, 124)
			tcp(p, 44644, 80, 2471086129, 4188542939, TCPPsh|TCPAck, 229)
		}, lens{124, 104, 72}},
		{"eth_ipv4_tcp_padding", func(p *Packet) { // 2 bytes of Ethernet padding
			eth(p, "18:2a:d3:2f:15:f0", "4c:d9:8f:8b:40:75", EtherTypeIPv4)
			ipv4(p, "167.221.30.181", "217.207.159.63", 50, ProtoTCP, 64)
			tcp(p, 59406, 27272, 1394854461, 0, TCPSyn, 65535)
		}, lens{66, 44, 0}},
		{"eth_ipv4_udp_dhcp", func(p *Packet) {
			eth(p, "08:00:27:46:e8:84", "ff:ff:ff:ff:ff:ff", EtherTypeIPv4)
			ipv4(p, "0.0.0.0", "255.255.255.255", 128, ProtoUDP, 328)
			udp(p, 68, 67)
		}, lens{328, 308, 300}},
		{"eth_ipv4_icmp", func(p *Packet) {
			eth(p, "a6:82:4b:c9:a1:a7", "74:83:ef:07:d0:a9", EtherTypeIPv4)
			ipv4(p, "10.40.2.3", "10.30.4.4", 64, ProtoICMP, 48)
			icmp(p, 8, 0)
		}, lens{48, 28, 24}},
		{"eth_arp", func(p *Packet) {
			eth(p, "a6:82:4b:c9:a1:a7", "74:83:ef:07:d0:a9", EtherTypeARP)
			p.Layer = LayerNetwork
			p.ARP.Op = 1
			p.ARP.SenderMAC, p.ARP.SenderIP = mac("a6:82:4b:c9:a1:a7"), ip("10.40.2.3")
			p.ARP.TargetIP = ip("10.40.1.1")
		}, lens{46, 0, 0}},
		{"eth_ipv4_options_igmp", func(p *Packet) { // IHL 6: router alert option
			eth(p, "68:5d:43:8b:f9:de", "01:00:5e:00:00:16", EtherTypeIPv4)
			ipv4(p, "192.168.0.13", "224.0.0.22", 1, 2, 40)
		}, lens{40, 16, 0}},
		{"eth_ipv4_frag_first", func(p *Packet) { // UDP length 1496 spans two fragments
			eth(p, "88:e0:f3:c8:bf:f0", "00:00:0c:07:ac:e8", EtherTypeIPv4)
			ipv4(p, "239.114.155.111", "63.94.149.181", 61, ProtoUDP, 1500)
			p.Fragment = true
			udp(p, 2152, 2152)
		}, lens{1500, 1480, 1472}},
		{"eth_ipv4_frag_later", func(p *Packet) {
			eth(p, "88:e0:f3:c8:bf:f0", "00:00:0c:07:ac:e8", EtherTypeIPv4)
			ipv4(p, "239.114.155.111", "63.94.149.181", 61, ProtoUDP, 36)
			p.Fragment, p.FragmentOffset = true, 185*8
		}, lens{46, 16, 0}},
		{"eth_vlan0", func(p *Packet) {
			eth(p, "c8:bc:c8:96:d2:a0", "00:10:db:88:d2:ef", EtherTypeIPv4)
			vlans(p, 0)
			ipv4(p, "141.142.228.5", "192.150.187.43", 64, ProtoTCP, 64)
			tcp(p, 59856, 80, 4263588410, 0, TCPSyn, 65535)
		}, lens{64, 44, 0}},
		{"eth_vlan1", func(p *Packet) {
			eth(p, "c8:bc:c8:96:d2:a0", "00:10:db:88:d2:ef", EtherTypeIPv4)
			vlans(p, 42)
			ipv4(p, "141.142.228.5", "192.150.187.43", 64, ProtoTCP, 64)
			tcp(p, 59856, 80, 4263588410, 0, TCPSyn, 65535)
		}, lens{64, 44, 0}},
		{"eth_vlan2", func(p *Packet) {
			eth(p, "c8:bc:c8:96:d2:a0", "00:10:db:88:d2:ef", EtherTypeIPv4)
			vlans(p, 10, 20)
			ipv4(p, "141.142.228.5", "192.150.187.43", 64, ProtoTCP, 64)
			tcp(p, 59856, 80, 4263588410, 0, TCPSyn, 65535)
		}, lens{64, 44, 0}},
		{"eth_vlan3", func(p *Packet) { // the third tag (10) is skipped
			eth(p, "c8:bc:c8:96:d2:a0", "00:10:db:88:d2:ef", EtherTypeIPv4)
			vlans(p, 30, 20)
			ipv4(p, "141.142.228.5", "192.150.187.43", 64, ProtoTCP, 64)
			tcp(p, 59856, 80, 4263588410, 0, TCPSyn, 65535)
		}, lens{64, 44, 0}},
		{"eth_qinq_pppoe", func(p *Packet) { // PPPoE session: not decoded further
			eth(p, "00:00:00:00:00:00", "00:00:00:00:00:01", 0x8864)
			vlans(p, 3704, 2474)
		}, lens{72, 0, 0}},
		{"eth_ipv6_tcp", func(p *Packet) {
			eth(p, "18:31:bf:b2:f9:d5", "38:07:16:0d:5d:af", EtherTypeIPv6)
			ipv6(p, "2a01:e0a:b2e:ca60:3115:4578:37ed:f44f", "2001:41d0:a:f78a::1", 64, ProtoTCP, 40)
			tcp(p, 37642, 80, 1225939456, 0, TCPSyn, 64800)
		}, lens{80, 40, 0}},
		{"eth_ipv6_udp", func(p *Packet) {
			eth(p, "00:01:02:03:04:05", "33:33:00:01:00:02", EtherTypeIPv6)
			ipv6(p, "fe80::201:2ff:fe03:405", "ff02::1:2", 64, ProtoUDP, 56)
			udp(p, 546, 547)
		}, lens{96, 56, 48}},
		{"eth_ipv6_hbh_mld", func(p *Packet) { // hop-by-hop, then MLDv2 report
			eth(p, "08:00:27:46:e8:84", "33:33:00:00:00:16", EtherTypeIPv6)
			ipv6(p, "fe80::a00:27ff:fe46:e884", "ff02::16", 1, ProtoICMPv6, 36)
			icmp(p, 143, 0)
		}, lens{76, 28, 24}},
		{"eth_icmpv6_rs", func(p *Packet) {
			eth(p, "68:5d:43:8b:f9:de", "33:33:00:00:00:02", EtherTypeIPv6)
			ipv6(p, "fe80::9154:c66f:8d0e:33cb", "ff02::2", 255, ProtoICMPv6, 16)
			icmp(p, ICMPv6RouterSolicit, 0)
			p.NDP.LinkAddr, p.NDP.HasLink = mac("68:5d:43:8b:f9:de"), true
		}, lens{56, 16, 12}},
		{"eth_icmpv6_ns", func(p *Packet) { // duplicate address detection: no option
			eth(p, "08:00:27:46:e8:84", "33:33:ff:46:e8:84", EtherTypeIPv6)
			ipv6(p, "::", "ff02::1:ff46:e884", 255, ProtoICMPv6, 24)
			icmp(p, ICMPv6NeighborSolicit, 0)
			p.NDP.Target = ip("fe80::a00:27ff:fe46:e884")
		}, lens{64, 24, 20}},
		{"eth_icmpv6_na", func(p *Packet) {
			eth(p, "68:5d:43:8b:f9:de", "33:33:00:00:00:01", EtherTypeIPv6)
			ipv6(p, "fe80::9154:c66f:8d0e:33cb", "ff02::1", 255, ProtoICMPv6, 32)
			icmp(p, ICMPv6NeighborAdvert, 0)
			p.NDP.Target = ip("fe80::9154:c66f:8d0e:33cb")
			p.NDP.LinkAddr, p.NDP.HasLink = mac("68:5d:43:8b:f9:de"), true
		}, lens{72, 32, 28}},
		{"eth_8023_stp", func(p *Packet) {
			eth(p, "08:00:27:0d:f1:3c", "01:80:c2:00:00:00", 0)
			p.LLC.Present, p.LLC.DSAP, p.LLC.SSAP = true, 0x42, 0x42
		}, lens{102, 0, 0}},
		{"eth_snap_cdp", func(p *Packet) {
			eth(p, "00:19:06:ea:b8:85", "01:00:0c:cc:cc:cc", 0)
			p.LLC.Present, p.LLC.DSAP, p.LLC.SSAP = true, 0xaa, 0xaa
			p.LLC.SNAPOUI, p.LLC.SNAPType = [3]byte{0, 0, 0x0c}, 0x2000
		}, lens{378, 0, 0}},
		{"eth_snap_ip", func(p *Packet) {
			eth(p, "00:11:22:33:44:55", "66:77:88:99:aa:bb", EtherTypeIPv4)
			p.LLC.Present, p.LLC.DSAP, p.LLC.SSAP = true, 0xaa, 0xaa
			p.LLC.SNAPType = EtherTypeIPv4
			ipv4(p, "192.168.1.1", "192.168.1.2", 64, ProtoTCP, 40)
			tcp(p, 12345, 80, 100, 0, TCPSyn, 8192)
		}, lens{40, 20, 0}},
		{"eth_lldp", func(p *Packet) {
			eth(p, "00:23:54:c2:57:02", "01:80:c2:00:00:0e", EtherTypeLLDP)
		}, lens{288, 0, 0}},
		{"sll_ipv4_tcp", func(p *Packet) {
			p.HasMAC, p.SrcMAC, p.EtherType = true, mac("00:30:2b:d9:38:4c"), EtherTypeIPv4
			ipv4(p, "192.168.1.100", "192.168.1.3", 64, ProtoTCP, 60)
			tcp(p, 49134, 445, 2530801653, 0, TCPSyn, 29200)
		}, lens{60, 40, 0}},
		{"sll_arp", func(p *Packet) {
			p.HasMAC, p.SrcMAC, p.EtherType = true, mac("00:30:2b:d9:38:4c"), EtherTypeARP
			p.Layer = LayerNetwork
			p.ARP.Op = 1
			p.ARP.SenderMAC, p.ARP.SenderIP = mac("00:30:2b:d9:38:4c"), ip("192.168.1.100")
			p.ARP.TargetIP = ip("192.168.1.3")
		}, lens{28, 0, 0}},
		{"sll2_ipv4_tcp", func(p *Packet) {
			p.HasMAC, p.SrcMAC, p.EtherType = true, mac("fa:37:dc:8d:af:ab"), EtherTypeIPv4
			ipv4(p, "192.168.64.6", "192.0.78.150", 64, ProtoTCP, 60)
			tcp(p, 55058, 443, 974184494, 0, TCPSyn, 64240)
		}, lens{60, 40, 0}},
		{"null_ipv4_tcp", func(p *Packet) { // family 2, little-endian
			p.EtherType = EtherTypeIPv4
			ipv4(p, "127.0.0.1", "127.0.0.1", 64, ProtoTCP, 64)
			tcp(p, 51297, 8080, 1975880607, 0, TCPSyn, 65535)
		}, lens{64, 44, 0}},
		{"null_ipv6_tcp", func(p *Packet) { // family 30 (macOS), little-endian
			p.EtherType = EtherTypeIPv6
			ipv6(p, "::1", "::1", 64, ProtoTCP, 516)
			tcp(p, 58799, 8080, 144119398, 174417647, TCPPsh|TCPAck, 10473)
		}, lens{556, 516, 484}},
		{"null_ipv6_udp", func(p *Packet) {
			p.EtherType = EtherTypeIPv6
			ipv6(p, "::1", "::1", 64, ProtoUDP, 1208)
			udp(p, 62821, 443)
		}, lens{1248, 1208, 1200}},
		{"raw_ipv4_tcp", func(p *Packet) {
			p.EtherType = EtherTypeIPv4
			ipv4(p, "192.168.0.43", "18.138.183.195", 63, ProtoTCP, 60)
			tcp(p, 46135, 443, 1575799721, 0, TCPSyn, 14600)
		}, lens{60, 40, 0}},
		{"raw_ipv6_tcp", func(p *Packet) {
			p.EtherType = EtherTypeIPv6
			ipv6(p, "2a01:e0a:b2e:ca60:3115:4578:37ed:f44f", "2001:41d0:a:f78a::1", 64, ProtoTCP, 40)
			tcp(p, 37642, 80, 1225939456, 0, TCPSyn, 64800)
		}, lens{80, 40, 0}},
		{"ipv4_tcp", func(p *Packet) {
			p.EtherType = EtherTypeIPv4
			ipv4(p, "192.168.1.100", "192.168.1.200", 64, ProtoTCP, 40)
			tcp(p, 40010, 80, 1000, 0, TCPSyn, 8192)
		}, lens{40, 20, 0}},
		{"ipv6_icmpv6_ra", func(p *Packet) { // prefix information option only
			p.EtherType = EtherTypeIPv6
			ipv6(p, "fe80::8000:f227:62c7:9547", "fe80::ffff:ffff:fffe", 255, ProtoICMPv6, 48)
			icmp(p, ICMPv6RouterAdvert, 0)
			p.NDP.RouterAdv, p.NDP.IsRouter = true, true
		}, lens{88, 48, 44}},
	}
	if len(tests) != len(frames) {
		t.Errorf("got %d cases, want one per frame in frames.txt (%d)", len(tests), len(frames))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := frameByName(t, frames, tt.name)
			var got, want Packet
			if err := got.Decode(f.lt, f.data); err != nil {
				t.Fatalf("Decode: got error %v, want nil", err)
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

// TestDecodePayloadBytes checks that the payload slices point at the right
// bytes, not only that they have the right length.
func TestDecodePayloadBytes(t *testing.T) {
	f := frameByName(t, readFrames(t), "eth_ipv4_tcp_http")
	var p Packet
	if err := p.Decode(f.lt, f.data); err != nil {
		t.Fatal(err)
	}
	if got, want := string(p.Payload[:14]), "GET / HTTP/1.1"; got != want {
		t.Errorf("payload starts with %q, want %q", got, want)
	}
	if got, want := &p.L3Payload[0], &f.data[14+20]; got != want {
		t.Errorf("L3Payload does not alias the frame at byte 34")
	}
}

// TestDecodeReuse checks that Decode resets every field: decoding a frame
// after a different one gives what decoding it alone gives.
func TestDecodeReuse(t *testing.T) {
	frames := readFrames(t)
	for _, a := range frames {
		var fresh, reused Packet
		errFresh := fresh.Decode(a.lt, a.data)
		for _, b := range frames {
			_ = reused.Decode(b.lt, b.data)
			errReused := reused.Decode(a.lt, a.data)
			if errReused != errFresh {
				t.Fatalf("%s after %s: got error %v, want %v", a.name, b.name, errReused, errFresh)
			}
			if d := packetDiff(&fresh, &reused); d != "" {
				t.Fatalf("%s after %s: mismatch (-fresh +reused):\n%s", a.name, b.name, d)
			}
		}
	}
}

// TestDecodeTruncatedEverywhere cuts every real frame at every length. A
// prefix of a valid frame never panics and is never malformed; when it
// ends inside a header Decode says ErrTruncated, and when it ends before
// the length the IP header announced Truncated is set.
func TestDecodeTruncatedEverywhere(t *testing.T) {
	for _, f := range readFrames(t) {
		t.Run(f.name, func(t *testing.T) {
			var full Packet
			if err := full.Decode(f.lt, f.data); err != nil {
				t.Fatal(err)
			}
			ipEnd := 0 // where the IP packet ends in the frame, 0 when not IP
			if full.IPVersion != 0 && !full.LLC.Present {
				ipEnd = len(f.data) - len(full.L2Payload) + full.IPLength
			}
			var p Packet
			for n := range len(f.data) {
				err := p.Decode(f.lt, f.data[:n])
				if err != nil && err != ErrTruncated {
					t.Fatalf("cut at %d: got error %v, want nil or ErrTruncated", n, err)
				}
				if err == ErrTruncated && !p.Truncated {
					t.Fatalf("cut at %d: ErrTruncated without Truncated", n)
				}
				if n < ipEnd && !p.Truncated {
					t.Fatalf("cut at %d before the IP end %d: Truncated not set", n, ipEnd)
				}
				if p.Layer > full.Layer {
					t.Fatalf("cut at %d: got layer %v, deeper than the whole frame's %v", n, p.Layer, full.Layer)
				}
			}
		})
	}
}

// TestDecodeLayerOnTruncation checks how far decoding gets for cuts inside
// each header of a real Ethernet/IPv4/TCP frame.
func TestDecodeLayerOnTruncation(t *testing.T) {
	f := frameByName(t, readFrames(t), "eth_ipv4_tcp_syn") // 14 + 20 + 40 (TCP with options)
	tests := []struct {
		n         int
		wantLayer Layer
		wantErr   error
	}{
		{0, LayerNone, ErrTruncated},
		{13, LayerNone, ErrTruncated},
		{14, LayerLink, ErrTruncated},
		{33, LayerLink, ErrTruncated},
		{34, LayerNetwork, ErrTruncated},
		{53, LayerNetwork, ErrTruncated},
		{54, LayerNetwork, ErrTruncated}, // fixed TCP header, options cut
		{73, LayerNetwork, ErrTruncated},
		{74, LayerTransport, nil},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			var p Packet
			err := p.Decode(f.lt, f.data[:tt.n])
			if err != tt.wantErr || p.Layer != tt.wantLayer {
				t.Errorf("got layer %v, error %v; want layer %v, error %v", p.Layer, err, tt.wantLayer, tt.wantErr)
			}
			if tt.n >= 14 && p.SrcMAC != mac("58:6d:8f:99:ec:a8") {
				t.Errorf("got source MAC %x, want it kept", p.SrcMAC)
			}
		})
	}
}

// TestDecodeErrorsAreSentinels checks that errors.Is works on the decode
// errors and that they read well.
func TestDecodeErrorsAreSentinels(t *testing.T) {
	var p Packet
	err := p.Decode(LinkType(147), []byte{1, 2, 3})
	if !errors.Is(err, ErrLinkType) {
		t.Errorf("got %v, want ErrLinkType", err)
	}
	if got, want := err.Error(), "unsupported link type"; got != want {
		t.Errorf("got message %q, want %q", got, want)
	}
}
