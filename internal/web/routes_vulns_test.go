package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/store"
)

var (
	// reviewers may rule on findings.
	reviewers = []auth.Role{rAdm, rSec, rCE}
	// feedImporters may import advisories and the feeds beside them.
	feedImporters = []auth.Role{rAdm, rSec}
)

// vulnRouteRules are who may use the routes of vulnRoutes. The ruling
// probes send an unknown status, so that an allowed caller passes the
// permission check and is refused by the ruling's own (400) without a
// finding to rule on.
var vulnRouteRules = map[string]routeRule{
	"GET /vulnerabilities":            {roles: everyRole},
	"GET /vulnerabilities.csv":        {roles: everyRole},
	"GET /vulnerabilities/review":     {roles: everyRole},
	"POST /vulnerabilities/decisions": {roles: reviewers, status: 400},
	"GET /vulnerabilities/vex":        {roles: everyRole},
	"GET /advisories":                 {roles: everyRole},
	"GET /advisories/{id}":            {roles: everyRole},
	"GET /feeds":                      {roles: feedImporters},
	"POST /feeds":                     {roles: feedImporters},

	"GET /api/v1/findings":        {roles: everyRole, api: true},
	"GET /api/v1/findings/review": {roles: everyRole, api: true},
	"POST /api/v1/decisions":      {roles: reviewers, api: true, status: 400},
	"GET /api/v1/decisions":       {roles: everyRole, api: true},
	"GET /api/v1/advisories":      {roles: everyRole, api: true},
	"GET /api/v1/advisories/{id}": {roles: everyRole, api: true},
	"POST /api/v1/feeds":          {roles: feedImporters, api: true},
	"GET /api/v1/vex":             {roles: everyRole, api: true},
}

// probeAdvisory is the real advisory the probes store, upload and read.
const probeAdvisory = "icsma-20-049-01.json"

var vulnProbes = map[string]probe{
	"POST /vulnerabilities/decisions": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/vulnerabilities/decisions", url.Values{"device": {e.deviceID},
			"advisory": {e.vulnSetup(t)}, "status": {"probably_fine"}})
	}},
	"GET /vulnerabilities/vex": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		e.vulnSetup(t)
		return e.request(t, c, "GET", "/vulnerabilities/vex?format=openvex", "", nil)
	}},
	"GET /advisories/{id}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "GET", "/advisories/"+e.vulnSetup(t), "", nil)
	}},
	"POST /feeds": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.upload(t, c, "/feeds", "feed", probeAdvisory, e.probeFeed(t))
	}},
	"POST /api/v1/decisions": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/decisions", "application/json",
			[]byte(`{"device_id":"`+e.deviceID+`","advisory":"`+e.vulnSetup(t)+
				`","status":"probably_fine"}`))
	}},
	"GET /api/v1/advisories/{id}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "GET", "/api/v1/advisories/"+e.vulnSetup(t), "", nil)
	}},
	"POST /api/v1/feeds": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/feeds?name="+probeAdvisory, "application/json",
			e.probeFeed(t))
	}},
	"GET /api/v1/vex": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		e.vulnSetup(t)
		return e.request(t, c, "GET", "/api/v1/vex?format=csaf", "", nil)
	}},
}

// vulnProbeSetups hold, per route test, what the probes need stored.
var vulnProbeSetups sync.Map // *routeEnv → *vulnProbeSetup

type vulnProbeSetup struct {
	once     sync.Once
	advisory string
	err      error
}

// vulnSetup stores, once per route test, a real advisory and a ruling,
// so that the advisory's page and the VEX export have something to
// show, and returns the advisory's ID. Neither makes findings that a
// re-match (after an upload) would take away.
func (e *routeEnv) vulnSetup(t *testing.T) string {
	t.Helper()
	v, _ := vulnProbeSetups.LoadOrStore(e, &vulnProbeSetup{})
	vs := v.(*vulnProbeSetup)
	vs.once.Do(func() { vs.advisory, vs.err = seedProbeVulns(e.ts) })
	if vs.err != nil {
		t.Fatal(vs.err)
	}
	return vs.advisory
}

func seedProbeVulns(ts *testServer) (string, error) {
	ctx := context.Background()
	b, err := os.ReadFile(filepath.Join(icsmaDir, probeAdvisory))
	if err != nil {
		return "", err
	}
	a, err := advisory.ParseCSAF(b)
	if err != nil {
		return "", err
	}
	if _, err := ts.db.SaveAdvisories(ctx, []*advisory.Advisory{a},
		store.FeedSource{Name: probeAdvisory}); err != nil {
		return "", err
	}
	err = ts.db.SaveDecision(ctx, store.DecisionRow{Vuln: a.Vulns[0].CVE,
		VendorKey: match.DefaultVendors().Key("Siemens Healthineers"),
		ModelKey:  match.ModelKey("SOMATOM go.Up"), Vendor: "Siemens Healthineers",
		Model: "SOMATOM go.Up", Status: store.StatusUnderInvestigation, Actor: "test",
		AdvisoryID: a.ID})
	return a.ID, err
}

func (e *routeEnv) probeFeed(t *testing.T) []byte {
	t.Helper()
	return apiReadFile(t, filepath.Join(icsmaDir, probeAdvisory))
}

func init() {
	for k, v := range vulnRouteRules {
		routeRules[k] = v
	}
	for k, v := range vulnProbes {
		routeProbes[k] = v
	}
}
