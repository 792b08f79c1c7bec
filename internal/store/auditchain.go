package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardhq/ward/internal/audit"
)

// Record appends an event to the audit log, chained by c to the entry
// before it: it sets e's Seq, PrevMAC and MAC and returns it as stored.
// Writers in other goroutines or processes may append between reading the
// last entry and appending; Record then chains to the new last entry and
// tries again.
func (db *DB) Record(ctx context.Context, c *audit.Chain, e AuditEvent) (AuditEvent, error) {
	for range 20 {
		last, err := db.LastAudit(ctx)
		var prev *audit.Entry
		switch {
		case err == nil:
			le := toEntry(last)
			prev = &le
		case !errors.Is(err, ErrNotFound):
			return AuditEvent{}, err
		}
		sealed := c.Next(prev, toEntry(e))
		e.Seq, e.PrevMAC, e.MAC = int64(sealed.Seq), sealed.Prev[:], sealed.MAC[:]
		err = db.AppendAudit(ctx, e)
		if !errors.Is(err, ErrAuditSeq) {
			return e, err
		}
	}
	return AuditEvent{}, fmt.Errorf("store: record audit event: too many concurrent writers")
}

// toEntry is the audit package's view of a stored event.
func toEntry(e AuditEvent) audit.Entry {
	detail := string(e.Detail)
	if detail == "" {
		detail = "{}"
	}
	out := audit.Entry{Seq: uint64(max(e.Seq, 0)), Time: e.Time, Actor: e.Actor, Action: e.Action,
		Object: e.Object, Detail: detail}
	copy(out.Prev[:], e.PrevMAC)
	copy(out.MAC[:], e.MAC)
	return out
}

// AuditEntries reads the whole audit log in the audit package's form, in
// the order it is stored, for verification.
func (db *DB) AuditEntries(ctx context.Context) ([]audit.Entry, error) {
	var out []audit.Entry
	var after int64
	for {
		page, err := db.ListAudit(ctx, after, 10000)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			out = append(out, toEntry(e))
			after = e.Seq
		}
		if len(page) < 10000 {
			return out, nil
		}
	}
}
