package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecisions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		at := time.Date(2026, 3, 3, 14, 0, 0, 0, time.UTC)
		first := DecisionRow{Vuln: "CVE-2019-0708", VendorKey: "spacelabs",
			ModelKey: "xhibit telemetry receiver", Version: "1.0.2", Vendor: "Spacelabs Healthcare",
			Model: "Xhibit Telemetry Receiver (XTR)", Status: StatusUnderInvestigation,
			Note: "asked Spacelabs whether RDP is enabled", Actor: "alice", At: at,
			AdvisoryID: "ICSMA-20-049-01", ProductID: "CSAFPID-0004", ProductRange: "1.0.2"}
		second := first
		second.Status, second.Justification = StatusNotAffected, "vulnerable_code_not_in_execute_path"
		second.Note, second.Actor, second.At = "RDP is disabled on 96280 units", "bob", at.Add(time.Hour)
		other := first
		other.Version, other.Status, other.Note = "1.0.1", StatusAffected, ""
		for _, d := range []DecisionRow{first, second, other} {
			if err := db.SaveDecision(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Decisions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]DecisionRow{other, second}, got); diff != "" {
			t.Errorf("rulings in force (-want +got):\n%s", diff)
		}
		hist, err := db.DecisionHistory(ctx, "CVE-2019-0708", "spacelabs",
			"xhibit telemetry receiver", "1.0.2")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]DecisionRow{first, second}, hist); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		none, err := db.DecisionHistory(ctx, "CVE-2019-0708", "spacelabs", "xhibit", "")
		if err != nil || len(none) != 0 {
			t.Errorf("history of a ruling never made: %v (%v)", none, err)
		}

		for _, c := range []struct {
			name string
			edit func(*DecisionRow)
			want string
		}{
			{"no vulnerability", func(d *DecisionRow) { d.Vuln = " " }, "no vulnerability"},
			{"no vendor key", func(d *DecisionRow) { d.VendorKey = "" }, "no vendor key"},
			{"no model key", func(d *DecisionRow) { d.ModelKey = "" }, "no model key"},
			{"no actor", func(d *DecisionRow) { d.Actor = "" }, "no actor"},
			{"unknown status", func(d *DecisionRow) { d.Status = "known_not_affected" }, "unknown status"},
			{"not affected without a justification", func(d *DecisionRow) {
				d.Status, d.Justification = StatusNotAffected, ""
			}, "needs a VEX justification"},
			{"not affected, unknown justification", func(d *DecisionRow) {
				d.Status, d.Justification = StatusNotAffected, "trust me"
			}, "needs a VEX justification"},
			{"affected with a justification", func(d *DecisionRow) {
				d.Justification = "component_not_present"
			}, "for not affected only"},
			{"bad note", func(d *DecisionRow) { d.Note = "\xff" }, "note is not valid UTF-8"},
		} {
			d := other
			c.edit(&d)
			err := db.SaveDecision(ctx, d)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: got %v, want ErrInvalid saying %q", c.name, err, c.want)
			}
		}
		if got, _ := db.Decisions(ctx); len(got) != 2 {
			t.Errorf("refused rulings changed the rulings: %d", len(got))
		}
	})
}
