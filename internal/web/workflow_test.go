package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/demo"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/store"
)

// icsmaAdvisories is the copy of CISA's 144 ICS medical advisories kept
// for the matcher's tests.
const icsmaAdvisories = "../match/testdata/advisories/icsma"

// geCVE is a CVE of ICSMA-20-023-01, on GE's CARESCAPE monitors and
// central stations, which the demo trust has.
const geCVE = "CVE-2020-6961"

// workflowEnv is a server holding the demo trust matched against the
// ICSMA advisories, with the devices that have findings on geCVE placed
// in two sites, and a clock that moves only when told.
type workflowEnv struct {
	ts           *testServer
	clock        *fakeClock
	siteA, siteB store.Location
	geA, geB     []string     // devices with findings on geCVE, in site A and B
	sec          *http.Client // a security session that records alerts
	secCSRF      string
}

func newWorkflowEnv(t *testing.T) *workflowEnv {
	t.Helper()
	clock := &fakeClock{t: time.Now().UTC().Truncate(time.Minute)}
	ts := newTestServer(t, func(c *Config) { c.Now = clock.Now })
	seedWorkflowTrust(t, ts.srv.cfg.Ingest)
	e := &workflowEnv{ts: ts, clock: clock}
	ctx := context.Background()
	add := func(l store.Location) store.Location {
		l, err := ts.db.AddLocation(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	e.siteA = add(store.Location{Kind: store.Site, Name: "Riverside General"})
	e.siteB = add(store.Location{Kind: store.Site, Name: "Northgate Infirmary"})
	ward := add(store.Location{Kind: store.Ward, Name: "Theatre 2", ParentID: e.siteA.ID})
	ge := findingDeviceIDs(t, ts, geCVE)
	if len(ge) < 3 {
		t.Fatalf("%d devices with findings on %s, want 3 or more", len(ge), geCVE)
	}
	e.geA, e.geB = ge[:len(ge)-2], ge[len(ge)-2:]
	for i, id := range ge {
		loc := ward.ID
		if slices.Contains(e.geB, id) {
			loc = e.siteB.ID
		} else if i == 0 {
			loc = e.siteA.ID
		}
		if err := ts.db.SetDeviceLocation(ctx, id, loc); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// seedWorkflowTrust fills the store with the demo trust's
// capture and asset register, then imports the ICSMA advisories, which
// matches every device.
func seedWorkflowTrust(t testing.TB, ing *ingest.Service) {
	t.Helper()
	ctx := context.Background()
	var pcap bytes.Buffer
	devs, err := demo.Write(&pcap, demo.Options{Seed: 1, Start: time.Unix(1_700_000_000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ing.Capture(ctx, &pcap, "trust.pcap", "test"); err != nil {
		t.Fatal(err)
	}
	reg := bytes.NewReader(demo.Register(devs, 1))
	if _, err := ing.Register(ctx, reg, "cmms.csv", "", "test"); err != nil {
		t.Fatal(err)
	}
	res, err := ing.ImportFeeds(ctx, icsmaAdvisories, advisory.LoadOptions{}, "test")
	if err != nil || res.Advisories.Added != 144 {
		t.Fatalf("import of the ICSMA advisories: %v %+v", err, res.Advisories)
	}
}

// findingDeviceIDs lists, through the store's own page of findings, the
// devices with a finding on cve that an alert applies to: any status but
// not affected, at the default threshold or above.
func findingDeviceIDs(t *testing.T, ts *testServer, cve string, sites ...int64) []string {
	t.Helper()
	pg, err := ts.db.Findings(context.Background(), store.FindingQuery{CVE: cve, Limit: 500,
		SiteIDs: sites})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range pg.Rows {
		if f.Status != store.StatusNotAffected && f.Confidence >= match.DefaultThreshold {
			ids = append(ids, f.DeviceID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// form posts a page form with the session's CSRF token and follows a
// redirect to the page it names.
func (e *workflowEnv) form(t *testing.T, c *http.Client, csrf, path string, v url.Values) (
	*http.Response, string) {
	t.Helper()
	v.Set(csrfField, csrf)
	resp, body := postForm(t, c, e.ts.URL+path, v)
	if resp.StatusCode == http.StatusSeeOther {
		_, body = get(t, c, e.ts.URL+resp.Header.Get("Location"))
	}
	return resp, body
}

// plans reads every plan and its history, to see that nothing changed.
func (e *workflowEnv) plans(t *testing.T) map[int64][]store.PatchEvent {
	t.Helper()
	ctx := context.Background()
	ps, err := e.ts.db.PatchPlans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]store.PatchEvent{}
	for _, p := range ps {
		if out[p.ID], err = e.ts.db.PatchEvents(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// plan reads one plan.
func (e *workflowEnv) plan(t *testing.T, id int64) store.PatchPlan {
	t.Helper()
	p, err := e.ts.srv.findPlan(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// idIn reads the id a redirect's Location ends in: /patches/7.
func idIn(t *testing.T, resp *http.Response) int64 {
	t.Helper()
	loc := resp.Header.Get("Location")
	id, err := strconv.ParseInt(loc[strings.LastIndexByte(loc, '/')+1:], 10, 64)
	if resp.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("status %d, Location %q: want 303 to the new thing", resp.StatusCode, loc)
	}
	return id
}

// auditDetailOf decodes an audit event's detail.
func auditDetailOf(t *testing.T, ev store.AuditEvent) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ev.Detail, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// changesOf lists an audit event's changes as "field: from → to".
func changesOf(t *testing.T, ev store.AuditEvent) []string {
	t.Helper()
	var d struct{ Changes []change }
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range d.Changes {
		out = append(out, c.Field+": "+c.From+" → "+c.To)
	}
	return out
}

// TestWorkflowPages runs the patch workflow and the cyber alerts through
// their pages, on one server holding the demo trust.
func TestWorkflowPages(t *testing.T) {
	t.Parallel()
	e := newWorkflowEnv(t)
	t.Run("patch plan through every state", func(t *testing.T) { testPlanStates(t, e) })
	t.Run("moves out of order", func(t *testing.T) { testPlanOrder(t, e) })
	t.Run("approved versions", func(t *testing.T) { testApprovedVersions(t, e) })
	t.Run("bad patch input", func(t *testing.T) { testBadPatchInput(t, e) })
	t.Run("alert devices", func(t *testing.T) { testAlertDevices(t, e) })
	t.Run("alert clock", func(t *testing.T) { testAlertClock(t, e) })
	t.Run("alert moves", func(t *testing.T) { testAlertMoves(t, e) })
	t.Run("bad alert input", func(t *testing.T) { testBadAlertInput(t, e) })
	t.Run("roles", func(t *testing.T) { testWorkflowRoles(t, e) })
}

// testPlanStates creates a plan for the demo's CARESCAPE B650 monitors at
// 2.0.8 and moves it from available to deployed: scheduled needs a
// window; each move is in the history and the audit log.
func testPlanStates(t *testing.T, e *workflowEnv) {
	ts := e.ts
	c, csrf := ts.login(t, auth.RoleClinicalEngineering)
	seq := lastSeq(t, ts)
	resp, page := e.form(t, c, csrf, "/patches", url.Values{"vendor": {"GE Healthcare"},
		"model": {"CARESCAPE B650"}, "from_version": {" 2.0.8 "}, "target_version": {"3.1.2"},
		"end_of_support": {"2031-06-30"}, "compensating_controls": {"Monitoring VLAN only"},
		"note": {"ICSMA-20-023-01"}})
	id := idIn(t, resp)
	if !strings.Contains(page, "The plan for GE Healthcare CARESCAPE B650 was created.") {
		t.Errorf("no flash on the plan's page:\n%.2000s", page)
	}
	p := e.plan(t, id)
	want := store.PatchPlan{ID: id, Vendor: "GE Healthcare", Model: "CARESCAPE B650",
		VendorKey: match.DefaultVendors().Key("GE Healthcare"), ModelKey: match.ModelKey("CARESCAPE B650"),
		FromVersion: "2.0.8", TargetVersion: "3.1.2", State: store.PatchAvailable,
		EndOfSupport:         time.Date(2031, 6, 30, 0, 0, 0, 0, time.UTC),
		CompensatingControls: "Monitoring VLAN only", Note: "ICSMA-20-023-01",
		UpdatedBy: "clinical-engineering", UpdatedAt: e.clock.Now()}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("stored plan (-want +got):\n%s", diff)
	}
	evs := auditAfter(t, ts, seq)
	if got := actions(evs); !slices.Equal(got, []string{"clinical-engineering patch.create"}) {
		t.Fatalf("audit: %v", got)
	}
	if got := changesOf(t, evs[0]); !slices.Contains(got, "from_version:  → 2.0.8") ||
		!slices.Contains(got, "state:  → available") {
		t.Errorf("audited changes %v lack the version or the state", got)
	}

	devices := e.planDevices(t, &p)
	if devices == 0 {
		t.Fatal("the demo trust has no CARESCAPE B650 at 2.0.8: the test needs one")
	}
	_, board := get(t, c, ts.URL+"/patches")
	row := fmt.Sprintf(`<a href="/patches/%d">GE Healthcare CARESCAPE B650</a>`, id)
	count := fmt.Sprintf(`<td class="num">%d</td>`, devices)
	if !strings.Contains(board, row) || !strings.Contains(board, count) {
		t.Errorf("the board does not list the plan with its %d devices:\n%s", devices, mainOf(board))
	}

	scheduled := func(start, end string) url.Values {
		v := url.Values{"to": {"scheduled"}}
		if start != "" {
			v.Set("window_start", start)
		}
		if end != "" {
			v.Set("window_end", end)
		}
		return v
	}
	const start, end = "2026-12-12T22:00", "2026-12-13T02:00"
	steps := []struct {
		form url.Values
		want store.PatchState
		say  string // on the page after, when the move is refused
	}{
		{url.Values{"note": {"GE letter 2026-11"}}, store.PatchValidated, ""},
		{url.Values{"to": {"tested"}}, store.PatchTested, ""},
		{scheduled("", ""), store.PatchTested,
			"Window start: scheduled needs a maintenance window: give its start and end."},
		{scheduled(start, ""), store.PatchTested,
			"Window end: a window needs both its start and its end."},
		{scheduled(end, start), store.PatchTested, "Window end: must be after the window"},
		{scheduled(start, end), store.PatchScheduled, ""},
		{url.Values{}, store.PatchDeployed, ""},
		{url.Values{}, store.PatchDeployed, "the plan is deployed, the last state"},
	}
	for _, st := range steps {
		before, seq := e.plans(t), lastSeq(t, ts)
		resp, page := e.form(t, c, csrf, fmt.Sprintf("/patches/%d/move", id), st.form)
		if got := e.plan(t, id).State; got != st.want {
			t.Fatalf("after %v: state %s, want %s", st.form, got, st.want)
		}
		if st.say == "" {
			if aud := auditAfter(t, ts, seq); resp.StatusCode != http.StatusSeeOther || len(aud) != 1 {
				t.Errorf("move %v: status %d, audit %v", st.form, resp.StatusCode, actions(aud))
			}
			continue
		}
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, st.say) {
			t.Errorf("move %v: status %d, want 400 saying %q:\n%s", st.form, resp.StatusCode,
				st.say, mainOf(page))
		}
		if diff := cmp.Diff(before, e.plans(t)); diff != "" || len(auditAfter(t, ts, seq)) != 0 {
			t.Errorf("a refused move changed the plans (%s) or the audit log", diff)
		}
	}
	p = e.plan(t, id)
	if !p.WindowStart.Equal(time.Date(2026, 12, 12, 22, 0, 0, 0, time.UTC)) ||
		!p.WindowEnd.Equal(time.Date(2026, 12, 13, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("window %v to %v", p.WindowStart, p.WindowEnd)
	}
	var history []string
	for _, ev := range e.plans(t)[id] {
		history = append(history, fmt.Sprintf("%s %s→%s forced=%v %s", ev.Actor, ev.From, ev.To,
			ev.Forced, ev.Note))
	}
	wantHistory := []string{
		"clinical-engineering →available forced=false created",
		"clinical-engineering available→manufacturer_validated forced=false GE letter 2026-11",
		"clinical-engineering manufacturer_validated→tested forced=false ",
		"clinical-engineering tested→tested forced=false changed window",
		"clinical-engineering tested→scheduled forced=false ",
		"clinical-engineering scheduled→deployed forced=false ",
	}
	if diff := cmp.Diff(wantHistory, history); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	_, page = get(t, c, ts.URL+fmt.Sprintf("/patches/%d", id))
	for _, s := range []string{"GE letter 2026-11", "2026-12-12 22:00 UTC to 2026-12-13 02:00 UTC",
		`aria-current="step" class="current">Deployed`, "6 changes"} {
		if !strings.Contains(page, s) {
			t.Errorf("the plan's page lacks %q", s)
		}
	}
}

// planDevices counts the devices of a plan as the ingestion's matching
// sees them (ingest.Service.MatchDevice), device by device: the count
// the pages must show.
func (e *workflowEnv) planDevices(t *testing.T, p *store.PatchPlan) int {
	t.Helper()
	n := 0
	for _, d := range e.ts.allDevices(t) {
		md, err := e.ts.srv.cfg.Ingest.MatchDevice(context.Background(), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if match.DefaultVendors().Key(md.Vendor) == p.VendorKey && match.ModelKey(md.Model) == p.ModelKey &&
			(p.FromVersion == "" || match.VersionKey(md.Version) == p.FromVersion) {
			n++
		}
	}
	return n
}

// testPlanOrder moves a plan out of order: without force the store's
// refusal is shown and nothing changes; with force the move is made and
// the history and audit log say it was forced.
func testPlanOrder(t *testing.T, e *workflowEnv) {
	ts := e.ts
	c, csrf := ts.login(t, auth.RoleAdmin)
	resp, _ := e.form(t, c, csrf, "/patches", url.Values{"vendor": {"Baxter"},
		"model": {"Sigma Spectrum"}, "from_version": {"8.00.01"}})
	id := idIn(t, resp)
	move := fmt.Sprintf("/patches/%d/move", id)

	before, seq := e.plans(t), lastSeq(t, ts)
	resp, page := e.form(t, c, csrf, move, url.Values{"to": {"deployed"}, "note": {"skip"}})
	say := "manufacturer_validated comes after available, not deployed: force the move to go there"
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, say) {
		t.Errorf("status %d, want 409 saying %q:\n%s", resp.StatusCode, say, mainOf(page))
	}
	if diff := cmp.Diff(before, e.plans(t)); diff != "" || len(auditAfter(t, ts, seq)) != 0 {
		t.Errorf("a refused move changed the plans (%s) or the audit log", diff)
	}

	resp, page = e.form(t, c, csrf, move, url.Values{"to": {"tested"}, "force": {"1"},
		"note": {"validated by the manufacturer's bulletin already"}})
	if resp.StatusCode != http.StatusSeeOther || e.plan(t, id).State != store.PatchTested {
		t.Fatalf("forced move: status %d, state %s", resp.StatusCode, e.plan(t, id).State)
	}
	evs := e.plans(t)[id]
	if last := evs[len(evs)-1]; !last.Forced || last.From != store.PatchAvailable || last.Actor != "admin" {
		t.Errorf("last event %+v, want a forced move from available by admin", last)
	}
	if !strings.Contains(page, `<span class="badge warn">forced</span>`) {
		t.Errorf("the history does not mark the forced move:\n%.3000s", page)
	}
	aud := auditAfter(t, ts, seq)
	if len(aud) != 1 || aud[0].Action != "patch.move" || auditDetailOf(t, aud[0])["forced"] != true {
		t.Errorf("audit %v, want one forced patch.move", actions(aud))
	} else if got := changesOf(t, aud[0]); !slices.Equal(got, []string{"state: available → tested"}) {
		t.Errorf("audited changes %v", got)
	}

	// And back, forced, from the last state.
	e.form(t, c, csrf, move, url.Values{"to": {"deployed"}, "force": {"1"}})
	resp, _ = e.form(t, c, csrf, move, url.Values{"to": {"available"}, "force": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || e.plan(t, id).State != store.PatchAvailable {
		t.Errorf("forced move back: status %d, state %s", resp.StatusCode, e.plan(t, id).State)
	}
}

// testApprovedVersions records a version the manufacturer approved, then
// the same again with another reference: the audit log has the old and
// the new; a plan whose target it is shows it approved.
func testApprovedVersions(t *testing.T, e *workflowEnv) {
	ts := e.ts
	c, csrf := ts.login(t, auth.RoleClinicalEngineering)
	seq := lastSeq(t, ts)
	v := url.Values{"vendor": {"GE Healthcare"}, "model": {"CARESCAPE B650"},
		"version": {"3.1.2"}, "source": {"letter"}, "reference": {"GE-2026-0117"}}
	resp, page := e.form(t, c, csrf, "/patches/approved", v)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(page, "GE-2026-0117") {
		t.Fatalf("status %d\n%s", resp.StatusCode, mainOf(page))
	}
	v.Set("reference", "GE-2026-0142")
	v.Set("source", "bulletin")
	e.form(t, c, csrf, "/patches/approved", v)
	all, err := ts.db.ApprovedVersions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(all, func(a store.ApprovedVersion) bool { return a.Version == "3.1.2" })
	if i < 0 || all[i].Reference != "GE-2026-0142" || all[i].Source != "bulletin" ||
		all[i].Actor != "clinical-engineering" || all[i].ModelKey != match.ModelKey("CARESCAPE B650") {
		t.Fatalf("approved versions %+v", all)
	}
	aud := auditAfter(t, ts, seq)
	if got := actions(aud); len(got) != 2 || got[1] != "clinical-engineering patch.approve_version" {
		t.Fatalf("audit %v", got)
	}
	wantChanges := []string{"source: letter → bulletin", "reference: GE-2026-0117 → GE-2026-0142"}
	if diff := cmp.Diff(wantChanges, changesOf(t, aud[1])); diff != "" {
		t.Errorf("audited replacement (-want +got):\n%s", diff)
	}
	_, board := get(t, c, ts.URL+"/patches")
	if !strings.Contains(board, `3.1.2 <span class="badge ok">approved</span>`) {
		t.Errorf("the B650 plan's target is not shown approved:\n%.4000s", board)
	}
}

// testBadPatchInput sends forms that must be refused with a message
// naming what is wrong, storing and auditing nothing.
func testBadPatchInput(t *testing.T, e *workflowEnv) {
	ts := e.ts
	c, csrf := ts.login(t, auth.RoleClinicalEngineering)
	resp, _ := e.form(t, c, csrf, "/patches", url.Values{"vendor": {"Philips"},
		"model": {"IntelliVue MX800"}, "from_version": {"M.00.03"}})
	move := fmt.Sprintf("/patches/%d/move", idIn(t, resp))
	plan := func(kv ...string) url.Values {
		v := url.Values{"vendor": {"Philips"}, "model": {"IntelliVue MX450"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name, path string
		form       url.Values
		status     int
		say        string
	}{
		{"no vendor", "/patches", plan("vendor", " "), 400, "Vendor: is required."},
		{"model too long", "/patches", plan("model", strings.Repeat("x", 201)), 400,
			"Model: is longer than 200 bytes."},
		{"control characters", "/patches", plan("target_version", "1.0\x1b[31m"), 400,
			"Target version: must be text on one line"},
		{"no model words", "/patches", plan("model", "--"), 400, "Model: names no vendor or model words"},
		{"bad end of support", "/patches", plan("end_of_support", "31/12/2027"), 400,
			"End of support: &#34;31/12/2027&#34; is not a date"},
		{"the same plan again", "/patches", url.Values{"vendor": {"PHILIPS"}, "model": {"intellivue  MX800"},
			"from_version": {"m.00.03"}}, 409,
			"There is already a plan for PHILIPS intellivue  MX800 at m.00.03."},
		{"unknown state", move, url.Values{"to": {"done"}}, 400,
			"To: must be one of available, manufacturer_validated"},
		{"bad window", move, url.Values{"window_start": {"soon"}, "window_end": {"later"}}, 400,
			"Window start: &#34;soon&#34; is not a time"},
		{"no such plan", "/patches/99999/move", url.Values{}, 404, "There is no such patch plan."},
		{"approval without a reference", "/patches/approved", url.Values{"vendor": {"Philips"},
			"model": {"IntelliVue MX800"}, "version": {"N.01.02"}}, 400, "Reference: is required."},
		{"approval from nowhere", "/patches/approved", url.Values{"vendor": {"Philips"},
			"model": {"IntelliVue MX800"}, "version": {"N.01.02"}, "reference": {"x"}, "source": {"rumour"}},
			400, "Source: must be one of letter, bulletin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, approved, seq := e.plans(t), e.approved(t), lastSeq(t, ts)
			resp, page := e.form(t, c, csrf, tc.path, tc.form)
			if resp.StatusCode != tc.status || !strings.Contains(page, tc.say) {
				t.Errorf("status %d, want %d saying %q:\n%s", resp.StatusCode, tc.status, tc.say, mainOf(page))
			}
			if diff := cmp.Diff(before, e.plans(t)); diff != "" {
				t.Errorf("the plans changed (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(approved, e.approved(t)); diff != "" || len(auditAfter(t, ts, seq)) != 0 {
				t.Errorf("approvals changed (%s) or audited: %v", diff, actions(auditAfter(t, ts, seq)))
			}
		})
	}
}

func (e *workflowEnv) approved(t *testing.T) []store.ApprovedVersion {
	t.Helper()
	vs, err := e.ts.db.ApprovedVersions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// recordAlert records an alert through the page as security and returns
// its id.
func (e *workflowEnv) recordAlert(t *testing.T, v url.Values) int64 {
	t.Helper()
	if e.sec == nil {
		e.sec, e.secCSRF = e.ts.login(t, auth.RoleSecurity)
	}
	resp, body := e.form(t, e.sec, e.secCSRF, "/alerts", v)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("alert %v: status %d\n%s", v, resp.StatusCode, mainOf(body))
	}
	return idIn(t, resp)
}

// mainOf is a page's main part, for failure messages.
func mainOf(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	return clip(page, 3000)
}

// testAlertDevices records an alert naming a CVE of the GE advisory: its
// page lists the devices with findings on it, all of them for a user of
// every site and only site A's for a user of site A.
func testAlertDevices(t *testing.T, e *workflowEnv) {
	ts := e.ts
	e.recordAlert(t, url.Values{"reference": {"CC-4250"}, "severity": {"low"}})
	seq := lastSeq(t, ts)
	id := e.recordAlert(t, url.Values{"reference": {"CC-4251"}, "title": {"GE CARESCAPE monitors"},
		"severity": {"high"}, "cves": {"cve-2020-6961, CVE-2020-6962 CVE-2020-6961"},
		"products": {"CARESCAPE B450, B650, B850; CARESCAPE Central Station"}})
	a, evs, err := ts.db.Alert(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	if !slices.Equal(a.CVEs, []string{"CVE-2020-6961", "CVE-2020-6962"}) || !a.ReceivedAt.Equal(now) ||
		!a.DueAt.Equal(now.Add(48*time.Hour)) || a.Status != store.AlertOpen || a.CreatedBy != "security" {
		t.Errorf("stored alert %+v", a)
	}
	if len(evs) != 1 || evs[0].To != store.AlertOpen || evs[0].Actor != "security" {
		t.Errorf("history %+v", evs)
	}
	if got := actions(auditAfter(t, ts, seq)); !slices.Equal(got, []string{"security alert.create"}) {
		t.Errorf("audit %v", got)
	}

	all := slices.Concat(e.geA, e.geB)
	slices.Sort(all)
	c, _ := ts.login(t, auth.RoleAuditor)
	_, page := get(t, c, ts.URL+fmt.Sprintf("/alerts/%d", id))
	if diff := cmp.Diff(all, linkedDevices(page)); diff != "" {
		t.Errorf("devices listed (-want +got):\n%s\n%s", diff, mainOf(page))
	}
	if !strings.Contains(page, "CARESCAPE B650") || !strings.Contains(page, "Northgate Infirmary") {
		t.Errorf("the devices' models (from the register) or sites are not shown:\n%.3000s", page)
	}
	_, list := get(t, c, ts.URL+"/alerts")
	if !strings.Contains(list, fmt.Sprintf(`<td class="num">%d</td>`, len(all))) {
		t.Errorf("the list does not count %d devices:\n%s", len(all), mainOf(list))
	}

	_, pw, err := CreateUser(context.Background(), ts.db, "theatres-auditor",
		store.Grant{Role: auth.RoleAuditor, SiteID: e.siteA.ID})
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := loginAs(t, ts, "theatres-auditor", pw)
	_, page = get(t, ca, ts.URL+fmt.Sprintf("/alerts/%d", id))
	wantA := findingDeviceIDs(t, ts, geCVE, e.siteA.ID)
	if diff := cmp.Diff(e.geA, wantA); diff != "" {
		t.Fatalf("site A's devices by the store's findings (-placed +found):\n%s", diff)
	}
	if diff := cmp.Diff(wantA, linkedDevices(page)); diff != "" {
		t.Errorf("devices listed to a user of site A (-want +got):\n%s", diff)
	}
	for _, id := range e.geB {
		if strings.Contains(page, id) {
			t.Errorf("a user of site A sees %s, of site B", id)
		}
	}
}

// testAlertClock checks the 48-hour clock against the injected clock:
// time left, overdue (in words, not only colour), stopped by the
// acknowledgement; a medium alert has none.
func testAlertClock(t *testing.T, e *workflowEnv) {
	ts := e.ts
	start := e.clock.Now()
	id := e.recordAlert(t, url.Values{"reference": {"CC-4300"}, "severity": {"high"},
		"cves": {"CVE-2019-10964"}, "received_at": {start.Add(-2 * time.Hour).Format("2006-01-02T15:04")}})
	medium := e.recordAlert(t, url.Values{"reference": {"CC-4301"}, "severity": {"medium"}, "cves": {""}})
	c, csrf := ts.login(t, auth.RoleAuditor)
	page := func(id int64) string {
		_, body := get(t, c, ts.URL+fmt.Sprintf("/alerts/%d", id))
		return body
	}
	steps := []struct {
		advance time.Duration
		say     string
		overdue bool
	}{
		{0, "46 h 0 min left", false},
		{45*time.Hour + 30*time.Minute, "30 min left", false},
		{30 * time.Minute, "0 min left", false},
		{time.Minute, "overdue by 1 min", true},
		{25 * time.Hour, "overdue by 25 h 1 min", true},
	}
	for _, st := range steps {
		e.clock.Advance(st.advance)
		body := page(id)
		if !strings.Contains(body, st.say) || strings.Contains(body, "Overdue</span>") != st.overdue {
			t.Errorf("at +%s: want %q, overdue %v:\n%s", e.clock.Now().Sub(start), st.say,
				st.overdue, mainOf(body))
		}
	}
	if body := page(medium); !strings.Contains(body, "no response clock") ||
		!strings.Contains(body, "no clock for a medium severity") {
		t.Errorf("a medium alert's page:\n%.1500s", body)
	}
	_, list := get(t, c, ts.URL+"/alerts")
	if !strings.Contains(list, `<tr class="overdue">`) || !strings.Contains(list, "overdue by 25 h 1 min") {
		t.Errorf("the list does not mark the overdue alert:\n%.3000s", list)
	}

	sec, scsrf := ts.login(t, auth.RoleSecurity)
	e.form(t, sec, scsrf, fmt.Sprintf("/alerts/%d/move", id), url.Values{"note": {"seen"}})
	if body := page(id); !strings.Contains(body, "acknowledged 25 h 1 min late") ||
		strings.Contains(body, "Overdue</span>") {
		t.Errorf("after a late acknowledgement:\n%.1500s", body)
	}
	_ = csrf
}

// testAlertMoves moves an alert to closed: each move is in its history
// and the audit log, closing records when; going back is refused with
// the store's message and changes nothing.
func testAlertMoves(t *testing.T, e *workflowEnv) {
	ts := e.ts
	id := e.recordAlert(t, url.Values{"reference": {"CC-4400"}, "severity": {"low"}, "cves": {""}})
	c, csrf := ts.login(t, auth.RoleSecurity)
	move := fmt.Sprintf("/alerts/%d/move", id)
	seq := lastSeq(t, ts)
	for _, v := range []url.Values{{"note": {"triaged"}}, {"to": {"remediating"}},
		{"to": {"closed"}, "note": {"no devices affected"}}} {
		if resp, body := e.form(t, c, csrf, move, v); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("move %v: status %d\n%s", v, resp.StatusCode, mainOf(body))
		}
		e.clock.Advance(time.Minute)
	}
	a, evs, _ := ts.db.Alert(context.Background(), id)
	if a.Status != store.AlertClosed || a.ClosedAt.IsZero() || a.AcknowledgedAt.IsZero() {
		t.Errorf("alert %+v, want closed with its times", a)
	}
	var history []string
	for _, ev := range evs {
		history = append(history, fmt.Sprintf("%s %s→%s %s", ev.Actor, ev.From, ev.To, ev.Note))
	}
	want := []string{"security →open recorded", "security open→acknowledged triaged",
		"security acknowledged→remediating ", "security remediating→closed no devices affected"}
	if diff := cmp.Diff(want, history); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	aud := auditAfter(t, ts, seq)
	if len(aud) != 3 {
		t.Fatalf("audit %v, want 3 moves", actions(aud))
	}
	if got := changesOf(t, aud[2]); len(got) != 2 || got[0] != "status: remediating → closed" ||
		!strings.HasPrefix(got[1], "closed_at:  → ") {
		t.Errorf("audited close %v", got)
	}

	seq = lastSeq(t, ts)
	for _, to := range []string{"open", ""} {
		resp, body := e.form(t, c, csrf, move, url.Values{"to": {to}})
		if resp.StatusCode != http.StatusConflict {
			t.Errorf("move to %q after closed: status %d, want 409", to, resp.StatusCode)
		}
		if to == "open" && !strings.Contains(body, "alert is closed: state change out of order") {
			t.Errorf("the store's refusal is not shown:\n%.1500s", body)
		}
	}
	after, _, _ := ts.db.Alert(context.Background(), id)
	if !cmp.Equal(a, after) || len(auditAfter(t, ts, seq)) != 0 {
		t.Errorf("a refused move changed the alert or was audited")
	}
}

// testBadAlertInput sends alert forms that must be refused with a
// message naming what is wrong, storing and auditing nothing.
func testBadAlertInput(t *testing.T, e *workflowEnv) {
	ts := e.ts
	c, csrf := ts.login(t, auth.RoleSecurity)
	e.form(t, c, csrf, "/alerts", url.Values{"reference": {"CC-4500"}, "severity": {"high"}})
	later := e.clock.Now().Add(72 * time.Hour).Format("2006-01-02T15:04")
	alert := func(kv ...string) url.Values {
		v := url.Values{"reference": {"CC-4501"}, "severity": {"high"}, "cves": {"CVE-2020-6961"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		say    string
	}{
		{"bad CVE ID", alert("cves", "CVE-2020-6961, CVE-20-1"), 400,
			"Cves: &#34;CVE-20-1&#34; is not a CVE ID"},
		{"not a CVE", alert("cves", "ICSMA-20-023-01"), 400, "Cves: &#34;ICSMA-20-023-01&#34; is not a CVE ID"},
		{"too old a CVE", alert("cves", "CVE-1970-0001"), 400, "CVE IDs begin in 1999"},
		{"too many CVEs", alert("cves", strings.Repeat("CVE-2020-6961 ", maxCVEs+1)), 400,
			"name more than 200 CVEs"},
		{"unknown severity", alert("severity", "urgent"), 400, "Severity: must be high, medium or low."},
		{"empty reference", alert("reference", "  "), 400, "Reference: is required."},
		{"duplicate reference", alert("reference", "CC-4500"), 409, "An alert CC-4500 is already recorded."},
		{"received in the future", alert("received_at", later), 400, "Received at: is in the future."},
		{"received when", alert("received_at", "yesterday"), 400,
			"Received at: &#34;yesterday&#34; is not a time"},
		{"no such alert", url.Values{"to": {"closed"}}, 404, "There is no such alert."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, seq := e.alerts(t), lastSeq(t, ts)
			path := "/alerts"
			if tc.status == 404 {
				path = "/alerts/99999/move"
			}
			resp, page := e.form(t, c, csrf, path, tc.form)
			if resp.StatusCode != tc.status || !strings.Contains(page, tc.say) {
				t.Errorf("status %d, want %d saying %q:\n%s", resp.StatusCode, tc.status, tc.say, mainOf(page))
			}
			if diff := cmp.Diff(before, e.alerts(t)); diff != "" || len(auditAfter(t, ts, seq)) != 0 {
				t.Errorf("alerts changed (%s) or audited: %v", diff, actions(auditAfter(t, ts, seq)))
			}
		})
	}
}

func (e *workflowEnv) alerts(t *testing.T) []store.Alert {
	t.Helper()
	as, err := e.ts.db.Alerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// testWorkflowRoles checks who may do what through the pages: clinical
// engineering manages patches but not alerts, security alerts but not
// patches; the auditor reads both and changes neither; a user of one
// site may read but not change either.
func testWorkflowRoles(t *testing.T, e *workflowEnv) {
	ts := e.ts
	plan := url.Values{"vendor": {"Mindray"}, "model": {"BeneVision N17"}}
	alert := url.Values{"reference": {"CC-4600"}, "severity": {"low"}}
	_, pw, err := CreateUser(context.Background(), ts.db, "site-ce",
		store.Grant{Role: auth.RoleClinicalEngineering, SiteID: e.siteA.ID})
	if err != nil {
		t.Fatal(err)
	}
	siteCE, siteCSRF := loginAs(t, ts, "site-ce", pw)
	type who struct {
		name string
		c    *http.Client
		csrf string
	}
	login := func(r auth.Role) who {
		c, csrf := ts.login(t, r)
		return who{string(r), c, csrf}
	}
	ce, sec, aud := login(auth.RoleClinicalEngineering), login(auth.RoleSecurity), login(auth.RoleAuditor)
	site := who{"site-ce", siteCE, siteCSRF}
	tests := []struct {
		who    who
		path   string
		form   url.Values
		status int
	}{
		{sec, "/patches", plan, 403},
		{aud, "/patches", plan, 403},
		{ce, "/alerts", alert, 403},
		{aud, "/alerts", alert, 403},
		{site, "/patches", plan, 403},
		{ce, "/patches", plan, 303},
		{sec, "/alerts", alert, 303},
	}
	for _, tc := range tests {
		before, alerts, seq := e.plans(t), e.alerts(t), lastSeq(t, ts)
		v := url.Values{}
		for k, vs := range tc.form {
			v[k] = vs
		}
		v.Set(csrfField, tc.who.csrf)
		resp, body := postForm(t, tc.who.c, ts.URL+tc.path, v)
		if resp.StatusCode != tc.status {
			t.Errorf("%s POST %s: status %d, want %d\n%s", tc.who.name, tc.path, resp.StatusCode,
				tc.status, mainOf(body))
		}
		if tc.status == 403 && (!cmp.Equal(before, e.plans(t)) || !cmp.Equal(alerts, e.alerts(t)) ||
			len(auditAfter(t, ts, seq)) != 0) {
			t.Errorf("%s POST %s was refused but changed something", tc.who.name, tc.path)
		}
	}
	_, page := get(t, siteCE, ts.URL+"/patches")
	if !strings.Contains(page, "Device counts are of your sites only") ||
		strings.Contains(page, `action="/patches"`) {
		t.Errorf("a user of one site's board counts all sites or offers a form:\n%s", mainOf(page))
	}
	for _, w := range []who{aud, sec} {
		for _, path := range []string{"/patches", "/alerts"} {
			resp, page := get(t, w.c, ts.URL+path)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s GET %s: %d", w.name, path, resp.StatusCode)
			}
			if w.name == "auditor" && strings.Contains(page, `method="post" action="`+path) {
				t.Errorf("the auditor is offered a form on %s", path)
			}
		}
	}
}
