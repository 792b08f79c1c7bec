package match

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wardhq/ward/internal/advisory"
)

// product is one advisory product as the index holds it.
type product struct {
	advisory string // the advisory's ID
	id       string // the product's ID in the advisory
	vendor   string // as written
	name     string // family and name, as written
	version  string // Version or Range, as written
	keys     []string
	words    []string
	rng      Range
	cpes     []string // "vendor:product" of its CPEs (a relationship's both), lower case
	purls    []string
	// cves are, by status, the vulnerabilities the advisory gives the
	// product (a CVE ID, or the advisory's own ID for one without).
	cves map[Status][]string
	fix  bool // a vendor fix is published for it
	// textual is set where the version the advisory gave was text that
	// names the product, now part of its words (see newProduct).
	textual bool
	ranges  []modelRange // model ranges its name gives ("MX400-MX850")
	shown   string       // display(), kept
	explain string       // rng.Explain(), kept
	// aliases are the short names in brackets after a name ("CSCS" of
	// "CARESCAPE Central Station (CSCS)"): a device may be called by
	// them, and need not be.
	aliases []string
}

// wordsFor is the product's words for matching the device words dw: its
// own, and those of its aliases that the device uses.
func (p *product) wordsFor(dw []string) []string {
	out := p.words
	for _, a := range p.aliases {
		if slices.Contains(dw, a) {
			out = append(slices.Clip(out), a)
		}
	}
	return out
}

// bracketAliases takes out of a name each bracketed single word of two to
// six letters or digits, as its short names.
func bracketAliases(name string) (string, []string) {
	var aliases []string
	out := bracketAliasRE.ReplaceAllStringFunc(name, func(m string) string {
		w := strings.ToLower(strings.Trim(m, "() "))
		aliases = append(aliases, strings.ReplaceAll(w, " ", ""))
		return " "
	})
	return out, aliases
}

// modelRange is a run of model numbers a product name gives as a range:
// "MX400-MX850", "MP2-MP90", "MX (MX400-550)".
type modelRange struct {
	prefix string // lower case letters
	lo, hi int
}

// token is the word that stands for the range in the product's words.
func (r modelRange) token() string { return fmt.Sprintf("%s%d-%d", r.prefix, r.lo, r.hi) }

// holds reports whether a device word ("mx450") is in the range.
func (r modelRange) holds(w string) bool {
	if !strings.HasPrefix(w, r.prefix) || !allDigits(w[len(r.prefix):]) {
		return false
	}
	n, err := strconv.Atoi(w[len(r.prefix):])
	return err == nil && r.lo <= n && n <= r.hi
}

var (
	modelRangeRE   = regexp.MustCompile(`(?i)\b([a-z]{1,4})(\d{1,5})\s*[-–]\s*([a-z]{1,4})?(\d{1,5})\b`)
	bracketAliasRE = regexp.MustCompile(`\s*\(\s*[A-Za-z][A-Za-z0-9]{1,5}(?: [A-Za-z]{1,3})?\s*\)`)
	trailingVerRE  = regexp.MustCompile(`^(.*\S)\s+[vV]?(\d+(?:\.(?:\d+|[xX*]))+)$`)
)

// modelRanges finds the model ranges of a product name.
func modelRanges(name string) []modelRange {
	var out []modelRange
	for _, m := range modelRangeRE.FindAllStringSubmatch(name, -1) {
		if m[3] != "" && !strings.EqualFold(m[1], m[3]) {
			continue
		}
		lo, err1 := strconv.Atoi(m[2])
		hi, err2 := strconv.Atoi(m[4])
		if err1 == nil && err2 == nil && lo < hi {
			out = append(out, modelRange{strings.ToLower(m[1]), lo, hi})
		}
	}
	return out
}

// withoutName drops from a version text a product-name word glued to the
// version ("<= GEH-1.1" of the product "GEH-SD-320AN" is "<= 1.1").
func withoutName(version, name string) string {
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' }) {
		if len(w) < 2 || !allLetters(strings.ToLower(w)) {
			continue
		}
		for _, glued := range []string{w + "-", w + " "} {
			if i := strings.Index(strings.ToLower(version), strings.ToLower(glued)); i >= 0 &&
				i+len(glued) < len(version) && isDigitByte(version[i+len(glued)]) {
				version = version[:i] + version[i+len(glued):]
			}
		}
	}
	return version
}

// trailingVersion splits a dotted version off the end of a product name.
func trailingVersion(name string) (string, string, bool) {
	m := trailingVerRE.FindStringSubmatch(strings.TrimSpace(name))
	if m == nil {
		return name, "", false
	}
	return m[1], m[2], true
}

// display is the product as a person would write it.
func (p *product) display() string {
	return strings.Join(strings.Fields(p.vendor+" "+p.name+" "+p.version), " ")
}

// addLocked indexes the products of a that some vulnerability has a
// status for. A relationship product is matched by its platform's name
// and its component's version ("firmware 2.1 installed on EC40").
func (m *Matcher) addLocked(a *advisory.Advisory) {
	byID := make(map[string]*advisory.Product, len(a.Products))
	for i := range a.Products {
		byID[a.Products[i].ID] = &a.Products[i]
	}
	for _, v := range a.Vulns {
		name := vulnName(a, v)
		for _, sc := range v.Scores {
			if have, ok := m.scores[name]; !ok || sc.Base > have.Base ||
				(sc.Base == have.Base && sc.Version > have.Version) {
				m.scores[name] = sc
			}
		}
	}
	statuses := productStatuses(a)
	fixes := vendorFixes(a)
	var ps []*product
	for i := range a.Products {
		ap := &a.Products[i]
		cves := statuses[ap.ID]
		if len(cves) == 0 {
			continue
		}
		p := m.newProduct(a.ID, ap, byID)
		p.cves, p.fix = cves, fixes[ap.ID]
		m.indexLocked(p)
		ps = append(ps, p)
	}
	m.advisories[a.ID] = ps
}

func (m *Matcher) newProduct(adv string, ap *advisory.Product,
	byID map[string]*advisory.Product) *product {
	named, versioned := ap, ap
	if ap.Platform != "" && byID[ap.Platform] != nil {
		named = byID[ap.Platform]
	}
	if ap.Component != "" && byID[ap.Component] != nil {
		versioned = byID[ap.Component]
		if versioned.Version == "" && versioned.Range == "" {
			versioned = ap
		}
	}
	p := &product{advisory: adv, id: ap.ID, vendor: named.Vendor,
		name:    strings.TrimSpace(named.Family + " " + named.Name),
		version: cmpOr(versioned.Version, versioned.Range), purls: purlKeys(ap.PURLs)}
	if p.name == "" {
		p.name = named.FullName
	}
	if p.vendor == "" {
		p.vendor = versioned.Vendor
	}
	p.keys = m.vendors.Keys(p.vendor)
	name := withoutExclusions(p.name)
	if p.version == "" || ParseRange(p.version).All() {
		// "IntelliSpace Portal 8.0.x" with all versions: the version is
		// in the name.
		if base, v, ok := trailingVersion(name); ok {
			name, p.version = base, v
		}
	}
	p.rng = ParseRange(cmpOr(withoutName(p.version, name), "vers:all/*"))
	if !p.rng.Known() {
		// What CISA wrote as the version is no version ("CoaguChek Pro II"
		// under "Point of Care handheld medical devices"): it names the
		// product, for all its versions.
		name += " " + p.version
		p.rng, p.textual = ParseRange("vers:all/*"), true
	}
	name, p.aliases = bracketAliases(name)
	p.words = joined(minus(nameWords(name), asciiWordSet(p.vendor)))
	p.ranges = modelRanges(name)
	for _, r := range p.ranges {
		p.words = append(p.words, r.token())
	}
	p.shown, p.explain = p.display(), p.rng.Explain()
	for _, c := range []string{ap.CPE, versioned.CPE, named.CPE} {
		if k := cpeKey(c); k != "" && !slices.Contains(p.cpes, k) {
			p.cpes = append(p.cpes, k)
		}
	}
	return p
}

// withoutExclusions is a product name without the products it says it
// leaves out ("Vivid products, not including EchoPAC" → "Vivid products").
func withoutExclusions(name string) string {
	l := strings.ToLower(name)
	for _, cut := range []string{"not including", "excluding", "except for", "except"} {
		if i := strings.Index(l, cut); i > 0 {
			name, l = name[:i], l[:i]
		}
	}
	return strings.TrimRight(name, " ,;(-")
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// indexLocked adds p to the vendor, word and identifier indexes, and its
// words to the weights.
func (m *Matcher) indexLocked(p *product) {
	m.w.count(p.words)
	for _, k := range p.keys {
		vi := m.byVendor[k]
		if vi == nil {
			vi = &vendorIndex{byWord: map[string][]*product{}, vocab: map[string]bool{},
				df: map[string]int{}, names: map[string]bool{}}
			m.byVendor[k] = vi
		}
		vi.products = append(vi.products, p)
		if name := strings.Join(p.words, " "); !vi.names[name] {
			vi.names[name] = true
			for w := range wordSet(p.words) {
				vi.df[w]++
			}
		}
		for _, w := range p.words {
			vi.vocab[w] = true
			if !generic[w] {
				if l := vi.byWord[w]; len(l) == 0 || l[len(l)-1] != p {
					vi.byWord[w] = append(l, p)
				}
			}
		}
		for _, a := range p.aliases {
			vi.vocab[a] = true
			if l := vi.byWord[a]; len(l) == 0 || l[len(l)-1] != p {
				vi.byWord[a] = append(l, p)
			}
		}
		for _, r := range p.ranges {
			k := "range:" + r.prefix
			if l := vi.byWord[k]; len(l) == 0 || l[len(l)-1] != p {
				vi.byWord[k] = append(l, p)
			}
		}
	}
	for _, k := range p.cpes {
		m.byCPE[k] = append(m.byCPE[k], p)
	}
	for _, u := range p.purls {
		m.byPURL[u] = append(m.byPURL[u], p)
	}
}

// removeLocked takes an advisory's products out of the indexes. Word
// weights keep their counts: a revision names much the same products.
func (m *Matcher) removeLocked(id string) {
	gone := m.advisories[id]
	delete(m.advisories, id)
	isGone := func(p *product) bool { return slices.Contains(gone, p) }
	for _, vi := range m.byVendor {
		vi.products = slices.DeleteFunc(vi.products, isGone)
		for w, l := range vi.byWord {
			vi.byWord[w] = slices.DeleteFunc(l, isGone)
		}
	}
	for k, l := range m.byCPE {
		m.byCPE[k] = slices.DeleteFunc(l, isGone)
	}
	for k, l := range m.byPURL {
		m.byPURL[k] = slices.DeleteFunc(l, isGone)
	}
}

// productStatuses gives, per product ID, the vulnerabilities of each
// status. A vulnerability without a CVE is named by its first other ID,
// its title or the advisory's ID.
func productStatuses(a *advisory.Advisory) map[string]map[Status][]string {
	out := map[string]map[Status][]string{}
	for _, v := range a.Vulns {
		name := vulnName(a, v)
		for st, ids := range v.Status {
			s, ok := statusOf(st)
			if !ok {
				continue
			}
			for _, id := range ids {
				m := out[id]
				if m == nil {
					m = map[Status][]string{}
					out[id] = m
				}
				if !slices.Contains(m[s], name) {
					m[s] = append(m[s], name)
				}
			}
		}
	}
	return out
}

func vulnName(a *advisory.Advisory, v advisory.Vuln) string {
	if v.CVE != "" {
		return v.CVE
	}
	if len(v.IDs) > 0 {
		return v.IDs[0]
	}
	return a.ID
}

// statusOf maps a CSAF product status onto a candidate's.
func statusOf(s advisory.Status) (Status, bool) {
	switch s {
	case advisory.Affected, advisory.FirstAffected, advisory.LastAffected:
		return Affected, true
	case advisory.Fixed, advisory.FirstFixed, advisory.Recommended:
		return Fixed, true
	case advisory.NotAffected:
		return NotAffected, true
	case advisory.UnderInvestigation:
		return UnderInvestigation, true
	}
	return "", false
}

// vendorFixes is the set of products a vendor fix is published for.
func vendorFixes(a *advisory.Advisory) map[string]bool {
	out := map[string]bool{}
	for _, v := range a.Vulns {
		for _, r := range v.Remediations {
			if r.Category == advisory.VendorFix {
				for _, id := range r.Products {
					out[id] = true
				}
			}
		}
	}
	return out
}

// asciiWordSet is the set of the words of s, as nameWords gives them.
func asciiWordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range nameWords(s) {
		m[w] = true
	}
	return m
}

// minus is words without those in drop; all of words if that would
// leave none.
func minus(words []string, drop map[string]bool) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if !drop[w] {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return words
	}
	return out
}
