package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/segment"
	"github.com/wardhq/ward/internal/store"
)

// Simulation, the clinical safety sign-off and the export of firewall
// rules. A policy that would block flows of life-sustaining or diagnostic
// devices is exported for enforcement only once a Clinical Safety Officer
// has signed it off (an entry of the DCB0160 hazard log: who, when, the
// hazard and the reasoning); a log-only export never needs one.

// maxShownChanges bounds the flows a simulation lists in each group.
const maxShownChanges = 200

// simGroup is the blocked flows of one clinical workflow.
type simGroup struct {
	Workflow    string // "" for flows of no known workflow
	Description string
	Flows       int
	Critical    int
	Changes     []segment.Change
	More        int // blocked flows not listed
}

// segmentSim is the simulation page.
type segmentSim struct {
	YAML       string
	Name       string
	Digest     string
	Against    string // what the proposal is compared with
	Sim        *segment.Simulation
	Groups     []simGroup
	Unblocked  []segment.Change
	MoreFreed  int
	Signoff    *segment.Signoff // the newest sign-off of the proposal, nil when none
	Needed     string           // why an export for enforcement waits for a sign-off; "" when it does not
	CanSignOff bool
	Form       url.Values // hazard and reasoning, after a refusal
}

// workflowText describes a workflow for people.
func workflowText(name string) string {
	for _, wf := range segment.Workflows() {
		if wf.Name == name {
			return wf.Description
		}
	}
	if name == "" {
		return "Flows of no known clinical workflow."
	}
	return ""
}

// simGroups groups blocked flows by workflow: the groups with critical
// flows first, then by flows; within each, the critical flows first (the
// simulation's order).
func simGroups(sim *segment.Simulation) []simGroup {
	at := map[string]int{}
	var out []simGroup
	for _, c := range sim.Blocked {
		i, ok := at[c.Workflow]
		if !ok {
			i = len(out)
			at[c.Workflow] = i
			out = append(out, simGroup{Workflow: c.Workflow, Description: workflowText(c.Workflow)})
		}
		g := &out[i]
		g.Flows++
		if c.Critical {
			g.Critical++
		}
		if len(g.Changes) < maxShownChanges {
			g.Changes = append(g.Changes, c)
		} else {
			g.More++
		}
	}
	slices.SortStableFunc(out, func(a, b simGroup) int {
		if c := cmp.Compare(b.Critical, a.Critical); c != 0 {
			return c
		}
		return cmp.Compare(b.Flows, a.Flows)
	})
	return out
}

// signoffState is whether p may be exported for enforcement, as the
// exporter itself decides: Needed holds its refusal when a sign-off must
// come first; Covered is the newest sign-off of p's digest when none is
// needed (nil when there is none).
type signoffState struct {
	Needed  error
	Covered *segment.Signoff
}

// signoffOf asks the exporter whether p needs a sign-off. The rules it
// generates for the question are thrown away, and not audited: nothing
// leaves the server.
func (s *Server) signoffOf(ctx context.Context, p *segment.Policy) (signoffState, error) {
	var st signoffState
	_, err := s.cfg.Ingest.ExportRules(ctx, p, "nftables",
		segment.ExportOptions{Digest: p.Digest(), Generated: s.now()})
	switch {
	case errors.Is(err, ingest.ErrSignoffNeeded):
		st.Needed = err
		return st, nil
	case err != nil:
		return st, err
	}
	sos, err := s.db.Signoffs(ctx, p.Digest())
	if err != nil || len(sos) == 0 {
		return st, err
	}
	st.Covered = &sos[0]
	return st, nil
}

// simulate compares p with the policy in force and says whether it needs
// a sign-off.
func (s *Server) simulate(ctx context.Context, p *segment.Policy) (*segment.Simulation, signoffState, error) {
	sim, err := s.cfg.Ingest.SimulatePolicy(ctx, p)
	if err != nil {
		return nil, signoffState{}, err
	}
	st, err := s.signoffOf(ctx, p)
	return sim, st, err
}

// showSimulation renders the simulation of the policy p, written yaml.
func (s *Server) showSimulation(w http.ResponseWriter, r *http.Request, status int, yaml string,
	p *segment.Policy, form url.Values, msg, errMsg string) {
	sim, st, err := s.simulate(r.Context(), p)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	seg := s.segmentation(w, r, page)
	if seg == nil {
		return
	}
	v := segmentSim{YAML: yaml, Name: p.Name, Digest: p.Digest(), Sim: sim,
		Groups: simGroups(sim), Signoff: st.Covered, Form: form,
		CanSignOff: who(r.Context()).can(auth.PermClinicalSafety),
		Against:    "a flat network: no policy is saved yet, so everything is allowed now"}
	if seg.Version != nil {
		v.Against = fmt.Sprintf("the policy in force, version %d", seg.Version.ID)
	}
	if st.Needed != nil {
		v.Needed = upperFirst(st.Needed.Error()) + "."
	}
	v.Unblocked = sim.Unblocked[:min(len(sim.Unblocked), maxShownChanges)]
	v.MoreFreed = len(sim.Unblocked) - len(v.Unblocked)
	s.render(w, r, status, "segment-simulate", &view{Title: "Simulation", Nav: "segmentation",
		Data: v, Flash: msg, Error: errMsg})
}

// parsedForm reads an editor form and parses its policy. When either
// fails it answers the request itself (the editor again, with the
// problems) and returns nil.
func (s *Server) parsedForm(w http.ResponseWriter, r *http.Request) (*policyForm, *segment.Policy) {
	f, err := s.readPolicyForm(w, r)
	if err != nil {
		s.policyFormRefused(w, r, err)
		return nil, nil
	}
	p, err := segment.Parse([]byte(f.yaml), f.file)
	if probs, ok := policyProblems(err); ok {
		s.showEditor(w, r, http.StatusUnprocessableEntity, editorState{yaml: f.yaml,
			note: f.fields.Get("note"), showing: "the text you sent", problems: probs,
			errMsg: "The policy is not valid: " + problemCount(len(probs)) + "."})
		return nil, nil
	}
	if err != nil {
		s.internal(w, r, err)
		return nil, nil
	}
	return &f, p
}

// segmentSimulatePage validates or simulates the policy the editor sent.
func (s *Server) segmentSimulatePage(w http.ResponseWriter, r *http.Request) {
	f, p := s.parsedForm(w, r)
	if p == nil {
		return
	}
	if f.fields.Get("action") == "validate" {
		s.showEditor(w, r, http.StatusOK, editorState{yaml: f.yaml, note: f.fields.Get("note"),
			showing: "the text you sent",
			valid: fmt.Sprintf("The policy is valid: %d zones, %d rules, %d conduits; digest %s.",
				len(p.Zones), len(p.Rules), len(p.Conduits), p.Digest())})
		return
	}
	s.showSimulation(w, r, http.StatusOK, f.yaml, p, nil, "", "")
}

// signoffInput is a sign-off asked for, by the page or the API.
type signoffInput struct {
	hazard, reasoning string
}

// check refuses a sign-off without its hazard and reasoning.
func (in *signoffInput) check() error {
	in.hazard, in.reasoning = strings.TrimSpace(in.hazard), strings.TrimSpace(in.reasoning)
	for _, f := range []struct{ name, v string }{{"hazard", in.hazard}, {"reasoning", in.reasoning}} {
		if f.v == "" {
			return &fieldError{f.name, "is required"}
		}
		if err := checkNote(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// errNothingToSign refuses a sign-off of a policy whose export needs
// none.
var errNothingToSign = errConflict("this policy may be exported for enforcement as it is: " +
	"it blocks no flow of a life-sustaining or diagnostic device that a sign-off does not " +
	"already cover, so there is nothing to sign off")

// signOff records the sign-off of p by the caller, which ingest audits.
func (s *Server) signOff(r *http.Request, p *segment.Policy, in signoffInput) (*segment.Signoff, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	st, err := s.signoffOf(r.Context(), p)
	if err != nil {
		return nil, err
	}
	if st.Needed == nil {
		return nil, errNothingToSign
	}
	pr := who(r.Context())
	so, err := s.cfg.Ingest.SignOff(r.Context(), p, pr.name, in.hazard, in.reasoning)
	if err != nil {
		return nil, err
	}
	// SignOff has audited it (segment.signoff).
	return so, nil
}

func (s *Server) segmentSignOffPage(w http.ResponseWriter, r *http.Request) {
	f, p := s.parsedForm(w, r)
	if p == nil {
		return
	}
	in := signoffInput{hazard: f.fields.Get("hazard"), reasoning: f.fields.Get("reasoning")}
	so, err := s.signOff(r, p, in)
	if err != nil {
		s.workflowRefused(w, r, err, "There is no such policy.", func(status int, msg string) {
			s.showSimulation(w, r, status, f.yaml, p, f.fields, "", msg)
		})
		return
	}
	s.showSimulation(w, r, http.StatusOK, f.yaml, p, nil, fmt.Sprintf(
		"Signed off by %s: this policy may be exported for enforcement.", so.By), "")
}

// exportRequest is an export asked for: the format, the mode and the
// version (0 for the policy in force).
type exportRequest struct {
	format, mode string
	version      int64
}

// exportFormats are the formats of the rules, with their files' suffix.
var exportFormats = map[string]string{"nftables": ".nft", "cisco": ".ios"}

// readExportRequest reads ?format=, ?mode= and ?version=.
func readExportRequest(q url.Values) (exportRequest, error) {
	er := exportRequest{format: q.Get("format"), mode: q.Get("mode")}
	if er.format == "" {
		er.format = "nftables"
	}
	if er.mode == "" {
		er.mode = "enforce"
	}
	if _, ok := exportFormats[er.format]; !ok {
		return er, errors.New("format must be nftables or cisco")
	}
	if er.mode != "enforce" && er.mode != "log" {
		return er, errors.New("mode must be enforce or log (log-only: drops nothing)")
	}
	if v := q.Get("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return er, errors.New("version must be a version's number")
		}
		er.version = n
	}
	return er, nil
}

// exported is a generated file of rules.
type exported struct {
	version *store.PolicyVersion
	policy  *segment.Policy
	rules   []byte
}

// errNoPolicySaved refuses an export when no policy is saved.
var errNoPolicySaved = errConflict("no policy is saved yet: save one in the editor first")

// exportRules generates the rules er asks for and audits the export, or
// its refusal for want of a sign-off (errors.Is ingest.ErrSignoffNeeded).
func (s *Server) exportRules(r *http.Request, er exportRequest) (*exported, error) {
	ctx := r.Context()
	var v *store.PolicyVersion
	var err error
	if er.version != 0 {
		v, err = s.db.PolicyVersionByID(ctx, er.version)
	} else if v, err = s.db.CurrentPolicy(ctx); errors.Is(err, store.ErrNotFound) {
		return nil, errNoPolicySaved
	}
	if err != nil {
		return nil, err
	}
	p, err := segment.Parse([]byte(v.YAML), "")
	if err != nil {
		return nil, fmt.Errorf("stored policy version %d: %w", v.ID, err)
	}
	o := segment.ExportOptions{LogOnly: er.mode == "log", Digest: p.Digest(), Generated: s.now()}
	rules, err := s.cfg.Ingest.ExportRules(ctx, p, er.format, o)
	detail := map[string]any{"version": v.ID, "digest": v.Digest, "format": er.format,
		"mode": er.mode, "bytes": len(rules)}
	if errors.Is(err, ingest.ErrSignoffNeeded) {
		detail["refused"] = err.Error()
	}
	if err == nil || errors.Is(err, ingest.ErrSignoffNeeded) {
		s.record(r, who(r.Context()).name, "segment.export", policyObject(v), detail)
	}
	return &exported{version: v, policy: p, rules: rules}, err
}

// segmentRefusal is the page of an export refused for want of a
// sign-off.
type segmentRefusal struct {
	Version  *store.PolicyVersion
	Reason   string
	Critical []segment.Change
	More     int
	Format   string
	LogURL   string
}

func (s *Server) segmentExport(w http.ResponseWriter, r *http.Request) {
	er, err := readExportRequest(r.URL.Query())
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, upperFirst(err.Error())+".")
		return
	}
	ex, err := s.exportRules(r, er)
	switch {
	case errors.Is(err, ingest.ErrSignoffNeeded):
		s.exportRefused(w, r, er, ex, err)
	case err != nil:
		s.workflowRefused(w, r, err, "There is no such version of the policy.",
			func(status int, msg string) { s.errorPage(w, r, status, msg) })
	default:
		name := fmt.Sprintf("ward-policy-%d-%s%s", ex.version.ID, er.mode, exportFormats[er.format])
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		w.Write(ex.rules)
	}
}

// exportRefused explains an export refused for want of a sign-off: which
// critical flows the policy blocks, and that a Clinical Safety Officer
// must sign it off (a log-only export needs none).
func (s *Server) exportRefused(w http.ResponseWriter, r *http.Request, er exportRequest, ex *exported, cause error) {
	seg := s.segmentation(w, r, page)
	if seg == nil {
		return
	}
	// The flows it blocks at all, as on a network without a firewall.
	sim, err := segment.Simulate(nil, ex.policy, seg.Devices, seg.Flows)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := segmentRefusal{Version: ex.version, Reason: cause.Error(), Format: er.format,
		LogURL: fmt.Sprintf("/segmentation/export?format=%s&mode=log&version=%d", er.format,
			ex.version.ID)}
	for _, c := range sim.Blocked {
		switch {
		case !c.Critical:
		case len(v.Critical) < maxShownChanges:
			v.Critical = append(v.Critical, c)
		default:
			v.More++
		}
	}
	s.render(w, r, http.StatusConflict, "segment-export-refused", &view{
		Title: "A clinical safety sign-off is needed", Nav: "segmentation", Data: v})
}
