package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/match"
)

// The vulnerability routes of the JSON API: the same filters, scopes and
// checks as the pages (pages_vulns.go, pages_decisions.go,
// pages_advisories.go, pages_feeds.go), answered as api_types_vulns.go.

// apiFindings answers a page of findings: for action, or the review queue.
func (s *Server) apiFindings(w http.ResponseWriter, r *http.Request, review bool) {
	p := who(r.Context())
	fr, err := readFindingRequest(r.URL.Query(), review)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	list, status, msg, err := s.scopedFindings(r, p, auth.PermVulnsRead, fr)
	if err == nil && status != 0 {
		writeJSONError(w, status, msg)
		return
	}
	var fig apiFindingFigures
	if err == nil {
		f, queue, ferr := s.vulnFigures(r, p)
		fig, err = figuresOutVulns(f, queue, match.DefaultThreshold), ferr
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiFindingList{Findings: vulnFindingsOut(list.Rows),
		NextCursor: list.Next, Total: list.Total, Figures: fig})
}

func (s *Server) apiListFindings(w http.ResponseWriter, r *http.Request) {
	s.apiFindings(w, r, false)
}

func (s *Server) apiReviewFindings(w http.ResponseWriter, r *http.Request) {
	s.apiFindings(w, r, true)
}

// apiPostDecision saves a ruling, as the review form does.
func (s *Server) apiPostDecision(w http.ResponseWriter, r *http.Request) {
	var in apiNewDecision
	if !decodeJSON(w, r, &in) {
		return
	}
	res, err := s.decide(r, in)
	var de *decisionError
	if errors.As(err, &de) {
		writeJSONError(w, de.status, de.msg)
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

func (s *Server) apiListDecisions(w http.ResponseWriter, r *http.Request) {
	rows, err := s.db.Decisions(r.Context())
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	out := apiDecisionList{Decisions: make([]apiDecision, len(rows))}
	for i, d := range rows {
		out.Decisions[i] = decisionOut(d)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiListAdvisories(w http.ResponseWriter, r *http.Request) {
	q, err := advisoryQuery(r.URL.Query())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	advs, next, err := s.listAdvisories(r, who(r.Context()), q)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	out := apiAdvisoryList{Advisories: make([]apiAdvisorySummary, len(advs)), NextCursor: next}
	for i, a := range advs {
		out.Advisories[i] = advisorySummaryOut(a)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetAdvisory(w http.ResponseWriter, r *http.Request) {
	if d := s.loadAdvisory(w, r, api); d != nil {
		writeJSON(w, http.StatusOK, advisoryDetailOut(d.a, d.imported, d.kev, d.epss, d.findings))
	}
}

// apiPostFeed imports the body, one feed file, and matches every device
// again.
func (s *Server) apiPostFeed(w http.ResponseWriter, r *http.Request) {
	if all, _ := who(r.Context()).scope(auth.PermFeedsImport); !all {
		writeJSONError(w, http.StatusForbidden, errFeedsAllSites)
		return
	}
	if !acceptType(w, r, feedTypes...) {
		return
	}
	name, err := displayName(r.URL.Query().Get("name"), "upload.json")
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	if r.ContentLength > s.cfg.MaxUpload {
		writeJSONError(w, http.StatusRequestEntityTooLarge, "the file is larger than the server accepts")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload)
	up, err := s.importFeed(r, name, r.Body, who(r.Context()).name)
	switch {
	case err != nil:
		s.apiInternal(w, r, err)
	case up.status != 0:
		writeJSONError(w, up.status, up.msg)
	default:
		writeJSON(w, http.StatusOK, feedsResultOut(up.name, up.res, up.problems))
	}
}

func (s *Server) apiGetVEX(w http.ResponseWriter, r *http.Request) { s.sendVEX(w, r, api) }

// vulnAPIOps document the routes above; init adds them to apiOps.
var vulnAPIOps = []apiOp{
	{method: "GET", path: "/api/v1/findings", id: "listFindings", status: 200,
		out: apiFindingList{}, errs: []int{400},
		params: []string{"findingStatus", "findingLevel", "findingSSVC", "site", "findingAdvisory",
			"findingDevice", "findingCVE", "findingSearch", "findingSort", "cursor", "findingLimit"},
		desc: "The findings for action: of at least the threshold's confidence, or settled by " +
			"a ruling; by default those affected or under investigation. A caller limited to " +
			"some sites sees the findings of their devices only. Pass next_cursor back as " +
			"cursor with the same filters and sort."},
	{method: "GET", path: "/api/v1/findings/review", id: "listReviewQueue", status: 200,
		out: apiFindingList{}, errs: []int{400},
		params: []string{"findingStatus", "findingLevel", "findingSSVC", "site", "findingAdvisory",
			"findingDevice", "findingCVE", "findingSearch", "findingSort", "cursor", "findingLimit"},
		desc: "The review queue: findings below the threshold's confidence that no ruling " +
			"settles, and findings whose ruling was reopened by a new range of the product."},
	{method: "POST", path: "/api/v1/decisions", id: "createDecision", status: 201,
		out: apiDecisionResult{}, errs: []int{400, 404, 409, 413, 415},
		body: &apiBody{json: apiNewDecision{}, desc: "The finding ruled on (device, advisory, " +
			"CVE) and the ruling. Unknown fields are refused."},
		desc: "The ruling is recorded for the vendor, model and software version of the device " +
			"as matching sees it, so it applies to every device of that model and version; it " +
			"needs a review role for all sites. Every device is matched again, and the ruling " +
			"is written to the audit log (vulns.decision) with the status before and after."},
	{method: "GET", path: "/api/v1/decisions", id: "listDecisions", status: 200,
		out: apiDecisionList{}},
	{method: "GET", path: "/api/v1/advisories", id: "listAdvisories", status: 200,
		out: apiAdvisoryList{}, params: []string{"advisorySearch", "advisoryCursor", "advisoryLimit"},
		errs: []int{400}},
	{method: "GET", path: "/api/v1/advisories/{id}", id: "getAdvisory", status: 200,
		out: apiAdvisoryDetail{}, params: []string{"advisoryID"}, errs: []int{404}},
	{method: "POST", path: "/api/v1/feeds", id: "importFeed", params: []string{"feedName"},
		status: 200, out: apiFeedsResult{}, errs: []int{400, 413, 415, 422},
		body: &apiBody{types: feedTypes, desc: "One feed file as it is: a CSAF 2.0 advisory, " +
			"an NVD CVE JSON 2.0 record, CISA's KEV catalogue (JSON or CSV), EPSS scores " +
			"(CSV, gzip allowed), a CycloneDX SBOM or VEX, or an OpenVEX document."},
		desc: "The file is imported as `ward feeds import` would, and every device matched " +
			"again: it needs a role for all sites. A file of no known format, or whose one document is refused, is a 422 " +
			"saying why, and nothing is stored."},
	{method: "GET", path: "/api/v1/vex", id: "exportVEX", params: []string{"vexFormat"},
		status: 200, out: json.RawMessage(nil), errs: []int{400, 409},
		desc: "Every ruling in force as one VEX document, OpenVEX 0.2.0 or CSAF 2.0 VEX, for " +
			"other trusts to read. An affected ruling's note is its action statement: with one " +
			"missing, or with no rulings at all, the export is refused (409) saying which."},
}

// vulnAPIParams are the parameters vulnAPIOps use.
var vulnAPIParams = map[string]oaParam{
	"findingStatus": query("status", "Only findings of this status (repeat for several); any "+
		"for all. Default: affected and under_investigation, and for the review queue any.",
		enum("any", "affected", "under_investigation", "fixed", "not_affected")),
	"findingLevel": query("level", "Only findings of this priority level (repeat for several).",
		enum(findingLevels...)),
	"findingSSVC": query("ssvc", "Only findings of this SSVC decision (repeat for several).",
		enum(findingSSVC...)),
	"findingAdvisory": query("advisory", "Only the findings of this advisory ID.", str()),
	"findingDevice":   query("device", "Only the findings of this device ID.", str()),
	"findingCVE":      query("cve", "Only the findings of this CVE.", str()),
	"findingSearch": query("q", "Part of the device's name, vendor, model or addresses, of the "+
		"advisory's ID or title, of the CVE or of the product; any case.", str()),
	"findingSort": query("sort", "The order; ties are broken by device, advisory and CVE. "+
		"Default priority (highest first).", enum(findingSorts...)),
	"findingLimit": query("limit", "Findings a page, 1 to 500. Default 50.", integer(1, 500)),
	"advisoryLimit": query("limit", "Advisories a page, 1 to 500. Default 50.",
		integer(1, 500)),
	"advisorySearch": query("q", "Part of the advisory's ID or title, or of one of its CVEs; "+
		"any case.", str()),
	"advisoryCursor": query("cursor", "The next_cursor of the previous page.", str()),
	"advisoryID": {Name: "id", In: "path", Required: true, Description: "The advisory's " +
		"tracking ID, or the CVE of an NVD record.", Schema: str()},
	"feedName": query("name", "The file's name, which may tell its format where its content "+
		"does not (icsma-….json, ….epss.csv). Default upload.json.", str()),
	"vexFormat": query("format", "openvex (the default) or csaf.", enum("openvex", "csaf")),
}

func init() {
	apiOps = append(apiOps, vulnAPIOps...)
	for k, v := range vulnAPIParams {
		apiParams[k] = v
	}
}
