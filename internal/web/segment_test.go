package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/demo"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/planted"
	"github.com/wardhq/ward/internal/segment"
	"github.com/wardhq/ward/internal/store"
)

// The segmentation pages and API on the ward 7 capture: a CT scanner and
// a radiology workstation (imaging), PACS, an HL7 engine, the EPR, a
// monitor gateway and a pump server (clinical IT) and a switch. Under the
// hospital template the CT's DICOM stores to PACS on port 4242 violate
// the policy; they are critical flows (the CT is diagnostic).

// ctName is the CT scanner of the ward 7 capture.
const ctName = "CT01-WARD7"

// badPolicy names two unknown zones, on lines 6 and 10.
const badPolicy = `ward_policy: 1
name: Bad
zones:
  - name: imaging
rules:
  - zone: imagng
    categories: [imaging-ct]
conduits:
  - from: imaging
    to: nowhere
    services: [tcp/104]
`

func newSegmentTrust(t *testing.T) *testServer {
	t.Helper()
	ts := newTestServer(t)
	ts.seed(t, ward7Capture)
	return ts
}

// policyForm posts an editor form as a (a session), multipart as the
// editor sends it: the CSRF field, the fields, then the file when one is
// given.
func (a *apiClient) policyForm(path string, fields map[string]string, file, content string) (*http.Response, string) {
	a.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField(csrfField, a.csrf)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		mw.WriteField(k, fields[k])
	}
	if file != "" {
		fw, err := mw.CreateFormFile("file", file)
		if err != nil {
			a.t.Fatal(err)
		}
		fw.Write([]byte(content))
	}
	mw.Close()
	req, err := http.NewRequest("POST", a.base+path, &buf)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return fetch(a.t, a.c, req)
}

// currentVersion is the id of the policy in force, 0 for none.
func currentVersion(t *testing.T, ts *testServer) int64 {
	t.Helper()
	v, err := ts.db.CurrentPolicy(context.Background())
	if errors.Is(err, store.ErrNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// auditOf returns the events after seq of action.
func auditOf(t *testing.T, ts *testServer, seq int64, action string) []store.AuditEvent {
	t.Helper()
	var out []store.AuditEvent
	for _, e := range auditAfter(t, ts, seq) {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// detailOf decodes an audit event's detail.
func detailOf(t *testing.T, e store.AuditEvent) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Detail, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSegmentationOverview(t *testing.T) {
	ts := newSegmentTrust(t)
	a := ts.session(t, auth.RoleAuditor)
	page := a.page("/segmentation", http.StatusOK)
	for _, want := range []string{"No policy is saved yet", `<svg class="zone-map"`,
		`id="pairs"`, `id="weeks-table"`, `href="/segmentation/zones/imaging"`,
		`href="/static/segment.css"`, `aria-current="page">Segmentation`} {
		if !strings.Contains(page, want) {
			t.Errorf("the overview lacks %q", want)
		}
	}
	var o apiSegmentation
	ts.bearer(t, auth.RoleAuditor).get("/api/v1/segmentation", http.StatusOK, &o)
	if o.Policy.Saved || o.Policy.Digest != segment.Template().Digest() {
		t.Errorf("policy %+v, want the template's, unsaved", o.Policy)
	}
	flows, bad := 0, 0
	for _, p := range o.Pairs {
		flows += p.Flows
		if p.Violations > 0 {
			bad++
		}
	}
	if flows != o.Measures.Flows.Flows || o.Measures.Flows.Violating == 0 {
		t.Errorf("pairs hold %d flows of %d, %d violating", flows, o.Measures.Flows.Flows,
			o.Measures.Flows.Violating)
	}
	// The map marks each violating pair with a cross, and so does the
	// table: colour is not the only mark.
	if n := strings.Count(page, `class="mark"`); n != bad {
		t.Errorf("%d pairs marked on the map, want %d", n, bad)
	}
	if n := strings.Count(page, `<tr class="bad">`); n != bad {
		t.Errorf("%d pairs marked in the table, want %d", n, bad)
	}
	zones := map[string]int{}
	for _, z := range o.Zones {
		zones[z.Name] = z.Devices
	}
	if zones["imaging"] != 2 || zones["clinical-it"] != 5 || zones[segment.Unassigned] != 0 {
		t.Errorf("devices by zone %v, want imaging 2, clinical-it 5, unassigned 0", zones)
	}
	if m := o.Measures; m.Devices != 8 || m.MedicalDevices == 0 || m.MedicalShare <= 0 {
		t.Errorf("measures %+v", m)
	}
}

func TestSegmentWeeks(t *testing.T) {
	ts := newSegmentTrust(t)
	a := ts.bearer(t, auth.RoleAuditor)
	var o apiSegmentation
	a.get("/api/v1/segmentation", http.StatusOK, &o)
	var w apiSegmentWeeks
	to := o.Measures.Flows.To.Add(1).Format("2006-01-02T15:04:05Z07:00")
	a.get("/api/v1/segmentation/weeks?to="+url.QueryEscape(to), http.StatusOK, &w)
	if len(w.Weeks) != chartWeeks || !w.Weeks[0].Start.Equal(w.From) {
		t.Fatalf("%d weeks from %v (first %v), want %d", len(w.Weeks), w.From, w.Weeks[0].Start,
			chartWeeks)
	}
	last := w.Weeks[len(w.Weeks)-1]
	if last.Flows != o.Measures.Flows.Violating {
		t.Errorf("the capture's week has %d violating flows, want %d", last.Flows,
			o.Measures.Flows.Violating)
	}
	a.get("/api/v1/segmentation/weeks?to=soon", http.StatusBadRequest, nil)
}

func TestSegmentZone(t *testing.T) {
	ts := newSegmentTrust(t)
	a := ts.session(t, auth.RoleClinicalEngineering)
	page := a.page("/segmentation/zones/imaging", http.StatusOK)
	if !strings.Contains(page, ctName) || !strings.Contains(page, "rule 3 (line ") {
		t.Errorf("the imaging zone's page lacks %s or the rule that placed it:\n%.2000s", ctName, page)
	}
	a.page("/segmentation/zones/unassigned", http.StatusOK)
	a.page("/segmentation/zones/nowhere", http.StatusNotFound)
	a.page("/segmentation/zones/Imaging", http.StatusNotFound)

	var z apiSegmentZoneDetail
	ts.bearer(t, auth.RoleNetwork).get("/api/v1/segmentation/zones/imaging", http.StatusOK, &z)
	if len(z.Devices) != 2 || !z.Medical {
		t.Fatalf("imaging: %+v", z)
	}
	var ct apiZoneDevice
	for _, d := range z.Devices {
		if d.Name == ctName {
			ct = d
		}
	}
	if ct.Rule != 3 || !strings.Contains(ct.Reason, "imaging-ct") || ct.Criticality != "diagnostic" {
		t.Errorf("CT placed %+v, want by rule 3 on its category", ct)
	}
	dev := a.page("/devices/"+pathEscape(ct.ID), http.StatusOK)
	if !strings.Contains(dev, `id="device-zone"`) || !strings.Contains(html.UnescapeString(dev), ct.Reason) {
		t.Error("the device page does not name its zone and the rule that placed it")
	}
	ts.bearer(t, auth.RoleNetwork).get("/api/v1/segmentation/zones/nowhere", http.StatusNotFound, nil)
}

func TestSegmentViolations(t *testing.T) {
	ts := newSegmentTrust(t)
	a := ts.bearer(t, auth.RoleSecurity)
	var all apiSegmentViolations
	a.get("/api/v1/segmentation/violations?limit=500", http.StatusOK, &all)
	if all.Total == 0 || len(all.Violations) != all.Total || all.NextCursor != "" {
		t.Fatalf("%d violations of %d, next %q", len(all.Violations), all.Total, all.NextCursor)
	}
	// Pages of 4 walk every violation once, in order.
	var walked []string
	for cursor := "0"; cursor != ""; {
		var pg apiSegmentViolations
		a.get("/api/v1/segmentation/violations?limit=4&cursor="+cursor, http.StatusOK, &pg)
		for _, v := range pg.Violations {
			walked = append(walked, v.Key)
		}
		cursor = pg.NextCursor
	}
	var keys []string
	for _, v := range all.Violations {
		keys = append(keys, v.Key)
	}
	if diff := cmp.Diff(keys, walked); diff != "" {
		t.Errorf("pages (-all +walked):\n%s", diff)
	}
	for _, c := range []struct {
		query string
		ok    func(v apiSegmentViolation) bool
	}{
		{"from=imaging", func(v apiSegmentViolation) bool { return v.Source.Zone == "imaging" }},
		{"to=corporate-it&protocol=UDP", func(v apiSegmentViolation) bool {
			return v.Destination.Zone == "corporate-it" && v.Protocol == "udp"
		}},
		{"application=dicom", func(v apiSegmentViolation) bool { return v.Application == "dicom" }},
		{"device=" + ctName[:4], func(v apiSegmentViolation) bool {
			return v.Source.Name == ctName || v.Destination.Name == ctName
		}},
		{"protocol=6", func(v apiSegmentViolation) bool { return v.Protocol == "tcp" }},
	} {
		var pg apiSegmentViolations
		a.get("/api/v1/segmentation/violations?"+c.query, http.StatusOK, &pg)
		if pg.Total == 0 {
			t.Errorf("%s: no violation", c.query)
		}
		for _, v := range pg.Violations {
			if !c.ok(v) {
				t.Errorf("%s: %s", c.query, v.Key)
			}
		}
	}
	for _, q := range []string{"from=Imaging", "protocol=pigeon", "application=DICOM%20x",
		"cursor=x", "limit=0", "device=%00"} {
		a.get("/api/v1/segmentation/violations?"+q, http.StatusBadRequest, nil)
	}
	s := ts.session(t, auth.RoleSecurity)
	page := s.page("/segmentation/violations?application=dicom", http.StatusOK)
	if !strings.Contains(page, ctName) || !strings.Contains(page, "dicom-store") {
		t.Error("the violations page lacks the CT's DICOM stores")
	}
	s.page("/segmentation/violations?from=Bad", http.StatusBadRequest)
}

func TestSegmentViolationsCSV(t *testing.T) {
	ts := newSegmentTrust(t)
	a := ts.session(t, auth.RoleAuditor)
	seq := lastSeq(t, ts)
	resp, body := a.call("GET", "/segmentation/violations.csv?from=imaging", "", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("status %d, %q, %q", resp.StatusCode, resp.Header.Get("Content-Type"),
			resp.Header.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(violationCSVHeader, recs[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	var pg apiSegmentViolations
	ts.bearer(t, auth.RoleAuditor).get("/api/v1/segmentation/violations?from=imaging&limit=500",
		http.StatusOK, &pg)
	if len(recs)-1 != pg.Total || pg.Total == 0 {
		t.Errorf("%d rows, want %d", len(recs)-1, pg.Total)
	}
	for _, r := range recs[1:] {
		if r[3] != "imaging" {
			t.Errorf("a row from zone %q", r[3])
		}
	}
	if evs := auditOf(t, ts, seq, "export.segmentation_violations_csv"); len(evs) != 1 ||
		evs[0].Actor != "auditor" {
		t.Errorf("audit: %v", actions(auditAfter(t, ts, seq)))
	}
	// Names come from the network: a cell that a spreadsheet would run is
	// defused.
	row := violationCSVRow(&segment.Violation{Source: segment.Endpoint{Name: "=HYPERLINK(x)",
		Address: "10.0.0.1"}, Destination: segment.Endpoint{Name: "@SUM(A1)", Category: "+1"},
		Application: "-cmd", Key: "k"})
	for i, want := range map[int]string{2: "'=HYPERLINK(x)", 8: "'@SUM(A1)", 10: "'+1", 14: "'-cmd"} {
		if row[i] != want {
			t.Errorf("cell %d: %q, want %q", i, row[i], want)
		}
	}
}

func TestSegmentPolicyEditor(t *testing.T) {
	ts := newSegmentTrust(t)
	n := ts.session(t, auth.RoleNetwork)
	page := n.page("/segmentation/policy", http.StatusOK)
	if !strings.Contains(page, "the hospital template: no policy is saved yet") ||
		!strings.Contains(html.UnescapeString(page), string(segment.TemplateYAML())) {
		t.Error("the editor does not hold the template")
	}

	// A bad policy is shown again with its problems and lines, and
	// nothing is stored.
	seq := lastSeq(t, ts)
	resp, body := n.policyForm("/segmentation/policy", map[string]string{"policy": badPolicy,
		"note": "typo"}, "", "")
	checkProblemsPage(t, resp, body, true)
	if v := currentVersion(t, ts); v != 0 {
		t.Fatalf("a bad policy was stored: version %d", v)
	}

	// A good one, uploaded as a file, is saved and audited.
	resp, _ = n.policyForm("/segmentation/policy", map[string]string{"policy": "",
		"note": "first cut"}, "ward.yaml", string(segment.TemplateYAML()))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: status %d, want 303", resp.StatusCode)
	}
	v, err := ts.db.CurrentPolicy(context.Background())
	if err != nil || v.By != "network" || v.Note != "first cut" || v.YAML != string(segment.TemplateYAML()) {
		t.Fatalf("in force: %+v, %v", v, err)
	}
	evs := auditOf(t, ts, seq, "segment.policy.save")
	if len(evs) != 1 || evs[0].Actor != "network" || detailOf(t, evs[0])["digest"] != v.Digest {
		t.Errorf("audit: %v", actions(auditAfter(t, ts, seq)))
	}
	page = n.page("/segmentation/policy", http.StatusOK)
	if !strings.Contains(page, "Version "+strconv.FormatInt(v.ID, 10)+" saved") ||
		!strings.Contains(page, "first cut") || !strings.Contains(page, v.Digest) {
		t.Error("the editor does not show the saved version in its history, or the flash")
	}

	// Bad again, from the text area: the version in force is unchanged.
	resp, body = n.policyForm("/segmentation/policy", map[string]string{"policy": badPolicy}, "", "")
	checkProblemsPage(t, resp, body, true)
	if got := currentVersion(t, ts); got != v.ID {
		t.Errorf("in force: version %d, want %d", got, v.ID)
	}
	if evs := auditOf(t, ts, seq, "segment.policy.save"); len(evs) != 1 {
		t.Errorf("%d saves audited, want 1", len(evs))
	}
	testVersionFiles(t, n, v)
	testValidate(t, ts)
}

// checkProblemsPage wants the editor again (422) with both problems of
// badPolicy on their lines and the text kept, and for a save, word that
// the policy in force is unchanged.
func checkProblemsPage(t *testing.T, resp *http.Response, body string, save bool) {
	t.Helper()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad policy: status %d, want 422\n%.1000s", resp.StatusCode, body)
	}
	wants := []string{`id="policy-problems"`, "line 6, column 11", "line 10", "rules[0].zone",
		"imagng", "nowhere"}
	if save {
		wants = append(wants, "The policy in force is unchanged")
	}
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("the refused policy's page lacks %q", want)
		}
	}
	if !strings.Contains(html.UnescapeString(body), "    to: nowhere\n    services: [tcp/104]") {
		t.Error("the text sent is not kept in the editor")
	}
}

// testVersionFiles downloads a version as YAML.
func testVersionFiles(t *testing.T, a *apiClient, v *store.PolicyVersion) {
	t.Helper()
	path := "/segmentation/policy/versions/" + strconv.FormatInt(v.ID, 10) + ".yaml"
	resp, body := a.call("GET", path, "", nil)
	if resp.StatusCode != http.StatusOK || string(body) != v.YAML ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("%s: status %d, %d bytes, %q", path, resp.StatusCode, len(body),
			resp.Header.Get("Content-Disposition"))
	}
	a.page("/segmentation/policy/versions/99.yaml", http.StatusNotFound)
	a.page("/segmentation/policy/versions/one.yaml", http.StatusBadRequest)
	a.page("/segmentation/policy/versions/1.json", http.StatusNotFound)
	a.page("/segmentation/policy?version=99", http.StatusNotFound)
	if page := a.page("/segmentation/policy?version="+strconv.FormatInt(v.ID, 10),
		http.StatusOK); !strings.Contains(page, "saved by network") {
		t.Error("the editor does not show the version asked for")
	}
}

// testValidate checks the editor's validate button, which any role may
// use and which stores nothing.
func testValidate(t *testing.T, ts *testServer) {
	t.Helper()
	before := currentVersion(t, ts)
	au := ts.session(t, auth.RoleAuditor)
	resp, body := au.policyForm("/segmentation/simulate", map[string]string{"action": "validate",
		"policy": string(segment.TemplateYAML())}, "", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "The policy is valid") {
		t.Errorf("validate: status %d\n%.500s", resp.StatusCode, body)
	}
	if strings.Contains(body, `formaction="/segmentation/policy"`) {
		t.Error("an auditor is offered the save button")
	}
	resp, body = au.policyForm("/segmentation/simulate", map[string]string{"action": "validate",
		"policy": badPolicy}, "", "")
	checkProblemsPage(t, resp, body, false)
	resp, _ = au.policyForm("/segmentation/simulate", map[string]string{"policy": " "}, "", "")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("no policy: status %d, want 400", resp.StatusCode)
	}
	if after := currentVersion(t, ts); after != before {
		t.Errorf("validating stored version %d", after)
	}
}

func TestSegmentPolicyFormRefused(t *testing.T) {
	ts := newSegmentTrust(t)
	n := ts.session(t, auth.RoleNetwork)
	big := strings.Repeat("#", maxPolicyBytes+1)
	resp, _ := n.policyForm("/segmentation/policy", map[string]string{"policy": big}, "", "")
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a policy too large: status %d, want 413", resp.StatusCode)
	}
	stale := *n
	stale.csrf = "stale"
	resp, _ = stale.policyForm("/segmentation/policy", map[string]string{
		"policy": string(segment.TemplateYAML())}, "", "")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a wrong CSRF token: status %d, want 403", resp.StatusCode)
	}
	resp, _ = n.policyForm("/segmentation/policy", map[string]string{"policy": "\xff\xfe"}, "", "")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a policy not UTF-8: status %d, want 400", resp.StatusCode)
	}
	resp, _ = n.form("/segmentation/policy", url.Values{"policy": {string(segment.TemplateYAML())},
		"note": {strings.Repeat("n", maxText+1)}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a note too long: status %d, want 400", resp.StatusCode)
	}
	if v := currentVersion(t, ts); v != 0 {
		t.Errorf("a refused form stored version %d", v)
	}
}

func TestSegmentPolicyAPI(t *testing.T) {
	ts := newSegmentTrust(t)
	n := ts.bearer(t, auth.RoleNetwork)
	resp, body := n.call("PUT", "/api/v1/segmentation/policy", "application/yaml",
		strings.NewReader(badPolicy))
	var probs apiPolicyProblems
	if err := json.Unmarshal(body, &probs); resp.StatusCode != http.StatusUnprocessableEntity ||
		err != nil || probs.Error == "" {
		t.Fatalf("bad policy: status %d, %v\n%s", resp.StatusCode, err, body)
	}
	lines := map[string]int{}
	for _, p := range probs.Problems {
		lines[p.Key] = p.Line
	}
	if diff := cmp.Diff(map[string]int{"rules[0].zone": 6, "conduits[0].to.zone": 10}, lines); diff != "" {
		t.Errorf("problems by key (-want +got):\n%s\n%s", diff, body)
	}
	if v := currentVersion(t, ts); v != 0 {
		t.Fatalf("a bad policy was stored: version %d", v)
	}
	n.errorOf("PUT", "/api/v1/segmentation/policy", "application/json", segment.TemplateYAML(),
		http.StatusUnsupportedMediaType)
	n.errorOf("PUT", "/api/v1/segmentation/policy", "text/plain", nil, http.StatusBadRequest)

	var saved apiPolicyText
	saveYAML(t, n, segment.TemplateYAML(), "from git", &saved)
	if !saved.Policy.Saved || saved.Policy.SavedBy != "token:test-network" || saved.Policy.Note != "from git" {
		t.Errorf("saved %+v", saved.Policy)
	}
	var got apiPolicyText
	n.get("/api/v1/segmentation/policy", http.StatusOK, &got)
	if diff := cmp.Diff(saved, got); diff != "" {
		t.Errorf("the policy in force (-saved +got):\n%s", diff)
	}
	n.get("/api/v1/segmentation/policy?version="+strconv.FormatInt(saved.Policy.VersionID, 10),
		http.StatusOK, &got)
	if diff := cmp.Diff(saved, got); diff != "" {
		t.Errorf("the version (-saved +got):\n%s", diff)
	}
	n.get("/api/v1/segmentation/policy?version=99", http.StatusNotFound, nil)
	n.get("/api/v1/segmentation/policy?version=x", http.StatusBadRequest, nil)
	testLearnAPI(t, ts, n)
}

func saveYAML(t *testing.T, a *apiClient, yaml []byte, note string, out *apiPolicyText) {
	t.Helper()
	resp, body := a.call("PUT", "/api/v1/segmentation/policy?note="+url.QueryEscape(note),
		"application/yaml", bytes.NewReader(yaml))
	a.check("PUT policy", resp, body, http.StatusOK, out)
}

// testLearnAPI drafts a policy from the flows, which stores nothing; once
// saved, it allows every observed flow.
func testLearnAPI(t *testing.T, ts *testServer, n *apiClient) {
	t.Helper()
	before := currentVersion(t, ts)
	var draft apiPolicyDraft
	n.send("POST", "/api/v1/segmentation/learn", nil, http.StatusOK, &draft)
	if currentVersion(t, ts) != before {
		t.Fatal("learning stored a policy")
	}
	p, err := segment.Parse([]byte(draft.YAML), "")
	if err != nil || draft.Learned.Flows == 0 || draft.Conduits != len(p.Conduits) ||
		draft.Digest != p.Digest() {
		t.Fatalf("draft: %+v, %v", draft.Learned, err)
	}
	var saved apiPolicyText
	saveYAML(t, n, []byte(draft.YAML), "learned", &saved)
	var vs apiSegmentViolations
	n.get("/api/v1/segmentation/violations", http.StatusOK, &vs)
	if vs.Total != 0 || vs.Policy.VersionID != saved.Policy.VersionID {
		t.Errorf("the learned policy leaves %d violations (policy %d)", vs.Total, vs.Policy.VersionID)
	}
	var list apiPolicyVersions
	n.get("/api/v1/segmentation/policy/versions", http.StatusOK, &list)
	if len(list.Versions) != 2 || !list.Versions[0].InForce || list.Versions[0].Note != "learned" ||
		list.Versions[1].InForce {
		t.Errorf("versions %+v", list.Versions)
	}
	page := ts.session(t, auth.RoleNetwork).page("/segmentation/learn", http.StatusOK)
	if !strings.Contains(page, `id="learned"`) || !strings.Contains(page, "learned from the observed flows") {
		t.Error("the learn page does not show the draft for review")
	}
}

// segmentSignoffSetup saves the template as the policy in force: it
// blocks the CT's DICOM stores to PACS on port 4242.
func segmentSignoffSetup(t *testing.T) (*testServer, *store.PolicyVersion) {
	t.Helper()
	ts := newSegmentTrust(t)
	v, err := ts.srv.cfg.Ingest.SavePolicy(context.Background(), segment.TemplateYAML(), "network", "")
	if err != nil {
		t.Fatal(err)
	}
	return ts, v
}

func TestSegmentSignoff(t *testing.T) {
	ts, v := segmentSignoffSetup(t)
	seq := lastSeq(t, ts)
	net := ts.session(t, auth.RoleNetwork)
	page := net.page("/segmentation/export?format=nftables&mode=enforce", http.StatusConflict)
	for _, want := range []string{"A clinical safety sign-off is needed", ctName,
		"Clinical Safety Officer", `id="critical-flows"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused export lacks %q", want)
		}
	}
	msg := ts.bearer(t, auth.RoleNetwork).errorOf("GET", "/api/v1/segmentation/export?mode=enforce",
		"", nil, http.StatusConflict)
	if !strings.Contains(msg, "sign-off") {
		t.Errorf("the API's refusal %q does not say a sign-off is needed", msg)
	}
	testLogOnlyExport(t, net, v)

	// An admin may read the simulation but not sign off.
	admin := ts.session(t, auth.RoleAdmin)
	resp, body := admin.policyForm("/segmentation/simulate", map[string]string{
		"policy": v.YAML}, "", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Sign-off needed") ||
		strings.Contains(body, `id="signoff-form"`) {
		t.Errorf("simulation as admin: status %d, or a sign-off form offered", resp.StatusCode)
	}
	resp, _ = admin.policyForm("/segmentation/signoffs", map[string]string{"policy": v.YAML,
		"hazard": "h", "reasoning": "r"}, "", "")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-off by an admin: status %d, want 403", resp.StatusCode)
	}
	ts.bearer(t, auth.RoleAdmin).send("POST", "/api/v1/segmentation/signoffs",
		apiNewSignoff{Hazard: "h", Reasoning: "r"}, http.StatusForbidden, nil)

	signOffAsOfficer(t, ts, v)
	for _, f := range []string{"nftables", "cisco"} {
		resp, body := net.call("GET", "/segmentation/export?mode=enforce&format="+f, "", nil)
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("%s export after the sign-off: status %d\n%.300s", f, resp.StatusCode, body)
		}
	}
	var ex apiSegmentExport
	ts.bearer(t, auth.RoleNetwork).get("/api/v1/segmentation/export?format=cisco", http.StatusOK, &ex)
	if ex.Mode != "enforce" || ex.VersionID != v.ID || !strings.Contains(ex.Rules, "ip access-list") {
		t.Errorf("API export: %+v", ex)
	}
	checkSignoffAudit(t, ts, seq, v)
}

// testLogOnlyExport downloads log-only rules, which need no sign-off.
func testLogOnlyExport(t *testing.T, a *apiClient, v *store.PolicyVersion) {
	t.Helper()
	resp, body := a.call("GET", "/segmentation/export?format=nftables&mode=log", "", nil)
	want := `attachment; filename="ward-policy-` + strconv.FormatInt(v.ID, 10) + `-log.nft"`
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != want ||
		resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		!bytes.Contains(body, []byte("table inet")) {
		t.Errorf("log-only export: status %d, %q, %q\n%.300s", resp.StatusCode,
			resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), body)
	}
	a.page("/segmentation/export?format=pf", http.StatusBadRequest)
	a.page("/segmentation/export?mode=drop", http.StatusBadRequest)
	a.page("/segmentation/export?version=99", http.StatusNotFound)
}

// signOffAsOfficer signs v off through the simulation page, after a
// refusal for want of a hazard.
func signOffAsOfficer(t *testing.T, ts *testServer, v *store.PolicyVersion) {
	t.Helper()
	cso := ts.session(t, auth.RoleClinicalSafety)
	resp, body := cso.policyForm("/segmentation/simulate", map[string]string{"policy": v.YAML}, "", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="signoff-form"`) {
		t.Fatalf("simulation as the officer: status %d, no sign-off form", resp.StatusCode)
	}
	resp, body = cso.policyForm("/segmentation/signoffs", map[string]string{"policy": v.YAML,
		"hazard": " ", "reasoning": "kept"}, "", "")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Hazard: is required") ||
		!strings.Contains(body, ">kept</textarea>") {
		t.Errorf("sign-off without a hazard: status %d\n%.500s", resp.StatusCode, body)
	}
	if sos, _ := ts.db.Signoffs(context.Background(), ""); len(sos) != 0 {
		t.Fatalf("a refused sign-off was stored: %+v", sos)
	}
	resp, body = cso.policyForm("/segmentation/signoffs", map[string]string{"policy": v.YAML,
		"hazard":    "CT images would not reach PACS on port 4242",
		"reasoning": "the CT is reconfigured to 104 first; PACS team on call"}, "", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Signed off by clinical-safety-officer") {
		t.Fatalf("sign-off: status %d\n%.800s", resp.StatusCode, body)
	}
	resp, _ = cso.policyForm("/segmentation/signoffs", map[string]string{"policy": v.YAML,
		"hazard": "again", "reasoning": "again"}, "", "")
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("a second sign-off: status %d, want 409 (nothing left to sign)", resp.StatusCode)
	}
	var list apiSignoffs
	ts.bearer(t, auth.RoleAuditor).get("/api/v1/segmentation/signoffs?digest="+
		url.QueryEscape(v.Digest), http.StatusOK, &list)
	if len(list.Signoffs) != 1 || list.Signoffs[0].By != "clinical-safety-officer" ||
		len(list.Signoffs[0].Flows) == 0 {
		t.Errorf("sign-offs %+v", list.Signoffs)
	}
	var sim apiSimulation
	resp, b := ts.bearer(t, auth.RoleAuditor).call("POST", "/api/v1/segmentation/simulate",
		"application/yaml", strings.NewReader(v.YAML))
	ts.bearer(t, auth.RoleAuditor).check("simulate", resp, b, http.StatusOK, &sim)
	if sim.NeedsSignoff || sim.SignedOff == nil || sim.SignedOff.By != "clinical-safety-officer" {
		t.Errorf("simulation after the sign-off: needs %v, signed off %+v", sim.NeedsSignoff, sim.SignedOff)
	}
}

// checkSignoffAudit wants the sign-off and every export audited, the
// refusals with why.
func checkSignoffAudit(t *testing.T, ts *testServer, seq int64, v *store.PolicyVersion) {
	t.Helper()
	so := auditOf(t, ts, seq, "segment.signoff")
	if len(so) != 1 || so[0].Actor != "clinical-safety-officer" || so[0].Object != v.Digest {
		t.Errorf("sign-off audit: %v", actions(auditAfter(t, ts, seq)))
	}
	var refused, done int
	for _, e := range auditOf(t, ts, seq, "segment.export") {
		if _, ok := detailOf(t, e)["refused"]; ok {
			refused++
		} else {
			done++
		}
	}
	if refused != 2 || done != 4 {
		t.Errorf("exports audited: %d refused, %d done; want 2 and 4", refused, done)
	}
}

func TestSegmentSignoffAPI(t *testing.T) {
	ts, v := segmentSignoffSetup(t)
	cso := ts.bearer(t, auth.RoleClinicalSafety)
	cso.send("POST", "/api/v1/segmentation/signoffs", apiNewSignoff{Hazard: "h"},
		http.StatusBadRequest, nil)
	cso.send("POST", "/api/v1/segmentation/signoffs", apiNewSignoff{Version: 99, Hazard: "h",
		Reasoning: "r"}, http.StatusNotFound, nil)
	cso.send("POST", "/api/v1/segmentation/signoffs", apiNewSignoff{Version: v.ID, Policy: v.YAML,
		Hazard: "h", Reasoning: "r"}, http.StatusBadRequest, nil)
	resp, body := cso.call("POST", "/api/v1/segmentation/signoffs", "application/json",
		bytes.NewReader(mustJSON(t, apiNewSignoff{Policy: badPolicy, Hazard: "h", Reasoning: "r"})))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad policy: status %d\n%s", resp.StatusCode, body)
	}
	var so apiSignoff
	cso.send("POST", "/api/v1/segmentation/signoffs", apiNewSignoff{Hazard: "CT to PACS",
		Reasoning: "moved to 104"}, http.StatusCreated, &so)
	if so.PolicyDigest != v.Digest || so.By != "token:test-clinical-safety-officer" || len(so.Flows) == 0 {
		t.Errorf("sign-off %+v", so)
	}
	checkAgainstSchema(t, ts, "POST /api/v1/segmentation/signoffs", 201, mustJSON(t, so))
	ts.bearer(t, auth.RoleNetwork).get("/api/v1/segmentation/export?mode=enforce", http.StatusOK, nil)
	cso.send("POST", "/api/v1/segmentation/signoffs", apiNewSignoff{Hazard: "h", Reasoning: "r"},
		http.StatusConflict, nil)
}

// checkAgainstSchema checks an answer against the OpenAPI document: for
// what TestOpenAPIResponses cannot send, since it calls as an admin.
func checkAgainstSchema(t *testing.T, ts *testServer, op string, status int, body []byte) {
	t.Helper()
	doc := fetchOpenAPI(t, ts)
	sc := responseSchema(t, doc, docOperations(doc)[op], status)
	var v any
	if err := json.Unmarshal(body, &v); err != nil || sc == nil {
		t.Fatalf("%s: %v", op, err)
	}
	chk := &schemaChecker{doc: doc}
	chk.check(op, sc, v)
	for _, e := range chk.errs {
		t.Errorf("%s (%d): %s", op, status, e)
	}
}

func TestSegmentSiteScope(t *testing.T) {
	ts := newSegmentTrust(t)
	ctx := context.Background()
	site, err := ts.db.AddLocation(ctx, store.Location{Kind: store.Site, Name: "St Thomas'"})
	if err != nil {
		t.Fatal(err)
	}
	tok := ts.siteToken(t, auth.RoleNetwork, site.ID)
	msg := tok.errorOf("GET", "/api/v1/segmentation", "", nil, http.StatusForbidden)
	if !strings.Contains(msg, "all sites") {
		t.Errorf("refusal %q", msg)
	}
	tok.errorOf("PUT", "/api/v1/segmentation/policy", "application/yaml", segment.TemplateYAML(),
		http.StatusForbidden)
	if currentVersion(t, ts) != 0 {
		t.Error("a site-limited token saved a policy")
	}
}

var svgNumberRE = regexp.MustCompile(`\s(?:x|y|x1|y1|x2|y2|cx|cy|r|width|height|stroke-width)="([^"]*)"`)

// TestZoneMapGeometry checks the drawings' numbers: finite, inside the
// drawing, and a node per zone.
func TestZoneMapGeometry(t *testing.T) {
	ts := newSegmentTrust(t)
	page := ts.session(t, auth.RoleAuditor).page("/segmentation", http.StatusOK)
	for _, m := range svgNumberRE.FindAllStringSubmatch(page, -1) {
		f, err := strconv.ParseFloat(m[1], 64)
		if err != nil || f < 0 || f > mapSize+40 {
			t.Errorf("%s: out of the drawing", m[0])
		}
	}
	rep := &segment.Report{Zones: []segment.ZoneCount{{Zone: "a"}},
		Pairs: []segment.PairCount{{From: "a", To: "a", Flows: 1, Violations: 1}}}
	m := buildZoneMap(rep)
	if len(m.Nodes) != 1 || m.Nodes[0].X != mapSize/2 || len(m.Loops) != 1 || !m.Loops[0].Bad {
		t.Errorf("one zone: %+v", m)
	}
	if m := buildZoneMap(&segment.Report{}); len(m.Nodes) != 0 {
		t.Errorf("no zone: %+v", m)
	}
}

func init() {
	moreOpenAPICalls = append(moreOpenAPICalls, segmentOpenAPICalls)
}

// segmentOpenAPICalls returns the calls that check the segmentation
// routes' answers against the OpenAPI document, on the capture the test
// seeded. The sign-off cannot be made as an admin: TestSegmentSignoffAPI
// checks its answer as the officer.
func segmentOpenAPICalls(t *testing.T, ts *testServer) []openAPICall {
	tmpl := string(segment.TemplateYAML())
	const y = "application/yaml"
	return []openAPICall{
		{"GET /api/v1/segmentation", "/api/v1/segmentation", "", "", 200},
		{"GET /api/v1/segmentation/zones/{zone}", "/api/v1/segmentation/zones/imaging", "", "", 200},
		{"GET /api/v1/segmentation/zones/{zone}", "/api/v1/segmentation/zones/nowhere", "", "", 404},
		{"GET /api/v1/segmentation/violations", "/api/v1/segmentation/violations?limit=2", "", "", 200},
		{"GET /api/v1/segmentation/violations", "/api/v1/segmentation/violations?from=X", "", "", 400},
		{"GET /api/v1/segmentation/policy", "/api/v1/segmentation/policy", "", "", 200},
		{"PUT /api/v1/segmentation/policy", "/api/v1/segmentation/policy?note=openapi", y, tmpl, 200},
		{"PUT /api/v1/segmentation/policy", "/api/v1/segmentation/policy", "text/csv", "x", 415},
		{"GET /api/v1/segmentation/policy", "/api/v1/segmentation/policy?version=999", "", "", 404},
		{"GET /api/v1/segmentation/policy/versions", "/api/v1/segmentation/policy/versions", "", "", 200},
		{"POST /api/v1/segmentation/learn", "/api/v1/segmentation/learn", "", "", 200},
		{"POST /api/v1/segmentation/simulate", "/api/v1/segmentation/simulate", y, tmpl, 200},
		{"GET /api/v1/segmentation/signoffs", "/api/v1/segmentation/signoffs", "", "", 200},
		{"POST /api/v1/segmentation/signoffs", "/api/v1/segmentation/signoffs", "application/json",
			`{"hazard":"h","reasoning":"r"}`, 403},
		{"GET /api/v1/segmentation/export", "/api/v1/segmentation/export?mode=log", "", "", 200},
		{"GET /api/v1/segmentation/export", "/api/v1/segmentation/export?mode=enforce", "", "", 409},
		{"GET /api/v1/segmentation/export", "/api/v1/segmentation/export?format=pf", "", "", 400},
		{"GET /api/v1/segmentation/weeks", "/api/v1/segmentation/weeks", "", "", 200},
	}
}

// BenchmarkSegmentPages renders the segmentation pages and a device's
// page (which names the device's zone) over the demo trust with the
// template in force: each reads every device and flow and compiles the
// policy.
func BenchmarkSegmentPages(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.Open(ctx, "sqlite", dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	keys, err := auditKeysFor(dir)
	if err != nil {
		b.Fatal(err)
	}
	chain, err := audit.NewChain(keys.Chain)
	if err != nil {
		b.Fatal(err)
	}
	ing := &ingest.Service{DB: db, Chain: chain}
	var pcap bytes.Buffer
	if _, err := demo.Write(&pcap, demo.Options{Seed: 1, Start: time.Unix(1_700_000_000, 0)}); err != nil {
		b.Fatal(err)
	}
	if _, err := ing.Capture(ctx, &pcap, "trust.pcap", "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := ing.SavePolicy(ctx, segment.TemplateYAML(), "bench", ""); err != nil {
		b.Fatal(err)
	}
	srv, err := New(Config{Store: db, Keys: keys, Ingest: ing})
	if err != nil {
		b.Fatal(err)
	}
	devs, err := db.SegmentDevices(ctx)
	if err != nil || len(devs) == 0 {
		b.Fatalf("%d devices, %v", len(devs), err)
	}
	cookie := benchSession(b, db)
	for _, path := range []string{"/segmentation", "/segmentation/violations",
		"/segmentation/zones/imaging", "/segmentation/policy", "/devices/" + pathEscape(devs[0].ID)} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				srv.Handler().ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// TestSegmentPatientData ingests the lab captures, which carry planted
// patient values in HL7 and DICOM, and searches every segmentation page,
// export and answer for them: the flows' ends are devices and addresses,
// their names the inventory's.
func TestSegmentPatientData(t *testing.T) {
	ts := newTestServer(t)
	captures, _ := filepath.Glob(filepath.Join(labDir, "*.pcap"))
	if len(captures) == 0 {
		t.Fatalf("no lab captures in %s", labDir)
	}
	ts.seed(t, captures...)
	values := planted.Values(t, filepath.Join(labDir, "planted.txt"))
	n := ts.session(t, auth.RoleNetwork)
	var draft apiPolicyDraft
	ts.bearer(t, auth.RoleNetwork).send("POST", "/api/v1/segmentation/learn", nil, http.StatusOK, &draft)
	outputs := map[string][]byte{"learned policy": []byte(draft.YAML)}
	_, page := n.policyForm("/segmentation/simulate", map[string]string{
		"policy": string(segment.TemplateYAML())}, "", "")
	outputs["simulation"] = []byte(page)
	if _, err := ts.srv.cfg.Ingest.SavePolicy(context.Background(), segment.TemplateYAML(), "t", ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/segmentation", "/segmentation/violations?limit=500",
		"/segmentation/violations.csv", "/segmentation/zones/imaging",
		"/segmentation/zones/clinical-it", "/segmentation/zones/unassigned", "/segmentation/policy",
		"/segmentation/learn", "/segmentation/export?mode=log", "/segmentation/export?mode=enforce",
		"/api/v1/segmentation", "/api/v1/segmentation/violations?limit=500",
		"/api/v1/segmentation/zones/clinical-it", "/api/v1/segmentation/export?mode=log",
		"/api/v1/segmentation/weeks"} {
		_, b := n.call("GET", p, "", nil)
		outputs["GET "+p] = b
	}
	for _, f := range leaks(outputs, values) {
		t.Error(f)
	}
}
