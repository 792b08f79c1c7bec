package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

var (
	// patchManagers may create and move patch plans and approve versions.
	patchManagers = []auth.Role{rAdm, rCE}
	// alertManagers may record and move cyber alerts.
	alertManagers = []auth.Role{rAdm, rSec}
)

// workflowRouteRules are who may use the routes of workflowRoutes.
var workflowRouteRules = map[string]routeRule{
	"GET /patches":            {roles: everyRole},
	"POST /patches":           {roles: patchManagers},
	"POST /patches/approved":  {roles: patchManagers},
	"GET /patches/{id}":       {roles: everyRole},
	"POST /patches/{id}/move": {roles: patchManagers},
	"GET /alerts":             {roles: everyRole},
	"POST /alerts":            {roles: alertManagers},
	"GET /alerts/{id}":        {roles: everyRole},
	"POST /alerts/{id}/move":  {roles: alertManagers},

	"GET /api/v1/patches":            {roles: everyRole, api: true},
	"POST /api/v1/patches":           {roles: patchManagers, api: true},
	"GET /api/v1/patches/{id}":       {roles: everyRole, api: true},
	"POST /api/v1/patches/{id}/move": {roles: patchManagers, api: true},
	"GET /api/v1/approved-versions":  {roles: everyRole, api: true},
	"POST /api/v1/approved-versions": {roles: patchManagers, api: true},
	"GET /api/v1/alerts":             {roles: everyRole, api: true},
	"POST /api/v1/alerts":            {roles: alertManagers, api: true},
	"GET /api/v1/alerts/{id}":        {roles: everyRole, api: true},
	"POST /api/v1/alerts/{id}/move":  {roles: alertManagers, api: true},
}

// workflowProbes are the requests that try the workflow's routes: each
// write makes a plan or an alert of its own to act on, so that every
// caller allowed finds it in the state its request needs.
var workflowProbes = map[string]probe{
	"POST /patches": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/patches", url.Values{"vendor": {"Baxter"},
			"model": {e.name("Sigma Spectrum")}, "from_version": {"8.00"}})
	}},
	"POST /patches/approved": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/patches/approved", url.Values{"vendor": {"Baxter"},
			"model": {"Sigma Spectrum"}, "version": {e.name("8.01")}, "reference": {"letter 1"}})
	}},
	"GET /patches/{id}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "GET", "/patches/"+e.probePlan(t), "", nil)
	}},
	"POST /patches/{id}/move": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/patches/"+e.probePlan(t)+"/move", url.Values{"note": {"probe"}})
	}},
	"GET /alerts/{id}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "GET", "/alerts/"+e.probeAlert(t), "", nil)
	}},
	"POST /alerts": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/alerts", url.Values{"reference": {e.name("CC-PAGE")},
			"severity": {"high"}, "cves": {"CVE-2020-6961"}})
	}},
	"POST /alerts/{id}/move": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/alerts/"+e.probeAlert(t)+"/move", url.Values{"note": {"probe"}})
	}},
	"GET /api/v1/patches/{id}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "GET", "/api/v1/patches/"+e.probePlan(t), "", nil)
	}},
	"POST /api/v1/patches": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/patches", "application/json",
			[]byte(`{"vendor":"Baxter","model":"`+e.name("Sigma Spectrum")+`"}`))
	}},
	"POST /api/v1/patches/{id}/move": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/patches/"+e.probePlan(t)+"/move",
			"application/json", []byte(`{}`))
	}},
	"POST /api/v1/approved-versions": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/approved-versions", "application/json",
			[]byte(`{"vendor":"Baxter","model":"Sigma Spectrum","version":"`+e.name("9")+
				`","reference":"bulletin 7"}`))
	}},
	"POST /api/v1/alerts": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/alerts", "application/json",
			[]byte(`{"reference":"`+e.name("CC-API")+`","title":"t","severity":"low","cves":[]}`))
	}},
	"GET /api/v1/alerts/{id}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "GET", "/api/v1/alerts/"+e.probeAlert(t), "", nil)
	}},
	"POST /api/v1/alerts/{id}/move": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/alerts/"+e.probeAlert(t)+"/move",
			"application/json", []byte(`{"note":"probe"}`))
	}},
}

// probePlan makes a plan at available and returns its id.
func (e *routeEnv) probePlan(t *testing.T) string {
	t.Helper()
	p, err := e.ts.db.SavePatchPlan(context.Background(), store.PatchPlan{Vendor: "GE",
		Model: "probe", VendorKey: "ge healthcare", ModelKey: e.name("probe"), UpdatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(p.ID, 10)
}

// probeAlert records an open alert and returns its id.
func (e *routeEnv) probeAlert(t *testing.T) string {
	t.Helper()
	a, err := e.ts.db.SaveAlert(context.Background(), store.Alert{Reference: e.name("CC-PROBE"),
		Severity: "high", CVEs: []string{"CVE-2020-6961"}, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(a.ID, 10)
}

func init() {
	for k, v := range workflowRouteRules {
		routeRules[k] = v
	}
	for k, v := range workflowProbes {
		routeProbes[k] = v
	}
}
