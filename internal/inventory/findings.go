package inventory

import (
	"cmp"
	"slices"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/observe"
)

// Finding is a security problem seen on a device, with counts only: never
// the content that showed it.
type Finding struct {
	// Kind is what was seen: "unencrypted-clinical-messages", clinical
	// messages (HL7 v2, DICOM) sent or received without TLS, which carry
	// patient data across the network in clear.
	Kind     string `json:"kind"`
	Protocol string `json:"protocol"`
	// Messages counts the messages it sent and received (HL7), zero where
	// Ward does not count messages; Connections the TCP connections (a
	// DICOM association is one); Peers the devices at the other end.
	Messages    uint64 `json:"messages,omitempty"`
	Connections uint64 `json:"connections"`
	Peers       int    `json:"peers"`
}

// FindingUnencryptedClinical is the Kind of cleartext clinical traffic.
const FindingUnencryptedClinical = "unencrypted-clinical-messages"

// cleartextClinical are the application protocols whose messages carry
// patient data and which Ward sees in clear only when they are unencrypted
// (over TLS they are app "tls").
var cleartextClinical = map[string]bool{"hl7": true, "dicom": true}

// FlowEnds returns the devices at the source and destination of f, as
// they were when it began; either is nil when it is no device here.
func (inv *Inventory) FlowEnds(f *observe.Flow) (src, dst *Device) {
	return inv.Resolve(dissect.Endpoint{MAC: f.SrcMAC, IP: f.Src}, f.First),
		inv.Resolve(dissect.Endpoint{MAC: f.DstMAC, IP: f.Dst}, f.First)
}

// clinicalFindings adds, to each device at either end of a cleartext
// clinical flow, a finding that counts it.
func (inv *Inventory) clinicalFindings(flows []observe.Flow) {
	type acc struct {
		f     Finding
		peers map[string]bool
	}
	per := map[*Device]map[string]*acc{}
	add := func(d *Device, proto, peer string, msgs, conns uint64) {
		if per[d] == nil {
			per[d] = map[string]*acc{}
		}
		a := per[d][proto]
		if a == nil {
			a = &acc{f: Finding{Kind: FindingUnencryptedClinical, Protocol: proto},
				peers: map[string]bool{}}
			per[d][proto] = a
		}
		a.f.Messages += msgs
		a.f.Connections += conns
		a.peers[peer] = true
	}
	for i := range flows {
		f := &flows[i]
		if !cleartextClinical[f.App] {
			continue
		}
		src, dst := inv.FlowEnds(f)
		msgs := f.Messages + f.MessagesRev
		switch f.App {
		case "hl7":
			inv.CleartextHL7Messages += msgs
		case "dicom":
			inv.CleartextDICOMAssociations += f.Connections
		}
		if src != nil {
			add(src, f.App, f.Dst.String(), msgs, f.Connections)
		}
		if dst != nil {
			add(dst, f.App, f.Src.String(), msgs, f.Connections)
		}
	}
	for d, byProto := range per {
		for _, a := range byProto {
			a.f.Peers = len(a.peers)
			d.Findings = append(d.Findings, a.f)
		}
		slices.SortFunc(d.Findings, func(a, b Finding) int {
			return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Protocol, b.Protocol))
		})
	}
}
