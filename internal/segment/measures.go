package segment

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
)

// Measures are the figures of a policy's coverage of the known devices.
type Measures struct {
	Devices int `json:"devices"`
	// MedicalDevices are the devices of criticality life-sustaining,
	// diagnostic or supporting; InMedicalZone those of them placed in a
	// zone marked Medical.
	MedicalDevices int `json:"medical_devices"`
	InMedicalZone  int `json:"in_medical_zone"`
	// MedicalShare is InMedicalZone / MedicalDevices; 0 when there are no
	// medical devices.
	MedicalShare float64 `json:"medical_share"`
	// FlatDevices are the devices in one of FlatNetworks (each counted
	// once).
	FlatDevices  int           `json:"flat_devices"`
	FlatNetworks []FlatNetwork `json:"flat_networks"`
	Unassigned   int           `json:"unassigned"` // devices no rule places
}

// FlatNetwork is a broadcast domain that holds devices of two or more
// zones (Unassigned counting as one): they reach each other without
// passing a router, so no firewall between zones can stop their flows.
// A broadcast domain is a VLAN and an IPv4 /24 or IPv6 /64 of a device's
// address; link-local addresses are left out, being on every link, and
// so are routers, firewalls and switches, whose interfaces are in every
// network they route.
type FlatNetwork struct {
	Network string   `json:"network"` // "10.1.2.0/24 vlan 20", or "10.1.2.0/24" untagged
	Devices int      `json:"devices"`
	Zones   []string `json:"zones"` // sorted
}

// Measures computes the measures of the policy over the known devices.
// FlatNetworks are sorted by devices descending, then by network.
func (e *Evaluator) Measures() Measures {
	m := Measures{Devices: len(e.devs)}
	for i := range e.devs {
		z := e.placed[i].zone
		if z == e.unassigned() {
			m.Unassigned++
		}
		if medical(e.devs[i].Criticality) {
			m.MedicalDevices++
			if e.medical[z] {
				m.InMedicalZone++
			}
		}
	}
	if m.MedicalDevices > 0 {
		m.MedicalShare = float64(m.InMedicalZone) / float64(m.MedicalDevices)
	}
	m.FlatNetworks, m.FlatDevices = e.flatNetworks()
	return m
}

// domain is a broadcast domain.
type domain struct {
	net  netip.Prefix
	vlan uint16
}

func (d domain) String() string {
	if d.vlan == 0 {
		return d.net.String()
	}
	return d.net.String() + " vlan " + strconv.Itoa(int(d.vlan))
}

// flatNetworks returns the flat networks and the devices in them.
func (e *Evaluator) flatNetworks() ([]FlatNetwork, int) {
	members := map[domain][]int32{}
	for i := range e.devs {
		if gateway(e.devs[i].Category) {
			continue
		}
		for _, d := range domainsOf(&e.devs[i]) {
			if m := members[d]; !slices.Contains(m, int32(i)) {
				members[d] = append(m, int32(i))
			}
		}
	}
	var out []FlatNetwork
	flat := map[int32]bool{}
	for d, devs := range members {
		if e.oneZone(devs) {
			continue
		}
		zones := map[string]bool{}
		for _, i := range devs {
			zones[e.zones[e.placed[i].zone]] = true
			flat[i] = true
		}
		fn := FlatNetwork{Network: d.String(), Devices: len(devs)}
		for z := range zones {
			fn.Zones = append(fn.Zones, z)
		}
		slices.Sort(fn.Zones)
		out = append(out, fn)
	}
	slices.SortFunc(out, func(a, b FlatNetwork) int {
		return cmp.Or(cmp.Compare(b.Devices, a.Devices), cmp.Compare(a.Network, b.Network))
	})
	return out, len(flat)
}

// gateway reports whether devices of category c route between networks.
func gateway(c string) bool {
	return c == "router" || c == "firewall" || c == "switch" || c == "network-infrastructure"
}

// domainsOf returns the broadcast domains of d: each of its routable
// addresses' /24 or /64 on each of its VLANs (VLAN 0 when none is
// known).
func domainsOf(d *Device) []domain {
	vlans := d.VLANs
	if len(vlans) == 0 {
		vlans = []uint16{0}
	}
	var out []domain
	for _, a := range d.IPs {
		a = a.Unmap()
		if !a.IsValid() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsLoopback() ||
			a.IsUnspecified() {
			continue
		}
		bits := 24
		if a.Is6() {
			bits = 64
		}
		p, _ := a.Prefix(bits)
		for _, v := range vlans {
			out = append(out, domain{net: p, vlan: v})
		}
	}
	return out
}
