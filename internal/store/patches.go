package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PatchState is where the patch of a model's software version stands.
// The states follow one another in the order of the constants; the zero
// value is no state.
type PatchState int

// The states of a patch, in order.
const (
	// PatchAvailable: the manufacturer has published a fix.
	PatchAvailable PatchState = iota + 1
	// PatchValidated: the manufacturer has validated it for the model.
	PatchValidated
	// PatchTested: it was tested in a test environment.
	PatchTested
	// PatchScheduled: a maintenance window is booked.
	PatchScheduled
	// PatchDeployed: it is installed.
	PatchDeployed
)

var patchStateNames = [...]string{"", "available", "manufacturer_validated", "tested",
	"scheduled", "deployed"}

// String is the state's stored name ("manufacturer_validated"), "" for
// none.
func (s PatchState) String() string { return enumName(patchStateNames[:], "PatchState", s) }

// Valid reports whether s is one of the states.
func (s PatchState) Valid() bool { return s >= PatchAvailable && s <= PatchDeployed }

// Next is the state after s, or 0 after PatchDeployed.
func (s PatchState) Next() PatchState {
	if s.Valid() && s < PatchDeployed {
		return s + 1
	}
	return 0
}

// ParsePatchState is the state of that name.
func ParsePatchState(name string) (PatchState, error) {
	return parseEnum[PatchState](patchStateNames[:], "patch state", name)
}

// MarshalText is the state's name, for JSON.
func (s PatchState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state's name; "" is no state.
func (s *PatchState) UnmarshalText(b []byte) error {
	return unmarshalEnum(patchStateNames[:], "patch state", s, b)
}

// PatchPlan is the patch workflow of one vendor, model and software
// version.
type PatchPlan struct {
	ID int64 // 0 to create a plan
	// Vendor and Model are as given; VendorKey, ModelKey and FromVersion
	// (the software version patched, trimmed) identify the plan.
	Vendor, Model       string
	VendorKey, ModelKey string
	FromVersion         string
	TargetVersion       string
	// State is set by MovePatchPlan. A new plan starts at State, or at
	// PatchAvailable if it is 0.
	State PatchState
	// WindowStart and WindowEnd are the maintenance window, zero for
	// none; EndOfSupport the model's end of support, zero when unknown.
	WindowStart, WindowEnd time.Time
	EndOfSupport           time.Time
	// CompensatingControls are what stands in where no patch can be
	// applied (segmentation, monitoring).
	CompensatingControls string
	Note                 string
	UpdatedBy            string
	UpdatedAt            time.Time // zero for now
}

// PatchEvent is one change of a patch plan: a move (From and To
// differ), its creation (From is 0) or an edit of its other fields (From
// and To are its state).
type PatchEvent struct {
	ID, PlanID int64
	From, To   PatchState
	// Forced is set for a move out of order.
	Forced bool
	Actor  string
	At     time.Time
	Note   string
}

// ApprovedVersion is a software version the manufacturer approved for a
// model.
type ApprovedVersion struct {
	// VendorKey, ModelKey and Version identify the approval; a second
	// replaces it.
	VendorKey, ModelKey, Version string
	Vendor, Model                string // as given
	// Source and Reference are where the approval was given: "letter",
	// "bulletin", and its reference or URL.
	Source, Reference string
	Actor             string
	At                time.Time // zero for now
}

// patchFields are the columns of a plan but its id, in values' order.
const patchFields = "vendor, model, vendor_key, model_key, from_version, target_version, " +
	"state, window_start, window_end, end_of_support, compensating_controls, note, updated_by, " +
	"updated_at"

const patchColumns = "id, " + patchFields

// SavePatchPlan creates a plan (p.ID 0), or returns ErrExists if one has
// its keys, or changes a plan's fields but its state, which only
// MovePatchPlan moves. Either is recorded as an event. It returns the
// plan as stored.
func (db *DB) SavePatchPlan(ctx context.Context, p PatchPlan) (PatchPlan, error) {
	if err := checkPatchPlan(&p); err != nil {
		return PatchPlan{}, errorf("save patch plan", err)
	}
	p.UpdatedAt = timeIn(db.orNow(p.UpdatedAt))
	err := db.write(ctx, func(tx *sql.Tx) error {
		if p.ID == 0 {
			return createPatchPlan(ctx, tx, &p)
		}
		return updatePatchPlan(ctx, tx, &p)
	})
	if err != nil {
		return PatchPlan{}, errorf("save patch plan", err)
	}
	return p, nil
}

func checkPatchPlan(p *PatchPlan) error {
	p.FromVersion, p.TargetVersion = strings.TrimSpace(p.FromVersion), strings.TrimSpace(p.TargetVersion)
	err := needKeys("patch plan", "vendor key", p.VendorKey, "model key", p.ModelKey,
		"updated by", p.UpdatedBy)
	if err != nil {
		return err
	}
	if p.State != 0 && !p.State.Valid() {
		return invalidf("patch plan: unknown state %d", int(p.State))
	}
	if bad := badTime(p.WindowStart, p.WindowEnd, p.EndOfSupport, p.UpdatedAt); bad != "" {
		return invalidf("patch plan: %s", bad)
	}
	if !p.WindowEnd.IsZero() && p.WindowEnd.Before(p.WindowStart) {
		return invalidf("patch plan: window ends before it starts")
	}
	return checkText("patch plan", "vendor", p.Vendor, "model", p.Model,
		"vendor key", p.VendorKey, "model key", p.ModelKey, "from version", p.FromVersion,
		"target version", p.TargetVersion, "compensating controls", p.CompensatingControls,
		"note", p.Note, "updated by", p.UpdatedBy)
}

func createPatchPlan(ctx context.Context, tx *sql.Tx, p *PatchPlan) error {
	if p.State == 0 {
		p.State = PatchAvailable
	}
	err := tx.QueryRowContext(ctx, "INSERT INTO patch_plans ("+patchFields+
		") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "+
		"ON CONFLICT (vendor_key, model_key, from_version) DO NOTHING RETURNING id",
		p.values()...).Scan(&p.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("plan for %s %s %q: %w", p.VendorKey, p.ModelKey, p.FromVersion, ErrExists)
	}
	if err != nil {
		return err
	}
	return addPatchEvent(ctx, tx, PatchEvent{PlanID: p.ID, To: p.State, Actor: p.UpdatedBy,
		At: p.UpdatedAt, Note: "created"})
}

func updatePatchPlan(ctx context.Context, tx *sql.Tx, p *PatchPlan) error {
	old, err := patchPlan(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	if p.State == 0 {
		p.State = old.State
	}
	if p.State != old.State {
		return invalidf("patch plan %d is %s, not %s: move it with MovePatchPlan", p.ID,
			old.State, p.State)
	}
	changed := old.changes(p)
	if len(changed) == 0 {
		*p = old
		return nil
	}
	if err := planKeyFree(ctx, tx, p); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE patch_plans SET vendor = $2, model = $3, vendor_key = $4, "+
		"model_key = $5, from_version = $6, target_version = $7, state = $8, window_start = $9, "+
		"window_end = $10, end_of_support = $11, compensating_controls = $12, note = $13, "+
		"updated_by = $14, updated_at = $15 WHERE id = $1", append([]any{p.ID}, p.values()...)...)
	if err != nil {
		return err
	}
	return addPatchEvent(ctx, tx, PatchEvent{PlanID: p.ID, From: p.State, To: p.State,
		Actor: p.UpdatedBy, At: p.UpdatedAt, Note: "changed " + strings.Join(changed, ", ")})
}

// changes names the fields of p that differ from o's.
func (o *PatchPlan) changes(p *PatchPlan) []string {
	var out []string
	for _, f := range []struct {
		name string
		same bool
	}{
		{"vendor", o.Vendor == p.Vendor}, {"model", o.Model == p.Model},
		{"vendor key", o.VendorKey == p.VendorKey}, {"model key", o.ModelKey == p.ModelKey},
		{"from version", o.FromVersion == p.FromVersion},
		{"target version", o.TargetVersion == p.TargetVersion},
		{"window", o.WindowStart.Equal(p.WindowStart) && o.WindowEnd.Equal(p.WindowEnd)},
		{"end of support", o.EndOfSupport.Equal(p.EndOfSupport)},
		{"compensating controls", o.CompensatingControls == p.CompensatingControls},
		{"note", o.Note == p.Note},
	} {
		if !f.same {
			out = append(out, f.name)
		}
	}
	return out
}

// planKeyFree returns ErrExists if a plan other than p has p's keys.
func planKeyFree(ctx context.Context, tx *sql.Tx, p *PatchPlan) error {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM patch_plans WHERE vendor_key = $1 AND "+
		"model_key = $2 AND from_version = $3 AND id <> $4", p.VendorKey, p.ModelKey,
		p.FromVersion, p.ID).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return fmt.Errorf("plan %d is for %s %s %q: %w", id, p.VendorKey, p.ModelKey, p.FromVersion,
		ErrExists)
}

// values are the columns of p but its ID, in patchColumns' order.
func (p *PatchPlan) values() []any {
	var eos sql.NullInt64
	if !p.EndOfSupport.IsZero() {
		eos = sql.NullInt64{Int64: nanos(p.EndOfSupport), Valid: true}
	}
	return []any{p.Vendor, p.Model, p.VendorKey, p.ModelKey, p.FromVersion, p.TargetVersion,
		p.State.String(), nanos(p.WindowStart), nanos(p.WindowEnd), eos, p.CompensatingControls,
		p.Note, p.UpdatedBy, nanos(p.UpdatedAt)}
}

func scanPatchPlan(sc interface{ Scan(...any) error }) (PatchPlan, error) {
	var p PatchPlan
	var state string
	var start, end, at int64
	var eos sql.NullInt64
	err := sc.Scan(&p.ID, &p.Vendor, &p.Model, &p.VendorKey, &p.ModelKey, &p.FromVersion,
		&p.TargetVersion, &state, &start, &end, &eos, &p.CompensatingControls, &p.Note,
		&p.UpdatedBy, &at)
	if err != nil {
		return p, err
	}
	p.WindowStart, p.WindowEnd, p.UpdatedAt = fromNanos(start), fromNanos(end), fromNanos(at)
	if eos.Valid {
		p.EndOfSupport = fromNanos(eos.Int64)
	}
	p.State, err = ParsePatchState(state)
	return p, err
}

func patchPlan(ctx context.Context, q querier, id int64) (PatchPlan, error) {
	p, err := scanPatchPlan(q.QueryRowContext(ctx, "SELECT "+patchColumns+
		" FROM patch_plans WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("patch plan %d: %w", id, ErrNotFound)
	}
	return p, err
}

// MovePatchPlan moves a plan to state to and records who moved it, when
// and why. A move must go to the next state; any other (back, or
// skipping states) is refused with ErrStateOrder unless force is set,
// which the event records. A move to PatchScheduled needs the plan's
// maintenance window, unless forced.
func (db *DB) MovePatchPlan(ctx context.Context, id int64, to PatchState, actor, note string,
	force bool, at time.Time) error {
	err := db.movePatchPlan(ctx, id, to, actor, note, force, at)
	if err != nil {
		return fmt.Errorf("store: move patch plan %d to %s: %w", id, to, err)
	}
	return nil
}

func (db *DB) movePatchPlan(ctx context.Context, id int64, to PatchState, actor, note string,
	force bool, at time.Time) error {
	if !to.Valid() {
		return invalidf("unknown state %d", int(to))
	}
	if err := needKeys("move", "actor", actor); err != nil {
		return err
	}
	if err := checkText("move", "actor", actor, "note", note); err != nil {
		return err
	}
	if bad := badTime(at); bad != "" {
		return invalidf("move: %s", bad)
	}
	at = timeIn(db.orNow(at))
	return db.write(ctx, func(tx *sql.Tx) error {
		p, err := patchPlan(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkMove(&p, to, force); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE patch_plans SET state = $2, updated_by = $3, "+
			"updated_at = $4 WHERE id = $1", id, to.String(), actor, nanos(at))
		if err != nil {
			return err
		}
		return addPatchEvent(ctx, tx, PatchEvent{PlanID: id, From: p.State, To: to,
			Forced: to != p.State.Next(), Actor: actor, At: at, Note: note})
	})
}

// checkMove refuses a move of p to to that is out of order, unless
// forced.
func checkMove(p *PatchPlan, to PatchState, force bool) error {
	if to == p.State {
		return fmt.Errorf("already %s: %w", to, ErrStateOrder)
	}
	if force {
		return nil
	}
	if next := p.State.Next(); to != next {
		if next == 0 {
			return fmt.Errorf("%s is the last state, not %s: force the move to go back: %w",
				p.State, to, ErrStateOrder)
		}
		return fmt.Errorf("%s comes after %s, not %s: force the move to go there: %w", next,
			p.State, to, ErrStateOrder)
	}
	if to == PatchScheduled && p.WindowStart.IsZero() {
		return invalidf("scheduled needs a maintenance window: save the plan's window first")
	}
	return nil
}

func addPatchEvent(ctx context.Context, tx *sql.Tx, e PatchEvent) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO patch_events (plan_id, from_state, to_state, "+
		"forced, actor, at, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		e.PlanID, e.From.String(), e.To.String(), e.Forced, e.Actor, nanos(e.At), e.Note)
	return err
}

// PatchPlans returns every plan, by vendor key, model key and version.
func (db *DB) PatchPlans(ctx context.Context) ([]PatchPlan, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+patchColumns+" FROM patch_plans "+
		"ORDER BY vendor_key, model_key, from_version")
	return collect(rows, err, "patch plans", func(sc scanner) (PatchPlan, error) {
		return scanPatchPlan(sc)
	})
}

// PatchEvents returns the changes of a plan, oldest first, or ErrNotFound
// for no plan.
func (db *DB) PatchEvents(ctx context.Context, id int64) ([]PatchEvent, error) {
	var out []PatchEvent
	err := db.read(ctx, func(tx *sql.Tx) error {
		if _, err := patchPlan(ctx, tx, id); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT id, plan_id, from_state, to_state, forced, "+
			"actor, at, note FROM patch_events WHERE plan_id = $1 ORDER BY id", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanPatchEvent(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: patch events of plan %d: %w", id, err)
	}
	return out, nil
}

func scanPatchEvent(sc interface{ Scan(...any) error }) (PatchEvent, error) {
	var e PatchEvent
	var from, to string
	var at int64
	if err := sc.Scan(&e.ID, &e.PlanID, &from, &to, &e.Forced, &e.Actor, &at, &e.Note); err != nil {
		return e, err
	}
	e.At = fromNanos(at)
	if err := e.From.UnmarshalText([]byte(from)); err != nil {
		return e, err
	}
	return e, e.To.UnmarshalText([]byte(to))
}

// ApproveVersion records a version the manufacturer approved for a
// model, replacing an earlier record of the same version.
func (db *DB) ApproveVersion(ctx context.Context, v ApprovedVersion) error {
	v.Version = strings.TrimSpace(v.Version)
	err := needKeys("approved version", "vendor key", v.VendorKey, "model key", v.ModelKey,
		"version", v.Version, "actor", v.Actor)
	if err == nil {
		err = checkText("approved version", "vendor key", v.VendorKey, "model key", v.ModelKey,
			"version", v.Version, "vendor", v.Vendor, "model", v.Model, "source", v.Source,
			"reference", v.Reference, "actor", v.Actor)
	}
	if bad := badTime(v.At); err == nil && bad != "" {
		err = invalidf("approved version: %s", bad)
	}
	if err != nil {
		return errorf("approve version", err)
	}
	_, err = db.sql.ExecContext(ctx, "INSERT INTO approved_versions (vendor_key, model_key, "+
		"version, vendor, model, source, reference, actor, at) "+
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (vendor_key, model_key, version) "+
		"DO UPDATE SET vendor = excluded.vendor, model = excluded.model, "+
		"source = excluded.source, reference = excluded.reference, actor = excluded.actor, "+
		"at = excluded.at", v.VendorKey, v.ModelKey, v.Version, v.Vendor, v.Model, v.Source,
		v.Reference, v.Actor, nanos(db.orNow(v.At)))
	return errorf("approve version", err)
}

// ApprovedVersions returns every approved version, by vendor key, model
// key and version.
func (db *DB) ApprovedVersions(ctx context.Context) ([]ApprovedVersion, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT vendor_key, model_key, version, vendor, model, "+
		"source, reference, actor, at FROM approved_versions ORDER BY vendor_key, model_key, version")
	if err != nil {
		return nil, errorf("approved versions", err)
	}
	defer rows.Close()
	var out []ApprovedVersion
	for rows.Next() {
		var v ApprovedVersion
		var at int64
		err := rows.Scan(&v.VendorKey, &v.ModelKey, &v.Version, &v.Vendor, &v.Model, &v.Source,
			&v.Reference, &v.Actor, &at)
		if err != nil {
			return nil, errorf("approved versions", err)
		}
		v.At = fromNanos(at)
		out = append(out, v)
	}
	return out, errorf("approved versions", rows.Err())
}
