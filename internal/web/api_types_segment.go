package web

import (
	"net/netip"
	"time"

	"github.com/wardhq/ward/internal/segment"
	"github.com/wardhq/ward/internal/store"
)

// The answers and bodies of the segmentation routes, in the style of
// api_types.go: stable snake_case names, slices never null.

// apiSegmentPolicy says which policy is in force.
type apiSegmentPolicy struct {
	Saved     bool      `json:"saved" doc:"false when no policy is saved yet: the figures are the hospital template's"`
	VersionID int64     `json:"version_id" doc:"0 when none is saved"`
	Name      string    `json:"name"`
	Digest    string    `json:"digest" doc:"sha256: of the policy's canonical form; sign-offs name it"`
	SavedBy   string    `json:"saved_by,omitempty"`
	SavedAt   time.Time `json:"saved_at,omitzero"`
	Note      string    `json:"note,omitempty"`
	Zones     int       `json:"zones"`
	Rules     int       `json:"rules"`
	Conduits  int       `json:"conduits"`
}

func segmentPolicyOut(in segmentPolicyInfo) apiSegmentPolicy {
	return apiSegmentPolicy{Saved: in.Saved, VersionID: in.ID, Name: in.Name, Digest: in.Digest,
		SavedBy: in.By, SavedAt: in.At, Note: in.Note, Zones: in.Zones, Rules: in.Rules,
		Conduits: in.Conduit}
}

// apiSegmentMeasures are the segmentation's measures.
type apiSegmentMeasures struct {
	Devices        int                `json:"devices"`
	MedicalDevices int                `json:"medical_devices" doc:"of criticality life-sustaining, diagnostic or supporting"`
	InMedicalZone  int                `json:"in_medical_zone" doc:"medical devices placed in a zone marked medical"`
	MedicalShare   float64            `json:"medical_share" doc:"in_medical_zone / medical_devices, 0 to 1"`
	FlatDevices    int                `json:"flat_devices" doc:"devices on a network that holds devices of two zones or more"`
	FlatNetworks   []apiFlatNetwork   `json:"flat_networks"`
	Unassigned     int                `json:"unassigned" doc:"devices no rule places"`
	Flows          apiSegmentFlowsSum `json:"flows" doc:"the observed flows checked against the policy"`
}

// apiFlatNetwork is a broadcast domain that holds devices of several
// zones: no firewall between them sees their traffic.
type apiFlatNetwork struct {
	Network string   `json:"network" doc:"10.1.2.0/24, with its VLAN when it has one"`
	Devices int      `json:"devices"`
	Zones   []string `json:"zones"`
}

// apiSegmentFlowsSum counts the flows checked: each is counted once in
// allowed, infrastructure, not_routed or violating.
type apiSegmentFlowsSum struct {
	Flows          int       `json:"flows"`
	Allowed        int       `json:"allowed"`
	Infrastructure int       `json:"infrastructure"`
	NotRouted      int       `json:"not_routed"`
	Violating      int       `json:"violating"`
	From           time.Time `json:"from,omitzero" doc:"the earliest first seen"`
	To             time.Time `json:"to,omitzero" doc:"the latest last seen"`
}

func segmentMeasuresOut(m segment.Measures, rep *segment.Report) apiSegmentMeasures {
	out := apiSegmentMeasures{Devices: m.Devices, MedicalDevices: m.MedicalDevices,
		InMedicalZone: m.InMedicalZone, MedicalShare: m.MedicalShare, FlatDevices: m.FlatDevices,
		FlatNetworks: make([]apiFlatNetwork, len(m.FlatNetworks)), Unassigned: m.Unassigned,
		Flows: apiSegmentFlowsSum{Flows: rep.Flows, Allowed: rep.Allowed,
			Infrastructure: rep.Infrastructure, NotRouted: rep.NotRouted, Violating: rep.Violating,
			From: rep.From, To: rep.To}}
	for i, n := range m.FlatNetworks {
		out.FlatNetworks[i] = apiFlatNetwork{Network: n.Network, Devices: n.Devices,
			Zones: nonNil(n.Zones)}
	}
	return out
}

// apiSegmentPair is the traffic from one zone to another, or within one.
type apiSegmentPair struct {
	From             string `json:"from"`
	To               string `json:"to"`
	Flows            int    `json:"flows"`
	Violations       int    `json:"violations" doc:"of flows, those the policy does not allow"`
	Packets          uint64 `json:"packets"`
	ViolatingPackets uint64 `json:"violating_packets"`
	Bytes            uint64 `json:"bytes"`
}

// apiSegmentZone is a zone with its devices and traffic.
type apiSegmentZone struct {
	Name          string `json:"name"`
	Description   string `json:"description"`
	SecurityLevel int    `json:"security_level" doc:"IEC 62443 target security level 1 to 4; 0 when not set"`
	Medical       bool   `json:"medical"`
	Devices       int    `json:"devices"`
	FlowsIn       int    `json:"flows_in"`
	FlowsOut      int    `json:"flows_out"`
}

// apiSegmentation is the overview.
type apiSegmentation struct {
	Policy   apiSegmentPolicy   `json:"policy"`
	Measures apiSegmentMeasures `json:"measures"`
	Zones    []apiSegmentZone   `json:"zones" doc:"every zone of the policy, in its order, then unassigned"`
	Pairs    []apiSegmentPair   `json:"pairs" doc:"every pair of zones with traffic, by from and to"`
}

func segmentationOut(o *segmentOverview) apiSegmentation {
	out := apiSegmentation{Policy: segmentPolicyOut(o.Policy),
		Measures: segmentMeasuresOut(o.Measures, o.Report),
		Zones:    make([]apiSegmentZone, len(o.Zones)),
		Pairs:    make([]apiSegmentPair, len(o.Report.Pairs))}
	for i, z := range o.Zones {
		out.Zones[i] = apiSegmentZone{Name: z.Zone, Description: z.Description,
			SecurityLevel: z.SecurityLevel, Medical: z.Medical, Devices: z.Devices,
			FlowsIn: z.FlowsIn, FlowsOut: z.FlowsOut}
	}
	for i, p := range o.Report.Pairs {
		out.Pairs[i] = apiSegmentPair{From: p.From, To: p.To, Flows: p.Flows,
			Violations: p.Violations, Packets: p.Packets, ViolatingPackets: p.ViolatingPackets,
			Bytes: p.Bytes}
	}
	return out
}

// apiZoneDevice is a device of a zone with the rule that placed it.
type apiZoneDevice struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Category    string   `json:"category"`
	Criticality string   `json:"criticality"`
	Vendor      string   `json:"vendor"`
	Model       string   `json:"model"`
	Addresses   []string `json:"addresses"`
	VLANs       []int    `json:"vlans"`
	Rule        int      `json:"rule" doc:"the rule's number, from 1 in the policy's order; 0 when no rule matches"`
	Reason      string   `json:"reason" doc:"which rule placed the device and what matched"`
}

// apiSegmentZoneDetail is a zone with its devices.
type apiSegmentZoneDetail struct {
	Name          string          `json:"name"`
	Description   string          `json:"description"`
	SecurityLevel int             `json:"security_level"`
	Medical       bool            `json:"medical"`
	Devices       []apiZoneDevice `json:"devices"`
}

func zoneDetailOut(z *segmentZone) apiSegmentZoneDetail {
	out := apiSegmentZoneDetail{Name: z.Name, Devices: make([]apiZoneDevice, len(z.Devices))}
	if z.Zone != nil {
		out.Description, out.SecurityLevel, out.Medical = z.Zone.Description,
			z.Zone.SecurityLevel, z.Zone.Medical
	}
	for i, dp := range z.Devices {
		d := dp.Device
		out.Devices[i] = apiZoneDevice{ID: d.ID, Name: d.Name, Category: d.Category,
			Criticality: d.Criticality, Vendor: d.Vendor, Model: d.Model,
			Addresses: addrStrings(d.IPs), VLANs: make([]int, len(d.VLANs)),
			Rule: dp.Placement.Rule + 1, Reason: dp.Placement.Reason}
		for j, v := range d.VLANs {
			out.Devices[i].VLANs[j] = int(v)
		}
	}
	return out
}

func addrStrings(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// apiSegmentEnd is one end of an observed flow.
type apiSegmentEnd struct {
	Address     string `json:"address"`
	Device      string `json:"device,omitempty" doc:"the device's id; absent for an address of no known device"`
	Name        string `json:"name,omitempty"`
	Zone        string `json:"zone"`
	Category    string `json:"category,omitempty"`
	Criticality string `json:"criticality,omitempty"`
}

func segmentEndOut(e segment.Endpoint) apiSegmentEnd {
	return apiSegmentEnd{Address: e.Address, Device: e.Device, Name: e.Name, Zone: e.Zone,
		Category: e.Category, Criticality: e.Criticality}
}

// apiSegmentViolation is an observed flow the policy does not allow.
type apiSegmentViolation struct {
	Source      apiSegmentEnd `json:"source" doc:"the end that opened the flow"`
	Destination apiSegmentEnd `json:"destination"`
	Protocol    string        `json:"protocol" doc:"tcp, udp, icmp, ... or the IP protocol's number"`
	Port        int           `json:"port" doc:"the destination port; 0 for a protocol without ports"`
	Application string        `json:"application,omitempty"`
	VLAN        int           `json:"vlan,omitempty"`
	Packets     uint64        `json:"packets"`
	Bytes       uint64        `json:"bytes"`
	FirstSeen   time.Time     `json:"first_seen"`
	LastSeen    time.Time     `json:"last_seen"`
	Workflow    string        `json:"workflow,omitempty" doc:"the clinical workflow of the flow, when known"`
	Key         string        `json:"key" doc:"src>dst/proto/port[@vlan]: identifies the flow"`
}

func segmentViolationOut(v *segment.Violation) apiSegmentViolation {
	return apiSegmentViolation{Source: segmentEndOut(v.Source),
		Destination: segmentEndOut(v.Destination), Protocol: v.Protocol, Port: int(v.Port),
		Application: v.Application, VLAN: int(v.VLAN), Packets: v.Packets, Bytes: v.Bytes,
		FirstSeen: v.FirstSeen, LastSeen: v.LastSeen, Workflow: v.Workflow, Key: v.Key}
}

// apiSegmentViolations is a page of violations.
type apiSegmentViolations struct {
	Violations []apiSegmentViolation `json:"violations" doc:"the most packets first"`
	NextCursor string                `json:"next_cursor,omitempty" doc:"the cursor of the next page; absent on the last"`
	Total      int                   `json:"total" doc:"the violations the filters select, over every page"`
	Policy     apiSegmentPolicy      `json:"policy" doc:"the policy the flows were checked against"`
}

// apiPolicyText is a policy as YAML with its version.
type apiPolicyText struct {
	Policy apiSegmentPolicy `json:"policy"`
	YAML   string           `json:"yaml" doc:"as it was saved, comments kept; the template's when none is saved"`
}

// apiPolicyVersion is a saved version of the policy, without its text.
type apiPolicyVersion struct {
	ID      int64     `json:"id"`
	Name    string    `json:"name"`
	Digest  string    `json:"digest"`
	SavedBy string    `json:"saved_by"`
	SavedAt time.Time `json:"saved_at"`
	Note    string    `json:"note"`
	InForce bool      `json:"in_force" doc:"the newest version is the policy in force"`
}

// apiPolicyVersions lists the versions, the newest first.
type apiPolicyVersions struct {
	Versions []apiPolicyVersion `json:"versions"`
}

func policyVersionsOut(vs []store.PolicyVersion) apiPolicyVersions {
	out := apiPolicyVersions{Versions: make([]apiPolicyVersion, len(vs))}
	for i, v := range vs {
		out.Versions[i] = apiPolicyVersion{ID: v.ID, Name: v.Name, Digest: v.Digest,
			SavedBy: v.By, SavedAt: v.CreatedAt, Note: v.Note, InForce: i == 0}
	}
	return out
}

// apiPolicyProblem is one problem of a policy that did not validate.
type apiPolicyProblem struct {
	Line    int    `json:"line" doc:"from 1; 0 when unknown"`
	Column  int    `json:"column" doc:"from 1; 0 when unknown"`
	Key     string `json:"key" doc:"the path of the key at fault, conduits[2].to.zone"`
	Message string `json:"message"`
}

// apiPolicyProblems is the answer (422) for a policy that did not
// validate: every problem found, not only the first.
type apiPolicyProblems struct {
	Error    string             `json:"error"`
	Problems []apiPolicyProblem `json:"problems"`
}

func policyProblemsOut(msg string, probs []segment.Problem) apiPolicyProblems {
	out := apiPolicyProblems{Error: msg, Problems: make([]apiPolicyProblem, len(probs))}
	for i, p := range probs {
		out.Problems[i] = apiPolicyProblem{Line: p.Line, Column: p.Column, Key: p.Key,
			Message: p.Message}
	}
	return out
}

// apiLearned says what a draft was learned from.
type apiLearned struct {
	From    time.Time `json:"from,omitzero"`
	To      time.Time `json:"to,omitzero"`
	Flows   int       `json:"flows"`
	Sources []string  `json:"sources"`
}

// apiPolicyDraft is a policy learned from the flows, not stored.
type apiPolicyDraft struct {
	YAML     string     `json:"yaml" doc:"the draft, to review and save with PUT /api/v1/segmentation/policy"`
	Digest   string     `json:"digest"`
	Conduits int        `json:"conduits"`
	Learned  apiLearned `json:"learned"`
}

// apiSegmentChange is a flow a proposed policy would block or newly allow.
type apiSegmentChange struct {
	apiSegmentViolation
	Critical bool `json:"critical" doc:"an end is a life-sustaining or diagnostic device"`
}

// apiWorkflowCount is the blocked flows of one clinical workflow.
type apiWorkflowCount struct {
	Workflow    string `json:"workflow" doc:"empty for flows of no known workflow"`
	Description string `json:"description"`
	Flows       int    `json:"flows"`
	Critical    int    `json:"critical"`
}

// apiSignoff is a clinical safety sign-off: an entry of the DCB0160
// hazard log.
type apiSignoff struct {
	ID           int64     `json:"id"`
	PolicyDigest string    `json:"policy_digest"`
	By           string    `json:"by"`
	At           time.Time `json:"at"`
	Hazard       string    `json:"hazard"`
	Reasoning    string    `json:"reasoning"`
	Flows        []string  `json:"flows" doc:"the keys of the critical flows the policy blocked when signed off"`
}

func signoffOut(s *segment.Signoff) apiSignoff {
	return apiSignoff{ID: s.ID, PolicyDigest: s.PolicyDigest, By: s.By, At: s.At,
		Hazard: s.Hazard, Reasoning: s.Reasoning, Flows: nonNil(s.Flows)}
}

// apiSimulation is what a proposed policy would change.
type apiSimulation struct {
	Digest       string             `json:"digest" doc:"the proposed policy's"`
	Blocked      []apiSegmentChange `json:"blocked" doc:"flows allowed now that it would block, critical first"`
	Unblocked    []apiSegmentChange `json:"unblocked" doc:"flows blocked now that it would allow"`
	Critical     []string           `json:"critical" doc:"keys of the flows it would block, of those allowed now, with a life-sustaining or diagnostic end"`
	Workflows    []apiWorkflowCount `json:"workflows" doc:"the blocked flows by clinical workflow"`
	NeedsSignoff bool               `json:"needs_signoff" doc:"exporting it for enforcement waits for a clinical safety sign-off"`
	SignoffNeed  string             `json:"signoff_need,omitempty" doc:"why, when it does"`
	SignedOff    *apiSignoff        `json:"signed_off" doc:"the newest sign-off of its digest when none is needed; null when there is none"`
}

func changesOut(cs []segment.Change) []apiSegmentChange {
	out := make([]apiSegmentChange, len(cs))
	for i := range cs {
		out[i] = apiSegmentChange{apiSegmentViolation: segmentViolationOut(&cs[i].Violation),
			Critical: cs[i].Critical}
	}
	return out
}

func simulationOut(digest string, sim *segment.Simulation, st signoffState) apiSimulation {
	out := apiSimulation{Digest: digest, Blocked: changesOut(sim.Blocked),
		Unblocked: changesOut(sim.Unblocked), Critical: nonNil(sim.Critical),
		Workflows: make([]apiWorkflowCount, len(sim.Workflows)), NeedsSignoff: st.Needed != nil}
	if st.Needed != nil {
		out.SignoffNeed = st.Needed.Error()
	}
	for i, wf := range sim.Workflows {
		out.Workflows[i] = apiWorkflowCount{Workflow: wf.Workflow,
			Description: workflowText(wf.Workflow), Flows: wf.Flows, Critical: wf.Critical}
	}
	if st.Covered != nil {
		o := signoffOut(st.Covered)
		out.SignedOff = &o
	}
	return out
}

// apiSignoffs lists sign-offs, the newest first.
type apiSignoffs struct {
	Signoffs []apiSignoff `json:"signoffs"`
}

// apiNewSignoff asks for a sign-off of a policy: a saved version, or the
// YAML given.
type apiNewSignoff struct {
	Version   int64  `json:"version,omitempty" doc:"the saved version signed off; 0 with no policy: the policy in force"`
	Policy    string `json:"policy,omitempty" doc:"the YAML signed off, instead of a version"`
	Hazard    string `json:"hazard" doc:"the hazard, in the officer's words; required"`
	Reasoning string `json:"reasoning" doc:"why the residual risk is acceptable; required"`
}

// apiSegmentExport is a file of firewall rules.
type apiSegmentExport struct {
	Format    string `json:"format" doc:"nftables or cisco"`
	Mode      string `json:"mode" doc:"enforce, or log: log what would be dropped, drop nothing"`
	VersionID int64  `json:"version_id"`
	Digest    string `json:"digest"`
	Filename  string `json:"filename"`
	Rules     string `json:"rules" doc:"the file: load it with nft -f, or paste it into IOS configuration mode"`
}

// apiSegmentWeeks are the violations per ISO week.
type apiSegmentWeeks struct {
	Weeks []apiSegmentWeek `json:"weeks" doc:"each week from from to to, those without violations at 0"`
	From  time.Time        `json:"from"`
	To    time.Time        `json:"to"`
}

// apiSegmentWeek is one ISO week.
type apiSegmentWeek struct {
	Start   time.Time `json:"start" doc:"Monday 00:00 UTC"`
	Flows   int       `json:"flows" doc:"distinct violating flows"`
	Packets uint64    `json:"packets"`
}
