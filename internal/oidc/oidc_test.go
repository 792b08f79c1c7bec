package oidc

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/oidc/oidctest"
)

const (
	testClientID = "ward-test-client"
	testSecret   = "s3cret~value.from_a-file"
	testRedirect = "https://ward.example.nhs.uk/auth/oidc/callback"
)

// testRoleMap maps Entra-style app roles and group object IDs.
var testRoleMap = map[string]auth.Role{
	"Ward.Admin":                           auth.RoleAdmin,
	"Ward.Auditor":                         auth.RoleAuditor,
	"Ward.EBME":                            auth.RoleClinicalEngineering,
	"6f1e1c1a-3b7e-4c1d-9a51-0c2d5e8f9a10": auth.RoleSecurity,
}

// setup starts a local provider and a Provider for it; edit, when not
// nil, changes the Config first.
func setup(t *testing.T, edit func(*Config)) (*Provider, *oidctest.Server) {
	t.Helper()
	s := oidctest.New(t, testClientID, testSecret)
	cfg := Config{
		Issuer:       s.URL,
		ClientID:     testClientID,
		ClientSecret: testSecret,
		RedirectURL:  testRedirect,
		RoleMap:      testRoleMap,
	}
	if edit != nil {
		edit(&cfg)
	}
	p, err := New(context.Background(), cfg, s.Client())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, s
}

// authorize visits authURL with the test client, not following the
// redirect, and returns the query of the callback it points to.
func authorize(t *testing.T, s *oidctest.Server, authURL string) url.Values {
	t.Helper()
	c := *s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatalf("GET authorize: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET authorize: status %s, want 302", resp.Status)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirect {
		t.Fatalf("redirected to %s, want %s", got, testRedirect)
	}
	return loc.Query()
}

// login runs a whole sign-in; edit, when not nil, changes the Pending
// before Finish.
func login(t *testing.T, p *Provider, s *oidctest.Server, edit func(*Pending)) (Identity, error) {
	t.Helper()
	authURL, pending, err := p.Begin()
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	q := authorize(t, s, authURL)
	if err := CallbackError(q); err != nil {
		return Identity{}, err
	}
	if edit != nil {
		edit(&pending)
	}
	id, err := p.Finish(context.Background(), pending, q.Get("state"), q.Get("code"))
	if err != nil {
		assertNoSecrets(t, err, q.Get("code"))
	}
	return id, err
}

// assertNoSecrets checks that an error holds neither the client secret
// nor the code.
func assertNoSecrets(t *testing.T, err error, code string) {
	t.Helper()
	if msg := err.Error(); strings.Contains(msg, testSecret) || code != "" && strings.Contains(msg, code) {
		t.Errorf("error %q holds the client secret or the code", msg)
	}
}

func TestLogin(t *testing.T) {
	p, s := setup(t, nil)
	s.SetUser(oidctest.User{
		Subject:  "a1b2c3",
		Username: "jane.doe@example.nhs.uk",
		Email:    "jane.doe@nhs.net",
		Name:     "Jane Doe",
		Claims:   map[string]any{"roles": []string{"Ward.Auditor", "Ward.Admin", "Other.App"}},
	})
	got, err := login(t, p, s, nil)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	want := Identity{
		Subject:  "a1b2c3",
		Username: "jane.doe@example.nhs.uk",
		Email:    "jane.doe@nhs.net",
		Name:     "Jane Doe",
		Roles:    []auth.Role{auth.RoleAdmin, auth.RoleAuditor},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Identity mismatch (-want +got):\n%s", diff)
	}
}

func TestBegin(t *testing.T) {
	p, s := setup(t, nil)
	authURL, pd, err := p.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{"state": pd.State, "nonce": pd.Nonce, "verifier": pd.Verifier} {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(b) < 32 {
			t.Errorf("%s %q: want base64url of at least 32 bytes", name, v)
		}
	}
	if pd.State == pd.Nonce || pd.Nonce == pd.Verifier {
		t.Error("state, nonce and verifier are not independent")
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{
		"client_id": testClientID, "redirect_uri": testRedirect, "response_type": "code",
		"scope": "openid profile email", "state": pd.State, "nonce": pd.Nonce,
		"code_challenge_method": "S256",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("authURL %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if !strings.HasPrefix(authURL, s.URL+"/authorize?") || strings.Contains(authURL, pd.Verifier) {
		t.Errorf("authURL %s: not the provider's endpoint, or holds the verifier", authURL)
	}
	if _, pd2, _ := p.Begin(); pd2.State == pd.State {
		t.Error("two Begins gave the same state")
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		name      string
		roleClaim string
		claims    map[string]any
		want      []auth.Role
	}{
		{"array", "", map[string]any{"roles": []string{"Ward.EBME", "Ward.Admin"}},
			[]auth.Role{auth.RoleAdmin, auth.RoleClinicalEngineering}},
		{"string", "", map[string]any{"roles": "Ward.Auditor"}, []auth.Role{auth.RoleAuditor}},
		{"groups", "groups",
			map[string]any{"groups": []string{"00000000-dead-beef", "6f1e1c1a-3b7e-4c1d-9a51-0c2d5e8f9a10"}},
			[]auth.Role{auth.RoleSecurity}},
		{"dotted path", "realm_access.roles",
			map[string]any{"realm_access": map[string]any{"roles": []string{"Ward.Admin"}}},
			[]auth.Role{auth.RoleAdmin}},
		{"dotted name", "extn.wardRoles", map[string]any{"extn.wardRoles": []string{"Ward.EBME"}},
			[]auth.Role{auth.RoleClinicalEngineering}},
		{"duplicates", "", map[string]any{"roles": []string{"Ward.Admin", "Ward.Admin"}},
			[]auth.Role{auth.RoleAdmin}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, s := setup(t, func(c *Config) { c.RoleClaim = tc.roleClaim })
			s.SetUser(oidctest.User{Subject: "u1", Claims: tc.claims})
			id, err := login(t, p, s, nil)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			if diff := cmp.Diff(tc.want, id.Roles); diff != "" {
				t.Errorf("Roles mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoRole(t *testing.T) {
	for name, claims := range map[string]map[string]any{
		"unmapped":    {"roles": []string{"Other.App", "ward.admin"}},
		"no claim":    {},
		"not strings": {"roles": []any{1, true, nil, map[string]any{"Ward.Admin": true}}},
		"empty":       {"roles": []string{}},
	} {
		t.Run(name, func(t *testing.T) {
			p, s := setup(t, nil)
			s.SetUser(oidctest.User{Subject: "u2", Username: "bob", Claims: claims})
			id, err := login(t, p, s, nil)
			if !errors.Is(err, ErrNoRole) {
				t.Fatalf("got %v, want ErrNoRole", err)
			}
			if id.Subject != "u2" || id.Username != "bob" || id.Roles != nil {
				t.Errorf("got %+v, want who was turned away, with no roles", id)
			}
		})
	}
}

func TestSites(t *testing.T) {
	tests := []struct {
		name      string
		siteClaim string
		claims    map[string]any
		want      []string
		wantErr   error
	}{
		{"limited", "ward_sites", map[string]any{"ward_sites": []string{"St Thomas", "Guy's", "", "Guy's"}},
			[]string{"Guy's", "St Thomas"}, nil},
		{"one string", "ward_sites", map[string]any{"ward_sites": "Evelina"}, []string{"Evelina"}, nil},
		{"every site", "ward_sites", map[string]any{"ward_sites": []string{"*"}}, nil, nil},
		{"missing", "ward_sites", map[string]any{}, nil, ErrNoSite},
		{"empty", "ward_sites", map[string]any{"ward_sites": []string{""}}, nil, ErrNoSite},
		{"not configured", "", map[string]any{"ward_sites": []string{"Evelina"}}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, s := setup(t, func(c *Config) { c.SiteClaim = tc.siteClaim })
			tc.claims["roles"] = "Ward.EBME"
			s.SetUser(oidctest.User{Subject: "u3", Claims: tc.claims})
			id, err := login(t, p, s, nil)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, id.Sites); diff != "" {
				t.Errorf("Sites mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFinishRejects(t *testing.T) {
	tests := []struct {
		name    string
		server  func(*oidctest.Server)
		pending func(*Pending)
		wantErr error
		wantMsg string
	}{
		{"wrong nonce", tamper("nonce", "another-sign-in"), nil, ErrToken, "nonce"},
		{"no nonce", tamper("nonce", nil), nil, ErrToken, "nonce"},
		{"wrong audience", tamper("aud", "someone-else"), nil, ErrToken, "audience"},
		{"extra audience", tamper("aud", []string{testClientID, "other"}), nil, ErrToken, "another party"},
		{"other azp", tamper("azp", "someone-else"), nil, ErrToken, "another party"},
		{"expired token", tamper("exp", time.Now().Add(-time.Minute).Unix()), nil, ErrToken, "expired"},
		{"wrong issuer", tamper("iss", "https://login.example.com/"), nil, ErrToken, "different provider"},
		{"no sub", tamper("sub", ""), nil, ErrToken, "sub"},
		{"bad signature", func(s *oidctest.Server) { s.SignWithRogueKey(true) }, nil, ErrToken, "signature"},
		{"wrong state", nil, func(pd *Pending) { pd.State = "forged" }, ErrState, ""},
		{"no pending", nil, func(pd *Pending) { *pd = Pending{} }, ErrState, ""},
		{"expired pending", nil, func(pd *Pending) { pd.Created = pd.Created.Add(-PendingTTL - 1) },
			ErrExpired, ""},
		{"pending from the future", nil, func(pd *Pending) { pd.Created = pd.Created.Add(time.Hour) },
			ErrExpired, ""},
		{"PKCE verifier mismatch", nil, func(pd *Pending) { pd.Verifier = strings.Repeat("A", 43) },
			ErrExchange, "invalid_grant: code_verifier does not match"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, s := setup(t, nil)
			s.SetUser(oidctest.User{Subject: "u4", Claims: map[string]any{"roles": "Ward.Admin"}})
			if tc.server != nil {
				tc.server(s)
			}
			_, err := login(t, p, s, tc.pending)
			t.Logf("error: %v", err)
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("got %v, want %v with %q", err, tc.wantErr, tc.wantMsg)
			}
		})
	}
}

// tamper sets, or with nil deletes, one claim of the ID token.
func tamper(claim string, v any) func(*oidctest.Server) {
	return func(s *oidctest.Server) {
		s.Tamper(func(c map[string]any) {
			if v == nil {
				delete(c, claim)
				return
			}
			c[claim] = v
		})
	}
}

func TestCodeUsedOnce(t *testing.T) {
	p, s := setup(t, nil)
	s.SetUser(oidctest.User{Subject: "u5", Claims: map[string]any{"roles": "Ward.Admin"}})
	authURL, pd, _ := p.Begin()
	q := authorize(t, s, authURL)
	ctx := context.Background()
	if _, err := p.Finish(ctx, pd, q.Get("state"), q.Get("code")); err != nil {
		t.Fatalf("first Finish: %v", err)
	}
	_, err := p.Finish(ctx, pd, q.Get("state"), q.Get("code"))
	if !errors.Is(err, ErrExchange) {
		t.Errorf("replayed code: got %v, want ErrExchange", err)
	}
	if _, err := p.Finish(ctx, pd, q.Get("state"), ""); err == nil {
		t.Error("Finish with no code: got no error")
	}
}

func TestClientAuth(t *testing.T) {
	tests := []struct {
		name    string
		methods []string
		secret  string
		wantErr error
	}{
		{"basic", []string{oidctest.AuthBasic}, testSecret, nil},
		{"post", []string{oidctest.AuthPost}, testSecret, nil},
		{"wrong secret", nil, "not-" + testSecret, ErrExchange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := oidctest.New(t, testClientID, testSecret)
			if tc.methods != nil {
				s.SetAuthMethods(tc.methods...)
			}
			s.SetUser(oidctest.User{Subject: "u6", Claims: map[string]any{"roles": "Ward.Admin"}})
			cfg := Config{Issuer: s.URL, ClientID: testClientID, ClientSecret: tc.secret,
				RedirectURL: testRedirect, RoleMap: testRoleMap}
			p, err := New(context.Background(), cfg, s.Client())
			if err != nil {
				t.Fatal(err)
			}
			_, err = login(t, p, s, nil)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), tc.secret) {
				t.Errorf("error %q holds the secret", err)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	p, s := setup(t, nil)
	s.Refuse("access_denied", "AADSTS50105: the signed in user is not assigned to a role")
	_, err := login(t, p, s, nil)
	want := "oidc: provider refused the sign-in: access_denied: " +
		"AADSTS50105: the signed in user is not assigned to a role"
	if !errors.Is(err, ErrRefused) || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestNewErrors(t *testing.T) {
	s := oidctest.New(t, testClientID, testSecret)
	good := Config{Issuer: s.URL, ClientID: testClientID, ClientSecret: testSecret,
		RedirectURL: testRedirect, RoleMap: testRoleMap}
	tests := []struct {
		name    string
		edit    func(*Config)
		methods []string
		wantMsg string
	}{
		{"invalid config", func(c *Config) { c.ClientID = "" }, nil, "oidc: client_id: must be set"},
		{"issuer mismatch", func(c *Config) { c.Issuer += "/" }, nil, "did not match the issuer URL"},
		{"no client auth", nil, []string{"private_key_jwt"}, "neither client_secret_basic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			if tc.edit != nil {
				tc.edit(&cfg)
			}
			s.SetAuthMethods(oidctest.AuthBasic, oidctest.AuthPost)
			if tc.methods != nil {
				s.SetAuthMethods(tc.methods...)
			}
			_, err := New(context.Background(), cfg, s.Client())
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("got %v, want an error with %q", err, tc.wantMsg)
			}
			assertNoSecrets(t, err, "")
		})
	}
}
