package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// role is what a host does on the network, which decides its traffic.
type role uint8

const (
	roleSwitch role = iota + 1
	roleDC
	roleWinServer // a Windows application server: the cabinets' server
	roleEngine
	rolePAS
	roleLIS
	rolePACS
	roleRIS
	rolePumpServer
	roleGateway // a central station that sends its monitors' data as HL7
	rolePump
	roleMonitor
	roleModality
	roleDicomWS
	roleAnalyser
	roleNurseCall
	roleCabinet
	rolePrinter
	rolePC
	rolePhone
)

// host is a device with what the simulation needs to know about it.
type host struct {
	Device
	role    role
	site    *site
	vlan    uint16
	dhcp    bool
	windows bool // a Windows stack: its DHCP options, TTL 128, NetBIOS
	core    bool // the site's core switch: the gateway of every VLAN
	ipid    uint16
	port    uint16 // the last ephemeral port it used

	software string // what it says it runs (LLDP, CDP, DHCP vendor class)
	platform string // a switch's or phone's platform name

	// Clinical identity.
	ae       string    // DICOM AE title
	modality string    // DICOM modality code of its images
	sop      string    // the SOP Class UID of its images
	impl     [2]string // DICOM implementation class UID and version name
	app      string    // HL7 sending application (MSH-3)
	upstream *host     // the system it reports to: pump server, central station, LIS
	members  []*host   // the devices that report through it
	// reportEvery is how many rounds apart its server reports it over
	// HL7 (see round); 0 for a device not in use.
	reportEvery int
	gtin        string // the GS1 GTIN of its model, for its UDI
}

// trust is the plan: sites and hosts, and the shared servers by role.
type trust struct {
	sites []*site
	hosts []*host
	macs  map[[6]byte]bool
	rng   *rand.Rand
	gtins map[string]string // by model

	dc, engine, pas, lis, pacs, ris, pyxis *host
	pumpServers                            map[string]*host // by pump maker
	gateways                               map[string]*host // by monitor maker
}

// planSalt separates the plan's random stream from the traffic's.
const planSalt = 0x57415244_504c414e // "WARDPLAN"

// newTrust plans the trust for a seed: sites, then hosts in a fixed order.
func newTrust(seed int64) *trust {
	t := &trust{
		sites:       newSites(),
		macs:        map[[6]byte]bool{},
		gtins:       map[string]string{},
		rng:         rand.New(rand.NewPCG(uint64(seed), planSalt)),
		pumpServers: map[string]*host{},
		gateways:    map[string]*host{},
	}
	t.planNetwork()
	t.planServers()
	t.planGateways()
	t.planPumps()
	t.planMonitors()
	t.planImaging()
	t.planLab()
	t.planWards()
	return t
}

// newHost adds a host of maker m at site s in VLAN v, with a fresh MAC and
// the next address, and returns it for the caller to fill in.
func (t *trust) newHost(s *site, p place, kind string, r role, m maker, model string,
	v uint16, dhcp bool) *host {
	h := &host{role: r, site: s, vlan: v, dhcp: dhcp}
	h.Site, h.Building, h.Ward = s.name, p.building, p.ward
	h.Kind, h.Vendor, h.Model = kind, m.name, model
	h.MAC = t.mac(m.oui)
	h.IP = s.alloc(v, dhcp)
	h.port = 49152 + uint16(t.rng.IntN(8192))
	t.hosts = append(t.hosts, h)
	return h
}

// mac returns an unused MAC in the block oui.
func (t *trust) mac(oui uint32) [6]byte {
	for {
		m := [6]byte{byte(oui >> 16), byte(oui >> 8), byte(oui), byte(t.rng.IntN(256)),
			byte(t.rng.IntN(256)), byte(t.rng.IntN(256))}
		if !t.macs[m] {
			t.macs[m] = true
			return m
		}
	}
}

// digits returns n random decimal digits.
func (t *trust) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + t.rng.IntN(10)))
	}
	return b.String()
}

// serial makes a serial number: a prefix and n random digits.
func (t *trust) serial(prefix string, n int) string { return prefix + t.digits(n) }

// gtin returns the GTIN-14 of a model, made the first time it is asked
// for: in GS1's 952 prefix, kept for examples and demonstrations, with its
// check digit.
func (t *trust) gtin(model string) string {
	if g, ok := t.gtins[model]; ok {
		return g
	}
	body := "0952" + t.digits(9)
	t.gtins[model] = body + gs1Check(body)
	return t.gtins[model]
}

// gs1Check computes the GS1 check digit of the digits in body: from the
// right, weights 3 and 1 alternately, then the distance to a multiple of 10.
func gs1Check(body string) string {
	total := 0
	for i := range len(body) {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		total += d
	}
	return string(rune('0' + (10-total%10)%10))
}

// planNetwork makes each site's core and access switches.
func (t *trust) planNetwork() {
	access := map[string][]string{
		"RGH": {"TWR-F7", "TWR-F8", "TWR-F12", "CCW-F1", "CCW-F2", "ED-F0", "RAD-F0", "PATH-F1"},
		"HCH": {"MB-F0", "MB-F1", "MB-F2"},
		"NIC": {"IC-F0"},
	}
	core := map[string]string{"RGH": "C9500-24Y4C", "HCH": "C9300-24UX", "NIC": "C9300-24P"}
	for _, s := range t.sites {
		p := place{"Comms Room", "Network"}
		h := t.newHost(s, p, "switch", roleSwitch, makerCisco, core[s.code], vlanMgmt, false)
		h.IP, h.core = s.gateway(vlanMgmt), true
		h.Name = s.code + "-CORE-01"
		s.core = h
		t.ciscoSwitch(h)
		for _, a := range access[s.code] {
			h := t.newHost(s, p, "switch", roleSwitch, makerCisco, "C9300-48P", vlanMgmt, false)
			h.Name = s.code + "-" + a + "-AS01"
			t.ciscoSwitch(h)
		}
	}
}

// ciscoSwitch gives a Catalyst its platform, serial and software.
func (t *trust) ciscoSwitch(h *host) {
	h.platform = "cisco " + h.Model
	h.Serial = "FOC" + t.digits(4) + strings.ToUpper(fmt.Sprintf("%04x", t.rng.IntN(1<<16)))
	h.software = "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), " +
		"Version 17.9.4a, RELEASE SOFTWARE (fc5)"
}

// server adds a virtual machine in Riverside's data centre.
func (t *trust) server(name, kind string, r role, vendor, model string) *host {
	s := t.sites[0]
	h := t.newHost(s, placeFor(s, "dc", 0), kind, r, makerVMware, model, vlanServers, false)
	h.Name, h.Vendor = name, vendor
	h.Serial = "VMware-42 " + t.hex(8)
	return h
}

// hex returns n random lower-case hex digits.
func (t *trust) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[t.rng.IntN(16)]
	}
	return string(b)
}

// planServers makes the data centre's servers.
func (t *trust) planServers() {
	t.dc = t.server("RGH-DC01", "server", roleDC, "Microsoft", "Windows Server 2022")
	t.dc.windows = true
	t.engine = t.server("RGH-RHAP01", "integration-engine", roleEngine, "Rhapsody",
		"Rhapsody Integration Engine")
	t.engine.app = "RHAPSODY"
	t.pas = t.server("RGH-PAS01", "clinical-information-system", rolePAS, "",
		"Patient Administration System")
	t.pas.app = "WVT_PAS"
	t.lis = t.server("RGH-WINPATH01", "clinical-information-system", roleLIS, "CliniSys", "WinPath")
	t.lis.app = "WINPATH"
	t.pacs = t.server("RGH-PACS01", "pacs", rolePACS, "Agfa", "Enterprise Imaging")
	t.pacs.ae, t.pacs.impl = "WVT_PACS", [2]string{"1.2.124.113532.80.22.185.46", "AGFA_EI_8.2"}
	t.ris = t.server("RGH-RIS01", "worklist-server", roleRIS, "", "Radiology Information System")
	t.ris.ae, t.ris.impl = "WVT_RIS", [2]string{"1.2.40.0.13.1.3", "dcm4che-5.31.0"}
	t.ris.app = "WVT_RIS"
	t.pyxis = t.server("RGH-PYXIS01", "server", roleWinServer, "BD", "Pyxis ES Server")
	t.pyxis.windows = true
	for _, p := range []struct{ maker, name, model, app string }{
		{"B. Braun", "RGH-BBOS01", "OnlineSuite", "BBRAUN_ONLINESUITE"},
		{"BD", "RGH-ASM01", "Alaris Systems Manager", "ALARIS_SM"},
		{"Baxter", "RGH-DOSEIQ01", "Dose IQ Safety Software", "DOSE_IQ"},
	} {
		h := t.server(p.name, "infusion-pump-server", rolePumpServer, p.maker, p.model)
		h.app = p.app
		t.pumpServers[p.maker] = h
	}
}

// planGateways makes the central stations that turn monitor data into HL7.
func (t *trust) planGateways() {
	for _, g := range []struct {
		site  int
		m     maker
		model string
		name  string
		app   string
	}{
		{0, makerPhilipsM, "Patient Information Center iX", "RGH-PICIX01", "PHILIPS_PICIX"},
		{0, makerGE, "CARESCAPE Gateway", "RGH-CSGW01", "CARESCAPE_GW"},
		{1, makerMindray, "BeneVision CMS", "HCH-CMS01", "MINDRAY_EGATEWAY"},
	} {
		s := t.sites[g.site]
		p := place{"Data Centre", "Server Room"}
		if g.site != 0 {
			p = placeFor(s, "inpatient", 0)
		}
		h := t.newHost(s, p, "patient-monitor-gateway", roleGateway, g.m, g.model, vlanMonitor,
			false)
		h.Name, h.app = g.name, g.app
		h.Serial = t.serial("GW", 8)
		t.gateways[g.m.name] = h
	}
}

// pumpModel is one model of infusion pump and how many of it a site has.
type pumpModel struct {
	m     maker
	model string
	site  int
	n     int
}

// planPumps makes the infusion pumps, on the wireless pump VLAN.
func (t *trust) planPumps() {
	models := []pumpModel{
		{makerBBraun, "Infusomat Space", 0, 32}, {makerBBraun, "Perfusor Space", 0, 24},
		{makerAlaris, "Alaris GP Plus Volumetric Pump", 0, 20},
		{makerAlaris, "Alaris CC Plus Syringe Pump", 0, 14},
		{makerBaxter, "Novum IQ Large Volume Pump", 1, 10},
		{makerBaxter, "Novum IQ Syringe Pump", 1, 6}, {makerBBraun, "Infusomat Space", 1, 8},
	}
	count := map[string]int{}
	for _, pm := range models {
		gtin := t.gtin(pm.model)
		s := t.sites[pm.site]
		for i := range pm.n {
			p := placeFor(s, "inpatient", i)
			h := t.newHost(s, p, "infusion-pump", rolePump, pm.m, pm.model, vlanPumps, true)
			count[s.code]++
			h.Name = fmt.Sprintf("%s-IP-%04d", s.code, count[s.code])
			h.Serial, h.gtin = t.serial("", 8), gtin
			if t.rng.IntN(100) < 60 {
				h.reportEvery = 5
			}
			h.upstream = t.pumpServers[pm.m.name]
			h.upstream.members = append(h.upstream.members, h)
		}
	}
}

// planMonitors makes the bedside monitors.
func (t *trust) planMonitors() {
	type monitorModel struct {
		m       maker
		model   string
		site    int
		purpose string
		n       int
	}
	models := []monitorModel{
		{makerPhilipsM, "IntelliVue MX800", 0, "icu", 12},
		{makerPhilipsM, "IntelliVue MX450", 0, "inpatient", 28},
		{makerPhilipsM, "IntelliVue MX750", 0, "ed", 8},
		{makerGE, "CARESCAPE B650", 0, "theatre", 4},
		{makerPhilipsM, "IntelliVue MX450", 1, "inpatient", 8},
		{makerMindray, "BeneVision N15", 1, "inpatient", 6},
	}
	for _, mm := range models {
		gtin := t.gtin(mm.model)
		s := t.sites[mm.site]
		for i := range mm.n {
			p := placeFor(s, mm.purpose, i)
			h := t.newHost(s, p, "patient-monitor", roleMonitor, mm.m, mm.model, vlanMonitor, false)
			short := mm.model[strings.LastIndexByte(mm.model, ' ')+1:]
			h.Name = fmt.Sprintf("%s-%s-%s-%02d", s.code, wardCode(p.ward), short, i+1)
			h.Serial, h.gtin = t.monitorSerial(mm.m), gtin
			// Monitors in critical care report every minute; on the
			// wards, where they take spot checks, every five.
			if mm.purpose != "inpatient" && t.rng.IntN(100) < 80 {
				h.reportEvery = 1
			} else if mm.purpose == "inpatient" && t.rng.IntN(100) < 60 {
				h.reportEvery = 5
			}
			gw := t.gateways[mm.m.name]
			h.upstream = gw
			gw.members = append(gw.members, h)
		}
	}
}

// monitorSerial makes a serial number in the style of a monitor's maker.
func (t *trust) monitorSerial(m maker) string {
	switch m.name {
	case "Philips":
		return t.serial("DE", 8)
	case "GE Healthcare":
		return t.serial("SM4", 7) + "GA"
	}
	return t.serial("EW-", 8)
}

// wardCode shortens a ward's name for host names: "Ward 7 Acute Medicine"
// is W7, "Intensive Care Unit" ICU.
func wardCode(ward string) string {
	f := strings.Fields(ward)
	if len(f) >= 2 && f[0] == "Ward" {
		return "W" + f[1]
	}
	var b strings.Builder
	for _, w := range f {
		if c := w[0]; c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
		}
	}
	return b.String()
}
