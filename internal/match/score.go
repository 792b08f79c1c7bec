package match

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// hit is one product a device may be.
type hit struct {
	p       *product
	score   float64 // name similarity, 0–1 (1 for an identifier)
	ident   string  // the identifier that matched, if one did
	vendor  string  // how the vendor matched: "" exactly, else a note
	penalty float64 // 1, or less for a missing or only close vendor
	verdict Verdict
	version Version
	via     string // an SBOM component the hit came through
	words   []string
	// variant is set where the product's version text names the device's
	// model (see variantOf): the version is then not compared.
	variant bool
	named   string // nameReason, for name hits
}

// identifierHits are the products a device's CPEs and package URLs name.
func (m *Matcher) identifierHits(d Device, only []*product) []hit {
	if len(d.CPEs) == 0 && len(d.PURLs) == 0 {
		return nil
	}
	var out []hit
	dv := ParseVersion(d.Version)
	for _, c := range d.CPEs {
		v := dv
		if cv := cpeVersion(c); cv != "" {
			v = ParseVersion(cv)
		}
		for _, p := range m.byCPE[cpeKey(c)] {
			if allowed(p, only) {
				out = append(out, hit{p: p, score: 1, ident: c, penalty: 1,
					verdict: p.rng.Contains(v), version: v})
			}
		}
	}
	for _, u := range d.PURLs {
		v := dv
		if pv := purlVersion(u); pv != "" {
			v = ParseVersion(pv)
		}
		for _, k := range purlKeys([]string{u}) {
			for _, p := range m.byPURL[k] {
				if allowed(p, only) {
					out = append(out, hit{p: p, score: 1, ident: u, penalty: 1,
						verdict: p.rng.Contains(v), version: v})
				}
			}
		}
	}
	return out
}

func allowed(p *product, only []*product) bool {
	return only == nil || slices.Contains(only, p)
}

// nameHits are the products of the device's vendor whose names its model
// (or, failing that, its description) is like, with the verdict of the
// device's version on each. Names are scored once per vendor, model and
// description: a fleet has many devices of few models.
//
// With only set, just those products are scored, and the scores kept in
// the caller's local map rather than the Matcher's.
func (m *Matcher) nameHits(d Device, only []*product, local map[nameKey][]hit) []hit {
	if strings.TrimSpace(d.Model) == "" && strings.TrimSpace(d.Description) == "" {
		return nil
	}
	k := nameKey{d.Vendor, d.Model, d.Description}
	var named []hit
	var ok bool
	if only != nil {
		if named, ok = local[k]; !ok {
			named = m.scoreNames(d, only)
			local[k] = named
		}
	} else if named, ok = m.cachedNames(k); !ok {
		named = m.scoreNames(d, nil)
		m.storeNames(k, named)
	}
	dv := ParseVersion(d.Version)
	out := make([]hit, 0, len(named))
	for _, h := range named {
		if allowed(h.p, only) {
			h.version, h.verdict = dv, h.p.rng.Contains(dv)
			if h.verdict == VersionOut && coversPrefix(h.p.version, dv) {
				h.verdict = VersionIn
			}
			if h.variant {
				h.verdict = VersionIn
			}
			out = append(out, h)
		}
	}
	return out
}

// coversPrefix reports whether a product's single version, written
// shorter than the device's, is the start of it: advisories write
// "version B.02" or "version 8" for every B.02.x or 8.x.
func coversPrefix(product string, dv Version) bool {
	if !dv.Known() {
		return false
	}
	d := strings.ToLower(dv.String())
	for _, alt := range strings.FieldsFunc(product, func(r rune) bool { return r == '|' || r == ',' || r == ';' }) {
		pv := strings.ToLower(strings.TrimSpace(alt))
		if pv == "" || strings.ContainsAny(pv, "<>= *") || !ParseVersion(pv).Known() {
			continue
		}
		// Only a major version ("8") or a revision ("B.02") stands for
		// its sub-versions; "1.6" is 1.6, not 1.6.1.
		dots := strings.Count(pv, ".")
		if pv[0] >= '0' && pv[0] <= '9' && dots > 0 || dots > 1 {
			continue
		}
		pv = strings.ToLower(ParseVersion(pv).String())
		if len(d) > len(pv) && strings.HasPrefix(d, pv) && strings.ContainsRune(". -_", rune(d[len(pv)])) {
			return true
		}
	}
	return false
}

// otherVariant reports whether a product's version text lists model
// variants and the device is another of the same kind: a "Carestation
// 750" is not the advisory's "620 | 650 | 650c".
func otherVariant(p *product, words []string) bool {
	if p.version == "" || p.rng.All() {
		return false
	}
	vw := nameWords(p.version)
	pw := wordSet(p.words)
	for _, d := range words {
		if !modelWord(d) || pw[d] {
			continue
		}
		if slices.Contains(vw, d) {
			return false
		}
		for _, v := range vw {
			if modelWord(v) && sameShape(d, v) {
				return true
			}
		}
	}
	return false
}

// sameShape reports whether two model numbers are written alike: digits
// of the same count, or the same letters then digits ("mmt1711").
func sameShape(a, b string) bool {
	if allDigits(a) || allDigits(b) {
		return allDigits(a) && allDigits(b) && len(a) == len(b)
	}
	i := 0
	for i < len(a) && i < len(b) && !isDigitByte(a[i]) && a[i] == b[i] {
		i++
	}
	return i > 0 && i < len(a) && i < len(b) && isDigitByte(a[i]) && isDigitByte(b[i])
}

// variantOf reports whether a product's version text names the device's
// model rather than a software version: CISA often lists model variants
// there ("7100 | 7900", "24950 or 24952", "2nd Edition").
func variantOf(p *product, words []string) bool {
	if p.version == "" || p.rng.All() {
		return false
	}
	vw := wordSet(nameWords(p.version))
	for _, w := range words {
		if vw[w] && (modelWord(w) || !generic[w] && !allDigits(w)) {
			return true
		}
	}
	return false
}

// nameKey is what name scores depend on.
type nameKey struct{ vendor, model, description string }

func (m *Matcher) scoreNames(d Device, only []*product) []hit {
	var out []hit
	for _, vm := range m.vendorsOf(d.Vendor) {
		vi := m.byVendor[vm.key]
		model := m.ownWords(nameWords(d.Model), d.Vendor, vm.key, vi)
		words := model
		if !m.namesProduct(model, vi) {
			// The model says nothing of the vendor's products (or is
			// empty): the description may.
			words = m.ownWords(nameWords(d.Description), d.Vendor, vm.key, vi)
		}
		// Words of the vendor as the register writes it that the
		// vendor's products have are the device's too: "Welch Allyn" in
		// the vendor column, "Welch Allyn Connex Spot Monitor" in the
		// advisory.
		for _, w := range nameWords(d.Vendor) {
			if vi.vocab[w] && !slices.Contains(words, w) {
				words = append(slices.Clip(words), w)
			}
		}
		for _, p := range candidates(vi, lookupWords(words)) {
			if !allowed(p, only) {
				continue
			}
			dw := inRanges(words, p.ranges)
			s, ok := m.w.similarity(p.wordsFor(dw), dw, vi)
			if ok && s >= minScore && !otherVariant(p, dw) {
				h := hit{p: p, score: s, vendor: vm.note, penalty: vm.penalty, words: dw,
					variant: variantOf(p, dw) || p.textual}
				if h.variant {
					h.score = min(1, s+0.15)
				}
				h.named = h.nameReason()
				out = append(out, h)
			}
		}
	}
	return out
}

// ownWords are a device's model words without those that only name its
// vendor ("BD", "CareFusion" in "BD CareFusion Alaris PCU 8015"), unless
// a product of the vendor has the word in its name ("Alaris").
func (m *Matcher) ownWords(words []string, vendor, key string, vi *vendorIndex) []string {
	own := asciiWordSet(vendor)
	out := words[:0:0]
	for _, w := range words {
		if !vi.vocab[w] && (own[w] || slices.Contains(m.vendors.Keys(w), key)) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// namesProduct reports whether the words name something: a word that is
// not generic. A model of only generic words ("Infusion pump") or none
// leaves the naming to the description.
func (m *Matcher) namesProduct(words []string, vi *vendorIndex) bool {
	for _, w := range words {
		if !generic[w] {
			return true
		}
	}
	return false
}

// candidates are the products of a vendor sharing a non-generic word
// with the model or description.
func candidates(vi *vendorIndex, lists ...[]string) []*product {
	var out []*product
	for _, words := range lists {
		for _, w := range words {
			for _, p := range vi.byWord[w] {
				if !slices.Contains(out, p) {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// vendorMatch is a vendor key a device's vendor may stand for.
type vendorMatch struct {
	key     string
	note    string
	penalty float64
}

// vendorsOf gives the indexed vendor keys a device's vendor names: its
// own keys; else keys one or two letters away ("Phlips"); for a device
// with no vendor, every key, at a penalty.
func (m *Matcher) vendorsOf(name string) []vendorMatch {
	keys := m.vendors.Keys(name)
	if len(keys) == 0 {
		out := make([]vendorMatch, 0, len(m.byVendor))
		for k := range m.byVendor {
			out = append(out, vendorMatch{k, "no vendor given", 0.75})
		}
		slices.SortFunc(out, func(a, b vendorMatch) int { return strings.Compare(a.key, b.key) })
		return out
	}
	var out []vendorMatch
	for _, k := range keys {
		if m.byVendor[k] != nil {
			out = append(out, vendorMatch{k, "", 1})
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, k := range keys {
		for ik := range m.byVendor {
			if close(k, ik) {
				out = append(out, vendorMatch{ik, fmt.Sprintf("vendor %q taken for %q", name, ik), 0.9})
			}
		}
	}
	slices.SortFunc(out, func(a, b vendorMatch) int { return strings.Compare(a.key, b.key) })
	return out
}

// close reports whether two vendor keys are one misspelling apart: an
// edit distance of 1 for names of five letters or more, 2 from nine.
func close(a, b string) bool {
	n := min(len(a), len(b))
	limit := 0
	switch {
	case n >= 9:
		limit = 2
	case n >= 5:
		limit = 1
	}
	if limit == 0 || abs(len(a)-len(b)) > limit {
		return false
	}
	return editDistance(a, b, limit) <= limit
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the Levenshtein distance of a and b, or limit+1 once it
// is known to exceed limit.
func editDistance(a, b string, limit int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// confidence is how sure a hit is, 0–1, and the kind of its evidence.
func (h hit) confidence() (float64, Kind) {
	if h.ident != "" {
		if h.verdict == VersionUnknown {
			return 0.8, Identifier
		}
		return 0.99, Identifier
	}
	kind := VendorModelVersion
	var c float64
	switch {
	case h.p.rng.All() || h.variant:
		c, kind = 0.25+0.7*h.score, VendorModel
	case h.verdict == VersionUnknown && !h.version.Known():
		c, kind = 0.1+0.7*h.score, VendorModel
	case h.verdict == VersionUnknown:
		// The device has a version the advisory's cannot be compared
		// with: a person should look.
		c, kind = 0.55*h.score, VendorModel
	default:
		c = 0.25 + 0.7*h.score
	}
	c *= h.penalty
	if h.penalty < 1 || h.score < 0.5 {
		kind = FuzzyName
	}
	return math.Round(c*1000) / 1000, kind
}

// status is what the hit's product is, at the device's version: the
// advisory's status where the version is in the product's range (or
// cannot be told), else fixed where a vendor fix exists or not affected.
func (h hit) status() (Status, []string) {
	if h.verdict == VersionOut {
		if h.p.fix || len(h.p.cves[Fixed]) > 0 {
			return Fixed, outCVEs(h.p)
		}
		return NotAffected, outCVEs(h.p)
	}
	best := Status("")
	for s := range h.p.cves {
		if best == "" || statusRank(s) > statusRank(best) {
			best = s
		}
	}
	return best, h.p.cves[best]
}

// outCVEs are the vulnerabilities a product outside its range escapes.
func outCVEs(p *product) []string {
	var out []string
	for _, l := range p.cves {
		for _, c := range l {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// decide turns hits into candidates, one per advisory: of the products a
// device may be in one advisory, those whose names match about as well as
// the best decide, and of those the one calling most for action.
func decide(hits []hit) []Candidate {
	if len(hits) == 0 {
		return nil
	}
	// Group by advisory, keeping the order hits came in within each.
	slices.SortStableFunc(hits, func(a, b hit) int { return strings.Compare(a.p.advisory, b.p.advisory) })
	out := make([]Candidate, 0, 4)
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && hits[j].p.advisory == hits[i].p.advisory {
			j++
		}
		out = append(out, decideOne(hits[i:j]))
		i = j
	}
	sortCandidates(out)
	return out
}

func decideOne(hs []hit) Candidate {
	top := 0.0
	for _, h := range hs {
		top = max(top, h.score*h.penalty)
	}
	var pick *hit
	var pickStatus Status
	var cves []string
	for i := range hs {
		h := &hs[i]
		if h.score*h.penalty < top-0.2 {
			continue
		}
		st, _ := h.status()
		better := pick == nil || statusRank(st) > statusRank(pickStatus) ||
			(st == pickStatus && h.score*h.penalty > pick.score*pick.penalty)
		if better {
			pick, pickStatus = h, st
		}
	}
	for i := range hs {
		h := &hs[i]
		if st, cs := h.status(); st == pickStatus && h.score*h.penalty >= top-0.2 {
			for _, c := range cs {
				if !slices.Contains(cves, c) {
					cves = append(cves, c)
				}
			}
		}
	}
	slices.Sort(cves)
	conf, kind := pick.confidence()
	return Candidate{Advisory: pick.p.advisory, CVEs: cves, Status: pickStatus,
		Confidence: conf, Kind: kind, Product: pick.p.shown, ProductID: pick.p.id, Range: pick.p.version,
		Reason: pick.reason(pickStatus)}
}

// reason explains a hit in a sentence a person can check.
func (h hit) reason(st Status) string {
	var b strings.Builder
	if h.via != "" {
		fmt.Fprintf(&b, "through SBOM component %s: ", h.via)
	}
	if h.ident != "" {
		fmt.Fprintf(&b, "identifier %s names %s", h.ident, h.p.shown)
	} else {
		b.WriteString(h.named)
	}
	b.WriteString("; ")
	b.WriteString(h.versionReason())
	fmt.Fprintf(&b, ": %s", strings.ReplaceAll(string(st), "_", " "))
	return b.String()
}

// nameReason is the part of a reason that says how the names matched,
// which depends only on the names: computed once per model.
func (h hit) nameReason() string {
	var b strings.Builder
	if h.vendor != "" {
		b.WriteString(h.vendor + "; ")
	}
	fmt.Fprintf(&b, "model matches %q (similarity %.2f", h.p.name, h.score)
	if shared := sharedWords(h.p.words, h.words); len(shared) > 0 {
		fmt.Fprintf(&b, " on %s", strings.Join(shared, ", "))
	}
	b.WriteString(")")
	return b.String()
}

func (h hit) versionReason() string {
	switch {
	case h.p.rng.All():
		return "the advisory names all versions"
	case h.variant:
		return fmt.Sprintf("the advisory lists the model as %q", h.p.version)
	case !h.version.Known():
		return fmt.Sprintf("version unknown, advisory names %s", h.p.explain)
	case h.verdict == VersionIn:
		return fmt.Sprintf("version %s is in %s", h.version, h.p.explain)
	case h.verdict == VersionOut:
		return fmt.Sprintf("version %s is outside %s", h.version, h.p.explain)
	}
	return fmt.Sprintf("version %s cannot be compared with %s", h.version, h.p.explain)
}

func sharedWords(a, b []string) []string {
	var out []string
	for _, w := range b {
		if slices.Contains(a, w) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
