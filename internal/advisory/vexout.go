package advisory

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// VEX export: a trust's rulings on the devices it runs, written as
// OpenVEX 0.2.0 or as CSAF 2.0 VEX (profile 5) for other trusts to read.
// Both writers check the export the same way and write nothing when it is
// refused; both write the same bytes for the same export, whatever the
// order of its rulings.

// VEXRuling is one ruling to publish: how one vulnerability stands for one
// vendor's model at one software version.
//
// The writers trim the text fields and collapse runs of white space in
// Vuln, Vendor, Model and Version; a Vuln that is a CVE ID in any case is
// written in upper case. Two rulings name the same product when their
// Vendor, Model and Version are equal ignoring case.
type VEXRuling struct {
	Vuln    string // "CVE-2020-6961"; a non-CVE ID goes into CSAF ids and the OpenVEX name
	Vendor  string // as shown ("Becton, Dickinson and Company (BD)")
	Model   string // "Alaris PC Unit 8015"
	Version string // one software version ("9.19"); "" is every version of the model
	// Status is Affected, NotAffected, Fixed or UnderInvestigation.
	Status Status
	// Justification is one of the VEX justification labels, for a
	// NotAffected ruling only ("component_not_present",
	// "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
	// "vulnerable_code_cannot_be_controlled_by_adversary",
	// "inline_mitigations_already_exist"). A NotAffected ruling needs a
	// Justification, an Impact or both.
	Justification string
	Impact        string // impact statement: why (or how) the product is (not) affected
	// Action is the action statement: what the trust does about it.
	// Required for Affected, refused for NotAffected, optional otherwise.
	Action string
	// ActionCategory is the CSAF remediation category Action is written
	// under: Mitigation (the default), Workaround, VendorFix (the default
	// for Fixed), NoneAvailable or NoFixPlanned (not for Fixed). OpenVEX
	// has no category and writes Action alone.
	ActionCategory string
	Timestamp      time.Time // when the ruling was made; zero inherits the document's
}

// VEXExport is the document to write. ID, Title, Publisher, Namespace,
// Version, Issued and at least one ruling are required.
type VEXExport struct {
	// ID is the CSAF document.tracking.id and the OpenVEX @id. An ID that
	// is not a URI becomes "https://<namespace host>/vex/<ID>" in OpenVEX.
	ID        string
	Title     string // CSAF title
	Publisher string // the trust ("Example NHS Foundation Trust")
	Namespace string // the publisher's namespace URL ("https://example.nhs.uk")
	Author    string // the OpenVEX author; Publisher if empty
	// Version is the document's version, from 1 to MaxVEXVersion; each
	// publication of a changed document takes the next.
	Version int
	// Issued is the first publication; Updated this one (Issued if zero).
	Issued, Updated time.Time
	Rulings         []VEXRuling
}

// MaxVEXVersion bounds VEXExport.Version: CSAF lists every version in the
// revision history.
const MaxVEXVersion = 10000

// VEXInputError is an export the writers refuse: which ruling (Index into
// VEXExport.Rulings, or -1 for the export itself), which field and why.
type VEXInputError struct {
	Index  int
	Field  string // "Vuln", "Status", "Action", ... or "ID", "Namespace", ...
	Ruling string // the ruling in words ("CVE-2020-6961 on BD Alaris 9.19"); "" for the export
	Reason string
}

func (e *VEXInputError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("vex export: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("vex export: ruling %d (%s): %s: %s", e.Index, e.Ruling, e.Field, e.Reason)
}

// The VEX justification labels, shared by CSAF 2.0 flags and OpenVEX.
var vexJustifications = []string{
	"component_not_present",
	"vulnerable_code_not_present",
	"vulnerable_code_cannot_be_controlled_by_adversary",
	"vulnerable_code_not_in_execute_path",
	"inline_mitigations_already_exist",
}

var vexRemediations = []string{Mitigation, Workaround, VendorFix, NoneAvailable, NoFixPlanned}

// cveIDPattern is a CVE ID as CSAF 2.0's schema takes it.
var cveIDPattern = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)

// rangeWords are what CSAF 2.0's test 6.1.31 looks for, in lower case, to
// tell a version range written as a product_version.
var rangeWords = []string{"<", ">", "after", "all", "before", "earlier", "later", "prior",
	"versions"}

// vexKey is a product as rulings are compared by: vendor, model and
// version in lower case (white space already collapsed).
type vexKey struct{ vendor, model, version string }

// vexRuling is a checked ruling, its text cleaned.
type vexRuling struct {
	VEXRuling
	key vexKey
}

// vexPlan is a checked export, ready to be written in either format.
type vexPlan struct {
	x       VEXExport   // text cleaned, Author and Updated filled in
	rulings []vexRuling // by Vuln, then product key
	ids     map[vexKey]string
	names   vexNames
}

// planVEX checks x and returns what both writers need.
func planVEX(x VEXExport) (*vexPlan, error) {
	x, err := cleanExport(x)
	if err != nil {
		return nil, err
	}
	p := &vexPlan{x: x, rulings: make([]vexRuling, 0, len(x.Rulings)), ids: map[vexKey]string{}}
	seen := make(map[string]int, len(x.Rulings)) // vuln and key → index
	owner := map[string]vexKey{}                 // product ID → key, to catch a collision
	for i, r := range x.Rulings {
		vr, err := cleanRuling(i, r)
		if err != nil {
			return nil, err
		}
		dup := vr.Vuln + "\x00" + vr.key.vendor + "\x00" + vr.key.model + "\x00" + vr.key.version
		if j, ok := seen[dup]; ok {
			return nil, &VEXInputError{Index: i, Field: "Vuln, Vendor, Model, Version",
				Ruling: describeRuling(r), Reason: fmt.Sprintf("ruling %d already rules on "+
					"this vulnerability, vendor, model and version", j)}
		}
		seen[dup] = i
		if err := p.addProduct(vr.key, owner); err != nil {
			return nil, &VEXInputError{Index: i, Field: "Model", Ruling: describeRuling(r),
				Reason: err.Error()}
		}
		p.rulings = append(p.rulings, vr)
	}
	slices.SortFunc(p.rulings, compareRulings)
	p.names = namesOf(p.rulings)
	return p, nil
}

// addProduct gives key its product ID, unless it has one.
func (p *vexPlan) addProduct(key vexKey, owner map[string]vexKey) error {
	if _, ok := p.ids[key]; ok {
		return nil
	}
	id := vexProductID(key)
	if other, ok := owner[id]; ok {
		return fmt.Errorf("product ID %s is also that of %s %s %s", id,
			other.vendor, other.model, other.version)
	}
	owner[id] = key
	p.ids[key] = id
	return nil
}

// compareRulings orders rulings by vulnerability, then product, then
// the text as written.
func compareRulings(a, b vexRuling) int {
	return cmpChain(strings.Compare(a.Vuln, b.Vuln),
		strings.Compare(a.key.vendor, b.key.vendor),
		strings.Compare(a.key.model, b.key.model),
		strings.Compare(a.key.version, b.key.version),
		strings.Compare(a.Vendor, b.Vendor),
		strings.Compare(a.Model, b.Model),
		strings.Compare(a.Version, b.Version))
}

// cmpChain returns the first of cs that is not 0.
func cmpChain(cs ...int) int {
	for _, c := range cs {
		if c != 0 {
			return c
		}
	}
	return 0
}

// vexProductID is the CSAF product_id of a product: stable across exports
// and trusts, since it depends on the key alone.
func vexProductID(k vexKey) string {
	sum := sha256.Sum256([]byte(k.vendor + "\x00" + k.model + "\x00" + k.version))
	return "WARD-" + strings.ToUpper(hex.EncodeToString(sum[:8]))
}

// vexProductURN is the OpenVEX @id of a product: medical devices have no
// package URL, so a URN of its lower-cased, percent-encoded key, "*" for
// every version.
func vexProductURN(k vexKey) string {
	version := "*"
	if k.version != "" {
		version = urnEscape(k.version)
	}
	return "urn:ward:product:" + urnEscape(k.vendor) + ":" + urnEscape(k.model) + ":" + version
}

// urnEscape percent-encodes every byte of s but RFC 3986's unreserved
// characters, so that ":" separates the parts of a URN unambiguously.
func urnEscape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// describeRuling names r in an error message.
func describeRuling(r VEXRuling) string {
	version := r.Version
	if strings.TrimSpace(version) == "" {
		version = "all versions"
	}
	s := fmt.Sprintf("%s on %s %s %s", r.Vuln, r.Vendor, r.Model, version)
	if len(s) > 120 || !utf8.ValidString(s) {
		s = strconv.QuoteToASCII(s)
		if len(s) > 120 {
			s = s[:117] + "..."
		}
	}
	return s
}

// collapse trims s and replaces each run of white space with one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// cleanExport checks the export's own fields and returns x with its text
// cleaned, Author and Updated filled in.
func cleanExport(x VEXExport) (VEXExport, error) {
	bad := func(field, format string, args ...any) error {
		return &VEXInputError{Index: -1, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	for _, f := range []struct {
		name string
		s    *string
	}{{"ID", &x.ID}, {"Title", &x.Title}, {"Publisher", &x.Publisher}, {"Namespace", &x.Namespace},
		{"Author", &x.Author}} {
		if !utf8.ValidString(*f.s) {
			return x, bad(f.name, "not valid UTF-8")
		}
		*f.s = collapse(*f.s) // one line each: the schema's ID pattern takes no line break
		if *f.s == "" && f.name != "Author" {
			return x, bad(f.name, "missing")
		}
	}
	if err := checkNamespace(x.Namespace); err != nil {
		return x, bad("Namespace", "%v", err)
	}
	if x.Author == "" {
		x.Author = x.Publisher
	}
	if x.Version < 1 || x.Version > MaxVEXVersion {
		return x, bad("Version", "got %d, want 1 to %d", x.Version, MaxVEXVersion)
	}
	if field, err := cleanDates(&x); err != nil {
		return x, bad(field, "%v", err)
	}
	if len(x.Rulings) == 0 {
		return x, bad("Rulings", "none to publish")
	}
	return x, nil
}

// checkNamespace checks that ns is an absolute URI with a host.
func checkNamespace(ns string) error {
	u, err := url.Parse(ns)
	if err != nil || u.Host == "" || !isURI(ns) {
		return fmt.Errorf("got %q, want an absolute URL with a host", ns)
	}
	return nil
}

// cleanDates checks Issued and Updated, filling Updated in; on error it
// also names the field at fault.
func cleanDates(x *VEXExport) (string, error) {
	if x.Issued.IsZero() {
		return "Issued", fmt.Errorf("missing")
	}
	if err := checkYear(x.Issued); err != nil {
		return "Issued", err
	}
	if x.Updated.IsZero() {
		x.Updated = x.Issued
	}
	if err := checkYear(x.Updated); err != nil {
		return "Updated", err
	}
	issued, updated := x.Issued.Truncate(time.Second), x.Updated.Truncate(time.Second)
	if updated.Before(issued) {
		return "Updated", fmt.Errorf("%s is before Issued %s", vexTime(updated), vexTime(issued))
	}
	return "", nil
}

// checkYear refuses a time before 1970 or one RFC 3339 cannot write;
// the zero time passes.
func checkYear(t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < 1970 || y > 9999 {
		return fmt.Errorf("year %d is outside 1970 to 9999", y)
	}
	return nil
}

// vexTime writes t in UTC, RFC 3339, to the second.
func vexTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// cleanRuling checks ruling i and returns it cleaned.
func cleanRuling(i int, r VEXRuling) (vexRuling, error) {
	vr := vexRuling{VEXRuling: r}
	field, reason := vr.clean()
	if reason == "" {
		field, reason = vr.checkStatus()
	}
	if reason != "" {
		return vr, &VEXInputError{Index: i, Field: field, Ruling: describeRuling(r), Reason: reason}
	}
	vr.key = vexKey{strings.ToLower(vr.Vendor), strings.ToLower(vr.Model),
		strings.ToLower(vr.Version)}
	return vr, nil
}

// clean tidies the ruling's text, returning the field at fault and why.
func (r *vexRuling) clean() (field, reason string) {
	fields := []struct {
		name  string
		s     *string
		short bool // a name: white space collapsed, required unless Version
	}{{"Vuln", &r.Vuln, true}, {"Vendor", &r.Vendor, true}, {"Model", &r.Model, true},
		{"Version", &r.Version, true}, {"Justification", &r.Justification, false},
		{"Impact", &r.Impact, false}, {"Action", &r.Action, false},
		{"ActionCategory", &r.ActionCategory, false}}
	for _, f := range fields {
		if !utf8.ValidString(*f.s) {
			return f.name, "not valid UTF-8"
		}
		if f.short {
			*f.s = collapse(*f.s)
		} else {
			*f.s = strings.TrimSpace(*f.s)
		}
		if f.short && *f.s == "" && f.name != "Version" {
			return f.name, "missing"
		}
	}
	if up := strings.ToUpper(r.Vuln); cveIDPattern.MatchString(up) {
		r.Vuln = up
	}
	if err := checkYear(r.Timestamp); err != nil {
		return "Timestamp", err.Error()
	}
	return "Version", versionProblem(r.Version)
}

// versionProblem says why v cannot be one version, or "".
func versionProblem(v string) string {
	lower := strings.ToLower(v)
	if strings.HasPrefix(lower, "vers:") {
		return fmt.Sprintf("%q is a version range; a ruling is on one version, or on all (\"\")", v)
	}
	for _, w := range rangeWords {
		if strings.Contains(lower, w) {
			return fmt.Sprintf("%q reads as a version range (it contains %q); a ruling is on "+
				"one version, or on all (\"\")", v, w)
		}
	}
	return ""
}

// checkStatus checks what the ruling's status requires and allows.
func (r *vexRuling) checkStatus() (field, reason string) {
	switch r.Status {
	case Affected, NotAffected, Fixed, UnderInvestigation:
	default:
		return "Status", fmt.Sprintf("got %q, want %s, %s, %s or %s", r.Status,
			Affected, NotAffected, Fixed, UnderInvestigation)
	}
	switch {
	case r.Justification != "" && !slices.Contains(vexJustifications, r.Justification):
		return "Justification", fmt.Sprintf("unknown label %q", r.Justification)
	case r.Justification != "" && r.Status != NotAffected:
		return "Justification", "only a not-affected ruling takes a justification"
	case r.Status == NotAffected && r.Justification == "" && r.Impact == "":
		return "Justification", "a not-affected ruling needs a justification or an impact statement"
	case r.Status == NotAffected && r.Action != "":
		return "Action", "a not-affected ruling takes no action statement"
	case r.Status == Affected && r.Action == "":
		return "Action", "an affected ruling needs an action statement: what the trust " +
			"does about it"
	}
	return r.checkActionCategory()
}

// checkActionCategory checks ActionCategory and fills in its default.
func (r *vexRuling) checkActionCategory() (field, reason string) {
	c := r.ActionCategory
	switch {
	case c != "" && !slices.Contains(vexRemediations, c):
		return "ActionCategory", fmt.Sprintf("unknown category %q", c)
	case c != "" && r.Action == "":
		return "ActionCategory", "given without an action statement"
	case r.Status == Fixed && (c == NoneAvailable || c == NoFixPlanned):
		return "ActionCategory", fmt.Sprintf("a fixed ruling cannot have %s", c)
	case c == "" && r.Status == Fixed:
		r.ActionCategory = VendorFix
	case c == "":
		r.ActionCategory = Mitigation
	}
	return "", ""
}

// writeVEX encodes doc as indented JSON and writes it in one piece.
func writeVEX(w io.Writer, doc any, limit int) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode vex document: %w", err)
	}
	if limit > 0 && buf.Len() > limit {
		return fmt.Errorf("vex export: document is %d bytes, over the %d that ParseCSAF reads",
			buf.Len(), limit)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write vex document: %w", err)
	}
	return nil
}

// OpenVEX 0.2.0, as written.

const (
	openvexContextV2 = "https://openvex.dev/ns/v0.2.0"
	// vexRole is the OpenVEX role of a trust publishing its own rulings.
	vexRole   = "Healthcare Delivery Organization"
	vexEngine = "Ward"
)

type openvexOut struct {
	Context     string           `json:"@context"`
	ID          string           `json:"@id"`
	Author      string           `json:"author"`
	Role        string           `json:"role"`
	Timestamp   string           `json:"timestamp"`
	LastUpdated string           `json:"last_updated,omitempty"`
	Version     int              `json:"version"`
	Tooling     string           `json:"tooling"`
	Statements  []openvexOutStmt `json:"statements"`
}

type openvexOutProduct struct {
	ID string `json:"@id"`
}

type openvexOutStmt struct {
	Vulnerability struct {
		Name string `json:"name"`
	} `json:"vulnerability"`
	Timestamp string `json:"timestamp,omitempty"`
	// Products holds the product's @id only: OpenVEX's identifiers take
	// purl and CPE names, which medical devices lack.
	Products      []openvexOutProduct `json:"products"`
	Status        string              `json:"status"`
	Supplier      string              `json:"supplier,omitempty"`
	Justification string              `json:"justification,omitempty"`
	Impact        string              `json:"impact_statement,omitempty"`
	Action        string              `json:"action_statement,omitempty"`
}

// openvexStatusNames are the OpenVEX names of the statuses a ruling takes.
var openvexStatusNames = map[Status]string{
	Affected:           "affected",
	NotAffected:        "not_affected",
	Fixed:              "fixed",
	UnderInvestigation: "under_investigation",
}

// WriteOpenVEX writes x as an OpenVEX 0.2.0 document: one statement per
// ruling, sorted by vulnerability and product, each product named by a
// URN of its vendor, model and version
// ("urn:ward:product:becton%2C%20dickinson...:alaris%20pc%20unit%208015:9.19")
// with the vendor as shown as the statement's supplier. Times are in UTC
// to the second. An export refused is a *VEXInputError, and nothing is
// written.
func WriteOpenVEX(w io.Writer, x VEXExport) error {
	p, err := planVEX(x)
	if err != nil {
		return err
	}
	return writeVEX(w, p.openVEX(), 0)
}

func (p *vexPlan) openVEX() *openvexOut {
	doc := &openvexOut{
		Context:   openvexContextV2,
		ID:        openvexID(p.x.ID, p.x.Namespace),
		Author:    p.x.Author,
		Role:      vexRole,
		Timestamp: vexTime(p.x.Issued),
		Version:   p.x.Version,
		Tooling:   vexEngine,
	}
	if updated := vexTime(p.x.Updated); updated != doc.Timestamp {
		doc.LastUpdated = updated
	}
	doc.Statements = make([]openvexOutStmt, len(p.rulings))
	for i := range p.rulings {
		doc.Statements[i] = p.openvexStmt(&p.rulings[i])
	}
	return doc
}

func (p *vexPlan) openvexStmt(r *vexRuling) openvexOutStmt {
	s := openvexOutStmt{
		Status:        openvexStatusNames[r.Status],
		Supplier:      p.names.vendor[r.key.vendor],
		Justification: r.Justification,
		Impact:        r.Impact,
		Action:        r.Action,
	}
	s.Vulnerability.Name = r.Vuln
	if !r.Timestamp.IsZero() {
		s.Timestamp = vexTime(r.Timestamp)
	}
	s.Products = []openvexOutProduct{{ID: vexProductURN(r.key)}}
	return s
}

// openvexID is the document's @id: id where it is a URI, else a URL
// under the namespace's host.
func openvexID(id, namespace string) string {
	if isURI(id) {
		return id
	}
	host := namespace
	if u, err := url.Parse(namespace); err == nil {
		host = u.Host
	}
	return "https://" + host + "/vex/" + url.PathEscape(id)
}

// isURI reports whether s is an absolute URI ("https://…", "urn:…")
// written in RFC 3986's characters, as a strict reader of the "uri"
// format takes it: an IPv6 host is an address in brackets, without a
// zone.
func isURI(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "") ||
		strings.Contains(u.Host, "%") {
		return false
	}
	if h := u.Hostname(); strings.Contains(h, ":") &&
		(net.ParseIP(h) == nil || !strings.HasPrefix(u.Host, "[")) {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) < 0:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// CSAF 2.0 VEX, as written. Members are listed in the order of the
// schema's properties where that reads well.

type csafOutDoc struct {
	Document        csafOutDocument `json:"document"`
	ProductTree     csafOutTree     `json:"product_tree"`
	Vulnerabilities []csafOutVuln   `json:"vulnerabilities"`
}

type csafOutDocument struct {
	Category    string          `json:"category"`
	CSAFVersion string          `json:"csaf_version"`
	Publisher   csafOutPub      `json:"publisher"`
	Title       string          `json:"title"`
	Tracking    csafOutTracking `json:"tracking"`
}

type csafOutPub struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type csafOutTracking struct {
	CurrentRelease string            `json:"current_release_date"`
	Generator      csafOutGenerator  `json:"generator"`
	ID             string            `json:"id"`
	InitialRelease string            `json:"initial_release_date"`
	Revisions      []csafOutRevision `json:"revision_history"`
	Status         string            `json:"status"`
	Version        string            `json:"version"`
}

type csafOutGenerator struct {
	Engine struct {
		Name string `json:"name"`
	} `json:"engine"`
}

type csafOutRevision struct {
	Date    string `json:"date"`
	Number  string `json:"number"`
	Summary string `json:"summary"`
}

type csafOutTree struct {
	Branches []csafOutBranch `json:"branches"`
}

type csafOutBranch struct {
	Category string          `json:"category"`
	Name     string          `json:"name"`
	Branches []csafOutBranch `json:"branches,omitempty"`
	Product  *csafOutProduct `json:"product,omitempty"`
}

type csafOutProduct struct {
	Name string `json:"name"`
	ID   string `json:"product_id"`
}

type csafOutVuln struct {
	CVE           string          `json:"cve,omitempty"`
	IDs           []csafOutID     `json:"ids,omitempty"`
	Notes         []csafOutNote   `json:"notes"`
	ProductStatus csafOutStatus   `json:"product_status"`
	Flags         []csafOutFlag   `json:"flags,omitempty"`
	Threats       []csafOutAction `json:"threats,omitempty"`
	Remediations  []csafOutAction `json:"remediations,omitempty"`
}

type csafOutID struct {
	System string `json:"system_name"`
	Text   string `json:"text"`
}

type csafOutNote struct {
	Category string `json:"category"`
	Text     string `json:"text"`
	Title    string `json:"title"`
}

type csafOutStatus struct {
	Fixed              []string `json:"fixed,omitempty"`
	KnownAffected      []string `json:"known_affected,omitempty"`
	KnownNotAffected   []string `json:"known_not_affected,omitempty"`
	UnderInvestigation []string `json:"under_investigation,omitempty"`
}

type csafOutFlag struct {
	Label    string   `json:"label"`
	Date     string   `json:"date,omitempty"`
	Products []string `json:"product_ids"`
}

// csafOutAction is a threat or a remediation.
type csafOutAction struct {
	Category string   `json:"category"`
	Details  string   `json:"details"`
	Date     string   `json:"date,omitempty"`
	Products []string `json:"product_ids"`
}

// WriteCSAFVEX writes x as a CSAF 2.0 document of the VEX profile
// (category csaf_vex), published by the trust as a user of the products.
//
// The product tree has a vendor branch per vendor, a product_name branch
// per model and a product_version branch per version below it
// (product_version_range "vers:all/*" for a ruling on every version),
// each product's ID "WARD-" and a hash of its vendor, model and version,
// so the same product has the same ID in every export. Each vulnerability
// lists its products by status, with a flag for each justification, an
// impact threat for each impact statement (so every not-affected product
// has one or the other, as the profile requires) and a remediation for
// each action statement (every affected product has one), each dated by
// its ruling's Timestamp where given.
//
// The revision history lists every version from 1 to x.Version: the first
// dated Issued, the later ones Updated, since the export does not carry
// the dates in between. Times are in UTC to the second. An export refused
// is a *VEXInputError, and nothing is written; nor is anything when the
// document would be over MaxCSAFSize, which ParseCSAF would refuse.
func WriteCSAFVEX(w io.Writer, x VEXExport) error {
	p, err := planVEX(x)
	if err != nil {
		return err
	}
	return writeVEX(w, p.csaf(), MaxCSAFSize)
}

func (p *vexPlan) csaf() *csafOutDoc {
	doc := &csafOutDoc{
		Document: csafOutDocument{
			Category:    "csaf_vex",
			CSAFVersion: "2.0",
			Publisher: csafOutPub{Category: "user", Name: p.x.Publisher,
				Namespace: p.x.Namespace},
			Title: p.x.Title,
			Tracking: csafOutTracking{
				CurrentRelease: vexTime(p.x.Updated),
				ID:             p.x.ID,
				InitialRelease: vexTime(p.x.Issued),
				Revisions:      p.revisions(),
				Status:         "final",
				Version:        strconv.Itoa(p.x.Version),
			},
		},
		ProductTree: p.tree(),
	}
	doc.Document.Tracking.Generator.Engine.Name = vexEngine
	for start := 0; start < len(p.rulings); {
		end := start + 1
		for end < len(p.rulings) && p.rulings[end].Vuln == p.rulings[start].Vuln {
			end++
		}
		doc.Vulnerabilities = append(doc.Vulnerabilities, p.csafVuln(p.rulings[start:end]))
		start = end
	}
	return doc
}

// revisions is the revision history: one entry per version.
func (p *vexPlan) revisions() []csafOutRevision {
	out := make([]csafOutRevision, p.x.Version)
	for i := range out {
		date, summary := vexTime(p.x.Updated), "Rulings revised"
		if i == 0 {
			date, summary = vexTime(p.x.Issued), "Initial release"
		}
		out[i] = csafOutRevision{Date: date, Number: strconv.Itoa(i + 1), Summary: summary}
	}
	return out
}

// vexNames are the spellings both formats show, for each vendor, model
// and version key: of the spellings the rulings use, the least, so that
// which one shows does not depend on the order of the rulings.
type vexNames struct {
	vendor  map[string]string
	model   map[[2]string]string
	version map[vexKey]string
}

func namesOf(rs []vexRuling) vexNames {
	n := vexNames{map[string]string{}, map[[2]string]string{}, map[vexKey]string{}}
	for _, r := range rs {
		keepLeast(n.vendor, r.key.vendor, r.Vendor)
		keepLeast(n.model, [2]string{r.key.vendor, r.key.model}, r.Model)
		keepLeast(n.version, r.key, r.Version)
	}
	return n
}

func keepLeast[K comparable](m map[K]string, k K, s string) {
	if old, ok := m[k]; !ok || s < old {
		m[k] = s
	}
}

// tree is the product tree: vendor, model, version.
func (p *vexPlan) tree() csafOutTree {
	keys := make([]vexKey, 0, len(p.ids))
	for k := range p.ids {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b vexKey) int {
		return cmpChain(strings.Compare(a.vendor, b.vendor), strings.Compare(a.model, b.model),
			strings.Compare(a.version, b.version))
	})
	n := p.names
	var t csafOutTree
	var vendor, model *csafOutBranch
	for i, k := range keys {
		if i == 0 || k.vendor != keys[i-1].vendor {
			b := csafOutBranch{Category: "vendor", Name: n.vendor[k.vendor]}
			t.Branches = append(t.Branches, b)
			vendor, model = &t.Branches[len(t.Branches)-1], nil
		}
		if model == nil || k.model != keys[i-1].model {
			b := csafOutBranch{Category: "product_name", Name: n.model[[2]string{k.vendor, k.model}]}
			vendor.Branches = append(vendor.Branches, b)
			model = &vendor.Branches[len(vendor.Branches)-1]
		}
		model.Branches = append(model.Branches, p.versionBranch(k))
	}
	return t
}

// versionBranch is the leaf of the product k.
func (p *vexPlan) versionBranch(k vexKey) csafOutBranch {
	n := p.names
	name := n.vendor[k.vendor] + " " + n.model[[2]string{k.vendor, k.model}]
	b := csafOutBranch{Category: "product_version", Name: n.version[k]}
	if k.version == "" {
		b = csafOutBranch{Category: "product_version_range", Name: "vers:all/*"}
		name += " (all versions)"
	} else {
		name += " " + b.Name
	}
	b.Product = &csafOutProduct{Name: name, ID: p.ids[k]}
	return b
}

// csafVuln is the vulnerability the rulings rs share.
func (p *vexPlan) csafVuln(rs []vexRuling) csafOutVuln {
	var v csafOutVuln
	if id := rs[0].Vuln; cveIDPattern.MatchString(id) {
		v.CVE = id
	} else {
		v.IDs = []csafOutID{{System: vexEngine, Text: id}}
	}
	flags, threats, remediations := vexGroups{}, vexGroups{}, vexGroups{}
	for i := range rs {
		r := &rs[i]
		id := p.ids[r.key]
		v.ProductStatus.add(r.Status, id)
		if r.Justification != "" {
			flags.add(r.Justification, "", r.Timestamp, id)
		}
		if r.Impact != "" {
			threats.add("impact", r.Impact, r.Timestamp, id)
		}
		if r.Action != "" {
			remediations.add(r.ActionCategory, r.Action, r.Timestamp, id)
		}
	}
	v.ProductStatus.sort()
	v.Notes = []csafOutNote{{Category: "general", Title: "Rulings", Text: p.noteText(rs)}}
	for _, g := range flags.sorted() {
		f := csafOutFlag{Label: g.Category, Date: g.Date, Products: g.Products}
		v.Flags = append(v.Flags, f)
	}
	v.Threats = threats.sorted()
	v.Remediations = remediations.sorted()
	return v
}

func (s *csafOutStatus) add(st Status, id string) {
	switch st {
	case Affected:
		s.KnownAffected = append(s.KnownAffected, id)
	case NotAffected:
		s.KnownNotAffected = append(s.KnownNotAffected, id)
	case Fixed:
		s.Fixed = append(s.Fixed, id)
	case UnderInvestigation:
		s.UnderInvestigation = append(s.UnderInvestigation, id)
	}
}

func (s *csafOutStatus) sort() {
	slices.Sort(s.Fixed)
	slices.Sort(s.KnownAffected)
	slices.Sort(s.KnownNotAffected)
	slices.Sort(s.UnderInvestigation)
}

// noteText says whose rulings a vulnerability's statuses are, and how
// many of each.
func (p *vexPlan) noteText(rs []vexRuling) string {
	counts := map[Status]int{}
	for _, r := range rs {
		counts[r.Status]++
	}
	var parts []string
	for _, c := range []struct {
		st   Status
		name string
	}{{Affected, "affected"}, {NotAffected, "not affected"}, {Fixed, "fixed"},
		{UnderInvestigation, "under investigation"}} {
		if counts[c.st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[c.st], c.name))
		}
	}
	return fmt.Sprintf("The rulings of %s on the products it runs (not statements by their "+
		"manufacturers): %s.", p.x.Publisher, strings.Join(parts, ", "))
}

// vexGroupKey is what a flag, threat or remediation is: its category (or
// label), its text and its date.
type vexGroupKey struct{ category, text, date string }

// vexGroups gathers the products of each flag, threat or remediation.
type vexGroups map[vexGroupKey][]string

func (g vexGroups) add(category, text string, t time.Time, id string) {
	k := vexGroupKey{category: category, text: text}
	if !t.IsZero() {
		k.date = vexTime(t)
	}
	g[k] = append(g[k], id)
}

// sorted returns the groups by category, text and date, products sorted.
func (g vexGroups) sorted() []csafOutAction {
	if len(g) == 0 {
		return nil
	}
	out := make([]csafOutAction, 0, len(g))
	for k, ids := range g {
		slices.Sort(ids)
		out = append(out, csafOutAction{Category: k.category, Details: k.text, Date: k.date,
			Products: ids})
	}
	slices.SortFunc(out, func(a, b csafOutAction) int {
		return cmpChain(strings.Compare(a.Category, b.Category),
			strings.Compare(a.Details, b.Details), strings.Compare(a.Date, b.Date))
	})
	return out
}
