package segment

import (
	stdcmp "cmp"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// flow is a TCP or UDP flow between two addresses.
func flow(src, dst string, proto uint8, port uint16) Flow {
	return Flow{Src: addr(src), Dst: addr(dst), Proto: proto, DstPort: port, Packets: 10,
		Bytes: 1000, FirstSeen: t0, LastSeen: t0.Add(time.Minute)}
}

func TestServiceMatches(t *testing.T) {
	tests := []struct {
		name string
		s    Service
		f    Flow
		want bool
	}{
		{"any protocol", Service{Proto: "any"}, Flow{Proto: 47}, true},
		{"any protocol and port", Service{Proto: "any", Ports: []PortRange{{80, 80}}},
			Flow{Proto: ProtoUDP, DstPort: 80}, true},
		{"protocol", Service{Proto: "udp"}, Flow{Proto: ProtoUDP, DstPort: 9}, true},
		{"other protocol", Service{Proto: "udp"}, Flow{Proto: ProtoTCP, DstPort: 9}, false},
		{"protocol by number", Service{Proto: "112"}, Flow{Proto: 112}, true},
		{"no ports: any port", Service{Proto: "tcp"}, Flow{Proto: ProtoTCP, DstPort: 65535}, true},
		{"port", Service{Proto: "tcp", Ports: []PortRange{{22, 22}, {104, 104}}},
			Flow{Proto: ProtoTCP, DstPort: 104}, true},
		{"port in a range", Service{Proto: "tcp", Ports: []PortRange{{8000, 8099}}},
			Flow{Proto: ProtoTCP, DstPort: 8099}, true},
		{"port outside", Service{Proto: "tcp", Ports: []PortRange{{8000, 8099}}},
			Flow{Proto: ProtoTCP, DstPort: 8100}, false},
		{"application", Service{Proto: "tcp", App: "dicom"},
			Flow{Proto: ProtoTCP, DstPort: 4242, App: "dicom"}, true},
		{"other application", Service{Proto: "tcp", App: "dicom"},
			Flow{Proto: ProtoTCP, DstPort: 4242, App: "http"}, false},
		{"other application on the port", Service{Proto: "tcp", App: "dicom",
			Ports: []PortRange{{104, 104}}}, Flow{Proto: ProtoTCP, DstPort: 104, App: "http"}, false},
		{"unknown application on the port", Service{Proto: "tcp", App: "dicom",
			Ports: []PortRange{{104, 104}}}, Flow{Proto: ProtoTCP, DstPort: 104}, true},
		{"unknown application without ports", Service{Proto: "tcp", App: "dicom"},
			Flow{Proto: ProtoTCP, DstPort: 104}, false},
		{"application on another port", Service{Proto: "tcp", App: "dicom",
			Ports: []PortRange{{104, 104}}}, Flow{Proto: ProtoTCP, DstPort: 11112, App: "dicom"}, false},
		{"any application", Service{Proto: "tcp", Ports: []PortRange{{443, 443}}},
			Flow{Proto: ProtoTCP, DstPort: 443, App: "tls"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := compileService(tt.s)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.matches(&tt.f); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDecideConduits(t *testing.T) {
	p := hospital()
	p.Conduits = append(p.Conduits,
		Conduit{Name: "within-imaging", From: End{Zone: "imaging"}, To: End{Zone: "imaging"},
			Services: []Service{{Proto: "icmp"}}})
	e := compile(t, p, hospitalDevices())
	withDevs := func(f Flow, src, dst string) Flow {
		f.SrcDevice, f.DstDevice = src, dst
		return f
	}
	tests := []struct {
		name    string
		f       Flow
		conduit int // -1 for a violation
	}{
		{"ct to pacs", withDevs(flow("10.0.130.10", "10.0.200.10", ProtoTCP, 104), "ct1", "pacs"), 0},
		{"ct to pacs by address", flow("10.0.130.10", "10.0.200.10", ProtoTCP, 104), 0},
		{"mr not in the narrowed end", flow("10.0.130.11", "10.0.200.10", ProtoTCP, 104), -1},
		{"ct to the ris, not in the narrowed end", flow("10.0.130.10", "10.0.200.11",
			ProtoTCP, 104), -1},
		{"reverse of a one-way conduit", flow("10.0.200.10", "10.0.130.10", ProtoTCP, 104), -1},
		{"bare address in a narrowed end", flow("10.0.200.10", "10.0.200.99", ProtoTCP, 104), -1},
		{"pc to a server", flow("10.0.20.100", "10.0.200.99", ProtoTCP, 443), 1},
		{"pc to a server, other port", flow("10.0.20.100", "10.0.200.99", ProtoTCP, 80), -1},
		{"bidirectional forward", flow("10.0.120.10", "10.0.200.10", ProtoUDP, 5000), 2},
		{"bidirectional reverse", flow("10.0.200.10", "10.0.120.10", ProtoTCP, 24105), 2},
		{"within a zone without a conduit", flow("10.0.20.100", "10.0.20.101", ProtoTCP, 445), -1},
		{"within a zone with a conduit", flow("10.0.130.10", "10.0.130.11", ProtoICMP, 0), 3},
		{"to the internet", flow("10.0.20.100", "198.51.100.1", ProtoTCP, 443), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := e.Decide(&tt.f)
			if d.Conduit != tt.conduit || d.Allowed != (tt.conduit >= 0) {
				t.Errorf("got conduit %d allowed %v (%s → %s), want conduit %d", d.Conduit,
					d.Allowed, d.Src.Zone, d.Dst.Zone, tt.conduit)
			}
		})
	}
}

func TestDecideInfrastructure(t *testing.T) {
	p := hospital()
	p.Conduits = nil
	p.Infrastructure.FHRP = "hsrp"
	p.Infrastructure.DHCPServers = append(p.Infrastructure.DHCPServers, addr("fd00:db8::547"))
	e := compile(t, p, hospitalDevices())
	icmp := func(proto uint8, typ uint16) Flow { return flow("10.0.20.1", "10.0.20.100", proto, typ) }
	tests := []struct {
		name string
		f    Flow
		want string
	}{
		{"dns over udp", flow("10.0.20.100", "10.0.200.53", ProtoUDP, 53), "dns"},
		{"dns over tcp", flow("10.0.20.100", "10.0.200.53", ProtoTCP, 53), "dns"},
		{"dns to another server", flow("10.0.20.100", "10.0.200.54", ProtoUDP, 53), ""},
		{"not dns to the resolver", flow("10.0.20.100", "10.0.200.53", ProtoTCP, 443), ""},
		{"ntp", flow("10.0.130.10", "10.0.200.123", ProtoUDP, 123), "ntp"},
		{"ntp over tcp", flow("10.0.130.10", "10.0.200.123", ProtoTCP, 123), ""},
		{"dhcp relay to server", flow("10.0.20.1", "10.0.200.67", ProtoUDP, 67), "dhcp"},
		{"dhcp server to relay", flow("10.0.200.67", "10.0.20.1", ProtoUDP, 67), "dhcp"},
		{"dhcp server to client", flow("10.0.200.67", "10.0.20.100", ProtoUDP, 68), "dhcp"},
		{"dhcp renewal", flow("10.0.20.100", "10.0.200.67", ProtoUDP, 67), "dhcp"},
		{"dhcp to another host", flow("10.0.20.100", "10.0.200.68", ProtoUDP, 67), ""},
		{"dhcpv6", flow("fd00:db8::100", "fd00:db8::547", ProtoUDP, 547), "dhcp"},
		{"dhcpv6 from the internet", flow("2001:db8::100", "fd00:db8::547", ProtoUDP, 547), ""},
		{"dns from the internet", flow("192.0.2.10", "10.0.200.53", ProtoUDP, 53), ""},
		{"ntp from the internet", flow("192.0.2.10", "10.0.200.123", ProtoUDP, 123), ""},
		{"icmp unreachable", icmp(ProtoICMP, 3), "icmp-error"},
		{"icmp time exceeded", icmp(ProtoICMP, 11), "icmp-error"},
		{"icmp parameter problem", icmp(ProtoICMP, 12), "icmp-error"},
		{"icmp of unknown type", icmp(ProtoICMP, 0), ""},
		{"icmp echo", icmp(ProtoICMP, 8), ""},
		{"icmpv6 packet too big", flow("2001:db8::1", "2001:db8::2", ProtoICMPv6, 2), "icmp-error"},
		{"icmpv6 echo", flow("2001:db8::1", "2001:db8::2", ProtoICMPv6, 128), ""},
		{"hsrp", flow("10.0.20.2", "10.0.20.3", ProtoUDP, 1985), "fhrp"},
		{"vrrp when hsrp is run", flow("10.0.20.2", "10.0.20.3", 112, 0), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := e.Decide(&tt.f)
			if d.Infrastructure != tt.want || d.Allowed != (tt.want != "") || d.Conduit != -1 {
				t.Errorf("got %+v, want infrastructure %q", d, tt.want)
			}
		})
	}
}

func TestDecideFHRP(t *testing.T) {
	for _, tt := range []struct {
		fhrp  string
		proto uint8
		port  uint16
	}{{"vrrp", 112, 0}, {"carp", 112, 0}, {"hsrp", ProtoUDP, 1985}, {"glbp", ProtoUDP, 3222}} {
		t.Run(tt.fhrp, func(t *testing.T) {
			p := hospital()
			p.Infrastructure.FHRP = tt.fhrp
			e := compile(t, p, nil)
			f := flow("10.0.20.2", "10.0.20.3", tt.proto, tt.port) // unicast, as some routers send
			if d := e.Decide(&f); d.Infrastructure != "fhrp" {
				t.Errorf("got %q, want fhrp", d.Infrastructure)
			}
			p.Infrastructure.FHRP = ""
			if d := compile(t, p, nil).Decide(&f); d.Allowed {
				t.Errorf("without fhrp: got allowed %+v", d)
			}
		})
	}
}

func TestDecideICMPErrorsOff(t *testing.T) {
	p := hospital()
	p.Infrastructure.ICMPErrors = false
	f := flow("10.0.20.1", "10.0.20.100", ProtoICMP, 3)
	if d := compile(t, p, nil).Decide(&f); d.Allowed {
		t.Errorf("got allowed %+v, want a violation", d)
	}
}

func TestDecideNotRouted(t *testing.T) {
	e := compile(t, &Policy{Zones: []Zone{{Name: "a"}}, Rules: []Rule{{Zone: "a",
		Subnets: []netip.Prefix{pfx("10.0.0.0/8")}}}}, nil)
	tests := []struct {
		dst  string
		want bool
	}{
		{"255.255.255.255", true}, {"224.0.0.251", true}, {"239.192.150.1", true},
		{"ff02::1:2", true}, {"169.254.1.1", true}, {"fe80::1", true},
		{"10.1.2.255", false}, // a directed broadcast cannot be told from a host
		{"10.1.2.3", false}, {"::ffff:224.0.0.1", true},
	}
	for _, tt := range tests {
		f := flow("10.1.2.3", tt.dst, ProtoUDP, 5353)
		if tt.dst[0] == 'f' {
			f.Src = addr("fe80::2")
		}
		d := e.Decide(&f)
		if d.NotRouted != tt.want || d.Allowed != tt.want {
			t.Errorf("%s: got not routed %v allowed %v, want %v", tt.dst, d.NotRouted, d.Allowed, tt.want)
		}
	}
}

func TestCheckReport(t *testing.T) {
	e := compile(t, hospital(), hospitalDevices())
	big := flow("10.0.20.100", "198.51.100.1", ProtoTCP, 443)
	big.Packets, big.Bytes = 500, 50000
	again := big
	again.Packets, again.FirstSeen, again.LastSeen = 5, t0.Add(-time.Hour), t0.Add(2*time.Hour)
	dicom := flow("10.0.130.11", "10.0.200.10", ProtoTCP, 104)
	dicom.App, dicom.SrcDevice, dicom.DstDevice = "dicom", "mr1", "pacs"
	flows := []Flow{
		flow("10.0.130.10", "10.0.200.10", ProtoTCP, 104),  // allowed
		flow("10.0.20.100", "10.0.200.53", ProtoUDP, 53),   // infrastructure
		flow("10.0.20.100", "224.0.0.251", ProtoUDP, 5353), // not routed
		big, again, dicom,
	}
	r := e.Check(flows)
	counts := [5]int{r.Flows, r.Allowed, r.Infrastructure, r.NotRouted, r.Violating}
	if want := [5]int{6, 1, 1, 1, 3}; counts != want {
		t.Errorf("flows, allowed, infrastructure, not routed, violating: got %v, want %v", counts, want)
	}
	if !r.From.Equal(t0.Add(-time.Hour)) || !r.To.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("window: got %v to %v", r.From, r.To)
	}
	want := []Violation{
		{Source: Endpoint{Address: "10.0.20.100", Device: "pc1", Name: "pc-1", Zone: "clinical",
			Category: "workstation", Criticality: "non-clinical"},
			Destination: Endpoint{Address: "198.51.100.1", Zone: "internet"},
			Protocol:    "tcp", Port: 443, Packets: 505, Bytes: 100000,
			FirstSeen: t0.Add(-time.Hour), LastSeen: t0.Add(2 * time.Hour),
			Key: "10.0.20.100>198.51.100.1/tcp/443"},
		{Source: Endpoint{Address: "10.0.130.11", Device: "mr1", Name: "mr-1", Zone: "imaging",
			Category: "imaging-mr", Criticality: "diagnostic"},
			Destination: Endpoint{Address: "10.0.200.10", Device: "pacs", Name: "pacs",
				Zone: "servers", Category: "pacs", Criticality: "supporting"},
			Protocol: "tcp", Port: 104, Application: "dicom", Packets: 10, Bytes: 1000,
			FirstSeen: t0, LastSeen: t0.Add(time.Minute), Workflow: "dicom-store",
			Key: "10.0.130.11>10.0.200.10/tcp/104"},
	}
	if diff := cmp.Diff(want, r.Violations); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	wantPairs := []PairCount{
		{From: "clinical", To: "internet", Flows: 2, Violations: 2, Packets: 505,
			ViolatingPackets: 505, Bytes: 100000},
		{From: "clinical", To: "servers", Flows: 1, Packets: 10, Bytes: 1000},
		{From: "clinical", To: Unassigned, Flows: 1, Packets: 10, Bytes: 1000},
		{From: "imaging", To: "servers", Flows: 2, Violations: 1, Packets: 20,
			ViolatingPackets: 10, Bytes: 2000},
	}
	if diff := cmp.Diff(wantPairs, r.Pairs); diff != "" {
		t.Errorf("pairs (-want +got):\n%s", diff)
	}
	wantZones := []ZoneCount{
		{Zone: "imaging", Devices: 2, Medical: true, FlowsOut: 2},
		{Zone: "monitoring", Devices: 1, Medical: true},
		{Zone: "servers", Devices: 2, FlowsIn: 3},
		{Zone: "clinical", Devices: 2, FlowsOut: 4},
		{Zone: "internet", Devices: 1, FlowsIn: 2},
		{Zone: Unassigned, Devices: 1, FlowsIn: 1},
	}
	if diff := cmp.Diff(wantZones, r.Zones); diff != "" {
		t.Errorf("zones (-want +got):\n%s", diff)
	}
}

func TestCheckSortsViolations(t *testing.T) {
	e := compile(t, hospital(), nil)
	var flows []Flow
	for i, n := range []uint64{5, 50, 5, 7} {
		f := flow("10.0.20.100", "198.51.100.1", ProtoTCP, uint16(1000-i))
		f.Packets = n
		flows = append(flows, f)
	}
	var got []string
	for _, v := range e.Check(flows).Violations {
		got = append(got, v.Key)
	}
	want := []string{"10.0.20.100>198.51.100.1/tcp/999", "10.0.20.100>198.51.100.1/tcp/997",
		"10.0.20.100>198.51.100.1/tcp/1000", "10.0.20.100>198.51.100.1/tcp/998"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestWeekly(t *testing.T) {
	e := compile(t, hospital(), nil)
	hour := func(f Flow, h time.Time, packets uint64) FlowHour {
		f.Packets = packets
		return FlowHour{Flow: f, Hour: h}
	}
	bad := flow("10.0.20.100", "198.51.100.1", ProtoTCP, 443)
	bad2 := flow("10.0.20.100", "198.51.100.2", ProtoTCP, 443)
	good := flow("10.0.20.100", "10.0.200.9", ProtoTCP, 443)
	mon := time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC) // a Monday
	hours := []FlowHour{
		hour(bad, mon.Add(9*time.Hour), 10),
		hour(bad, mon.Add(10*time.Hour), 5),
		hour(bad2, mon.Add(6*24*time.Hour+23*time.Hour), 1), // Sunday 23:00
		hour(good, mon.Add(14*24*time.Hour), 100),           // two weeks on, allowed
		hour(bad, mon.Add(-time.Hour), 2),                   // Sunday before
	}
	want := []Week{
		{Start: mon.AddDate(0, 0, -7), Flows: 1, Packets: 2},
		{Start: mon, Flows: 2, Packets: 16},
		{Start: mon.AddDate(0, 0, 7)},
		{Start: mon.AddDate(0, 0, 14)},
	}
	if diff := cmp.Diff(want, e.Weekly(hours)); diff != "" {
		t.Errorf("Weekly (-want +got):\n%s", diff)
	}
	if got := e.Weekly(nil); got != nil {
		t.Errorf("Weekly(nil) = %v, want nil", got)
	}
}

func TestWeekOf(t *testing.T) {
	loc := time.FixedZone("UTC+2", 2*3600)
	tests := []struct{ t, want time.Time }{
		{time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 8, 23, 59, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 2, 1, 0, 0, 0, loc), time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)},
		{time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := weekOf(tt.t); !got.Equal(tt.want) {
			t.Errorf("weekOf(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}
}

// TestCheckParallel checks that Check, sharing many flows among
// goroutines, reports what one pass over them does.
func TestCheckParallel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	p, devs := benchPolicy(r), benchDevs()
	flows := benchFlows(r, p, devs, 4*minChunk+17, 5)
	e := compile(t, p, devs)
	one := e.newTally()
	one.check(flows)
	want := one.report()
	got := e.Check(flows)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check (-one pass +shared):\n%s", diff)
	}
	if got.Violating == 0 || got.Allowed == 0 {
		t.Errorf("got %d violating and %d allowed flows, want some of each", got.Violating, got.Allowed)
	}
}

func TestKeyOf(t *testing.T) {
	for _, f := range []Flow{
		flow("10.0.0.1", "10.0.0.2", ProtoTCP, 104),
		{Src: addr("::ffff:10.0.0.1"), Dst: addr("fe80::1%eth0"), Proto: 200, DstPort: 9, VLAN: 20},
		{Src: addr("2001:db8::1"), Dst: addr("::ffff:1.2.3.4"), Proto: ProtoICMPv6, VLAN: 4094},
		{},
	} {
		if got, want := keyOf(&f), f.Key(); got != want {
			t.Errorf("keyOf = %q, want %q", got, want)
		}
		var v Violation
		e := compile(t, hospital(), nil)
		src, dst := e.placeEnd(f.Src, 0, ""), e.placeEnd(f.Dst, 0, "")
		e.describe(&v, &f, &src, &dst, keyOf(&f))
		if v.Source.Address != f.Src.Unmap().String() || v.Destination.Address != f.Dst.Unmap().String() {
			t.Errorf("%s: addresses %q and %q", f.Key(), v.Source.Address, v.Destination.Address)
		}
	}
}

// TestSortRanks checks the fast order of violations against the plain
// one: packets descending, then key.
func TestSortRanks(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	keys := []string{"", "1", "10.0.0.1>10.0.0.2/tcp/1", "10.0.0.1>10.0.0.2/tcp/10",
		"10.0.0.1>10.0.0.2/tcp/1\x00", "10.0.0.1", "10.0.0.10", "2001:db8::1>2001:db8::2/udp/53"}
	var rs []rank
	for i := range 3*minChunk + 1 {
		k := keys[r.IntN(len(keys))] + strconv.Itoa(r.IntN(50))
		rs = append(rs, rankOf(uint64(r.IntN(30)), k, int32(i)))
	}
	want := slices.Clone(rs)
	slices.SortStableFunc(want, func(a, b rank) int {
		return stdcmp.Or(stdcmp.Compare(b.packets, a.packets), strings.Compare(a.key, b.key))
	})
	got := sortRanks(rs)
	for i := range want {
		if got[i].packets != want[i].packets || got[i].key != want[i].key {
			t.Fatalf("at %d: got %d %q, want %d %q", i, got[i].packets, got[i].key,
				want[i].packets, want[i].key)
		}
	}
}

// TestConcurrentReads reads one Evaluator from several goroutines at
// once (run with -race).
func TestConcurrentReads(t *testing.T) {
	e := compile(t, hospital(), hospitalDevices())
	flows := simulationFlows()
	done := make(chan bool)
	for range 4 {
		go func() {
			e.Check(flows)
			e.Decide(&flows[0])
			e.Book()
			e.Measures()
			e.Devices()
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
}
