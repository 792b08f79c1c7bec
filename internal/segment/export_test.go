package segment

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
			{Name: "ct-to-pacs", Line: 30,
				From:     End{Zone: "imaging", Categories: []string{"imaging-ct", "imaging-mr"}},
				To:       End{Zone: "clinical-it", Categories: []string{"pacs"}},
				Services: []Service{{Proto: "tcp", App: "dicom"}, exportTCP(104, 4242)}},
			{Name: "hl7-feed", Line: 36, From: End{Zone: "clinical-it"}, To: End{Zone: "servers"},
				Bidirectional: true, Services: []Service{{Proto: "tcp", App: "hl7"},
					{Proto: "tcp", Ports: []PortRange{{8000, 8099}}}}},
			{Line: 40, From: End{Zone: "corporate"}, To: End{Zone: "internet"},
				Services: []Service{{Proto: "tcp", App: "https"}, exportUDP(443)}},
			{Name: "monitoring", Line: 44, From: End{Zone: "servers"}, To: End{Zone: "imaging"},
				Services: []Service{{Proto: "icmp"}, {Proto: "icmpv6"}, exportUDP(161)}},
			{Name: "tunnel", Line: 48, From: End{Zone: "servers"}, To: End{Zone: "corporate"},
				Services: []Service{{Proto: "47"}, {Proto: "any", App: "dns"}}},
			{Name: "admin", Line: 52,
				From: End{Zone: "clinical-it", Categories: []string{"admin-workstation"}},
				To:   End{Zone: "imaging"}, Services: []Service{{Proto: "any"}}},
			{Name: "nothing-known", Line: 56,
				From: End{Zone: "corporate", Categories: []string{"printer"}},
				To:   End{Zone: "servers"}, Services: []Service{exportTCP(9100)}},
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

// The Cisco lists judged as IOS would: a small interpreter of the lists
// Cisco writes, and a reference that reads the policy and its Book
// directly. For every packet from a pool, the list of every zone whose
// interface it may enter must permit it exactly when the policy allows
// it or it answers a flow the policy allows (lists keep no state).

// exportPacket is a packet as an access list sees it.
type exportPacket struct {
	src, dst     netip.Addr
	proto        uint8
	sport, dport uint16
	ack          bool  // a TCP segment of an established connection
	icmpType     uint8 // ICMP or ICMPv6 type
}

// exportACE is one entry of a list.
type exportACE struct {
	permit       bool
	proto        string // "ip", "ipv6", "tcp", "udp", "icmp", a number, or "" for svcGroup
	svcGroup     string
	src, dst     exportACEAddr
	sport, dport []uint16 // lo, hi; nil for any
	established  bool
	icmpType     string
}

type exportACEAddr struct {
	any   bool
	group string
	p     netip.Prefix
	wild  uint32 // IPv4 wildcard
}

// exportIOS is a parsed Cisco file.
type exportIOS struct {
	nets map[string][]netip.Prefix
	svcs map[string][][]string // each entry's tokens
	acls map[string][]exportACE
}

func exportParseIOS(t *testing.T, text string) *exportIOS {
	t.Helper()
	x := &exportIOS{nets: map[string][]netip.Prefix{}, svcs: map[string][][]string{},
		acls: map[string][]exportACE{}}
	var kind, name string
	for n, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0 || f[0] == "!" || f[0] == "no" || f[0] == "end" || f[0] == "remark":
		case !strings.HasPrefix(line, " "):
			kind, name = exportIOSBlock(f)
		case kind == "net":
			x.nets[name] = append(x.nets[name], exportIOSNet(t, f))
		case kind == "svc":
			x.svcs[name] = append(x.svcs[name], f)
		case kind == "acl":
			x.acls[name] = append(x.acls[name], exportParseACE(t, f, n+1))
		default:
			t.Fatalf("line %d: %q outside a block", n+1, line)
		}
	}
	return x
}

func exportIOSBlock(f []string) (kind, name string) {
	switch {
	case len(f) == 3 && f[0] == "object-group" && f[1] == "network":
		return "net", f[2]
	case len(f) == 3 && f[0] == "object-group" && f[1] == "service":
		return "svc", f[2]
	case len(f) == 4 && f[0] == "ip" && f[1] == "access-list" && f[2] == "extended":
		return "acl", f[3]
	case len(f) == 3 && f[0] == "ipv6" && f[1] == "access-list":
		return "acl", f[2]
	}
	return "?", ""
}

func exportIOSNet(t *testing.T, f []string) netip.Prefix {
	t.Helper()
	if f[0] == "host" {
		a := netip.MustParseAddr(f[1])
		return netip.PrefixFrom(a, a.BitLen())
	}
	m := netip.MustParseAddr(f[1]).As4()
	bits := 0
	for _, b := range m {
		for ; b&0x80 != 0; b <<= 1 {
			bits++
		}
	}
	return netip.PrefixFrom(netip.MustParseAddr(f[0]), bits)
}

func exportParseACE(t *testing.T, f []string, line int) exportACE {
	t.Helper()
	e := exportACE{permit: f[0] == "permit"}
	i := 1
	if f[i] == "object-group" {
		e.svcGroup, i = f[i+1], i+2
	} else {
		e.proto, i = f[i], i+1
	}
	e.src, i = exportParseAddr(t, f, i)
	e.sport, i = exportParsePort(f, i)
	e.dst, i = exportParseAddr(t, f, i)
	e.dport, i = exportParsePort(f, i)
	for _, w := range f[i:] {
		switch w {
		case "log":
		case "established":
			e.established = true
		default:
			if e.icmpType != "" {
				t.Fatalf("line %d: %q: two ICMP types", line, strings.Join(f, " "))
			}
			e.icmpType = w
		}
	}
	return e
}

func exportParseAddr(t *testing.T, f []string, i int) (exportACEAddr, int) {
	t.Helper()
	switch f[i] {
	case "any":
		return exportACEAddr{any: true}, i + 1
	case "host":
		a := netip.MustParseAddr(f[i+1])
		return exportACEAddr{p: netip.PrefixFrom(a, a.BitLen())}, i + 2
	case "object-group":
		return exportACEAddr{group: f[i+1]}, i + 2
	}
	if strings.Contains(f[i], "/") {
		return exportACEAddr{p: netip.MustParsePrefix(f[i])}, i + 1
	}
	w := netip.MustParseAddr(f[i+1]).As4()
	a := exportACEAddr{p: netip.PrefixFrom(netip.MustParseAddr(f[i]), 32)}
	a.wild = uint32(w[0])<<24 | uint32(w[1])<<16 | uint32(w[2])<<8 | uint32(w[3])
	return a, i + 2
}

func exportParsePort(f []string, i int) ([]uint16, int) {
	if i >= len(f) {
		return nil, i
	}
	n := func(s string) uint16 { v, _ := strconv.Atoi(s); return uint16(v) }
	switch f[i] {
	case "eq":
		return []uint16{n(f[i+1]), n(f[i+1])}, i + 2
	case "range":
		return []uint16{n(f[i+1]), n(f[i+2])}, i + 3
	}
	return nil, i
}

// permits runs packet k through list name: the first entry that matches
// decides, and none denies.
func (x *exportIOS) permits(name string, k *exportPacket) bool {
	for _, e := range x.acls[name] {
		if x.matches(&e, k) {
			return e.permit
		}
	}
	return false
}

func (x *exportIOS) matches(e *exportACE, k *exportPacket) bool {
	if !x.addrMatches(e.src, k.src) || !x.addrMatches(e.dst, k.dst) {
		return false
	}
	if e.svcGroup != "" {
		for _, f := range x.svcs[e.svcGroup] {
			p, _ := exportParsePort(f, 1)
			if exportProtoMatches(f[0], k) && exportPortIn(p, k.dport) {
				return true
			}
		}
		return false
	}
	return exportProtoMatches(e.proto, k) && exportPortIn(e.sport, k.sport) &&
		exportPortIn(e.dport, k.dport) && (!e.established || k.ack) &&
		(e.icmpType == "" || exportICMPType(e.icmpType, k.dst.Is6()) == k.icmpType)
}

func (x *exportIOS) addrMatches(a exportACEAddr, ip netip.Addr) bool {
	switch {
	case a.any:
		return true
	case a.group != "":
		for _, p := range x.nets[a.group] {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	case a.wild != 0:
		if !ip.Is4() {
			return false
		}
		b, w := ip.As4(), a.p.Addr().As4()
		for i := range b {
			m := ^byte(a.wild >> (24 - 8*i))
			if b[i]&m != w[i]&m {
				return false
			}
		}
		return true
	}
	return a.p.Contains(ip)
}

func exportProtoMatches(proto string, k *exportPacket) bool {
	switch proto {
	case "ip", "ipv6":
		return true
	case "tcp":
		return k.proto == ProtoTCP
	case "udp":
		return k.proto == ProtoUDP
	case "icmp":
		return k.proto == ProtoICMP || k.proto == ProtoICMPv6
	}
	n, err := strconv.Atoi(proto)
	return err == nil && uint8(n) == k.proto
}

func exportPortIn(r []uint16, p uint16) bool { return r == nil || r[0] <= p && p <= r[1] }

func exportICMPType(name string, v6 bool) uint8 {
	v4 := map[string]uint8{"unreachable": 3, "time-exceeded": 11, "parameter-problem": 12,
		"echo-reply": 0}
	v6m := map[string]uint8{"unreachable": 1, "packet-too-big": 2, "time-exceeded": 3,
		"parameter-problem": 4, "echo-reply": 129, "nd-ns": 135, "nd-na": 136,
		"router-solicitation": 133, "router-advertisement": 134}
	if v6 {
		return v6m[name]
	}
	return v4[name]
}

// exportRef is what the policy allows, read from the policy and its Book
// without the exporters' plan.
type exportRef struct {
	p *Policy
	b *Book
}

// zone places an address: its zone's hosts first, then the rules.
func (r *exportRef) zone(a netip.Addr) string {
	for z, hs := range r.b.Hosts {
		if slices.Contains(hs, a) {
			return z
		}
	}
	for _, s := range r.b.Subnets {
		if s.Internet && exportRefPublic(a) || slices.ContainsFunc(s.Prefixes,
			func(p netip.Prefix) bool { return p.Contains(a) }) {
			return s.Zone
		}
	}
	return Unassigned
}

func exportRefPublic(a netip.Addr) bool {
	shared := netip.MustParsePrefix("100.64.0.0/10")
	return a.IsGlobalUnicast() && !a.IsPrivate() && !shared.Contains(a)
}

// interfaces returns the zones whose interface a may enter: those of the
// rules holding it, and of the hosts it is.
func (r *exportRef) interfaces(a netip.Addr) []string {
	var out []string
	for z, hs := range r.b.Hosts {
		if slices.Contains(hs, a) {
			out = append(out, z)
		}
	}
	for _, s := range r.b.Subnets {
		if s.Internet && exportRefPublic(a) || slices.ContainsFunc(s.Prefixes,
			func(p netip.Prefix) bool { return p.Contains(a) }) {
			out = append(out, s.Zone)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (r *exportRef) holds(e End, a netip.Addr) bool {
	return r.zone(a) == e.Zone && (len(e.Categories) == 0 || slices.Contains(r.b.Ends[e.Key()], a))
}

// allows reports whether the policy allows packet k: a conduit, or the
// infrastructure.
func (r *exportRef) allows(k *exportPacket) bool {
	ok, _ := r.allowsBy(k)
	return ok
}

// allowsBy reports whether the policy allows k, and whether by a service
// of every protocol.
func (r *exportRef) allowsBy(k *exportPacket) (ok, anyProto bool) {
	for _, c := range r.p.Conduits {
		fwd := r.holds(c.From, k.src) && r.holds(c.To, k.dst)
		rev := c.Bidirectional && r.holds(c.To, k.src) && r.holds(c.From, k.dst)
		if fwd || rev {
			if allowed, a := r.service(c, k); allowed {
				ok, anyProto = true, anyProto || a
			}
		}
	}
	if ok {
		return ok, anyProto
	}
	in := r.p.Infrastructure
	public := slices.ContainsFunc(r.p.Rules, func(ru Rule) bool {
		return ru.Internet && ru.Zone == r.zone(k.src)
	})
	switch {
	case public && (k.proto == ProtoTCP || k.proto == ProtoUDP) && (k.dport == 53 || k.dport == 123):
		return false, false // the infrastructure takes no query from public zones
	case (k.proto == ProtoTCP || k.proto == ProtoUDP) && k.dport == 53:
		return slices.Contains(in.Resolvers, k.dst), false
	case k.proto == ProtoUDP && k.dport == 123:
		return slices.Contains(in.NTP, k.dst), false
	case k.proto == ProtoICMP:
		return in.ICMPErrors && (k.icmpType == 3 || k.icmpType == 11 || k.icmpType == 12), false
	case k.proto == ProtoICMPv6:
		return in.ICMPErrors && k.icmpType >= 1 && k.icmpType <= 4, false
	}
	return false, false
}

func (r *exportRef) service(c Conduit, k *exportPacket) (ok, anyProto bool) {
	for _, s := range c.Services {
		svcs, _, err := exportResolveService(s)
		if err != nil {
			panic(err)
		}
		for _, v := range svcs {
			if v.any {
				return true, true
			}
			if v.proto == k.proto && (v.ports == nil || slices.ContainsFunc(v.ports,
				func(p PortRange) bool { return p.Contains(k.dport) })) {
				ok = true
			}
		}
	}
	return ok, false
}

// answers reports whether k may be the answer to a flow the policy
// allows, as a list without state must let it through: any packet back
// for a service of every protocol, else TCP segments of established
// connections, UDP from the service's port, ICMP echo replies and other
// protocols.
func (r *exportRef) answers(k *exportPacket) bool {
	// A list without state lets the resolvers' and time servers' answers
	// go to any address, the public ones too, though no query comes from
	// them.
	in := r.p.Infrastructure
	if (k.proto == ProtoUDP || k.proto == ProtoTCP && k.ack) && k.sport == 53 &&
		slices.Contains(in.Resolvers, k.src) ||
		k.proto == ProtoUDP && k.sport == 123 && slices.Contains(in.NTP, k.src) {
		return true
	}
	q := *k
	q.src, q.dst, q.sport, q.dport = k.dst, k.src, k.dport, k.sport
	if ok, anyProto := r.allowsBy(&q); ok && anyProto {
		return true
	}
	switch k.proto {
	case ProtoTCP:
		if !k.ack {
			return false
		}
		q.ack = false
	case ProtoICMP, ProtoICMPv6:
		if k.icmpType != 0 && k.icmpType != 129 {
			return false
		}
		q.icmpType = 8
		if k.proto == ProtoICMPv6 {
			q.icmpType = 128
		}
	}
	return r.allows(&q)
}

func (k exportPacket) String() string {
	return fmt.Sprintf("%s %s:%d > %s:%d ack=%v type=%d", ProtoName(k.proto), k.src, k.sport, k.dst,
		k.dport, k.ack, k.icmpType)
}

// exportPackets returns packets between every pair of addresses, of the
// protocols and ports that matter.
func exportPackets(addrs []netip.Addr, ports []uint16) []exportPacket {
	var out []exportPacket
	for _, s := range addrs {
		for _, d := range addrs {
			if s == d || s.Is4() != d.Is4() {
				continue
			}
			for _, p := range ports {
				for _, ack := range []bool{false, true} {
					out = append(out,
						exportPacket{src: s, dst: d, proto: ProtoTCP, sport: 40000, dport: p, ack: ack},
						exportPacket{src: s, dst: d, proto: ProtoTCP, sport: p, dport: 40000, ack: ack})
				}
				out = append(out,
					exportPacket{src: s, dst: d, proto: ProtoUDP, sport: 40000, dport: p},
					exportPacket{src: s, dst: d, proto: ProtoUDP, sport: p, dport: 40000})
			}
			icmp := ProtoICMP
			types := []uint8{8, 0, 3, 5}
			if s.Is6() {
				icmp, types = ProtoICMPv6, []uint8{128, 129, 1, 2, 137}
			}
			for _, ty := range types {
				out = append(out, exportPacket{src: s, dst: d, proto: icmp, icmpType: ty})
			}
			out = append(out, exportPacket{src: s, dst: d, proto: 47},
				exportPacket{src: s, dst: d, proto: 132, dport: 2905})
		}
	}
	return out
}

// exportPool returns the addresses worth trying in a policy: its hosts,
// ends and servers, addresses at the edges of its subnets, public ones
// and some in no zone.
func exportPool(p *Policy, b *Book) []netip.Addr {
	out := exportIPs("8.8.8.8", "2001:4860::8888", "172.31.9.9", "fd99::9")
	for _, hs := range b.Hosts {
		out = append(out, hs...)
	}
	for _, hs := range b.Ends {
		out = append(out, hs...)
	}
	in := p.Infrastructure
	out = append(append(out, in.Resolvers...), in.NTP...)
	for _, s := range b.Subnets {
		for _, q := range s.Prefixes {
			out = append(out, q.Addr().Next())
			if q.Addr().Is4() && q.Bits() < 31 {
				a := q.Addr().As4()
				n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
				n |= 1<<(32-q.Bits()) - 2
				last := [4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
				out = append(out, netip.AddrFrom4(last))
			}
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// exportPorts returns the ports a policy names, and one it does not.
func exportPorts(p *Policy) []uint16 {
	out := []uint16{53, 123, 9999}
	for _, c := range p.Conduits {
		for _, s := range c.Services {
			svcs, _, _ := exportResolveService(s)
			for _, v := range svcs {
				for _, r := range v.ports {
					out = append(out, r.Lo, r.Hi)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// exportCheckCisco runs every packet of the pool through the lists of
// the zones it may enter from and compares with the reference.
func exportCheckCisco(t *testing.T, p *Policy, b *Book) {
	t.Helper()
	text, err := Cisco(p, b, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ios := exportParseIOS(t, string(text))
	ref := &exportRef{p: p, b: b}
	bad := 0
	pkts := exportPackets(exportPool(p, b), exportPorts(p))
	for i := range pkts {
		k := &pkts[i]
		want := ref.allows(k) || ref.answers(k)
		for _, z := range ref.interfaces(k.src) {
			name := "WARD-FROM-" + strings.ToUpper(z)
			if k.src.Is6() {
				name = "WARD6-FROM-" + strings.ToUpper(z)
			}
			if _, ok := ios.acls[name]; !ok && k.src.Is6() {
				continue // no IPv6 lists
			}
			if got := ios.permits(name, k); got != want && bad < 5 {
				bad++
				t.Errorf("%s: %s (from %s to %s): got permit %v, want %v", name, k,
					ref.zone(k.src), ref.zone(k.dst), got, want)
			}
		}
	}
	if len(pkts) == 0 {
		t.Fatal("no packets")
	}
	if t.Failed() {
		t.Logf("policy %+v\nbook %+v\n%s", p, b, text)
	}
}

func TestExportCiscoJudgesAsThePolicy(t *testing.T) {
	for _, c := range exportCases() {
		t.Run(c.name, func(t *testing.T) { exportCheckCisco(t, c.p, c.b) })
	}
	r := rand.New(rand.NewPCG(6, 62443))
	for i := range 50 {
		p, b := exportRandomPolicy(r)
		t.Run(fmt.Sprintf("random-%d", i), func(t *testing.T) { exportCheckCisco(t, p, b) })
	}
}

// exportRandomPolicy draws a policy whose rules overlap, with hosts away
// from their subnets, narrowed ends, public addresses and IPv6.
func exportRandomPolicy(r *rand.Rand) (*Policy, *Book) {
	nets := exportPrefixes("10.0.0.0/16", "10.0.1.0/24", "10.0.2.0/24", "10.0.1.128/25",
		"10.1.0.0/16", "10.0.0.0/8", "10.1.7.0/24", "fd00::/48", "fd00:0:0:1::/64", "8.8.0.0/16")
	addrs := exportIPs("10.0.1.5", "10.0.1.200", "10.0.2.7", "10.0.3.3", "10.1.7.4", "10.1.3.4",
		"10.2.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9", "fd00::5", "fd00:0:0:1::5", "fd00:0:0:2::5")
	svcs := []Service{exportTCP(104), {Proto: "tcp", Ports: []PortRange{{80, 90}}}, exportUDP(53),
		{Proto: "icmp"}, {Proto: "icmpv6"}, {Proto: "any"}, {Proto: "47"}, {Proto: "tcp"},
		{Proto: "tcp", App: "dicom"}, {Proto: "udp"}}
	p := &Policy{Name: "random"}
	b := &Book{Hosts: map[string][]netip.Addr{}, Ends: map[string][]netip.Addr{}}
	nz := 2 + r.IntN(4)
	for i := range nz {
		p.Zones = append(p.Zones, Zone{Name: "z" + strconv.Itoa(i)})
	}
	zone := func() string { return p.Zones[r.IntN(nz)].Name }
	inet := false
	for i := range 2 + r.IntN(6) {
		s := ZoneSubnet{Zone: zone(), Rule: i}
		if !inet && r.IntN(5) == 0 {
			s.Internet, inet = true, true
		} else {
			for range 1 + r.IntN(2) {
				s.Prefixes = append(s.Prefixes, nets[r.IntN(len(nets))])
			}
		}
		p.Rules = append(p.Rules, Rule{Zone: s.Zone, Subnets: s.Prefixes, Internet: s.Internet})
		b.Subnets = append(b.Subnets, s)
	}
	for _, a := range addrs {
		if r.IntN(3) == 0 {
			z := zone()
			b.Hosts[z] = append(b.Hosts[z], a)
		}
	}
	for range 1 + r.IntN(6) {
		c := Conduit{From: End{Zone: zone()}, To: End{Zone: zone()}, Bidirectional: r.IntN(3) == 0}
		for range 1 + r.IntN(2) {
			c.Services = append(c.Services, svcs[r.IntN(len(svcs))])
		}
		for _, e := range []*End{&c.From, &c.To} {
			if r.IntN(3) == 0 {
				e.Categories = []string{"cat" + strconv.Itoa(r.IntN(2))}
				for _, a := range addrs {
					if r.IntN(3) == 0 {
						b.Ends[e.Key()] = append(b.Ends[e.Key()], a)
					}
				}
			}
		}
		p.Conduits = append(p.Conduits, c)
	}
	p.Infrastructure = Infrastructure{Resolvers: addrs[r.IntN(len(addrs)):][:1],
		ICMPErrors: r.IntN(2) == 0}
	return p, b
}

func TestExportIOSPrefix(t *testing.T) {
	cases := []struct{ prefix, want, mask string }{
		{"10.61.1.5/32", "host 10.61.1.5", "255.255.255.255"},
		{"0.0.0.0/0", "any", "0.0.0.0"},
		{"10.61.8.0/21", "10.61.8.0 0.0.7.255", "255.255.248.0"},
		{"10.61.1.0/24", "10.61.1.0 0.0.0.255", "255.255.255.0"},
		{"10.0.0.0/8", "10.0.0.0 0.255.255.255", "255.0.0.0"},
		{"100.64.0.0/10", "100.64.0.0 0.63.255.255", "255.192.0.0"},
		{"10.61.1.4/31", "10.61.1.4 0.0.0.1", "255.255.255.254"},
		{"128.0.0.0/1", "128.0.0.0 127.255.255.255", "128.0.0.0"},
		{"fd00:61:1::/64", "fd00:61:1::/64", ""},
		{"fd00:61:1::10/128", "host fd00:61:1::10", ""},
		{"::/0", "any", ""},
	}
	for _, c := range cases {
		t.Run(c.prefix, func(t *testing.T) {
			p := netip.MustParsePrefix(c.prefix)
			if got := iosPrefix(p); got != c.want {
				t.Errorf("iosPrefix(%s): got %q, want %q", p, got, c.want)
			}
			if c.mask != "" {
				if got := iosMask(p.Bits()); got != c.mask {
					t.Errorf("iosMask(%d): got %q, want %q", p.Bits(), got, c.mask)
				}
			}
		})
	}
}

func TestExportPublicPart(t *testing.T) {
	cases := []struct {
		in   []string
		v6   bool
		want []string
	}{
		{[]string{"8.8.0.0/16"}, false, []string{"8.8.0.0/16"}},
		{[]string{"10.1.0.0/16"}, false, nil},
		{[]string{"96.0.0.0/4"}, false, []string{"96.0.0.0/6", "100.0.0.0/10", "100.128.0.0/9",
			"101.0.0.0/8", "102.0.0.0/7", "104.0.0.0/5"}},
		{[]string{"fc00::/6"}, true, []string{"fe00::/9", "fec0::/10"}},
	}
	for _, c := range cases {
		got := exportPublicPart(exportPrefixes(c.in...), c.v6)
		var gs []string
		for _, p := range got {
			gs = append(gs, p.String())
		}
		if diff := cmp.Diff(c.want, gs); diff != "" {
			t.Errorf("exportPublicPart(%v) (-want +got):\n%s", c.in, diff)
		}
	}
	all := exportPublicPart(exportPrefixes("0.0.0.0/0"), false)
	for _, a := range exportIPs("8.8.8.8", "1.1.1.1", "100.128.0.1", "223.255.255.255") {
		if !slices.ContainsFunc(all, func(p netip.Prefix) bool { return p.Contains(a) }) {
			t.Errorf("public part of 0.0.0.0/0 lacks %s", a)
		}
	}
	for _, a := range exportIPs("10.1.2.3", "100.64.0.1", "127.0.0.1", "169.254.1.1", "224.0.0.5",
		"255.255.255.255", "192.168.1.1", "172.20.0.1", "0.1.2.3") {
		if slices.ContainsFunc(all, func(p netip.Prefix) bool { return p.Contains(a) }) {
			t.Errorf("public part of 0.0.0.0/0 holds %s", a)
		}
	}
}

func TestExportCiscoErrors(t *testing.T) {
	p, b := exportSmall()
	p.Conduits[0].Services = []Service{{Proto: "sctp", Ports: []PortRange{{2905, 2905}}}}
	_, err := Cisco(p, b, ExportOptions{})
	want := `conduit "modalities-to-pacs": sctp ports cannot be matched by an IOS access list`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got error %v, want one holding %q", err, want)
	}
	if _, err := NFTables(p, b, ExportOptions{}); err != nil {
		t.Errorf("nftables: sctp ports: %v", err)
	}
}

func TestExportCiscoFHRP(t *testing.T) {
	cases := map[string]string{
		"vrrp": "permit 112 any host 224.0.0.18",
		"carp": "permit 112 any host 224.0.0.18",
		"hsrp": "permit udp any host 224.0.0.102 eq 1985",
		"glbp": "permit udp any host 224.0.0.102 eq 3222",
	}
	for fhrp, want := range cases {
		p, b := exportSmall()
		p.Infrastructure.FHRP = fhrp
		got, err := Cisco(p, b, ExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(got), "\n "+want+"\n"); n != 2 {
			t.Errorf("%s: %q in %d lists, want 2", fhrp, want, n)
		}
	}
}

// TestExportCiscoLogOnly checks that the log-only lists deny nothing.
func TestExportCiscoLogOnly(t *testing.T) {
	p, b := exportFull()
	text, err := Cisco(p, b, ExportOptions{LogOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(text, []byte("\n deny ")) {
		t.Error("a log-only list denies")
	}
	ios := exportParseIOS(t, string(text))
	for _, k := range exportPackets(exportPool(p, b), exportPorts(p)) {
		for name := range ios.acls {
			if (k.src.Is6() == strings.HasPrefix(name, "WARD6-")) && !ios.permits(name, &k) {
				t.Fatalf("%s denies %s", name, k)
			}
		}
	}
}

// ci-fuzz: 3000x
func FuzzExport(f *testing.F) {
	f.Add("imaging", "clinical-it", "modalities-to-pacs", "tcp", "dicom", uint16(0), uint16(0),
		"", "a note", false)
	f.Add("a", "b", "", "udp", "", uint16(53), uint16(53), "ct", "", true)
	f.Add("x", "x", "c\"d\n", "any", "dns", uint16(90), uint16(80), "p q", "line\nbreak", false)
	f.Add("z", "y", "n", "sctp", "", uint16(2905), uint16(2906), "", "\x00", true)
	f.Fuzz(func(t *testing.T, z1, z2, name, proto, app string, lo, hi uint16, cat, note string,
		bidir bool) {
		p, b := exportSmall()
		p.Name, b.Notes = note, []string{note}
		p.Zones[0].Name, p.Zones[1].Name = z1, z2
		p.Rules[0].Zone, p.Rules[1].Zone = z1, z2
		b.Subnets[0].Zone, b.Subnets[1].Zone = z1, z2
		b.Hosts = map[string][]netip.Addr{z1: exportIPs("10.61.1.10")}
		c := Conduit{Name: name, From: End{Zone: z1}, To: End{Zone: z2}, Bidirectional: bidir,
			Services: []Service{{Proto: proto, App: app}}}
		if lo != 0 || hi != 0 {
			c.Services[0].Ports = []PortRange{{lo, hi}}
		}
		if cat != "" {
			c.From.Categories = []string{cat}
			b.Ends = map[string][]netip.Addr{c.From.Key(): exportIPs("10.61.1.10")}
		}
		p.Conduits = []Conduit{c}
		if out, err := NFTables(p, b, ExportOptions{Digest: note}); err == nil {
			exportLinesNFT(t, out)
		}
		if out, err := Cisco(p, b, ExportOptions{Digest: note}); err == nil {
			exportLinesIOS(t, out)
		}
	})
}

// exportLinesNFT checks that no text of the policy broke a line or a
// string of the ruleset.
func exportLinesNFT(t *testing.T, out []byte) {
	t.Helper()
	for i, l := range strings.Split(string(out), "\n") {
		s := strings.TrimLeft(l, "\t")
		if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) || !utf8.ValidString(l) {
			t.Fatalf("line %d: control character: %q", i+1, l)
		}
		if !strings.HasPrefix(s, "#") && strings.Count(s, `"`)%2 != 0 {
			t.Fatalf("line %d: unbalanced quotes: %q", i+1, l)
		}
	}
}

// exportLinesIOS checks that every line of the lists is one IOS takes
// for what Cisco means it to be.
func exportLinesIOS(t *testing.T, out []byte) {
	t.Helper()
	starts := []string{"!", "no ", "object-group ", "ip access-list extended WARD-",
		"ipv6 access-list WARD6-", " permit ", " deny ", " remark ", " host ", " tcp", " udp",
		" icmp", " 47", " 112", " 132", " ip", "end"}
	for i, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if strings.ContainsFunc(l, func(r rune) bool { return r < 0x20 }) || !utf8.ValidString(l) {
			t.Fatalf("line %d: control character: %q", i+1, l)
		}
		ok := slices.ContainsFunc(starts, func(s string) bool { return strings.HasPrefix(l, s) })
		if !ok && !exportIOSNetLine(l) {
			t.Fatalf("line %d: %q", i+1, l)
		}
	}
}

// exportIOSNetLine reports whether l is a network of an object group.
func exportIOSNetLine(l string) bool {
	f := strings.Fields(l)
	if len(f) != 2 || !strings.HasPrefix(l, " ") {
		return false
	}
	_, err1 := netip.ParseAddr(f[0])
	_, err2 := netip.ParseAddr(f[1])
	return err1 == nil && err2 == nil
}
