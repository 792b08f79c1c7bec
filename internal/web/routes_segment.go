package web

import (
	"net/http"

	"github.com/wardhq/ward/internal/auth"
)

// segmentRoutes are the routes of segmentation: the zone map and its
// measures, the zones, the violations, the policy editor with its
// history, learning, simulation, the clinical safety sign-off and the
// firewall rules, as pages and under /api/v1. Every role reads them; the
// security and network teams edit the policy, the network team exports
// rules, and only the Clinical Safety Officer signs off.
func (s *Server) segmentRoutes() []route {
	read, edit := auth.PermSegmentRead, auth.PermSegmentEdit
	exp, cso := auth.PermSegmentExport, auth.PermClinicalSafety
	rs := []route{
		{method: "GET", path: "/segmentation", access: permitted, perm: read, session: true,
			handler: s.segmentPage},
		{method: "GET", path: "/segmentation/zones/{zone}", access: permitted, perm: read,
			session: true, handler: s.segmentZonePage},
		{method: "GET", path: "/segmentation/violations", access: permitted, perm: read,
			session: true, handler: s.segmentViolationsPage},
		{method: "GET", path: "/segmentation/violations.csv", access: permitted,
			perm: auth.PermExport, session: true, handler: s.segmentViolationsCSV},
		{method: "GET", path: "/segmentation/policy", access: permitted, perm: read,
			session: true, handler: s.segmentPolicyPage},
		{method: "GET", path: "/segmentation/policy/versions/{file}", access: permitted,
			perm: read, session: true, handler: s.segmentVersionYAML},
		{method: "POST", path: "/segmentation/policy", access: permitted, perm: edit,
			session: true, stream: true, handler: s.segmentSavePolicy},
		{method: "GET", path: "/segmentation/learn", access: permitted, perm: edit,
			session: true, handler: s.segmentLearnPage},
		{method: "POST", path: "/segmentation/simulate", access: permitted, perm: read,
			session: true, stream: true, handler: s.segmentSimulatePage},
		{method: "POST", path: "/segmentation/signoffs", access: permitted, perm: cso,
			session: true, stream: true, handler: s.segmentSignOffPage},
		{method: "GET", path: "/segmentation/export", access: permitted, perm: exp,
			session: true, handler: s.segmentExport},

		{method: "GET", path: "/api/v1/segmentation", access: permitted, perm: read, kind: api,
			handler: s.apiGetSegmentation,
			summary: "The policy in force, the measures, the zones and the traffic between them"},
		{method: "GET", path: "/api/v1/segmentation/zones/{zone}", access: permitted,
			perm: read, kind: api, handler: s.apiGetSegmentZone,
			summary: "A zone's devices, each with the rule that placed it"},
		{method: "GET", path: "/api/v1/segmentation/violations", access: permitted,
			perm: read, kind: api, handler: s.apiListSegmentViolations,
			summary: "Observed flows the policy in force does not allow, filtered, a page at a time"},
		{method: "GET", path: "/api/v1/segmentation/policy", access: permitted, perm: read,
			kind: api, handler: s.apiGetSegmentPolicy,
			summary: "The policy in force (or a version) as YAML"},
		{method: "PUT", path: "/api/v1/segmentation/policy", access: permitted, perm: edit,
			kind: api, handler: s.apiPutSegmentPolicy,
			summary: "Save a policy (YAML) as the policy in force"},
		{method: "GET", path: "/api/v1/segmentation/policy/versions", access: permitted,
			perm: read, kind: api, handler: s.apiListSegmentVersions,
			summary: "The saved versions of the policy, the newest first"},
		{method: "POST", path: "/api/v1/segmentation/learn", access: permitted, perm: edit,
			kind: api, handler: s.apiPostSegmentLearn,
			summary: "Draft least-privilege conduits from the observed flows; stores nothing"},
		{method: "POST", path: "/api/v1/segmentation/simulate", access: permitted, perm: read,
			kind: api, handler: s.apiPostSegmentSimulate,
			summary: "The observed flows a proposed policy would block or newly allow"},
		{method: "GET", path: "/api/v1/segmentation/signoffs", access: permitted, perm: read,
			kind: api, handler: s.apiListSegmentSignoffs,
			summary: "The clinical safety sign-offs (DCB0160 hazard log), the newest first"},
		{method: "POST", path: "/api/v1/segmentation/signoffs", access: permitted, perm: cso,
			kind: api, handler: s.apiPostSegmentSignoff,
			summary: "Sign off a policy that blocks flows of life-sustaining or diagnostic devices"},
		{method: "GET", path: "/api/v1/segmentation/export", access: permitted, perm: exp,
			kind: api, handler: s.apiGetSegmentExport,
			summary: "Firewall rules (nftables or Cisco IOS) generated from a saved policy"},
		{method: "GET", path: "/api/v1/segmentation/weeks", access: permitted, perm: read,
			kind: api, handler: s.apiGetSegmentWeeks,
			summary: "Violations of the policy in force per ISO week"},
	}
	for i := range rs {
		rs[i].handler = s.everySite(rs[i])
		if rs[i].kind == api && unsafeMethod(rs[i].method) {
			rs[i].handler = headerCSRF(rs[i].handler)
		}
	}
	return rs
}

// errSegmentAllSites refuses segmentation to a user whose role is for
// some sites only: a policy, its zones and the flows between them are the
// whole trust's.
const errSegmentAllSites = "segmentation covers every site's devices and flows; it needs a " +
	"role for all sites"

// everySite puts rt's handler behind a check that the caller holds the
// route's permission for every site.
func (s *Server) everySite(rt route) http.HandlerFunc {
	h := rt.handler
	return func(w http.ResponseWriter, r *http.Request) {
		if !canEverywhere(who(r.Context()), rt.perm) {
			s.forbidden(w, r, rt.kind, errSegmentAllSites)
			return
		}
		h(w, r)
	}
}
