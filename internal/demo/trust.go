package demo

import (
	"net/netip"
)

// The VLAN plan, the same at every site. Site s uses 10.s.v.0/24 for VLAN
// v, with the site's core switch at .1 as the gateway.
const (
	vlanMgmt      = 10  // switch management
	vlanClinical  = 20  // ward PCs and reporting workstations
	vlanVoice     = 30  // IP phones
	vlanPrint     = 40  // printers
	vlanPumps     = 110 // infusion pumps, on the clinical wireless network
	vlanMonitor   = 120 // patient monitoring network
	vlanImaging   = 130 // modalities
	vlanLab       = 140 // laboratory analysers
	vlanNurseCall = 150
	vlanPharmacy  = 160 // medication cabinets
	vlanServers   = 200 // the data centre, at Riverside only
)

// vlans are the VLANs and the names the core switches give them, in
// order.
var vlans = []struct {
	id   uint16
	name string
}{
	{vlanMgmt, "MGMT"}, {vlanClinical, "CLINICAL-PC"}, {vlanVoice, "VOICE"},
	{vlanPrint, "PRINT"}, {vlanPumps, "MED-PUMPS"}, {vlanMonitor, "MED-MONITORING"},
	{vlanImaging, "MED-IMAGING"}, {vlanLab, "MED-LAB"}, {vlanNurseCall, "NURSE-CALL"},
	{vlanPharmacy, "PHARMACY"}, {vlanServers, "DATACENTRE"},
}

// Names of Ward Valley NHS Trust.
const (
	trustDomain = "wardvalley.nhs.uk"
	netbiosDom  = "WVT" // the Active Directory domain's NetBIOS name
)

// site is one hospital of the trust.
type site struct {
	code  string // "RGH", in names and HL7 facilities
	name  string
	octet byte // the second octet of its addresses
	core  *host
	next  map[uint16]byte // next free host octet per VLAN
}

// addr returns the address of host octet n in VLAN v at the site.
func (s *site) addr(v uint16, n byte) netip.Addr {
	return netip.AddrFrom4([4]byte{10, s.octet, byte(v), n})
}

// gateway is the core switch's address in VLAN v.
func (s *site) gateway(v uint16) netip.Addr { return s.addr(v, 1) }

// alloc returns the next free address in VLAN v: statics from .10, DHCP
// leases from .100, so that the two never meet in a /24.
func (s *site) alloc(v uint16, dhcp bool) netip.Addr {
	key := v
	if dhcp {
		key |= 0x8000
	}
	n, ok := s.next[key]
	if !ok {
		n = 10
		if dhcp {
			n = 100
		}
	}
	s.next[key] = n + 1
	return s.addr(v, n)
}

// sites of the trust, in plan order.
func newSites() []*site {
	mk := func(code, name string, octet byte) *site {
		return &site{code: code, name: name, octet: octet, next: map[uint16]byte{}}
	}
	return []*site{
		mk("RGH", "Riverside General Hospital", 10),
		mk("HCH", "Hillview Community Hospital", 20),
		mk("NIC", "Northgate Imaging Centre", 30),
	}
}

// place is where a device is: building and ward of a site.
type place struct {
	building, ward string
}

// wards lists the places of each site where devices go, by purpose.
var wards = map[string]map[string][]place{
	"RGH": {
		"inpatient": {{"Tower Block", "Ward 7 Acute Medicine"},
			{"Tower Block", "Ward 8 Respiratory"}, {"Tower Block", "Ward 12 Surgery"},
			{"Critical Care Wing", "Intensive Care Unit"}, {"Emergency Department", "ED Majors"}},
		"theatre": {{"Critical Care Wing", "Main Theatres"}},
		"icu":     {{"Critical Care Wing", "Intensive Care Unit"}},
		"imaging": {{"Radiology", "Radiology"}},
		"ed":      {{"Emergency Department", "ED Majors"}, {"Emergency Department", "ED Resus"}},
		"lab":     {{"Pathology", "Blood Sciences"}},
		"office":  {{"Tower Block", "Ward 7 Acute Medicine"}, {"Radiology", "Reporting Room"}},
		"dc":      {{"Data Centre", "Server Room"}},
	},
	"HCH": {
		"inpatient": {{"Main Building", "Rowan Ward"}, {"Main Building", "Willow Ward"}},
		"imaging":   {{"Main Building", "X-ray and Ultrasound"}},
		"ed":        {{"Main Building", "Minor Injuries Unit"}},
		"lab":       {{"Main Building", "Point of Care Testing"}},
		"office":    {{"Main Building", "Outpatients"}},
	},
	"NIC": {
		"imaging": {{"Imaging Centre", "Imaging Suite"}},
		"office":  {{"Imaging Centre", "Reception"}},
	},
}

// placeFor picks the i-th place of a purpose at a site, going round; a
// purpose the site lacks is its main building.
func placeFor(s *site, purpose string, i int) place {
	ps := wards[s.code][purpose]
	if len(ps) == 0 {
		return place{"Main Building", purpose}
	}
	return ps[i%len(ps)]
}
