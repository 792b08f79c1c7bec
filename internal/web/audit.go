package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/store"
)

// auditor writes the audit log: each event chained to the one before.
type auditor struct {
	db    *store.DB
	chain *audit.Chain
	keys  *audit.Keys
	now   func() time.Time
}

func newAuditor(db *store.DB, keys *audit.Keys, now func() time.Time) (*auditor, error) {
	c, err := audit.NewChain(keys.Chain)
	if err != nil {
		return nil, err
	}
	return &auditor{db: db, chain: c, keys: keys, now: now}, nil
}

// add appends an event. detail is encoded as JSON; it must hold neither
// secrets nor patient data (Ward's callers pass names, ids and counts).
func (a *auditor) add(ctx context.Context, actor, action, object string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil || detail == nil {
		b = []byte("{}")
	}
	_, err = a.db.Record(ctx, a.chain, store.AuditEvent{Time: a.now(), Actor: actor,
		Action: action, Object: object, Detail: b})
	return err
}

// record appends an event for a request. An event that cannot be written
// is logged loudly: the action has happened, and the log must say it is
// incomplete.
func (s *Server) record(r *http.Request, actor, action, object string, detail any) {
	// The event is written even when the client has gone.
	ctx := context.WithoutCancel(r.Context())
	actor, object = storable(actor), storable(object)
	if err := s.audit.add(ctx, clip(actor, 128), action, clip(object, 256), detail); err != nil {
		s.log.Error("audit event not written", "err", err, "action", action)
	}
}

// storable makes attacker-supplied text (a user name typed at the login
// form) text the store keeps: valid UTF-8 without NUL bytes. Else the
// store refuses the event, and a failed login with such a name would go
// unrecorded.
func storable(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// clip shortens attacker-supplied text (a user name typed at the login
// form) before it is kept.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
