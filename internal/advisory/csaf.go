package advisory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// MaxCSAFSize bounds the size of a CSAF document ParseCSAF reads, in
// bytes. The largest ICSMA document is 123 KB; the bound leaves room for
// vendors' documents of many thousands of products, and keeps the
// decoded tree (several times the document's size) within reason.
const MaxCSAFSize = 32 << 20

// ParseCSAF reads a CSAF 2.0 document, validated against the CSAF 2.0
// JSON schema. An invalid document is an *InvalidError naming each
// problem's JSON path: malformed JSON (the path is then the line and
// byte), a schema violation, a product_id or group_id used but not
// defined, or defined twice, or a document over MaxCSAFSize.
//
// A product's Vendor, Family and Name come from the vendor,
// product_family and product_name branches that enclose it, its Version
// or Range from the innermost product_version (or service_pack) or
// product_version_range branch; a product no product_name names is named
// by its full name. A relationship's product is the device and the
// software on it: it takes the platform's Vendor, Family, Name, model
// numbers and SKUs and the component's Version, Range, CPE and PURLs,
// with Component, Platform and Relation set.
//
// Product groups are expanded wherever group_ids appear, so every list
// of product IDs in the result names products of Advisory.Products.
// Scores are computed from their vectors by ParseCVSS; a baseScore the
// document gives is not trusted, and only used when the vector cannot be
// scored.
func ParseCSAF(data []byte) (*Advisory, error) {
	if len(data) > MaxCSAFSize {
		reason := fmt.Sprintf("document is %d bytes, over the limit of %d (%d MiB)",
			len(data), MaxCSAFSize, MaxCSAFSize>>20)
		return nil, invalidCSAF(Problem{Reason: reason})
	}
	if err := validateCSAFBytes(data); err != nil {
		return nil, err
	}
	var d csafDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, invalidCSAF(typeProblem(err))
	}
	if probs := checkRefs(&d); len(probs) > 0 {
		return nil, invalidCSAF(probs...)
	}
	return csafAdvisory(&d)
}

func invalidCSAF(probs ...Problem) *InvalidError {
	return &InvalidError{Format: CSAF, Problems: probs}
}

// validateCSAFBytes decodes data as JSON and checks it against the schema.
func validateCSAFBytes(data []byte) error {
	doc, prob := decodeJSON(data)
	if prob != nil {
		return invalidCSAF(*prob)
	}
	probs, err := validateCSAF(doc)
	if err != nil {
		return err
	}
	if len(probs) > 0 {
		return invalidCSAF(probs...)
	}
	return nil
}

// decodeJSON decodes data as one JSON value for the schema validator.
// Malformed JSON is a problem placed by line, column and byte offset.
//
// Numbers are decoded as float64, not json.Number: the validator turns a
// json.Number into a big.Rat, which takes time and memory in proportion
// to the exponent ("1e99999999") and panics past Go's limit. The schemas
// compare numbers only with minimum and maximum, which float64 serves;
// a number out of float64's range is refused here.
func decodeJSON(data []byte) (any, *Problem) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var doc any
	err := dec.Decode(&doc)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	at := func(off int64, reason string) *Problem {
		return &Problem{Path: position(data, off), Reason: reason}
	}
	switch {
	case errors.As(err, &syn):
		return nil, at(syn.Offset, "malformed json: "+syn.Error())
	case errors.As(err, &typ):
		return nil, at(typ.Offset, fmt.Sprintf("json %s out of range", typ.Value))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, at(int64(len(data)), "malformed json: unexpected end of input")
	case err != nil:
		return nil, &Problem{Reason: "malformed json: " + err.Error()}
	}
	rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")
	if len(rest) > 0 {
		return nil, at(int64(len(data)-len(rest)), "malformed json: data after the top-level value")
	}
	return doc, nil
}

// position names byte offset off of data as "line L, column C (byte off)",
// lines and columns counted from 1, columns in bytes.
func position(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := off - int64(bytes.LastIndexByte(before, '\n'))
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, off)
}

// typeProblem describes a value the schema let through that Ward's
// structs cannot hold.
func typeProblem(err error) Problem {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return Problem{Path: "/" + strings.ReplaceAll(typ.Field, ".", "/"),
			Reason: fmt.Sprintf("json %s where %s is expected", typ.Value, typ.Type)}
	}
	return Problem{Reason: "decode document: " + err.Error()}
}

// csafConverter turns a checked document into an Advisory, collecting
// the problems the structs reveal (a date Go cannot read).
type csafConverter struct {
	groups map[string][]string // group_id → product IDs
	probs  []Problem
}

// csafAdvisory is the Advisory of d, whose references have been checked.
func csafAdvisory(d *csafDoc) (*Advisory, error) {
	cv := csafConverter{groups: treeGroups(&d.ProductTree)}
	doc := &d.Document
	a := &Advisory{
		ID:         doc.Tracking.ID,
		Format:     CSAF,
		Title:      doc.Title,
		Publisher:  doc.Publisher.Name,
		Namespace:  doc.Publisher.Namespace,
		Revision:   doc.Tracking.Version,
		Status:     doc.Tracking.Status,
		Released:   cv.time(doc.Tracking.InitialRelease, "/document/tracking/initial_release_date"),
		Updated:    cv.time(doc.Tracking.CurrentRelease, "/document/tracking/current_release_date"),
		Products:   treeProducts(&d.ProductTree),
		References: references(doc.References),
		Notes:      notes(doc.Notes),
	}
	for i := range d.Vulnerabilities {
		path := fmt.Sprintf("/vulnerabilities/%d", i)
		a.Vulns = append(a.Vulns, cv.vuln(&d.Vulnerabilities[i], path))
	}
	if len(cv.probs) > 0 {
		return nil, invalidCSAF(cv.probs...)
	}
	return a, nil
}

// time reads an RFC 3339 date-time; "" is the zero time. The schema has
// checked the format, but RFC 3339 allows a lowercase "t" and "z" that
// Go's parser does not.
func (cv *csafConverter) time(s, path string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	if err != nil {
		if len(cv.probs) < MaxProblems {
			cv.probs = append(cv.probs, Problem{Path: path, Reason: "read date-time: " + err.Error()})
		}
		return time.Time{}
	}
	return t
}

// vuln converts v, found at path.
func (cv *csafConverter) vuln(v *csafVuln, path string) Vuln {
	out := Vuln{
		CVE:         v.CVE,
		Title:       v.Title,
		Description: description(v.Notes),
		Released:    cv.time(v.ReleaseDate, path+"/release_date"),
		Status:      statusMap(&v.ProductStatus),
		References:  references(v.References),
	}
	for _, id := range v.IDs {
		out.IDs = append(out.IDs, id.Text)
	}
	if v.CWE != nil {
		out.CWEs = []string{v.CWE.ID}
	}
	for _, s := range v.Scores {
		out.Scores = appendScores(out.Scores, &s)
	}
	out.Remediations = cv.remediations(v.Remediations, path)
	for _, f := range v.Flags {
		products := cv.expand(f.Products, f.Groups)
		out.Flags = append(out.Flags, Flag{Label: f.Label, Products: products})
	}
	return out
}

// remediations converts the remediations of the vulnerability at path.
func (cv *csafConverter) remediations(rs []csafRemediation, path string) []Remediation {
	var out []Remediation
	for i, r := range rs {
		out = append(out, Remediation{
			Category: r.Category,
			Details:  r.Details,
			URL:      r.URL,
			Date:     cv.time(r.Date, fmt.Sprintf("%s/remediations/%d/date", path, i)),
			Products: cv.expand(r.Products, r.Groups),
		})
	}
	return out
}

// expand returns the product IDs products names and the groups contain,
// without repeats, in document order.
func (cv *csafConverter) expand(products, groups []string) []string {
	if len(groups) == 0 {
		if len(products) == 0 {
			return nil
		}
		return uniqueStrings(products)
	}
	all := append([]string(nil), products...)
	for _, g := range groups {
		all = append(all, cv.groups[g]...)
	}
	return uniqueStrings(all)
}

// statusMap returns the non-empty lists of s by Status; nil if none is.
func statusMap(s *csafStatus) map[Status][]string {
	var m map[Status][]string
	for _, l := range s.lists() {
		if len(l.ids) == 0 {
			continue
		}
		if m == nil {
			m = make(map[Status][]string, 2)
		}
		m[l.status] = uniqueStrings(l.ids)
	}
	return m
}

// appendScores appends the v3 and v2 scores of s, in that order.
func appendScores(scores []Score, s *csafScore) []Score {
	for _, c := range []*csafCVSS{s.V3, s.V2} {
		if c == nil {
			continue
		}
		sc := csafScoreOf(c)
		if len(s.Products) > 0 {
			sc.Products = uniqueStrings(s.Products)
		}
		scores = append(scores, sc)
	}
	return scores
}

// csafScoreOf scores c from its vector. The document's own baseScore is
// ignored, even where it is wrong (off by more than the 0.05 a rounding
// explains), unless the vector cannot be scored: the schema's patterns
// accept a few vectors a strict parser refuses, and then the document's
// figures are all there is.
func csafScoreOf(c *csafCVSS) Score {
	s, err := ParseCVSS(c.Version, c.Vector)
	if err == nil {
		return s
	}
	s = Score{
		Version:  c.Version,
		Vector:   c.Vector,
		Base:     c.BaseScore,
		Severity: strings.ToUpper(c.BaseSeverity),
	}
	if s.Severity == "" {
		s.Severity = severity(c.Version, c.BaseScore)
	}
	return s
}

// description joins the texts of the description and summary notes.
func description(ns []csafNote) string {
	var parts []string
	for _, n := range ns {
		if n.Category == "description" || n.Category == "summary" {
			parts = append(parts, n.Text)
		}
	}
	return strings.Join(parts, "\n\n")
}

func references(rs []csafRef) []Reference {
	var out []Reference
	for _, r := range rs {
		out = append(out, Reference{URL: r.URL, Summary: r.Summary, Category: r.Category})
	}
	return out
}

func notes(ns []csafNote) []Note {
	var out []Note
	for _, n := range ns {
		out = append(out, Note{Category: n.Category, Title: n.Title, Text: n.Text})
	}
	return out
}
