package cdp

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

func TestDissectRealCaptures(t *testing.T) {
	tests := []struct {
		name, file string
		src        dissect.MAC
		want       []string
	}{
		{"zeek cdp v1 router", "zeek_cdp_v1_1.hex", dissect.MAC{0x00, 0xe0, 0x1e, 0xd5, 0xd5, 0x15}, []string{
			"hostname", "R1",
			"management_address", "192.168.10.1",
			"port_id", "Ethernet0",
			"capability", "router",
			"router", "yes",
			"description", "Cisco Internetwork Operating System Software IOS (tm) 1600 Software " +
				"(C1600-NY-L), Version 11.2(12)P, RELEASE SOFTWARE (fc1) Copyright (c) 1986-1998 " +
				"by cisco Systems, Inc. Compiled Tue 03-Mar-98 06:33 by dschwart",
			"software", "IOS (tm) 1600 Software (C1600-NY-L), Version 11.2(12)P",
			"model", "cisco 1601",
		}},
		{"3560 switch", "tcpdump_3560_cdp_1.hex", dissect.MAC{0x00, 0x19, 0x06, 0xea, 0xb8, 0x85}, []string{
			"hostname", "Switch",
			"description", "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), " +
				"Version 12.2(25)SEB4, RELEASE SOFTWARE (fc1) Copyright (c) 1986-2005 by Cisco " +
				"Systems, Inc. Compiled Tue 30-Aug-05 17:56 by yenanh",
			"software", "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version 12.2(25)SEB4",
			"model", "cisco WS-C3560G-24PS",
			"management_address", "192.168.0.1", // also in TLV 22: emitted once
			"port_id", "GigabitEthernet0/5",
			"capability", "switch",
			"capability", "igmp",
			"vtp_domain", "Lab",
			"vlan", "native:1",
			"duplex", "full",
		}},
		{"3560 with 0.0.0.0 addresses", "tcpdump_lldp_and_cdp_1.hex",
			dissect.MAC{0x00, 0x18, 0xba, 0x98, 0x68, 0x8f}, []string{
				"hostname", "S1",
				"description", "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), " +
					"Version 12.2(44)SE, RELEASE SOFTWARE (fc1) Copyright (c) 1986-2008 by Cisco " +
					"Systems, Inc. Compiled Sat 05-Jan-08 00:15 by weiliu",
				"software", "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version 12.2(44)SE",
				"model", "cisco WS-C3560-24TS",
				"port_id", "FastEthernet0/13",
				"capability", "switch",
				"capability", "igmp",
				"vlan", "native:1",
				"duplex", "full",
			}},
		{"iou router over gre", "tcpdump_various_gre_49.hex",
			dissect.MAC{0xaa, 0xbb, 0xcc, 0x00, 0x01, 0x00}, []string{
				"hostname", "R1",
				"description", "Cisco IOS Software, Linux Software (I86BI_LINUX-ADVENTERPRISEK9-M), " +
					"Version 15.5(3)S2, DEVELOPMENT TEST SOFTWARE Technical Support: " +
					"http://www.cisco.com/techsupport Copyright (c) 1986-2016 by Cisco Systems, Inc. " +
					"Compiled Mon 08-Feb-16 20:48 by prod_rel_team",
				"software", "Cisco IOS Software, Linux Software (I86BI_LINUX-ADVENTERPRISEK9-M), Version 15.5(3)S2",
				"model", "Linux Unix",
				"management_address", "172.17.1.54",
				"port_id", "Tunnel40",
				"capability", "router",
				"router", "yes",
			}},
		{"iou l2 switch", "tcpdump_various_gre_86.hex", dissect.MAC{0xaa, 0xbb, 0xcc, 0x00, 0x03, 0x10}, []string{
			"hostname", "SW1",
			"description", "Cisco IOS Software, Linux Software (I86BI_LINUXL2-ADVENTERPRISEK9-M), " +
				"Version 15.2(HI_20170202)FLO_DSGS7, EARLY DEPLOYMENT DEVELOPMENT BUILD, synced to " +
				"FLO_DSGS7_POSTCOLLAPSE_TEAM_TRACK_DSGS_PI5 Technical Support: " +
				"http://www.cisco.com/techsupport Copyright (c) 1986-2017 by Cisco Systems, Inc. " +
				"Compiled Thu 02-Feb-17 03:37 by mmen",
			"software", "Cisco IOS Software, Linux Software (I86BI_LINUXL2-ADVENTERPRISEK9-M), " +
				"Version 15.2(HI_20170202)FLO_DSGS7",
			"model", "Linux Unix",
			"port_id", "Ethernet0/1",
			"capability", "router",
			"capability", "switch",
			"capability", "igmp",
			"router", "yes",
			"vlan", "native:1",
			"duplex", "full",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := &dissect.Context{Src: dissect.Endpoint{MAC: tt.src}}
			got, err := Dissect(ctx, dissecttest.Hex(t, "testdata/"+tt.file), nil)
			if err != nil {
				t.Fatalf("Dissect: got error %v, want nil", err)
			}
			want := dissecttest.MACFacts(Source, tt.src, tt.want...)
			if diff := cmp.Diff(want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// tlv builds one CDP TLV.
func tlv(typ uint16, value ...byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(value)))
	return append(b, value...)
}

// frame builds a CDP v2 frame from TLVs.
func frame(tlvs ...[]byte) []byte {
	b := []byte{2, 180, 0, 0}
	for _, t := range tlvs {
		b = append(b, t...)
	}
	return b
}

// addrs builds the value of an Addresses TLV from entries.
func addrs(entries ...[]byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(entries)))
	for _, e := range entries {
		b = append(b, e...)
	}
	return b
}

// ipv4 builds an NLPID IPv4 address entry.
func ipv4(s string) []byte {
	a := netip.MustParseAddr(s).As4()
	return append([]byte{protoNLPID, 1, nlpidIPv4, 0, 4}, a[:]...)
}

// ipv6 builds an 802.2 IPv6 address entry.
func ipv6(s string) []byte {
	a := netip.MustParseAddr(s).As16()
	b := append([]byte{proto8022, 8}, snapIPv6...)
	return append(append(b, 0, 16), a[:]...)
}

func TestDissectHandBuilt(t *testing.T) {
	mac := dissect.MAC{0x00, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f}
	tests := []struct {
		name    string
		payload []byte
		want    []string
	}{
		{"phone", frame(
			tlv(tlvDeviceID, []byte("SEP001B2C3D4E5F")...),
			tlv(tlvAddresses, addrs(ipv4("10.1.2.3"), ipv6("2001:db8::5"), ipv4("0.0.0.0"),
				[]byte{protoNLPID, 1, 0x81, 0, 2, 1, 2})...), // CLNS: skipped
			tlv(tlvCaps, 0, 0, 0x01, 0x90),
			tlv(tlvSoftware, []byte("\nSCCP41.9-4-2SR3S\n")...),
			tlv(tlvPlatform, []byte("Cisco IP Phone 7941")...),
			tlv(tlvVoiceVLAN, 1, 0, 110),
			tlv(tlvDuplex, 0),
			tlv(tlvSystemName, []byte("SEP001B2C3D4E5F")...), // same as device id: skipped
			tlv(tlvSystemName, []byte("phone-icu-3")...),
			tlv(tlvMgmtAddrs, addrs(ipv6("2001:db8::5"))...), // already seen
			tlv(tlvLocation, append([]byte{0}, "Ward 7 bay 2"...)...),
			tlv(0x1234, 1, 2, 3), // unknown type
		), []string{
			"hostname", "SEP001B2C3D4E5F",
			"management_address", "10.1.2.3",
			"management_address", "2001:db8::5",
			"capability", "host",
			"capability", "telephone",
			"description", "SCCP41.9-4-2SR3S",
			"software", "SCCP41.9-4-2SR3S",
			"model", "Cisco IP Phone 7941",
			"vlan", "voice:110",
			"duplex", "half",
			"hostname", "phone-icu-3",
			"location", "Ward 7 bay 2",
		}},
		{"all capabilities and short voice vlan", frame(
			tlv(tlvCaps, 0, 0, 0, 0xff),
			tlv(tlvVoiceVLAN, 0, 20),
			tlv(tlvSoftware, []byte("NX-OS(tm) n5000, Software (n5000-uk9), version 5.2(1)N1(1), RELEASE")...),
		), []string{
			"capability", "router", "capability", "bridge", "capability", "switch",
			"capability", "host", "capability", "igmp", "capability", "repeater",
			"capability", "telephone", "router", "yes",
			"vlan", "voice:20",
			"description", "NX-OS(tm) n5000, Software (n5000-uk9), version 5.2(1)N1(1), RELEASE",
			"software", "NX-OS(tm) n5000, Software (n5000-uk9), version 5.2(1)N1(1)",
		}},
		{"version 1 header only", []byte{1, 180, 0, 0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := &dissect.Context{Src: dissect.Endpoint{MAC: mac}}
			got, err := Dissect(ctx, tt.payload, nil)
			if err != nil {
				t.Fatalf("Dissect: got error %v, want nil", err)
			}
			want := dissecttest.MACFacts(Source, mac, tt.want...)
			if diff := cmp.Diff(want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDissectMalformed(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		offset  int
		facts   int
	}{
		{"empty", nil, 0, 0},
		{"bad version", []byte{3, 180, 0, 0}, 0, 0},
		{"tlv header cut", append(frame(), 0, 1), 4, 0},
		{"tlv length below 4", frame([]byte{0, 1, 0, 3}), 4, 0},
		{"tlv length past end", frame(tlv(tlvDeviceID, 'a'))[:8], 4, 0},
		{"device id then bad tlv", frame(tlv(tlvDeviceID, 'a'), []byte{0, 3, 0, 0}), 9, 1},
		{"address count cut", frame(tlv(tlvAddresses, 0, 0)), 8, 0},
		{"address entry cut", frame(tlv(tlvAddresses, 0, 0, 0, 1, 1, 1)), 12, 0},
		{"address length too big", frame(tlv(tlvAddresses, 0, 0, 0, 1, 1, 1, 0xcc, 0, 9, 1)), 15, 0},
		{"second address missing", frame(tlv(tlvAddresses, addrs(ipv4("10.0.0.1"), nil)[:13]...)), 21, 1},
		{"caps short", frame(tlv(tlvCaps, 0, 1)), 8, 0},
		{"native vlan short", frame(tlv(tlvNativeVLAN, 1)), 8, 0},
		{"voice vlan short", frame(tlv(tlvVoiceVLAN, 1)), 8, 0},
		{"duplex long", frame(tlv(tlvDuplex, 1, 1)), 8, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(&dissect.Context{}, tt.payload, nil)
			dissecttest.ErrorAt(t, err, Source, tt.offset)
			if len(got) != tt.facts {
				t.Errorf("got %d facts %v, want %d", len(got), got, tt.facts)
			}
		})
	}
}

func TestDissectTruncated(t *testing.T) {
	for _, p := range dissecttest.HexFiles(t, "testdata/*.hex") {
		dissecttest.Truncations(t, Dissect, &dissect.Context{}, p, Source)
	}
}

func FuzzDissect(f *testing.F) {
	for _, p := range dissecttest.HexFiles(f, "testdata/*.hex") {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		facts, _ := Dissect(&dissect.Context{}, p, nil)
		dissecttest.CheckFacts(t, facts, Source)
	})
}

func BenchmarkDissect(b *testing.B) {
	p := dissecttest.Hex(b, "testdata/tcpdump_3560_cdp_1.hex")
	ctx := &dissect.Context{Src: dissect.Endpoint{MAC: dissect.MAC{0, 0x19, 0x06, 0xea, 0xb8, 0x85}}}
	out := make([]dissect.Fact, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		out, _ = Dissect(ctx, p, out[:0])
	}
}
