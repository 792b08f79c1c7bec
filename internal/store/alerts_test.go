package store

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAlertStatus(t *testing.T) {
	for i, name := range []string{"open", "acknowledged", "remediating", "closed"} {
		s := AlertStatus(i + 1)
		if s.String() != name || !s.Valid() {
			t.Errorf("%d: %q valid %v, want %q", i+1, s, s.Valid(), name)
		}
		if p, err := ParseAlertStatus(name); err != nil || p != s {
			t.Errorf("parse %q: %v, %v", name, p, err)
		}
	}
	if AlertStatus(0).Valid() || AlertStatus(5).Valid() {
		t.Errorf("0 or 5 is a valid status")
	}
	if _, err := ParseAlertStatus("done"); !errors.Is(err, ErrInvalid) {
		t.Errorf("parse an unknown status: got %v, want ErrInvalid", err)
	}
}

func TestAlertDue(t *testing.T) {
	r := time.Date(2026, 3, 6, 16, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		severity string
		want     time.Time
	}{{"high", r.Add(48 * time.Hour)}, {"critical", r.Add(48 * time.Hour)}, {"medium", time.Time{}}} {
		if got := AlertDue(c.severity, r); !got.Equal(c.want) {
			t.Errorf("%s: due %v, want %v", c.severity, got, c.want)
		}
	}
}

func TestAlerts(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		received := time.Date(2026, 3, 6, 16, 30, 0, 0, time.UTC)
		a, err := db.SaveAlert(ctx, Alert{Reference: "CC-4251", Title: "Remote code execution in RDP",
			Severity: "High", CVEs: []string{"CVE-2019-0708", " CVE-2017-0143"},
			Products:   "Windows XP, Windows 7 and Server 2008 systems, including embedded ones",
			ReceivedAt: received, DueAt: AlertDue("high", received), CreatedBy: "soc"})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.Status != AlertOpen || a.Severity != "high" || a.CVEs[1] != "CVE-2017-0143" {
			t.Fatalf("new alert %+v", a)
		}
		if !a.Overdue(received.Add(49*time.Hour)) || a.Overdue(received.Add(47*time.Hour)) {
			t.Errorf("the 48-hour clock: overdue at 49 h %v, at 47 h %v",
				a.Overdue(received.Add(49*time.Hour)), a.Overdue(received.Add(47*time.Hour)))
		}
		if _, err := db.SaveAlert(ctx, Alert{Reference: "CC-4251", Severity: "high",
			CreatedBy: "soc"}); !errors.Is(err, ErrExists) {
			t.Errorf("an alert of a reference taken: got %v, want ErrExists", err)
		}

		h := func(n int) time.Time { return received.Add(time.Duration(n) * time.Hour) }
		if err := db.MoveAlert(ctx, a.ID, AlertAcknowledged, "dave", "seen", h(2)); err != nil {
			t.Fatal(err)
		}
		if err := db.MoveAlert(ctx, a.ID, AlertOpen, "dave", "", h(3)); !errors.Is(err, ErrStateOrder) {
			t.Errorf("go back to open: got %v, want ErrStateOrder", err)
		}
		a.Note = "12 devices; patches scheduled with Spacelabs"
		a.Status = 0
		if _, err := db.SaveAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
		a.Status = AlertClosed
		if _, err := db.SaveAlert(ctx, a); !errors.Is(err, ErrInvalid) {
			t.Errorf("close by saving: got %v, want ErrInvalid", err)
		}
		for i, to := range []AlertStatus{AlertRemediating, AlertClosed} {
			if err := db.MoveAlert(ctx, a.ID, to, "erin", to.String(), h(24+i)); err != nil {
				t.Fatal(err)
			}
		}

		got, events, err := db.Alert(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		a.Status, a.AcknowledgedAt, a.ClosedAt = AlertClosed, h(2), h(25)
		if diff := cmp.Diff(a, got, findingOpts); diff != "" {
			t.Errorf("alert (-want +got):\n%s", diff)
		}
		if got.Overdue(h(100)) {
			t.Errorf("an acknowledged alert is overdue")
		}
		ev := func(from, to AlertStatus, actor string, at time.Time, note string) AlertEvent {
			return AlertEvent{AlertID: a.ID, From: from, To: to, Actor: actor, At: at, Note: note}
		}
		want := []AlertEvent{
			ev(0, AlertOpen, "soc", events[0].At, "recorded"),
			ev(AlertOpen, AlertAcknowledged, "dave", h(2), "seen"),
			ev(AlertAcknowledged, AlertRemediating, "erin", h(24), "remediating"),
			ev(AlertRemediating, AlertClosed, "erin", h(25), "closed"),
		}
		if diff := cmp.Diff(want, events, findingOpts, cmpIgnoreID); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}

		// An alert closed straight away: it was acknowledged by closing.
		b, err := db.SaveAlert(ctx, Alert{Reference: "CC-4300", Severity: "medium",
			ReceivedAt: h(30), CreatedBy: "soc"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.MoveAlert(ctx, b.ID, AlertClosed, "dave", "no such devices", h(31)); err != nil {
			t.Fatal(err)
		}
		all, err := db.Alerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].Reference != "CC-4300" || !all[0].AcknowledgedAt.Equal(h(31)) ||
			!all[0].ClosedAt.Equal(h(31)) {
			t.Errorf("alerts, newest first: %+v", all)
		}
		if _, _, err := db.Alert(ctx, b.ID+10); !errors.Is(err, ErrNotFound) {
			t.Errorf("an unknown alert: got %v, want ErrNotFound", err)
		}
	})
}

func TestAlertsInvalid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		r := time.Date(2026, 3, 6, 16, 30, 0, 0, time.UTC)
		for _, c := range []struct {
			name string
			a    Alert
		}{
			{"no reference", Alert{Severity: "high", CreatedBy: "soc"}},
			{"no author", Alert{Reference: "CC-1", Severity: "high"}},
			{"unknown severity", Alert{Reference: "CC-1", Severity: "amber", CreatedBy: "soc"}},
			{"due before received", Alert{Reference: "CC-1", Severity: "high", CreatedBy: "soc",
				ReceivedAt: r, DueAt: r.Add(-time.Hour)}},
			{"empty cve", Alert{Reference: "CC-1", Severity: "high", CreatedBy: "soc",
				CVEs: []string{" "}}},
			{"created closed", Alert{Reference: "CC-1", Severity: "high", CreatedBy: "soc",
				Status: AlertClosed}},
		} {
			if _, err := db.SaveAlert(ctx, c.a); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: got %v, want ErrInvalid", c.name, err)
			}
		}
		if all, _ := db.Alerts(ctx); len(all) != 0 {
			t.Errorf("refused alerts were kept: %+v", all)
		}
		if err := db.MoveAlert(ctx, 1, AlertClosed, "dave", "", r); !errors.Is(err, ErrNotFound) {
			t.Errorf("move no alert: got %v, want ErrNotFound", err)
		}
	})
}
