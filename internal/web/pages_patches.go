package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/store"
)

// The patch workflow: a plan per vendor, model and software version that
// moves from available to deployed, each move recorded with who and
// when; and the register of versions the manufacturer approved. The
// pages and the API share the checks and the writes here.

// noPlan is the answer for a plan that does not exist.
const noPlan = "There is no such patch plan."

// patchStates are the states of a plan, in order, with their labels.
var patchStates = []store.PatchState{store.PatchAvailable, store.PatchValidated,
	store.PatchTested, store.PatchScheduled, store.PatchDeployed}

// patchLabel names a state for people.
func patchLabel(s store.PatchState) string {
	switch s {
	case store.PatchAvailable:
		return "Available"
	case store.PatchValidated:
		return "Manufacturer validated"
	case store.PatchTested:
		return "Tested"
	case store.PatchScheduled:
		return "Scheduled"
	case store.PatchDeployed:
		return "Deployed"
	}
	return "—"
}

// approvalSources are where a manufacturer's approval may come from.
var approvalSources = []string{"letter", "bulletin", "website", "email", "other"}

// errPatchesAllSites refuses a change to a user whose role is for some
// sites only: a plan is for a model wherever its devices are.
const errPatchesAllSites = "patch plans and approved versions apply to every site; " +
	"changing them needs a role for all sites"

// newPlan checks a plan to create and returns it with its keys.
func (in *apiNewPatchPlan) newPlan(actor string) (store.PatchPlan, error) {
	in.trim()
	err := errors.Join(checkLine("vendor", in.Vendor, true), checkLine("model", in.Model, true),
		checkLine("from_version", in.FromVersion, false),
		checkLine("target_version", in.TargetVersion, false), checkNote("note", in.Note),
		checkNote("compensating_controls", in.CompensatingControls))
	if err != nil {
		return store.PatchPlan{}, firstField(err)
	}
	eos, err := parseDate("end_of_support", in.EndOfSupport)
	if err != nil {
		return store.PatchPlan{}, err
	}
	p := store.PatchPlan{Vendor: in.Vendor, Model: in.Model,
		VendorKey: match.DefaultVendors().Key(in.Vendor), ModelKey: match.ModelKey(in.Model),
		FromVersion: match.VersionKey(in.FromVersion), TargetVersion: in.TargetVersion,
		EndOfSupport: eos, CompensatingControls: in.CompensatingControls, Note: in.Note,
		UpdatedBy: actor}
	if p.VendorKey == "" || p.ModelKey == "" {
		return p, &fieldError{"model", "names no vendor or model words Ward can match devices by"}
	}
	return p, nil
}

func (in *apiNewPatchPlan) trim() {
	for _, f := range []*string{&in.Vendor, &in.Model, &in.FromVersion, &in.TargetVersion,
		&in.Note, &in.EndOfSupport, &in.CompensatingControls} {
		*f = strings.TrimSpace(*f)
	}
}

// createPlan stores a new plan and audits it.
func (s *Server) createPlan(r *http.Request, in apiNewPatchPlan) (store.PatchPlan, error) {
	p := who(r.Context())
	if !canEverywhere(p, auth.PermPatchesManage) {
		return store.PatchPlan{}, errForbidden(errPatchesAllSites)
	}
	plan, err := in.newPlan(p.name)
	if err != nil {
		return plan, err
	}
	plan.UpdatedAt = s.now()
	plan, err = s.db.SavePatchPlan(r.Context(), plan)
	if errors.Is(err, store.ErrExists) {
		return plan, errConflict(fmt.Sprintf("there is already a plan for %s %s at %s", in.Vendor,
			in.Model, versionText(match.VersionKey(in.FromVersion))))
	}
	if err != nil {
		return plan, err
	}
	s.record(r, p.name, "patch.create", planObject(&plan), map[string]any{
		"changes": planChanges(nil, &plan)})
	return plan, nil
}

// versionText is a plan's version for people: "every version" for none.
func versionText(v string) string {
	if v == "" {
		return "every version"
	}
	return v
}

// planObject names a plan in the audit log.
func planObject(p *store.PatchPlan) string {
	return fmt.Sprintf("patch:%d %s %s %s", p.ID, p.VendorKey, p.ModelKey, versionText(p.FromVersion))
}

// planChanges lists the fields of new that differ from old (nil for a
// new plan), for the audit log.
func planChanges(old, p *store.PatchPlan) []change {
	if old == nil {
		old = &store.PatchPlan{}
	}
	var out []change
	for _, f := range []struct{ field, from, to string }{
		{"vendor", old.Vendor, p.Vendor}, {"model", old.Model, p.Model},
		{"from_version", old.FromVersion, p.FromVersion},
		{"target_version", old.TargetVersion, p.TargetVersion},
		{"state", old.State.String(), p.State.String()},
		{"window", windowText(old), windowText(p)},
		{"end_of_support", dateValue(old.EndOfSupport), dateValue(p.EndOfSupport)},
		{"compensating_controls", old.CompensatingControls, p.CompensatingControls},
		{"note", old.Note, p.Note},
	} {
		if f.from != f.to {
			out = append(out, change{Field: f.field, From: f.from, To: f.to})
		}
	}
	return out
}

// windowText is a plan's maintenance window for the audit log and pages.
func windowText(p *store.PatchPlan) string {
	if p.WindowStart.IsZero() {
		return ""
	}
	return when(p.WindowStart) + " to " + when(p.WindowEnd)
}

// findPlan returns the plan of that id, or ErrNotFound.
func (s *Server) findPlan(ctx context.Context, id int64) (store.PatchPlan, error) {
	plans, err := s.db.PatchPlans(ctx)
	if err != nil {
		return store.PatchPlan{}, err
	}
	if i := slices.IndexFunc(plans, func(p store.PatchPlan) bool { return p.ID == id }); i >= 0 {
		return plans[i], nil
	}
	return store.PatchPlan{}, fmt.Errorf("patch plan %d: %w", id, store.ErrNotFound)
}

// movePlan moves a plan as in asks, saving first the window it gives,
// and audits the change. An out-of-order move is refused by the store,
// whose message says why, and changes nothing.
func (s *Server) movePlan(r *http.Request, id int64, in apiPatchMove) (store.PatchPlan, error) {
	ctx, p := r.Context(), who(r.Context())
	if !canEverywhere(p, auth.PermPatchesManage) {
		return store.PatchPlan{}, errForbidden(errPatchesAllSites)
	}
	old, err := s.findPlan(ctx, id)
	if err != nil {
		return old, err
	}
	to, start, end, err := in.check(&old)
	if err != nil {
		return old, err
	}
	now := s.now()
	moved := old
	inOrder := to != old.State && (in.Force || to == old.State.Next())
	if !start.IsZero() && inOrder && (!start.Equal(old.WindowStart) || !end.Equal(old.WindowEnd)) {
		moved.WindowStart, moved.WindowEnd, moved.UpdatedBy, moved.UpdatedAt = start, end, p.name, now
		if moved, err = s.db.SavePatchPlan(ctx, moved); err != nil {
			return old, err
		}
	}
	if err := s.db.MovePatchPlan(ctx, id, to, p.name, in.Note, in.Force, now); err != nil {
		if !moved.WindowStart.Equal(old.WindowStart) || !moved.WindowEnd.Equal(old.WindowEnd) {
			s.record(r, p.name, "patch.update", planObject(&old), map[string]any{
				"changes": planChanges(&old, &moved)})
		}
		return old, err
	}
	moved.State, moved.UpdatedBy, moved.UpdatedAt = to, p.name, now
	s.record(r, p.name, "patch.move", planObject(&old), map[string]any{
		"changes": planChanges(&old, &moved), "forced": to != old.State.Next(), "note": in.Note})
	return s.findPlan(ctx, id)
}

// check reads a move of plan p: the state it goes to, and the window
// (zero when none is given).
func (in *apiPatchMove) check(p *store.PatchPlan) (to store.PatchState, start, end time.Time,
	err error) {
	in.Note = strings.TrimSpace(in.Note)
	if err := checkNote("note", in.Note); err != nil {
		return 0, start, end, err
	}
	to = p.State.Next()
	if in.To = strings.TrimSpace(in.To); in.To != "" {
		if to, err = store.ParsePatchState(in.To); err != nil {
			return 0, start, end, &fieldError{"to", "must be one of " + patchStateNames()}
		}
	}
	if to == 0 {
		return 0, start, end, &fieldError{"to", "the plan is deployed, the last state: " +
			"name the state to go back to and force the move"}
	}
	if start, err = parseWhen("window_start", in.WindowStart); err != nil {
		return 0, start, end, err
	}
	if end, err = parseWhen("window_end", in.WindowEnd); err != nil {
		return 0, start, end, err
	}
	switch {
	case start.IsZero() != end.IsZero():
		return 0, start, end, &fieldError{"window_end", "a window needs both its start and its end"}
	case end.Before(start) || !start.IsZero() && end.Equal(start):
		return 0, start, end, &fieldError{"window_end", "must be after the window's start"}
	case to == store.PatchScheduled && start.IsZero() && p.WindowStart.IsZero():
		return 0, start, end, &fieldError{"window_start",
			"scheduled needs a maintenance window: give its start and end"}
	}
	return to, start, end, nil
}

// patchStateNames lists the states' names, for messages.
func patchStateNames() string {
	names := make([]string, len(patchStates))
	for i, st := range patchStates {
		names[i] = st.String()
	}
	return strings.Join(names, ", ")
}

// approve records an approved version and audits it, with the record it
// replaces if there was one.
func (s *Server) approve(r *http.Request, in apiNewApprovedVersion) (store.ApprovedVersion, error) {
	ctx, p := r.Context(), who(r.Context())
	if !canEverywhere(p, auth.PermPatchesManage) {
		return store.ApprovedVersion{}, errForbidden(errPatchesAllSites)
	}
	v, err := in.approved(p.name, s.now())
	if err != nil {
		return v, err
	}
	all, err := s.db.ApprovedVersions(ctx)
	if err != nil {
		return v, err
	}
	var old store.ApprovedVersion
	i := slices.IndexFunc(all, func(a store.ApprovedVersion) bool {
		return a.VendorKey == v.VendorKey && a.ModelKey == v.ModelKey && a.Version == v.Version
	})
	if i >= 0 {
		old = all[i]
	}
	if err := s.db.ApproveVersion(ctx, v); err != nil {
		return v, err
	}
	var changes []change
	for _, f := range []struct{ field, from, to string }{{"vendor", old.Vendor, v.Vendor},
		{"model", old.Model, v.Model}, {"version", old.Version, v.Version},
		{"source", old.Source, v.Source}, {"reference", old.Reference, v.Reference}} {
		if f.from != f.to {
			changes = append(changes, change{Field: f.field, From: f.from, To: f.to})
		}
	}
	s.record(r, p.name, "patch.approve_version", v.VendorKey+" "+v.ModelKey+" "+v.Version,
		map[string]any{"changes": changes, "replaced": old.Version != ""})
	return v, nil
}

// approved checks an approved version to record.
func (in *apiNewApprovedVersion) approved(actor string, now time.Time) (store.ApprovedVersion, error) {
	for _, f := range []*string{&in.Vendor, &in.Model, &in.Version, &in.Source, &in.Reference} {
		*f = strings.TrimSpace(*f)
	}
	if in.Source == "" {
		in.Source = "letter"
	}
	err := errors.Join(checkLine("vendor", in.Vendor, true), checkLine("model", in.Model, true),
		checkLine("version", in.Version, true), checkLine("reference", in.Reference, true))
	if err != nil {
		return store.ApprovedVersion{}, firstField(err)
	}
	if !slices.Contains(approvalSources, in.Source) {
		return store.ApprovedVersion{}, &fieldError{"source", "must be one of " +
			strings.Join(approvalSources, ", ")}
	}
	v := store.ApprovedVersion{VendorKey: match.DefaultVendors().Key(in.Vendor),
		ModelKey: match.ModelKey(in.Model), Version: match.VersionKey(in.Version),
		Vendor: in.Vendor, Model: in.Model, Source: in.Source, Reference: in.Reference,
		Actor: actor, At: now}
	if v.VendorKey == "" || v.ModelKey == "" {
		return v, &fieldError{"model", "names no vendor or model words Ward can match devices by"}
	}
	return v, nil
}

// approvedSet holds the approved versions by vendor, model and version
// keys.
type approvedSet map[productKey]*store.ApprovedVersion

func approvedIndex(vs []store.ApprovedVersion) approvedSet {
	out := approvedSet{}
	for i := range vs {
		v := &vs[i]
		out[productKey{v.VendorKey, v.ModelKey, v.Version}] = v
	}
	return out
}

// of is the approval of p's target version, nil when there is none.
func (a approvedSet) of(p *store.PatchPlan) *store.ApprovedVersion {
	if p.TargetVersion == "" {
		return nil
	}
	return a[productKey{p.VendorKey, p.ModelKey, match.VersionKey(p.TargetVersion)}]
}

// patchCard is a plan as the board and its page show it.
type patchCard struct {
	store.PatchPlan
	Devices  int
	Approval *store.ApprovedVersion // of the target version; nil when none
}

// patchColumn is the plans of one state.
type patchColumn struct {
	State       store.PatchState
	Name, Label string
	Cards       []patchCard
}

type patchBoardView struct {
	Columns   []patchColumn
	Total     int
	Approved  []store.ApprovedVersion
	Sources   []string
	CanManage bool
	Scoped    bool       // device counts are of the user's sites only
	Form      url.Values // the new plan form as sent, after a refusal
	Approval  url.Values // the approval form as sent, after a refusal
}

// patchWorld is what the patch pages need of the store: every plan, the
// device counts in the user's sites and the approvals.
type patchWorld struct {
	plans    []store.PatchPlan
	counts   productCounts
	approved []store.ApprovedVersion
	index    approvedSet
	scoped   bool
}

func (s *Server) patchWorld(r *http.Request) (*patchWorld, error) {
	ctx := r.Context()
	sites, err := workflowScope(who(ctx))
	if err != nil {
		return nil, err
	}
	w := &patchWorld{scoped: sites != nil}
	if w.plans, err = s.db.PatchPlans(ctx); err != nil {
		return nil, err
	}
	if w.counts, err = s.productCounts(ctx, sites); err != nil {
		return nil, err
	}
	if w.approved, err = s.db.ApprovedVersions(ctx); err != nil {
		return nil, err
	}
	w.index = approvedIndex(w.approved)
	return w, nil
}

func (w *patchWorld) card(p store.PatchPlan) patchCard {
	return patchCard{PatchPlan: p, Devices: w.counts.plan(&p), Approval: w.index.of(&p)}
}

func (s *Server) patchesPage(w http.ResponseWriter, r *http.Request) {
	s.showPatches(w, r, http.StatusOK, patchBoardView{}, "")
}

// showPatches renders the board; v carries the forms as sent after a
// refusal, msg the refusal.
func (s *Server) showPatches(w http.ResponseWriter, r *http.Request, status int, v patchBoardView,
	msg string) {
	world, err := s.patchWorld(r)
	if errors.Is(err, errNoWorkflowSites) {
		s.forbidden(w, r, page, err.Error())
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, st := range patchStates {
		col := patchColumn{State: st, Name: st.String(), Label: patchLabel(st)}
		for _, p := range world.plans {
			if p.State == st {
				col.Cards = append(col.Cards, world.card(p))
			}
		}
		v.Columns = append(v.Columns, col)
	}
	v.Total, v.Approved, v.Sources = len(world.plans), world.approved, approvalSources
	v.Scoped = world.scoped
	v.CanManage = canEverywhere(who(r.Context()), auth.PermPatchesManage)
	s.render(w, r, status, "patches", &view{Title: "Patches", Nav: "patches", Data: v,
		Flash: s.takeFlash(w, r), Error: msg})
}

// planForm reads the new plan form.
func planForm(r *http.Request) apiNewPatchPlan {
	f := r.PostFormValue
	return apiNewPatchPlan{Vendor: f("vendor"), Model: f("model"), FromVersion: f("from_version"),
		TargetVersion: f("target_version"), Note: f("note"), EndOfSupport: f("end_of_support"),
		CompensatingControls: f("compensating_controls")}
}

func (s *Server) createPatchPlan(w http.ResponseWriter, r *http.Request) {
	plan, err := s.createPlan(r, planForm(r))
	if err != nil {
		s.workflowRefused(w, r, err, noPlan, func(status int, msg string) {
			s.showPatches(w, r, status, patchBoardView{Form: r.PostForm}, msg)
		})
		return
	}
	s.setFlash(w, fmt.Sprintf("The plan for %s %s was created.", plan.Vendor, plan.Model))
	http.Redirect(w, r, fmt.Sprintf("/patches/%d", plan.ID), http.StatusSeeOther)
}

func (s *Server) approveVersion(w http.ResponseWriter, r *http.Request) {
	f := r.PostFormValue
	v, err := s.approve(r, apiNewApprovedVersion{Vendor: f("vendor"), Model: f("model"),
		Version: f("version"), Source: f("source"), Reference: f("reference")})
	if err != nil {
		s.workflowRefused(w, r, err, noPlan, func(status int, msg string) {
			s.showPatches(w, r, status, patchBoardView{Approval: r.PostForm}, msg)
		})
		return
	}
	s.setFlash(w, fmt.Sprintf("Version %s of %s %s is recorded as approved.", v.Version, v.Vendor,
		v.Model))
	http.Redirect(w, r, "/patches#approved-h", http.StatusSeeOther)
}

// patchStep is one state of a plan's progress.
type patchStep struct {
	Label         string
	Done, Current bool
}

type patchView struct {
	Plan      patchCard
	Steps     []patchStep
	Events    []store.PatchEvent
	Next      store.PatchState
	Moves     []store.PatchState // every state but the current, the next first
	CanManage bool
	Scoped    bool
	Form      url.Values // the move form as sent, after a refusal
}

func (s *Server) patchPage(w http.ResponseWriter, r *http.Request) {
	s.showPatch(w, r, http.StatusOK, nil, "")
}

// showPatch renders a plan's page; form and msg are a refused move's.
func (s *Server) showPatch(w http.ResponseWriter, r *http.Request, status int, form url.Values,
	msg string) {
	id, ok := pathID(r)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, noPlan)
		return
	}
	world, err := s.patchWorld(r)
	if errors.Is(err, errNoWorkflowSites) {
		s.forbidden(w, r, page, err.Error())
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	i := slices.IndexFunc(world.plans, func(p store.PatchPlan) bool { return p.ID == id })
	if i < 0 {
		s.errorPage(w, r, http.StatusNotFound, noPlan)
		return
	}
	evs, err := s.db.PatchEvents(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := patchView{Plan: world.card(world.plans[i]), Events: evs, Scoped: world.scoped, Form: form,
		CanManage: canEverywhere(who(r.Context()), auth.PermPatchesManage)}
	v.Next, v.Moves, v.Steps = v.Plan.State.Next(), planMoves(v.Plan.State), planSteps(v.Plan.State)
	title := v.Plan.Vendor + " " + v.Plan.Model
	s.render(w, r, status, "patch", &view{Title: title, Nav: "patches", Data: v,
		Flash: s.takeFlash(w, r), Error: msg})
}

// planMoves are the states a plan at st may be moved to: the next
// first, then the others, which need force.
func planMoves(st store.PatchState) []store.PatchState {
	var out []store.PatchState
	if next := st.Next(); next != 0 {
		out = append(out, next)
	}
	for _, o := range patchStates {
		if o != st && o != st.Next() {
			out = append(out, o)
		}
	}
	return out
}

func planSteps(st store.PatchState) []patchStep {
	out := make([]patchStep, len(patchStates))
	for i, o := range patchStates {
		out[i] = patchStep{Label: patchLabel(o), Done: o < st, Current: o == st}
	}
	return out
}

func (s *Server) movePatchPlan(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, noPlan)
		return
	}
	f := r.PostFormValue
	in := apiPatchMove{To: f("to"), Note: f("note"), Force: f("force") != "",
		WindowStart: f("window_start"), WindowEnd: f("window_end")}
	plan, err := s.movePlan(r, id, in)
	if err != nil {
		s.workflowRefused(w, r, err, noPlan, func(status int, msg string) {
			s.showPatch(w, r, status, r.PostForm, msg)
		})
		return
	}
	s.setFlash(w, "The plan is now "+strings.ToLower(patchLabel(plan.State))+".")
	http.Redirect(w, r, fmt.Sprintf("/patches/%d", id), http.StatusSeeOther)
}

func init() {
	funcs["patchLabel"] = patchLabel
	funcs["versionText"] = versionText
	funcs["dayOf"] = func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return dateValue(t)
	}
	funcs["windowText"] = func(c patchCard) string { return windowText(&c.PatchPlan) }
	funcs["whenValue"] = whenValue
}
