package store

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPatchState(t *testing.T) {
	for _, c := range []struct {
		s     PatchState
		name  string
		valid bool
		next  PatchState
	}{
		{0, "", false, 0},
		{PatchAvailable, "available", true, PatchValidated},
		{PatchValidated, "manufacturer_validated", true, PatchTested},
		{PatchTested, "tested", true, PatchScheduled},
		{PatchScheduled, "scheduled", true, PatchDeployed},
		{PatchDeployed, "deployed", true, 0},
		{9, "PatchState(9)", false, 0},
	} {
		if got := c.s.String(); got != c.name {
			t.Errorf("%d: name %q, want %q", int(c.s), got, c.name)
		}
		if c.s.Valid() != c.valid || c.s.Next() != c.next {
			t.Errorf("%s: valid %v, next %v; want %v, %v", c.name, c.s.Valid(), c.s.Next(), c.valid,
				c.next)
		}
		if !c.valid {
			continue
		}
		if p, err := ParsePatchState(c.name); err != nil || p != c.s {
			t.Errorf("parse %q: %v, %v", c.name, p, err)
		}
		b, _ := json.Marshal(struct{ S PatchState }{c.s})
		var back struct{ S PatchState }
		if err := json.Unmarshal(b, &back); err != nil || back.S != c.s {
			t.Errorf("%s through JSON %s: %v, %v", c.name, b, back.S, err)
		}
	}
	if _, err := ParsePatchState("installed"); !errors.Is(err, ErrInvalid) {
		t.Errorf("parse an unknown state: got %v, want ErrInvalid", err)
	}
}

func TestPatchWorkflow(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		at := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
		p, err := db.SavePatchPlan(ctx, PatchPlan{Vendor: "Baxter", Model: "ExactaMix 2400",
			VendorKey: "baxter", ModelKey: "exactamix 2400", FromVersion: " 1.4 ",
			TargetVersion: "1.5", EndOfSupport: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC),
			Note: "ICSMA-20-170-01", UpdatedBy: "alice", UpdatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		if p.ID == 0 || p.State != PatchAvailable || p.FromVersion != "1.4" {
			t.Fatalf("new plan %+v: want an ID, available, from 1.4", p)
		}
		move := func(to PatchState, force bool, at time.Time) error {
			return db.MovePatchPlan(ctx, p.ID, to, "bob", "moved to "+to.String(), force, at)
		}
		if err := move(PatchTested, false, at.Add(time.Hour)); !errors.Is(err, ErrStateOrder) ||
			!strings.Contains(err.Error(), "manufacturer_validated comes after available, not tested") {
			t.Errorf("skip a state: got %v, want ErrStateOrder", err)
		}
		for i, to := range []PatchState{PatchValidated, PatchTested} {
			if err := move(to, false, at.Add(time.Duration(i+1)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if err := move(PatchScheduled, false, at.Add(3*time.Hour)); !errors.Is(err, ErrInvalid) ||
			!strings.Contains(err.Error(), "needs a maintenance window") {
			t.Errorf("schedule without a window: got %v, want ErrInvalid", err)
		}
		p.WindowStart = time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC)
		p.WindowEnd = p.WindowStart.Add(4 * time.Hour)
		p.State, p.UpdatedBy, p.UpdatedAt = 0, "carol", at.Add(4*time.Hour)
		if p, err = db.SavePatchPlan(ctx, p); err != nil {
			t.Fatal(err)
		}
		for i, to := range []PatchState{PatchScheduled, PatchDeployed} {
			if err := move(to, false, at.Add(time.Duration(5+i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if err := move(PatchTested, false, at.Add(7*time.Hour)); !errors.Is(err, ErrStateOrder) {
			t.Errorf("go back: got %v, want ErrStateOrder", err)
		}
		if err := move(PatchDeployed, true, at.Add(7*time.Hour)); !errors.Is(err, ErrStateOrder) {
			t.Errorf("move to the same state: got %v, want ErrStateOrder", err)
		}
		if err := move(PatchTested, true, at.Add(8*time.Hour)); err != nil {
			t.Errorf("a forced move back: %v", err)
		}

		events, err := db.PatchEvents(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		ev := func(h int, from, to PatchState, forced bool, actor, note string) PatchEvent {
			return PatchEvent{PlanID: p.ID, From: from, To: to, Forced: forced, Actor: actor,
				At: at.Add(time.Duration(h) * time.Hour), Note: note}
		}
		want := []PatchEvent{
			ev(0, 0, PatchAvailable, false, "alice", "created"),
			ev(1, PatchAvailable, PatchValidated, false, "bob", "moved to manufacturer_validated"),
			ev(2, PatchValidated, PatchTested, false, "bob", "moved to tested"),
			ev(4, PatchTested, PatchTested, false, "carol", "changed window"),
			ev(5, PatchTested, PatchScheduled, false, "bob", "moved to scheduled"),
			ev(6, PatchScheduled, PatchDeployed, false, "bob", "moved to deployed"),
			ev(8, PatchDeployed, PatchTested, true, "bob", "moved to tested"),
		}
		if diff := cmp.Diff(want, events, findingOpts, cmpIgnoreID); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}

		plans, err := db.PatchPlans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p.State, p.UpdatedBy, p.UpdatedAt = PatchTested, "bob", at.Add(8*time.Hour)
		if diff := cmp.Diff([]PatchPlan{p}, plans, findingOpts); diff != "" {
			t.Errorf("plans (-want +got):\n%s", diff)
		}
		if _, err := db.PatchEvents(ctx, p.ID+100); !errors.Is(err, ErrNotFound) {
			t.Errorf("events of no plan: got %v, want ErrNotFound", err)
		}
	})
}

var cmpIgnoreID = cmp.FilterPath(func(p cmp.Path) bool {
	return p.Last().String() == ".ID"
}, cmp.Ignore())

func TestPatchPlanInvalid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		plan := PatchPlan{VendorKey: "ge", ModelKey: "carescape b450", FromVersion: "2.0",
			UpdatedBy: "alice"}
		p, err := db.SavePatchPlan(ctx, plan)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SavePatchPlan(ctx, plan); !errors.Is(err, ErrExists) {
			t.Errorf("a second plan of the same version: got %v, want ErrExists", err)
		}
		b850 := plan
		b850.ModelKey = "carescape b850"
		if _, err := db.SavePatchPlan(ctx, b850); err != nil {
			t.Fatal(err)
		}
		moved := p
		moved.ModelKey = "carescape b850"
		if _, err := db.SavePatchPlan(ctx, moved); !errors.Is(err, ErrExists) {
			t.Errorf("change a plan's keys to another's: got %v, want ErrExists", err)
		}
		for _, c := range []struct {
			name string
			p    PatchPlan
			want error
		}{
			{"no vendor key", PatchPlan{ModelKey: "m", UpdatedBy: "a"}, ErrInvalid},
			{"no actor", PatchPlan{VendorKey: "v", ModelKey: "m"}, ErrInvalid},
			{"unknown state", PatchPlan{VendorKey: "v", ModelKey: "m", UpdatedBy: "a", State: 7},
				ErrInvalid},
			{"window backwards", PatchPlan{VendorKey: "v", ModelKey: "m", UpdatedBy: "a",
				WindowStart: time.Unix(100, 0), WindowEnd: time.Unix(50, 0)}, ErrInvalid},
			{"state by save", func() PatchPlan { q := p; q.State = PatchDeployed; return q }(),
				ErrInvalid},
			{"no such plan", func() PatchPlan { q := p; q.ID += 100; return q }(), ErrNotFound},
		} {
			if _, err := db.SavePatchPlan(ctx, c.p); !errors.Is(err, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			}
		}
		for _, c := range []struct {
			name  string
			id    int64
			to    PatchState
			actor string
			want  error
		}{
			{"unknown state", p.ID, 0, "bob", ErrInvalid},
			{"no actor", p.ID, PatchValidated, "", ErrInvalid},
			{"no plan", p.ID + 100, PatchValidated, "bob", ErrNotFound},
		} {
			err := db.MovePatchPlan(ctx, c.id, c.to, c.actor, "", false, time.Time{})
			if !errors.Is(err, c.want) {
				t.Errorf("move, %s: got %v, want %v", c.name, err, c.want)
			}
		}
	})
}

func TestApprovedVersions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		at := time.Date(2026, 3, 5, 11, 0, 0, 0, time.UTC)
		first := ApprovedVersion{VendorKey: "spacelabs", ModelKey: "xhibit telemetry receiver",
			Version: "1.0.3", Vendor: "Spacelabs", Model: "XTR 96280", Source: "letter",
			Reference: "SL-2020-044", Actor: "alice", At: at}
		again := first
		again.Reference, again.Actor, again.At = "SL-2020-044 rev 2", "bob", at.Add(time.Hour)
		older := first
		older.Version = "1.0.2"
		for _, v := range []ApprovedVersion{first, again, older} {
			if err := db.ApproveVersion(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.ApprovedVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]ApprovedVersion{older, again}, got); diff != "" {
			t.Errorf("approved versions (-want +got):\n%s", diff)
		}
		if err := db.ApproveVersion(ctx, ApprovedVersion{VendorKey: "a", ModelKey: "b",
			Actor: "c"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("approve no version: got %v, want ErrInvalid", err)
		}
	})
}
