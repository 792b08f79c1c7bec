package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/segment"
)

var (
	rCSO = auth.RoleClinicalSafety

	// segmentReaders read segmentation: every role.
	segmentReaders = []auth.Role{rAdm, rSec, rCE, rNet, rAud, rCSO}
	// segmentEditors save, import and learn policies.
	segmentEditors = []auth.Role{rAdm, rSec, rNet}
	// segmentExporters download firewall rules.
	segmentExporters = []auth.Role{rAdm, rNet}
	// safetyOfficers sign off: the Clinical Safety Officer alone, not an
	// admin.
	safetyOfficers = []auth.Role{rCSO}
)

// segmentRouteRules are who may use the routes of segmentRoutes.
var segmentRouteRules = map[string]routeRule{
	"GET /segmentation":                        {roles: segmentReaders},
	"GET /segmentation/zones/{zone}":           {roles: segmentReaders},
	"GET /segmentation/violations":             {roles: segmentReaders},
	"GET /segmentation/violations.csv":         {roles: segmentReaders},
	"GET /segmentation/policy":                 {roles: segmentReaders},
	"GET /segmentation/policy/versions/{file}": {roles: segmentReaders},
	"POST /segmentation/policy":                {roles: segmentEditors},
	"GET /segmentation/learn":                  {roles: segmentEditors},
	"POST /segmentation/simulate":              {roles: segmentReaders},
	"POST /segmentation/signoffs":              {roles: safetyOfficers},
	"GET /segmentation/export":                 {roles: segmentExporters},

	"GET /api/v1/segmentation":                 {roles: segmentReaders, api: true},
	"GET /api/v1/segmentation/zones/{zone}":    {roles: segmentReaders, api: true},
	"GET /api/v1/segmentation/violations":      {roles: segmentReaders, api: true},
	"GET /api/v1/segmentation/policy":          {roles: segmentReaders, api: true},
	"PUT /api/v1/segmentation/policy":          {roles: segmentEditors, api: true},
	"GET /api/v1/segmentation/policy/versions": {roles: segmentReaders, api: true},
	"POST /api/v1/segmentation/learn":          {roles: segmentEditors, api: true},
	"POST /api/v1/segmentation/simulate":       {roles: segmentReaders, api: true},
	"GET /api/v1/segmentation/signoffs":        {roles: segmentReaders, api: true},
	"POST /api/v1/segmentation/signoffs":       {roles: safetyOfficers, api: true},
	"GET /api/v1/segmentation/export":          {roles: segmentExporters, api: true},
	"GET /api/v1/segmentation/weeks":           {roles: segmentReaders, api: true},
}

// segmentProbes are the requests that try the segmentation routes. Every
// policy they save is the template, so that the policy in force stays the
// same whichever runs first; the sign-offs are of the template without
// its conduits (named afresh each time), which blocks a CT scanner's DICOM
// stores to PACS in the route test's capture.
var segmentProbes = map[string]probe{
	"GET /segmentation/zones/{zone}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "GET", "/segmentation/zones/imaging", "", nil)
	}},
	"GET /segmentation/policy/versions/{file}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "GET", "/segmentation/policy/versions/"+e.segmentSetup(t)+".yaml",
			"", nil)
	}},
	"POST /segmentation/policy": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/segmentation/policy", url.Values{
			"policy": {string(segment.TemplateYAML())}, "note": {"probe"}})
	}},
	"POST /segmentation/simulate": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/segmentation/simulate", url.Values{
			"policy": {string(segment.TemplateYAML())}})
	}},
	"POST /segmentation/signoffs": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/segmentation/signoffs", url.Values{"policy": {e.noConduits(t)},
			"hazard": {"CT images wait for PACS"}, "reasoning": {"probe"}})
	}},
	"GET /segmentation/export": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		e.segmentSetup(t)
		return e.request(t, c, "GET", "/segmentation/export?format=cisco&mode=log", "", nil)
	}},
	"GET /api/v1/segmentation/zones/{zone}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "GET", "/api/v1/segmentation/zones/unassigned", "", nil)
	}},
	"PUT /api/v1/segmentation/policy": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "PUT", "/api/v1/segmentation/policy?note=probe",
			"application/yaml", segment.TemplateYAML())
	}},
	"POST /api/v1/segmentation/simulate": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/segmentation/simulate", "text/plain",
			segment.TemplateYAML())
	}},
	"POST /api/v1/segmentation/signoffs": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		body := mustJSON(t, apiNewSignoff{Policy: e.noConduits(t), Hazard: "CT images wait",
			Reasoning: "probe"})
		return e.request(t, c, "POST", "/api/v1/segmentation/signoffs", "application/json", body)
	}},
	"GET /api/v1/segmentation/export": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		e.segmentSetup(t)
		return e.request(t, c, "GET", "/api/v1/segmentation/export?mode=log", "", nil)
	}},
}

// noConduits is the template without its conduits, as YAML, under a name
// of its own: each sign-off is of a policy no other has signed off.
func (e *routeEnv) noConduits(t *testing.T) string {
	t.Helper()
	p := segment.Template()
	p.Name, p.Conduits = e.name("no conduits"), nil
	b, err := segment.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// segmentProbeSetups hold, per route test, the version the probes read.
var segmentProbeSetups sync.Map // *routeEnv → *segmentProbeSetup

type segmentProbeSetup struct {
	once    sync.Once
	version string
	err     error
}

// segmentSetup saves the template once per route test, so that a version
// exists to download and export, and returns its id.
func (e *routeEnv) segmentSetup(t *testing.T) string {
	t.Helper()
	v, _ := segmentProbeSetups.LoadOrStore(e, &segmentProbeSetup{})
	ps := v.(*segmentProbeSetup)
	ps.once.Do(func() {
		pv, err := e.ts.srv.cfg.Ingest.SavePolicy(context.Background(), segment.TemplateYAML(),
			"test", "probe")
		if err == nil {
			ps.version = strconv.FormatInt(pv.ID, 10)
		}
		ps.err = err
	})
	if ps.err != nil {
		t.Fatal(ps.err)
	}
	return ps.version
}

func init() {
	coveredElsewhere["POST /api/v1/segmentation/signoffs"] = true // TestSegmentSignoffAPI
	for k, v := range segmentRouteRules {
		routeRules[k] = v
	}
	for k, v := range segmentProbes {
		routeProbes[k] = v
	}
}
