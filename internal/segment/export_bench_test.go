package segment

import (
	"fmt"
	"net/netip"
	"os"
	"testing"
)

// exportBenchPolicy is a large trust: zones zones, conduits conduits and
// about hosts known addresses, with narrowed ends, bidirectional
// conduits, a rule of public addresses and all the infrastructure.
func exportBenchPolicy(zones, conduits, hosts int) (*Policy, *Book) {
	p := &Policy{Name: "bench"}
	b := &Book{Hosts: map[string][]netip.Addr{}, Ends: map[string][]netip.Addr{}}
	for i := range zones {
		z := fmt.Sprintf("zone-%02d", i)
		p.Zones = append(p.Zones, Zone{Name: z})
		nets := []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), 0, 0}), 16),
			netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 16, byte(i), 0}), 24)}
		p.Rules = append(p.Rules, Rule{Zone: z, Subnets: nets})
		b.Subnets = append(b.Subnets, ZoneSubnet{Zone: z, Rule: i, Prefixes: nets})
		for h := range hosts / zones {
			a := netip.AddrFrom4([4]byte{10, byte(i), byte(h / 250), byte(h%250 + 1)})
			b.Hosts[z] = append(b.Hosts[z], a)
		}
	}
	p.Rules = append(p.Rules, Rule{Zone: p.Zones[zones-1].Name, Internet: true})
	b.Subnets = append(b.Subnets, ZoneSubnet{Zone: p.Zones[zones-1].Name, Rule: zones, Internet: true})
	services := [][]Service{{{Proto: "tcp", App: "dicom"}}, {exportTCP(2575)},
		{exportTCP(443), exportUDP(443)}, {{Proto: "tcp", Ports: []PortRange{{8000, 8099}}}},
		{{Proto: "icmp"}}, {{Proto: "udp", App: "snmp"}}}
	for i := range conduits {
		from, to := p.Zones[i%zones].Name, p.Zones[(i*7+1)%zones].Name
		c := Conduit{Name: fmt.Sprintf("c-%03d", i), From: End{Zone: from}, To: End{Zone: to},
			Services: services[i%len(services)], Bidirectional: i%10 == 0}
		if i%10 == 5 {
			c.From.Categories = []string{fmt.Sprintf("cat-%d", i)}
			b.Ends[c.From.Key()] = b.Hosts[from][:20]
		}
		p.Conduits = append(p.Conduits, c)
	}
	p.Infrastructure = Infrastructure{Resolvers: exportIPs("10.0.0.53", "10.1.0.53"),
		NTP: exportIPs("10.0.0.123"), DHCPServers: exportIPs("10.0.0.67"),
		DHCPRelays: exportIPs("10.1.0.1", "10.2.0.1"), FHRP: "vrrp", ICMPErrors: true}
	return p, b
}

func BenchmarkNFTables(b *testing.B) {
	p, book := exportBenchPolicy(50, 500, 10000)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := NFTables(p, book, ExportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "bytes/ruleset")
}

func BenchmarkCisco(b *testing.B) {
	p, book := exportBenchPolicy(50, 500, 10000)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := Cisco(p, book, ExportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "bytes/lists")
}

// TestExportNFTablesLarge checks that nft takes the ruleset of a large
// trust.
func TestExportNFTablesLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("a large ruleset: not in -short")
	}
	p, book := exportBenchPolicy(50, 500, 10000)
	out, err := NFTables(p, book, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("WARD_EXPORT_DUMP"); path != "" {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exportNFTCheck(t, out)
}
