package demo

import (
	"fmt"
	"strings"
)

// Storage SOP Classes the modalities make (DICOM PS3.4 Annex B).
const (
	sopCT = "1.2.840.10008.5.1.4.1.1.2"   // CT Image Storage
	sopMR = "1.2.840.10008.5.1.4.1.1.4"   // MR Image Storage
	sopUS = "1.2.840.10008.5.1.4.1.1.6.1" // Ultrasound Image Storage
	sopDX = "1.2.840.10008.5.1.4.1.1.1.1" // Digital X-Ray Image Storage - For Presentation
)

// modalityKinds maps a modality code to the category of its scanner.
var modalityKinds = map[string]string{
	"CT": "imaging-ct", "MR": "imaging-mr", "US": "ultrasound", "DX": "imaging-xray",
}

var modalitySOPs = map[string]string{"CT": sopCT, "MR": sopMR, "US": sopUS, "DX": sopDX}

// scanner is one imaging modality of the plan. The implementation class
// UIDs start with their maker's registered root (the roots Ward knows are
// in internal/dissect/dicom/impl.go); the rest of each UID and the version
// names are made up.
type scanner struct {
	site     int
	modality string
	m        maker
	model    string
	impl     [2]string
}

var scanners = []scanner{
	{0, "CT", makerSiemens, "SOMATOM go.Top",
		[2]string{"1.3.12.2.1107.5.1.4.0.1", "SIEMENS_CT_VA40"}},
	{0, "CT", makerGE, "Revolution Apex",
		[2]string{"1.2.840.113619.6.429", "REVO_APEX_23"}},
	{0, "MR", makerSiemens, "MAGNETOM Vida",
		[2]string{"1.3.12.2.1107.5.2.0.1", "SIEMENS_MR_XA50"}},
	{0, "US", makerGE, "LOGIQ E10",
		[2]string{"1.2.840.113619.6.336", "LOGIQE10_R4"}},
	{0, "US", makerGE, "LOGIQ E10",
		[2]string{"1.2.840.113619.6.336", "LOGIQE10_R4"}},
	{0, "US", makerPhilips, "EPIQ Elite",
		[2]string{"1.2.840.113543.6.6.3.4", "EPIQ_9.0"}},
	{0, "US", makerSiemens, "ACUSON Sequoia",
		[2]string{"1.3.12.2.1107.5.5.0.1", "ACUSON_VB20"}},
	{0, "DX", makerPhilips, "DigitalDiagnost C90",
		[2]string{"1.3.46.670589.30.41.0", "DigitalDiagnost"}},
	{0, "DX", makerFuji, "FDR Visionary Suite",
		[2]string{"1.2.392.200036.9125.0.1.3", "FUJI_FDR_V12"}},
	{1, "US", makerCanon, "Aplio i800",
		[2]string{"1.2.392.200036.9116.7.8.1.1", "APLIO_I800_V7"}},
	{1, "DX", makerFuji, "FDR Go PLUS",
		[2]string{"1.2.392.200036.9125.0.1.3", "FUJI_FDR_GO"}},
	{2, "CT", makerCanon, "Aquilion ONE PRISM",
		[2]string{"1.2.392.200036.9116.2.6.1.48", "TM_CT_ONE_10"}},
	{2, "MR", makerPhilips, "Ingenia Ambition",
		[2]string{"1.3.46.670589.11.0.0.51.4.11.1", "Philips MR 11.1"}},
	{2, "US", makerPhilips, "EPIQ Elite",
		[2]string{"1.2.840.113543.6.6.3.4", "EPIQ_9.0"}},
	{2, "DX", makerGE, "Definium 656 HD",
		[2]string{"1.2.840.113619.6.475", "DEFINIUM_DX_6"}},
}

// planImaging makes the modalities and the reporting workstations.
func (t *trust) planImaging() {
	count := map[string]int{}
	for _, sc := range scanners {
		s := t.sites[sc.site]
		p := placeFor(s, "imaging", 0)
		if sc.site == 0 && sc.modality == "DX" && count["RGHDX"] == 1 {
			p = placeFor(s, "ed", 1) // the resus room's X-ray
		}
		h := t.newHost(s, p, modalityKinds[sc.modality], roleModality, sc.m, sc.model,
			vlanImaging, false)
		key := s.code + sc.modality
		count[key]++
		h.ae = fmt.Sprintf("%s%s%02d", s.code, sc.modality, count[key])
		h.Name = fmt.Sprintf("%s-%s%02d", s.code, sc.modality, count[key])
		h.modality, h.sop, h.impl = sc.modality, modalitySOPs[sc.modality], sc.impl
		h.Serial = t.serial("", 6)
	}
	s := t.sites[0]
	for i := range 3 {
		h := t.newHost(s, placeFor(s, "office", 1), "dicom-workstation", roleDicomWS, makerHP,
			"Z4 G5 Workstation", vlanClinical, true)
		h.windows = true
		h.Name = fmt.Sprintf("WVT-RGH-RAD%02d", i+1)
		h.ae = fmt.Sprintf("RGHRADWS%02d", i+1)
		h.impl = t.pacs.impl
		h.Serial = t.serial("CZC", 7)
	}
}

// analyser is one laboratory analyser model of the plan.
type analyser struct {
	site  int
	m     maker
	model string
	app   string
	fac   string // its department, in MSH-4
	n     int
}

var analysers = []analyser{
	{0, makerRoche, "cobas pro", "COBAS_PRO", "RGH_BIOCHEMISTRY", 2},
	{0, makerSysmex, "XN-1000", "SYSMEX_XN", "RGH_HAEMATOLOGY", 2},
	{0, makerSysmex, "CS-2500", "SYSMEX_CS", "RGH_COAGULATION", 1},
	{0, makerAbbott, "Alinity ci", "ALINITY_CI", "RGH_IMMUNOASSAY", 2},
	{1, makerSysmex, "XN-550", "SYSMEX_XN", "HCH_POCT", 1},
	{1, makerAbbottPC, "i-STAT Alinity", "ISTAT_ALINITY", "HCH_POCT", 1},
}

// planLab makes the laboratory analysers, which send their results to the
// LIS.
func (t *trust) planLab() {
	n := 0
	for _, a := range analysers {
		s := t.sites[a.site]
		for i := range a.n {
			h := t.newHost(s, placeFor(s, "lab", 0), "lab-analyser", roleAnalyser, a.m, a.model,
				vlanLab, false)
			n++
			short := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(a.model))
			h.Name = fmt.Sprintf("%s-%s-%02d", s.code, short, i+1)
			h.app, h.software = a.app, a.fac
			h.Serial = t.serial("", 7)
			h.upstream = t.lis
			t.lis.members = append(t.lis.members, h)
		}
	}
}

// wardKit is the equipment of the wards and offices of one site.
type wardKit struct {
	nurseCall, cabinets, pcs int
	printers                 []maker
	phones                   int
	phone                    maker
}

var kits = []wardKit{
	{nurseCall: 6, cabinets: 3, pcs: 6, phones: 16, phone: makerCiscoPh,
		printers: []maker{makerHPInc, makerHPInc, makerHPInc, makerHPInc, makerHPInc,
			makerHPInc, makerBrother, makerBrother}},
	{nurseCall: 4, cabinets: 1, pcs: 2, phones: 6, phone: makerPolycom,
		printers: []maker{makerHPInc, makerHPInc, makerBrother, makerBrother}},
	{pcs: 2, phones: 3, phone: makerCiscoPh, printers: []maker{makerHPInc}},
}

// planWards makes each site's nurse call, cabinets, printers, PCs and phones.
func (t *trust) planWards() {
	for i, s := range t.sites {
		k := kits[i]
		for j := range k.nurseCall {
			t.nurseCall(s, j)
		}
		for j := range k.cabinets {
			t.cabinet(s, j)
		}
		for j, m := range k.printers {
			t.printer(s, j, m)
		}
		for j := range k.pcs {
			t.pc(s, j)
		}
		for j := range k.phones {
			t.phone(s, j, k.phone)
		}
	}
}

// nurseCall adds the i-th nurse call controller of a site.
func (t *trust) nurseCall(s *site, i int) {
	p := placeFor(s, "inpatient", i)
	h := t.newHost(s, p, "nurse-call", roleNurseCall, makerAscom, "teleCARE IP Controller",
		vlanNurseCall, true)
	h.Name = fmt.Sprintf("%s-NC-%s-%02d", s.code, wardCode(p.ward), i+1)
	h.Serial = t.serial("", 10)
	h.software = "udhcp 1.31.1"
}

// cabinet adds the i-th medication cabinet of a site.
func (t *trust) cabinet(s *site, i int) {
	purposes := []string{"inpatient", "icu", "ed"}
	p := placeFor(s, purposes[i%len(purposes)], i/len(purposes))
	h := t.newHost(s, p, "medication-cabinet", roleCabinet, makerBD, "Pyxis MedStation ES",
		vlanPharmacy, true)
	h.windows = true
	h.Name = fmt.Sprintf("%s-PYX-%s-%02d", s.code, wardCode(p.ward), i+1)
	h.Serial = t.serial("MS", 8)
}

var printerModels = map[string][]string{
	"HP":      {"HP LaserJet Enterprise M507", "HP Color LaserJet Pro M454dn"},
	"Brother": {"Brother HL-L6400DW", "Brother MFC-L8900CDW"},
}

// printer adds the i-th printer of a site, made by m.
func (t *trust) printer(s *site, i int, m maker) {
	purpose := "inpatient"
	if i%3 == 2 {
		purpose = "office"
	}
	p := placeFor(s, purpose, i)
	models := printerModels[m.name]
	model := models[i%len(models)]
	h := t.newHost(s, p, "printer", rolePrinter, m, model, vlanPrint, true)
	// Their default names: NPI and the end of the MAC for HP, BRN and all
	// of it for Brother's wired interfaces.
	h.Name = fmt.Sprintf("NPI%02X%02X%02X", h.MAC[3], h.MAC[4], h.MAC[5])
	h.Serial = t.serial("VNB", 7)
	if m.name == "Brother" {
		h.Name = fmt.Sprintf("BRN%X", h.MAC[:])
		h.Serial = "E7" + t.serial("", 7)
	}
}

var pcModels = []struct {
	m     maker
	model string
}{
	{makerDell, "OptiPlex 7010"}, {makerHP, "EliteDesk 800 G6"}, {makerLenovo, "ThinkCentre M70q"},
}

// pc adds the i-th Windows PC of a site.
func (t *trust) pc(s *site, i int) {
	pm := pcModels[i%len(pcModels)]
	purpose := "inpatient"
	if i%2 == 1 {
		purpose = "office"
	}
	p := placeFor(s, purpose, i/2)
	h := t.newHost(s, p, "workstation", rolePC, pm.m, pm.model, vlanClinical, true)
	h.windows = true
	h.Name = fmt.Sprintf("WVT-%s-PC%04d", s.code, 100+t.rng.IntN(900))
	h.Serial = t.serial("", 7)
}

// phone adds the i-th IP phone of a site, made by m.
func (t *trust) phone(s *site, i int, m maker) {
	purposes := []string{"inpatient", "office", "ed", "imaging"}
	p := placeFor(s, purposes[i%len(purposes)], i/len(purposes))
	model, sw := "CP-8841", "sip88xx.14-2-1-0001-14"
	if m.name == "Polycom" {
		model, sw = "VVX 450", "6.4.3.5156"
	}
	h := t.newHost(s, p, "ip-phone", rolePhone, m, model, vlanVoice, true)
	h.Name = fmt.Sprintf("SEP%X", h.MAC[:])
	if m.name == "Polycom" {
		h.Name = fmt.Sprintf("%s-VVX-%02d", s.code, i+1)
	}
	h.software, h.platform = sw, model
	h.Serial = t.serial("FCH", 8)
	if m.name == "Polycom" {
		h.Serial = fmt.Sprintf("%X", h.MAC[:])
	}
}
