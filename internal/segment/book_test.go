package segment

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	addrEqual   = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })
	prefixEqual = cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })
)

func TestBook(t *testing.T) {
	p := hospital()
	p.Zones = append(p.Zones, Zone{Name: "voice"})
	p.Rules = append(p.Rules, Rule{Zone: "voice", VLANs: []uint16{30}},
		Rule{Zone: "voice", VLANs: []uint16{31}, Subnets: []netip.Prefix{pfx("172.16.31.0/24")}})
	devs := hospitalDevices()
	// two devices of different zones on one address
	devs = append(devs, Device{ID: "mr2", IPs: addrs("10.0.20.100"), Category: "imaging-mr"})
	b := compile(t, p, devs).Book()

	wantHosts := map[string][]netip.Addr{
		"imaging":    addrs("10.0.130.10", "10.0.130.11"),
		"monitoring": addrs("10.0.120.10"),
		"servers":    addrs("10.0.200.10", "10.0.200.11"),
		"clinical":   addrs("10.0.130.12"),
		"internet":   addrs("203.0.113.10"),
		Unassigned:   addrs("192.168.9.9"),
	}
	if diff := cmp.Diff(wantHosts, b.Hosts, addrEqual); diff != "" {
		t.Errorf("Hosts (-want +got):\n%s", diff)
	}
	wantSubnets := []ZoneSubnet{
		{Zone: "servers", Rule: 2, Prefixes: []netip.Prefix{pfx("10.0.200.0/24")}},
		{Zone: "clinical", Rule: 3, Prefixes: []netip.Prefix{pfx("10.0.0.0/16")}},
		{Zone: "internet", Rule: 4, Internet: true},
		{Zone: "voice", Rule: 6, Prefixes: []netip.Prefix{pfx("172.16.31.0/24")}},
	}
	if diff := cmp.Diff(wantSubnets, b.Subnets, prefixEqual); diff != "" {
		t.Errorf("Subnets (-want +got):\n%s", diff)
	}
	wantEnds := map[string][]netip.Addr{
		"imaging:imaging-ct": addrs("10.0.130.10"),
		"servers:pacs":       addrs("10.0.200.10"),
	}
	if diff := cmp.Diff(wantEnds, b.Ends, addrEqual); diff != "" {
		t.Errorf("Ends (-want +got):\n%s", diff)
	}
	notes := strings.Join(b.Notes, "\n")
	for _, want := range []string{"address 10.0.20.100 is used by devices of different zones",
		"rule 1 (line 10) places devices by what they are", "rule 6 places by VLAN only",
		"rule 7: its VLAN condition is not enforced"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q: want %q", notes, want)
		}
	}
}

// TestBookHostsOneZone checks that every known address is in at most one
// zone's hosts and that the hosts agree with PlaceAddr.
func TestBookHostsOneZone(t *testing.T) {
	e := compile(t, hospital(), hospitalDevices())
	b := e.Book()
	seen := map[netip.Addr]string{}
	for z, as := range b.Hosts {
		for _, a := range as {
			if prev, dup := seen[a]; dup {
				t.Errorf("%s in %s and %s", a, prev, z)
			}
			seen[a] = z
			if got := e.PlaceAddr(a, 0, "").Zone; got != z {
				t.Errorf("%s: in hosts of %s, PlaceAddr says %s", a, z, got)
			}
		}
	}
}
