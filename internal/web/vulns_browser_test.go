package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/auth"
)

// TestBrowserVulns walks the vulnerability pages in headless Chromium
// over the demo trust matched against the ICSMA advisories: every page is
// sound (no browser error, no CSP violation, pageAudit clean), and a
// ruling made with the review queue's form is saved and said so.
func TestBrowserVulns(t *testing.T) {
	chromium(t)
	ts := newTestServer(t)
	newHospital(t, ts, true)
	if _, err := ts.srv.cfg.Ingest.ImportFeeds(context.Background(), icsmaDir,
		advisory.LoadOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	s := newBrowser(t, ts.URL).session(t)
	s.login(string(auth.RoleAdmin), ts.pw[auth.RoleAdmin])
	for _, p := range []string{"/vulnerabilities", "/vulnerabilities?level=high&sort=confidence",
		"/vulnerabilities?q=nothing-matches-this", "/vulnerabilities/review", "/advisories",
		"/advisories?q=alaris", "/advisories/ICSMA-19-164-01", "/feeds"} {
		s.open(p, http.StatusOK)
	}
	s.open("/vulnerabilities", http.StatusOK)
	s.run("open a finding's reasons", chromedp.Click(chromedp.CSS("tr.why-row summary")))
	if got := s.text("tr.why-row details"); !strings.Contains(got, "model matches") {
		t.Errorf("the reasons say %q", got)
	}
	if got := s.click("tr.why-row details a"); got != http.StatusOK {
		t.Fatalf("open the ruling form: status %d", got)
	}
	s.check("one finding's ruling form")
	s.run("fill in a ruling",
		chromedp.SetValue(chromedp.CSS(`form.ruling select[name=status]`), "not_affected"),
		chromedp.SetValue(chromedp.CSS(`form.ruling select[name=justification]`),
			"component_not_present"),
		chromedp.SendKeys(chromedp.CSS(`form.ruling textarea`), "no such module in ours"))
	if got := s.click(`form.ruling button[type=submit]`); got != http.StatusOK {
		t.Fatalf("save the ruling: status %d", got)
	}
	s.check("the page after a ruling")
	if got := s.text(".flash"); !strings.Contains(got, "Ruled") {
		t.Errorf("the message after a ruling says %q", got)
	}
	if got := s.text("ul.history"); !strings.Contains(got, "no such module in ours") {
		t.Errorf("the ruling's history says %q", got)
	}
	ds, err := ts.db.Decisions(context.Background())
	if err != nil || len(ds) != 1 || ds[0].Status != "not_affected" {
		t.Errorf("decisions: %v %+v", err, ds)
	}
	s.open("/devices/"+pathEscape(firstFindingDevice(t, ts)), http.StatusOK)
}

func firstFindingDevice(t *testing.T, ts *testServer) string {
	t.Helper()
	return (&vulnTrust{testServer: ts}).findings(t)[0].DeviceID
}
