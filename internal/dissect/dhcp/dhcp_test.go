package dhcp

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// testCtx builds a Context from "mac ip" pairs for source and destination;
// any part may be empty.
func testCtx(srcMAC, srcIP, dstMAC, dstIP string) *dissect.Context {
	return &dissect.Context{
		Src: dissecttest.Endpoint(srcMAC, srcIP),
		Dst: dissecttest.Endpoint(dstMAC, dstIP),
	}
}

// f4 and f6 build expected DHCPv4 and DHCPv6 facts about mac and ip.
func f4(mac, ip, key, value string, c dissect.Confidence) dissect.Fact {
	return dissecttest.Fact(dissecttest.Endpoint(mac, ip), "dhcp", key, value, c)
}

func f6(mac, ip, key, value string, c dissect.Confidence) dissect.Fact {
	return dissecttest.Fact(dissecttest.Endpoint(mac, ip), "dhcpv6", key, value, c)
}

// realCases are payloads from the corpus (testdata/SOURCE.md). The values
// were checked against tshark's dhcp and dhcpv6 fields.
func realCases() []dissectCase {
	return []dissectCase{
		{
			name: "v4_request_msft", fn: DissectV4,
			ctx: testCtx("28:cf:da:dc:8d:76", "0.0.0.0", "ff:ff:ff:ff:ff:ff", "255.255.255.255"),
			want: []dissect.Fact{
				f4("28:cf:da:dc:8d:76", "", "hostname", "NicksMacBook", dissect.High),
				f4("28:cf:da:dc:8d:76", "", "requested_ip", "192.168.1.111", dissect.Medium),
				f4("28:cf:da:dc:8d:76", "",
					"dhcp_fingerprint", "1,15,3,6,44,46,47,31,33,121,249,43", dissect.High),
				f4("28:cf:da:dc:8d:76", "", "vendor_class", "MSFT 5.0", dissect.High),
				f4("28:cf:da:dc:8d:76", "", "client_id", "01:28:cf:da:dc:8d:76", dissect.High),
				f4("28:cf:da:dc:8d:76", "", "fqdn", "NicksMacBook", dissect.High),
			},
		},
		{
			name: "v4_request_nas", fn: DissectV4,
			ctx: testCtx("00:11:32:17:49:f0", "10.16.1.4", "a0:36:9f:4c:4c:28", "10.16.1.1"),
			want: []dissect.Fact{
				f4("00:11:32:17:49:f0", "10.16.1.4", "hostname", "nas1", dissect.High),
				f4("00:11:32:17:49:f0", "10.16.1.4",
					"dhcp_fingerprint", "1,28,2,3,15,6,12", dissect.High),
				f4("00:11:32:17:49:f0", "10.16.1.4",
					"client_id", "01:00:11:32:17:49:f0", dissect.High),
			},
		},
		{
			name: "v4_ack_nas", fn: DissectV4,
			ctx: testCtx("a0:36:9f:4c:4c:28", "10.16.1.1", "00:11:32:17:49:f0", "10.16.1.4"),
			want: []dissect.Fact{
				f4("a0:36:9f:4c:4c:28", "10.16.1.1", "dhcp_server", "yes", dissect.High),
				f4("00:11:32:17:49:f0", "10.16.1.4", "assigned_ip", "10.16.1.4", dissect.High),
				f4("00:11:32:17:49:f0", "10.16.1.4", "lease_time", "3600", dissect.Medium),
				f4("00:11:32:17:49:f0", "10.16.1.4", "gateway", "10.16.1.1", dissect.Medium),
				f4("", "10.16.1.1", "router", "yes", dissect.Medium),
				f4("00:11:32:17:49:f0", "10.16.1.4", "dns_servers", "10.16.1.1", dissect.Medium),
				f4("00:11:32:17:49:f0", "10.16.1.4", "domain", "unx.ca", dissect.Medium),
			},
		},
		{
			name: "v4_discover_overload_both", fn: DissectV4,
			ctx: testCtx("00:00:6c:82:dc:4e", "0.0.0.0", "ff:ff:ff:ff:ff:ff", "255.255.255.255"),
			want: []dissect.Fact{
				f4("00:00:6c:82:dc:4e", "", "dhcp_fingerprint", "1,28,3,43", dissect.High),
				f4("00:00:6c:82:dc:4e", "", "client_id", "01:00:00:6c:82:dc:4e", dissect.High),
			},
		},
		{
			name: "v4_offer_overload_sname", fn: DissectV4,
			ctx: testCtx("3e:be:bd:cc:a6:d6", "10.100.0.2", "ff:ff:ff:ff:ff:ff", "255.255.255.255"),
			want: []dissect.Fact{
				f4("3e:be:bd:cc:a6:d6", "10.100.0.2", "dhcp_server", "yes", dissect.High),
				f4("92:dd:a4:8d:5f:de", "10.100.0.50", "offered_ip", "10.100.0.50", dissect.Medium),
				f4("92:dd:a4:8d:5f:de", "10.100.0.50", "lease_time", "300", dissect.Medium),
				f4("92:dd:a4:8d:5f:de", "10.100.0.50", "gateway", "10.100.0.2", dissect.Medium),
				f4("", "10.100.0.2", "router", "yes", dissect.Medium),
				f4("92:dd:a4:8d:5f:de", "10.100.0.50", "dns_servers", "10.100.0.2", dissect.Medium),
				f4("92:dd:a4:8d:5f:de", "10.100.0.50", "domain", "evil.corp", dissect.Medium),
			},
		},
		{
			name: "v4_request_relayed", fn: DissectV4,
			ctx: testCtx("00:23:eb:10:2c:29", "62.12.173.121",
				"00:23:54:c2:57:02", "62.12.173.114"),
			want: []dissect.Fact{
				f4("b8:27:eb:b8:53:c8", "62.12.173.123", "hostname", "raspberrypi", dissect.High),
				f4("b8:27:eb:b8:53:c8", "62.12.173.123",
					"dhcp_fingerprint", "1,121,33,3,6,12,15,28,42,51,54,58,59,100,101,119", dissect.High),
				f4("b8:27:eb:b8:53:c8", "62.12.173.123",
					"vendor_class", "dhcpcd-6.11.5:Linux-4.1.18-v7+:armv7l:BCM2709", dissect.High),
				f4("b8:27:eb:b8:53:c8", "62.12.173.123",
					"client_id", "01:b8:27:eb:b8:53:c8", dissect.High),
				f4("00:23:eb:10:2c:29", "62.12.173.121", "relay", "yes", dissect.Medium),
			},
		},
		{
			name: "v4_ack_relayed", fn: DissectV4,
			ctx: testCtx("00:23:54:c2:57:02", "62.12.173.114",
				"00:23:eb:10:2c:29", "62.12.173.121"),
			want: []dissect.Fact{
				f4("00:23:54:c2:57:02", "62.12.173.114", "dhcp_server", "yes", dissect.High),
				f4("b8:27:eb:b8:53:c8", "62.12.173.123",
					"assigned_ip", "62.12.173.123", dissect.High),
				f4("b8:27:eb:b8:53:c8", "62.12.173.123", "lease_time", "600", dissect.Medium),
				f4("b8:27:eb:b8:53:c8", "62.12.173.123",
					"gateway", "62.12.173.121", dissect.Medium),
				f4("", "62.12.173.121", "router", "yes", dissect.Medium),
				f4("b8:27:eb:b8:53:c8", "62.12.173.123",
					"dns_servers", "62.12.173.114", dissect.Medium),
				f4("b8:27:eb:b8:53:c8", "62.12.173.123",
					"domain", "ofcourseimright.com", dissect.Medium),
				f4("", "62.12.173.121", "relay", "yes", dissect.Medium),
			},
		},
		{
			name: "v4_discover_zeek", fn: DissectV4,
			ctx: testCtx("90:b1:1c:99:49:29", "0.0.0.0", "ff:ff:ff:ff:ff:ff", "255.255.255.255"),
			want: []dissect.Fact{
				f4("90:b1:1c:99:49:29", "", "hostname", "btest.is.cool", dissect.High),
				f4("90:b1:1c:99:49:29", "", "requested_ip", "192.168.211.194", dissect.Medium),
			},
		},
		{
			name: "v4_offer_zeek", fn: DissectV4,
			ctx: testCtx("00:0c:29:40:0e:ef", "128.2.6.152", "90:b1:1c:99:49:29", "128.2.6.97"),
			want: []dissect.Fact{
				f4("00:0c:29:40:0e:ef", "128.2.6.152", "dhcp_server", "yes", dissect.High),
				f4("90:b1:1c:99:49:29", "128.2.6.97", "offered_ip", "128.2.6.97", dissect.Medium),
				f4("90:b1:1c:99:49:29", "128.2.6.97", "lease_time", "900", dissect.Medium),
				f4("90:b1:1c:99:49:29", "128.2.6.97", "gateway", "128.2.6.1", dissect.Medium),
				f4("", "128.2.6.1", "router", "yes", dissect.Medium),
				f4("90:b1:1c:99:49:29", "128.2.6.97",
					"dns_servers", "128.2.1.11,128.2.1.10", dissect.Medium),
				f4("90:b1:1c:99:49:29", "128.2.6.97", "domain", "cmu.edu", dissect.Medium),
			},
		},
		{
			name: "v4_nak_zeek", fn: DissectV4,
			ctx: testCtx("00:0c:29:40:0e:ef", "128.2.6.152",
				"ff:ff:ff:ff:ff:ff", "255.255.255.255"),
			want: []dissect.Fact{
				f4("00:0c:29:40:0e:ef", "128.2.6.152", "dhcp_server", "yes", dissect.High),
			},
		},
		{
			name: "v4_discover_clientid", fn: DissectV4,
			ctx: testCtx("00:0a:28:00:fa:41", "0.0.0.0", "ff:ff:ff:ff:ff:ff", "255.255.255.255"),
			want: []dissect.Fact{
				f4("00:0b:82:01:fc:42", "", "hostname", "test0000", dissect.High),
				f4("00:0b:82:01:fc:42", "", "requested_ip", "208.67.222.222", dissect.Medium),
				f4("00:0b:82:01:fc:42", "", "dhcp_fingerprint", "1,3,6,42", dissect.High),
				f4("00:0b:82:01:fc:42", "", "client_id", "01:00:0b:82:01:fc:42", dissect.High),
			},
		},
		{
			name: "v4_discover_userclass", fn: DissectV4,
			ctx: testCtx("00:0c:29:1f:74:06", "0.0.0.0", "ff:ff:ff:ff:ff:ff", "255.255.255.255"),
			want: []dissect.Fact{
				f4("00:0c:29:1f:74:06", "", "requested_ip", "192.168.1.4", dissect.Medium),
				f4("00:0c:29:1f:74:06", "", "dhcp_fingerprint", "1,28,2,3,15,6,12", dissect.High),
				f4("00:0c:29:1f:74:06", "",
					"user_class", "subopt1,subopt2-123456789,subopt3-12", dissect.Medium),
			},
		},
		{
			name: "v4_request_hwtype0", fn: DissectV4,
			ctx: testCtx("cc:00:0a:c4:00:00", "192.168.0.3", "cc:01:0a:c4:00:00", "192.168.0.1"),
			want: []dissect.Fact{
				f4("cc:00:0a:c4:00:00", "192.168.0.3", "hostname", "R0", dissect.High),
				f4("cc:00:0a:c4:00:00", "192.168.0.3",
					"dhcp_fingerprint", "1,6,15,44,3,33,150,43", dissect.High),
				f4("cc:00:0a:c4:00:00", "192.168.0.3",
					"client_id", "00:63:69:73:63:6f:2d:63:63:30:30:2e:30:61:63:34:2e:30:30:30:30:2d:46:61:30:2f:30", dissect.High),
			},
		},
		{
			name: "v4_asan1", fn: DissectV4,
			ctx:     testCtx("", "", "", ""),
			wantErr: true,
		},
		{
			name: "v4_asan2", fn: DissectV4,
			ctx:     testCtx("", "", "", ""),
			wantErr: true,
		},
		{
			name: "v4_bad_cookie", fn: DissectV4,
			ctx:     testCtx("", "", "", ""),
			wantErr: true,
		},
		{
			name: "v6_solicit_msft", fn: DissectV6,
			ctx: testCtx("68:5d:43:8b:f9:de", "fe80::9154:c66f:8d0e:33cb",
				"33:33:00:01:00:02", "ff02::1:2"),
			want: []dissect.Fact{
				f6("68:5d:43:8b:f9:de", "fe80::9154:c66f:8d0e:33cb",
					"duid", "00:01:00:01:17:71:b6:01:08:2e:5f:76:32:97", dissect.High),
				f6("68:5d:43:8b:f9:de", "fe80::9154:c66f:8d0e:33cb",
					"duid_mac", "08:2e:5f:76:32:97", dissect.High),
				f6("68:5d:43:8b:f9:de", "fe80::9154:c66f:8d0e:33cb",
					"fqdn", "jaekuryu-HP", dissect.High),
				f6("68:5d:43:8b:f9:de", "fe80::9154:c66f:8d0e:33cb",
					"vendor_class", "311:MSFT 5.0", dissect.High),
				f6("68:5d:43:8b:f9:de", "fe80::9154:c66f:8d0e:33cb",
					"dhcp_fingerprint", "24,23,17,39", dissect.High),
			},
		},
		{
			name: "v6_solicit_ll", fn: DissectV6,
			ctx: testCtx("00:01:02:03:04:05", "fe80::201:2ff:fe03:405",
				"33:33:00:01:00:02", "ff02::1:2"),
			want: []dissect.Fact{
				f6("00:01:02:03:04:05", "fe80::201:2ff:fe03:405",
					"duid", "00:03:00:01:00:01:02:03:04:05", dissect.High),
				f6("00:01:02:03:04:05", "fe80::201:2ff:fe03:405",
					"duid_mac", "00:01:02:03:04:05", dissect.High),
				f6("00:01:02:03:04:05", "fe80::201:2ff:fe03:405",
					"dhcp_fingerprint", "23,24", dissect.High),
			},
		},
		{
			name: "v6_advertise", fn: DissectV6,
			ctx: testCtx("00:11:22:33:44:55", "fe80::211:22ff:fe33:4455",
				"00:01:02:03:04:05", "fe80::201:2ff:fe03:405"),
			want: []dissect.Fact{
				f6("00:11:22:33:44:55", "fe80::211:22ff:fe33:4455",
					"dhcp_server", "yes", dissect.High),
				f6("00:01:02:03:04:05", "fe80::201:2ff:fe03:405",
					"offered_ip", "2a00:1:1:200:38e6:b22e:c440:acdf", dissect.High),
				f6("00:11:22:33:44:55", "fe80::211:22ff:fe33:4455",
					"duid", "00:01:00:01:18:46:48:8c:00:11:22:33:44:55", dissect.High),
				f6("00:11:22:33:44:55", "fe80::211:22ff:fe33:4455",
					"duid_mac", "00:11:22:33:44:55", dissect.High),
			},
		},
		{
			name: "v6_reply", fn: DissectV6,
			ctx: testCtx("00:11:22:33:44:55", "fe80::211:22ff:fe33:4455",
				"00:01:02:03:04:05", "fe80::201:2ff:fe03:405"),
			want: []dissect.Fact{
				f6("00:11:22:33:44:55", "fe80::211:22ff:fe33:4455",
					"dhcp_server", "yes", dissect.High),
				f6("00:01:02:03:04:05", "fe80::201:2ff:fe03:405",
					"assigned_ip", "2a00:1:1:200:38e6:b22e:c440:acdf", dissect.High),
				f6("00:11:22:33:44:55", "fe80::211:22ff:fe33:4455",
					"duid", "00:01:00:01:18:46:48:8c:00:11:22:33:44:55", dissect.High),
				f6("00:11:22:33:44:55", "fe80::211:22ff:fe33:4455",
					"duid_mac", "00:11:22:33:44:55", dissect.High),
			},
		},
		{
			name: "v6_relay_forw", fn: DissectV6,
			ctx: testCtx("00:23:eb:10:2c:29", "2001:8a8:1006:4:223:ebff:fe10:2c29",
				"00:23:54:c2:57:02", "2001:8a8:1006:4:223:54ff:fec2:5702"),
			want: []dissect.Fact{
				f6("00:23:eb:10:2c:29", "2001:8a8:1006:4:223:ebff:fe10:2c29",
					"relay", "yes", dissect.Medium),
				f6("", "fe80::ba27:ebff:feb8:53c8",
					"duid", "00:01:00:01:1e:62:77:0b:b8:27:eb:b8:53:c8", dissect.High),
				f6("", "fe80::ba27:ebff:feb8:53c8", "duid_mac", "b8:27:eb:b8:53:c8", dissect.High),
				f6("", "fe80::ba27:ebff:feb8:53c8",
					"vendor_class", "40712:dhcpcd-6.11.5:Linux-4.1.18-v7+:armv7l:BCM2709", dissect.High),
				f6("", "fe80::ba27:ebff:feb8:53c8", "fqdn", "raspberrypi", dissect.High),
				f6("", "fe80::ba27:ebff:feb8:53c8",
					"dhcp_fingerprint", "23,24,31,39,82,83", dissect.High),
			},
		},
		{
			name: "v6_relay_forw_docsis", fn: DissectV6,
			ctx: testCtx("00:17:10:00:62:28", "fc00:502:411:1::1",
				"00:25:45:23:36:c0", "fc00:502:400:0:10:32:0:69"),
			want: []dissect.Fact{
				f6("00:17:10:00:62:28", "fc00:502:411:1::1", "relay", "yes", dissect.Medium),
				f6("", "fc00:502:411:1::1", "vendor_class", "4491:docsis3.0", dissect.High),
				f6("", "fc00:502:411:1::1", "dhcp_fingerprint", "17", dissect.High),
				f6("", "fc00:502:411:1::1", "vendor_enterprise", "4491", dissect.Medium),
				f6("", "fc00:502:411:1::1", "duid", "00:03:00:01:54:d4:6f:fa:10:9a", dissect.High),
				f6("", "fc00:502:411:1::1", "duid_mac", "54:d4:6f:fa:10:9a", dissect.High),
			},
		},
		{
			name: "v6_request_duid_en", fn: DissectV6,
			ctx: testCtx("00:00:01:01:00:00", "fe80::200:1ff:fe01:0",
				"33:33:00:01:00:02", "ff02::1:2"),
			want: []dissect.Fact{
				f6("00:00:01:01:00:00", "fe80::200:1ff:fe01:0",
					"vendor_enterprise", "30065", dissect.Medium),
				f6("00:00:01:01:00:00", "fe80::200:1ff:fe01:0",
					"duid", "00:02:00:00:75:71:48:53:48:31:34:34:32:35:31:34:38", dissect.High),
				f6("00:00:01:01:00:00", "fe80::200:1ff:fe01:0",
					"dhcp_fingerprint", "59,136,24,23", dissect.High),
				f6("00:00:01:01:00:00", "fe80::200:1ff:fe01:0",
					"user_class", "Arista", dissect.Medium),
			},
		},
		{
			name: "v6_solicit_fqdn", fn: DissectV6,
			ctx: testCtx("08:00:27:16:66:59", "fe80::2420:6e35:589:63fe",
				"33:33:00:01:00:02", "ff02::1:2"),
			want: []dissect.Fact{
				f6("08:00:27:16:66:59", "fe80::2420:6e35:589:63fe",
					"duid", "00:01:00:01:21:69:76:73:08:00:27:16:66:59", dissect.High),
				f6("08:00:27:16:66:59", "fe80::2420:6e35:589:63fe",
					"duid_mac", "08:00:27:16:66:59", dissect.High),
				f6("08:00:27:16:66:59", "fe80::2420:6e35:589:63fe",
					"fqdn", "DC1.contoso.local", dissect.High),
				f6("08:00:27:16:66:59", "fe80::2420:6e35:589:63fe",
					"vendor_class", "311:MSFT 5.0", dissect.High),
				f6("08:00:27:16:66:59", "fe80::2420:6e35:589:63fe",
					"dhcp_fingerprint", "24,23,17,39", dissect.High),
			},
		},
		{
			name: "v6_reconf_asan", fn: DissectV6,
			ctx:     testCtx("", "", "", ""),
			wantErr: true,
		},
	}
}

type dissectCase struct {
	name    string
	fn      dissect.DatagramFunc
	ctx     *dissect.Context
	payload []byte // when nil, testdata/name.hex
	want    []dissect.Fact
	wantErr bool
}

func runCases(t *testing.T, cases []dissectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.payload
			if p == nil {
				p = dissecttest.Hex(t, "testdata/"+tc.name+".hex")
			}
			got, err := tc.fn(tc.ctx, p, nil)
			if (err != nil) != tc.wantErr {
				t.Errorf("got error %v, want error %t", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDissectReal(t *testing.T) {
	runCases(t, realCases())
}
