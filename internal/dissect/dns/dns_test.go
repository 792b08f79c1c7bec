package dns

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// Short names for the builders the tables below use again and again.
var (
	ep = dissecttest.Endpoint
	f  = dissecttest.Fact
)

// ipOnly is an Endpoint known only by its address.
func ipOnly(ip string) dissect.Endpoint { return ep("", ip) }

// Contexts of the real responses under testdata (see SOURCE.md).
var (
	vmwareDNS = &dissect.Context{Src: ep("00:50:56:fd:dc:57", "172.16.238.2"), SrcPort: 53,
		Dst: ep("00:0c:29:bd:6f:01", "172.16.238.131"), DstPort: 37846}
	ncsaDNS = &dissect.Context{Src: ep("00:13:7f:be:8c:ff", "141.142.2.2"), SrcPort: 53,
		Dst: ep("00:24:7e:e0:1d:b5", "141.142.220.118"), DstPort: 55092}
	sipDNS = &dissect.Context{Src: ep("00:30:54:00:34:56", "192.168.1.1"), SrcPort: 53,
		Dst: ep("00:e0:ed:01:6e:bd", "192.168.1.2"), DstPort: 2712}
	teredoDNS = &dissect.Context{Src: ep("00:1d:5a:dc:cf:f1", "192.168.2.1"), SrcPort: 53,
		Dst: ep("00:16:cf:41:9c:20", "192.168.2.16"), DstPort: 1920}
	mapiDNS = &dissect.Context{Src: ep("00:30:6e:06:b7:f5", "192.168.0.104"), SrcPort: 53,
		Dst: ep("00:30:48:27:5d:a6", "192.168.0.246"), DstPort: 41333}
	queryDNS = &dissect.Context{Src: ep("00:0f:35:bb:0b:40", "109.194.160.4"), SrcPort: 57766,
		Dst: ep("00:22:19:b6:7e:22", "95.211.92.14"), DstPort: 53}
)

func TestDissectDNSReal(t *testing.T) {
	med := dissect.Medium
	server := func(c *dissect.Context) dissect.Fact {
		return f(c.Src, "dns", KeyDNSServer, "yes", med)
	}
	name := func(ip, v string) dissect.Fact { return f(ipOnly(ip), "dns", dissect.KeyDNSName, v, med) }
	tests := []struct {
		name string
		file string
		ctx  *dissect.Context
		want []dissect.Fact
	}{
		{"cname then A, NS glue", "dns_cname_gstatic", vmwareDNS, []dissect.Fact{
			server(vmwareDNS),
			name("74.125.225.95", "gstaticssl.l.google.com"),
			name("74.125.225.95", "ssl.gstatic.com"),
			name("216.239.32.10", "ns1.google.com"),
			name("216.239.34.10", "ns2.google.com"),
			name("216.239.36.10", "ns3.google.com"),
			name("216.239.38.10", "ns4.google.com"),
		}},
		{"two cnames", "dns_cname_chain_meta", ncsaDNS, []dissect.Fact{
			server(ncsaDNS),
			name("208.80.152.2", "text.pmtpa.wikimedia.org"),
			name("208.80.152.2", "meta.wikimedia.org"),
			name("208.80.152.130", "ns0.wikimedia.org"),
			name("208.80.152.142", "ns1.wikimedia.org"),
			name("91.198.174.4", "ns2.wikimedia.org"),
		}},
		{"plain A with glue", "dns_glue_sip", sipDNS, []dissect.Fact{
			server(sipDNS),
			name("212.242.33.35", "sip.cybercity.dk"),
			name("212.242.41.248", "ns1.cybercity.dk"),
		}},
		{"ptr to loopback", "dns_ptr_localhost", sipDNS, []dissect.Fact{server(sipDNS)}},
		{"ptr", "dns_ptr_osage", vmwareDNS, []dissect.Fact{
			server(vmwareDNS),
			name("141.142.192.39", "osage-vm.ncsa.illinois.edu"),
			name("141.142.2.2", "ns0.ncsa.uiuc.edu"),
			name("141.142.230.144", "ns1.ncsa.uiuc.edu"),
		}},
		{"aaaa through cname", "dns_aaaa_ipv6google", teredoDNS, []dissect.Fact{
			server(teredoDNS),
			name("2001:4860:0:2001::68", "ipv6.l.google.com"),
			name("2001:4860:0:2001::68", "ipv6.google.com"),
			name("209.85.139.9", "a.l.google.com"),
			name("64.233.179.9", "b.l.google.com"),
			name("64.233.161.9", "c.l.google.com"),
			name("66.249.93.9", "d.l.google.com"),
			name("209.85.137.9", "e.l.google.com"),
			name("72.14.235.9", "f.l.google.com"),
			name("64.233.167.9", "g.l.google.com"),
		}},
		{"name error", "dns_nxdomain", mapiDNS, []dissect.Fact{server(mapiDNS)}},
		{"query", "dns_query_opt", queryDNS, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DissectDNS(tt.ctx, dissecttest.Hex(t, "testdata/"+tt.file+".hex"), nil)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDissectDNSEdge(t *testing.T) {
	ctx := &dissect.Context{Src: ep("", "10.0.0.53"), SrcPort: 53}
	a := []byte{10, 1, 2, 3}
	tests := []struct {
		name    string
		msg     []byte
		want    []dissect.Fact
		wantErr bool
	}{
		{
			name: "uppercase and compression pointer",
			msg: newMsg(0x8180, 1, 1, 0, 0).name("Pump-7.Ward.NHS.uk").question(1, 1).
				raw(0xc0, 12).rr(TypeA, ClassIN, a).b,
			want: []dissect.Fact{
				f(ctx.Src, "dns", KeyDNSServer, "yes", dissect.Medium),
				f(ipOnly("10.1.2.3"), "dns", dissect.KeyDNSName, "pump-7.ward.nhs.uk", dissect.Medium),
			},
		},
		{
			name: "ipv6 reverse",
			msg: newMsg(0x8180, 0, 1, 0, 0).
				name("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa").
				rr(TypePTR, ClassIN, wireName("mri", "example")).b,
			want: []dissect.Fact{
				f(ctx.Src, "dns", KeyDNSServer, "yes", dissect.Medium),
				f(ipOnly("2001:db8::1"), "dns", dissect.KeyDNSName, "mri.example", dissect.Medium),
			},
		},
		{
			name: "chaos class and unspecified address ignored",
			msg: newMsg(0x8180, 0, 2, 0, 0).
				name("a.example").rr(TypeA, 3, a).
				name("b.example").rr(TypeA, ClassIN, []byte{0, 0, 0, 0}).b,
			want: []dissect.Fact{f(ctx.Src, "dns", KeyDNSServer, "yes", dissect.Medium)},
		},
		{
			name:    "pointer loop",
			msg:     newMsg(0x8180, 0, 1, 0, 0).raw(0xc0, 12).rr(TypeA, ClassIN, a).b,
			want:    []dissect.Fact{f(ctx.Src, "dns", KeyDNSServer, "yes", dissect.Medium)},
			wantErr: true,
		},
		{
			name: "forward pointer",
			msg: newMsg(0x8180, 0, 1, 0, 0).raw(0xc0, 30).rr(TypeA, ClassIN, a).
				name("x.example").b,
			want:    []dissect.Fact{f(ctx.Src, "dns", KeyDNSServer, "yes", dissect.Medium)},
			wantErr: true,
		},
		{
			name: "record data overruns",
			msg: newMsg(0x8180, 0, 1, 0, 0).name("x.example").
				u16(TypeA).u16(ClassIN).raw(0, 0, 0, 1, 0, 9, 10, 1).b,
			want:    []dissect.Fact{f(ctx.Src, "dns", KeyDNSServer, "yes", dissect.Medium)},
			wantErr: true,
		},
		{name: "short header", msg: []byte{0, 1, 0x81}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DissectDNS(ctx, tt.msg, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			var de *dissect.Error
			if err != nil && !errors.As(err, &de) {
				t.Errorf("got error of type %T, want *dissect.Error", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNameLimits(t *testing.T) {
	long := newMsg(0, 1, 0, 0, 0)
	for range 5 {
		long.raw(63).raw(make([]byte, 63)...)
	}
	long.raw(0).question(1, 1)
	var r Reader
	if err := r.Reset(long.b); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := r.Question(); ok || err == nil {
		t.Errorf("got ok=%v err=%v for a 320-byte name, want an error", ok, err)
	}

	// A chain of pointers each pointing back one step is bounded by
	// maxPointers even though each points backwards.
	chain := newMsg(0, 0, 0, 0, 0).raw(0)
	for i := range 40 {
		chain.raw(0xc0, byte(12+2*i))
	}
	n := Name{msg: chain.b, off: len(chain.b) - 2}
	if _, err := n.Append(nil); err == nil {
		t.Errorf("got no error for %d chained pointers, want one", 40)
	}
}

func TestReverseAddr(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for not a reverse name
	}{
		{"4.3.2.1.in-addr.arpa", "1.2.3.4"},
		{"4.3.2.1.IN-ADDR.ARPA", "1.2.3.4"},
		{"3.2.1.in-addr.arpa", ""},
		{"04.3.2.1.in-addr.arpa", ""},
		{"256.3.2.1.in-addr.arpa", ""},
		{"5.4.3.2.1.in-addr.arpa", ""},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6.arpa", "2001:db8::1"},
		{"1.0.0.ip6.arpa", ""},
		{"example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := reverseAddr([]byte(tt.in))
			if tt.want == "" {
				if ok {
					t.Errorf("got %v, want not a reverse name", got)
				}
				return
			}
			if !ok || got.String() != tt.want {
				t.Errorf("got %v (ok=%v), want %s", got, ok, tt.want)
			}
		})
	}
}

func TestTruncatedRealPayloads(t *testing.T) {
	for _, file := range realFiles {
		p := dissecttest.Hex(t, "testdata/"+file+".hex")
		for _, fn := range []dissect.DatagramFunc{DissectDNS, DissectMDNS, DissectLLMNR} {
			dissecttest.Truncations(t, fn, vmwareDNS, p)
		}
		if err := walk(p[:len(p)-1]); err == nil {
			t.Errorf("%s cut by one byte: got no error, want one", file)
		}
		if err := walk(p); err != nil {
			t.Errorf("%s: got error %v, want none", file, err)
		}
	}
}

// walk reads every record of msg and returns the first error.
func walk(msg []byte) error {
	var r Reader
	if err := r.Reset(msg); err != nil {
		return err
	}
	for {
		rec, ok, err := r.Record()
		if !ok {
			return err
		}
		if _, err := rec.Name.Append(nil); err != nil {
			return err
		}
	}
}

// realFiles lists every payload under testdata.
var realFiles = []string{
	"dns_cname_gstatic", "dns_cname_chain_meta", "dns_glue_sip", "dns_ptr_localhost",
	"dns_ptr_osage", "dns_aaaa_ipv6google", "dns_nxdomain", "dns_query_opt",
	"mdns_resp_v4", "mdns_resp_v6", "mdns_query_ipp", "mdns_probe", "mdns_resp_ptr",
	"mdns_srv_gemini", "mdns_query_txt", "mdns_ipad", "mdns_ptr_tangent",
	"mdns_query_knownanswer", "llmnr_resp_a", "llmnr_resp_aaaa", "llmnr_query_wpad",
}

func FuzzDissectDNS(f *testing.F) {
	for _, file := range realFiles {
		f.Add(dissecttest.Hex(f, "testdata/"+file+".hex"))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		for _, fn := range []dissect.DatagramFunc{DissectDNS, DissectMDNS, DissectLLMNR} {
			out, _ := fn(vmwareDNS, p, nil)
			dissecttest.CheckFacts(t, out)
		}
	})
}

func BenchmarkDissectDNS(b *testing.B) {
	p := dissecttest.Hex(b, "testdata/dns_cname_gstatic.hex")
	out := make([]dissect.Fact, 0, 16)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		out, _ = DissectDNS(vmwareDNS, p, out[:0])
	}
}
