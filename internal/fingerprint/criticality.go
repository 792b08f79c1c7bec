package fingerprint

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Criticality is how much patient care depends on a device: what later
// work relies on to decide whether it may be probed, how tightly it is
// segmented and how soon it is patched. The vocabulary is closed:
//
//	life-sustaining  it keeps a patient alive or delivers therapy whose
//	                 interruption harms at once (ventilators, infusion
//	                 pumps, anaesthesia, dialysis, bedside monitors
//	                 whose alarms staff rely on)
//	diagnostic       it produces clinical findings (imaging modalities,
//	                 ultrasound, lab analysers, ECG)
//	supporting       clinical systems that care depends on but that do not
//	                 touch the patient (PACS, worklists, integration
//	                 engines, monitor gateways, nurse call, medication
//	                 cabinets)
//	non-clinical     ordinary IT and building equipment
//
// An empty Criticality means unknown: a device of unknown kind is not
// thereby non-clinical.
type Criticality string

// The criticality levels.
const (
	CriticalityLifeSustaining Criticality = "life-sustaining"
	CriticalityDiagnostic     Criticality = "diagnostic"
	CriticalitySupporting     Criticality = "supporting"
	CriticalityNonClinical    Criticality = "non-clinical"
)

// criticalities lists the vocabulary, the most critical first.
var criticalities = []Criticality{
	CriticalityLifeSustaining, CriticalityDiagnostic, CriticalitySupporting,
	CriticalityNonClinical,
}

func validCriticality(s string) bool {
	for _, c := range criticalities {
		if string(c) == s {
			return true
		}
	}
	return false
}

// RuleCategory names a criticality guess that follows from the device's
// category through the rule pack's criticality table.
const RuleCategory = "category"

// CriticalityOf returns the criticality the pack gives devices of category
// c, and false when it gives none.
func (p *RulePack) CriticalityOf(c Category) (Criticality, bool) {
	v, ok := p.critOf[c]
	return v, ok
}

// CriticalityOf returns the criticality the built-in rule pack gives
// devices of category c.
func CriticalityOf(c Category) (Criticality, bool) {
	p, err := Rules()
	if err != nil {
		return "", false
	}
	return p.CriticalityOf(c)
}

// parseCriticality reads the pack's criticality table: a mapping of each
// level to the categories it covers. It runs after the categories are
// known; a category may appear under one level only.
func (p *RulePack) parseCriticality(n *yaml.Node) *RuleError {
	if n.Kind != yaml.MappingNode {
		return &RuleError{Line: n.Line, Reason: "criticality: want a mapping of level to categories"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !validCriticality(k.Value) {
			return &RuleError{Line: k.Line, Reason: fmt.Sprintf(
				"criticality %q: want one of life-sustaining, diagnostic, supporting, non-clinical", k.Value)}
		}
		cats, ok := stringList(v)
		if !ok {
			return &RuleError{Line: v.Line, Reason: fmt.Sprintf("criticality %s: want a list of categories", k.Value)}
		}
		for j, c := range cats {
			line := v.Line
			if v.Kind == yaml.SequenceNode {
				line = v.Content[j].Line
			}
			if !p.known[Category(c)] {
				return &RuleError{Line: line, Reason: fmt.Sprintf("criticality %s: unknown category %q", k.Value, c)}
			}
			if prev, dup := p.critOf[Category(c)]; dup {
				return &RuleError{Line: line, Reason: fmt.Sprintf("category %q is already %s", c, prev)}
			}
			p.critOf[Category(c)] = Criticality(k.Value)
		}
	}
	return nil
}
