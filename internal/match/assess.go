package match

import "github.com/wardhq/ward/internal/advisory"

// Intel is what is known of vulnerabilities beyond the advisories: CISA's
// KEV catalogue and EPSS scores, by CVE. Either map may be nil.
type Intel struct {
	KEV  map[string]advisory.KEVEntry
	EPSS map[string]advisory.EPSSScore
}

// Assess matches every device and turns each candidate into findings,
// one per vulnerability, with the rulings of ds applied (ds may be nil)
// and a priority from the CVSS score, the intel and the device's
// criticality and exposure. Candidates of every confidence are returned:
// those below a threshold are the review queue.
func (m *Matcher) Assess(devs []Device, ds *Decisions, in Intel) []Finding {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Finding, 0, len(devs))
	pc := priorities{}
	for _, d := range devs {
		for _, c := range m.matchLocked(d, nil, nil) {
			out = m.appendFindings(out, c, d, ds, in, pc)
		}
	}
	return out
}

// priorities caches the priority of each set of facts: a fleet has many
// devices of one criticality with the same vulnerability.
type priorities map[Facts]Priority

func (pc priorities) of(f Facts) Priority {
	p, ok := pc[f]
	if !ok {
		p = Prioritise(f)
		pc[f] = p
	}
	return p
}

// AssessAdvisory is Assess for one advisory's candidates only: what a new
// or revised advisory changes.
func (m *Matcher) AssessAdvisory(id string, devs []Device, ds *Decisions, in Intel) []Finding {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Finding
	pc := priorities{}
	m.eachOfAdvisory(id, devs, func(i int, cs []Candidate) {
		for _, c := range cs {
			out = m.appendFindings(out, c, devs[i], ds, in, pc)
		}
	})
	return out
}

// appendFindings appends the findings of one candidate, prioritised.
func (m *Matcher) appendFindings(out []Finding, c Candidate, d Device, ds *Decisions, in Intel,
	pc priorities) []Finding {
	start := len(out)
	out = appendFindings(out, c, d, ds)
	fs := out[start:]
	for i := range fs {
		f := &fs[i]
		facts := Facts{Criticality: d.Criticality, Exposure: d.Exposure}
		if sc, ok := m.scores[f.CVE]; ok {
			facts.CVSS, facts.Vector = sc.Base, sc.Vector
		}
		if k, ok := in.KEV[f.CVE]; ok {
			facts.KEV, facts.Ransomware = true, k.Ransomware
		}
		if e, ok := in.EPSS[f.CVE]; ok {
			facts.EPSS, facts.EPSSPercentile = e.Probability, e.Percentile
		}
		f.Priority = pc.of(facts)
	}
	return out
}
