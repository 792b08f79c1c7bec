package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/segment"
)

// TestBrowserSegmentation walks segmentation in headless Chromium on the
// ward 7 capture, with the hospital template in force: every page is
// sound (no browser error, no CSP violation, pageAudit clean); a change
// simulated in the editor that blocks the CT scanner's DICOM stores says
// a sign-off is needed and offers an admin no form to give it; once the
// change is saved its rules are refused for enforcement (409) but not in
// log-only mode; the Clinical Safety Officer signs it off through the
// form, and then the rules are exported.
func TestBrowserSegmentation(t *testing.T) {
	chromium(t)
	ts := newSegmentTrust(t)
	if _, err := ts.srv.cfg.Ingest.SavePolicy(context.Background(), segment.TemplateYAML(),
		"network", "template"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts.URL)
	proposal := segmentProposal(t)

	admin := b.session(t)
	admin.login(string(auth.RoleAdmin), ts.pw[auth.RoleAdmin])
	for _, p := range []string{"/segmentation", "/segmentation/zones/imaging",
		"/segmentation/zones/unassigned", "/segmentation/violations",
		"/segmentation/violations?application=dicom", "/segmentation/policy",
		"/segmentation/learn"} {
		admin.open(p, http.StatusOK)
	}
	simulateInEditor(admin, proposal)
	if got := admin.text("#signoff-state"); !strings.Contains(got, "Sign-off needed") {
		t.Errorf("the simulation's sign-off says %q", got)
	}
	if got := admin.text("details.workflow-group summary"); !strings.Contains(got, "critical") ||
		!strings.Contains(got, "dicom-store") {
		t.Errorf("the first group of blocked flows is %q, want the critical DICOM stores", got)
	}
	if n := eval[int](admin, `document.querySelectorAll("#signoff-form").length`); n != 0 {
		t.Error("an admin is offered the sign-off form")
	}

	network := b.session(t)
	network.login(string(auth.RoleNetwork), ts.pw[auth.RoleNetwork])
	simulateInEditor(network, proposal)
	if got := network.click(`button[value=save]`); got != http.StatusOK {
		t.Fatalf("save the proposal: status %d", got)
	}
	network.check("the editor after saving")
	if got := network.text(".flash"); !strings.Contains(got, "saved") {
		t.Errorf("the message after saving says %q", got)
	}
	if got := fetchStatus(network, "/segmentation/export?format=nftables&mode=enforce"); got != 409 {
		t.Errorf("export for enforcement before the sign-off: %d, want 409", got)
	}
	network.open("/segmentation/export?format=nftables&mode=enforce", http.StatusConflict)
	if got := network.text("#export-refused"); !strings.Contains(got, "Clinical Safety Officer") {
		t.Errorf("the refusal says %q", got)
	}
	if got := fetchStatus(network, "/segmentation/export?format=nftables&mode=log"); got != 200 {
		t.Errorf("log-only export: %d, want 200", got)
	}

	signOffInBrowser(t, b, ts, proposal)
	for _, f := range []string{"nftables", "cisco"} {
		if got := fetchStatus(network, "/segmentation/export?mode=enforce&format="+f); got != 200 {
			t.Errorf("%s export after the sign-off: %d, want 200", f, got)
		}
	}
}

// segmentProposal is the template without the conduit that lets
// modalities store images on PACS.
func segmentProposal(t *testing.T) string {
	t.Helper()
	p := segment.Template()
	var kept []segment.Conduit
	for _, c := range p.Conduits {
		if !(c.From.Zone == "imaging" && c.To.Zone == "clinical-it") {
			kept = append(kept, c)
		}
	}
	if len(kept) == len(p.Conduits) {
		t.Fatal("the template has no conduit from imaging to clinical-it")
	}
	p.Name, p.Conduits = "No imaging to PACS", kept
	b, err := segment.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// simulateInEditor opens the editor, replaces its text and simulates.
func simulateInEditor(s *session, yaml string) {
	s.t.Helper()
	s.open("/segmentation/policy", http.StatusOK)
	s.run("write the proposal", chromedp.SetValue(chromedp.ID("policy"), yaml))
	if got := s.click(`#policy-form button[value=simulate]`); got != http.StatusOK {
		s.t.Fatalf("simulate: status %d", got)
	}
	s.check("the simulation")
}

// signOffInBrowser signs the proposal off as the Clinical Safety Officer,
// after the form refuses it without a hazard.
func signOffInBrowser(t *testing.T, b *browser, ts *testServer, proposal string) {
	t.Helper()
	cso := b.session(t)
	cso.login(string(auth.RoleClinicalSafety), ts.pw[auth.RoleClinicalSafety])
	simulateInEditor(cso, proposal)
	cso.run("write the sign-off",
		chromedp.SendKeys(chromedp.ID("hazard"), "CT images would not reach PACS"),
		chromedp.SendKeys(chromedp.ID("reasoning"), "the CT sends to the archive node until the change window"))
	if got := cso.click(`#signoff-form button[type=submit]`); got != http.StatusOK {
		t.Fatalf("sign off: status %d", got)
	}
	cso.check("the simulation after the sign-off")
	if got := cso.text(".flash"); !strings.Contains(got, "Signed off by clinical-safety-officer") {
		t.Errorf("the message after signing off says %q", got)
	}
	if got := cso.text("#signoff-state"); !strings.Contains(got, "clinical-safety-officer") {
		t.Errorf("the sign-off's state says %q", got)
	}
}

// fetchStatus fetches path from the page, with the session's cookies,
// and returns the status: a download does not load a page.
func fetchStatus(s *session, path string) int {
	s.t.Helper()
	status := eval[int](s, `fetch(`+jsString(path)+`).then(r => r.status)`)
	if status >= 400 {
		s.expect("status of " + strconv.Itoa(status)) // the console notes every error status
	}
	return status
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
