package fingerprint

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
)

var (
	macPhilipsMonitor = mac(0x00, 0x09, 0x5c, 0x10, 0x20, 0x30) // Philips Medical Systems - Cardiac and Monitoring Systems
	macGEHealthcare   = mac(0x44, 0x4b, 0x5d, 0x10, 0x20, 0x30)
	macBBraun         = mac(0x00, 0x12, 0x21, 0x10, 0x20, 0x30)
	macBaxter         = mac(0x58, 0x46, 0xe1, 0x10, 0x20, 0x30)
	macMaquet         = mac(0x00, 0x25, 0x41, 0x10, 0x20, 0x30) // Maquet Critical Care AB
	macDraeger        = mac(0xf0, 0xe5, 0xc3, 0x10, 0x20, 0x30)
	macMindray        = mac(0x00, 0x0f, 0x14, 0x10, 0x20, 0x30)
)

// medicalCases exercise medical.yaml. Their want maps list criticality,
// which summary shows for them (see summary).
var medicalCases = []identifyCase{
	{"ct scanner storing ct images", macGEHealthcare, []Attr{
		a("dicom", "clinical_role", "modality"),
		a("dicom", "modality", "CT"),
		a("dicom", "dicom_ae_title", "CT01_WARD7"),
	}, map[string]string{"vendor": "GE Healthcare|60|oui", "category": "imaging-ct|80|dicom-modality-ct",
		"criticality": "diagnostic|80|category"}},
	{"mr", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "MR")},
		map[string]string{"category": "imaging-mr|80|dicom-modality-mr", "criticality": "diagnostic|80|category"}},
	{"ultrasound", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "US")},
		map[string]string{"category": "ultrasound|80|dicom-modality-us", "criticality": "diagnostic|80|category"}},
	{"digital radiography", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "DX")},
		map[string]string{"category": "imaging-xray|80|dicom-modality-xray", "criticality": "diagnostic|80|category"}},
	{"mammography", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "MG")},
		map[string]string{"category": "imaging-mammography|80|dicom-modality-mg", "criticality": "diagnostic|80|category"}},
	{"nuclear medicine", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "NM")},
		map[string]string{"category": "imaging-nm|80|dicom-modality-nm", "criticality": "diagnostic|80|category"}},
	{"pet", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "PT")},
		map[string]string{"category": "imaging-pet|80|dicom-modality-pet", "criticality": "diagnostic|80|category"}},
	{"angiography", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "XA")},
		map[string]string{"category": "imaging-angiography|80|dicom-modality-xa", "criticality": "diagnostic|80|category"}},
	{"fluoroscopy", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "RF")},
		map[string]string{"category": "imaging-fluoroscopy|80|dicom-modality-rf", "criticality": "diagnostic|80|category"}},
	{"ophthalmic", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "OPT")},
		map[string]string{"category": "imaging-ophthalmic|80|dicom-modality-ophthalmic", "criticality": "diagnostic|80|category"}},
	{"dental", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "IO")},
		map[string]string{"category": "imaging-dental|80|dicom-modality-dental", "criticality": "diagnostic|80|category"}},
	{"endoscopy", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "ES")},
		map[string]string{"category": "endoscopy|75|dicom-modality-endoscopy", "criticality": "diagnostic|75|category"}},
	{"ecg", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "ECG")},
		map[string]string{"category": "ecg|75|dicom-modality-ecg", "criticality": "diagnostic|75|category"}},
	{"radiotherapy", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"), a("dicom", "modality", "RTIMAGE")},
		map[string]string{"category": "radiotherapy|70|dicom-modality-rt", "criticality": "life-sustaining|70|category"}},
	{"modality of unknown type", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality")},
		map[string]string{"category": "imaging-modality|65|dicom-modality", "criticality": "diagnostic|65|category"}},
	{"pacs", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "pacs")},
		map[string]string{"category": "pacs|85|dicom-pacs", "criticality": "supporting|85|category"}},
	{"storage only", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "storage-scp")},
		map[string]string{"category": "pacs|40|dicom-storage-scp", "criticality": "supporting|40|category"}},
	{"workstation receiving a move", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "storage-scp"),
		a("dicom", "clinical_role", "workstation")},
		map[string]string{"category": "dicom-workstation|65|dicom-workstation", "criticality": "supporting|65|category"}},
	{"archive performing a move", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "modality"),
		a("dicom", "modality", "CT"), a("dicom", "clinical_role", "pacs")},
		map[string]string{"category": "pacs|85|dicom-pacs", "criticality": "supporting|85|category"}},
	{"worklist", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "worklist")},
		map[string]string{"category": "worklist-server|70|dicom-worklist", "criticality": "supporting|70|category"}},
	{"dicom workstation", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "workstation")},
		map[string]string{"category": "dicom-workstation|65|dicom-workstation", "criticality": "supporting|65|category"}},
	{"dicom printer", dissect.MAC{}, []Attr{a("dicom", "clinical_role", "dicom-printer")},
		map[string]string{"category": "dicom-printer|75|dicom-printer", "criticality": "supporting|75|category"}},
	{"monitor gateway on a Philips monitoring MAC", macPhilipsMonitor, []Attr{
		a("hl7", "clinical_role", "patient-monitor-gateway"),
	}, map[string]string{"vendor": "Philips|60|oui", "category": "patient-monitor-gateway|70|hl7-monitor-gateway",
		"criticality": "supporting|70|category"}},
	{"pump server", dissect.MAC{}, []Attr{a("hl7", "clinical_role", "infusion-pump-server")},
		map[string]string{"category": "infusion-pump-server|75|hl7-pump-server", "criticality": "supporting|75|category"}},
	{"integration engine", dissect.MAC{}, []Attr{a("hl7", "clinical_role", "integration-engine")},
		map[string]string{"category": "integration-engine|70|hl7-integration-engine", "criticality": "supporting|70|category"}},
	{"lab analyser by hl7", dissect.MAC{}, []Attr{a("hl7", "clinical_role", "lab-analyser")},
		map[string]string{"category": "lab-analyser|65|hl7-lab", "criticality": "diagnostic|65|category"}},
	{"hl7 receiver", dissect.MAC{}, []Attr{a("hl7", "hl7_message_type", "ACK^A01")},
		map[string]string{"category": "clinical-information-system|35|hl7-receiver", "criticality": "supporting|35|category"}},
	{"pump server acknowledging too", dissect.MAC{}, []Attr{a("hl7", "hl7_message_type", "ACK"),
		a("hl7", "clinical_role", "infusion-pump-server")},
		map[string]string{"category": "infusion-pump-server|75|hl7-pump-server", "criticality": "supporting|75|category"}},
	{"patient administration", dissect.MAC{}, []Attr{a("hl7", "clinical_role", "pas")},
		map[string]string{"category": "clinical-information-system|60|hl7-clinical-system", "criticality": "supporting|60|category"}},
	{"sdc device", macDraeger, []Attr{a("wsd", "clinical_role", "sdc-medical-device")},
		map[string]string{"vendor": "Draeger|60|oui", "category": "medical-device|70|sdc-medical-device"}},
	{"stated patient monitor", dissect.MAC{}, []Attr{a("wsd", "clinical_role", "patient-monitor")},
		map[string]string{"category": "patient-monitor|75|role-patient-monitor", "criticality": "life-sustaining|75|category"}},
	{"stated pump", dissect.MAC{}, []Attr{a("wsd", "clinical_role", "infusion-pump")},
		map[string]string{"category": "infusion-pump|75|role-infusion-pump", "criticality": "life-sustaining|75|category"}},
	{"stated ventilator", dissect.MAC{}, []Attr{a("wsd", "clinical_role", "ventilator")},
		map[string]string{"category": "ventilator|75|role-ventilator", "criticality": "life-sustaining|75|category"}},

	// The registry alone.
	{"philips monitoring interface", macPhilipsMonitor, nil,
		map[string]string{"vendor": "Philips|60|oui", "category": "patient-monitor|45|oui-philips-monitoring",
			"criticality": "life-sustaining|45|category"}},
	{"masimo", mac(0xe0, 0xc2, 0xb7, 1, 2, 3), nil,
		map[string]string{"vendor": "Masimo|60|oui", "category": "patient-monitor|40|oui-monitor-makers",
			"criticality": "life-sustaining|40|category"}},
	{"b. braun", macBBraun, nil,
		map[string]string{"vendor": "B. Braun|60|oui", "category": "infusion-pump|40|oui-pump-makers",
			"criticality": "life-sustaining|40|category"}},
	{"baxter", macBaxter, nil,
		map[string]string{"vendor": "Baxter|60|oui", "category": "infusion-pump|30|oui-baxter",
			"criticality": "life-sustaining|30|category"}},
	{"fresenius medical care", mac(0x70, 0xb3, 0xd5, 0x4c, 0xc1, 0x23), nil,
		map[string]string{"vendor": "Fresenius|60|oui", "category": "dialysis-machine|40|oui-dialysis",
			"criticality": "life-sustaining|40|category"}},
	{"maquet critical care", macMaquet, nil,
		map[string]string{"vendor": "Getinge|60|oui", "category": "ventilator|40|oui-ventilator-makers",
			"criticality": "life-sustaining|40|category"}},
	{"zoll", mac(0x00, 0x22, 0x52, 1, 2, 3), nil,
		map[string]string{"vendor": "Zoll|60|oui", "category": "defibrillator|40|oui-defibrillator-makers",
			"criticality": "life-sustaining|40|category"}},
	{"mortara", mac(0x00, 0x0f, 0x82, 1, 2, 3), nil,
		map[string]string{"vendor": "Mortara Instrument, Inc.|60|oui", "category": "ecg|40|oui-ecg-makers",
			"criticality": "diagnostic|40|category"}},
	{"roche", mac(0x00, 0x0e, 0x2f, 1, 2, 3), nil,
		map[string]string{"vendor": "Roche Diagnostics GmbH|60|oui", "category": "lab-analyser|40|oui-lab-makers",
			"criticality": "diagnostic|40|category"}},
	{"varian", mac(0x00, 0x60, 0x93, 1, 2, 3), nil,
		map[string]string{"vendor": "Varian|60|oui", "category": "radiotherapy|35|oui-radiotherapy-makers",
			"criticality": "life-sustaining|35|category"}},
	{"karl storz", mac(0x00, 0x16, 0x86, 1, 2, 3), nil,
		map[string]string{"vendor": "Karl Storz Imaging|60|oui", "category": "endoscopy|40|oui-endoscopy-makers",
			"criticality": "diagnostic|40|category"}},
	{"intuitive surgical", mac(0xbc, 0x66, 0x41, 0x61, 2, 3), nil,
		map[string]string{"vendor": "Intuitive Surgical, Inc|60|oui", "category": "surgical-robot|40|oui-robot-makers",
			"criticality": "life-sustaining|40|category"}},
	{"planmeca", mac(0x00, 0x09, 0x21, 1, 2, 3), nil,
		map[string]string{"vendor": "Planmeca Oy|60|oui", "category": "imaging-dental|35|oui-dental-imaging",
			"criticality": "diagnostic|35|category"}},
	{"ascom", mac(0x00, 0x40, 0x15, 1, 2, 3), nil,
		map[string]string{"vendor": "ASCOM INFRASYS AG|60|oui", "category": "nurse-call|30|oui-nurse-call",
			"criticality": "supporting|30|category"}},
	{"mindray: a maker of many things", macMindray, nil,
		map[string]string{"vendor": "Mindray|60|oui", "category": "medical-device|30|oui-medical-makers"}},
	{"the registry loses to the protocol", macBBraun, []Attr{
		a("dicom", "clinical_role", "pacs"),
	}, map[string]string{"vendor": "B. Braun|60|oui", "category": "pacs|85|dicom-pacs",
		"criticality": "supporting|85|category"}},
}

func TestCriticalityBecause(t *testing.T) {
	id := Identify(macGEHealthcare, []Attr{
		a("dicom", "clinical_role", "modality"),
		a("dicom", "modality", "CT"),
	})
	want := Guess{Value: "diagnostic", Confidence: 80, Rule: RuleCategory, Because: []string{
		"category=imaging-ct (rule dicom-modality-ct)",
		"dicom clinical_role=modality", "dicom modality=CT",
	}}
	if diff := cmp.Diff(want, id.Criticality); diff != "" {
		t.Errorf("Criticality mismatch (-want +got):\n%s", diff)
	}
}

// TestCriticalityOfEveryCategory checks that the table covers every
// category but medical-device, whose kind, and so criticality, is unknown.
func TestCriticalityOfEveryCategory(t *testing.T) {
	p, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Categories() {
		_, ok := p.CriticalityOf(c)
		if want := c != "medical-device"; ok != want {
			t.Errorf("CriticalityOf(%q) known = %v, want %v", c, ok, want)
		}
	}
}

// TestCriticalityFollowsCategory checks, over every case, that a category
// brings the criticality of the table and that none comes without one.
func TestCriticalityFollowsCategory(t *testing.T) {
	for _, family := range allCases() {
		for _, tt := range family {
			id := Identify(tt.mac, tt.attrs)
			want, _ := CriticalityOf(Category(id.Category.Value))
			if got := Criticality(id.Criticality.Value); got != want {
				t.Errorf("%s: category %q: criticality %q, want %q", tt.name, id.Category.Value, got, want)
			}
		}
	}
}

func TestRuleSetsCriticality(t *testing.T) {
	p, err := LoadRules([]byte(`version: 1
categories: [widget]
criticality:
  supporting: [widget]
rules:
  - id: widget
    when: [{key: model, equals: w1}]
    set: {category: widget}
    confidence: 50
  - id: widget-life
    when: [{key: model, equals: w1}, {key: role, equals: ventilates}]
    set: {criticality: life-sustaining}
    confidence: 60
`))
	if err != nil {
		t.Fatal(err)
	}
	id := p.Identify(dissect.MAC{}, []Attr{a("x", "model", "w1")})
	if id.Criticality.Value != "supporting" || id.Criticality.Rule != RuleCategory {
		t.Errorf("from the category: got %+v, want supporting by rule category", id.Criticality)
	}
	id = p.Identify(dissect.MAC{}, []Attr{a("x", "model", "w1"), a("x", "role", "ventilates")})
	if id.Criticality.Value != "life-sustaining" || id.Criticality.Rule != "widget-life" {
		t.Errorf("set by a rule: got %+v, want life-sustaining by widget-life", id.Criticality)
	}
}

func TestLoadPackNamesFile(t *testing.T) {
	_, err := LoadPack(PackFile{"a.yaml", []byte("version: 1\ncategories: [widget]\nrules: []\n")},
		PackFile{"b.yaml", []byte("version: 1\ncriticality:\n  supporting: [gadget]\nrules: []\n")})
	want := `b.yaml: line 3: criticality supporting: unknown category "gadget"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
