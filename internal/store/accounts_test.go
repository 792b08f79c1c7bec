package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
)

func TestLocations(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		site, err := db.AddLocation(ctx, Location{Kind: Site, Name: "Royal Infirmary"})
		if err != nil {
			t.Fatal(err)
		}
		if site.SiteID != site.ID || site.ParentID != 0 {
			t.Errorf("site %+v: want its own site and no parent", site)
		}
		var chain []Location
		parent := site
		for _, k := range []LocationKind{Building, Floor, Department, Room} {
			l, err := db.AddLocation(ctx, Location{Kind: k, Name: string(k) + " 1",
				ParentID: parent.ID})
			if err != nil {
				t.Fatalf("add %s: %v", k, err)
			}
			if l.SiteID != site.ID || l.ParentID != parent.ID {
				t.Errorf("%s %+v: want site %d, parent %d", k, l, site.ID, parent.ID)
			}
			chain = append(chain, l)
			parent = l
		}
		bad := []struct {
			name string
			l    Location
			want error
		}{
			{"unknown kind", Location{Kind: "wing", Name: "x", ParentID: site.ID}, ErrInvalid},
			{"site in a site", Location{Kind: Site, Name: "x", ParentID: site.ID}, ErrInvalid},
			{"building without parent", Location{Kind: Building, Name: "x"}, ErrInvalid},
			{"floor in a room", Location{Kind: Floor, Name: "x", ParentID: chain[3].ID}, ErrInvalid},
			{"ward in a department", Location{Kind: Ward, Name: "x", ParentID: chain[2].ID}, ErrInvalid},
			{"no such parent", Location{Kind: Room, Name: "x", ParentID: 9999}, ErrNotFound},
			{"no name", Location{Kind: Site, Name: " "}, ErrInvalid},
		}
		for _, c := range bad {
			if _, err := db.AddLocation(ctx, c.l); !errors.Is(err, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			}
		}
		all, err := db.Locations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(append([]Location{site}, chain...), all); diff != "" {
			t.Errorf("locations (-want +got):\n%s", diff)
		}
		if err := db.SetDeviceLocation(ctx, "mac:none", site.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("place a device that is not there: got %v, want ErrNotFound", err)
		}
	})
}

func TestOwnersAndTags(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		mustMerge(t, db, syntheticInput(1, 0, 0), File{SHA256: fakeSHA(1)})
		id := "mac:" + synthMAC(0)
		if _, err := db.AddOwner(ctx, Owner{Name: "Renal EBME"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddOwner(ctx, Owner{Name: "Renal EBME"}); !errors.Is(err, ErrExists) {
			t.Errorf("add an owner twice: got %v, want ErrExists", err)
		}
		if err := db.SetDeviceOwner(ctx, id, 9999); !errors.Is(err, ErrNotFound) {
			t.Errorf("set an owner that is not there: got %v, want ErrNotFound", err)
		}
		for _, tag := range []string{"loan", "theatres", "loan"} {
			if err := db.TagDevice(ctx, id, tag); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.UntagDevice(ctx, id, "theatres"); err != nil {
			t.Fatal(err)
		}
		if d := mustDevice(t, db, id); !cmp.Equal(d.Tags, []string{"loan"}) {
			t.Errorf("tags %q, want [loan]", d.Tags)
		}
		if err := db.TagDevice(ctx, "mac:none", "loan"); !errors.Is(err, ErrNotFound) {
			t.Errorf("tag a device that is not there: got %v, want ErrNotFound", err)
		}
	})
}

func TestUsersAndRoles(t *testing.T) {
	const hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		site, _ := db.AddLocation(ctx, Location{Kind: Site, Name: "Royal Infirmary"})
		ward, _ := db.AddLocation(ctx, Location{Kind: Ward, Name: "Ward 7", ParentID: site.ID})
		u, err := db.CreateUser(ctx, "o'brien", hash)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, "o'brien", ""); !errors.Is(err, ErrExists) {
			t.Errorf("create a user twice: got %v, want ErrExists", err)
		}
		grants := []Grant{{Role: auth.RoleClinicalEngineering, SiteID: site.ID}, {Role: auth.RoleAuditor},
			{Role: auth.RoleAuditor}}
		for _, g := range grants {
			if err := db.GrantRole(ctx, u.ID, g); err != nil {
				t.Fatalf("grant %+v: %v", g, err)
			}
		}
		for _, g := range []Grant{{Role: "superuser"}, {Role: auth.RoleAdmin, SiteID: ward.ID}} {
			if err := db.GrantRole(ctx, u.ID, g); !errors.Is(err, ErrInvalid) {
				t.Errorf("grant %+v: got %v, want ErrInvalid", g, err)
			}
		}
		if err := db.GrantRole(ctx, 9999, Grant{Role: auth.RoleAdmin}); !errors.Is(err, ErrNotFound) {
			t.Errorf("grant to no user: got %v, want ErrNotFound", err)
		}
		if err := db.SetPasswordHash(ctx, u.ID, hash+"2"); err != nil {
			t.Fatal(err)
		}
		got, err := db.UserByName(ctx, "o'brien")
		if err != nil {
			t.Fatal(err)
		}
		want := u
		want.PasswordHash = hash + "2"
		want.Grants = []Grant{{Role: auth.RoleAuditor}, {Role: auth.RoleClinicalEngineering, SiteID: site.ID}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("user (-want +got):\n%s", diff)
		}
		if err := db.RevokeRole(ctx, u.ID, Grant{Role: auth.RoleAuditor}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.UserByName(ctx, "o'brien"); len(got.Grants) != 1 {
			t.Errorf("grants after revoking auditor: %+v", got.Grants)
		}
		if _, err := db.UserByName(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
			t.Errorf("get no user: got %v, want ErrNotFound", err)
		}
	})
}

func TestSessions(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		clk := newClock()
		db := b.open(t, Options{Now: clk.now})
		ctx := t.Context()
		u, err := db.CreateUser(ctx, "nurse", "")
		if err != nil {
			t.Fatal(err)
		}
		start := clk.now()
		live := Session{IDHash: []byte("live-hash"), UserID: u.ID, ExpiresAt: start.Add(time.Hour)}
		old := Session{IDHash: []byte("old-hash"), UserID: u.ID, ExpiresAt: start.Add(2 * time.Second)}
		for _, s := range []Session{live, old} {
			if err := db.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.SessionByHash(ctx, live.IDHash)
		if err != nil {
			t.Fatal(err)
		}
		if got.UserID != u.ID || !got.ExpiresAt.Equal(live.ExpiresAt) || got.CreatedAt.IsZero() {
			t.Errorf("session %+v, want user %d expiring %v", got, u.ID, live.ExpiresAt)
		}
		clk.now() // the clock moves past old's expiry
		if _, err := db.SessionByHash(ctx, old.IDHash); !errors.Is(err, ErrNotFound) {
			t.Errorf("expired session: got %v, want ErrNotFound", err)
		}
		if n, err := db.DeleteExpiredSessions(ctx); n != 1 || err != nil {
			t.Errorf("deleted %d expired sessions (%v), want 1", n, err)
		}
		if err := db.DeleteSession(ctx, live.IDHash); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionByHash(ctx, live.IDHash); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted session: got %v, want ErrNotFound", err)
		}
	})
}

func TestTokens(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		tok, err := db.CreateToken(ctx, Token{Hash: []byte{1, 2, 3}, Name: "siem", Role: auth.RoleSecurity})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateToken(ctx, Token{Hash: []byte{1, 2, 3}, Name: "again",
			Role: auth.RoleSecurity}); !errors.Is(err, ErrExists) {
			t.Errorf("create a token with a taken hash: got %v, want ErrExists", err)
		}
		_, err = db.CreateToken(ctx, Token{Hash: []byte{4}, Name: "x", Role: "root"})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("create a token of an unknown role: got %v, want ErrInvalid", err)
		}
		if err := db.TouchToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		got, err := db.TokenByHash(ctx, []byte{1, 2, 3})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != tok.ID || got.Name != "siem" || got.Role != auth.RoleSecurity ||
			got.LastUsed.IsZero() || !bytes.Equal(got.Hash, tok.Hash) {
			t.Errorf("token %+v, want %+v used", got, tok)
		}
		if err := db.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeToken(ctx, tok.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoke twice: got %v, want ErrNotFound", err)
		}
		if _, err := db.TokenByHash(ctx, []byte{1, 2, 3}); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoked token: got %v, want ErrNotFound", err)
		}
		all, err := db.Tokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].RevokedAt.IsZero() {
			t.Errorf("tokens %+v, want the one, revoked", all)
		}
	})
}

func TestAuditLog(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		if _, err := db.LastAudit(ctx); !errors.Is(err, ErrNotFound) {
			t.Errorf("last of an empty log: got %v, want ErrNotFound", err)
		}
		var want []AuditEvent
		prev := []byte{}
		for i := int64(1); i <= 5; i++ {
			e := AuditEvent{Seq: i, Time: time.Date(2026, 3, 1, 9, 0, int(i), 123456789, time.UTC),
				Actor: "o'brien", Action: "device.set_attribute", Object: "mac:02:00:00:00:00:01",
				Detail:  json.RawMessage(fmt.Sprintf(`{ "key":"model",  "value":"<script>%d" }`, i)),
				PrevMAC: prev, MAC: []byte(fmt.Sprintf("mac-%d", i))}
			if err := db.AppendAudit(ctx, e); err != nil {
				t.Fatalf("append %d: %v", i, err)
			}
			want = append(want, e)
			prev = e.MAC
		}
		for _, seq := range []int64{0, 5, 7} {
			err := db.AppendAudit(ctx, AuditEvent{Seq: seq, Actor: "x", Action: "y"})
			if !errors.Is(err, ErrAuditSeq) || !strings.Contains(err.Error(), "the last event is 5") {
				t.Errorf("append seq %d after 5: got %v, want ErrAuditSeq", seq, err)
			}
		}
		if err := db.AppendAudit(ctx, AuditEvent{Seq: 6, Actor: "x", Action: "y",
			Detail: json.RawMessage("{not json")}); !errors.Is(err, ErrInvalid) {
			t.Errorf("append invalid JSON: got %v, want ErrInvalid", err)
		}
		all, err := db.ListAudit(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, all, cmpOpts); diff != "" {
			t.Errorf("audit log (-appended +listed):\n%s", diff)
		}
		tail, err := db.ListAudit(ctx, 3, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(tail) != 1 || tail[0].Seq != 4 {
			t.Errorf("list after 3, limit 1: %+v, want event 4", tail)
		}
		last, err := db.LastAudit(ctx)
		if err != nil || last.Seq != 5 {
			t.Errorf("last event %+v (%v), want 5", last, err)
		}
		for _, q := range []string{"UPDATE audit_events SET actor = 'mallory' WHERE seq = 2",
			"DELETE FROM audit_events WHERE seq = 5"} {
			if _, err := db.sql.ExecContext(ctx, q); err == nil ||
				!strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: got %v, want refused as append-only", q, err)
			}
		}
		if n := tableCounts(t, db)["audit_events"]; n != 5 {
			t.Errorf("%d audit events, want 5", n)
		}
	})
}
