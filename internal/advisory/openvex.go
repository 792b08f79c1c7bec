package advisory

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// OpenVEX documents: 0.2.0 (context "https://openvex.dev/ns/v0.2.0")
// and the first published shape (context "https://openvex.dev/ns"), in
// which a vulnerability is a bare name, products are bare identifiers and
// subcomponents sit on the statement.

// openvexContext starts the @context of every OpenVEX version.
const openvexContext = "https://openvex.dev/ns"

type openvexDoc struct {
	Context     string              `json:"@context"`
	ID          string              `json:"@id"`
	Author      string              `json:"author"`
	Timestamp   string              `json:"timestamp"`
	LastUpdated string              `json:"last_updated"`
	Statements  *[]openvexStatement `json:"statements"`
}

type openvexStatement struct {
	Vulnerability openvexVuln      `json:"vulnerability"`
	Products      []openvexProduct `json:"products"`
	Subcomponents []openvexProduct `json:"subcomponents"` // the first shape's place for them
	Status        string           `json:"status"`
	Justification string           `json:"justification"`
	Impact        string           `json:"impact_statement"`
	Action        string           `json:"action_statement"`
	Timestamp     string           `json:"timestamp"`
	LastUpdated   string           `json:"last_updated"`
}

// openvexVuln is a vulnerability: an object, or in the first shape a name.
type openvexVuln struct {
	ID      string   `json:"@id"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
}

func (v *openvexVuln) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &v.Name)
	}
	type plain openvexVuln
	return json.Unmarshal(b, (*plain)(v))
}

// openvexProduct is a product or subcomponent: an object, or in the first
// shape an identifier.
type openvexProduct struct {
	ID            string            `json:"@id"`
	Identifiers   map[string]string `json:"identifiers"`
	Subcomponents []openvexProduct  `json:"subcomponents"`
}

func (p *openvexProduct) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &p.ID)
	}
	type plain openvexProduct
	return json.Unmarshal(b, (*plain)(p))
}

// openvexStatuses maps the OpenVEX statuses onto ours.
var openvexStatuses = map[string]Status{
	"not_affected":        NotAffected,
	"affected":            Affected,
	"fixed":               Fixed,
	"under_investigation": UnderInvestigation,
}

// ParseOpenVEX reads an OpenVEX document, 0.2.0 or the first published
// shape. A statement's vulnerability is its CVE where the name or an
// alias is one; its Timestamp is its own last update or time, else the
// document's. The document's Timestamp is its last update, else its
// time. A document that is not OpenVEX, or a statement without a
// vulnerability or with an unknown status, is an *InvalidError.
func ParseOpenVEX(data []byte) (*VEX, error) {
	var doc openvexDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, invalidJSON(OpenVEX, data, err)
	}
	if !strings.HasPrefix(doc.Context, openvexContext) {
		return nil, openvexInvalid([]Problem{{Path: "/@context",
			Reason: fmt.Sprintf("got %q, want %s…: not an OpenVEX document", doc.Context, openvexContext)}})
	}
	v := &VEX{Format: OpenVEX, ID: doc.ID, Author: doc.Author}
	var problems []Problem
	var err error
	if v.Timestamp, err = latestTime(doc.LastUpdated, doc.Timestamp, time.Time{}); err != nil {
		problems = append(problems, Problem{Path: "/timestamp", Reason: err.Error()})
	}
	if doc.Statements == nil {
		problems = append(problems, Problem{Path: "/statements", Reason: "missing"})
		return nil, openvexInvalid(problems)
	}
	for i := range *doc.Statements {
		s, field, err := (*doc.Statements)[i].statement(v.Timestamp)
		if err != nil {
			path := fmt.Sprintf("/statements/%d/%s", i, field)
			problems = appendProblem(problems, Problem{Path: path, Reason: err.Error()})
			continue
		}
		v.Statements = append(v.Statements, s)
	}
	if len(problems) > 0 {
		return nil, openvexInvalid(problems)
	}
	return v, nil
}

// statement checks and converts one statement; on error it also names
// the field at fault.
func (s *openvexStatement) statement(docTime time.Time) (VEXStatement, string, error) {
	name := s.Vulnerability.Name
	if name == "" {
		name = s.Vulnerability.ID // an IRI, ".../CVE-2023-0286" at best
		if i := strings.LastIndexByte(name, '/'); i >= 0 && strings.HasPrefix(name[i+1:], "CVE-") {
			name = name[i+1:]
		}
	}
	if name == "" {
		return VEXStatement{}, "vulnerability", fmt.Errorf("no name or @id")
	}
	st, ok := openvexStatuses[s.Status]
	if !ok {
		return VEXStatement{}, "status", fmt.Errorf("unknown status %q", s.Status)
	}
	when, err := latestTime(s.LastUpdated, s.Timestamp, docTime)
	if err != nil {
		return VEXStatement{}, "timestamp", err
	}
	out := VEXStatement{
		Status:        st,
		Justification: s.Justification,
		Impact:        s.Impact,
		Action:        s.Action,
		Timestamp:     when,
	}
	out.Vuln, out.Aliases = vexVulnName(name, s.Vulnerability.Aliases)
	subs := openvexRefs(s.Subcomponents)
	for _, p := range s.Products {
		r := p.ref()
		r.Subcomponents = append(r.Subcomponents, subs...)
		out.Products = append(out.Products, r)
	}
	return out, "", nil
}

// latestTime reads the first of a last-update and a time that is given,
// falling back to def.
func latestTime(updated, issued string, def time.Time) (time.Time, error) {
	for _, s := range []string{updated, issued} {
		if s != "" {
			return parseFeedTime(s)
		}
	}
	return def, nil
}

// ref maps a product: its @id is taken for a purl or CPE where it is one,
// and the identifiers fill in the rest.
func (p *openvexProduct) ref() ProductRef {
	r := ProductRef{ID: p.ID}
	switch {
	case strings.HasPrefix(p.ID, "pkg:"):
		r.PURL = p.ID
	case strings.HasPrefix(p.ID, "cpe:"):
		r.CPE = p.ID
	}
	if r.PURL == "" {
		r.PURL = p.Identifiers["purl"]
	}
	if r.CPE == "" {
		r.CPE = firstOf(p.Identifiers["cpe23"], p.Identifiers["cpe22"])
	}
	r.Subcomponents = openvexRefs(p.Subcomponents)
	return r
}

func openvexRefs(ps []openvexProduct) []ProductRef {
	var out []ProductRef
	for i := range ps {
		out = append(out, ps[i].ref())
	}
	return out
}

// firstOf returns the first of ss that is not empty.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func openvexInvalid(ps []Problem) error {
	return &InvalidError{Format: OpenVEX, Problems: ps}
}
