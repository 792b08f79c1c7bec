package advisory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// NVD CVE JSON 2.0, as the NVD API 2.0 serves it and as mirrors store it
// one record per file. ParseNVD maps each record onto an Advisory:
//
//   - ID is the CVE ID, Released and Updated the record's published and
//     lastModified times (UTC; NVD writes them without a zone), Status its
//     vulnStatus as written ("Analyzed", "Modified", "Rejected", ...).
//   - The one Vuln carries the English description, the CWE IDs of the
//     weaknesses, the CVSS metrics of every version as Scores (primary
//     before secondary, then newest CVSS version first; Source is who
//     scored it) and the references.
//   - Every cpeMatch of the configurations with vulnerable=true becomes a
//     Product listed under Affected: CPE is the criteria as written, Vendor
//     and Name the CPE's vendor and product fields with underscores turned
//     to spaces, Version the CPE's version field unless it is "*" or "-",
//     and Range a "vers:generic/" range built from the versionStart… and
//     versionEnd… bounds, versions kept as written ("c.00.04"). A "*"
//     version with no bounds is every version: Range "vers:all/*".
//   - In a configuration whose operator is AND, a non-vulnerable cpeMatch
//     is the platform the vulnerable ones run on (usually the device, an
//     h: CPE, beside its o: firmware). The platform becomes a Product with
//     no status, and each vulnerable match paired with it a third Product
//     with Component and Platform set and Relation "installed_on", listed
//     under Affected too: the firmware as installed on that device.
//
// Product IDs are the NVD matchCriteriaId (criteria and bounds where a
// record has none); a relationship product's ID joins its two parts'.

// MaxNVDProducts bounds the products one CVE record may define: pairing
// firmware with platforms multiplies, and a small record must not become
// a large advisory.
const MaxNVDProducts = 10000

// nvdNamespace is the publisher namespace NVD advisories carry.
const nvdNamespace = "https://nvd.nist.gov"

// nvdDocument is any of the three shapes ParseNVD accepts: a bare cve
// object (the embedded fields), {"cve": {...}}, or an API response.
type nvdDocument struct {
	nvdCVE
	CVE             *nvdCVE `json:"cve"`
	Vulnerabilities *[]struct {
		CVE nvdCVE `json:"cve"`
	} `json:"vulnerabilities"`
}

type nvdCVE struct {
	ID             string          `json:"id"`
	Source         string          `json:"sourceIdentifier"`
	Published      string          `json:"published"`
	LastModified   string          `json:"lastModified"`
	VulnStatus     string          `json:"vulnStatus"`
	Descriptions   []nvdLangString `json:"descriptions"`
	Metrics        nvdMetrics      `json:"metrics"`
	Weaknesses     []nvdWeakness   `json:"weaknesses"`
	Configurations []nvdConfig     `json:"configurations"`
	References     []nvdReference  `json:"references"`
}

type nvdLangString struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

type nvdMetrics struct {
	V2  []nvdMetric `json:"cvssMetricV2"`
	V30 []nvdMetric `json:"cvssMetricV30"`
	V31 []nvdMetric `json:"cvssMetricV31"`
	V40 []nvdMetric `json:"cvssMetricV40"`
}

type nvdMetric struct {
	Source string `json:"source"`
	Type   string `json:"type"` // "Primary" or "Secondary"
	Data   struct {
		Version      string  `json:"version"`
		Vector       string  `json:"vectorString"`
		BaseScore    float64 `json:"baseScore"`
		BaseSeverity string  `json:"baseSeverity"`
	} `json:"cvssData"`
	BaseSeverity string `json:"baseSeverity"` // CVSS v2 keeps it here
}

type nvdWeakness struct {
	Description []nvdLangString `json:"description"`
}

type nvdConfig struct {
	Operator string    `json:"operator"`
	Nodes    []nvdNode `json:"nodes"`
}

type nvdNode struct {
	Negate   bool          `json:"negate"`
	CPEMatch []nvdCPEMatch `json:"cpeMatch"`
}

type nvdCPEMatch struct {
	Vulnerable     bool   `json:"vulnerable"`
	Criteria       string `json:"criteria"`
	ID             string `json:"matchCriteriaId"`
	StartIncluding string `json:"versionStartIncluding"`
	StartExcluding string `json:"versionStartExcluding"`
	EndIncluding   string `json:"versionEndIncluding"`
	EndExcluding   string `json:"versionEndExcluding"`
}

type nvdReference struct {
	URL  string   `json:"url"`
	Tags []string `json:"tags"`
}

// ParseNVD reads NVD CVE JSON 2.0: a single cve object, an object
// {"cve": {...}}, or an NVD API 2.0 response {"vulnerabilities": [...]}.
// Each CVE becomes one Advisory; an empty response is no advisories and
// no error. A malformed document is an *InvalidError.
func ParseNVD(data []byte) ([]*Advisory, error) {
	var doc nvdDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) { // a bare record's fields are the embedded ones
			typ.Field = strings.TrimPrefix(typ.Field, "nvdCVE.")
		}
		return nil, invalidJSON(NVD, data, err)
	}
	records, paths, err := doc.records()
	if err != nil {
		return nil, err
	}
	var out []*Advisory
	var problems []Problem
	for i, r := range records {
		a, err := r.advisory()
		if err != nil {
			problems = appendProblem(problems, Problem{Path: paths[i], Reason: err.Error()})
			continue
		}
		out = append(out, a)
	}
	if len(problems) > 0 {
		return nil, &InvalidError{Format: NVD, Problems: problems}
	}
	return out, nil
}

// records returns the CVE records of the document and the JSON pointer
// of each.
func (d *nvdDocument) records() ([]*nvdCVE, []string, error) {
	switch {
	case d.Vulnerabilities != nil:
		rs := make([]*nvdCVE, len(*d.Vulnerabilities))
		ps := make([]string, len(rs))
		for i := range *d.Vulnerabilities {
			rs[i] = &(*d.Vulnerabilities)[i].CVE
			ps[i] = fmt.Sprintf("/vulnerabilities/%d/cve", i)
		}
		return rs, ps, nil
	case d.CVE != nil:
		return []*nvdCVE{d.CVE}, []string{"/cve"}, nil
	case d.ID != "":
		return []*nvdCVE{&d.nvdCVE}, []string{""}, nil
	}
	return nil, nil, &InvalidError{Format: NVD, Problems: []Problem{{
		Reason: `no CVE record: want a cve object, {"cve": ...} or an API response`,
	}}}
}

// advisory maps one record; see the comment at the top of the file.
func (c *nvdCVE) advisory() (*Advisory, error) {
	if !strings.HasPrefix(c.ID, "CVE-") {
		return nil, fmt.Errorf("id %q is not a CVE ID", c.ID)
	}
	published, err := parseFeedTime(c.Published)
	if err != nil {
		return nil, fmt.Errorf("%s: published: %w", c.ID, err)
	}
	modified, err := parseFeedTime(c.LastModified)
	if err != nil {
		return nil, fmt.Errorf("%s: lastModified: %w", c.ID, err)
	}
	products, affected, err := nvdProducts(c.Configurations)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.ID, err)
	}
	v := Vuln{
		CVE:         c.ID,
		CWEs:        c.cwes(),
		Description: englishText(c.Descriptions),
		Released:    published,
		Scores:      c.Metrics.scores(),
		References:  nvdReferences(c.References),
	}
	if len(affected) > 0 {
		v.Status = map[Status][]string{Affected: affected}
	}
	return &Advisory{
		ID:         c.ID,
		Format:     NVD,
		Publisher:  "NVD",
		Namespace:  nvdNamespace,
		Status:     c.VulnStatus,
		Released:   published,
		Updated:    modified,
		Products:   products,
		Vulns:      []Vuln{v},
		References: []Reference{{URL: nvdNamespace + "/vuln/detail/" + c.ID, Category: "self"}},
	}, nil
}

// englishText returns the English text of a list, or the first text when
// none is English.
func englishText(ls []nvdLangString) string {
	for _, l := range ls {
		if l.Lang == "en" || strings.HasPrefix(l.Lang, "en-") {
			return l.Value
		}
	}
	if len(ls) > 0 {
		return ls[0].Value
	}
	return ""
}

// cwes returns the record's CWE IDs, once each; NVD's placeholders
// ("NVD-CWE-noinfo", "NVD-CWE-Other") are not CWEs and are left out.
func (c *nvdCVE) cwes() []string {
	var out []string
	for _, w := range c.Weaknesses {
		for _, d := range w.Description {
			if strings.HasPrefix(d.Value, "CWE-") && !slices.Contains(out, d.Value) {
				out = append(out, d.Value)
			}
		}
	}
	return out
}

// scores returns every metric as a Score: primary ones first, then by
// CVSS version, newest first.
func (m *nvdMetrics) scores() []Score {
	var out []Score
	for _, primary := range []bool{true, false} {
		for _, list := range [][]nvdMetric{m.V40, m.V31, m.V30, m.V2} {
			for _, x := range list {
				if (x.Type == "Primary") == primary {
					out = append(out, x.score())
				}
			}
		}
	}
	return out
}

// score turns one metric into a Score computed from its vector. A vector
// ParseCVSS refuses keeps NVD's own base score and severity, so that one
// odd metric does not cost the record.
func (x *nvdMetric) score() Score {
	s, err := ParseCVSS(x.Data.Version, x.Data.Vector)
	if err != nil {
		sev := x.Data.BaseSeverity
		if sev == "" {
			sev = x.BaseSeverity
		}
		s = Score{
			Version:  x.Data.Version,
			Vector:   x.Data.Vector,
			Base:     x.Data.BaseScore,
			Severity: strings.ToUpper(sev),
		}
	}
	s.Source = x.Source
	return s
}

// nvdReferences returns the references once per URL, NVD's tags as the
// summary.
func nvdReferences(refs []nvdReference) []Reference {
	var out []Reference
	seen := map[string]int{}
	for _, r := range refs {
		if r.URL == "" {
			continue
		}
		i, ok := seen[r.URL]
		if !ok {
			seen[r.URL] = len(out)
			out = append(out, Reference{URL: r.URL, Category: "external"})
			i = len(out) - 1
		}
		out[i].Summary = mergeTags(out[i].Summary, r.Tags)
	}
	return out
}

// mergeTags adds tags not yet in the comma-separated list s.
func mergeTags(s string, tags []string) string {
	have := strings.Split(s, ", ")
	for _, t := range tags {
		if !slices.Contains(have, t) {
			have = append(have, t)
		}
	}
	return strings.TrimPrefix(strings.Join(have, ", "), ", ")
}

// nvdProductSet collects the products of one record, unique by ID.
type nvdProductSet struct {
	products []Product
	index    map[string]int
	affected []string
}

func (s *nvdProductSet) add(p Product, affected bool) error {
	if _, ok := s.index[p.ID]; ok {
		return nil
	}
	if len(s.products) >= MaxNVDProducts {
		return fmt.Errorf("more than %d products", MaxNVDProducts)
	}
	s.index[p.ID] = len(s.products)
	s.products = append(s.products, p)
	if affected {
		s.affected = append(s.affected, p.ID)
	}
	return nil
}

// nvdProducts maps the configurations onto products and returns them with
// the IDs of the affected ones, in document order.
func nvdProducts(configs []nvdConfig) ([]Product, []string, error) {
	s := &nvdProductSet{index: map[string]int{}}
	for _, c := range configs {
		if err := s.addConfig(c); err != nil {
			return nil, nil, err
		}
	}
	return s.products, s.affected, nil
}

func (s *nvdProductSet) addConfig(c nvdConfig) error {
	var vulnerable, platforms []Product
	for _, n := range c.Nodes {
		if n.Negate {
			continue // "not running on X" says nothing of a product
		}
		for _, m := range n.CPEMatch {
			p := m.product()
			if m.Vulnerable {
				vulnerable = append(vulnerable, p)
			} else {
				platforms = append(platforms, p)
			}
		}
	}
	for _, p := range vulnerable {
		if err := s.add(p, true); err != nil {
			return err
		}
	}
	if !strings.EqualFold(c.Operator, "AND") {
		return nil
	}
	return s.addPairs(vulnerable, platforms)
}

// addPairs adds each platform and, for each vulnerable product, the
// product as installed on it.
func (s *nvdProductSet) addPairs(vulnerable, platforms []Product) error {
	for _, hw := range platforms {
		if len(vulnerable) == 0 {
			break
		}
		if err := s.add(hw, false); err != nil {
			return err
		}
		for _, fw := range vulnerable {
			p := Product{
				ID:        fw.ID + " installed_on " + hw.ID,
				FullName:  fw.FullName + " installed on " + hw.FullName,
				Component: fw.ID,
				Platform:  hw.ID,
				Relation:  "installed_on",
			}
			if err := s.add(p, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// product maps one CPE match criterion.
func (m *nvdCPEMatch) product() Product {
	c := splitCPE(m.Criteria)
	p := Product{
		ID:     m.ID,
		Vendor: cpeWords(c.vendor),
		Name:   cpeWords(c.product),
		CPE:    m.Criteria,
	}
	bounds := m.bounds()
	switch {
	case len(bounds) > 0:
		p.Range = "vers:generic/" + strings.Join(bounds, "|")
	case c.version != "" && c.version != "*" && c.version != "-":
		p.Version = cpeUnescape(c.version)
	case c.version == "*":
		p.Range = "vers:all/*"
	}
	if p.ID == "" {
		p.ID = m.Criteria + "|" + strings.Join(bounds, "|")
	}
	p.FullName = strings.TrimSpace(p.Vendor + " " + p.Name + " " + versionWords(p, bounds))
	return p
}

// bounds returns the version bounds as vers constraints, lower first.
func (m *nvdCPEMatch) bounds() []string {
	var out []string
	if m.StartIncluding != "" {
		out = append(out, ">="+m.StartIncluding)
	} else if m.StartExcluding != "" {
		out = append(out, ">"+m.StartExcluding)
	}
	if m.EndIncluding != "" {
		out = append(out, "<="+m.EndIncluding)
	} else if m.EndExcluding != "" {
		out = append(out, "<"+m.EndExcluding)
	}
	return out
}

// versionWords is the version part of a full name: "<= c.00.04",
// ">= 1.0, < 2.0", "4.3", or "all versions".
func versionWords(p Product, bounds []string) string {
	switch {
	case len(bounds) > 0:
		ws := make([]string, len(bounds))
		for i, b := range bounds {
			n := strings.IndexFunc(b, func(r rune) bool { return r != '<' && r != '>' && r != '=' })
			if n < 0 {
				n = len(b)
			}
			ws[i] = b[:n] + " " + b[n:]
		}
		return strings.Join(ws, ", ")
	case p.Version != "":
		return p.Version
	case p.Range != "":
		return "all versions"
	}
	return ""
}

// cpeName holds the fields of a CPE 2.3 formatted string that products
// need, still escaped.
type cpeName struct {
	part, vendor, product, version string
}

// splitCPE splits "cpe:2.3:part:vendor:product:version:…" at the colons
// that are not escaped; a CPE 2.2 URI ("cpe:/o:vendor:product:version")
// is read too. Missing fields are "".
func splitCPE(s string) cpeName {
	var fields []string
	switch {
	case strings.HasPrefix(s, "cpe:2.3:"):
		fields = splitEscaped(s[len("cpe:2.3:"):], 5)
	case strings.HasPrefix(s, "cpe:/"):
		fields = strings.SplitN(s[len("cpe:/"):], ":", 5)
	}
	for len(fields) < 4 {
		fields = append(fields, "")
	}
	return cpeName{part: fields[0], vendor: fields[1], product: fields[2], version: fields[3]}
}

// splitEscaped splits s at unescaped colons into at most n fields.
func splitEscaped(s string, n int) []string {
	var out []string
	start := 0
	for i := 0; i < len(s) && len(out) < n-1; i++ {
		switch s[i] {
		case '\\':
			i++ // the next byte is literal
		case ':':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// cpeUnescape removes the backslashes of a CPE 2.3 field ("1.0\(1\)").
func cpeUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// cpeWords turns a CPE vendor or product field into words:
// "intellibridge_ec40_firmware" → "intellibridge ec40 firmware".
func cpeWords(s string) string {
	if s == "*" || s == "-" {
		return ""
	}
	return strings.ReplaceAll(cpeUnescape(s), "_", " ")
}

// The helpers below are shared by the JSON readers of this package's
// feeds (NVD, KEV, CycloneDX, OpenVEX).

// invalidJSON turns a JSON decoding error into an *InvalidError of format
// f, located by line and column, or by the JSON pointer of the field.
func invalidJSON(f Format, data []byte, err error) error {
	p := Problem{Reason: err.Error()}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		p.Path = lineColumn(data, syn.Offset)
		p.Reason = "malformed JSON: " + syn.Error()
	case errors.As(err, &typ):
		p.Path = "/" + strings.ReplaceAll(typ.Field, ".", "/")
		p.Reason = fmt.Sprintf("got JSON %s, want %s", typ.Value, jsonKind(typ.Type.Kind().String()))
	}
	return &InvalidError{Format: f, Problems: []Problem{p}}
}

// jsonKind names a Go kind the way JSON does.
func jsonKind(k string) string {
	switch {
	case k == "struct" || k == "map":
		return "object"
	case k == "slice" || k == "array":
		return "array"
	case k == "bool":
		return "boolean"
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	}
	return k
}

// lineColumn locates the byte of a json.SyntaxError (Offset bytes were
// read, the bad one last) as "line L, column C", both from 1.
func lineColumn(data []byte, off int64) string {
	off = min(max(off-1, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// appendProblem appends p unless MaxProblems are already there.
func appendProblem(ps []Problem, p Problem) []Problem {
	if len(ps) >= MaxProblems {
		return ps
	}
	return append(ps, p)
}

// parseFeedTime reads the times the feeds write: RFC 3339, NVD's
// "2021-12-27T19:15:08.163" without a zone (UTC), EPSS's
// "2023-03-07T00:00:00+0000", and plain dates. "" is the zero time.
func parseFeedTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04:05.999999999-0700",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not RFC 3339 or a date", s)
}
