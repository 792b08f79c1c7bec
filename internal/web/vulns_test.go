package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/demo"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/store"
)

// icsmaDir is the copy of CISA's 144 ICS medical advisories kept for the
// matcher's tests.
const icsmaDir = "../match/testdata/advisories/icsma"

// vulnTrust is a test server holding the demo trust (its capture and
// asset register) matched against the ICSMA advisories, with the devices
// that have findings placed in two sites, alternately.
type vulnTrust struct {
	*testServer
	siteA, siteB store.Location
	inA, inB     []string // devices with findings placed in each site
	register     []byte   // the demo trust's asset register
}

func newVulnTrust(t *testing.T, opts ...func(*Config)) *vulnTrust {
	t.Helper()
	vt := &vulnTrust{testServer: newTestServer(t, opts...)}
	vt.seedDemo(t)
	if _, err := vt.srv.cfg.Ingest.ImportFeeds(context.Background(), icsmaDir,
		advisory.LoadOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	vt.placeDevices(t)
	return vt
}

// seedDemo ingests the demo trust's capture and register.
func (vt *vulnTrust) seedDemo(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var pcap bytes.Buffer
	devs, err := demo.Write(&pcap, demo.Options{Seed: 1, Start: time.Unix(1_700_000_000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	ing := vt.srv.cfg.Ingest
	if _, err := ing.Capture(ctx, &pcap, "trust.pcap", "test"); err != nil {
		t.Fatal(err)
	}
	vt.register = demo.Register(devs, 1)
	if _, err := ing.Register(ctx, bytes.NewReader(vt.register), "cmms.csv", "", "test"); err != nil {
		t.Fatal(err)
	}
}

// placeDevices puts the devices with findings in two sites, alternately.
func (vt *vulnTrust) placeDevices(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var err error
	if vt.siteA, err = vt.db.AddLocation(ctx, store.Location{Kind: store.Site,
		Name: "Royal General"}); err != nil {
		t.Fatal(err)
	}
	if vt.siteB, err = vt.db.AddLocation(ctx, store.Location{Kind: store.Site,
		Name: "St Mary's"}); err != nil {
		t.Fatal(err)
	}
	for i, id := range vt.findingDevices(t) {
		site, in := vt.siteA, &vt.inA
		if i%2 == 1 {
			site, in = vt.siteB, &vt.inB
		}
		if err := vt.db.SetDeviceLocation(ctx, id, site.ID); err != nil {
			t.Fatal(err)
		}
		*in = append(*in, id)
	}
	if len(vt.inA) < 10 || len(vt.inB) < 10 {
		t.Fatalf("%d and %d devices with findings: too few to test with", len(vt.inA), len(vt.inB))
	}
}

// findings reads every finding, by device.
func (vt *vulnTrust) findings(t *testing.T) []store.FindingListRow {
	t.Helper()
	var out []store.FindingListRow
	q := store.FindingQuery{Order: "device", Limit: 500}
	for {
		list, err := vt.db.FilterFindings(context.Background(), q, store.FindingFilter{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, list.Rows...)
		if q.After = list.Next; q.After == "" {
			return out
		}
	}
}

// findingDevices are the devices with findings, sorted.
func (vt *vulnTrust) findingDevices(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, f := range vt.findings(t) {
		if !slices.Contains(out, f.DeviceID) {
			out = append(out, f.DeviceID)
		}
	}
	return out
}

// siteUser signs in a user whose role is limited to site.
func (vt *vulnTrust) siteUser(t *testing.T, name string, role auth.Role, site int64) *apiClient {
	t.Helper()
	_, pw, err := CreateUser(context.Background(), vt.db, name, store.Grant{Role: role,
		SiteID: site})
	if err != nil {
		t.Fatal(err)
	}
	c, csrf := loginAs(t, vt.testServer, name, pw)
	return &apiClient{t: t, base: vt.URL, c: c, csrf: csrf}
}

// page gets a page as a, wanting status.
func (a *apiClient) page(path string, want int) string {
	a.t.Helper()
	resp, b := a.call("GET", path, "", nil)
	if resp.StatusCode != want {
		a.t.Fatalf("GET %s: status %d, want %d\n%.800s", path, resp.StatusCode, want, b)
	}
	return string(b)
}

// form posts a page form as a, with its CSRF field.
func (a *apiClient) form(path string, v url.Values) (*http.Response, string) {
	a.t.Helper()
	v.Set(csrfField, a.csrf)
	req, err := http.NewRequest("POST", a.base+path, strings.NewReader(v.Encode()))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return fetch(a.t, a.c, req)
}

var findingRowRE = regexp.MustCompile(`<td><a href="/devices/([^"]+)">[^<]*</a>` +
	`<span class="sub">[^<]*</span></td>\s*<td><a href="/advisories/([^"]+)">`)

// listedFindings are the device and advisory of each row of a findings
// table, "device advisory".
func listedFindings(page string) []string {
	var out []string
	for _, m := range findingRowRE.FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(m[1])+" "+html.UnescapeString(m[2]))
	}
	return out
}

// TestVulnerabilitiesPage checks the list: real findings by priority, at
// or above the threshold and affected or under investigation by default,
// its filters, sorts and pages, and the figures on top.
func TestVulnerabilitiesPage(t *testing.T) {
	vt := newVulnTrust(t)
	a := vt.session(t, auth.RoleAuditor)
	body := a.page("/vulnerabilities", http.StatusOK)
	for _, want := range []string{"ICSMA-19-164-01", "Alaris", "CVE-2019-10959", "Review queue",
		"<details>", "Rulings as OpenVEX"} {
		if !strings.Contains(body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	if rows := listedFindings(body); len(rows) != 50 {
		t.Errorf("%d rows on the first page, want 50", len(rows))
	}
	all := vt.findings(t)
	var want []store.FindingListRow
	for _, f := range all {
		if f.Confidence >= match.DefaultThreshold && slices.Contains(defaultStatuses, f.Status) {
			want = append(want, f)
		}
	}
	if !strings.Contains(body, strconv.Itoa(len(want))+" findings") {
		t.Errorf("the heading does not count %d findings", len(want))
	}

	t.Run("filters", func(t *testing.T) {
		tests := []struct {
			query string
			keep  func(f store.FindingListRow) bool
		}{
			{"level=high", func(f store.FindingListRow) bool { return f.Level == "high" }},
			{"ssvc=attend&level=medium", func(f store.FindingListRow) bool {
				return f.SSVC == "attend" && f.Level == "medium"
			}},
			{"advisory=ICSMA-20-023-01", func(f store.FindingListRow) bool {
				return f.AdvisoryID == "ICSMA-20-023-01"
			}},
			{"q=alaris+gateway", func(f store.FindingListRow) bool {
				return strings.Contains(strings.ToLower(f.DeviceModel+" "+f.Product+" "+
					f.AdvisoryTitle), "alaris gateway")
			}},
			{"site=" + strconv.FormatInt(vt.siteB.ID, 10), func(f store.FindingListRow) bool {
				return slices.Contains(vt.inB, f.DeviceID)
			}},
		}
		for _, tc := range tests {
			var wantRows []string
			for _, f := range want {
				if tc.keep(f) {
					wantRows = append(wantRows, f.DeviceID+" "+f.AdvisoryID)
				}
			}
			if len(wantRows) == 0 {
				t.Errorf("%s: selects nothing, which proves nothing", tc.query)
				continue
			}
			got := listedFindings(a.page("/vulnerabilities?sort=device&limit=500&"+tc.query,
				http.StatusOK))
			if diff := cmp.Diff(wantRows, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.query, diff)
			}
		}
	})

	t.Run("statuses", func(t *testing.T) {
		forAction := 0
		for _, f := range all {
			if f.Confidence >= match.DefaultThreshold {
				forAction++
			}
		}
		n := len(listedFindings(a.page("/vulnerabilities?status=any&limit=500", http.StatusOK)))
		if n != min(forAction, 500) {
			t.Errorf("status=any lists %d, want %d", n, min(forAction, 500))
		}
		page := a.page("/vulnerabilities?status=fixed&limit=500", http.StatusOK)
		for _, row := range listedFindings(page) {
			dev, adv, _ := strings.Cut(row, " ")
			if i := slices.IndexFunc(all, func(f store.FindingListRow) bool {
				return f.DeviceID == dev && f.AdvisoryID == adv && f.Status == store.StatusFixed
			}); i < 0 {
				t.Errorf("status=fixed lists %s, which has no fixed finding", row)
			}
		}
	})

	t.Run("pages", func(t *testing.T) {
		var got []string
		next := "/vulnerabilities?limit=40"
		for pages := 0; next != ""; pages++ {
			page := a.page(next, http.StatusOK)
			got = append(got, listedFindings(page)...)
			m := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(page)
			next = ""
			if m != nil {
				next = html.UnescapeString(m[1])
			}
			if pages > 100 {
				t.Fatal("the pages do not end")
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d rows over every page, want %d", len(got), len(want))
		}
	})

	t.Run("bad filters", func(t *testing.T) {
		for _, q := range []string{"status=maybe", "level=severe", "ssvc=panic", "sort=random",
			"site=north", "limit=0", "limit=501", "cursor=nonsense", "q=%00"} {
			a.page("/vulnerabilities?"+q, http.StatusBadRequest)
		}
	})
}

// TestVulnerabilitiesCSV checks the export: every finding the filters
// select, formula cells defused, audited.
func TestVulnerabilitiesCSV(t *testing.T) {
	vt := newVulnTrust(t)
	a := vt.session(t, auth.RoleNetwork)
	seq := lastSeq(t, vt.testServer)
	resp, body := a.call("GET", "/vulnerabilities.csv?level=high&sort=device", "", nil)
	if resp.StatusCode != http.StatusOK ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("status %d, Content-Disposition %q", resp.StatusCode,
			resp.Header.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vulnCSVHeader, recs[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	high := 0
	for _, f := range vt.findings(t) {
		if f.Level == "high" && f.Confidence >= match.DefaultThreshold &&
			slices.Contains(defaultStatuses, f.Status) {
			high++
		}
	}
	if len(recs)-1 != high || high == 0 {
		t.Errorf("%d rows, want %d", len(recs)-1, high)
	}
	for _, r := range recs[1:] {
		if r[8] != "high" {
			t.Errorf("row of level %q in a high export", r[8])
		}
	}
	evs := auditAfter(t, vt.testServer, seq)
	if len(evs) != 1 || evs[0].Action != "export.vulnerabilities_csv" || evs[0].Actor != "network" {
		t.Errorf("audit: %v, want one export.vulnerabilities_csv by network", actions(evs))
	}
	row := vulnCSVRow(&store.FindingListRow{FindingRow: store.FindingRow{DeviceID: "=cmd|x",
		Reason: "+1", AdvisoryID: "@SUM(A1)", CVE: "-2"}})
	for i, want := range map[int]string{0: "'=cmd|x", 4: "'@SUM(A1)", 6: "'-2", 15: "'+1"} {
		if row[i] != want {
			t.Errorf("cell %d: %q, want %q", i, row[i], want)
		}
	}
}

// TestVulnerabilityScope checks a user limited to one site: the list,
// the export, the review queue, the API, an advisory's devices and the
// figures hold the findings of that site's devices only.
func TestVulnerabilityScope(t *testing.T) {
	vt := newVulnTrust(t)
	a := vt.siteUser(t, "ward-a", auth.RoleClinicalEngineering, vt.siteA.ID)
	onlyA := func(what string, devices []string) {
		t.Helper()
		if len(devices) == 0 {
			t.Errorf("%s: lists nothing", what)
		}
		for _, d := range devices {
			if !slices.Contains(vt.inA, d) {
				t.Errorf("%s: lists %s, a device of another site", what, d)
			}
		}
	}
	devicesOf := func(rows []string) []string {
		var out []string
		for _, r := range rows {
			d, _, _ := strings.Cut(r, " ")
			out = append(out, d)
		}
		return out
	}
	onlyA("list", devicesOf(listedFindings(a.page("/vulnerabilities?status=any&limit=500",
		http.StatusOK))))
	onlyA("review queue", linkedDevices(a.page("/vulnerabilities/review?limit=500",
		http.StatusOK)))
	onlyA("advisory", linkedDevices(a.page("/advisories/ICSMA-20-254-01", http.StatusOK)))
	if got := listedFindings(a.page("/vulnerabilities?site="+strconv.FormatInt(vt.siteB.ID, 10),
		http.StatusOK)); len(got) != 0 {
		t.Errorf("filtered to another site, the list shows %v", got)
	}
	_, body := a.call("GET", "/vulnerabilities.csv?status=any", "", nil)
	recs, _ := csv.NewReader(bytes.NewReader(body)).ReadAll()
	var exported []string
	for _, r := range recs[1:] {
		exported = append(exported, r[0])
	}
	onlyA("export", exported)

	var list apiFindingList
	a.get("/api/v1/findings?status=any&limit=500", http.StatusOK, &list)
	var apiDevices []string
	for _, f := range list.Findings {
		apiDevices = append(apiDevices, f.DeviceID)
	}
	onlyA("api", apiDevices)
	var q apiFindingList
	a.get("/api/v1/findings/review?limit=500", http.StatusOK, &q)
	apiDevices = nil
	for _, f := range q.Findings {
		apiDevices = append(apiDevices, f.DeviceID)
	}
	onlyA("api review queue", apiDevices)

	aud := vt.bearer(t, auth.RoleAuditor)
	var whole apiFindingList
	aud.get("/api/v1/findings?status=any&limit=1", http.StatusOK, &whole)
	if list.Figures.Devices >= whole.Figures.Devices || list.Figures.Total >= whole.Figures.Total {
		t.Errorf("figures of one site %+v are not fewer than of every site %+v", list.Figures,
			whole.Figures)
	}
	var advs apiAdvisoryList
	a.get("/api/v1/advisories?q=ICSMA-20-254-01", http.StatusOK, &advs)
	var all apiAdvisoryList
	aud.get("/api/v1/advisories?q=ICSMA-20-254-01", http.StatusOK, &all)
	if len(advs.Advisories) != 1 || advs.Advisories[0].Devices >= all.Advisories[0].Devices {
		t.Errorf("devices of ICSMA-20-254-01: %+v in one site, %+v in all", advs.Advisories,
			all.Advisories)
	}
}

// ruledFinding is a finding whose vendor, model and version (as matching
// sees them) two devices share: a ruling on one applies to the other.
type ruledFinding struct {
	f, other store.FindingListRow
	md       match.Device
}

// sharedFinding finds a finding of at least the threshold, affected and
// without a ruling, on a device whose model and version another device
// with the same finding has.
func sharedFinding(t *testing.T, vt *vulnTrust) ruledFinding {
	t.Helper()
	ctx := context.Background()
	type key struct{ vuln, advisory, vendor, model, version string }
	first := map[key]store.FindingListRow{}
	for _, f := range vt.findings(t) {
		if f.Decided || f.Status != store.StatusAffected || f.Confidence < match.DefaultThreshold ||
			f.CVE == "" {
			continue
		}
		md, err := vt.srv.cfg.Ingest.MatchDevice(ctx, f.DeviceID)
		if err != nil {
			t.Fatal(err)
		}
		k := key{f.CVE, f.AdvisoryID, match.DefaultVendors().Key(md.Vendor),
			match.ModelKey(md.Model), match.VersionKey(md.Version)}
		if g, ok := first[k]; ok && md.Version != "" {
			return ruledFinding{f: g, other: f, md: md}
		}
		first[k] = f
	}
	t.Fatal("no two devices share a finding, model and version")
	return ruledFinding{}
}

// findingNow reads one finding again.
func findingNow(t *testing.T, vt *vulnTrust, f store.FindingListRow) store.FindingListRow {
	t.Helper()
	for _, g := range vt.findings(t) {
		if g.DeviceID == f.DeviceID && g.AdvisoryID == f.AdvisoryID && g.CVE == f.CVE {
			return g
		}
	}
	t.Fatalf("finding %s %s on %s is gone", f.AdvisoryID, f.CVE, f.DeviceID)
	return f
}

// TestRulingPage rules on a finding through the review form: the ruling
// is saved for the model, the finding and the same finding of another
// device of the model change, the change is audited with the status
// before and after, and the page says what happened.
func TestRulingPage(t *testing.T) {
	vt := newVulnTrust(t)
	rf := sharedFinding(t, vt)
	a := vt.session(t, auth.RoleClinicalEngineering)
	one := a.page("/vulnerabilities/review?"+url.Values{"device": {rf.f.DeviceID},
		"advisory": {rf.f.AdvisoryID}, "cve": {rf.f.CVE}}.Encode(), http.StatusOK)
	if !strings.Contains(one, `action="/vulnerabilities/decisions"`) ||
		!strings.Contains(one, html.EscapeString(rf.f.Reason)) {
		t.Fatalf("the finding's page has no ruling form or reason:\n%.2000s", one)
	}
	seq := lastSeq(t, vt.testServer)
	back := "/vulnerabilities/review?" + url.Values{"device": {rf.f.DeviceID},
		"advisory": {rf.f.AdvisoryID}, "cve": {rf.f.CVE}}.Encode()
	resp, _ := a.form("/vulnerabilities/decisions", url.Values{"device": {rf.f.DeviceID},
		"advisory": {rf.f.AdvisoryID}, "cve": {rf.f.CVE}, "status": {"not_affected"},
		"justification": {"vulnerable_code_not_in_execute_path"},
		"note":          {"the web server is disabled on our pumps"}, "return": {back}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != back {
		t.Fatalf("status %d to %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"),
			back)
	}
	for _, f := range []store.FindingListRow{rf.f, rf.other} {
		if g := findingNow(t, vt, f); !g.Decided || g.Status != store.StatusNotAffected {
			t.Errorf("finding on %s after the ruling: decided %v, status %s; want a not "+
				"affected ruling", f.DeviceID, g.Decided, g.Status)
		}
	}
	ds, err := vt.db.Decisions(context.Background())
	if err != nil || len(ds) != 1 {
		t.Fatalf("decisions: %v, %+v", err, ds)
	}
	d := ds[0]
	if d.Vuln != rf.f.CVE || d.VendorKey != match.DefaultVendors().Key(rf.md.Vendor) ||
		d.ModelKey != match.ModelKey(rf.md.Model) || d.Version != match.VersionKey(rf.md.Version) ||
		d.Actor != "clinical-engineering" || d.AdvisoryID != rf.f.AdvisoryID {
		t.Errorf("decision %+v, want %s on %+v by clinical-engineering", d, rf.f.CVE, rf.md)
	}
	evs := auditAfter(t, vt.testServer, seq)
	i := slices.IndexFunc(evs, func(e store.AuditEvent) bool { return e.Action == "vulns.decision" })
	if i < 0 {
		t.Fatalf("no vulns.decision event among %v", actions(evs))
	}
	var detail map[string]any
	json.Unmarshal(evs[i].Detail, &detail)
	if evs[i].Actor != "clinical-engineering" || detail["from"] != "affected" ||
		detail["to"] != "not_affected" || detail["note"] != d.Note {
		t.Errorf("audit event %s %s %s", evs[i].Actor, evs[i].Object, evs[i].Detail)
	}
	page := a.page(back, http.StatusOK)
	if !strings.Contains(page, `role="status">Ruled `+rf.f.CVE) {
		t.Errorf("the page shows no message of the ruling:\n%.3000s", page)
	}
	history := a.page("/vulnerabilities/review?"+url.Values{"device": {rf.other.DeviceID},
		"advisory": {rf.f.AdvisoryID}, "cve": {rf.f.CVE}}.Encode(), http.StatusOK)
	if !strings.Contains(history, "the web server is disabled on our pumps") {
		t.Error("the other device's finding does not show the ruling's history")
	}
}

// TestRulingAPI rules through the API, then rules again: the answer says
// what the status was and how many devices the ruling settles, and the
// rulings list has it.
func TestRulingAPI(t *testing.T) {
	vt := newVulnTrust(t)
	rf := sharedFinding(t, vt)
	sec := vt.bearer(t, auth.RoleSecurity)
	var res apiDecisionResult
	sec.send("POST", "/api/v1/decisions", apiNewDecision{DeviceID: rf.f.DeviceID,
		Advisory: rf.f.AdvisoryID, CVE: rf.f.CVE, Status: "under_investigation",
		Note: "asked the manufacturer"}, http.StatusCreated, &res)
	if res.Previous != "affected" || res.Devices < 2 || res.Decision.Status != "under_investigation" ||
		res.Decision.Actor != "token:test-security" {
		t.Errorf("first ruling: %+v", res)
	}
	sec.send("POST", "/api/v1/decisions", apiNewDecision{DeviceID: rf.other.DeviceID,
		Advisory: rf.f.AdvisoryID, CVE: rf.f.CVE, Status: "affected",
		Note: "isolated on the pump VLAN until the update"}, http.StatusCreated, &res)
	if res.Previous != "under_investigation" || res.Devices < 2 {
		t.Errorf("second ruling: %+v", res)
	}
	var list apiDecisionList
	vt.bearer(t, auth.RoleAuditor).get("/api/v1/decisions", http.StatusOK, &list)
	if len(list.Decisions) != 1 || list.Decisions[0].Status != "affected" {
		t.Errorf("decisions: %+v, want the second ruling only", list.Decisions)
	}
	if g := findingNow(t, vt, rf.f); g.Status != store.StatusAffected || !g.Decided {
		t.Errorf("finding after the second ruling: %+v", g)
	}
}

// TestRulingRefused sends rulings that say nothing clear or that the
// user may not make: each is refused with a message saying why, through
// the form and the API, and nothing is stored or audited.
func TestRulingRefused(t *testing.T) {
	vt := newVulnTrust(t)
	rf := sharedFinding(t, vt)
	ok := apiNewDecision{DeviceID: rf.f.DeviceID, Advisory: rf.f.AdvisoryID, CVE: rf.f.CVE,
		Status: "not_affected", Justification: "component_not_present"}
	with := func(change func(d *apiNewDecision)) apiNewDecision {
		d := ok
		change(&d)
		return d
	}
	tests := []struct {
		name   string
		in     apiNewDecision
		status int
		says   string
	}{
		{"unknown status", with(func(d *apiNewDecision) { d.Status = "fine" }), 400, "status must be"},
		{"not affected without justification", with(func(d *apiNewDecision) {
			d.Justification = ""
		}), 400, "needs a justification"},
		{"unknown justification", with(func(d *apiNewDecision) {
			d.Justification = "we_think_so"
		}), 400, "justification must be"},
		{"unknown device", with(func(d *apiNewDecision) { d.DeviceID = "mac:00:00:5e:00:53:99" }),
			404, "no finding"},
		{"no device", with(func(d *apiNewDecision) { d.DeviceID = "" }), 400, "device_id is missing"},
		{"another CVE", with(func(d *apiNewDecision) { d.CVE = "CVE-1999-0001" }), 404, "no finding"},
		{"another advisory", with(func(d *apiNewDecision) { d.Advisory = "ICSMA-99-999-99" }), 404,
			"no finding"},
		{"note too long", with(func(d *apiNewDecision) { d.Note = strings.Repeat("x", 4001) }), 400,
			"longer than"},
		{"note not text", with(func(d *apiNewDecision) { d.Note = "a\x00b" }), 400, "control"},
		{"device id not text", with(func(d *apiNewDecision) { d.DeviceID = "mac\x00" }), 400,
			"device_id must be"},
	}
	sec := vt.bearer(t, auth.RoleSecurity)
	page := vt.session(t, auth.RoleSecurity)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seq := lastSeq(t, vt.testServer)
			msg := sec.errorOf("POST", "/api/v1/decisions", "application/json", mustJSON(t, tc.in),
				tc.status)
			if !strings.Contains(msg, tc.says) {
				t.Errorf("api: %q, want it to say %q", msg, tc.says)
			}
			resp, body := page.form("/vulnerabilities/decisions", url.Values{
				"device": {tc.in.DeviceID}, "advisory": {tc.in.Advisory}, "cve": {tc.in.CVE},
				"status": {tc.in.Status}, "justification": {tc.in.Justification},
				"note": {tc.in.Note}})
			if resp.StatusCode != tc.status || !strings.Contains(pageError(body), tc.says) {
				t.Errorf("form: status %d saying %q, want %d saying %q", resp.StatusCode,
					pageError(body), tc.status, tc.says)
			}
			noRulings(t, vt, seq)
		})
	}

	t.Run("justification for another status", func(t *testing.T) {
		seq := lastSeq(t, vt.testServer)
		in := with(func(d *apiNewDecision) { d.Status = "fixed" })
		msg := sec.errorOf("POST", "/api/v1/decisions", "application/json", mustJSON(t, in), 400)
		if !strings.Contains(msg, "for not_affected only") {
			t.Errorf("api: %q", msg)
		}
		noRulings(t, vt, seq)
	})
	t.Run("unknown field", func(t *testing.T) {
		msg := sec.errorOf("POST", "/api/v1/decisions", "application/json",
			[]byte(`{"device_id":"x","advisory":"y","status":"fixed","vendor":"z"}`), 400)
		if !strings.Contains(msg, `unknown field "vendor"`) {
			t.Errorf("api: %q", msg)
		}
	})
	t.Run("reviewer of one site", func(t *testing.T) {
		seq := lastSeq(t, vt.testServer)
		site := vt.siteUser(t, "ce-a", auth.RoleClinicalEngineering, vt.siteA.ID)
		in := ok
		in.DeviceID = vt.inA[0]
		msg := site.errorOf("POST", "/api/v1/decisions", "application/json", mustJSON(t, in), 403)
		if !strings.Contains(msg, "all sites") {
			t.Errorf("api: %q", msg)
		}
		noRulings(t, vt, seq)
	})
	t.Run("role without review", func(t *testing.T) {
		vt.bearer(t, auth.RoleNetwork).errorOf("POST", "/api/v1/decisions", "application/json",
			mustJSON(t, ok), 403)
		resp, _ := vt.session(t, auth.RoleAuditor).form("/vulnerabilities/decisions",
			url.Values{"device": {ok.DeviceID}, "advisory": {ok.Advisory}, "cve": {ok.CVE},
				"status": {ok.Status}, "justification": {ok.Justification}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("auditor's form: status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("no CSRF token", func(t *testing.T) {
		seq := lastSeq(t, vt.testServer)
		v := url.Values{"device": {ok.DeviceID}, "advisory": {ok.Advisory}, "cve": {ok.CVE},
			"status": {ok.Status}, "justification": {ok.Justification}}
		resp, _ := fetch(t, page.c, formRequest(t, vt.URL+"/vulnerabilities/decisions", v))
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("form without its token: status %d, want 403", resp.StatusCode)
		}
		api := &apiClient{t: t, base: vt.URL, c: page.c}
		api.errorOf("POST", "/api/v1/decisions", "application/json", mustJSON(t, ok), 403)
		noRulings(t, vt, seq)
	})
}

// noRulings fails if a ruling is stored or anything audited after seq.
func noRulings(t *testing.T, vt *vulnTrust, seq int64) {
	t.Helper()
	if ds, err := vt.db.Decisions(context.Background()); err != nil || len(ds) != 0 {
		t.Errorf("decisions stored: %v %+v", err, ds)
	}
	for _, e := range auditAfter(t, vt.testServer, seq) {
		if e.Action == "vulns.decision" {
			t.Errorf("a refused ruling was audited: %s %s", e.Actor, e.Object)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReviewQueue checks the queue: the findings below the threshold no
// ruling settles, each with its reason and, for a reviewer, a form.
func TestReviewQueue(t *testing.T) {
	vt := newVulnTrust(t)
	var want []string
	for _, f := range vt.findings(t) {
		if f.Confidence < match.DefaultThreshold && !f.Decided {
			want = append(want, f.DeviceID)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	ce := vt.session(t, auth.RoleClinicalEngineering)
	body := ce.page("/vulnerabilities/review?limit=500", http.StatusOK)
	if diff := cmp.Diff(want, linkedDevices(body)); diff != "" || len(want) == 0 {
		t.Errorf("devices in the queue (-want +got):\n%s", diff)
	}
	if n := strings.Count(body, `action="/vulnerabilities/decisions"`); n == 0 {
		t.Error("a reviewer sees no ruling forms")
	}
	if !strings.Contains(body, "Why it matched") {
		t.Error("the queue shows no reasons")
	}
	aud := vt.session(t, auth.RoleAuditor).page("/vulnerabilities/review", http.StatusOK)
	if strings.Contains(aud, `action="/vulnerabilities/decisions"`) {
		t.Error("an auditor sees ruling forms")
	}
	var q apiFindingList
	vt.bearer(t, auth.RoleAuditor).get("/api/v1/findings/review?limit=500", http.StatusOK, &q)
	if q.Total == 0 || q.Total != q.Figures.Review {
		t.Errorf("api review queue: %d findings, figures say %d", q.Total, q.Figures.Review)
	}
	vt.session(t, auth.RoleAuditor).page("/vulnerabilities/review?device=nothing&advisory=x",
		http.StatusNotFound)
}

// TestAdvisoryPages checks the advisory list and one advisory's page
// against the stored document, and the API beside them.
func TestAdvisoryPages(t *testing.T) {
	vt := newVulnTrust(t)
	a := vt.session(t, auth.RoleAuditor)
	list := a.page("/advisories", http.StatusOK)
	if n := strings.Count(list, `<a href="/advisories/ICSMA-`); n != 50 {
		t.Errorf("the first page lists %d advisories, want 50", n)
	}
	found := a.page("/advisories?q=cve-2019-10959", http.StatusOK)
	if !strings.Contains(found, "ICSMA-19-164-01") ||
		strings.Count(found, `<a href="/advisories/ICSMA-`) != 1 {
		t.Errorf("a search for CVE-2019-10959 does not find ICSMA-19-164-01 alone")
	}
	adv, _, err := vt.db.Advisory(context.Background(), "ICSMA-19-164-01")
	if err != nil {
		t.Fatal(err)
	}
	page := a.page("/advisories/ICSMA-19-164-01", http.StatusOK)
	for _, want := range []string{adv.Title, adv.Vulns[0].CVE, adv.Vulns[0].Scores[0].Vector,
		"Devices it matched", "RGH-IP-"} {
		if !strings.Contains(page, html.EscapeString(want)) {
			t.Errorf("the advisory's page lacks %q", want)
		}
	}
	if n := strings.Count(page, `rel="noreferrer noopener"`); n == 0 ||
		n != strings.Count(page, `<a href="http`) {
		t.Errorf("%d links are noreferrer noopener, of %d outside links", n,
			strings.Count(page, `<a href="http`))
	}
	a.page("/advisories/ICSMA-00-000-00", http.StatusNotFound)
	a.page("/advisories?limit=0", http.StatusBadRequest)

	au := vt.bearer(t, auth.RoleAuditor)
	var d apiAdvisoryDetail
	au.get("/api/v1/advisories/ICSMA-19-164-01", http.StatusOK, &d)
	if d.ID != adv.ID || len(d.Products) != len(adv.Products) || len(d.Vulns) != len(adv.Vulns) ||
		d.Vulns[0].Scores[0].Base != adv.Vulns[0].Scores[0].Base || d.FindingsAll == 0 {
		t.Errorf("api advisory: %+v", d)
	}
	au.errorOf("GET", "/api/v1/advisories/nothing", "", nil, http.StatusNotFound)
	var pg1, pg2 apiAdvisoryList
	au.get("/api/v1/advisories?limit=100", http.StatusOK, &pg1)
	au.get("/api/v1/advisories?limit=100&cursor="+url.QueryEscape(pg1.NextCursor), http.StatusOK, &pg2)
	if len(pg1.Advisories) != 100 || len(pg2.Advisories) != 44 || pg2.NextCursor != "" {
		t.Errorf("pages of %d and %d advisories (next %q), want 100 and 44", len(pg1.Advisories),
			len(pg2.Advisories), pg2.NextCursor)
	}
}

// TestDeviceVulnerabilities checks the device page's vulnerabilities.
func TestDeviceVulnerabilities(t *testing.T) {
	vt := newVulnTrust(t)
	f := vt.findings(t)[0]
	page := vt.session(t, auth.RoleSecurity).page("/devices/"+pathEscape(f.DeviceID), http.StatusOK)
	for _, want := range []string{`id="vulns"`, f.AdvisoryID, "/vulnerabilities/review?device="} {
		if !strings.Contains(page, want) {
			t.Errorf("the device page lacks %q", want)
		}
	}
	if aud := vt.session(t, auth.RoleAuditor).page("/devices/"+pathEscape(f.DeviceID),
		http.StatusOK); strings.Contains(aud, "/vulnerabilities/review?device=") {
		t.Error("an auditor's device page links to a ruling form")
	}
}

func init() {
	moreOpenAPICalls = append(moreOpenAPICalls, vulnOpenAPICalls)
}

// vulnOpenAPICalls seeds the demo trust and the ICSMA advisories, and
// returns the calls that check the vulnerability routes' answers against
// the OpenAPI document. The calls before them import a register of their
// own, so the demo trust's is imported again before the ruling.
func vulnOpenAPICalls(t *testing.T, ts *testServer) []openAPICall {
	vt := &vulnTrust{testServer: ts}
	vt.seedDemo(t)
	if _, err := ts.srv.cfg.Ingest.ImportFeeds(context.Background(), icsmaDir,
		advisory.LoadOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	rf := sharedFinding(t, vt)
	ruling := string(mustJSON(t, apiNewDecision{DeviceID: rf.f.DeviceID, Advisory: rf.f.AdvisoryID,
		CVE: rf.f.CVE, Status: "affected", Note: "isolated until the update"}))
	feed := string(apiReadFile(t, filepath.Join(icsmaDir, "icsma-20-049-01.json")))
	return []openAPICall{
		{"GET /api/v1/findings", "/api/v1/findings?limit=3", "", "", 200},
		{"GET /api/v1/findings", "/api/v1/findings?level=severe", "", "", 400},
		{"GET /api/v1/findings/review", "/api/v1/findings/review?limit=3", "", "", 200},
		{"POST /api/v1/register", "/api/v1/register", "text/csv", string(vt.register), 201},
		{"POST /api/v1/decisions", "/api/v1/decisions", "application/json", ruling, 201},
		{"POST /api/v1/decisions", "/api/v1/decisions", "application/json",
			`{"device_id":"x","advisory":"y","status":"fine"}`, 400},
		{"POST /api/v1/decisions", "/api/v1/decisions", "application/json",
			`{"device_id":"x","advisory":"y","status":"fixed"}`, 404},
		{"GET /api/v1/decisions", "/api/v1/decisions", "", "", 200},
		{"GET /api/v1/advisories", "/api/v1/advisories?limit=3", "", "", 200},
		{"GET /api/v1/advisories/{id}", "/api/v1/advisories/" + rf.f.AdvisoryID, "", "", 200},
		{"GET /api/v1/advisories/{id}", "/api/v1/advisories/nothing", "", "", 404},
		{"POST /api/v1/feeds", "/api/v1/feeds?name=icsma-20-049-01.json", "application/json",
			feed, 200},
		{"POST /api/v1/feeds", "/api/v1/feeds", "application/json", "{}", 422},
		{"POST /api/v1/feeds", "/api/v1/feeds", "text/plain", "x", 415},
		{"GET /api/v1/vex", "/api/v1/vex?format=openvex", "", "", 200},
		{"GET /api/v1/vex", "/api/v1/vex?format=pdf", "", "", 400},
	}
}
