// Package match decides which advisories affect which devices.
//
// Medical advisories rarely carry identifiers: CISA's ICS medical
// advisories name a vendor, a product and a version or range in prose,
// and registers spell all three their own way. A Matcher indexes the
// advisories' products by vendor (through an alias table) and by the
// words of their names, and scores a device against the products of its
// vendor: how well the model names the product, whether the software
// version lies in the product's range. Every candidate carries a
// confidence and a reason a person can check; those below a threshold
// are for review, not for action.
//
// The package knows nothing of storage, HTTP or logging.
package match

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/wardhq/ward/internal/advisory"
)

// DefaultThreshold is the confidence at or above which a candidate is
// reported as a match; below it, a candidate goes to the review queue.
const DefaultThreshold = 0.6

// minScore is the least name similarity that makes a candidate at all.
const minScore = 0.3

// Device is what matching needs of a device: its vendor, model and
// software version as a register or a fingerprint gives them, and any
// identifiers and SBOM components it has.
type Device struct {
	ID      string
	Vendor  string
	Model   string
	Version string
	// Description is a register's free-text name of the device
	// ("Infusion Pump - Alaris GP"), tried where the model alone is weak.
	Description string
	CPEs        []string
	PURLs       []string
	// Components are the device model's SBOM components, matched too.
	Components []advisory.Component
	// Criticality and Exposure weigh in the priority of its findings.
	Criticality Criticality
	Exposure    Exposure
}

// Status is how a candidate stands: the advisory's word for the
// matched product at the device's version.
type Status string

// The statuses of a candidate.
const (
	Affected           Status = "affected"
	Fixed              Status = "fixed"
	NotAffected        Status = "not_affected"
	UnderInvestigation Status = "under_investigation"
)

// statusRank orders statuses by how much they call for action.
func statusRank(s Status) int {
	switch s {
	case Affected:
		return 3
	case UnderInvestigation:
		return 2
	case Fixed:
		return 1
	}
	return 0
}

// Kind is the evidence a candidate rests on, strongest first.
type Kind int

// The kinds of evidence.
const (
	// Identifier: a CPE or package URL of the device names the product.
	Identifier Kind = iota
	// VendorModelVersion: vendor and model match, and the version lies
	// in the product's range.
	VendorModelVersion
	// VendorModel: vendor and model match; the version is unknown or
	// the advisory names all versions.
	VendorModel
	// FuzzyName: the names are alike, but the vendor is missing or only
	// close, or the model matches weakly.
	FuzzyName
)

func (k Kind) String() string {
	switch k {
	case Identifier:
		return "identifier"
	case VendorModelVersion:
		return "vendor_model_version"
	case VendorModel:
		return "vendor_model"
	case FuzzyName:
		return "fuzzy_name"
	}
	return "unknown"
}

// Candidate is one possible (device, advisory) match.
type Candidate struct {
	Device   string
	Advisory string   // the advisory's tracking ID
	CVEs     []string // the vulnerabilities at Status, sorted
	Status   Status
	// Confidence is how sure the match is, 0–1: of the device being the
	// product at that version, not of the vulnerability's severity.
	Confidence float64
	Kind       Kind
	// Product is the advisory's product as written, and ProductID its ID
	// in the advisory.
	Product   string
	ProductID string
	// Range is the product's version or range as the advisory writes it.
	Range  string
	Reason string
}

// Matcher matches devices against an indexed set of advisories. It is
// safe for concurrent use.
type Matcher struct {
	vendors *Vendors

	mu         sync.RWMutex
	w          *weights
	byVendor   map[string]*vendorIndex
	byCPE      map[string][]*product     // "vendor:product" of a CPE
	byPURL     map[string][]*product     // a package URL without version
	advisories map[string][]*product     // by advisory ID
	scores     map[string]advisory.Score // the highest CVSS base score of each vulnerability
	// cacheMu guards cache and names: matching holds mu only for
	// reading, and several goroutines may fill the caches at once.
	cacheMu sync.Mutex
	cache   map[cacheKey][]Candidate
	names   map[nameKey][]hit
}

// vendorIndex holds the products of one vendor key.
type vendorIndex struct {
	products []*product
	byWord   map[string][]*product // non-generic words
	vocab    map[string]bool       // every word of the vendor's product names
	df       map[string]int        // the vendor's distinct product names each word is in
	names    map[string]bool       // the vendor's distinct product names, as words
}

// New returns a Matcher of the advisories, with the vendor alias table
// v (DefaultVendors if nil).
func New(advs []*advisory.Advisory, v *Vendors) *Matcher {
	if v == nil {
		v = DefaultVendors()
	}
	m := &Matcher{vendors: v}
	m.reset()
	for _, a := range advs {
		m.addLocked(a)
	}
	return m
}

func (m *Matcher) reset() {
	m.w = newWeights()
	m.byVendor = map[string]*vendorIndex{}
	m.byCPE = map[string][]*product{}
	m.byPURL = map[string][]*product{}
	m.advisories = map[string][]*product{}
	m.scores = map[string]advisory.Score{}
	m.cache = map[cacheKey][]Candidate{}
	m.names = map[nameKey][]hit{}
}

// Add indexes an advisory, replacing an earlier one of the same ID (a
// new revision), and forgets cached results.
func (m *Matcher) Add(a *advisory.Advisory) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.advisories[a.ID]; ok {
		m.removeLocked(a.ID)
	}
	m.addLocked(a)
	clear(m.cache)
	clear(m.names)
}

// Advisories is the number of advisories indexed.
func (m *Matcher) Advisories() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.advisories)
}

// Match returns the candidates for one device, best first: at most one
// per advisory, of every confidence; the caller splits them at a
// threshold.
func (m *Matcher) Match(d Device) []Candidate {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.matchLocked(d, nil, nil)
}

// MatchAdvisory returns the candidates of one indexed advisory for the
// devices: what a new advisory changes, without matching the rest.
func (m *Matcher) MatchAdvisory(id string, devs []Device) []Candidate {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Candidate
	m.eachOfAdvisory(id, devs, func(_ int, cs []Candidate) { out = append(out, cs...) })
	return out
}

// eachOfAdvisory calls fn with the index and candidates of each device
// that one advisory's products may name.
func (m *Matcher) eachOfAdvisory(id string, devs []Device, fn func(int, []Candidate)) {
	only := m.advisories[id]
	if len(only) == 0 {
		return
	}
	keys := map[string]bool{}
	for _, p := range only {
		for _, k := range p.keys {
			keys[k] = true
		}
	}
	// Most devices are of other vendors: decide that once per vendor as
	// written, not once per device.
	relevant := map[string]bool{}
	local := map[nameKey][]hit{}
	for i, d := range devs {
		if len(d.CPEs) == 0 && len(d.PURLs) == 0 && len(d.Components) == 0 {
			r, ok := relevant[d.Vendor]
			if !ok {
				r = m.vendorIn(d.Vendor, keys)
				relevant[d.Vendor] = r
			}
			if !r {
				continue
			}
		}
		if cs := m.matchLocked(d, only, local); len(cs) > 0 {
			fn(i, cs)
		}
	}
}

// vendorIn reports whether a vendor name may stand for one of keys.
func (m *Matcher) vendorIn(vendor string, keys map[string]bool) bool {
	for _, vm := range m.vendorsOf(vendor) {
		if keys[vm.key] {
			return true
		}
	}
	return false
}

// MatchAll returns the candidates of every device, in device order.
func (m *Matcher) MatchAll(devs []Device) []Candidate {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Candidate
	for _, d := range devs {
		out = append(out, m.matchLocked(d, nil, nil)...)
	}
	return out
}

// cacheKey is what a device's candidates depend on, but for its ID.
type cacheKey struct{ vendor, model, version, description string }

func (m *Matcher) matchLocked(d Device, only []*product, local map[nameKey][]hit) []Candidate {
	simple := len(d.CPEs) == 0 && len(d.PURLs) == 0 && len(d.Components) == 0 && only == nil
	k := cacheKey{d.Vendor, d.Model, d.Version, d.Description}
	var cs []Candidate
	var cached bool
	if simple {
		cs, cached = m.cachedLocked(k)
	}
	if !cached {
		cs = m.scoreLocked(d, only, local)
		if simple {
			m.storeLocked(k, cs)
		}
	}
	out := make([]Candidate, len(cs))
	for i, c := range cs {
		c.Device = d.ID
		out[i] = c
	}
	return out
}

func (m *Matcher) cachedLocked(k cacheKey) ([]Candidate, bool) {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	c, ok := m.cache[k]
	return c, ok
}

func (m *Matcher) cachedNames(k nameKey) ([]hit, bool) {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	h, ok := m.names[k]
	return h, ok
}

func (m *Matcher) storeNames(k nameKey, hs []hit) {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	if len(m.names) > 1<<18 {
		clear(m.names)
	}
	m.names[k] = hs
}

func (m *Matcher) storeLocked(k cacheKey, cs []Candidate) {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	if len(m.cache) > 1<<20 {
		clear(m.cache)
	}
	m.cache[k] = cs
}

// scoreLocked finds the candidates of a device: by identifiers, by
// vendor and name, and through its components; the best per advisory.
func (m *Matcher) scoreLocked(d Device, only []*product, local map[nameKey][]hit) []Candidate {
	var hits []hit
	hits = append(hits, m.identifierHits(d, only)...)
	hits = append(hits, m.nameHits(d, only, local)...)
	for _, c := range d.Components {
		sub := Device{Vendor: c.Vendor, Model: c.Name, Version: c.Version}
		if c.PURL != "" {
			sub.PURLs = []string{c.PURL}
		}
		if c.CPE != "" {
			sub.CPEs = []string{c.CPE}
		}
		for _, h := range append(m.identifierHits(sub, only), m.nameHits(sub, only, local)...) {
			h.via = componentName(c)
			hits = append(hits, h)
		}
	}
	return decide(hits)
}

func componentName(c advisory.Component) string {
	return strings.TrimSpace(c.Name + " " + c.Version)
}

// sortCandidates orders candidates by confidence, then advisory.
func sortCandidates(cs []Candidate) {
	slices.SortFunc(cs, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), strings.Compare(a.Advisory, b.Advisory))
	})
}
