package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// AuditEvent is one entry of the audit log. The audit package chains the
// entries (PrevMAC is the MAC of the entry before, MAC covers this one);
// the store keeps them exactly as given and in order.
type AuditEvent struct {
	Seq    int64 // 1 for the first entry, then one more each time
	Time   time.Time
	Actor  string // who: a user name, "token:NAME", "system"
	Action string // what, e.g. "device.set_attribute"
	Object string // on what, e.g. a device id; "" when nothing
	// Detail is a JSON value, kept byte for byte; empty means {}.
	Detail  json.RawMessage
	PrevMAC []byte
	MAC     []byte
}

// AppendAudit appends e to the audit log. e.Seq must be one more than the
// last entry's (1 for the first): else, or if another writer appended that
// number first, it returns ErrAuditSeq and appends nothing. Entries are
// never changed or removed; the tables refuse it too.
func (db *DB) AppendAudit(ctx context.Context, e AuditEvent) error {
	if err := validateAudit(&e); err != nil {
		return fmt.Errorf("store: append audit event %d: %w", e.Seq, err)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		var last int64
		err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM audit_events").Scan(&last)
		if err != nil {
			return err
		}
		if e.Seq != last+1 {
			return fmt.Errorf("%w: the last event is %d", ErrAuditSeq, last)
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO audit_events (seq, time, actor, action, "+
			"object, detail, prev_mac, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "+
			"ON CONFLICT (seq) DO NOTHING", e.Seq, nanos(e.Time), e.Actor, e.Action, e.Object,
			string(e.Detail), nonNil(e.PrevMAC), nonNil(e.MAC))
		if err := affected(res, err); errors.Is(err, ErrNotFound) {
			return fmt.Errorf("%w: %d was appended by another writer", ErrAuditSeq, e.Seq)
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: append audit event %d: %w", e.Seq, err)
	}
	return nil
}

func validateAudit(e *AuditEvent) error {
	if len(e.Detail) == 0 {
		e.Detail = json.RawMessage("{}")
	}
	if !json.Valid(e.Detail) {
		return invalidf("detail is not JSON")
	}
	if e.Actor == "" || e.Action == "" {
		return invalidf("no actor or action")
	}
	if r := badTime(e.Time); r != "" {
		return invalidf("%s", r)
	}
	return checkText("audit event", "actor", e.Actor, "action", e.Action, "object", e.Object,
		"detail", string(e.Detail))
}

const auditColumns = "seq, time, actor, action, object, detail, prev_mac, mac"

func scanAudit(sc interface{ Scan(...any) error }) (AuditEvent, error) {
	var e AuditEvent
	var t int64
	var detail string
	err := sc.Scan(&e.Seq, &t, &e.Actor, &e.Action, &e.Object, &detail, &e.PrevMAC, &e.MAC)
	e.Time, e.Detail = fromNanos(t), json.RawMessage(detail)
	return e, err
}

// LastAudit returns the last entry of the audit log, or ErrNotFound when
// it is empty.
func (db *DB) LastAudit(ctx context.Context) (AuditEvent, error) {
	e, err := scanAudit(db.sql.QueryRowContext(ctx, "SELECT "+auditColumns+
		" FROM audit_events ORDER BY seq DESC LIMIT 1"))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return AuditEvent{}, fmt.Errorf("store: last audit event: %w", err)
	}
	return e, nil
}

// ListAudit returns up to limit (default 1000, at most 10000) entries
// after sequence number afterSeq, in order.
func (db *DB) ListAudit(ctx context.Context, afterSeq int64, limit int) ([]AuditEvent, error) {
	if limit <= 0 {
		limit = 1000
	}
	limit = min(limit, 10000)
	rows, err := db.sql.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit_events "+
		"WHERE seq > $1 ORDER BY seq LIMIT $2", afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list audit events: %w", err)
	}
	defer rows.Close()
	out := []AuditEvent{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list audit events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list audit events: %w", err)
	}
	return out, nil
}
