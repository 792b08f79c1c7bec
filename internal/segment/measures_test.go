package segment

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMeasures(t *testing.T) {
	devs := hospitalDevices()
	// an ultrasound on the imaging VLAN but in the clinical zone (no rule
	// on its category) makes 10.0.130.0/24 vlan 130 flat; a link-local
	// address shared by every device is no network.
	devs = append(devs, Device{ID: "us2", IPs: addrs("10.0.130.13", "fe80::1"), VLANs: []uint16{130},
		Category: "ultrasound", Criticality: "diagnostic"})
	devs[0].IPs = append(devs[0].IPs, addr("fe80::1"))
	e := compile(t, hospital(), devs)
	got := e.Measures()
	want := Measures{
		Devices: 10, MedicalDevices: 7, InMedicalZone: 3, MedicalShare: 3.0 / 7,
		FlatDevices: 4, Unassigned: 1,
		FlatNetworks: []FlatNetwork{
			{Network: "10.0.130.0/24 vlan 130", Devices: 4, Zones: []string{"clinical", "imaging"}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Measures (-want +got):\n%s", diff)
	}
}

func TestMeasuresFlatUntagged(t *testing.T) {
	p := hospital()
	devs := []Device{
		{ID: "a", IPs: addrs("10.0.200.10"), Category: "imaging-ct"},
		{ID: "b", IPs: addrs("10.0.200.11")},
		{ID: "c", IPs: addrs("2001:db8:1::1"), Category: "imaging-mr"},
		{ID: "d", IPs: addrs("2001:db8:1::2")},
		{ID: "e", IPs: addrs("10.0.201.1")},
		// a router is on every network it routes: no flat network by itself
		{ID: "gw", IPs: addrs("10.0.201.254", "10.0.202.254"), Category: "router"},
		{ID: "f", IPs: addrs("10.0.202.1"), Category: "imaging-mr"},
	}
	got := compile(t, p, devs).Measures()
	want := []FlatNetwork{
		{Network: "10.0.200.0/24", Devices: 2, Zones: []string{"imaging", "servers"}},
		{Network: "2001:db8:1::/64", Devices: 2, Zones: []string{"imaging", "internet"}},
	}
	if diff := cmp.Diff(want, got.FlatNetworks); diff != "" {
		t.Errorf("FlatNetworks (-want +got):\n%s", diff)
	}
	if got.FlatDevices != 4 || got.MedicalDevices != 0 || got.MedicalShare != 0 {
		t.Errorf("got flat %d, medical %d share %v; want 4, 0, 0", got.FlatDevices,
			got.MedicalDevices, got.MedicalShare)
	}
}
