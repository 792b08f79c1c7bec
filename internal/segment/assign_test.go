package segment

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = addr(s)
	}
	return out
}

var t0 = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// hospital is a small policy: imaging modalities by category, monitors by
// criticality, the servers and the clinical PCs by subnet, the internet.
func hospital() *Policy {
	return &Policy{
		Name: "test",
		Zones: []Zone{
			{Name: "imaging", Medical: true}, {Name: "monitoring", Medical: true},
			{Name: "servers"}, {Name: "clinical"}, {Name: "internet"},
		},
		Rules: []Rule{
			{Zone: "imaging", Categories: []string{"imaging-ct", "imaging-mr"}, Line: 10},
			{Zone: "monitoring", Criticality: []string{"life-sustaining"}, Line: 12},
			{Zone: "servers", Subnets: []netip.Prefix{pfx("10.0.200.0/24")}, Line: 14},
			{Zone: "clinical", Subnets: []netip.Prefix{pfx("10.0.0.0/16")}, Line: 16},
			{Zone: "internet", Internet: true, Line: 18},
		},
		Conduits: []Conduit{
			{Name: "ct-to-pacs", From: End{Zone: "imaging", Categories: []string{"imaging-ct"}},
				To:       End{Zone: "servers", Categories: []string{"pacs"}},
				Services: []Service{{Proto: "tcp", Ports: []PortRange{{104, 104}}, App: "dicom"}}},
			{Name: "clinical-to-servers", From: End{Zone: "clinical"}, To: End{Zone: "servers"},
				Services: []Service{{Proto: "tcp", Ports: []PortRange{{443, 443}}}}},
			{Name: "monitors", From: End{Zone: "monitoring"}, To: End{Zone: "servers"},
				Services: []Service{{Proto: "any"}}, Bidirectional: true},
		},
		Infrastructure: Infrastructure{Resolvers: addrs("10.0.200.53"),
			NTP: addrs("10.0.200.123"), DHCPServers: addrs("10.0.200.67"),
			DHCPRelays: addrs("10.0.20.1"), ICMPErrors: true},
	}
}

// hospitalDevices are the devices of hospital's tests.
func hospitalDevices() []Device {
	return []Device{
		{ID: "ct1", Name: "ct-1", IPs: addrs("10.0.130.10"), VLANs: []uint16{130},
			Category: "imaging-ct", Criticality: "diagnostic"},
		{ID: "mr1", Name: "mr-1", IPs: addrs("10.0.130.11"), VLANs: []uint16{130},
			Category: "imaging-mr", Criticality: "diagnostic"},
		{ID: "us1", Name: "us-1", IPs: addrs("10.0.130.12"), VLANs: []uint16{130},
			Category: "ultrasound", Criticality: "diagnostic"},
		{ID: "mon1", Name: "mon-1", IPs: addrs("10.0.120.10"), VLANs: []uint16{120},
			Category: "patient-monitor", Criticality: "life-sustaining"},
		{ID: "pacs", Name: "pacs", IPs: addrs("10.0.200.10"), VLANs: []uint16{200},
			Category: "pacs", Criticality: "supporting"},
		{ID: "ris", Name: "ris", IPs: addrs("10.0.200.11"), VLANs: []uint16{200},
			Category: "worklist-server", Criticality: "supporting"},
		{ID: "pc1", Name: "pc-1", IPs: addrs("10.0.20.100"), VLANs: []uint16{20},
			Category: "workstation", Criticality: "non-clinical"},
		{ID: "cloud", Name: "vendor", IPs: addrs("203.0.113.10"), Category: "server"},
		{ID: "odd", Name: "odd", IPs: addrs("192.168.9.9")},
	}
}

func compile(t testing.TB, p *Policy, devs []Device) *Evaluator {
	t.Helper()
	e, err := Compile(p, devs)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return e
}

func TestPlaceConditions(t *testing.T) {
	dev := Device{ID: "d1", IPs: addrs("10.1.2.3", "2001:db8::5"), VLANs: []uint16{20, 30},
		Category: "imaging-ct", Criticality: "diagnostic", Tags: []string{"icu", "bay-3"}}
	tests := []struct {
		name string
		rule Rule
		want string // reason after "rule 1: ", "" for no match
	}{
		{"subnet", Rule{Subnets: []netip.Prefix{pfx("10.1.0.0/16")}}, "subnet 10.1.0.0/16"},
		{"subnet of a second address", Rule{Subnets: []netip.Prefix{pfx("10.9.0.0/16"),
			pfx("2001:db8::/32")}}, "subnet 2001:db8::/32"},
		{"subnet no", Rule{Subnets: []netip.Prefix{pfx("10.2.0.0/16")}}, ""},
		{"vlan", Rule{VLANs: []uint16{30, 40}}, "vlan 30"},
		{"vlan no", Rule{VLANs: []uint16{40}}, ""},
		{"category", Rule{Categories: []string{"imaging-mr", "imaging-ct"}}, "category imaging-ct"},
		{"category no", Rule{Categories: []string{"imaging-mr"}}, ""},
		{"criticality", Rule{Criticality: []string{"diagnostic"}}, "criticality diagnostic"},
		{"criticality no", Rule{Criticality: []string{"life-sustaining"}}, ""},
		{"tag", Rule{Tags: []string{"bay-3"}}, "tag bay-3"},
		{"tag no", Rule{Tags: []string{"theatre"}}, ""},
		{"device", Rule{Devices: []string{"d1"}}, "device d1"},
		{"device no", Rule{Devices: []string{"d2"}}, ""},
		// documentation addresses are public: the demo trust's internet has them
		{"internet", Rule{Internet: true}, "internet address 2001:db8::5"},
		{"all conditions", Rule{Subnets: []netip.Prefix{pfx("10.1.2.0/24")}, VLANs: []uint16{20},
			Categories: []string{"imaging-ct"}, Tags: []string{"icu"}},
			"subnet 10.1.2.0/24, vlan 20, category imaging-ct, tag icu"},
		{"all but one", Rule{Subnets: []netip.Prefix{pfx("10.1.2.0/24")},
			Categories: []string{"imaging-mr"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Zone = "z"
			p := &Policy{Zones: []Zone{{Name: "z"}}, Rules: []Rule{tt.rule}}
			got := compile(t, p, []Device{dev}).Place("d1")
			want := unplaced()
			if tt.want != "" {
				want = Placement{Zone: "z", Rule: 0, Reason: "rule 1: " + tt.want}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Place (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlaceInternetDevice(t *testing.T) {
	p := &Policy{Zones: []Zone{{Name: "internet"}}, Rules: []Rule{{Zone: "internet", Internet: true}}}
	devs := []Device{
		{ID: "public", IPs: addrs("10.0.0.1", "8.8.8.8")},
		{ID: "shared", IPs: addrs("100.64.1.1")},
		{ID: "ula", IPs: addrs("fd00::1")},
	}
	e := compile(t, p, devs)
	for id, want := range map[string]string{"public": "internet", "shared": Unassigned,
		"ula": Unassigned} {
		if got := e.Place(id).Zone; got != want {
			t.Errorf("Place(%s) = %s, want %s", id, got, want)
		}
	}
}

func TestPlaceFirstMatch(t *testing.T) {
	e := compile(t, hospital(), hospitalDevices())
	tests := []struct{ id, zone, reason string }{
		{"ct1", "imaging", "rule 1 (line 10): category imaging-ct"},
		// a category rule before the subnet rule of its address
		{"mon1", "monitoring", "rule 2 (line 12): criticality life-sustaining"},
		{"pacs", "servers", "rule 3 (line 14): subnet 10.0.200.0/24"},
		{"us1", "clinical", "rule 4 (line 16): subnet 10.0.0.0/16"},
		{"cloud", "internet", "rule 5 (line 18): internet address 203.0.113.10"},
		{"odd", Unassigned, "no rule matches"},
		{"nobody", Unassigned, "unknown device nobody"},
	}
	for _, tt := range tests {
		got := e.Place(tt.id)
		if got.Zone != tt.zone || got.Reason != tt.reason {
			t.Errorf("Place(%s) = %s %q, want %s %q", tt.id, got.Zone, got.Reason, tt.zone, tt.reason)
		}
	}
}

func TestPlaceDevicesFirst(t *testing.T) {
	p := hospital()
	p.Rules = append(p.Rules, Rule{Zone: "servers", Devices: []string{"ct1", "pc1"}, Line: 30})
	e := compile(t, p, hospitalDevices())
	for _, id := range []string{"ct1", "pc1"} {
		got := e.Place(id)
		want := Placement{Zone: "servers", Rule: 5, Reason: "rule 6 (line 30): device " + id}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Place(%s) (-want +got):\n%s", id, diff)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *Policy)
		devs   []Device
		want   string
	}{
		{"device in two zones", func(p *Policy) {
			p.Rules = append(p.Rules, Rule{Zone: "imaging", Devices: []string{"x"}},
				Rule{Zone: "servers", Devices: []string{"x"}})
		}, nil, `"x"`},
		{"unknown zone in a rule", func(p *Policy) {
			p.Rules = append(p.Rules, Rule{Zone: "nowhere", VLANs: []uint16{5}})
		}, nil, "nowhere"},
		{"unknown zone in a conduit", func(p *Policy) {
			p.Conduits[0].To.Zone = "nowhere"
		}, nil, "nowhere"},
		{"unassigned in a conduit", func(p *Policy) {
			p.Conduits[0].From.Zone = Unassigned
		}, nil, Unassigned},
		{"rule without condition", func(p *Policy) {
			p.Rules = append(p.Rules, Rule{Zone: "imaging"})
		}, nil, "no condition"},
		{"bad protocol", func(p *Policy) {
			p.Conduits[0].Services[0].Proto = "tcpx"
		}, nil, "tcpx"},
		{"device given twice", func(p *Policy) {}, []Device{{ID: "a"}, {ID: "a"}}, `device "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := hospital()
			tt.change(p)
			_, err := Compile(p, tt.devs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile: got %v, want an error about %s", err, tt.want)
			}
		})
	}
	if _, err := Compile(nil, nil); err == nil {
		t.Error("Compile(nil): got no error")
	}
}

// TestCompileOwnChecks runs the checks Compile makes itself, past
// Validate, on a compiler given an invalid policy directly.
func TestCompileOwnChecks(t *testing.T) {
	p := hospital()
	p.Rules = append(p.Rules, Rule{Zone: "nowhere", VLANs: []uint16{5}})
	e := &Evaluator{p: p}
	if err := e.compileZones(); err != nil {
		t.Fatal(err)
	}
	if err := e.compileRules(); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("compileRules: got %v, want unknown zone nowhere", err)
	}
	p = hospital()
	p.Conduits[1].From.Zone = "nowhere"
	e = &Evaluator{p: p}
	if err := e.compileZones(); err != nil {
		t.Fatal(err)
	}
	if err := e.compileConduits(); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("compileConduits: got %v, want unknown zone nowhere", err)
	}
}

func TestPlaceAddr(t *testing.T) {
	p := hospital()
	p.Zones = append(p.Zones, Zone{Name: "voice"})
	p.Rules = append([]Rule{{Zone: "voice", VLANs: []uint16{30}}}, p.Rules...)
	e := compile(t, p, hospitalDevices())
	tests := []struct {
		name   string
		a      string
		vlan   uint16
		dev    string
		zone   string
		reason string
	}{
		{"known device", "10.9.9.9", 0, "ct1", "imaging", "rule 2 (line 10): category imaging-ct"},
		{"address of a known device", "10.0.130.10", 130, "", "imaging",
			"address of ct-1: rule 2 (line 10): category imaging-ct"},
		{"unknown device by its address", "10.0.20.55", 20, "mac:unknown", "clinical",
			"rule 5 (line 16): subnet 10.0.0.0/16"},
		{"category rules skip addresses", "10.0.130.99", 130, "", "clinical",
			"rule 5 (line 16): subnet 10.0.0.0/16"},
		{"vlan of the flow", "10.0.30.5", 30, "", "voice", "rule 1: vlan 30"},
		{"public address", "198.51.100.7", 0, "", "internet", "rule 6 (line 18): internet address"},
		{"private address of no rule", "192.168.1.1", 0, "", Unassigned, "no rule matches"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.PlaceAddr(addr(tt.a), tt.vlan, tt.dev)
			if got.Zone != tt.zone || got.Reason != tt.reason {
				t.Errorf("got %s %q, want %s %q", got.Zone, got.Reason, tt.zone, tt.reason)
			}
		})
	}
}

// TestPlaceAddrInternetDevice: a public address that a known device uses
// is placed as the device, never by the Internet rule as a bare address.
func TestPlaceAddrInternetDevice(t *testing.T) {
	p := &Policy{Zones: []Zone{{Name: "internet"}, {Name: "vendors"}}, Rules: []Rule{
		{Zone: "vendors", Categories: []string{"server"}},
		{Zone: "internet", Internet: true},
	}}
	devs := []Device{{ID: "a", IPs: addrs("203.0.113.1"), Category: "server"},
		{ID: "b", IPs: addrs("203.0.113.2"), Category: "server"},
		{ID: "c", IPs: addrs("203.0.113.2"), Category: "workstation"}}
	e := compile(t, p, devs)
	if got := e.PlaceAddr(addr("203.0.113.1"), 0, "").Zone; got != "vendors" {
		t.Errorf("address of a: got %s, want vendors", got)
	}
	// b and c share an address in two zones: it is no host, and as a bare
	// address a known device's, so not the internet's either.
	if got := e.PlaceAddr(addr("203.0.113.2"), 0, "").Zone; got != Unassigned {
		t.Errorf("shared address: got %s, want %s", got, Unassigned)
	}
}

func TestDevicesOrder(t *testing.T) {
	e := compile(t, hospital(), hospitalDevices())
	var got []string
	for _, d := range e.Devices() {
		got = append(got, d.Placement.Zone+"/"+d.Device.Name)
	}
	want := []string{"imaging/ct-1", "imaging/mr-1", "monitoring/mon-1", "servers/pacs",
		"servers/ris", "clinical/pc-1", "clinical/us-1", "internet/vendor", "unassigned/odd"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Devices (-want +got):\n%s", diff)
	}
}
