package web

import "github.com/wardhq/ward/internal/auth"

// vulnRoutes are the routes of vulnerabilities: findings by priority, the
// review queue and rulings, advisories, feeds import and VEX export, as
// pages and under /api/v1.
func (s *Server) vulnRoutes() []route {
	rs := []route{
		{method: "GET", path: "/vulnerabilities", access: permitted, perm: auth.PermVulnsRead,
			session: true, handler: s.vulnsPage},
		{method: "GET", path: "/vulnerabilities.csv", access: permitted, perm: auth.PermExport,
			session: true, handler: s.vulnsCSV},
		{method: "GET", path: "/vulnerabilities/review", access: permitted,
			perm: auth.PermVulnsRead, session: true, handler: s.reviewPage},
		{method: "POST", path: "/vulnerabilities/decisions", access: permitted,
			perm: auth.PermVulnsReview, session: true, handler: s.postDecision},
		{method: "GET", path: "/vulnerabilities/vex", access: permitted, perm: auth.PermExport,
			session: true, handler: s.vexPage},
		{method: "GET", path: "/advisories", access: permitted, perm: auth.PermVulnsRead,
			session: true, handler: s.advisoriesPage},
		{method: "GET", path: "/advisories/{id}", access: permitted, perm: auth.PermVulnsRead,
			session: true, handler: s.advisoryPage},
		{method: "GET", path: "/feeds", access: permitted, perm: auth.PermFeedsImport,
			session: true, handler: s.feedsPage},
		{method: "POST", path: "/feeds", access: permitted, perm: auth.PermFeedsImport,
			session: true, stream: true, handler: s.feedsUpload},

		{method: "GET", path: "/api/v1/findings", access: permitted, perm: auth.PermVulnsRead,
			kind: api, handler: s.apiListFindings,
			summary: "List device vulnerabilities by priority, filtered, a page at a time"},
		{method: "GET", path: "/api/v1/findings/review", access: permitted,
			perm: auth.PermVulnsRead, kind: api, handler: s.apiReviewFindings,
			summary: "The review queue: uncertain matches and reopened rulings"},
		{method: "POST", path: "/api/v1/decisions", access: permitted,
			perm: auth.PermVulnsReview, kind: api, handler: s.apiPostDecision,
			summary: "Rule on a finding for every device of its model and version"},
		{method: "GET", path: "/api/v1/decisions", access: permitted, perm: auth.PermVulnsRead,
			kind: api, handler: s.apiListDecisions, summary: "The rulings in force"},
		{method: "GET", path: "/api/v1/advisories", access: permitted,
			perm: auth.PermVulnsRead, kind: api, handler: s.apiListAdvisories,
			summary: "List advisories, the most recently updated first"},
		{method: "GET", path: "/api/v1/advisories/{id}", access: permitted,
			perm: auth.PermVulnsRead, kind: api, handler: s.apiGetAdvisory,
			summary: "An advisory whole, with the devices it matched"},
		{method: "POST", path: "/api/v1/feeds", access: permitted, perm: auth.PermFeedsImport,
			kind: api, handler: s.apiPostFeed,
			summary: "Import a feed file (advisory, KEV, EPSS, SBOM, VEX) and match again"},
		{method: "GET", path: "/api/v1/vex", access: permitted, perm: auth.PermExport,
			kind: api, handler: s.apiGetVEX, summary: "Export the rulings as OpenVEX or CSAF VEX"},
	}
	for i := range rs {
		if rs[i].kind == api && unsafeMethod(rs[i].method) {
			rs[i].handler = headerCSRF(rs[i].handler)
		}
	}
	return rs
}
