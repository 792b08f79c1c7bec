package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"

	"github.com/wardhq/ward/internal/store"
)

// The JSON API of the patch workflow and NHS cyber alerts. The lists are
// short (a plan per model and version, an alert a week), so the store
// returns them whole and the API pages them with an opaque cursor; an
// alert's devices are paged by the store.

// apiWorkflowError answers a refused write with its status and message.
func (s *Server) apiWorkflowError(w http.ResponseWriter, r *http.Request, err error, notFound string) {
	status, msg := workflowStatus(err)
	switch status {
	case http.StatusInternalServerError:
		s.apiInternal(w, r, err)
	case http.StatusNotFound:
		writeJSONError(w, status, notFound)
	default:
		writeJSONError(w, status, msg)
	}
}

// apiWorld reads the patch world, answering the request itself when it
// cannot.
func (s *Server) apiWorld(w http.ResponseWriter, r *http.Request) *patchWorld {
	world, err := s.patchWorld(r)
	if errors.Is(err, errNoWorkflowSites) {
		writeJSONError(w, http.StatusForbidden, err.Error())
		return nil
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return nil
	}
	return world
}

func (s *Server) apiListPatches(w http.ResponseWriter, r *http.Request) {
	pg, err := readMemPage(r.URL.Query())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	world := s.apiWorld(w, r)
	if world == nil {
		return
	}
	plans := slices.Clone(world.plans)
	slices.SortFunc(plans, func(a, b store.PatchPlan) int { return cmp.Compare(a.ID, b.ID) })
	page, next := memPageOf(plans, func(p *store.PatchPlan) string { return idSortKey(p.ID) }, false, pg)
	out := apiPatchPlans{Plans: make([]apiPatchPlan, len(page)), NextCursor: next}
	for i, p := range page {
		c := world.card(p)
		out.Plans[i] = patchPlanOut(&c.PatchPlan, c.Devices, c.Approval != nil)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiPostPatch(w http.ResponseWriter, r *http.Request) {
	var in apiNewPatchPlan
	if !decodeJSON(w, r, &in) {
		return
	}
	plan, err := s.createPlan(r, in)
	if err != nil {
		s.apiWorkflowError(w, r, err, "no such patch plan")
		return
	}
	s.writePlan(w, r, plan.ID, http.StatusCreated)
}

func (s *Server) apiGetPatch(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeJSONError(w, http.StatusNotFound, "no such patch plan")
		return
	}
	s.writePlan(w, r, id, http.StatusOK)
}

// writePlan answers a plan with its history.
func (s *Server) writePlan(w http.ResponseWriter, r *http.Request, id int64, status int) {
	world := s.apiWorld(w, r)
	if world == nil {
		return
	}
	i := slices.IndexFunc(world.plans, func(p store.PatchPlan) bool { return p.ID == id })
	if i < 0 {
		writeJSONError(w, http.StatusNotFound, "no such patch plan")
		return
	}
	evs, err := s.db.PatchEvents(r.Context(), id)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	c := world.card(world.plans[i])
	writeJSON(w, status, apiPatchPlanDetail{apiPatchPlan: patchPlanOut(&c.PatchPlan, c.Devices,
		c.Approval != nil), History: patchEventsOut(evs)})
}

func (s *Server) apiMovePatch(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeJSONError(w, http.StatusNotFound, "no such patch plan")
		return
	}
	var in apiPatchMove
	if !decodeJSON(w, r, &in) {
		return
	}
	if _, err := s.movePlan(r, id, in); err != nil {
		s.apiWorkflowError(w, r, err, "no such patch plan")
		return
	}
	s.writePlan(w, r, id, http.StatusOK)
}

func (s *Server) apiListApproved(w http.ResponseWriter, r *http.Request) {
	pg, err := readMemPage(r.URL.Query())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	vs, err := s.db.ApprovedVersions(r.Context())
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	// The store orders them by these keys; the cursor needs exactly the
	// order of the joined keys.
	key := func(v *store.ApprovedVersion) string {
		return v.VendorKey + "\x00" + v.ModelKey + "\x00" + v.Version
	}
	slices.SortFunc(vs, func(a, b store.ApprovedVersion) int { return cmp.Compare(key(&a), key(&b)) })
	page, next := memPageOf(vs, key, false, pg)
	out := apiApprovedVersions{Versions: make([]apiApprovedVersion, len(page)), NextCursor: next}
	for i := range page {
		out.Versions[i] = approvedOut(&page[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiPostApproved(w http.ResponseWriter, r *http.Request) {
	var in apiNewApprovedVersion
	if !decodeJSON(w, r, &in) {
		return
	}
	v, err := s.approve(r, in)
	if err != nil {
		s.apiWorkflowError(w, r, err, "not found")
		return
	}
	writeJSON(w, http.StatusCreated, approvedOut(&v))
}

func (s *Server) apiListAlerts(w http.ResponseWriter, r *http.Request) {
	pg, err := readMemPage(r.URL.Query())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	sites, err := workflowScope(who(r.Context()))
	if err != nil {
		writeJSONError(w, http.StatusForbidden, err.Error())
		return
	}
	alerts, err := s.db.Alerts(r.Context())
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	slices.SortFunc(alerts, func(a, b store.Alert) int { return cmp.Compare(b.ID, a.ID) })
	page, next := memPageOf(alerts, func(a *store.Alert) string { return idSortKey(a.ID) }, true, pg)
	out := apiAlerts{Alerts: make([]apiAlert, len(page)), NextCursor: next}
	now := s.now()
	for i := range page {
		a := &page[i]
		n, err := s.alertDeviceCount(r.Context(), a, sites)
		if err != nil {
			s.apiInternal(w, r, err)
			return
		}
		out.Alerts[i] = alertOut(a, clockOf(a, now), n)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiPostAlert(w http.ResponseWriter, r *http.Request) {
	var in apiNewAlert
	if !decodeJSON(w, r, &in) {
		return
	}
	a, err := s.recordAlert(r, in)
	if err != nil {
		s.apiWorkflowError(w, r, err, "no such alert")
		return
	}
	s.writeAlert(w, r, a.ID, "", http.StatusCreated)
}

func (s *Server) apiGetAlert(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeJSONError(w, http.StatusNotFound, "no such alert")
		return
	}
	s.writeAlert(w, r, id, r.URL.Query().Get("devices_cursor"), http.StatusOK)
}

// writeAlert answers an alert with its history and a page of its devices
// in the caller's sites.
func (s *Server) writeAlert(w http.ResponseWriter, r *http.Request, id int64, cursor string,
	status int) {
	sites, err := workflowScope(who(r.Context()))
	if err != nil {
		writeJSONError(w, http.StatusForbidden, err.Error())
		return
	}
	a, evs, err := s.db.Alert(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, "no such alert")
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	pg, err := s.alertDevices(r, &a, sites, cursor, alertDevicesPage)
	if errors.Is(err, store.ErrInvalid) {
		writeJSONError(w, http.StatusBadRequest, "devices_cursor: "+invalidText(err))
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	out := apiAlertDetail{apiAlert: alertOut(&a, clockOf(&a, s.now()), pg.Total),
		History: alertEventsOut(evs), AffectedDevices: make([]apiAlertDevice, len(pg.Devices)),
		DevicesCursor: pg.Next}
	for i := range pg.Devices {
		out.AffectedDevices[i] = alertDeviceOut(&pg.Devices[i])
	}
	writeJSON(w, status, out)
}

func (s *Server) apiMoveAlert(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeJSONError(w, http.StatusNotFound, "no such alert")
		return
	}
	var in apiAlertMove
	if !decodeJSON(w, r, &in) {
		return
	}
	if _, err := s.moveAlert(r, id, in); err != nil {
		s.apiWorkflowError(w, r, err, "no such alert")
		return
	}
	s.writeAlert(w, r, id, "", http.StatusOK)
}

// workflowOps document the routes above in the OpenAPI document.
var workflowOps = []apiOp{
	{method: "GET", path: "/api/v1/patches", id: "listPatchPlans", status: 200,
		out: apiPatchPlans{}, params: []string{"workflowCursor", "workflowLimit"}, errs: []int{400},
		desc: "Every plan, by id, a page at a time. devices counts the caller's sites only."},
	{method: "POST", path: "/api/v1/patches", id: "createPatchPlan", status: 201,
		out: apiPatchPlanDetail{}, body: &apiBody{json: apiNewPatchPlan{}},
		errs: []int{400, 409, 413, 415},
		desc: "The plan starts at available. Its vendor, model and version are keyed as " +
			"matching reads them; a second plan of the same keys is refused (409). Needs a " +
			"role for every site. Audited as patch.create."},
	{method: "GET", path: "/api/v1/patches/{id}", id: "getPatchPlan", params: []string{"planID"},
		status: 200, out: apiPatchPlanDetail{}, errs: []int{404}},
	{method: "POST", path: "/api/v1/patches/{id}/move", id: "movePatchPlan",
		params: []string{"planID"}, status: 200, out: apiPatchPlanDetail{},
		body: &apiBody{json: apiPatchMove{}}, errs: []int{400, 404, 409, 413, 415},
		desc: "A move goes to the next state. Skipping states or going back needs force, " +
			"which the history records; without it the move is refused (409) and nothing " +
			"changes. Scheduled needs a maintenance window. Audited as patch.move."},
	{method: "GET", path: "/api/v1/approved-versions", id: "listApprovedVersions", status: 200,
		out: apiApprovedVersions{}, params: []string{"workflowCursor", "workflowLimit"},
		errs: []int{400}},
	{method: "POST", path: "/api/v1/approved-versions", id: "approveVersion", status: 201,
		out: apiApprovedVersion{}, body: &apiBody{json: apiNewApprovedVersion{}},
		errs: []int{400, 413, 415},
		desc: "A second record of the same vendor, model and version replaces the first. " +
			"Audited as patch.approve_version, with the values replaced."},
	{method: "GET", path: "/api/v1/alerts", id: "listAlerts", status: 200, out: apiAlerts{},
		params: []string{"workflowCursor", "workflowLimit"}, errs: []int{400},
		desc: "The most recently recorded first, each with its response clock at the " +
			"server's time and the count of devices in the caller's sites it applies to."},
	{method: "POST", path: "/api/v1/alerts", id: "recordAlert", status: 201,
		out: apiAlertDetail{}, body: &apiBody{json: apiNewAlert{}},
		errs: []int{400, 409, 413, 415},
		desc: "A high-severity alert is due 48 hours after it was received. A reference " +
			"already recorded is refused (409). Needs a role for every site. Audited as " +
			"alert.create."},
	{method: "GET", path: "/api/v1/alerts/{id}", id: "getAlert",
		params: []string{"alertID", "alertDevicesCursor"}, status: 200, out: apiAlertDetail{},
		errs: []int{400, 404},
		desc: "The devices it applies to have findings on its CVEs of any status but " +
			"not_affected, at the default confidence threshold or above, in the caller's sites; " +
			"100 a page."},
	{method: "POST", path: "/api/v1/alerts/{id}/move", id: "moveAlert",
		params: []string{"alertID"}, status: 200, out: apiAlertDetail{},
		body: &apiBody{json: apiAlertMove{}}, errs: []int{400, 404, 409, 413, 415},
		desc: "Statuses may be skipped but not gone back to (409). The first move from open " +
			"stops the clock; closing records closed_at. Audited as alert.move."},
}

func init() {
	apiOps = append(apiOps, workflowOps...)
	apiParams["workflowCursor"] = query("cursor", "The next_cursor of the previous page.", str())
	apiParams["workflowLimit"] = query("limit", "Items a page, 1 to 500. Default 100.",
		integer(1, 500))
	apiParams["planID"] = oaParam{Name: "id", In: "path", Required: true,
		Description: "The patch plan's id.", Schema: integer(1, 0)}
	apiParams["alertID"] = oaParam{Name: "id", In: "path", Required: true,
		Description: "The alert's id.", Schema: integer(1, 0)}
	apiParams["alertDevicesCursor"] = query("devices_cursor",
		"The devices_next_cursor of the previous page of devices.", str())
}
