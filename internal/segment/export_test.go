package segment

import (
	"bytes"
	"flag"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var updateExport = flag.Bool("updateExport", false, "rewrite the golden files of testdata/export")

// exportTime is the generation time the golden files carry.
var exportTime = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

func exportIPs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

func exportPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func exportTCP(ports ...uint16) Service {
	s := Service{Proto: "tcp"}
	for _, p := range ports {
		s.Ports = append(s.Ports, PortRange{p, p})
	}
	return s
}

func exportUDP(ports ...uint16) Service {
	s := exportTCP(ports...)
	s.Proto = "udp"
	return s
}

// exportSmall is two zones and one conduit.
func exportSmall() (*Policy, *Book) {
	p := &Policy{
		Name:  "small",
		Zones: []Zone{{Name: "imaging"}, {Name: "clinical-it"}},
		Rules: []Rule{
			{Zone: "imaging", Subnets: exportPrefixes("10.61.1.0/24")},
			{Zone: "clinical-it", Subnets: exportPrefixes("10.61.2.0/24")},
		},
		Conduits: []Conduit{{Name: "modalities-to-pacs", From: End{Zone: "imaging"},
			To: End{Zone: "clinical-it"}, Services: []Service{{Proto: "tcp", App: "dicom"}}}},
		Infrastructure: Infrastructure{Resolvers: exportIPs("10.61.2.53"), ICMPErrors: true},
	}
	b := &Book{
		Hosts: map[string][]netip.Addr{
			"imaging":     exportIPs("10.61.1.10", "10.61.1.11"),
			"clinical-it": exportIPs("10.61.2.10"),
		},
		Subnets: []ZoneSubnet{
			{Zone: "imaging", Rule: 0, Prefixes: p.Rules[0].Subnets},
			{Zone: "clinical-it", Rule: 1, Prefixes: p.Rules[1].Subnets},
		},
	}
	return p, b
}

// exportFull has narrowed ends, a bidirectional conduit, IPv6, public
// addresses, a host placed away from its subnet's zone, rules that
// overlap, every kind of service and all the infrastructure.
func exportFull() (*Policy, *Book) {
	p := &Policy{
		Name: "full",
		Zones: []Zone{{Name: "imaging", Medical: true}, {Name: "clinical-it"}, {Name: "servers"},
			{Name: "corporate"}, {Name: "internet"}, {Name: "empty"}},
		Rules: []Rule{
			{Zone: "imaging", Categories: []string{"imaging-ct"}, Line: 10},
			{Zone: "servers", Subnets: exportPrefixes("10.70.5.0/24"), Line: 14},
			{Zone: "imaging", Subnets: exportPrefixes("10.61.1.0/24", "fd00:61:1::/64"), Line: 17},
			{Zone: "clinical-it", Subnets: exportPrefixes("10.61.2.0/24", "fd00:61:2::/64"), Line: 20},
			{Zone: "corporate", Subnets: exportPrefixes("10.70.0.0/16", "10.71.0.0/16"), Line: 23},
			{Zone: "internet", Internet: true, Line: 26},
		},
		Conduits: []Conduit{
			{Name: "ct-to-pacs", Line: 30, From: End{Zone: "imaging", Categories: []string{"imaging-ct", "imaging-mr"}},
				To:       End{Zone: "clinical-it", Categories: []string{"pacs"}},
				Services: []Service{{Proto: "tcp", App: "dicom"}, {Proto: "tcp", Ports: []PortRange{{104, 104}, {4242, 4242}}}}},
			{Name: "hl7-feed", Line: 36, From: End{Zone: "clinical-it"}, To: End{Zone: "servers"},
				Bidirectional: true, Services: []Service{{Proto: "tcp", App: "hl7"}, {Proto: "tcp", Ports: []PortRange{{8000, 8099}}}}},
			{Line: 40, From: End{Zone: "corporate"}, To: End{Zone: "internet"},
				Services: []Service{{Proto: "tcp", App: "https"}, {Proto: "udp", Ports: []PortRange{{443, 443}}}}},
			{Name: "monitoring", Line: 44, From: End{Zone: "servers"}, To: End{Zone: "imaging"},
				Services: []Service{{Proto: "icmp"}, {Proto: "icmpv6"}, exportUDP(161)}},
			{Name: "tunnel", Line: 48, From: End{Zone: "servers"}, To: End{Zone: "corporate"},
				Services: []Service{{Proto: "47"}, {Proto: "any", App: "dns"}}},
			{Name: "admin", Line: 52, From: End{Zone: "clinical-it", Categories: []string{"admin-workstation"}},
				To: End{Zone: "imaging"}, Services: []Service{{Proto: "any"}}},
			{Name: "nothing-known", Line: 56, From: End{Zone: "corporate", Categories: []string{"printer"}},
				To: End{Zone: "servers"}, Services: []Service{exportTCP(9100)}},
			{Name: "to-empty", Line: 60, From: End{Zone: "corporate"}, To: End{Zone: "empty"},
				Services: []Service{exportTCP(22)}},
		},
		Infrastructure: Infrastructure{
			Resolvers:   exportIPs("10.70.5.53", "fd00:61:2::53"),
			NTP:         exportIPs("10.70.5.123"),
			DHCPServers: exportIPs("10.70.5.67", "fd00:61:2::67"),
			DHCPRelays:  exportIPs("10.61.1.1", "10.61.2.1", "fd00:61:1::1"),
			FHRP:        "hsrp",
			ICMPErrors:  true,
		},
	}
	b := &Book{
		Hosts: map[string][]netip.Addr{
			// 10.70.1.20 is a CT scanner on the corporate subnet, placed in
			// imaging by category.
			"imaging":     exportIPs("10.61.1.10", "10.61.1.11", "10.70.1.20", "fd00:61:1::10"),
			"clinical-it": exportIPs("10.61.2.10", "10.61.2.11", "fd00:61:2::10"),
			"servers":     exportIPs("10.70.5.10"),
			"corporate":   exportIPs("10.70.1.5"),
		},
		Subnets: []ZoneSubnet{
			{Zone: "servers", Rule: 1, Prefixes: p.Rules[1].Subnets},
			{Zone: "imaging", Rule: 2, Prefixes: p.Rules[2].Subnets},
			{Zone: "clinical-it", Rule: 3, Prefixes: p.Rules[3].Subnets},
			{Zone: "corporate", Rule: 4, Prefixes: p.Rules[4].Subnets},
			{Zone: "internet", Rule: 5, Internet: true},
		},
		Ends: map[string][]netip.Addr{
			"imaging:imaging-ct,imaging-mr": exportIPs("10.61.1.10", "10.70.1.20", "fd00:61:1::10"),
			"clinical-it:pacs":              exportIPs("10.61.2.10", "fd00:61:2::10"),
			"clinical-it:admin-workstation": exportIPs("10.61.2.11"),
		},
		Notes: []string{"rules[0] places by category: only the 2 devices known now"},
	}
	return p, b
}

// exportHospital is a hospital of nine zones, like the template a trust
// starts from.
func exportHospital() (*Policy, *Book) {
	zones := []string{"imaging", "clinical-it", "lab", "pharmacy", "patient-monitoring",
		"building", "corporate", "guest", "internet"}
	p := &Policy{Name: "hospital", Description: "a district general hospital"}
	b := &Book{Hosts: map[string][]netip.Addr{}}
	for i, z := range zones {
		p.Zones = append(p.Zones, Zone{Name: z, Line: 3 + 4*i})
		if z == "internet" {
			p.Rules = append(p.Rules, Rule{Zone: z, Internet: true, Line: 60 + i})
			b.Subnets = append(b.Subnets, ZoneSubnet{Zone: z, Rule: i, Internet: true})
			continue
		}
		net := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 60, byte(i + 1), 0}), 24)
		p.Rules = append(p.Rules, Rule{Zone: z, Subnets: []netip.Prefix{net}, Line: 60 + i})
		b.Subnets = append(b.Subnets, ZoneSubnet{Zone: z, Rule: i, Prefixes: []netip.Prefix{net}})
		a := net.Addr().As4()
		for h := byte(10); h < 13; h++ {
			a[3] = h
			b.Hosts[z] = append(b.Hosts[z], netip.AddrFrom4(a))
		}
	}
	c := func(name, from, to string, bidir bool, s ...Service) Conduit {
		return Conduit{Name: name, From: End{Zone: from}, To: End{Zone: to}, Bidirectional: bidir,
			Services: s}
	}
	p.Conduits = []Conduit{
		c("modalities-to-pacs", "imaging", "clinical-it", false, Service{Proto: "tcp", App: "dicom"}),
		c("pacs-to-modalities", "clinical-it", "imaging", false, exportTCP(104)),
		c("lab-results", "lab", "clinical-it", false, Service{Proto: "tcp", App: "hl7"}),
		c("pharmacy-orders", "clinical-it", "pharmacy", true, exportTCP(2575)),
		c("central-station", "patient-monitoring", "clinical-it", false, exportTCP(2575, 443)),
		c("monitor-alarms", "clinical-it", "patient-monitoring", false, exportUDP(7000)),
		c("bms", "corporate", "building", false, exportTCP(47808), exportUDP(47808)),
		c("staff-web", "corporate", "clinical-it", false, Service{Proto: "tcp", App: "https"}),
		c("staff-internet", "corporate", "internet", false, exportTCP(80, 443)),
		c("guest-internet", "guest", "internet", false, exportTCP(80, 443), exportUDP(443)),
		c("vendor-support", "internet", "imaging", false, Service{Proto: "tcp", App: "ssh"}),
		c("lab-analysers", "lab", "lab", false, exportTCP(5000)),
	}
	p.Infrastructure = Infrastructure{
		Resolvers:   exportIPs("10.60.2.53", "10.60.2.54"),
		NTP:         exportIPs("10.60.2.123"),
		DHCPServers: exportIPs("10.60.2.67"),
		DHCPRelays:  exportIPs("10.60.1.1", "10.60.3.1", "10.60.4.1", "10.60.5.1"),
		FHRP:        "vrrp",
		ICMPErrors:  true,
	}
	return p, b
}

type exportCase struct {
	name string
	p    *Policy
	b    *Book
	o    ExportOptions
}

func exportCases() []exportCase {
	o := ExportOptions{Digest: "sha256:0123456789abcdef", Generated: exportTime}
	lo := o
	lo.LogOnly = true
	var out []exportCase
	for _, c := range []struct {
		name string
		f    func() (*Policy, *Book)
		o    ExportOptions
	}{
		{"small", exportSmall, o},
		{"full-log-only", exportFull, lo},
		{"hospital", exportHospital, o},
	} {
		p, b := c.f()
		out = append(out, exportCase{c.name, p, b, c.o})
	}
	return out
}

// exportGolden compares got with the golden file, or rewrites it with
// -updateExport.
func exportGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "export", name)
	if *updateExport {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (go test ./internal/segment -run TestExport -updateExport): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
	}
}

func TestExportNFTablesGolden(t *testing.T) {
	for _, c := range exportCases() {
		t.Run(c.name, func(t *testing.T) {
			got, err := NFTables(c.p, c.b, c.o)
			if err != nil {
				t.Fatal(err)
			}
			exportGolden(t, c.name+".nft", got)
			exportNFTCheck(t, got)
		})
	}
}

func TestExportCiscoGolden(t *testing.T) {
	for _, c := range exportCases() {
		t.Run(c.name, func(t *testing.T) {
			got, err := Cisco(c.p, c.b, c.o)
			if err != nil {
				t.Fatal(err)
			}
			exportGolden(t, c.name+".ios", got)
		})
	}
}

// exportNeedNetns skips the test with why, unless WARD_REQUIRE_NETNS=1
// makes it fail.
func exportNeedNetns(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("WARD_REQUIRE_NETNS") == "1" {
		t.Fatalf("%s (WARD_REQUIRE_NETNS=1)", why)
	}
	t.Skip(why)
}

// exportNFTCheck runs "nft -c -f" on the ruleset inside a network
// namespace of its own, so that it never touches the host's ruleset.
func exportNFTCheck(t *testing.T, ruleset []byte) {
	t.Helper()
	nft, err := exec.LookPath("nft")
	if err != nil {
		exportNeedNetns(t, "nft not installed (apt package nftables): ruleset not checked")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		exportNeedNetns(t, "unshare not installed: ruleset not checked")
	}
	path := filepath.Join(t.TempDir(), "ward.nft")
	if err := os.WriteFile(path, ruleset, 0o600); err != nil {
		t.Fatal(err)
	}
	probe := exec.Command(unshare, "-n", nft, "list", "ruleset")
	if out, err := probe.CombinedOutput(); err != nil {
		exportNeedNetns(t, "no network namespace with nftables (root needed): "+
			strings.TrimSpace(string(out)))
	}
	out, err := exec.Command(unshare, "-n", nft, "-c", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("nft -c rejects the ruleset: %v\n%s", err, out)
	}
}

func TestExportNFTablesReplacesOnlyItsTable(t *testing.T) {
	p, b := exportSmall()
	got, err := NFTables(p, b, ExportOptions{Table: "ward2"})
	if err != nil {
		t.Fatal(err)
	}
	head := "table inet ward2\ndelete table inet ward2\n\ntable inet ward2 {\n"
	if !bytes.Contains(got, []byte(head)) {
		t.Errorf("ruleset does not start its table with %q", head)
	}
	for _, bad := range []string{"flush ruleset", "flush table", "table ip ", "table inet ward "} {
		if bytes.Contains(got, []byte(bad)) {
			t.Errorf("ruleset holds %q", bad)
		}
	}
}

func TestExportFHRP(t *testing.T) {
	cases := []struct {
		fhrp string
		want []string
	}{
		{"vrrp", []string{"ip protocol vrrp ip daddr 224.0.0.18 accept"}},
		{"carp", []string{"ip protocol vrrp ip daddr 224.0.0.18 accept"}},
		{"hsrp", []string{"ip daddr { 224.0.0.2, 224.0.0.102 } udp dport 1985 accept"}},
		{"glbp", []string{"ip daddr 224.0.0.102 udp dport 3222 accept"}},
	}
	for _, c := range cases {
		t.Run(c.fhrp, func(t *testing.T) {
			p, b := exportSmall()
			p.Infrastructure.FHRP = c.fhrp
			got, err := NFTables(p, b, ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !bytes.Contains(got, []byte(w)) {
					t.Errorf("ruleset lacks %q", w)
				}
			}
			exportNFTCheck(t, got)
		})
	}
}

func TestExportErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(p *Policy, b *Book)
		want   string
	}{
		{"unknown app", func(p *Policy, b *Book) {
			p.Conduits[0].Services = []Service{{Proto: "tcp", App: "foo"}}
		}, `conduit "modalities-to-pacs": service 1: application foo has no well-known port`},
		{"app over icmp", func(p *Policy, b *Book) {
			p.Conduits[0].Services = []Service{{Proto: "icmp", App: "http"}}
		}, `conduit "modalities-to-pacs": service 1: application http over icmp`},
		{"ports of icmp", func(p *Policy, b *Book) {
			p.Conduits[0].Services = []Service{{Proto: "icmp", Ports: []PortRange{{1, 1}}}}
		}, `conduit "modalities-to-pacs": service 1: protocol icmp has no ports`},
		{"bad proto", func(p *Policy, b *Book) {
			p.Conduits[0].Services = []Service{{Proto: "tcpp"}}
		}, `conduit "modalities-to-pacs": service 1: unknown protocol "tcpp"`},
		{"no proto", func(p *Policy, b *Book) {
			p.Conduits[0].Services = []Service{{}}
		}, `conduit "modalities-to-pacs": service 1: no protocol`},
		{"reversed range", func(p *Policy, b *Book) {
			p.Conduits[0].Services = []Service{{Proto: "tcp", Ports: []PortRange{{90, 80}}}}
		}, `service 1: port range 90-80: low port above high port`},
		{"no services", func(p *Policy, b *Book) {
			p.Conduits[0].Services = nil
		}, `conduit "modalities-to-pacs": no services`},
		{"unknown zone", func(p *Policy, b *Book) {
			p.Conduits[0].To.Zone = "pacs"
		}, `conduit "modalities-to-pacs": zone "pacs" is not a declared zone`},
		{"unassigned end", func(p *Policy, b *Book) {
			p.Conduits[0].Name = ""
			p.Conduits[0].From.Zone = Unassigned
		}, `conduit "unassigned-to-clinical-it": zone "unassigned" is not a declared zone`},
		{"bad zone name", func(p *Policy, b *Book) {
			p.Zones[0].Name = "Imaging;"
		}, `zone "Imaging;": want 1 to 40`},
		{"zone twice", func(p *Policy, b *Book) {
			p.Zones[1].Name = "imaging"
		}, `zone "imaging" is declared twice`},
		{"host in two zones", func(p *Policy, b *Book) {
			b.Hosts["clinical-it"] = append(b.Hosts["clinical-it"], netip.MustParseAddr("10.61.1.10"))
		}, `address 10.61.1.10 is a host of zones clinical-it and imaging`},
		{"book zone unknown", func(p *Policy, b *Book) {
			b.Subnets[0].Zone = "lab"
		}, `book: rules[0]: unknown zone "lab"`},
		{"internet and subnets", func(p *Policy, b *Book) {
			b.Subnets[0].Internet = true
		}, `rules[0]: subnets and internet together cannot be exported`},
		{"fhrp", func(p *Policy, b *Book) {
			p.Infrastructure.FHRP = "ospf"
		}, `unknown fhrp "ospf"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, b := exportSmall()
			c.change(p, b)
			for name, f := range map[string]func(*Policy, *Book, ExportOptions) ([]byte, error){
				"nftables": NFTables, "cisco": Cisco,
			} {
				_, err := f(p, b, ExportOptions{})
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: got error %v, want one holding %q", name, err, c.want)
				}
			}
		})
	}
	if _, err := NFTables(nil, nil, ExportOptions{}); err == nil {
		t.Error("NFTables(nil): got no error")
	}
	p, b := exportSmall()
	if _, err := NFTables(p, b, ExportOptions{Table: "ward table"}); err == nil {
		t.Error(`NFTables with table "ward table": got no error`)
	}
}
