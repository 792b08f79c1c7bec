package inventory

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/observe"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func mac(last byte) dissect.MAC { return dissect.MAC{0x00, 0x1b, 0x63, 0, 0, last} }

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

// src is a binding of a MAC to a source address seen from minute m.
func src(m dissect.MAC, addr string, minute int) observe.Binding {
	at := t0.Add(time.Duration(minute) * time.Minute)
	return observe.Binding{MAC: m, IP: ip(addr), Kind: observe.BindIPSource, First: at,
		Last: at.Add(time.Minute), Packets: 10, Bytes: 1000}
}

func arp(m dissect.MAC, addr string) observe.Binding {
	b := src(m, addr, 0)
	b.Kind = observe.BindARP
	return b
}

func fact(who dissect.Endpoint, source, key, value string) observe.Observation {
	return observe.Observation{
		Fact:  dissect.Fact{Who: who, Source: source, Key: key, Value: value, Confidence: dissect.High},
		First: t0, Last: t0, Count: 1,
	}
}

func ids(inv *Inventory) []string {
	var out []string
	for _, d := range inv.Devices {
		out = append(out, d.ID)
	}
	return out
}

func device(t *testing.T, inv *Inventory, id string) *Device {
	t.Helper()
	i := slices.IndexFunc(inv.Devices, func(d *Device) bool { return d.ID == id })
	if i < 0 {
		t.Fatalf("no device %s among %v", id, ids(inv))
	}
	return inv.Devices[i]
}

func TestDHCPRenewalKeepsOneDevice(t *testing.T) {
	host := mac(1)
	r := &observe.Result{Bindings: []observe.Binding{
		src(host, "10.0.0.20", 0), src(host, "10.0.0.57", 60),
	}}
	inv := Build(r, Options{})
	if diff := cmp.Diff([]string{"mac:00:1b:63:00:00:01"}, ids(inv)); diff != "" {
		t.Fatalf("devices (-want +got):\n%s", diff)
	}
	d := inv.Devices[0]
	if diff := cmp.Diff([]string{"10.0.0.20", "10.0.0.57"}, d.IPs); diff != "" {
		t.Errorf("ips (-want +got):\n%s", diff)
	}
	if d.Router {
		t.Error("a host whose address changed is called a router")
	}
}

func TestRouterAndHostsBehindIt(t *testing.T) {
	gw, host := mac(0xfe), mac(2)
	r := &observe.Result{
		Bindings: []observe.Binding{
			arp(gw, "10.1.0.1"), src(gw, "10.1.0.1", 0),
			src(gw, "10.2.0.5", 0), src(gw, "10.3.0.7", 0), src(gw, "10.4.0.9", 0),
			src(host, "10.1.0.50", 0),
		},
		Observations: []observe.Observation{
			// A user agent from a host behind the router arrives with the
			// router's MAC: it belongs to the host, not the router.
			fact(dissect.Endpoint{MAC: gw, IP: ip("10.2.0.5")}, "http", "http_user_agent", "curl/8"),
			fact(dissect.Endpoint{MAC: gw}, "lldp", dissect.KeyHostname, "core-sw1"),
		},
	}
	inv := Build(r, Options{})
	want := []string{"ip:10.2.0.5", "ip:10.3.0.7", "ip:10.4.0.9", "mac:00:1b:63:00:00:02",
		"mac:00:1b:63:00:00:fe"}
	if diff := cmp.Diff(want, ids(inv)); diff != "" {
		t.Fatalf("devices (-want +got):\n%s", diff)
	}
	router := device(t, inv, "mac:00:1b:63:00:00:fe")
	if !router.Router || router.Category != "router" {
		t.Errorf("router: Router %v, category %q", router.Router, router.Category)
	}
	if diff := cmp.Diff([]string{"10.1.0.1"}, router.IPs); diff != "" {
		t.Errorf("router's own addresses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"core-sw1"}, router.Names); diff != "" {
		t.Errorf("router names (-want +got):\n%s", diff)
	}
	behind := device(t, inv, "ip:10.2.0.5")
	if behind.MACString != "" {
		t.Errorf("host behind the router has MAC %q, want none", behind.MACString)
	}
	if len(behind.Attributes) != 1 || behind.Attributes[0].Value != "curl/8" {
		t.Errorf("host behind the router has attributes %+v, want its user agent", behind.Attributes)
	}
}

func TestPrivacyAddressesAreNotARouter(t *testing.T) {
	phone := dissect.MAC{0x3a, 0x11, 0x22, 0x33, 0x44, 0x55} // locally administered
	var bs []observe.Binding
	for i, a := range []string{"2001:db8:1:2::1a", "2001:db8:1:2:5c1e::9", "2001:db8:1:2:a1b2::3",
		"2001:db8:1:2:ffee::77", "fe80::3811:22ff:fe33:4455", "192.168.1.23"} {
		bs = append(bs, src(phone, a, i))
	}
	inv := Build(&observe.Result{Bindings: bs}, Options{})
	if len(inv.Devices) != 1 {
		t.Fatalf("got devices %v, want one", ids(inv))
	}
	d := inv.Devices[0]
	if d.Router {
		t.Error("IPv6 privacy addresses in one /64 made a router")
	}
	if len(d.IPs) != 6 || !d.MACRandomised {
		t.Errorf("got %d addresses, randomised %v; want 6, true", len(d.IPs), d.MACRandomised)
	}
}

func TestRouterAnnouncements(t *testing.T) {
	for _, tt := range []struct {
		name string
		obs  observe.Observation
	}{
		{"router advertisement", fact(dissect.Endpoint{MAC: mac(9)}, "ndp", dissect.KeyRouter, "yes")},
		{"lldp capability", fact(dissect.Endpoint{MAC: mac(9)}, "lldp", dissect.KeyRouter, "yes")},
		{"dhcp router option", fact(dissect.Endpoint{IP: ip("10.9.0.1")}, "dhcp", dissect.KeyRouter, "yes")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &observe.Result{
				Bindings:     []observe.Binding{arp(mac(9), "10.9.0.1")},
				Observations: []observe.Observation{tt.obs},
			}
			d := Build(r, Options{}).Devices[0]
			if !d.Router {
				t.Errorf("%s did not make a router", tt.name)
			}
		})
	}
}

func TestConflictsKept(t *testing.T) {
	m := mac(3)
	who := dissect.Endpoint{MAC: m}
	r := &observe.Result{
		Bindings: []observe.Binding{src(m, "10.0.0.3", 0)},
		Observations: []observe.Observation{
			fact(who, "dhcp", dissect.KeyHostname, "pump-12"),
			fact(who, "nbns", dissect.KeyHostname, "PUMP-12"),
			fact(who, "snmp", dissect.KeyHostname, "infusion-7"),
		},
	}
	d := Build(r, Options{}).Devices[0]
	if len(d.Attributes) != 3 {
		t.Errorf("got %d attributes, want all 3 kept", len(d.Attributes))
	}
	want := []Conflict{{Key: dissect.KeyHostname, Values: []string{"infusion-7", "pump-12"}}}
	if diff := cmp.Diff(want, d.Conflicts); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	// Names differing only in case are one name.
	if diff := cmp.Diff([]string{"infusion-7", "PUMP-12"}, d.Names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

// TestAddressReuse checks that a fact naming only an address goes to the
// device that used it at the time.
func TestAddressReuse(t *testing.T) {
	a, b := mac(4), mac(5)
	late := fact(dissect.Endpoint{IP: ip("10.0.0.9")}, "dns", dissect.KeyDNSName, "ct-scanner.trust.nhs.uk")
	late.First = t0.Add(90 * time.Minute)
	r := &observe.Result{
		Bindings:     []observe.Binding{src(a, "10.0.0.9", 0), src(b, "10.0.0.9", 80)},
		Observations: []observe.Observation{late},
	}
	inv := Build(r, Options{})
	if got := device(t, inv, "mac:00:1b:63:00:00:05").Names; !slices.Equal(got, []string{"ct-scanner.trust.nhs.uk"}) {
		t.Errorf("the address's later user has names %v", got)
	}
	if got := device(t, inv, "mac:00:1b:63:00:00:04").Names; len(got) != 0 {
		t.Errorf("the address's earlier user has names %v, want none", got)
	}
}

func TestPublicHostsNeedExternal(t *testing.T) {
	gw := mac(0xfe)
	r := &observe.Result{Bindings: []observe.Binding{
		arp(gw, "192.168.0.1"), src(gw, "8.8.8.8", 0), src(gw, "1.1.1.1", 0),
		src(mac(7), "192.168.0.7", 0),
	}}
	if got := ids(Build(r, Options{})); slices.Contains(got, "ip:8.8.8.8") {
		t.Errorf("public host kept without External: %v", got)
	}
	if got := ids(Build(r, Options{External: true})); !slices.Contains(got, "ip:8.8.8.8") {
		t.Errorf("public host dropped with External: %v", got)
	}
}

// TestDevicesBehindGateways checks that a monitor gateway's EUI-64 device
// identifiers give the monitors seen on the wire their role, and that an
// identifier not made from a MAC, or naming the gateway itself, gives
// nothing.
func TestDevicesBehindGateways(t *testing.T) {
	gw, mon, other := mac(1), dissect.MAC{0x00, 0x0f, 0x14, 0x07, 0x01, 0x02}, mac(3)
	r := &observe.Result{
		Bindings: []observe.Binding{src(gw, "10.0.0.1", 0), src(mon, "10.0.0.2", 0), src(other, "10.0.0.3", 0)},
		Observations: []observe.Observation{
			fact(dissect.Endpoint{MAC: gw}, "hl7", dissect.KeyClinicalRole, "patient-monitor-gateway"),
			fact(dissect.Endpoint{MAC: gw}, "hl7", hl7EUI64, "000F14FFFE070102"), // mon
			fact(dissect.Endpoint{MAC: gw}, "hl7", hl7EUI64, "001B63FFFE000001"), // the gateway itself
			fact(dissect.Endpoint{MAC: gw}, "hl7", hl7EUI64, "001B630000000003"), // not made from a MAC
		},
	}
	inv := Build(r, Options{})
	byID := map[string]*Device{}
	for _, d := range inv.Devices {
		byID[d.ID] = d
	}
	m := byID["mac:"+mon.String()]
	if m == nil {
		t.Fatal("the monitor is not in the inventory")
	}
	if m.Category != "patient-monitor" || m.Criticality != "life-sustaining" {
		t.Errorf("monitor behind the gateway: category %q, criticality %q; want patient-monitor, life-sustaining",
			m.Category, m.Criticality)
	}
	var reported bool
	for _, a := range m.Attributes {
		reported = reported || a.Key == KeyReportedBy && a.Value == "mac:"+gw.String()
	}
	if !reported {
		t.Errorf("no %s attribute naming the gateway: %+v", KeyReportedBy, m.Attributes)
	}
	for _, id := range []string{"mac:" + gw.String(), "mac:" + other.String()} {
		if d := byID[id]; d.Category == "patient-monitor" {
			t.Errorf("%s became a patient monitor", id)
		}
	}
}

// TestPumpServerBehindRole checks that a pump server whose cut-off
// messages also suggested a monitor gateway reports pumps, not monitors.
func TestPumpServerBehindRole(t *testing.T) {
	srv, pump := mac(1), dissect.MAC{0x00, 0x12, 0x21, 0x07, 0x01, 0x02}
	who := dissect.Endpoint{MAC: srv}
	r := &observe.Result{
		Bindings: []observe.Binding{src(srv, "10.0.0.1", 0), src(pump, "10.0.0.2", 0)},
		Observations: []observe.Observation{
			fact(who, "hl7", dissect.KeyClinicalRole, "patient-monitor-gateway"),
			fact(who, "hl7", dissect.KeyClinicalRole, "infusion-pump-server"),
			fact(who, "hl7", hl7EUI64, "001221FFFE070102"),
		},
	}
	for _, d := range Build(r, Options{}).Devices {
		if d.MAC == pump && d.Category != "infusion-pump" {
			t.Errorf("the device behind a pump server is %q, want infusion-pump", d.Category)
		}
	}
}
