package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/oidc"
	"github.com/wardhq/ward/internal/oidc/oidctest"
	"github.com/wardhq/ward/internal/store"
)

const (
	oidcClientID = "ward-web-test"
	oidcSecret   = "web-test-client-secret"
)

// newOIDCServer starts a test server that offers sign-on through a local
// OpenID provider, whose Ward.* roles map to Ward's.
func newOIDCServer(t *testing.T) (*testServer, *oidctest.Server) {
	t.Helper()
	op := oidctest.New(t, oidcClientID, oidcSecret)
	ts := newTestServer(t)
	p, err := oidc.New(context.Background(), oidc.Config{
		Issuer:       op.URL,
		ClientID:     oidcClientID,
		ClientSecret: oidcSecret,
		RedirectURL:  ts.URL + "/auth/oidc/callback",
		RoleMap: map[string]auth.Role{"Ward.Admin": auth.RoleAdmin,
			"Ward.Auditor": auth.RoleAuditor},
	}, op.Client())
	if err != nil {
		t.Fatal(err)
	}
	// The redirect URL names the running server, so the provider is set
	// once it runs, before its first request.
	ts.srv.cfg.OIDC, ts.srv.cfg.OIDCIssuer = p, op.URL
	return ts, op
}

// oidcBegin starts single sign-on in browser c and returns the URL the
// provider sends it back to.
func oidcBegin(t *testing.T, ts *testServer, op *oidctest.Server, c *http.Client) *url.URL {
	t.Helper()
	resp, _ := get(t, c, ts.URL+"/auth/oidc/start")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, op.URL+"/authorize?") {
		t.Fatalf("start: %d to %q, want 303 to the provider", resp.StatusCode, loc)
	}
	back, err := op.Visit(loc)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Scheme + "://" + back.Host + back.Path; got != ts.URL+"/auth/oidc/callback" {
		t.Fatalf("the provider sends the browser to %s", got)
	}
	return back
}

// oidcSignIn runs a whole sign-on in a fresh browser and returns the
// callback's answer and the browser.
func oidcSignIn(t *testing.T, ts *testServer,
	op *oidctest.Server) (*http.Response, string, *http.Client) {
	t.Helper()
	c := ts.client(t)
	resp, body := get(t, c, oidcBegin(t, ts, op, c).String())
	return resp, body, c
}

// hasSession reports whether browser c has a working session.
func hasSession(t *testing.T, ts *testServer, c *http.Client) bool {
	t.Helper()
	resp, _ := get(t, c, ts.URL+"/account")
	return resp.StatusCode == http.StatusOK
}

// TestOIDC signs in through a local OpenID provider: a user whose claims
// map to a role gets a session with it, without a password; anything the
// relying party must refuse is refused without a session or a user.
func TestOIDC(t *testing.T) {
	t.Parallel()
	ts, op := newOIDCServer(t)
	ctx := context.Background()
	host := strings.TrimPrefix(op.URL, "http://")

	t.Run("login page offers it", func(t *testing.T) {
		_, page := get(t, ts.client(t), ts.URL+"/login")
		if !strings.Contains(page, `href="/auth/oidc/start"`) {
			t.Error("the login page has no single sign-on link")
		}
	})

	t.Run("admin", func(t *testing.T) {
		op.SetUser(oidctest.User{Subject: "sub-admin", Username: "jo.bloggs@example.nhs.uk",
			Claims: map[string]any{"roles": []string{"Ward.Admin", "Ward.Cleaner"}}})
		seq := lastSeq(t, ts)
		resp, body, c := oidcSignIn(t, ts, op)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("callback: %d to %q saying %q, want 303 to /", resp.StatusCode,
				resp.Header.Get("Location"), pageError(body))
		}
		if resp, _ := get(t, c, ts.URL+"/users"); resp.StatusCode != http.StatusOK {
			t.Errorf("/users: status %d, want 200", resp.StatusCode)
		}
		evs := auditAfter(t, ts, seq)
		if diff := cmp.Diff([]string{"jo.bloggs@example.nhs.uk login"}, actions(evs)); diff != "" {
			t.Fatalf("audit events (-want +got):\n%s", diff)
		}
		var detail map[string]any
		json.Unmarshal(evs[0].Detail, &detail)
		if detail["method"] != "oidc" {
			t.Errorf("login detail %s, want method oidc", evs[0].Detail)
		}
		u, err := ts.db.UserByName(ctx, "jo.bloggs@example.nhs.uk")
		if err != nil {
			t.Fatal(err)
		}
		if u.PasswordHash != "" {
			t.Errorf("the external user has a password hash")
		}
		if diff := cmp.Diff([]store.Grant{{Role: auth.RoleAdmin}}, u.Grants); diff != "" {
			t.Errorf("grants (-want +got):\n%s", diff)
		}

		_, page := get(t, c, ts.URL+"/account")
		if strings.Contains(page, `action="/account/password"`) {
			t.Error("the account page offers a password change")
		}
		resp, body = postForm(t, c, ts.URL+"/account/password", url.Values{
			"csrf": {csrfFrom(t, page)}, "current": {""}, "new": {"a new password here"},
			"confirm": {"a new password here"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "organisation") {
			t.Errorf("password change: status %d saying %q, want 400", resp.StatusCode,
				pageError(body))
		}
		for _, pw := range []string{"", "anything at all"} {
			resp, _, c := tryLogin(t, ts, "jo.bloggs@example.nhs.uk", pw)
			if resp.StatusCode != http.StatusUnauthorized || hasSession(t, ts, c) {
				t.Errorf("password sign-in with %q: status %d, want 401", pw, resp.StatusCode)
			}
		}
		if u2, _ := ts.db.UserByID(ctx, u.ID); u2.PasswordHash != "" {
			t.Error("the external user was given a password")
		}
	})

	t.Run("role taken away at the provider", func(t *testing.T) {
		op.SetUser(oidctest.User{Subject: "sub-admin", Username: "jo.bloggs@example.nhs.uk",
			Claims: map[string]any{"roles": "Ward.Auditor"}})
		resp, _, c := oidcSignIn(t, ts, op)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("callback: status %d, want 303", resp.StatusCode)
		}
		if resp, _ := get(t, c, ts.URL+"/users"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("/users: status %d, want 403", resp.StatusCode)
		}
	})

	t.Run("name of a local user", func(t *testing.T) {
		local, _ := ts.db.UserByName(ctx, "admin")
		op.SetUser(oidctest.User{Subject: "sub-impostor", Username: "admin",
			Claims: map[string]any{"roles": "Ward.Auditor"}})
		resp, _, c := oidcSignIn(t, ts, op)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("callback: status %d, want 303", resp.StatusCode)
		}
		_, page := get(t, c, ts.URL+"/account")
		if !strings.Contains(page, "admin@"+host) {
			t.Errorf("the account page does not name the user admin@%s", host)
		}
		if resp, _ := get(t, c, ts.URL+"/users"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("/users: status %d, want 403", resp.StatusCode)
		}
		after, _ := ts.db.UserByName(ctx, "admin")
		if diff := cmp.Diff(local, after); diff != "" {
			t.Errorf("the local admin changed (-before +after):\n%s", diff)
		}
	})

	refused := []struct {
		name  string
		user  oidctest.User
		setup func() // alters the provider; undone after the case
		say   string
	}{
		{"unmapped role", oidctest.User{Subject: "sub-cleaner", Username: "cleaner",
			Claims: map[string]any{"roles": []string{"Ward.Cleaner"}}}, nil, "no ward role"},
		{"no role claim", oidctest.User{Subject: "sub-none", Username: "nobody"}, nil,
			"no ward role"},
		{"wrong audience", oidctest.User{Subject: "sub-aud", Username: "aud",
			Claims: map[string]any{"roles": "Ward.Admin"}},
			func() { op.Tamper(func(c map[string]any) { c["aud"] = "another-client" }) },
			"invalid id token"},
		{"expired token", oidctest.User{Subject: "sub-exp", Username: "exp",
			Claims: map[string]any{"roles": "Ward.Admin"}},
			func() {
				op.Tamper(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })
			}, "invalid id token"},
		{"wrong nonce", oidctest.User{Subject: "sub-nonce", Username: "nonce",
			Claims: map[string]any{"roles": "Ward.Admin"}},
			func() { op.Tamper(func(c map[string]any) { c["nonce"] = "replayed" }) },
			"invalid id token"},
		{"forged signature", oidctest.User{Subject: "sub-forged", Username: "forged",
			Claims: map[string]any{"roles": "Ward.Admin"}},
			func() { op.SignWithRogueKey(true) }, "invalid id token"},
		{"provider refuses", oidctest.User{Subject: "sub-refused", Username: "refused",
			Claims: map[string]any{"roles": "Ward.Admin"}},
			func() { op.Refuse("access_denied", "User cancelled <b>now</b>") },
			"access_denied: User cancelled <b>now</b>"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			op.SetUser(tc.user)
			if tc.setup != nil {
				tc.setup()
				t.Cleanup(func() {
					op.Tamper(nil)
					op.SignWithRogueKey(false)
					op.Refuse("", "")
				})
			}
			seq := lastSeq(t, ts)
			resp, body, c := oidcSignIn(t, ts, op)
			checkOIDCRefused(t, ts, resp, body, c, seq, tc.say)
			if _, err := ts.db.UserByName(ctx, tc.user.Username); err == nil {
				t.Errorf("user %s was stored", tc.user.Username)
			}
		})
	}

	t.Run("state of another sign-in", func(t *testing.T) {
		op.SetUser(oidctest.User{Subject: "sub-state", Username: "state",
			Claims: map[string]any{"roles": "Ward.Admin"}})
		c := ts.client(t)
		back := oidcBegin(t, ts, op, c)
		q := back.Query()
		q.Set("state", "someone-elses-state")
		back.RawQuery = q.Encode()
		seq := lastSeq(t, ts)
		resp, body := get(t, c, back.String())
		checkOIDCRefused(t, ts, resp, body, c, seq, "state does not match")
	})

	t.Run("callback in another browser", func(t *testing.T) {
		back := oidcBegin(t, ts, op, ts.client(t))
		c := ts.client(t)
		seq := lastSeq(t, ts)
		resp, body := get(t, c, back.String())
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
		checkOIDCRefused(t, ts, resp, body, c, seq, "the sign-in had expired")
	})

	t.Run("callback replayed", func(t *testing.T) {
		c := ts.client(t)
		back := oidcBegin(t, ts, op, c)
		if resp, _ := get(t, c, back.String()); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first callback: status %d, want 303", resp.StatusCode)
		}
		other := ts.client(t)
		seq := lastSeq(t, ts)
		resp, body := get(t, other, back.String())
		checkOIDCRefused(t, ts, resp, body, other, seq, "")
	})
}

// checkOIDCRefused checks that a callback was refused: a 4xx saying why,
// no session, and one login.failed event.
func checkOIDCRefused(t *testing.T, ts *testServer, resp *http.Response, body string,
	c *http.Client, seq int64, say string) {
	t.Helper()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("status %d, want a 4xx", resp.StatusCode)
	}
	if msg := pageError(body); !strings.Contains(msg, "Single sign-on failed") ||
		!strings.Contains(msg, say) {
		t.Errorf("the page says %q, want it to say %q", msg, say)
	}
	if cookieNamed(resp, sessionCookie) != nil || hasSession(t, ts, c) {
		t.Error("a session was started")
	}
	evs := auditAfter(t, ts, seq)
	if diff := cmp.Diff([]string{"oidc login.failed"}, actions(evs)); diff != "" {
		t.Errorf("audit events (-want +got):\n%s", diff)
	}
}
