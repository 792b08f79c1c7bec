package segment

import (
	"slices"
	"strings"
)

// WorkflowInfo is a clinical workflow: its name and what it is, in plain
// English for a clinician.
type WorkflowInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// workflow is a clinical workflow and the flows that belong to it.
type workflow struct {
	WorkflowInfo
	// src and dst are the categories of the ends, a trailing '*' matching
	// any category of that prefix; empty matches any end, a bare address
	// too.
	src, dst []string
	// either also matches a flow from a dst end to a src end.
	either bool
	// srcMedical asks for a source of a medical criticality
	// (life-sustaining, diagnostic or supporting).
	srcMedical bool
	// dstPublic asks for a destination with a public address.
	dstPublic bool
	// apps are the applications of the flow; ports the TCP ports of a
	// flow whose application is unknown. Neither given: any protocol.
	apps  []string
	ports []uint16
}

var (
	modalities = []string{"imaging-*", "ultrasound", "endoscopy", "ecg"}
	dicomApp   = []string{"dicom"}
	dicomPorts = []uint16{104, 11112}
	hl7App     = []string{"hl7"}
	hl7Ports   = []uint16{2575}
	// clinicalSystems are the servers clinicians use, through a browser or
	// a thin client among others.
	clinicalSystems = []string{"clinical-information-system", "pacs", "worklist-server",
		"integration-engine", "infusion-pump-server", "patient-monitor-gateway",
		"dicom-workstation"}
)

// workflows is the closed list of clinical workflows, tried in order: the
// first that matches a flow names it.
var workflows = []workflow{
	{WorkflowInfo: WorkflowInfo{"dicom-store", "an imaging modality (CT, MR, X-ray, " +
		"ultrasound, endoscopy, ECG) sends the images it made to the PACS or a reporting " +
		"workstation (DICOM C-STORE)"},
		src: modalities, dst: []string{"pacs", "dicom-workstation"}, apps: dicomApp, ports: dicomPorts},
	{WorkflowInfo: WorkflowInfo{"dicom-worklist", "a modality fetches the list of patients " +
		"booked for it and reports the procedures it performed (DICOM worklist and MPPS)"},
		src: modalities, dst: []string{"worklist-server"}, apps: dicomApp, ports: dicomPorts},
	{WorkflowInfo: WorkflowInfo{"dicom-query-retrieve", "a reporting workstation or another " +
		"PACS finds earlier studies on the PACS and has them sent (DICOM C-FIND, C-MOVE)"},
		src: []string{"dicom-workstation", "pacs"}, dst: []string{"pacs"}, either: true,
		apps: dicomApp, ports: dicomPorts},
	{WorkflowInfo: WorkflowInfo{"dicom-print", "images printed on film by a DICOM printer"},
		dst: []string{"dicom-printer"}, apps: dicomApp, ports: dicomPorts},
	{WorkflowInfo: WorkflowInfo{"hl7-results", "observations and results (vital signs from " +
		"a monitoring gateway, pump data, laboratory results) sent to the integration " +
		"engine and the electronic patient record (HL7 v2)"},
		src: []string{"patient-monitor-gateway", "lab-analyser", "integration-engine",
			"infusion-pump-server"},
		dst: []string{"integration-engine", "clinical-information-system"}, apps: hl7App,
		ports: hl7Ports},
	{WorkflowInfo: WorkflowInfo{"hl7-orders", "orders and patient admissions, transfers and " +
		"discharges sent from the patient record to departmental systems and devices (HL7 v2)"},
		src: []string{"clinical-information-system", "integration-engine"},
		dst: []string{"integration-engine", "clinical-information-system", "lab-analyser",
			"worklist-server", "pacs", "patient-monitor-gateway", "infusion-pump-server"},
		apps: hl7App, ports: hl7Ports},
	{WorkflowInfo: WorkflowInfo{"pump-library", "an infusion pump server sends the drug " +
		"library and its updates to the pumps and collects their status and events"},
		src: []string{"infusion-pump-server"}, dst: []string{"infusion-pump"}, either: true},
	{WorkflowInfo: WorkflowInfo{"monitor-central", "patient monitors stream waveforms and " +
		"alarms to their central station or gateway"},
		src: []string{"patient-monitor"}, dst: []string{"patient-monitor-gateway"}, either: true},
	{WorkflowInfo: WorkflowInfo{"nurse-call", "nurse call controllers, their heartbeats and " +
		"the calls they pass on"},
		src: []string{"nurse-call"}, either: true},
	{WorkflowInfo: WorkflowInfo{"medication-cabinet", "an automated medication cabinet " +
		"synchronises stock and orders with its pharmacy server"},
		src: []string{"medication-cabinet"}, either: true},
	{WorkflowInfo: WorkflowInfo{"remote-service", "a medical device reaches its maker over " +
		"the internet, for remote support or updates"},
		srcMedical: true, dstPublic: true},
	{WorkflowInfo: WorkflowInfo{"clinical-web", "staff use a clinical system through its web " +
		"interface (HTTP or TLS)"},
		dst: clinicalSystems, apps: []string{"http", "tls"}, ports: []uint16{80, 443, 8080, 8443}},
}

// Workflows returns the closed list of clinical workflows that WorkflowOf
// names, in the order they are tried. The result is a copy.
func Workflows() []WorkflowInfo {
	out := make([]WorkflowInfo, len(workflows))
	for i, w := range workflows {
		out[i] = w.WorkflowInfo
	}
	return out
}

// WorkflowOf names the clinical workflow f belongs to, or "": the first
// of Workflows whose ends' categories (src and dst are the flow's devices,
// nil for an end that is no known device) and protocol match. A workflow
// that names applications matches a flow of one of them, or a TCP flow to
// one of its usual ports whose application was not recognised.
func WorkflowOf(f *Flow, src, dst *Device) string {
	for i := range workflows {
		w := &workflows[i]
		if !w.protocol(f) {
			continue
		}
		if w.ends(f, src, dst) || (w.either && w.ends(f, dst, src)) {
			return w.Name
		}
	}
	return ""
}

func (w *workflow) protocol(f *Flow) bool {
	if len(w.apps) == 0 && len(w.ports) == 0 {
		return true
	}
	if f.App != "" {
		return slices.Contains(w.apps, f.App)
	}
	return f.Proto == ProtoTCP && slices.Contains(w.ports, f.DstPort)
}

// ends reports whether a flow from src to dst matches the workflow's
// ends. srcMedical and dstPublic hold only one way.
func (w *workflow) ends(f *Flow, src, dst *Device) bool {
	if w.srcMedical && (src == nil || !medical(src.Criticality)) {
		return false
	}
	if w.dstPublic && !Public(f.Dst) {
		return false
	}
	return categoryIn(w.src, src) && categoryIn(w.dst, dst)
}

func categoryIn(cats []string, d *Device) bool {
	if len(cats) == 0 {
		return true
	}
	if d == nil || d.Category == "" {
		return false
	}
	for _, c := range cats {
		if p, ok := strings.CutSuffix(c, "*"); ok && strings.HasPrefix(d.Category, p) ||
			c == d.Category {
			return true
		}
	}
	return false
}

// medical reports whether a device of criticality c is a medical device.
func medical(c string) bool {
	return c == "life-sustaining" || c == "diagnostic" || c == "supporting"
}

// critical reports whether blocking a flow of a device of criticality c
// needs a clinical safety sign-off.
func critical(c string) bool { return c == "life-sustaining" || c == "diagnostic" }
