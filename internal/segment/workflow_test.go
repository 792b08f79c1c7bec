package segment

import (
	"regexp"
	"testing"
)

func TestWorkflowOf(t *testing.T) {
	dev := func(cat, crit string) *Device { return &Device{Category: cat, Criticality: crit} }
	ct := dev("imaging-ct", "diagnostic")
	pacs := dev("pacs", "supporting")
	tests := []struct {
		name     string
		f        Flow
		src, dst *Device
		want     string
	}{
		{"ct stores to pacs", Flow{Proto: ProtoTCP, DstPort: 104, App: "dicom"}, ct, pacs, "dicom-store"},
		{"ultrasound on the dicom port", Flow{Proto: ProtoTCP, DstPort: 11112},
			dev("ultrasound", "diagnostic"), dev("dicom-workstation", "supporting"), "dicom-store"},
		{"ct over http to pacs", Flow{Proto: ProtoTCP, DstPort: 104, App: "http"}, ct, pacs,
			"clinical-web"},
		{"ct over ssh to pacs", Flow{Proto: ProtoTCP, DstPort: 22, App: "ssh"}, ct, pacs, ""},
		{"worklist", Flow{Proto: ProtoTCP, DstPort: 104, App: "dicom"}, ct,
			dev("worklist-server", "supporting"), "dicom-worklist"},
		{"workstation queries pacs", Flow{Proto: ProtoTCP, DstPort: 104, App: "dicom"},
			dev("dicom-workstation", "supporting"), pacs, "dicom-query-retrieve"},
		{"pacs sends to a workstation", Flow{Proto: ProtoTCP, DstPort: 104, App: "dicom"},
			pacs, dev("dicom-workstation", "supporting"), "dicom-query-retrieve"},
		{"print", Flow{Proto: ProtoTCP, DstPort: 104, App: "dicom"}, ct,
			dev("dicom-printer", "supporting"), "dicom-print"},
		{"monitor gateway results", Flow{Proto: ProtoTCP, DstPort: 2575, App: "hl7"},
			dev("patient-monitor-gateway", "supporting"), dev("integration-engine", "supporting"),
			"hl7-results"},
		{"lab results on the mllp port", Flow{Proto: ProtoTCP, DstPort: 2575},
			dev("lab-analyser", "diagnostic"), dev("clinical-information-system", "supporting"),
			"hl7-results"},
		{"orders", Flow{Proto: ProtoTCP, DstPort: 6661, App: "hl7"},
			dev("clinical-information-system", "supporting"), dev("lab-analyser", "diagnostic"),
			"hl7-orders"},
		{"pump library", Flow{Proto: ProtoTCP, DstPort: 443, App: "tls"},
			dev("infusion-pump-server", "supporting"), dev("infusion-pump", "life-sustaining"),
			"pump-library"},
		{"pump to its server", Flow{Proto: ProtoUDP, DstPort: 9000},
			dev("infusion-pump", "life-sustaining"), dev("infusion-pump-server", "supporting"),
			"pump-library"},
		{"monitor to central", Flow{Proto: ProtoUDP, DstPort: 24105},
			dev("patient-monitor", "life-sustaining"), dev("patient-monitor-gateway", "supporting"),
			"monitor-central"},
		{"nurse call heartbeat", Flow{Proto: ProtoUDP, DstPort: 4444}, dev("nurse-call", "supporting"),
			nil, "nurse-call"},
		{"cabinet sync", Flow{Proto: ProtoTCP, DstPort: 443, App: "tls"},
			dev("medication-cabinet", "supporting"), dev("server", "non-clinical"), "medication-cabinet"},
		{"remote service", Flow{Dst: addr("198.51.100.9"), Proto: ProtoTCP, DstPort: 443}, ct, nil,
			"remote-service"},
		{"pc to the internet", Flow{Dst: addr("198.51.100.9"), Proto: ProtoTCP, DstPort: 443},
			dev("workstation", "non-clinical"), nil, ""},
		{"ct to a private address", Flow{Dst: addr("10.1.1.1"), Proto: ProtoTCP, DstPort: 443}, ct,
			nil, ""},
		{"clinical web", Flow{Proto: ProtoTCP, DstPort: 443, App: "tls"},
			dev("workstation", "non-clinical"), dev("clinical-information-system", "supporting"),
			"clinical-web"},
		{"clinical web on port 80, unknown application", Flow{Proto: ProtoTCP, DstPort: 80}, nil,
			pacs, "clinical-web"},
		{"no device at all", Flow{Proto: ProtoTCP, DstPort: 104, App: "dicom"}, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WorkflowOf(&tt.f, tt.src, tt.dst); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWorkflows(t *testing.T) {
	name := regexp.MustCompile(`^[a-z0-9-]+$`)
	seen := map[string]bool{}
	for _, w := range Workflows() {
		if !name.MatchString(w.Name) || seen[w.Name] || w.Description == "" {
			t.Errorf("workflow %q: a unique lower-case name and a description wanted (%q)",
				w.Name, w.Description)
		}
		seen[w.Name] = true
	}
	for _, want := range []string{"dicom-store", "dicom-worklist", "dicom-query-retrieve",
		"dicom-print", "hl7-results", "hl7-orders", "pump-library", "monitor-central",
		"nurse-call", "remote-service", "clinical-web"} {
		if !seen[want] {
			t.Errorf("no workflow %s", want)
		}
	}
	Workflows()[0].Name = "changed"
	if Workflows()[0].Name == "changed" {
		t.Error("Workflows returns the table itself, want a copy")
	}
}
