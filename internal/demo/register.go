package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Register writes the trust's asset register as its clinical engineering
// department's CMMS would export it, and as out of date as such registers
// are: some devices on the network were never entered (new PCs, phones, a
// pump delivered last month), some entries are for devices condemned or
// moved that the register still calls in service, some carry an old IP
// address, and cells are written the way people type them (MACs with
// dashes, dots or none, upper or lower case).
func Register(devs []Device, seed int64) []byte {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7265676973746572))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"Asset No", "Description", "Manufacturer", "Model", "Serial No",
		"MAC Address", "IP Address", "Host Name", "Site", "Department", "Status",
		"Software Version"})
	n := 0
	for _, d := range devs {
		if skipInRegister(d, rng) {
			continue
		}
		n++
		w.Write(registerRow(d, n, rng))
	}
	for i := range 18 {
		n++
		w.Write(condemned(devs[rng.IntN(len(devs))], n, i, rng))
	}
	w.Flush()
	return buf.Bytes()
}

// skipInRegister leaves out most IT kit (the CMMS is for medical devices
// and the IT asset list is elsewhere) and a few medical devices nobody
// entered.
func skipInRegister(d Device, rng *rand.Rand) bool {
	switch d.Kind {
	case "workstation", "ip-phone", "switch", "printer", "server":
		return rng.IntN(10) < 7
	}
	return rng.IntN(100) < 6
}

func registerRow(d Device, n int, rng *rand.Rand) []string {
	mac, ip, host := macCell(d.MAC, rng), d.IP.String(), d.Name
	switch r := rng.IntN(100); {
	case r < 8: // moved: the old address
		ip = fmt.Sprintf("%s.%d", ip[:strings.LastIndexByte(ip, '.')], 200+rng.IntN(50))
	case r < 14:
		ip = "DHCP"
	case r < 20: // entered without the MAC
		mac = ""
	}
	if rng.IntN(4) == 0 {
		host = ""
	}
	return []string{fmt.Sprintf("WV%05d", 10000+n), describe(d.Kind), d.Vendor, d.Model, d.Serial,
		mac, ip, host, d.Site, d.Ward, "In service", softwareVersion(d.Model, rng)}
}

// softwareVersions are the software versions clinical engineering records
// for the trust's models, older and newer, as a fleet mid-upgrade has
// them; a model not listed has its version left blank, as many registers
// do.
var softwareVersions = map[string][]string{
	"IntelliVue MX800":               {"M.00.03", "N.01.02", "L.01.05"},
	"IntelliVue MX450":               {"M.00.03", "J.10.50", "N.01.02"},
	"IntelliVue MX750":               {"N.01.02", "N.01.02"},
	"Patient Information Center iX":  {"B.02.15"},
	"Alaris GP Plus Volumetric Pump": {"2.3.6", "4.3.1", "4.3.1"},
	"Alaris CC Plus Syringe Pump":    {"2.3.6", "4.3.1"},
	"CARESCAPE B650":                 {"2.0.8", "3.1.2"},
	"Alaris Systems Manager":         {"4.33"},
	"Pyxis MedStation ES":            {"1.6.1", "1.7.3"},
	"Pyxis ES Server":                {"1.6.1"},
}

func softwareVersion(model string, rng *rand.Rand) string {
	vs := softwareVersions[model]
	if len(vs) == 0 {
		return ""
	}
	return vs[rng.IntN(len(vs))]
}

// condemned is an entry for a device that left the network long ago but
// is still listed: same maker and model as one that is there, another
// serial and MAC.
func condemned(like Device, n, i int, rng *rand.Rand) []string {
	mac := like.MAC
	mac[3], mac[4], mac[5] = byte(rng.IntN(256)), byte(rng.IntN(256)), byte(i)
	serial := fmt.Sprintf("%s%06d", strings.ToUpper(like.Vendor[:2]), rng.IntN(1000000))
	status := "In service"
	if i%3 == 0 {
		status = "Awaiting repair"
	}
	return []string{fmt.Sprintf("WV%05d", 10000+n), describe(like.Kind), like.Vendor, like.Model,
		serial, macCell(mac, rng), "", "", like.Site, like.Ward, status, ""}
}

// macCell writes a MAC the way one of the register's many editors did.
func macCell(m [6]byte, rng *rand.Rand) string {
	switch rng.IntN(4) {
	case 0:
		return fmt.Sprintf("%02X-%02X-%02X-%02X-%02X-%02X", m[0], m[1], m[2], m[3], m[4], m[5])
	case 1:
		return fmt.Sprintf("%02x%02x.%02x%02x.%02x%02x", m[0], m[1], m[2], m[3], m[4], m[5])
	case 2:
		return fmt.Sprintf("%02X%02X%02X%02X%02X%02X", m[0], m[1], m[2], m[3], m[4], m[5])
	}
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

func describe(kind string) string {
	if s, ok := descriptions[kind]; ok {
		return s
	}
	return strings.ReplaceAll(kind, "-", " ")
}

var descriptions = map[string]string{
	"infusion-pump": "Pump, infusion, volumetric", "patient-monitor": "Monitor, physiological",
	"patient-monitor-gateway": "Central monitoring station", "imaging-ct": "Scanner, CT",
	"imaging-mr": "Scanner, MRI", "ultrasound": "Scanner, ultrasound", "imaging-xray": "X-ray system",
	"infusion-pump-server": "Infusion management server",
	"pacs":                 "PACS server", "lab-analyser": "Analyser, laboratory", "nurse-call": "Nurse call controller",
	"medication-cabinet": "Automated medication cabinet",
}
