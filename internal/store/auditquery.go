package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AuditQuery selects audit events, newest first. Zero fields select all.
type AuditQuery struct {
	Actor     string // exactly
	Action    string // exactly, or a prefix ending in "." ("device.")
	Since     time.Time
	Until     time.Time
	BeforeSeq int64 // only events before this one: the next page
	Limit     int   // default 100, at most 1000
}

// ListAuditFiltered returns the events q selects, newest first.
func (db *DB) ListAuditFiltered(ctx context.Context, q AuditQuery) ([]AuditEvent, error) {
	if err := checkText("audit query", "actor", q.Actor, "action", q.Action); err != nil {
		return nil, fmt.Errorf("store: list audit events: %w", err)
	}
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.Actor != "" {
		conds = append(conds, "actor = "+arg(q.Actor))
	}
	if strings.HasSuffix(q.Action, ".") {
		conds = append(conds, "action LIKE "+arg(escapeLike(q.Action)+"%")+" ESCAPE '\\'")
	} else if q.Action != "" {
		conds = append(conds, "action = "+arg(q.Action))
	}
	if !q.Since.IsZero() {
		conds = append(conds, "time >= "+arg(nanos(q.Since)))
	}
	if !q.Until.IsZero() {
		conds = append(conds, "time < "+arg(nanos(q.Until)))
	}
	if q.BeforeSeq > 0 {
		conds = append(conds, "seq < "+arg(q.BeforeSeq))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit_events"+where+
		" ORDER BY seq DESC LIMIT "+arg(min(limit, 1000)), args...)
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
	return out, rows.Err()
}
