package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/segment"
	"github.com/wardhq/ward/internal/store"
)

// The segmentation routes of the JSON API: the same figures, checks and
// audit events as the pages (pages_segment*.go), answered as
// api_types_segment.go.

func (s *Server) apiGetSegmentation(w http.ResponseWriter, r *http.Request) {
	seg := s.segmentation(w, r, api)
	if seg == nil {
		return
	}
	o, err := s.overview(r, seg, false)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, segmentationOut(o))
}

func (s *Server) apiGetSegmentZone(w http.ResponseWriter, r *http.Request) {
	seg := s.segmentation(w, r, api)
	if seg == nil {
		return
	}
	z, ok := zoneOf(seg, r.PathValue("zone"))
	if !ok {
		writeJSONError(w, http.StatusNotFound, "the policy has no such zone")
		return
	}
	writeJSON(w, http.StatusOK, zoneDetailOut(z))
}

func (s *Server) apiListSegmentViolations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := readViolationFilter(q)
	var pg offsetPage
	if err == nil {
		pg, err = readOffsetPage(q, 100)
	}
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	seg := s.segmentation(w, r, api)
	if seg == nil {
		return
	}
	sel := filterViolations(seg.Eval.Check(seg.Flows).Violations, f)
	rows, next := pageOf(sel, pg)
	out := apiSegmentViolations{Violations: make([]apiSegmentViolation, len(rows)),
		NextCursor: next, Total: len(sel), Policy: segmentPolicyOut(policyInfo(seg))}
	for i := range rows {
		out.Violations[i] = segmentViolationOut(&rows[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetSegmentPolicy(w http.ResponseWriter, r *http.Request) {
	if id := r.URL.Query().Get("version"); id != "" {
		v, status, msg := s.policyVersion(r, id)
		if status != 0 {
			writeJSONError(w, status, strings.ToLower(msg[:1])+strings.TrimSuffix(msg[1:], "."))
			return
		}
		p, err := segment.Parse([]byte(v.YAML), "")
		if err != nil {
			s.apiInternal(w, r, fmt.Errorf("stored policy version %d: %w", v.ID, err))
			return
		}
		in := segmentPolicyInfo{Saved: true, ID: v.ID, Name: v.Name, By: v.By, Note: v.Note,
			At: v.CreatedAt, Digest: v.Digest, Zones: len(p.Zones), Rules: len(p.Rules),
			Conduit: len(p.Conduits)}
		writeJSON(w, http.StatusOK, apiPolicyText{Policy: segmentPolicyOut(in), YAML: v.YAML})
		return
	}
	seg := s.segmentation(w, r, api)
	if seg == nil {
		return
	}
	text, err := policyText(seg)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiPolicyText{Policy: segmentPolicyOut(policyInfo(seg)), YAML: text})
}

// policyTypes are the media types a policy may be sent as.
var policyTypes = []string{"application/yaml", "application/x-yaml", "text/yaml", "text/plain"}

// readPolicyBody reads a policy sent as YAML, at most maxPolicyBytes of
// UTF-8. When it is refused it answers the request itself and returns
// false.
func readPolicyBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if !acceptType(w, r, policyTypes...) {
		return nil, false
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPolicyBytes))
	switch {
	case err != nil && uploadStatus(err) == http.StatusRequestEntityTooLarge:
		writeJSONError(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the policy is larger than %d bytes", maxPolicyBytes))
	case err != nil:
		writeJSONError(w, http.StatusBadRequest, "the body could not be read")
	case !utf8.Valid(b):
		writeJSONError(w, http.StatusBadRequest, "the body is not valid UTF-8")
	case len(strings.TrimSpace(string(b))) == 0:
		writeJSONError(w, http.StatusBadRequest, "the body is empty: send the policy as YAML")
	default:
		return b, true
	}
	return nil, false
}

// writeProblems answers a policy that did not validate: 422 with every
// problem.
func writeProblems(w http.ResponseWriter, what string, probs []segment.Problem) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusUnprocessableEntity, policyProblemsOut(
		fmt.Sprintf("%s: %s", what, problemCount(len(probs))), probs))
}

func (s *Server) apiPutSegmentPolicy(w http.ResponseWriter, r *http.Request) {
	note := strings.TrimSpace(r.URL.Query().Get("note"))
	if err := checkNote("note", note); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	b, ok := readPolicyBody(w, r)
	if !ok {
		return
	}
	v, err := s.cfg.Ingest.SavePolicy(r.Context(), b, who(r.Context()).name, note)
	if probs, ok := policyProblems(err); ok {
		writeProblems(w, "the policy was not saved; the policy in force is unchanged", probs)
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	p, err := segment.Parse(b, "")
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	in := segmentPolicyInfo{Saved: true, ID: v.ID, Name: v.Name, By: v.By, Note: v.Note,
		At: v.CreatedAt, Digest: v.Digest, Zones: len(p.Zones), Rules: len(p.Rules),
		Conduit: len(p.Conduits)}
	writeJSON(w, http.StatusOK, apiPolicyText{Policy: segmentPolicyOut(in), YAML: v.YAML})
}

func (s *Server) apiListSegmentVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := s.db.PolicyVersions(r.Context(), maxPolicyVersions)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, policyVersionsOut(vs))
}

func (s *Server) apiPostSegmentLearn(w http.ResponseWriter, r *http.Request) {
	draft, err := s.cfg.Ingest.LearnPolicy(r.Context(), nil)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	b, err := segment.Marshal(draft)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	out := apiPolicyDraft{YAML: string(b), Digest: draft.Digest(), Conduits: len(draft.Conduits),
		Learned: apiLearned{Sources: []string{}}}
	if l := draft.Learned; l != nil {
		out.Learned = apiLearned{From: l.From, To: l.To, Flows: l.Flows, Sources: nonNil(l.Sources)}
	}
	writeJSON(w, http.StatusOK, out)
}

// parsePolicyBody reads and parses a policy sent as YAML; when it is
// refused it answers the request itself and returns nil.
func (s *Server) parsePolicyBody(w http.ResponseWriter, r *http.Request) *segment.Policy {
	b, ok := readPolicyBody(w, r)
	if !ok {
		return nil
	}
	p, err := segment.Parse(b, "")
	if probs, ok := policyProblems(err); ok {
		writeProblems(w, "the policy is not valid", probs)
		return nil
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return nil
	}
	return p
}

func (s *Server) apiPostSegmentSimulate(w http.ResponseWriter, r *http.Request) {
	p := s.parsePolicyBody(w, r)
	if p == nil {
		return
	}
	sim, st, err := s.simulate(r.Context(), p)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, simulationOut(p.Digest(), sim, st))
}

func (s *Server) apiListSegmentSignoffs(w http.ResponseWriter, r *http.Request) {
	digest := strings.TrimSpace(r.URL.Query().Get("digest"))
	if !plainText(digest) {
		writeJSONError(w, http.StatusBadRequest, "digest must be a policy's digest, sha256:…")
		return
	}
	sos, err := s.db.Signoffs(r.Context(), digest)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	out := apiSignoffs{Signoffs: make([]apiSignoff, len(sos))}
	for i := range sos {
		out.Signoffs[i] = signoffOut(&sos[i])
	}
	writeJSON(w, http.StatusOK, out)
}

// signoffPolicy is the policy a sign-off asks for: the YAML given, else
// the version, else the policy in force.
func (s *Server) signoffPolicy(r *http.Request, in *apiNewSignoff) (*segment.Policy, error) {
	if in.Policy != "" && in.Version != 0 {
		return nil, &fieldError{"policy", "give a policy or a version, not both"}
	}
	if in.Policy != "" {
		return segment.Parse([]byte(in.Policy), "")
	}
	v, err := s.db.CurrentPolicy(r.Context())
	if in.Version != 0 {
		v, err = s.db.PolicyVersionByID(r.Context(), in.Version)
	} else if errors.Is(err, store.ErrNotFound) {
		return nil, errNoPolicySaved
	}
	if err != nil {
		return nil, err
	}
	return segment.Parse([]byte(v.YAML), "")
}

func (s *Server) apiPostSegmentSignoff(w http.ResponseWriter, r *http.Request) {
	var in apiNewSignoff
	if !decodeJSON(w, r, &in) {
		return
	}
	p, err := s.signoffPolicy(r, &in)
	if probs, ok := policyProblems(err); ok {
		writeProblems(w, "the policy is not valid", probs)
		return
	}
	var so *segment.Signoff
	if err == nil {
		so, err = s.signOff(r, p, signoffInput{hazard: in.Hazard, reasoning: in.Reasoning})
	}
	if err != nil {
		s.apiWorkflowError(w, r, err, "there is no such version of the policy")
		return
	}
	writeJSON(w, http.StatusCreated, signoffOut(so))
}

func (s *Server) apiGetSegmentExport(w http.ResponseWriter, r *http.Request) {
	er, err := readExportRequest(r.URL.Query())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	ex, err := s.exportRules(r, er)
	if errors.Is(err, ingest.ErrSignoffNeeded) {
		writeJSONError(w, http.StatusConflict, err.Error()+": a Clinical Safety Officer must "+
			"sign this policy off (POST /api/v1/segmentation/signoffs) before it is exported "+
			"for enforcement; mode=log needs no sign-off, and POST /api/v1/segmentation/simulate "+
			"lists the critical flows")
		return
	}
	if err != nil {
		s.apiWorkflowError(w, r, err, "there is no such version of the policy")
		return
	}
	writeJSON(w, http.StatusOK, apiSegmentExport{Format: er.format, Mode: er.mode,
		VersionID: ex.version.ID, Digest: ex.version.Digest, Rules: string(ex.rules),
		Filename: fmt.Sprintf("ward-policy-%d-%s%s", ex.version.ID, er.mode,
			exportFormats[er.format])})
}

func (s *Server) apiGetSegmentWeeks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	last := s.now()
	if v := q.Get("to"); v != "" {
		t, err := parseWhen("to", v)
		if err != nil {
			writeJSONError(w, http.StatusBadRequest, err.Error())
			return
		}
		last = t.Add(-1)
	}
	from, to := chartWindow(last)
	ws, err := s.cfg.Ingest.ViolationWeeks(r.Context(), from, to)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	c := buildWeekChart(ws, from, to)
	out := apiSegmentWeeks{Weeks: make([]apiSegmentWeek, len(c.Bars)), From: from, To: to}
	for i, b := range c.Bars {
		out.Weeks[i] = apiSegmentWeek{Start: b.Start, Flows: b.Flows, Packets: b.Packets}
	}
	writeJSON(w, http.StatusOK, out)
}

// segmentAPIOps document the routes above; init adds them to apiOps.
// policyProblemAnswer documents a policy's 422: the error and every
// problem with its line, column and key.
var policyProblemAnswer = map[int]any{http.StatusUnprocessableEntity: apiPolicyProblems{}}

var segmentAPIOps = []apiOp{
	{method: "GET", path: "/api/v1/segmentation", id: "getSegmentation", status: 200,
		out: apiSegmentation{},
		desc: "The observed flows checked against the policy in force (the hospital template " +
			"while none is saved). Segmentation covers every site: it needs a role for all sites."},
	{method: "GET", path: "/api/v1/segmentation/zones/{zone}", id: "getSegmentZone",
		params: []string{"zoneName"}, status: 200, out: apiSegmentZoneDetail{}, errs: []int{404},
		desc: "The devices the policy in force places in the zone (unassigned for those no " +
			"rule places), each with the rule that placed it."},
	{method: "GET", path: "/api/v1/segmentation/violations", id: "listSegmentViolations",
		params: []string{"violationFrom", "violationTo", "violationDevice", "violationProtocol",
			"violationApplication", "violationCursor", "violationLimit"},
		status: 200, out: apiSegmentViolations{}, errs: []int{400},
		desc: "One entry per flow (source, destination, protocol, port, VLAN), the most " +
			"packets first. Pass next_cursor back as cursor with the same filters."},
	{method: "GET", path: "/api/v1/segmentation/policy", id: "getSegmentPolicy",
		params: []string{"policyVersion"}, status: 200, out: apiPolicyText{},
		errs: []int{400, 404}},
	{method: "PUT", path: "/api/v1/segmentation/policy", id: "saveSegmentPolicy",
		params: []string{"policyNote"}, status: 200, out: apiPolicyText{},
		body: &apiBody{types: policyTypes, desc: "The policy as YAML (ward_policy: 1), " +
			"comments kept."},
		errs: []int{400, 413, 415, 422}, errOut: policyProblemAnswer,
		desc: "The policy is validated whole: one that is not valid is a 422 whose body " +
			"lists every problem (line, column, key, message) beside the error, and nothing is " +
			"stored. A valid one is saved as a new version, the policy in force, and audited as " +
			"segment.policy.save."},
	{method: "GET", path: "/api/v1/segmentation/policy/versions", id: "listSegmentPolicyVersions",
		status: 200, out: apiPolicyVersions{},
		desc: "At most 100, without their text: read one with GET /api/v1/segmentation/policy?version=ID."},
	{method: "POST", path: "/api/v1/segmentation/learn", id: "learnSegmentPolicy", status: 200,
		out: apiPolicyDraft{},
		desc: "Least-privilege conduits that allow exactly the stored flows, grouped by device " +
			"category, for the zones of the policy in force (or the template). Nothing is stored."},
	{method: "POST", path: "/api/v1/segmentation/simulate", id: "simulateSegmentPolicy",
		status: 200, out: apiSimulation{}, errs: []int{400, 413, 415, 422},
		errOut: policyProblemAnswer,
		body:   &apiBody{types: policyTypes, desc: "The proposed policy as YAML."},
		desc: "The stored flows that the proposal would block and the policy in force allows " +
			"(everything, while none is saved), by clinical workflow, and those it would newly " +
			"allow. A proposal that blocks flows of life-sustaining or diagnostic devices needs a " +
			"sign-off before it is exported for enforcement; signed_off is the one that covers " +
			"it. A policy that is not valid is a 422 listing its problems."},
	{method: "GET", path: "/api/v1/segmentation/signoffs", id: "listSegmentSignoffs",
		params: []string{"signoffDigest"}, status: 200, out: apiSignoffs{}, errs: []int{400}},
	{method: "POST", path: "/api/v1/segmentation/signoffs", id: "signOffSegmentPolicy",
		status: 201, out: apiSignoff{}, body: &apiBody{json: apiNewSignoff{}},
		errs: []int{400, 404, 409, 413, 415, 422}, errOut: policyProblemAnswer,
		desc: "Only the clinical-safety-officer role may (an admin may not). The sign-off covers " +
			"the policy's digest and the critical flows it blocks now; a policy that blocks none " +
			"is refused (409). Audited as segment.signoff."},
	{method: "GET", path: "/api/v1/segmentation/export", id: "exportSegmentRules",
		params: []string{"exportFormat", "exportMode", "exportVersion"}, status: 200,
		out: apiSegmentExport{}, errs: []int{400, 404, 409},
		desc: "Rules for the policy in force, or a saved version. For enforcement, a policy " +
			"that blocks flows of life-sustaining or diagnostic devices needs a sign-off that " +
			"covers them: without one the export is refused (409). mode=log logs what it would " +
			"drop and drops nothing; it needs no sign-off. Audited as segment.export, refusals " +
			"too."},
	{method: "GET", path: "/api/v1/segmentation/weeks", id: "listSegmentWeeks",
		params: []string{"weeksTo"}, status: 200, out: apiSegmentWeeks{}, errs: []int{400},
		desc: "The 12 ISO weeks up to the week of to (default now), each with the violations of " +
			"the policy in force counted from the hourly flow counts."},
}

// segmentAPIParams are the parameters segmentAPIOps use.
var segmentAPIParams = map[string]oaParam{
	"zoneName": {Name: "zone", In: "path", Required: true,
		Description: "The zone's name, or unassigned.", Schema: str()},
	"violationFrom":   query("from", "Only flows from this zone.", str()),
	"violationTo":     query("to", "Only flows to this zone.", str()),
	"violationDevice": query("device", "Only flows with this device at either end: its id, an address, or part of its name.", str()),
	"violationProtocol": query("protocol", "Only flows of this protocol: tcp, udp, icmp, "+
		"icmpv6 or a number.", str()),
	"violationApplication": query("application", "Only flows of this application (dicom, "+
		"hl7, tls, ...).", str()),
	"violationCursor": query("cursor", "The next_cursor of the previous page.", str()),
	"violationLimit":  query("limit", "Violations a page, 1 to 500. Default 100.", integer(1, 500)),
	"policyVersion": query("version", "A saved version's id; absent: the policy in force.",
		integer(1, 0)),
	"policyNote":    query("note", "Why, for the history; optional.", str()),
	"signoffDigest": query("digest", "Only the sign-offs of this policy digest.", str()),
	"exportFormat":  query("format", "nftables (the default) or cisco.", enum("nftables", "cisco")),
	"exportMode": query("mode", "enforce (the default), or log: log what would be dropped "+
		"and drop nothing.", enum("enforce", "log")),
	"exportVersion": query("version", "A saved version's id; absent: the policy in force.",
		integer(1, 0)),
	"weeksTo": query("to", "The end of the last week: RFC 3339 or 2026-03-02T09:00 (UTC). "+
		"Default now.", str()),
}

func init() {
	apiOps = append(apiOps, segmentAPIOps...)
	for k, v := range segmentAPIParams {
		apiParams[k] = v
	}
}
