package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

// TestWorkflowAPI runs the patch workflow and the cyber alerts through
// the JSON API, on one server holding the demo trust.
func TestWorkflowAPI(t *testing.T) {
	t.Parallel()
	e := newWorkflowEnv(t)
	t.Run("patch plans", func(t *testing.T) { testAPIPlans(t, e) })
	t.Run("approved versions", func(t *testing.T) { testAPIApproved(t, e) })
	t.Run("alerts", func(t *testing.T) { testAPIAlerts(t, e) })
	t.Run("bad input", func(t *testing.T) { testAPIBadInput(t, e) })
	t.Run("sessions need the CSRF header", func(t *testing.T) { testAPIWorkflowCSRF(t, e) })
	t.Run("pages", func(t *testing.T) { testAPIPages(t, e) })
}

func testAPIPlans(t *testing.T, e *workflowEnv) {
	ce := e.ts.bearer(t, auth.RoleClinicalEngineering)
	var made apiPatchPlanDetail
	ce.send("POST", "/api/v1/patches", apiNewPatchPlan{Vendor: "GE Healthcare",
		Model: "CARESCAPE B650", FromVersion: "3.1.2", EndOfSupport: "2032-01-31"},
		http.StatusCreated, &made)
	p := e.plan(t, made.ID)
	if made.State != "available" || made.NextState != "manufacturer_validated" ||
		made.Devices != e.planDevices(t, &p) || made.EndOfSupport == nil ||
		!made.EndOfSupport.Equal(time.Date(2032, 1, 31, 0, 0, 0, 0, time.UTC)) || len(made.History) != 1 {
		t.Errorf("created %+v", made)
	}
	path := fmt.Sprintf("/api/v1/patches/%d", made.ID)
	moves := []apiPatchMove{{Note: "validated"}, {}, {WindowStart: "2027-01-09T21:00:00Z",
		WindowEnd: "2027-01-10T01:00:00Z"}, {To: "deployed"}}
	for _, m := range moves {
		var got apiPatchPlanDetail
		ce.send("POST", path+"/move", m, http.StatusOK, &got)
		if got.State != e.plan(t, made.ID).State.String() {
			t.Errorf("after %+v: answer says %s", m, got.State)
		}
	}
	var done apiPatchPlanDetail
	ce.get(path, http.StatusOK, &done)
	if done.State != "deployed" || done.NextState != "" || done.WindowStart == nil || len(done.History) != 6 {
		t.Errorf("deployed plan %+v", done)
	}

	// Out of order: the store's reason, 409, nothing changed.
	var other apiPatchPlanDetail
	ce.send("POST", "/api/v1/patches", apiNewPatchPlan{Vendor: "BD", Model: "Alaris GP Plus Volumetric Pump",
		FromVersion: "2.3.6", TargetVersion: "4.3.1"}, http.StatusCreated, &other)
	opath := fmt.Sprintf("/api/v1/patches/%d/move", other.ID)
	before, seq := e.plans(t), lastSeq(t, e.ts)
	msg := ce.errorOf("POST", opath, "application/json", []byte(`{"to":"scheduled",`+
		`"window_start":"2027-02-01T20:00:00Z","window_end":"2027-02-01T23:00:00Z"}`),
		http.StatusConflict)
	if !strings.Contains(msg, "manufacturer_validated comes after available, not scheduled") {
		t.Errorf("message %q", msg)
	}
	if diff := cmp.Diff(before, e.plans(t)); diff != "" || len(auditAfter(t, e.ts, seq)) != 0 {
		t.Errorf("a refused move changed the plans (%s) or the audit log", diff)
	}
	var forced apiPatchPlanDetail
	ce.send("POST", opath, apiPatchMove{To: "tested", Force: true, Note: "bench tested by BD"},
		http.StatusOK, &forced)
	last := forced.History[len(forced.History)-1]
	if forced.State != "tested" || !last.Forced || last.From != "available" ||
		last.Actor != "token:test-clinical-engineering" {
		t.Errorf("forced move: %+v", forced)
	}

	var list apiPatchPlans
	e.ts.bearer(t, auth.RoleAuditor).get("/api/v1/patches", http.StatusOK, &list)
	if !slices.ContainsFunc(list.Plans, func(p apiPatchPlan) bool { return p.ID == other.ID }) {
		t.Errorf("the list lacks plan %d", other.ID)
	}
}

func testAPIApproved(t *testing.T, e *workflowEnv) {
	ce := e.ts.bearer(t, auth.RoleClinicalEngineering)
	var v apiApprovedVersion
	ce.send("POST", "/api/v1/approved-versions", apiNewApprovedVersion{Vendor: "BD",
		Model: "Alaris GP Plus Volumetric Pump", Version: " 4.3.1 ", Reference: "BD-FSN-2026-14"},
		http.StatusCreated, &v)
	want := apiApprovedVersion{Vendor: "BD", Model: "Alaris GP Plus Volumetric Pump",
		VendorKey: v.VendorKey, ModelKey: "alaris gp plus volumetric pump", Version: "4.3.1",
		Source: "letter", Reference: "BD-FSN-2026-14", Actor: "token:test-clinical-engineering",
		At: e.clock.Now()}
	if diff := cmp.Diff(want, v); diff != "" || v.VendorKey == "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
	var list apiApprovedVersions
	e.ts.bearer(t, auth.RoleNetwork).get("/api/v1/approved-versions", http.StatusOK, &list)
	if !slices.ContainsFunc(list.Versions, func(a apiApprovedVersion) bool {
		return a.Reference == "BD-FSN-2026-14"
	}) {
		t.Errorf("list %+v", list)
	}
	var plans apiPatchPlans
	ce.get("/api/v1/patches", http.StatusOK, &plans)
	for _, p := range plans.Plans {
		if p.ModelKey == "alaris gp plus volumetric pump" && !p.TargetApproved {
			t.Errorf("plan %d's target 4.3.1 is not shown approved", p.ID)
		}
	}
}

func testAPIAlerts(t *testing.T, e *workflowEnv) {
	sec := e.ts.bearer(t, auth.RoleSecurity)
	var a apiAlertDetail
	sec.send("POST", "/api/v1/alerts", apiNewAlert{Reference: "CC-5001", Title: "GE CARESCAPE",
		Severity: "High", CVEs: []string{"CVE-2020-6961", " cve-2020-6963 "},
		ReceivedAt: e.clock.Now().Add(-50 * time.Hour).Format(time.RFC3339)}, http.StatusCreated, &a)
	all := slices.Concat(e.geA, e.geB)
	slices.Sort(all)
	if a.Severity != "high" || !slices.Equal(a.CVEs, []string{"CVE-2020-6961", "CVE-2020-6963"}) ||
		!a.Overdue || a.SecondsLeft == nil || *a.SecondsLeft != -2*3600 || a.Clock != "overdue by 2 h 0 min" ||
		a.Devices != len(all) || a.Status != "open" {
		t.Errorf("recorded %+v", a.apiAlert)
	}
	if diff := cmp.Diff(all, alertDeviceIDs(a.AffectedDevices)); diff != "" {
		t.Errorf("affected devices (-want +got):\n%s", diff)
	}
	for _, d := range a.AffectedDevices {
		if d.Status == "" || len(d.Findings) == 0 || d.Vendor != "GE Healthcare" || d.SiteID == nil {
			t.Errorf("device %+v", d)
		}
	}

	siteA := e.ts.siteToken(t, auth.RoleAuditor, e.siteA.ID)
	var mine apiAlertDetail
	siteA.get(fmt.Sprintf("/api/v1/alerts/%d", a.ID), http.StatusOK, &mine)
	if diff := cmp.Diff(e.geA, alertDeviceIDs(mine.AffectedDevices)); diff != "" || mine.Devices != len(e.geA) {
		t.Errorf("devices of site A (-want +got):\n%s", diff)
	}
	var list apiAlerts
	siteA.get("/api/v1/alerts", http.StatusOK, &list)
	if i := slices.IndexFunc(list.Alerts, func(x apiAlert) bool { return x.ID == a.ID }); i < 0 ||
		list.Alerts[i].Devices != len(e.geA) {
		t.Errorf("site A's list: %+v", list)
	}

	var moved apiAlertDetail
	sec.send("POST", fmt.Sprintf("/api/v1/alerts/%d/move", a.ID), apiAlertMove{Note: "on it"},
		http.StatusOK, &moved)
	if moved.Status != "acknowledged" || moved.Overdue || moved.SecondsLeft != nil ||
		moved.Clock != "acknowledged 2 h 0 min late" || len(moved.History) != 2 {
		t.Errorf("acknowledged %+v", moved.apiAlert)
	}
	sec.send("POST", fmt.Sprintf("/api/v1/alerts/%d/move", a.ID), apiAlertMove{To: "closed"},
		http.StatusOK, &moved)
	if moved.ClosedAt == nil || !moved.ClosedAt.Equal(e.clock.Now()) {
		t.Errorf("closed %+v", moved.apiAlert)
	}
	msg := sec.errorOf("POST", fmt.Sprintf("/api/v1/alerts/%d/move", a.ID), "application/json",
		[]byte(`{"to":"remediating"}`), http.StatusConflict)
	if !strings.Contains(msg, "alert is closed: state change out of order") {
		t.Errorf("message %q", msg)
	}
}

func alertDeviceIDs(ds []apiAlertDevice) []string {
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	return ids
}

// testAPIBadInput sends bodies that must be refused with a message naming
// the field, storing and auditing nothing.
func testAPIBadInput(t *testing.T, e *workflowEnv) {
	admin := e.ts.bearer(t, auth.RoleAdmin)
	admin.send("POST", "/api/v1/alerts", apiNewAlert{Reference: "CC-5100", Severity: "low",
		CVEs: []string{}}, http.StatusCreated, nil)
	// alert is a body of the alert form with fields changed.
	alert := func(kv ...any) string {
		m := map[string]any{"reference": "CC-5101", "title": "", "severity": "high",
			"cves": []string{}}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const (
		alertsPath    = "/api/v1/alerts"
		plansPath     = "/api/v1/patches"
		approvalsPath = "/api/v1/approved-versions"
	)
	tests := []struct {
		name, path, body string
		status           int
		say              string
	}{
		{"bad CVE ID", alertsPath, alert("cves", []string{"CVE-2020-61"}), 400,
			`cves: "CVE-2020-61" is not a CVE ID`},
		{"unknown severity", alertsPath, alert("severity", "critical"), 400,
			"severity: must be high, medium or low"},
		{"empty reference", alertsPath, alert("reference", ""), 400, "reference: is required"},
		{"duplicate reference", alertsPath, alert("reference", "CC-5100"), 409,
			"an alert CC-5100 is already recorded"},
		{"CVEs not a list", alertsPath, alert("cves", "CVE-2020-6961"), 400,
			`field "cves" must be an array`},
		{"unknown field", alertsPath, alert("due", "now"), 400, `unknown field "due"`},
		{"plan without model", plansPath, `{"vendor":"GE","model":""}`, 400, "model: is required"},
		{"plan of a bad day", plansPath,
			`{"vendor":"GE","model":"B450","end_of_support":"2030-02-30"}`, 400, "end_of_support"},
		{"approval without version", approvalsPath,
			`{"vendor":"GE","model":"B450","version":"","reference":"x"}`, 400, "version: is required"},
		{"move of no plan", plansPath + "/0/move", `{}`, 404, "no such patch plan"},
		{"move of no alert", alertsPath + "/424242/move", `{}`, 404, "no such alert"},
		{"alert move to nowhere", alertsPath + "/1/move", `{"to":"resolved"}`, 400,
			"to: must be acknowledged, remediating or closed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plans, alerts, approved, seq := e.plans(t), e.alerts(t), e.approved(t), lastSeq(t, e.ts)
			msg := admin.errorOf("POST", tc.path, "application/json", []byte(tc.body), tc.status)
			if !strings.Contains(msg, tc.say) {
				t.Errorf("message %q, want it to say %q", msg, tc.say)
			}
			if !cmp.Equal(plans, e.plans(t)) || !cmp.Equal(alerts, e.alerts(t)) ||
				!cmp.Equal(approved, e.approved(t)) || len(auditAfter(t, e.ts, seq)) != 0 {
				t.Errorf("a refused request changed the store or the audit log")
			}
		})
	}
	msg := admin.errorOf("GET", "/api/v1/alerts?cursor=%25%25", "", nil, 400)
	if !strings.Contains(msg, "cursor") {
		t.Errorf("bad cursor: %q", msg)
	}
	msg = admin.errorOf("GET", "/api/v1/patches?limit=501", "", nil, 400)
	if !strings.Contains(msg, "limit") {
		t.Errorf("bad limit: %q", msg)
	}
}

// testAPIWorkflowCSRF posts as a session without the X-CSRF-Token header:
// refused, nothing stored.
func testAPIWorkflowCSRF(t *testing.T, e *workflowEnv) {
	s := e.ts.session(t, auth.RoleAdmin)
	csrf := s.csrf
	s.csrf = ""
	for _, c := range []struct{ path, body string }{
		{"/api/v1/patches", `{"vendor":"GE","model":"B850"}`},
		{"/api/v1/approved-versions", `{"vendor":"GE","model":"B850","version":"3","reference":"x"}`},
		{"/api/v1/alerts", `{"reference":"CC-5200","title":"","severity":"high","cves":[]}`},
		{"/api/v1/alerts/1/move", `{}`},
	} {
		plans, alerts, seq := e.plans(t), e.alerts(t), lastSeq(t, e.ts)
		s.errorOf("POST", c.path, "application/json", []byte(c.body), http.StatusForbidden)
		if !cmp.Equal(plans, e.plans(t)) || !cmp.Equal(alerts, e.alerts(t)) ||
			len(auditAfter(t, e.ts, seq)) != 0 {
			t.Errorf("%s without the CSRF header changed something", c.path)
		}
	}
	s.csrf = csrf
	s.send("POST", "/api/v1/alerts", []byte(`{"reference":"CC-5200","title":"","severity":"high","cves":[]}`),
		http.StatusCreated, nil)
}

// testAPIPages walks the lists a page at a time: every item once.
func testAPIPages(t *testing.T, e *workflowEnv) {
	admin := e.ts.bearer(t, auth.RoleAdmin)
	for i := range 5 {
		admin.send("POST", "/api/v1/alerts", apiNewAlert{Reference: fmt.Sprintf("CC-53%02d", i),
			Severity: "low", CVEs: []string{}}, http.StatusCreated, nil)
		admin.send("POST", "/api/v1/patches", apiNewPatchPlan{Vendor: "Philips",
			Model: fmt.Sprintf("IntelliVue MX%d", 100+i)}, http.StatusCreated, nil)
	}
	var alerts []int64
	cursor := ""
	for pages := 0; ; pages++ {
		var pg apiAlerts
		admin.get("/api/v1/alerts?limit=2&cursor="+cursor, http.StatusOK, &pg)
		for _, a := range pg.Alerts {
			alerts = append(alerts, a.ID)
		}
		if cursor = pg.NextCursor; cursor == "" || pages > 50 {
			break
		}
	}
	want := e.alerts(t)
	if len(alerts) != len(want) || !slices.IsSortedFunc(alerts, func(a, b int64) int { return int(b - a) }) {
		t.Errorf("walked %v, want %d alerts newest first", alerts, len(want))
	}
	var plans []int64
	for pages := 0; ; pages++ {
		var pg apiPatchPlans
		admin.get("/api/v1/patches?limit=3&cursor="+cursor, http.StatusOK, &pg)
		for _, p := range pg.Plans {
			plans = append(plans, p.ID)
		}
		if cursor = pg.NextCursor; cursor == "" || pages > 50 {
			break
		}
	}
	if n := len(e.plans(t)); len(plans) != n || !slices.IsSorted(plans) {
		t.Errorf("walked %v, want %d plans by id", plans, n)
	}
}

// workflowOpenAPICalls are the workflow's calls for TestOpenAPIResponses:
// a success and the errors of each operation, checked against its
// schemas.
func workflowOpenAPICalls(t *testing.T, ts *testServer) []openAPICall {
	ctx := context.Background()
	plan, err := ts.db.SavePatchPlan(ctx, store.PatchPlan{Vendor: "GE", Model: "B450",
		VendorKey: "ge healthcare", ModelKey: "b450", UpdatedBy: "test",
		WindowStart: time.Now().Add(time.Hour), WindowEnd: time.Now().Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	alert, err := ts.db.SaveAlert(ctx, store.Alert{Reference: "CC-OPENAPI", Severity: "high",
		CVEs: []string{"CVE-2020-6961"}, DueAt: time.Now().Add(time.Hour), CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	p, a := fmt.Sprint(plan.ID), fmt.Sprint(alert.ID)
	const js = "application/json"
	const b650 = `{"vendor":"GE","model":"B650","from_version":"2.0.8"`
	const cc1 = `{"reference":"CC-1","title":"t","severity":"high","cves":`
	return []openAPICall{
		{"GET /api/v1/patches", "/api/v1/patches?limit=1", "", "", 200},
		{"GET /api/v1/patches", "/api/v1/patches?limit=x", "", "", 400},
		{"POST /api/v1/patches", "/api/v1/patches", js, b650 + `,"end_of_support":"2030-12-31"}`, 201},
		{"POST /api/v1/patches", "/api/v1/patches", js, b650 + "}", 409},
		{"POST /api/v1/patches", "/api/v1/patches", js, `{"vendor":"GE"}`, 400},
		{"GET /api/v1/patches/{id}", "/api/v1/patches/" + p, "", "", 200},
		{"GET /api/v1/patches/{id}", "/api/v1/patches/999999", "", "", 404},
		{"POST /api/v1/patches/{id}/move", "/api/v1/patches/" + p + "/move", js, `{"note":"ok"}`, 200},
		{"POST /api/v1/patches/{id}/move", "/api/v1/patches/" + p + "/move", js, `{"to":"available"}`, 409},
		{"POST /api/v1/patches/{id}/move", "/api/v1/patches/" + p + "/move", js, `{"to":"x"}`, 400},
		{"GET /api/v1/approved-versions", "/api/v1/approved-versions", "", "", 200},
		{"POST /api/v1/approved-versions", "/api/v1/approved-versions", js,
			`{"vendor":"GE","model":"B650","version":"3.1.2","reference":"L-1"}`, 201},
		{"POST /api/v1/approved-versions", "/api/v1/approved-versions", "text/plain", `x`, 415},
		{"GET /api/v1/alerts", "/api/v1/alerts", "", "", 200},
		{"POST /api/v1/alerts", "/api/v1/alerts", js, cc1 + `["CVE-2020-6961"]}`, 201},
		{"POST /api/v1/alerts", "/api/v1/alerts", js, cc1 + "[]}", 409},
		{"GET /api/v1/alerts/{id}", "/api/v1/alerts/" + a, "", "", 200},
		{"GET /api/v1/alerts/{id}", "/api/v1/alerts/999999", "", "", 404},
		{"POST /api/v1/alerts/{id}/move", "/api/v1/alerts/" + a + "/move", js, `{"to":"remediating"}`, 200},
		{"POST /api/v1/alerts/{id}/move", "/api/v1/alerts/" + a + "/move", js, `{"to":"open"}`, 409},
	}
}

func init() {
	moreOpenAPICalls = append(moreOpenAPICalls, workflowOpenAPICalls)
}
