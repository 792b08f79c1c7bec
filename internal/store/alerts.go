package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// AlertStatus is where the response to a cyber alert stands. Statuses
// follow one another in the order of the constants, and may be skipped
// but not gone back to; the zero value is no status.
type AlertStatus int

// The statuses of an alert, in order.
const (
	AlertOpen AlertStatus = iota + 1
	AlertAcknowledged
	AlertRemediating
	AlertClosed
)

var alertStatusNames = [...]string{"", "open", "acknowledged", "remediating", "closed"}

// String is the status's stored name, "" for none.
func (s AlertStatus) String() string { return enumName(alertStatusNames[:], "AlertStatus", s) }

// Valid reports whether s is one of the statuses.
func (s AlertStatus) Valid() bool { return s >= AlertOpen && s <= AlertClosed }

// ParseAlertStatus is the status of that name.
func ParseAlertStatus(name string) (AlertStatus, error) {
	return parseEnum[AlertStatus](alertStatusNames[:], "alert status", name)
}

// MarshalText is the status's name, for JSON.
func (s AlertStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status's name; "" is no status.
func (s *AlertStatus) UnmarshalText(b []byte) error {
	return unmarshalEnum(alertStatusNames[:], "alert status", s, b)
}

// AlertResponseTime is how long after receipt a high-severity NHS cyber
// alert must be acknowledged.
const AlertResponseTime = 48 * time.Hour

// AlertDue is when the response to an alert of that severity received
// then is due: AlertResponseTime later for "high" and "critical", zero
// (no clock) for the others.
func AlertDue(severity string, received time.Time) time.Time {
	switch severity {
	case "high", "critical":
		return received.Add(AlertResponseTime)
	}
	return time.Time{}
}

// alertSeverities are the severities an alert may have.
var alertSeverities = map[string]bool{"critical": true, "high": true, "medium": true, "low": true}

// Alert is an NHS cyber alert and the response to it.
type Alert struct {
	ID        int64  // 0 to record a new alert
	Reference string // the alert's reference ("CC-4251"), unique
	Title     string
	Severity  string   // "critical", "high", "medium" or "low"
	CVEs      []string // the CVEs it names
	// Products are the affected products as the alert words them.
	Products   string
	ReceivedAt time.Time // zero for now
	// DueAt is when the response is due (see AlertDue), zero for no
	// clock; the caller sets it.
	DueAt time.Time
	// Status is set by MoveAlert; a new alert starts open.
	// AcknowledgedAt and ClosedAt are set by the moves there.
	Status         AlertStatus
	AcknowledgedAt time.Time
	ClosedAt       time.Time
	Note           string
	CreatedBy      string
}

// Overdue reports whether the response to a is due by now and a is not
// acknowledged.
func (a *Alert) Overdue(now time.Time) bool {
	return !a.DueAt.IsZero() && a.AcknowledgedAt.IsZero() && now.After(a.DueAt)
}

// AlertEvent is one change of an alert's status; From is 0 for its
// recording.
type AlertEvent struct {
	ID, AlertID int64
	From, To    AlertStatus
	Actor       string
	At          time.Time
	Note        string
}

// alertFields are the columns of an alert but its id.
const alertFields = "reference, title, severity, cves, products, received_at, due_at, " +
	"acknowledged_at, status, closed_at, note, created_by"

const alertColumns = "id, " + alertFields

// SaveAlert records a new alert (a.ID 0), or returns ErrExists if one has
// its reference, or changes an alert's fields but its status and the
// times moves set, which only MoveAlert changes. It returns the alert as
// stored.
func (db *DB) SaveAlert(ctx context.Context, a Alert) (Alert, error) {
	if err := checkAlert(&a); err != nil {
		return Alert{}, errorf("save alert", err)
	}
	a.ReceivedAt = timeIn(db.orNow(a.ReceivedAt))
	a.DueAt = timeIn(a.DueAt)
	err := db.write(ctx, func(tx *sql.Tx) error {
		if a.ID == 0 {
			return createAlert(ctx, tx, &a, db.now())
		}
		return updateAlert(ctx, tx, &a)
	})
	if err != nil {
		return Alert{}, fmt.Errorf("store: save alert %.80q: %w", a.Reference, err)
	}
	return a, nil
}

func checkAlert(a *Alert) error {
	a.Reference = strings.TrimSpace(a.Reference)
	a.Severity = strings.ToLower(strings.TrimSpace(a.Severity))
	if err := needKeys("alert", "reference", a.Reference, "created by", a.CreatedBy); err != nil {
		return err
	}
	if !alertSeverities[a.Severity] {
		return invalidf("alert %.80q: unknown severity %.80q", a.Reference, a.Severity)
	}
	if a.Status != 0 && !a.Status.Valid() {
		return invalidf("alert %.80q: unknown status %d", a.Reference, int(a.Status))
	}
	if bad := badTime(a.ReceivedAt, a.DueAt); bad != "" {
		return invalidf("alert %.80q: %s", a.Reference, bad)
	}
	if !a.DueAt.IsZero() && !a.ReceivedAt.IsZero() && a.DueAt.Before(a.ReceivedAt) {
		return invalidf("alert %.80q: due before it was received", a.Reference)
	}
	a.CVEs = slices.Clone(a.CVEs)
	for i, c := range a.CVEs {
		a.CVEs[i] = strings.TrimSpace(c)
		if a.CVEs[i] == "" {
			return invalidf("alert %.80q: an empty cve", a.Reference)
		}
		if err := checkText("alert", "cve", c); err != nil {
			return err
		}
	}
	return checkText("alert", "reference", a.Reference, "title", a.Title,
		"products", a.Products, "note", a.Note, "created by", a.CreatedBy)
}

func createAlert(ctx context.Context, tx *sql.Tx, a *Alert, now time.Time) error {
	if a.Status == 0 {
		a.Status = AlertOpen
	}
	if a.Status != AlertOpen {
		return invalidf("a new alert is open, not %s", a.Status)
	}
	a.AcknowledgedAt, a.ClosedAt = time.Time{}, time.Time{}
	cves, _ := json.Marshal(nonNil(a.CVEs)) // a list of strings always encodes
	err := tx.QueryRowContext(ctx, "INSERT INTO cyber_alerts ("+alertFields+
		") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "+
		"ON CONFLICT (reference) DO NOTHING RETURNING id", a.Reference, a.Title, a.Severity,
		string(cves), a.Products, nanos(a.ReceivedAt), nanos(a.DueAt), 0, a.Status.String(), 0,
		a.Note, a.CreatedBy).Scan(&a.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrExists
	}
	if err != nil {
		return err
	}
	return addAlertEvent(ctx, tx, AlertEvent{AlertID: a.ID, To: a.Status, Actor: a.CreatedBy,
		At: timeIn(now), Note: "recorded"})
}

func updateAlert(ctx context.Context, tx *sql.Tx, a *Alert) error {
	old, err := alertByID(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	if a.Status != 0 && a.Status != old.Status {
		return invalidf("alert %d is %s, not %s: move it with MoveAlert", a.ID, old.Status, a.Status)
	}
	a.Status, a.AcknowledgedAt, a.ClosedAt = old.Status, old.AcknowledgedAt, old.ClosedAt
	var other int64
	err = tx.QueryRowContext(ctx, "SELECT id FROM cyber_alerts WHERE reference = $1 AND id <> $2",
		a.Reference, a.ID).Scan(&other)
	if err == nil {
		return fmt.Errorf("alert %d has that reference: %w", other, ErrExists)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	cves, _ := json.Marshal(nonNil(a.CVEs)) // a list of strings always encodes
	_, err = tx.ExecContext(ctx, "UPDATE cyber_alerts SET reference = $2, title = $3, "+
		"severity = $4, cves = $5, products = $6, received_at = $7, due_at = $8, note = $9, "+
		"created_by = $10 WHERE id = $1", a.ID, a.Reference, a.Title, a.Severity, string(cves),
		a.Products, nanos(a.ReceivedAt), nanos(a.DueAt), a.Note, a.CreatedBy)
	return err
}

func scanAlert(sc interface{ Scan(...any) error }) (Alert, error) {
	var a Alert
	var cves, status string
	var received, due, acked, closed int64
	err := sc.Scan(&a.ID, &a.Reference, &a.Title, &a.Severity, &cves, &a.Products, &received,
		&due, &acked, &status, &closed, &a.Note, &a.CreatedBy)
	if err != nil {
		return a, err
	}
	a.ReceivedAt, a.DueAt = fromNanos(received), fromNanos(due)
	a.AcknowledgedAt, a.ClosedAt = fromNanos(acked), fromNanos(closed)
	if err := json.Unmarshal([]byte(cves), &a.CVEs); err != nil {
		return a, fmt.Errorf("cves of alert %d: %w", a.ID, err)
	}
	if len(a.CVEs) == 0 {
		a.CVEs = nil
	}
	a.Status, err = ParseAlertStatus(status)
	return a, err
}

func alertByID(ctx context.Context, q querier, id int64) (Alert, error) {
	a, err := scanAlert(q.QueryRowContext(ctx, "SELECT "+alertColumns+
		" FROM cyber_alerts WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("alert %d: %w", id, ErrNotFound)
	}
	return a, err
}

// MoveAlert moves an alert on to status to and records who moved it,
// when and why. Statuses may be skipped (open straight to closed) but not
// gone back to: that is ErrStateOrder. The first move to acknowledged or
// beyond sets AcknowledgedAt, which stops the response clock; the move to
// closed sets ClosedAt.
func (db *DB) MoveAlert(ctx context.Context, id int64, to AlertStatus, actor, note string,
	at time.Time) error {
	if err := db.moveAlert(ctx, id, to, actor, note, at); err != nil {
		return fmt.Errorf("store: move alert %d to %s: %w", id, to, err)
	}
	return nil
}

func (db *DB) moveAlert(ctx context.Context, id int64, to AlertStatus, actor, note string,
	at time.Time) error {
	if !to.Valid() {
		return invalidf("unknown status %d", int(to))
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
		a, err := alertByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if to <= a.Status {
			return fmt.Errorf("alert is %s: %w", a.Status, ErrStateOrder)
		}
		if a.AcknowledgedAt.IsZero() && to >= AlertAcknowledged {
			a.AcknowledgedAt = at
		}
		if to == AlertClosed {
			a.ClosedAt = at
		}
		_, err = tx.ExecContext(ctx, "UPDATE cyber_alerts SET status = $2, acknowledged_at = $3, "+
			"closed_at = $4 WHERE id = $1", id, to.String(), nanos(a.AcknowledgedAt),
			nanos(a.ClosedAt))
		if err != nil {
			return err
		}
		return addAlertEvent(ctx, tx, AlertEvent{AlertID: id, From: a.Status, To: to,
			Actor: actor, At: at, Note: note})
	})
}

func addAlertEvent(ctx context.Context, tx *sql.Tx, e AlertEvent) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO alert_events (alert_id, from_status, to_status, "+
		"actor, at, note) VALUES ($1, $2, $3, $4, $5, $6)", e.AlertID, e.From.String(),
		e.To.String(), e.Actor, nanos(e.At), e.Note)
	return err
}

// Alerts returns every alert, the most recently received first.
func (db *DB) Alerts(ctx context.Context) ([]Alert, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+alertColumns+" FROM cyber_alerts "+
		"ORDER BY received_at DESC, id DESC")
	return collect(rows, err, "alerts", func(sc scanner) (Alert, error) { return scanAlert(sc) })
}

// Alert returns an alert and its changes, oldest first, or ErrNotFound.
func (db *DB) Alert(ctx context.Context, id int64) (Alert, []AlertEvent, error) {
	var a Alert
	var events []AlertEvent
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = alertByID(ctx, tx, id); err != nil {
			return err
		}
		events, err = alertEvents(ctx, tx, id)
		return err
	})
	if err != nil {
		return Alert{}, nil, errorf("alert", err)
	}
	return a, events, nil
}

func alertEvents(ctx context.Context, tx *sql.Tx, id int64) ([]AlertEvent, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, alert_id, from_status, to_status, actor, at, "+
		"note FROM alert_events WHERE alert_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AlertEvent
	for rows.Next() {
		var e AlertEvent
		var from, to string
		var at int64
		if err := rows.Scan(&e.ID, &e.AlertID, &from, &to, &e.Actor, &at, &e.Note); err != nil {
			return nil, err
		}
		e.At = fromNanos(at)
		if err := errors.Join(e.From.UnmarshalText([]byte(from)),
			e.To.UnmarshalText([]byte(to))); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
