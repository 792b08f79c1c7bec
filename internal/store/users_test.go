package store

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
)

func TestUsersListing(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		bob, err := db.CreateUser(ctx, "bob", "hash-b")
		if err != nil {
			t.Fatal(err)
		}
		alice, err := db.CreateUser(ctx, "alice", "hash-a")
		if err != nil {
			t.Fatal(err)
		}
		g := Grant{Role: auth.RoleSecurity}
		if err := db.GrantRole(ctx, alice.ID, g); err != nil {
			t.Fatal(err)
		}
		alice.Grants = []Grant{g}

		users, err := db.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]User{alice, bob}, users, cmpOpts); diff != "" {
			t.Errorf("users, by name (-want +got):\n%s", diff)
		}
		got, err := db.UserByID(ctx, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(alice, got, cmpOpts); diff != "" {
			t.Errorf("user by id (-want +got):\n%s", diff)
		}
		if _, err := db.UserByID(ctx, 9999); !errors.Is(err, ErrNotFound) {
			t.Errorf("user 9999: got %v, want ErrNotFound", err)
		}
	})
}

func TestUserSessionsEnd(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		alice, _ := db.CreateUser(ctx, "alice", "hash-a")
		bob, _ := db.CreateUser(ctx, "bob", "hash-b")
		expires := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		sessions := map[string]int64{"a1": alice.ID, "a2": alice.ID, "b1": bob.ID}
		for id, user := range sessions {
			if err := db.CreateSession(ctx, Session{IDHash: []byte(id), UserID: user,
				ExpiresAt: expires}); err != nil {
				t.Fatal(err)
			}
		}
		live := func() []string {
			var out []string
			for _, id := range []string{"a1", "a2", "b1"} {
				if _, err := db.SessionByHash(ctx, []byte(id)); err == nil {
					out = append(out, id)
				}
			}
			return out
		}
		steps := []struct {
			name string
			do   func() error
			want []string
		}{
			{"password changed", func() error { return db.DeleteUserSessions(ctx, alice.ID) },
				[]string{"b1"}},
			{"disabled", func() error { return db.DisableUser(ctx, bob.ID, true) }, nil},
		}
		for _, s := range steps {
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if diff := cmp.Diff(s.want, live()); diff != "" {
				t.Errorf("%s: live sessions (-want +got):\n%s", s.name, diff)
			}
		}
		for _, disabled := range []bool{true, false} {
			if err := db.DisableUser(ctx, bob.ID, disabled); err != nil {
				t.Fatal(err)
			}
			if u, _ := db.UserByName(ctx, "bob"); u.Disabled != disabled {
				t.Errorf("disabled %v, want %v", u.Disabled, disabled)
			}
		}
		if err := db.DisableUser(ctx, 9999, true); !errors.Is(err, ErrNotFound) {
			t.Errorf("disable user 9999: got %v, want ErrNotFound", err)
		}
	})
}

func TestExternalUsers(t *testing.T) {
	const issuer = "https://login.example.nhs.uk/tenant"
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		site, _ := db.AddLocation(ctx, Location{Kind: Site, Name: "Royal Infirmary"})
		ward, _ := db.AddLocation(ctx, Location{Kind: Ward, Name: "Ward 7", ParentID: site.ID})
		if _, err := db.CreateUser(ctx, "alice", "hash-a"); err != nil {
			t.Fatal(err)
		}
		carol, err := db.UpsertExternalUser(ctx, issuer, "s-1", "carol",
			[]Grant{{Role: auth.RoleSecurity}})
		if err != nil {
			t.Fatal(err)
		}
		want := User{ID: carol.ID, Name: "carol", External: true, CreatedAt: carol.CreatedAt,
			Grants: []Grant{{Role: auth.RoleSecurity}}}
		if diff := cmp.Diff(want, carol, cmpOpts); diff != "" {
			t.Errorf("first sign-in (-want +got):\n%s", diff)
		}
		// The next sign-in finds the same user, with the grants of its claims.
		again, err := db.UpsertExternalUser(ctx, issuer, "s-1", "carol.renamed",
			[]Grant{{Role: auth.RoleAuditor, SiteID: site.ID}})
		if err != nil {
			t.Fatal(err)
		}
		want.Grants = []Grant{{Role: auth.RoleAuditor, SiteID: site.ID}}
		if diff := cmp.Diff(want, again, cmpOpts); diff != "" {
			t.Errorf("second sign-in (-want +got):\n%s", diff)
		}
		other, err := db.UpsertExternalUser(ctx, issuer, "s-2", "alice", nil)
		if err != nil {
			t.Fatal(err)
		}
		if other.Name != "alice@login.example.nhs.uk" || other.ID == carol.ID {
			t.Errorf("a second alice is %+v, want alice@login.example.nhs.uk", other)
		}
		if err := db.SetPasswordHash(ctx, carol.ID, "hash-c"); !errors.Is(err, ErrInvalid) {
			t.Errorf("give a password to a user of single sign-on: got %v, want ErrInvalid", err)
		}
		if u, _ := db.UserByName(ctx, "carol"); u.PasswordHash != "" || !u.External {
			t.Errorf("carol is %+v, want external with no password", u)
		}
		bad := []struct {
			name            string
			issuer, subject string
			grants          []Grant
		}{
			{"no issuer", "", "s-3", nil},
			{"no subject", issuer, "", nil},
			{"unknown role", issuer, "s-1", []Grant{{Role: "superuser"}}},
			{"a ward for a site", issuer, "s-1", []Grant{{Role: auth.RoleAdmin, SiteID: ward.ID}}},
		}
		for _, b := range bad {
			_, err := db.UpsertExternalUser(ctx, b.issuer, b.subject, "dave", b.grants)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: got %v, want ErrInvalid", b.name, err)
			}
		}
		if u, _ := db.UserByID(ctx, carol.ID); len(u.Grants) != 1 {
			t.Errorf("a refused sign-in changed the grants: %+v", u.Grants)
		}
	})
}
