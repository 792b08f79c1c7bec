package web

import "github.com/wardhq/ward/internal/auth"

// workflowRoutes are the routes of the patch workflow (approved versions,
// patch plans) and NHS cyber alerts, as pages and under /api/v1. Every
// role reads them; clinical engineering manages patches, security alerts.
func (s *Server) workflowRoutes() []route {
	read, patches, alerts := auth.PermVulnsRead, auth.PermPatchesManage, auth.PermAlertsManage
	rs := []route{
		{method: "GET", path: "/patches", access: permitted, perm: read, session: true,
			handler: s.patchesPage},
		{method: "POST", path: "/patches", access: permitted, perm: patches, session: true,
			handler: s.createPatchPlan},
		{method: "POST", path: "/patches/approved", access: permitted, perm: patches,
			session: true, handler: s.approveVersion},
		{method: "GET", path: "/patches/{id}", access: permitted, perm: read, session: true,
			handler: s.patchPage},
		{method: "POST", path: "/patches/{id}/move", access: permitted, perm: patches,
			session: true, handler: s.movePatchPlan},
		{method: "GET", path: "/alerts", access: permitted, perm: read, session: true,
			handler: s.alertsPage},
		{method: "POST", path: "/alerts", access: permitted, perm: alerts, session: true,
			handler: s.createAlert},
		{method: "GET", path: "/alerts/{id}", access: permitted, perm: read, session: true,
			handler: s.alertPage},
		{method: "POST", path: "/alerts/{id}/move", access: permitted, perm: alerts,
			session: true, handler: s.moveAlertPage},

		{method: "GET", path: "/api/v1/patches", access: permitted, perm: read, kind: api,
			handler: s.apiListPatches, summary: "List patch plans, a page at a time"},
		{method: "POST", path: "/api/v1/patches", access: permitted, perm: patches, kind: api,
			handler: s.apiPostPatch,
			summary: "Create the patch plan of a vendor, model and software version"},
		{method: "GET", path: "/api/v1/patches/{id}", access: permitted, perm: read, kind: api,
			handler: s.apiGetPatch, summary: "A patch plan with its history"},
		{method: "POST", path: "/api/v1/patches/{id}/move", access: permitted, perm: patches,
			kind: api, handler: s.apiMovePatch, summary: "Move a patch plan to its next state"},
		{method: "GET", path: "/api/v1/approved-versions", access: permitted, perm: read,
			kind: api, handler: s.apiListApproved,
			summary: "List the versions manufacturers approved, a page at a time"},
		{method: "POST", path: "/api/v1/approved-versions", access: permitted, perm: patches,
			kind: api, handler: s.apiPostApproved,
			summary: "Record a version the manufacturer approved for a model"},
		{method: "GET", path: "/api/v1/alerts", access: permitted, perm: read, kind: api,
			handler: s.apiListAlerts, summary: "List NHS cyber alerts with their response clocks"},
		{method: "POST", path: "/api/v1/alerts", access: permitted, perm: alerts, kind: api,
			handler: s.apiPostAlert, summary: "Record an NHS cyber alert"},
		{method: "GET", path: "/api/v1/alerts/{id}", access: permitted, perm: read, kind: api,
			handler: s.apiGetAlert,
			summary: "An alert with its clock, its history and the devices it applies to"},
		{method: "POST", path: "/api/v1/alerts/{id}/move", access: permitted, perm: alerts,
			kind: api, handler: s.apiMoveAlert, summary: "Move an alert on to a later status"},
	}
	for i := range rs {
		if rs[i].kind == api && unsafeMethod(rs[i].method) {
			rs[i].handler = headerCSRF(rs[i].handler)
		}
	}
	return rs
}
