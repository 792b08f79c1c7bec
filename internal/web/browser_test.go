package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/demo"
	"github.com/wardhq/ward/internal/store"
)

// chromium finds Debian's chromium, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("WARD_REQUIRE_BROWSER") != "" {
		t.Fatal("WARD_REQUIRE_BROWSER is set but chromium is not on PATH")
	}
	t.Skip("browser tests need Debian's chromium (apt-get install chromium); .ci/run installs it")
	return ""
}

// TestBrowser walks through Ward in headless Chromium as its users would:
// an administrator signs in, finds an infusion pump, places it on a ward
// and reads the change in the audit log; an auditor can look but not
// change; forms without their CSRF token change nothing; signing out
// ends the session. On every page it checks that the browser reported no
// error and no CSP violation, and that the page passes pageAudit.
func TestBrowser(t *testing.T) {
	chromium(t)
	ts := newTestServer(t)
	h := newHospital(t, ts, true)
	pump := h.braunPump(t)
	b := newBrowser(t, ts.URL)
	admin := b.session(t)
	var dev string // the pump's device id, once the search found it

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"CSPViolationsAreSeen", func(t *testing.T) { testCSPSeen(admin.on(t)) }},
		{"LogIn", func(t *testing.T) { testLogIn(admin.on(t), ts) }},
		{"SearchAndOpen", func(t *testing.T) { dev = testSearch(admin.on(t), pump) }},
		{"ChangeLocation", func(t *testing.T) { testChangeLocation(admin.on(t), ts, h, dev) }},
		{"AuditorCannotEdit", func(t *testing.T) { testAuditor(b.session(t), ts, h, dev) }},
		{"NoCSRFTokenNoChange", func(t *testing.T) { testNoCSRF(admin.on(t), ts, h, dev) }},
		{"OtherSiteFormRefused", func(t *testing.T) { testCrossSite(admin.on(t), ts, h, dev) }},
		{"EveryPage", func(t *testing.T) { testEveryPage(admin.on(t), dev) }},
		{"LogOut", func(t *testing.T) { testLogOut(admin.on(t)) }},
	}
	for _, st := range steps {
		if !t.Run(st.name, st.run) {
			return // the later steps build on this one
		}
	}
}

// braunPump is a B. Braun infusion pump of the demo trust.
func (h hospital) braunPump(t *testing.T) demo.Device {
	t.Helper()
	i := slices.IndexFunc(h.devices, func(d demo.Device) bool {
		return strings.Contains(d.Vendor, "Braun") && d.Kind == "infusion-pump" && d.IP.IsValid()
	})
	if i < 0 {
		t.Fatal("the demo trust has no B. Braun infusion pump")
	}
	return h.devices[i]
}

// testCSPSeen makes the login page break its CSP on purpose, so that a
// broken listener cannot pass every later check by hearing nothing.
func testCSPSeen(s *session) {
	s.open("/login", http.StatusOK)
	eval[chromedp.Void](s, `document.querySelector('main').insertAdjacentHTML('beforeend',
	  '<p id="csp-probe" style="color: red">probe</p>')`)
	s.expect("Content Security Policy")
	eval[chromedp.Void](s, `document.getElementById('csp-probe').remove()`)
	s.check("the login page")
}

func testLogIn(s *session, ts *testServer) {
	s.login(string(auth.RoleAdmin), ts.pw[auth.RoleAdmin])
	if got := s.path(); got != "/" {
		s.t.Errorf("signed in at %s, want /", got)
	}
	if got := s.text("main h1"); got != "Dashboard" {
		s.t.Errorf("h1 after sign-in: got %q, want Dashboard", got)
	}
	if got := s.text(".who > a"); !strings.Contains(got, "admin") {
		s.t.Errorf("the header names %q, want the admin", got)
	}
	checkSessionCookie(s)
	checkDashboard(s, ts)
}

// checkSessionCookie checks the session cookie is out of reach of
// scripts and of other sites, and the sign-in cookie is gone.
func checkSessionCookie(s *session) {
	s.t.Helper()
	c := s.cookie(sessionCookie)
	if c == nil {
		s.t.Fatalf("no %s cookie after signing in", sessionCookie)
	}
	if !c.HTTPOnly {
		s.t.Errorf("%s cookie is not HttpOnly", sessionCookie)
	}
	if c.SameSite != network.CookieSameSiteStrict {
		s.t.Errorf("%s cookie: SameSite %q, want Strict", sessionCookie, c.SameSite)
	}
	if c.Path != "/" {
		s.t.Errorf("%s cookie: path %q, want /", sessionCookie, c.Path)
	}
	if got := eval[string](s, `document.cookie`); strings.Contains(got, sessionCookie) {
		s.t.Errorf("a script can read the session cookie: %q", got)
	}
	if c := s.cookie(loginCookie); c != nil {
		s.t.Errorf("the %s cookie outlived the sign-in", loginCookie)
	}
}

// chartFigures is what checkDashboard reads off the dashboard's charts.
type chartFigures struct {
	Title string
	Rows  int
	Sum   int
	Widest,
	Track float64 // pixels: the longest bar, and the bars' full width
}

// chartsJS reads the dashboard's charts, as chartFigures.
const chartsJS = `[...document.querySelectorAll('section.chart')].map(c => {
  const rows = [...c.querySelectorAll('tbody tr')];
  const width = el => el.getBoundingClientRect().width;
  return {
    Title: c.querySelector('h2').textContent,
    Rows: rows.length,
    Sum: rows.reduce((n, r) => n + Number(r.querySelector('td.num').textContent), 0),
    Widest: Math.max(...rows.map(r => width(r.querySelector('rect')))),
    Track: rows.length ? width(rows[0].querySelector('svg')) : 0,
  };
})`

// checkDashboard checks the device count and that each chart draws bars
// whose numbers add up to it.
func checkDashboard(s *session, ts *testServer) {
	s.t.Helper()
	total, err := ts.db.CountMatching(context.Background(), store.DeviceFilter{})
	if err != nil {
		s.t.Fatal(err)
	}
	if got := s.text(".tile .big"); got != strconv.Itoa(total) {
		s.t.Errorf("dashboard shows %s devices, the store has %d", got, total)
	}
	charts := eval[[]chartFigures](s, chartsJS)
	if len(charts) != 4 {
		s.t.Errorf("the dashboard has %d charts, want 4", len(charts))
	}
	for _, c := range charts {
		switch {
		case c.Rows == 0:
			s.t.Errorf("chart %q has no bars", c.Title)
		case c.Track < 60:
			s.t.Errorf("chart %q: bars are %.0f px wide, too narrow to read", c.Title, c.Track)
		case c.Widest < c.Track*0.95:
			s.t.Errorf("chart %q: the longest bar is %.0f of %.0f px; it should fill the track",
				c.Title, c.Widest, c.Track)
		case c.Title != "By vendor" && c.Sum != total:
			s.t.Errorf("chart %q adds up to %d devices, want %d", c.Title, c.Sum, total)
		}
	}
}

// testSearch searches the inventory by vendor, then by the pump's IP
// address, and opens the pump. It returns the pump's device id.
func testSearch(s *session, pump demo.Device) string {
	s.open("/devices", http.StatusOK)
	searchFor(s, "Braun")
	vendors := eval[[]string](s, `[...document.querySelectorAll('table.devices tbody tr')]
	  .map(r => r.querySelector('td:nth-child(3)').textContent)`)
	if len(vendors) == 0 {
		s.t.Fatal("searching for Braun found nothing")
	}
	for _, v := range vendors {
		if !strings.Contains(v, "Braun") {
			s.t.Errorf("searching for Braun found a device of %q", v)
		}
	}

	ip := pump.IP.String()
	searchFor(s, ip)
	link := eval[string](s, fmt.Sprintf(`(() => {
	  const row = [...document.querySelectorAll('table.devices tbody tr')].find(r =>
	    r.querySelector('td:nth-child(2)').innerText.split('\n').includes(%q));
	  return row ? row.querySelector('a').getAttribute('href') : '';
	})()`, ip))
	if link == "" {
		s.t.Fatalf("searching for %s did not list the device with that address", ip)
	}
	if got := s.click(`table.devices a[href="` + link + `"]`); got != http.StatusOK {
		s.t.Fatalf("open %s: status %d", link, got)
	}
	s.check("the device page")
	if got := s.text("main h1"); got != pump.Name {
		s.t.Errorf("device page h1: got %q, want %q", got, pump.Name)
	}
	if got := fact(s, "IP addresses"); !strings.Contains(got, ip) {
		s.t.Errorf("device page IP addresses: got %q, want %s", got, ip)
	}
	id, err := url.PathUnescape(strings.TrimPrefix(s.path(), "/devices/"))
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

// searchFor types q into the inventory's search box and submits it.
func searchFor(s *session, q string) {
	s.t.Helper()
	eval[chromedp.Void](s, `document.getElementById('q').value = ''`)
	s.run("type the search", chromedp.SendKeys(chromedp.ID("q"), q))
	if got := s.click("form.filters button[type=submit]"); got != http.StatusOK {
		s.t.Fatalf("search for %q: status %d", q, got)
	}
	s.check("the inventory searched for " + q)
	if got := eval[string](s, `new URLSearchParams(location.search).get('q')`); got != q {
		s.t.Errorf("the search went out as q=%q, want %q", got, q)
	}
}

// fact is the value of a device page's identity fact.
func fact(s *session, name string) string {
	s.t.Helper()
	return eval[string](s, fmt.Sprintf(`(() => {
	  const dt = [...document.querySelectorAll('.facts dt')].find(dt => dt.textContent === %q);
	  return dt ? dt.nextElementSibling.textContent : '';
	})()`, name))
}

const wardPath = "Riverside General Hospital › Tower block › Ward 7 (acute medicine)"

func testChangeLocation(s *session, ts *testServer, h hospital, dev string) {
	if got := fact(s, "Location"); got != "not placed" {
		s.t.Fatalf("the pump's location before: got %q, want not placed", got)
	}
	s.run("choose the ward", chromedp.SetValue(chromedp.ID("location"), strconv.FormatInt(h.ward.ID, 10)))
	if got := s.click("form.edit button[type=submit]"); got != http.StatusOK {
		s.t.Fatalf("save the device: status %d", got)
	}
	s.check("the device page after saving")
	if got := s.text(".flash"); got != "Saved." {
		s.t.Errorf("after saving: flash %q, want Saved.", got)
	}
	if got := fact(s, "Location"); got != wardPath {
		s.t.Errorf("the pump's location after: got %q, want %q", got, wardPath)
	}
	if d := getDevice(s.t, ts, dev); d.LocationID != h.ward.ID {
		s.t.Errorf("the store places the pump at %d, want %d", d.LocationID, h.ward.ID)
	}

	s.open("/audit?action=device.update", http.StatusOK)
	rows := auditRows(s)
	if len(rows) != 1 {
		s.t.Fatalf("audit log has %d device.update entries, want 1: %q", len(rows), rows)
	}
	want := auditRow{Who: "admin", Action: "device.update", On: dev,
		Detail: "location: not placed → " + wardPath}
	if rows[0] != want {
		s.t.Errorf("audit entry:\n got %+v\nwant %+v", rows[0], want)
	}
}

func getDevice(t *testing.T, ts *testServer, id string) *store.DeviceDetail {
	t.Helper()
	d, err := ts.db.GetDevice(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// auditRow is an audit page's row as a person reads it.
type auditRow struct{ Who, Action, On, Detail string }

func auditRows(s *session) []auditRow {
	s.t.Helper()
	return eval[[]auditRow](s, `[...document.querySelectorAll('table.audit tbody tr')]
	  .filter(r => !r.querySelector('.empty')).map(r => {
	    const c = r.querySelectorAll('td');
	    const detail = [...c[4].querySelectorAll('dt')]
	      .map(dt => dt.textContent + ': ' + dt.nextElementSibling.textContent);
	    const text = sel => c[3].querySelector(sel)?.textContent ?? '';
	    return {Who: c[2].textContent, Action: text('.action'), On: text('.object'),
	      Detail: detail.join('; ')};
	  })`)
}

// testAuditor signs in as the read-only auditor, who sees the pump but no
// form to change it, and whose post with a good CSRF token is refused.
func testAuditor(s *session, ts *testServer, h hospital, dev string) {
	s.login(string(auth.RoleAuditor), ts.pw[auth.RoleAuditor])
	path := "/devices/" + pathEscape(dev)
	s.open(path, http.StatusOK)
	controls := `form.edit, main select, main textarea, main input:not([type=hidden])`
	if n := eval[int](s, "document.querySelectorAll('"+controls+"').length"); n != 0 {
		s.t.Errorf("the auditor's device page has %d form controls, want none", n)
	}
	if got := fact(s, "Location"); got != wardPath {
		s.t.Errorf("the auditor sees the pump at %q, want %q", got, wardPath)
	}
	nav := eval[[]string](s, `[...document.querySelectorAll('header nav a')].map(a => a.textContent)`)
	for _, no := range []string{"Ingest", "Users", "API tokens"} {
		if slices.Contains(nav, no) {
			s.t.Errorf("the auditor's menu offers %s", no)
		}
	}

	status := postFromPage(s, path, true, "location=0&notes=moved+by+the+auditor")
	if status != http.StatusForbidden {
		s.t.Errorf("the auditor's post with its CSRF token: status %d, want 403", status)
	}
	s.expect("403")
	s.check("the auditor's device page")
	if d := getDevice(s.t, ts, dev); d.LocationID != h.ward.ID {
		s.t.Errorf("after the auditor's post the pump is at %d, want %d", d.LocationID, h.ward.ID)
	}

	s.open("/users", http.StatusForbidden)
	if got := s.text(".who > a"); !strings.Contains(got, "auditor") {
		s.t.Errorf("the 403 page does not say who is signed in: %q", got)
	}
}

// postFromPage posts a form body to path from a script in the page, as
// a form would, with or without the page's CSRF token, and returns the
// status.
func postFromPage(s *session, path string, token bool, body string) int {
	s.t.Helper()
	return eval[int](s, fmt.Sprintf(`(async () => {
	  let body = %q;
	  if (%t) body += '&csrf=' + encodeURIComponent(document.querySelector('input[name=csrf]').value);
	  const r = await fetch(%q, {method: 'POST', body, redirect: 'manual',
	    headers: {'Content-Type': 'application/x-www-form-urlencoded'}});
	  return r.status;
	})()`, body, token, path))
}

// testNoCSRF posts to the pump with the admin's session cookie but no
// CSRF token, from the page and from outside the browser; both are
// refused and nothing changes.
func testNoCSRF(s *session, ts *testServer, h hospital, dev string) {
	path := "/devices/" + pathEscape(dev)
	s.open(path, http.StatusOK)
	before := auditCount(s.t, ts, "device.update")
	body := "location=0&notes=moved+without+a+token&tags=forged"
	if got := postFromPage(s, path, false, body); got != http.StatusForbidden {
		s.t.Errorf("a post from the page without a CSRF token: status %d, want 403", got)
	}
	s.expect("403")
	s.check("the device page")

	c := s.cookie(sessionCookie)
	if c == nil {
		s.t.Fatal("no session cookie")
	}
	if got := postWithCookie(s.t, ts.URL+path, c, body); got != http.StatusForbidden {
		s.t.Errorf("a post with the session cookie but no CSRF token: status %d, want 403", got)
	}
	checkUnchanged(s.t, ts, h, dev, before)

	// The same cookie with the page's token is let through: the refusals
	// above were for the token alone. The form's values change nothing.
	token := eval[string](s, `document.querySelector('input[name=csrf]').value`)
	same := url.Values{"csrf": {token}, "location": {strconv.FormatInt(h.ward.ID, 10)}}
	if got := postWithCookie(s.t, ts.URL+path, c, same.Encode()); got != http.StatusSeeOther {
		s.t.Errorf("a post with the cookie and its CSRF token: status %d, want 303", got)
	}
	checkUnchanged(s.t, ts, h, dev, before)
}

// postWithCookie posts a form body from outside the browser with the
// browser's cookie c, and returns the status.
func postWithCookie(t *testing.T, u string, c *network.Cookie, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// checkUnchanged checks the pump is still on the ward, untagged and
// without notes, and the audit log has no new device.update.
func checkUnchanged(t *testing.T, ts *testServer, h hospital, dev string, updates int) {
	t.Helper()
	d := getDevice(t, ts, dev)
	if d.LocationID != h.ward.ID {
		t.Errorf("the pump moved to %d, want it left at %d", d.LocationID, h.ward.ID)
	}
	if len(d.Tags) != 0 {
		t.Errorf("the pump was tagged %q", d.Tags)
	}
	for _, a := range d.Attributes {
		if a.Source == store.SourceUser && a.Key == "notes" {
			t.Errorf("the pump got notes %q", a.Value)
		}
	}
	if got := auditCount(t, ts, "device.update"); got != updates {
		t.Errorf("the audit log has %d device.update entries, want %d", got, updates)
	}
}

func auditCount(t *testing.T, ts *testServer, action string) int {
	t.Helper()
	evs, err := ts.db.ListAuditFiltered(context.Background(), store.AuditQuery{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// testCrossSite loads a page of another site (localhost is another site
// than 127.0.0.1) whose form posts to the pump, and submits it. The
// browser sends no session cookie there (SameSite=Strict) and Ward
// refuses the cross-site post; nothing changes.
func testCrossSite(s *session, ts *testServer, h hospital, dev string) {
	before := auditCount(s.t, ts, "device.update")
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>prize</title><form method="post" action="%s/devices/%s">
<input name="location" value="0"><input name="tags" value="forged"><button>Claim</button></form>`,
			ts.URL, pathEscape(dev))
	}))
	defer evil.Close()
	u, _ := url.Parse(evil.URL)
	page := "http://localhost:" + u.Port() + "/"
	s.load("open the other site", chromedp.Navigate(page))
	if got := s.click("button"); got != http.StatusForbidden {
		s.t.Errorf("the other site's post: status %d, want 403", got)
	}
	s.discard() // the other site's page is not Ward's to keep clean
	checkUnchanged(s.t, ts, h, dev, before)
}

// testEveryPage opens every page an administrator has, and uses the
// forms that show a secret once, checking each is sound.
func testEveryPage(s *session, dev string) {
	for _, p := range []string{"/", "/devices", "/devices?q=nothing-matches-this",
		"/devices?sort=vendor&order=asc", "/devices/" + pathEscape(dev), "/register", "/ingest",
		"/audit", "/users", "/tokens", "/account"} {
		s.open(p, http.StatusOK)
	}
	s.open("/no-such-page", http.StatusNotFound)

	s.open("/users", http.StatusOK)
	s.run("fill in a new user", chromedp.SendKeys(chromedp.ID("name"), "j.bloggs"))
	if got := s.click(`form[action="/users"] button[type=submit]`); got != http.StatusOK {
		s.t.Fatalf("submit the users form: status %d", got)
	}
	s.check("the users page with a new password")
	if got := s.text(".secret code"); len(got) < 20 {
		s.t.Errorf("the new user's password shown is %q", got)
	}

	s.open("/tokens", http.StatusOK)
	s.run("fill in a token", chromedp.SendKeys(chromedp.ID("name"), "CMMS sync"))
	if got := s.click(`form[action="/tokens"] button[type=submit]`); got != http.StatusOK {
		s.t.Fatalf("submit the tokens form: status %d", got)
	}
	s.check("the tokens page with a new token")
	if got := s.text(".secret code"); auth.SecretKind(got) != auth.KindToken {
		s.t.Errorf("the token shown is %q, not a token", got)
	}
}

func testLogOut(s *session) {
	s.open("/", http.StatusOK)
	if got := s.click(`form[action="/logout"] button`); got != http.StatusOK {
		s.t.Fatalf("sign out: status %d", got)
	}
	s.check("the page after signing out")
	if got := s.path(); got != "/login" {
		s.t.Errorf("signed out at %s, want /login", got)
	}
	if c := s.cookie(sessionCookie); c != nil {
		s.t.Errorf("the session cookie outlived signing out")
	}
	s.open("/", http.StatusOK)
	if got := s.path(); got != "/login?next=%2F" {
		s.t.Errorf("the dashboard after signing out went to %s, want /login?next=%%2F", got)
	}
}
