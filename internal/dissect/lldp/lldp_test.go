package lldp

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

func TestDissectRealCaptures(t *testing.T) {
	const ciscoDesc = "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), " +
		"Version 12.2(44)SE, RELEASE SOFTWARE (fc1) Copyright (c) 1986-2008 by Cisco Systems, " +
		"Inc. Compiled Sat 05-Jan-08 00:15 by weiliu"
	tests := []struct {
		name, file, src string
		want            []string
	}{
		{"zeek smc switch", "zeek_lldp_1.hex", "00:22:2d:81:db:10", []string{
			"chassis_id", "00:22:2d:81:db:10",
			"port_id", "1",
			"port_description", "Port #1",
			"hostname", "SMCGS8P-Smart",
			"description", "SMCGS8P-Smart - SMCGS8P-Smart v3.20",
			"capability", "bridge",
			"management_address", "192.168.2.10",
		}},
		{"cisco 3560 S2", "tcpdump_lldp_and_cdp_3.hex", "00:19:2f:a7:b2:8d", []string{
			"chassis_id", "00:19:2f:a7:b2:8d",
			"port_id", "Uplink to S1",
			"hostname", "S2.cisco.com",
			"description", ciscoDesc,
			"port_description", "GigabitEthernet0/13",
			"capability", "bridge",
			"vlan", "pvid:1",
			"autoneg", "enabled",
			"mau_type", "100BaseTXFD",
		}},
		{"cisco 3560 S1", "tcpdump_lldp_and_cdp_4.hex", "00:18:ba:98:68:8f", []string{
			"chassis_id", "00:18:ba:98:68:8f",
			"port_id", "Fa0/13",
			"hostname", "S1.cisco.com",
			"description", ciscoDesc,
			"port_description", "FastEthernet0/13",
			"capability", "bridge",
			"vlan", "pvid:1",
			"autoneg", "enabled",
			"mau_type", "100BaseTXFD",
		}},
		{"linux host with mud url", "tcpdump_lldp_mudurl_1.hex", "00:23:54:c2:57:02", []string{
			"chassis_id", "00:23:54:c2:57:02",
			"port_id", "00:23:54:c2:57:02",
			"hostname", "upstairs.ofcourseimright.com",
			"description", "Ubuntu 14.04.5 LTS Linux 3.13.0-106-generic #153-Ubuntu SMP " +
				"Tue Dec 6 15:45:13 UTC 2016 i686",
			"capability", "wlan-ap",
			"management_address", "62.12.173.114",
			"management_address", "2001:8a8:1006:4:223:54ff:fec2:5702",
			"port_description", "eth0",
			"autoneg", "enabled",
			"mau_type", "100BaseTXFD",
			"mud_url", "https://imright.mud.example.com/.well-known/mud/v1/vomitv2.0",
		}},
		{"h3c router with poe", "tcpdump_erspan_24.hex", "00:23:89:af:d2:78", []string{
			"chassis_id", "00:23:89:af:d2:52",
			"port_id", "GigabitEthernet1/0/2",
			"port_description", "GigabitEthernet1/0/2 Interface",
			"hostname", "Device C",
			"description", "H3C Comware Platform Software, Software Version 5.20, " +
				"Release 1808P08 H3C S5800-56C-PWR Copyright (c) 2004-2013 Hangzhou H3C " +
				"Tech. Co., Ltd. All rights reserved.",
			"capability", "bridge",
			"capability", "router",
			"router", "yes",
			"management_address", "40.1.1.1",
			"vlan", "pvid:10",
			"vlan_name", "10:VLAN 0010",
			"autoneg", "enabled",
			"mau_type", "1000BaseTFD",
			"poe", "pse class 0",
			"max_frame_size", "10000",
		}},
		{"evb station", "tcpdump_evb.hex", "08:00:27:0d:f1:3c", []string{
			"chassis_id", "08:00:27:0d:f1:3c",
			"port_id", "08:00:27:0d:f1:3c",
			"vlan", "pvid:1",
			"vlan_name", "1:default",
		}},
		{"end tlv then garbage", "malformed_lldp-infinite-loop-1.hex", "08:00:27:42:ba:59", []string{
			"chassis_id", "08:00:27:42:ba:59",
			"port_id", "08:00:27:42:ba:59",
			"vlan_name", "1:default",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mac := dissecttest.MAC(tt.src)
			ctx := &dissect.Context{Src: dissect.Endpoint{MAC: mac}}
			got, err := Dissect(ctx, dissecttest.Hex(t, "testdata/"+tt.file), nil)
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

// tlv builds one LLDP TLV.
func tlv(typ int, value ...byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(typ)<<9|uint16(len(value)))
	return append(b, value...)
}

// org builds an organisationally specific TLV.
func org(oui [3]byte, sub byte, body ...byte) []byte {
	return tlv(tlvOrgSpecific, append([]byte{oui[0], oui[1], oui[2], sub}, body...)...)
}

// frame joins the mandatory TLVs, the given TLVs and an End TLV.
func frame(tlvs ...[]byte) []byte {
	b := tlv(tlvChassisID, 7, 'n', 'o', 'd', 'e')
	b = append(b, tlv(tlvPortID, 5, 'p', '1')...)
	b = append(b, tlv(tlvTTL, 0, 120)...)
	for _, t := range tlvs {
		b = append(b, t...)
	}
	return append(b, 0, 0)
}

// policy builds a tagged LLDP-MED network policy for application app.
func policy(app byte, vid, prio, dscp uint32) []byte {
	bits := 1<<22 | vid<<9 | prio<<6 | dscp
	return []byte{app, byte(bits >> 16), byte(bits >> 8), byte(bits)}
}

// str is a shorthand for string bytes in TLV builders.
func str(s string) []byte { return []byte(s) }

func TestDissectHandBuilt(t *testing.T) {
	civicAddr := []byte{0, 2, 'G', 'B'} // LCI length (patched below), what, country
	for _, ca := range [][]byte{
		append([]byte{3, 5}, "Leeds"...),
		append([]byte{23, 9}, "Dr. Jones"...), // occupant name: must be dropped
		append([]byte{25, 7}, "St Mary"...),
		{27, 1, '2'},
		append([]byte{28, 4}, "ICU4"...),
	} {
		civicAddr = append(civicAddr, ca...)
	}
	civicAddr[0] = byte(len(civicAddr) - 1)

	tests := []struct {
		name    string
		payload []byte
		want    []string
	}{
		{"lldp-med phone", frame(
			tlv(tlvSystemCaps, 0x00, 0x24, 0x00, 0x24),
			org(ouiTIA, 1, 0x00, 0x33, 3),
			org(ouiTIA, 2, policy(1, 110, 5, 46)...),
			org(ouiTIA, 2, 2, 0x80, 0, 0), // unknown policy: skipped
			org(ouiTIA, 4, 0x51, 0x00, 0x41),
			org(ouiTIA, 5, str("HW 1.2\x00")...),
			org(ouiTIA, 6, str("FW 3.4")...),
			org(ouiTIA, 7, str(" SW 5.6 ")...),
			org(ouiTIA, 8, str("SN123")...),
			org(ouiTIA, 9, str("Acme Medical")...),
			org(ouiTIA, 10, str("Infuser 9000")...),
			org(ouiTIA, 11, str("TAG-0042")...),
			org(ouiTIA, 3, append([]byte{3}, "4405550100"...)...),
			org(ouiTIA, 3, append([]byte{2}, civicAddr...)...),
		), []string{
			"chassis_id", "node", "port_id", "p1",
			"capability", "bridge", "capability", "telephone",
			"med_device_type", "Endpoint Class III",
			"vlan", "voice:110",
			"med_power", "pd 6.5W",
			"hardware_version", "HW 1.2",
			"firmware_version", "FW 3.4",
			"software", "SW 5.6",
			"serial", "SN123",
			"manufacturer", "Acme Medical",
			"model", "Infuser 9000",
			"asset_id", "TAG-0042",
			"med_location", "elin:4405550100",
			"med_location", "civic:country=GB; city=Leeds; building=St Mary; floor=2; room=ICU4",
		}},
		{"chassis subtypes and text clean-up", append(append(
			tlv(tlvChassisID, append([]byte{5, 2}, netip.MustParseAddr("fe80::1").AsSlice()...)...),
			tlv(tlvPortID, 6, 0x01, 0x02, 0xff)...),
			append(tlv(tlvTTL, 0, 120), append(
				tlv(tlvSystemName, str("\x00 ward\tbox\r\n\xff\x00")...),
				tlv(tlvSystemDesc, str("caf\xc3\xa9  one\x01two")...)...)...)...),
			[]string{
				"chassis_id", "fe80::1", "port_id", "0102ff",
				"hostname", "ward box ?", "description", "café one two",
			}},
		{"binary chassis id as hex", append(append(
			tlv(tlvChassisID, 1, 0x00, 0x01, 0x1f),
			tlv(tlvPortID, 3, 0xde, 0xad)...), tlv(tlvTTL, 0, 0)...),
			[]string{"chassis_id", "00011f", "port_id", "dead"}},
		{"router and vlans", frame(
			tlv(tlvSystemCaps, 0x07, 0xff, 0x04, 0x11),
			org(ouiIEEE8021, 1, 0, 0), // pvid 0: unknown, skipped
			org(ouiIEEE8021, 2, 0x06, 0x00, 20),
			org(ouiIEEE8021, 3, 0x00, 10, 8, 'C', 'l', 'i', 'n', 'i', 'c', 'a', 'l'),
			org(ouiIEEE8023, 2, 0x0e, 1, 4),
			org([3]byte{1, 2, 3}, 9, 1, 2, 3), // unknown oui
		), []string{
			"chassis_id", "node", "port_id", "p1",
			"capability", "other", "capability", "router", "capability", "tpmr",
			"router", "yes",
			"vlan", "ppvid:20",
			"vlan_name", "10:Clinical",
			"poe", "pd class 3",
		}},
		{"no end tlv", frame()[:len(frame())-2], []string{"chassis_id", "node", "port_id", "p1"}},
	}
	mac := dissect.MAC{0x00, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f}
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
	readHex := func(name string) []byte { return dissecttest.Hex(t, "testdata/"+name) }
	tests := []struct {
		name    string
		payload []byte
		offset  int
		facts   int // facts expected before the error
	}{
		{"real: starts with type 24", readHex("malformed_hoobr_safeputs.hex"), 0, 0},
		{"real: starts with org tlv", readHex("malformed_lldp_8023_mtu-oobr.hex"), 0, 0},
		{"real: port id missing", readHex("malformed_lldp_asan.hex"), 8, 1},
		{"real: starts with mgmt address", readHex("malformed_lldp_mgmt_addr_tlv_asan.hex"), 0, 0},
		{"real: link aggregation first", readHex("tcpdump_lldp_8021_linkagg_1.hex"), 0, 0},
		{"one byte", []byte{0x02}, 0, 0},
		{"length past end", []byte{0x02, 0x07, 0x04, 0x00}, 0, 0},
		{"empty chassis id", tlv(tlvChassisID), 2, 0},
		{"short port id", append(tlv(tlvChassisID, 7, 'x'), tlv(tlvPortID, 7)...), 6, 1},
		{"caps wrong length", frame(tlv(tlvSystemCaps, 0, 4)), 18, 2},
		{"mgmt address length too big", frame(tlv(tlvMgmtAddress, 9, 1, 10, 0, 0, 1)), 18, 2},
		{"short org tlv", frame(tlv(tlvOrgSpecific, 0x00, 0x80, 0xc2)), 18, 2},
		{"pvid short", frame(org(ouiIEEE8021, 1, 7)), 22, 2},
		{"vlan name too long", frame(org(ouiIEEE8021, 3, 0, 1, 9, 'a')), 22, 2},
		{"mac/phy short", frame(org(ouiIEEE8023, 1, 3, 0)), 22, 2},
		{"max frame size short", frame(org(ouiIEEE8023, 4, 5)), 22, 2},
		{"poe short", frame(org(ouiIEEE8023, 2, 1)), 22, 2},
		{"med caps short", frame(org(ouiTIA, 1, 0)), 22, 2},
		{"med policy short", frame(org(ouiTIA, 2, 1, 2)), 22, 2},
		{"med power short", frame(org(ouiTIA, 4, 1)), 22, 2},
		{"med location empty", frame(org(ouiTIA, 3)), 22, 2},
		{"civic lci too long", frame(org(ouiTIA, 3, 2, 40, 0, 'G', 'B')), 23, 2},
		{"civic element cut", frame(org(ouiTIA, 3, 2, 6, 0, 'G', 'B', 3, 9, 'L')), 27, 3},
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
	p := dissecttest.Hex(b, "testdata/tcpdump_lldp_and_cdp_3.hex")
	ctx := &dissect.Context{Src: dissect.Endpoint{MAC: dissect.MAC{0, 0x19, 0x2f, 0xa7, 0xb2, 0x8d}}}
	out := make([]dissect.Fact, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		out, _ = Dissect(ctx, p, out[:0])
	}
}
