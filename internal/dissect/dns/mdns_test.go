package dns

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

func mdnsCtx(mac, ip string) *dissect.Context {
	return &dissect.Context{Src: ep(mac, ip), SrcPort: 5353, DstPort: 5353}
}

func TestDissectMDNSReal(t *testing.T) {
	const (
		johanna = "johanna-QEMU-Virtual-Machine"
		v6a     = "fd52:429e:c03c:8235:883c:d6ff:fee1:4dc4"
		v6b     = "fd52:429e:c03c:8235:5968:5bc6:1563:f82f"
	)
	qemu4 := mdnsCtx("8a:3c:d6:e1:4d:c4", "10.0.2.7")
	qemu6 := mdnsCtx("8a:3c:d6:e1:4d:c4", v6a)
	gemini := mdnsCtx("00:17:f2:d7:cf:65", "fe80::217:f2ff:fed7:cf65")
	ipad := mdnsCtx("", "fe80::a667:6ff:fef7:ec54")
	tangent := mdnsCtx("00:50:56:c0:00:08", "172.16.238.1")
	macbook := mdnsCtx("", "192.168.0.29")
	hi, med, low := dissect.High, dissect.Medium, dissect.Low
	host := func(c *dissect.Context, name string) []dissect.Fact {
		return []dissect.Fact{
			f(c.Src, "mdns", dissect.KeyHostname, name, hi),
			f(c.Src, "mdns", dissect.KeyFQDN, name+".local", hi),
		}
	}
	other := func(ip, name string) dissect.Fact {
		return f(ipOnly(ip), "mdns", dissect.KeyDNSName, strings.ToLower(name)+".local", med)
	}
	query := func(c *dissect.Context, svc string) dissect.Fact {
		return f(c.Src, "mdns", KeyMDNSQuery, svc, low)
	}
	cat := func(fs ...any) []dissect.Fact {
		var out []dissect.Fact
		for _, x := range fs {
			switch v := x.(type) {
			case dissect.Fact:
				out = append(out, v)
			case []dissect.Fact:
				out = append(out, v...)
			}
		}
		return out
	}
	tests := []struct {
		name string
		file string
		ctx  *dissect.Context
		want []dissect.Fact
	}{
		{"response over ipv4", "mdns_resp_v4", qemu4,
			cat(other(v6a, johanna), other(v6b, johanna), host(qemu4, johanna))},
		{"response over ipv6", "mdns_resp_v6", qemu6, cat(host(qemu6, johanna), other(v6b, johanna))},
		{"reverse ptr first", "mdns_resp_ptr", qemu4,
			cat(other(v6a, johanna), host(qemu4, johanna), other(v6b, johanna))},
		{"probe authority", "mdns_probe", qemu4,
			cat(host(qemu4, johanna), other(v6b, johanna), other(v6a, johanna))},
		{"service query", "mdns_query_ipp", qemu4,
			cat(query(qemu4, "_ipp._tcp"), query(qemu4, "_ipps._tcp"))},
		{"srv and host", "mdns_srv_gemini", gemini, cat(
			f(gemini.Src, "mdns", dissect.KeyService, "_sftp-ssh._tcp", hi),
			f(gemini.Src, "mdns", KeyMDNSInstance, "gemini", hi),
			host(gemini, "gemini"),
			other("141.142.220.50", "gemini"))},
		{"txt query", "mdns_query_txt", mdnsCtx("00:16:76:23:d9:e3", "141.142.220.44"), nil},
		{"ipad over wlan", "mdns_ipad", ipad,
			cat(host(ipad, "Art-Teachers-iPad"), other("172.17.156.80", "Art-Teachers-iPad"))},
		{"reverse ptr only", "mdns_ptr_tangent", tangent, host(tangent, "tangent")},
		{"known answers ignored", "mdns_query_knownanswer", macbook, cat(
			query(macbook, "_afpovertcp._tcp"), query(macbook, "_smb._tcp"),
			query(macbook, "_rfb._tcp"), query(macbook, "_adisk._tcp"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DissectMDNS(tt.ctx, dissecttest.Hex(t, "testdata/"+tt.file+".hex"), nil)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
		})
	}
}

// printerResponse is a DNS-SD announcement like those of network printers,
// with a TXT record that mixes identity keys with keys that must not leak.
func printerResponse() []byte {
	inst := []string{"HP LaserJet 400 M401dne [A1.B2]", "_ipp", "_tcp", "local"}
	srv := append([]byte{0, 0, 0, 0, 0x02, 0x77}, wireName("NPI123456", "local")...)
	m := newMsg(0x8400, 0, 6, 0, 0)
	m.name("_services._dns-sd._udp.local").rr(TypePTR, ClassIN, wireName("_ipp", "_tcp", "local"))
	m.name("_ipp._tcp.local").rr(TypePTR, ClassIN, wireName(inst...))
	m.labels(inst...).rr(TypeSRV, ClassIN|0x8000, srv)
	m.labels(inst...).rr(TypeTXT, ClassIN|0x8000, txtData("txtvers=1",
		"ty=HP LaserJet 400 M401dne", "product=(HP LaserJet 400 M401dne)", "usb_MFG=HP",
		"usb_MDL=HP LaserJet 400 M401dne", "note=Ward 5", "pk=secret-key", "sn=",
		"adminurl=http://npi/secret"))
	m.name("NPI123456.local").rr(TypeA, ClassIN|0x8000, []byte{10, 0, 0, 9})
	m.name("NPI123456.local").rr(TypeHINFO, ClassIN, txtData("ARMV7", "LINUX"))
	return m.b
}

// airplayResponse is an AirPlay TXT record.
func airplayResponse() []byte {
	m := newMsg(0x8400, 0, 1, 0, 0)
	m.labels("Living Room", "_airplay", "_tcp", "local").rr(TypeTXT, ClassIN, txtData(
		"deviceid=58:55:CA:1A:E3:88", "features=0x5A7FFFF7,0x1E", "model=AppleTV3,2",
		"srcvers=220.68", "osxvers=18", "pk=0123456789abcdef", "fv=p20.T8.2", "=x", "novalue"))
	return m.b
}

func TestDissectMDNSServices(t *testing.T) {
	ctx := mdnsCtx("00:11:22:33:44:55", "10.0.0.9")
	hi := dissect.High
	src := func(key, value string) dissect.Fact { return f(ctx.Src, "mdns", key, value, hi) }
	tests := []struct {
		name string
		msg  []byte
		want []dissect.Fact
	}{
		{"printer", printerResponse(), []dissect.Fact{
			src(dissect.KeyService, "_ipp._tcp"),
			src(KeyMDNSInstance, "HP LaserJet 400 M401dne [A1.B2]"),
			src(dissect.KeyModel, "HP LaserJet 400 M401dne"),
			src(KeyMDNSTXT, "ty=HP LaserJet 400 M401dne"),
			src(KeyMDNSTXT, "product=(HP LaserJet 400 M401dne)"),
			src(dissect.KeyManufacturer, "HP"),
			src(KeyMDNSTXT, "usb_MFG=HP"),
			src(KeyMDNSTXT, "usb_MDL=HP LaserJet 400 M401dne"),
			src(KeyMDNSTXT, "note=Ward 5"),
			src(dissect.KeyHostname, "NPI123456"),
			src(dissect.KeyFQDN, "NPI123456.local"),
			f(ctx.Src, "mdns", KeyHINFO, "ARMV7/LINUX", dissect.Medium),
		}},
		{"airplay", airplayResponse(), []dissect.Fact{
			src(KeyMDNSTXT, "deviceid=58:55:CA:1A:E3:88"),
			src(dissect.KeyModel, "AppleTV3,2"),
			src(KeyMDNSTXT, "model=AppleTV3,2"),
			src(dissect.KeySoftware, "220.68"),
			src(KeyMDNSTXT, "srcvers=220.68"),
			src(dissect.KeyOS, "Darwin 18"),
			src(KeyMDNSTXT, "osxvers=18"),
			src(dissect.KeyFirmware, "p20.T8.2"),
			src(KeyMDNSTXT, "fv=p20.T8.2"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DissectMDNS(ctx, tt.msg, nil)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
			for _, x := range got {
				if strings.Contains(x.Value, "secret") || strings.Contains(x.Value, "0123456789") {
					t.Errorf("got fact %v carrying a key or token", x)
				}
			}
		})
	}
}

func TestDissectMDNSMalformed(t *testing.T) {
	ctx := mdnsCtx("", "10.0.0.9")
	tests := []struct {
		name string
		msg  []byte
	}{
		{"txt string overruns", newMsg(0x8400, 0, 1, 0, 0).name("a._ipp._tcp.local").
			rr(TypeTXT, ClassIN, []byte{9, 'm', 'd', '='}).b},
		{"srv too short", newMsg(0x8400, 0, 1, 0, 0).name("a._ipp._tcp.local").
			rr(TypeSRV, ClassIN, []byte{0, 0, 0, 0}).b},
		{"hinfo one string", newMsg(0x8400, 0, 1, 0, 0).name("h.local").
			rr(TypeHINFO, ClassIN, txtData("ARM")).b},
		{"ptr data not a name", newMsg(0x8400, 0, 1, 0, 0).name("_ipp._tcp.local").
			rr(TypePTR, ClassIN, []byte{5, 'a'}).b},
		{"reserved label type", newMsg(0x8400, 0, 1, 0, 0).raw(0x40, 1).
			rr(TypeA, ClassIN, []byte{10, 0, 0, 9}).b},
		{"question cut", newMsg(0, 1, 0, 0, 0).name("_ipp._tcp.local").raw(0, 12).b},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DissectMDNS(ctx, tt.msg, nil)
			if err == nil {
				t.Errorf("got no error (facts %v), want one", got)
			}
			dissecttest.CheckFacts(t, got)
		})
	}
}

func TestMDNSQueryCap(t *testing.T) {
	m := newMsg(0, 40, 0, 0, 0)
	for i := range 40 {
		svc := "_s" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		m.labels(svc, "_tcp", "local").question(TypePTR, ClassIN)
	}
	got, err := DissectMDNS(mdnsCtx("", "10.0.0.9"), m.b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != maxQueries {
		t.Errorf("got %d facts, want %d", len(got), maxQueries)
	}
}

func TestDissectLLMNR(t *testing.T) {
	scv := &dissect.Context{Src: ep("00:50:56:c0:00:01", "192.168.199.1"), SrcPort: 5355}
	asker := &dissect.Context{Src: ep("00:0c:29:03:df:ad", "169.254.195.103"), DstPort: 5355}
	tests := []struct {
		name string
		file string
		ctx  *dissect.Context
		want []dissect.Fact
	}{
		{"response with own address", "llmnr_resp_a", scv, []dissect.Fact{
			f(scv.Src, "llmnr", dissect.KeyHostname, "SCV", dissect.High),
		}},
		{"response with other address", "llmnr_resp_aaaa", scv, []dissect.Fact{
			f(scv.Src, "llmnr", dissect.KeyHostname, "SCV", dissect.High),
			f(ipOnly("fe80::78da:c04d:12da:8a08"), "llmnr", dissect.KeyDNSName, "scv", dissect.Medium),
		}},
		{"query", "llmnr_query_wpad", asker, []dissect.Fact{
			f(asker.Src, "llmnr", KeyLLMNRQuery, "wpad", dissect.Low),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DissectLLMNR(tt.ctx, dissecttest.Hex(t, "testdata/"+tt.file+".hex"), nil)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
		})
	}
}

func BenchmarkDissectMDNS(b *testing.B) {
	p := printerResponse()
	ctx := mdnsCtx("00:11:22:33:44:55", "10.0.0.9")
	out := make([]dissect.Fact, 0, 32)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		out, _ = DissectMDNS(ctx, p, out[:0])
	}
}

func BenchmarkDissectMDNSReal(b *testing.B) {
	p := dissecttest.Hex(b, "testdata/mdns_resp_v4.hex")
	ctx := mdnsCtx("8a:3c:d6:e1:4d:c4", "10.0.2.7")
	out := make([]dissect.Fact, 0, 32)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		out, _ = DissectMDNS(ctx, p, out[:0])
	}
}

func BenchmarkDissectLLMNR(b *testing.B) {
	p := dissecttest.Hex(b, "testdata/llmnr_resp_aaaa.hex")
	ctx := &dissect.Context{Src: ep("00:50:56:c0:00:01", "192.168.199.1"), SrcPort: 5355}
	out := make([]dissect.Fact, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		out, _ = DissectLLMNR(ctx, p, out[:0])
	}
}
