package match

import (
	"strings"
	"time"
)

// Decision is a reviewer's ruling on one vulnerability for one vendor,
// model and software version. It applies to every device of that model
// at that version, now and in future, until the advisory's range for the
// product changes (a new revision), which reopens it.
type Decision struct {
	Vuln    string // the CVE (or the advisory's own ID for a vulnerability without one)
	Vendor  string // as the reviewer saw it; compared by vendor key
	Model   string // compared by its words
	Version string // compared as written, trimmed; "" is "any version unknown"
	Status  Status
	// Justification is the VEX justification of a NotAffected ruling
	// ("component_not_present", "vulnerable_code_not_in_execute_path", ...).
	Justification string
	Note          string
	Actor         string
	At            time.Time
	// Advisory, Product and Range are the advisory, its product ID and
	// that product's version range as written when the ruling was made.
	Advisory, Product, Range string
}

// Justifications are the VEX justifications a NotAffected ruling may give
// (CSAF 2.0 flags and OpenVEX).
var Justifications = []string{"component_not_present", "vulnerable_code_not_present",
	"vulnerable_code_cannot_be_controlled_by_adversary", "vulnerable_code_not_in_execute_path",
	"inline_mitigations_already_exist"}

// ValidJustification reports whether j is one of Justifications.
func ValidJustification(j string) bool {
	for _, x := range Justifications {
		if x == j {
			return true
		}
	}
	return false
}

// decisionKey is what a Decision is looked up by.
type decisionKey struct{ vuln, vendor, model, version string }

// Decisions is an index of rulings. The zero value is not usable; see
// NewDecisions.
type Decisions struct {
	v *Vendors
	m map[decisionKey]Decision
}

// NewDecisions returns an empty index keyed through the vendor table v
// (DefaultVendors if nil).
func NewDecisions(v *Vendors) *Decisions {
	if v == nil {
		v = DefaultVendors()
	}
	return &Decisions{v: v, m: map[decisionKey]Decision{}}
}

// key is the lookup key of a vulnerability on a vendor, model and version.
func (ds *Decisions) key(vuln, vendor, model, version string) decisionKey {
	return decisionKey{strings.ToUpper(strings.TrimSpace(vuln)), ds.v.Key(vendor),
		ModelKey(model), VersionKey(version)}
}

// ModelKey is a model as rulings, SBOMs and patch plans are keyed by: its
// words, as matching reads them ("Alaris PC-Unit 8015" → "alaris pc unit
// 8015").
func ModelKey(model string) string { return strings.Join(nameWords(model), " ") }

// VersionKey is a software version as rulings, SBOMs and patch plans are
// keyed by: as ParseVersion reads it ("v3.2.1" and "Rev 3.2.1" are
// "3.2.1"), in lower case.
func VersionKey(version string) string {
	return strings.ToLower(ParseVersion(strings.TrimSpace(version)).String())
}

// Add records a ruling, replacing an earlier one of the same key.
func (ds *Decisions) Add(d Decision) {
	ds.m[ds.key(d.Vuln, d.Vendor, d.Model, d.Version)] = d
}

// Len is the number of rulings.
func (ds *Decisions) Len() int { return len(ds.m) }

// Finding is one vulnerability of a device: a candidate split per CVE,
// with any ruling applied.
type Finding struct {
	Candidate
	CVE string
	// Decision is the ruling that applies, if any. A ruling made on
	// another range of the same advisory's product is Reopened: it is
	// shown, but Status is the matcher's again.
	Decision *Decision
	Reopened bool
	// Priority is set by Assess.
	Priority Priority
}

// Findings splits a device's candidate into one finding per CVE (one,
// with CVE "", for a candidate without any) and applies the rulings of ds
// (which may be nil).
func Findings(c Candidate, d Device, ds *Decisions) []Finding {
	return appendFindings(nil, c, d, ds)
}

func appendFindings(out []Finding, c Candidate, d Device, ds *Decisions) []Finding {
	cves := c.CVEs
	if len(cves) == 0 {
		cves = []string{""}
	}
	for _, cve := range cves {
		f := Finding{Candidate: c, CVE: cve}
		f.CVEs = nil
		if ds != nil {
			f.apply(ds, d)
		}
		out = append(out, f)
	}
	return out
}

func (f *Finding) apply(ds *Decisions, d Device) {
	vuln := f.CVE
	if vuln == "" {
		vuln = f.Advisory
	}
	dec, ok := ds.m[ds.key(vuln, d.Vendor, d.Model, d.Version)]
	if !ok {
		return
	}
	f.Decision = &dec
	if dec.Advisory == f.Advisory && dec.Product == f.ProductID && dec.Range != f.Range {
		f.Reopened = true
		return
	}
	f.Status = dec.Status
}
