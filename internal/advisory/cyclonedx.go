package advisory

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// MaxSBOMComponents bounds the components one SBOM may list, nested ones
// included.
const MaxSBOMComponents = 200000

// ParseCycloneDX reads a CycloneDX BOM, JSON or XML (told by the first
// byte), of spec version 1.4 to 1.6 (older and newer ones the library
// knows are read too). metadata.component is the Subject; components,
// nested ones included, are flattened depth first; vulnerabilities become
// VEX statements:
//
//   - analysis.state exploitable is Affected, not_affected and
//     false_positive NotAffected, resolved (with or without pedigree)
//     Fixed, in_triage UnderInvestigation; a vulnerability with no
//     analysis is Affected, since the BOM says it affects its targets.
//   - analysis.justification is mapped onto the CSAF/OpenVEX labels:
//     code_not_present is vulnerable_code_not_present, code_not_reachable
//     vulnerable_code_not_in_execute_path, requires_environment,
//     requires_configuration and requires_dependency
//     vulnerable_code_cannot_be_controlled_by_adversary, and protected_*
//     inline_mitigations_already_exist. Except for the first two, which
//     mean the same, the CycloneDX value is kept at the head of Impact.
//   - each affects target becomes a ProductRef with the purl, CPE, name
//     and version of the component its ref names; a versions entry gives
//     the ProductRef's Version or Range, and one whose status disagrees
//     with the analysis (unaffected: NotAffected, unknown:
//     UnderInvestigation) goes into a statement of its own.
//
// A malformed BOM is an *InvalidError.
func ParseCycloneDX(data []byte) (*SBOM, error) {
	bom, err := decodeCycloneDX(data)
	if err != nil {
		return nil, err
	}
	s := &SBOM{Format: CycloneDX, SpecVersion: bom.SpecVersion.String(), Serial: bom.SerialNumber}
	refs := map[string]Component{}
	if m := bom.Metadata; m != nil && m.Component != nil {
		s.Subject = cdxComponent(m.Component, cdxVendor(m.Manufacturer, m.Manufacture, m.Supplier))
		refs[s.Subject.Ref] = s.Subject
		if err := s.addComponents(m.Component.Components, refs); err != nil {
			return nil, err
		}
	}
	if err := s.addComponents(bom.Components, refs); err != nil {
		return nil, err
	}
	if bom.Vulnerabilities != nil {
		for i := range *bom.Vulnerabilities {
			sts, err := cdxStatements(&(*bom.Vulnerabilities)[i], refs)
			if err != nil {
				return nil, cdxInvalid(Problem{Path: fmt.Sprintf("/vulnerabilities/%d", i), Reason: err.Error()})
			}
			s.VEX = append(s.VEX, sts...)
		}
	}
	return s, nil
}

// decodeCycloneDX decodes JSON or XML and checks that it is a CycloneDX
// BOM of a known spec version.
func decodeCycloneDX(data []byte) (*cdx.BOM, error) {
	var bom cdx.BOM
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(t) > 0 && t[0] == '<' {
		if err := xml.Unmarshal(t, &bom); err != nil {
			return nil, cdxXMLError(err)
		}
		if err := setXMLSpecVersion(&bom); err != nil {
			return nil, err
		}
		return &bom, nil
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		if errors.Is(err, cdx.ErrInvalidSpecVersion) {
			return nil, cdxInvalid(Problem{Path: "/specVersion", Reason: "unknown CycloneDX spec version"})
		}
		return nil, invalidJSON(CycloneDX, data, err)
	}
	if bom.BOMFormat != cdx.BOMFormat {
		return nil, cdxInvalid(Problem{Path: "/bomFormat",
			Reason: fmt.Sprintf("got %q, want %q: not a CycloneDX BOM", bom.BOMFormat, cdx.BOMFormat)})
	}
	return &bom, nil
}

// cdxXMLNamespace is the namespace of CycloneDX XML, followed by the spec
// version.
const cdxXMLNamespace = "http://cyclonedx.org/schema/bom/"

// setXMLSpecVersion takes the spec version from the namespace. The
// library's own decoder does the same, but it reads from a stream.
func setXMLSpecVersion(bom *cdx.BOM) error {
	v, ok := strings.CutPrefix(bom.XMLNS, cdxXMLNamespace)
	if !ok {
		return cdxInvalid(Problem{Path: "/bom",
			Reason: fmt.Sprintf("namespace %q is not CycloneDX's", bom.XMLNS)})
	}
	for sv := cdx.SpecVersion1_0; sv <= cdx.SpecVersion1_7; sv++ {
		if sv.String() == v {
			bom.SpecVersion = sv
			return nil
		}
	}
	return cdxInvalid(Problem{Path: "/bom", Reason: fmt.Sprintf("unknown CycloneDX spec version %q", v)})
}

func cdxXMLError(err error) error {
	p := Problem{Reason: "malformed XML: " + err.Error()}
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		p = Problem{Path: fmt.Sprintf("line %d", syn.Line), Reason: "malformed XML: " + syn.Msg}
	}
	return cdxInvalid(p)
}

func cdxInvalid(p Problem) error {
	return &InvalidError{Format: CycloneDX, Problems: []Problem{p}}
}

// addComponents appends cs and their nested components, depth first, and
// indexes them by bom-ref.
func (s *SBOM) addComponents(cs *[]cdx.Component, refs map[string]Component) error {
	if cs == nil {
		return nil
	}
	for i := range *cs {
		c := &(*cs)[i]
		if len(s.Components) >= MaxSBOMComponents {
			return cdxInvalid(Problem{Reason: fmt.Sprintf("more than %d components", MaxSBOMComponents)})
		}
		comp := cdxComponent(c, "")
		s.Components = append(s.Components, comp)
		if comp.Ref != "" {
			if _, ok := refs[comp.Ref]; !ok {
				refs[comp.Ref] = comp
			}
		}
		if err := s.addComponents(c.Components, refs); err != nil {
			return err
		}
	}
	return nil
}

// cdxComponent maps one component; vendor is used where the component
// names none of its own.
func cdxComponent(c *cdx.Component, vendor string) Component {
	v := cdxVendor(c.Manufacturer, c.Supplier, nil)
	if v == "" {
		v = c.Publisher
	}
	if v == "" {
		v = vendor
	}
	return Component{
		Ref:     c.BOMRef,
		Type:    string(c.Type),
		Vendor:  v,
		Name:    c.Name,
		Version: c.Version,
		PURL:    c.PackageURL,
		CPE:     c.CPE,
	}
}

// cdxVendor returns the name of the first organisation given.
func cdxVendor(orgs ...*cdx.OrganizationalEntity) string {
	for _, o := range orgs {
		if o != nil && o.Name != "" {
			return o.Name
		}
	}
	return ""
}

// cdxStatements maps one vulnerability onto VEX statements: one for the
// analysis, and one more for each versions status that disagrees with it.
func cdxStatements(v *cdx.Vulnerability, refs map[string]Component) ([]VEXStatement, error) {
	base, err := cdxStatement(v)
	if err != nil {
		return nil, err
	}
	out := []VEXStatement{base}
	if v.Affects == nil {
		return out, nil
	}
	for _, a := range *v.Affects {
		target := cdxTarget(a.Ref, refs)
		if a.Range == nil || len(*a.Range) == 0 {
			out[0].Products = append(out[0].Products, target)
			continue
		}
		for _, av := range *a.Range {
			p := target
			if av.Range != "" {
				p.Version, p.Range = "", av.Range
			} else if av.Version != "" {
				p.Version = av.Version
			}
			out = addToStatement(out, cdxVersionStatus(av.Status, base.Status), p)
		}
	}
	if len(out) > 1 && len(out[0].Products) == 0 {
		out = out[1:] // every version had a status of its own
	}
	return out, nil
}

// addToStatement adds p to the statement of status st, made from the
// first one if there is none yet.
func addToStatement(sts []VEXStatement, st Status, p ProductRef) []VEXStatement {
	for i := range sts {
		if sts[i].Status == st {
			sts[i].Products = append(sts[i].Products, p)
			return sts
		}
	}
	s := sts[0]
	s.Status, s.Products = st, []ProductRef{p}
	if st != NotAffected {
		s.Justification = ""
	}
	return append(sts, s)
}

// cdxVersionStatus is the status of a versions entry under an analysis of
// status analysed: the entry's own where it disagrees, an unaffected
// version under a resolved analysis being Fixed.
func cdxVersionStatus(vs cdx.VulnerabilityStatus, analysed Status) Status {
	switch vs {
	case cdx.VulnerabilityStatusNotAffected:
		if analysed == Fixed {
			return Fixed
		}
		return NotAffected
	case cdx.VulnerabilityStatusUnknown:
		return UnderInvestigation
	case cdx.VulnerabilityStatusAffected:
		if analysed == NotAffected || analysed == Fixed {
			return Affected
		}
	}
	return analysed
}

// cdxTarget resolves an affects ref: a bom-ref of this BOM, or a BOM-Link
// ("urn:cdx:serial/version#bom-ref") to one.
func cdxTarget(ref string, refs map[string]Component) ProductRef {
	c, ok := refs[ref]
	if !ok && strings.HasPrefix(ref, "urn:cdx:") {
		if _, frag, found := strings.Cut(ref, "#"); found {
			if f, err := url.PathUnescape(frag); err == nil {
				c, ok = refs[f]
			}
		}
	}
	if !ok {
		p := ProductRef{ID: ref}
		if strings.HasPrefix(ref, "pkg:") {
			p.PURL = ref
		}
		return p
	}
	return ProductRef{ID: ref, PURL: c.PURL, CPE: c.CPE, Name: c.Name, Version: c.Version}
}

// cdxStatement is a vulnerability's statement before its products.
func cdxStatement(v *cdx.Vulnerability) (VEXStatement, error) {
	var aliases []string
	if v.References != nil {
		for _, r := range *v.References {
			aliases = append(aliases, r.ID)
		}
	}
	s := VEXStatement{Status: Affected, Action: cdxAction(v)}
	s.Vuln, s.Aliases = vexVulnName(v.ID, aliases)
	if s.Vuln == "" {
		return s, errors.New("vulnerability has no id")
	}
	var when []string
	if a := v.Analysis; a != nil {
		st, err := cdxState(a.State)
		if err != nil {
			return s, err
		}
		s.Status = st
		s.Justification, s.Impact = cdxJustification(a.Justification, a.Detail, a.State)
		when = append(when, a.LastUpdated, a.FirstIssued)
	}
	when = append(when, v.Updated, v.Published, v.Created)
	for _, w := range when {
		if w == "" {
			continue
		}
		t, err := parseFeedTime(w)
		if err != nil {
			return s, err
		}
		s.Timestamp = t
		break
	}
	return s, nil
}

// cdxState maps an analysis state; see ParseCycloneDX.
func cdxState(st cdx.ImpactAnalysisState) (Status, error) {
	switch st {
	case "", cdx.IASExploitable:
		return Affected, nil
	case cdx.IASNotAffected, cdx.IASFalsePositive:
		return NotAffected, nil
	case cdx.IASResolved, cdx.IASResolvedWithPedigree:
		return Fixed, nil
	case cdx.IASInTriage:
		return UnderInvestigation, nil
	}
	return "", fmt.Errorf("unknown analysis state %q", st)
}

// cdxJustifications maps CycloneDX justifications onto the CSAF/OpenVEX
// labels; exact says the two mean the same.
var cdxJustifications = map[cdx.ImpactAnalysisJustification]struct {
	label string
	exact bool
}{
	cdx.IAJCodeNotPresent:               {"vulnerable_code_not_present", true},
	cdx.IAJCodeNotReachable:             {"vulnerable_code_not_in_execute_path", true},
	cdx.IAJRequiresConfiguration:        {"vulnerable_code_cannot_be_controlled_by_adversary", false},
	cdx.IAJRequiresDependency:           {"vulnerable_code_cannot_be_controlled_by_adversary", false},
	cdx.IAJRequiresEnvironment:          {"vulnerable_code_cannot_be_controlled_by_adversary", false},
	cdx.IAJProtectedByCompiler:          {"inline_mitigations_already_exist", false},
	cdx.IAJProtectedAtRuntime:           {"inline_mitigations_already_exist", false},
	cdx.IAJProtectedAtPerimeter:         {"inline_mitigations_already_exist", false},
	cdx.IAJProtectedByMitigatingControl: {"inline_mitigations_already_exist", false},
}

// cdxJustification returns the label and the impact statement: the
// analysis detail, after the raw justification (or false_positive state)
// where the label does not say all of it.
func cdxJustification(j cdx.ImpactAnalysisJustification, detail string,
	st cdx.ImpactAnalysisState) (string, string) {
	raw := string(j)
	m, ok := cdxJustifications[j]
	if ok && m.exact {
		raw = ""
	}
	if st == cdx.IASFalsePositive {
		raw = strings.TrimSuffix(string(st)+", "+raw, ", ")
	}
	impact := detail
	if raw != "" {
		impact = strings.TrimSuffix(raw+": "+detail, ": ")
	}
	return m.label, impact
}

// cdxAction is what to do: the recommendation, the workaround and the
// responses, as given.
func cdxAction(v *cdx.Vulnerability) string {
	var parts []string
	for _, s := range []string{v.Recommendation, v.Workaround} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if a := v.Analysis; a != nil && a.Response != nil && len(*a.Response) > 0 {
		rs := make([]string, len(*a.Response))
		for i, r := range *a.Response {
			rs[i] = string(r)
		}
		parts = append(parts, "response: "+strings.Join(rs, ", "))
	}
	return strings.Join(parts, "\n")
}

// vexVulnName picks a statement's vulnerability name: the CVE among the
// name and its aliases where there is one, the name otherwise. The other
// names are the aliases, once each.
func vexVulnName(name string, aliases []string) (string, []string) {
	all := append([]string{name}, aliases...)
	vuln := name
	for _, a := range all {
		if strings.HasPrefix(a, "CVE-") {
			vuln = a
			break
		}
	}
	if vuln == "" {
		for _, a := range all {
			if a != "" {
				vuln = a
				break
			}
		}
	}
	var out []string
	for _, a := range all {
		if a != "" && a != vuln && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return vuln, out
}
