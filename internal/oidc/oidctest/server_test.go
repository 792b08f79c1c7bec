package oidctest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	id       = "client-1"
	secret   = "secret-1"
	callback = "https://ward.example.nhs.uk/auth/oidc/callback"
	verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B
)

// authQuery is a good authorization request; edit changes it first.
func authQuery(edit func(url.Values)) url.Values {
	q := url.Values{
		"client_id":             {id},
		"redirect_uri":          {callback},
		"response_type":         {"code"},
		"scope":                 {"openid email"},
		"state":                 {"st"},
		"nonce":                 {"no"},
		"code_challenge":        {challenge(verifier)},
		"code_challenge_method": {"S256"},
	}
	if edit != nil {
		edit(q)
	}
	return q
}

func TestChallenge(t *testing.T) {
	// RFC 7636 appendix B.
	if got, want := challenge(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; got != want {
		t.Errorf("challenge = %q, want %q", got, want)
	}
}

func TestAuthorize(t *testing.T) {
	tests := []struct {
		name string
		edit func(url.Values)
		want string // a substring of the 400 body; "" for a redirect
	}{
		{"good", nil, ""},
		{"wrong client", func(q url.Values) { q.Set("client_id", "other") }, "unknown client_id"},
		{"no redirect_uri", func(q url.Values) { q.Del("redirect_uri") }, "redirect_uri"},
		{"implicit flow", func(q url.Values) { q.Set("response_type", "id_token") }, "response_type"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, "S256"},
		{"no challenge", func(q url.Values) { q.Del("code_challenge") }, "code_challenge"},
		{"no openid", func(q url.Values) { q.Set("scope", "email") }, "openid"},
	}
	s := New(t, id, secret)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc, err := s.Visit(s.URL + "/authorize?" + authQuery(tc.edit).Encode())
			if tc.want == "" {
				if err != nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st" {
					t.Fatalf("Visit = %v, %v; want a redirect with code and state", loc, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Visit = %v, want status 400", loc)
			}
			body := get(t, s, s.URL+"/authorize?"+authQuery(tc.edit).Encode())
			if !strings.Contains(body, tc.want) {
				t.Errorf("body %q, want it to mention %q", body, tc.want)
			}
		})
	}
}

func TestRefuse(t *testing.T) {
	s := New(t, id, secret)
	s.Refuse("access_denied", "no thanks")
	loc, err := s.Visit(s.URL + "/authorize?" + authQuery(nil).Encode())
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"error": {"access_denied"}, "error_description": {"no thanks"}, "state": {"st"}}
	if diff := cmp.Diff(want, loc.Query()); diff != "" {
		t.Errorf("callback query mismatch (-want +got):\n%s", diff)
	}
}

func TestToken(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(f url.Values, r *http.Request)
		status int
		errMsg string
	}{
		{"good", nil, http.StatusOK, ""},
		{"secret in form", func(f url.Values, r *http.Request) {
			r.Header.Del("Authorization")
			f.Set("client_id", id)
			f.Set("client_secret", secret)
		}, http.StatusOK, ""},
		{"no client auth", func(_ url.Values, r *http.Request) { r.Header.Del("Authorization") },
			http.StatusUnauthorized, "invalid_client"},
		{"wrong secret", func(_ url.Values, r *http.Request) { r.SetBasicAuth(id, "nope") },
			http.StatusUnauthorized, "invalid_client"},
		{"wrong grant type", func(f url.Values, _ *http.Request) { f.Set("grant_type", "password") },
			http.StatusBadRequest, "unsupported_grant_type"},
		{"wrong code", func(f url.Values, _ *http.Request) { f.Set("code", "forged") },
			http.StatusBadRequest, "invalid_grant"},
		{"wrong redirect_uri", func(f url.Values, _ *http.Request) { f.Set("redirect_uri", callback+"x") },
			http.StatusBadRequest, "invalid_grant"},
		{"wrong verifier", func(f url.Values, _ *http.Request) { f.Set("code_verifier", verifier+"x") },
			http.StatusBadRequest, "invalid_grant"},
		{"no verifier", func(f url.Values, _ *http.Request) { f.Del("code_verifier") },
			http.StatusBadRequest, "invalid_grant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(t, id, secret)
			status, body := redeem(t, s, tc.edit)
			if e, _ := body["error"].(string); status != tc.status || e != tc.errMsg {
				t.Fatalf("got %d %v, want %d with error %q", status, body, tc.status, tc.errMsg)
			}
			if status == http.StatusOK && (body["id_token"] == nil || body["token_type"] != "Bearer") {
				t.Errorf("token response %v lacks an id_token", body)
			}
		})
	}
}

func TestCodeOnce(t *testing.T) {
	s := New(t, id, secret)
	loc, err := s.Visit(s.URL + "/authorize?" + authQuery(nil).Encode())
	if err != nil {
		t.Fatal(err)
	}
	code := loc.Query().Get("code")
	reuse := func(f url.Values, _ *http.Request) { f.Set("code", code) }
	if status, _ := redeem(t, s, reuse); status != http.StatusOK {
		t.Fatalf("first redemption: status %d", status)
	}
	if status, body := redeem(t, s, reuse); status != http.StatusBadRequest {
		t.Errorf("second redemption: got %d %v, want 400 invalid_grant", status, body)
	}
}

// redeem authorizes, then asks for a token with a form and request that
// edit may change; it returns the status and the JSON body.
func redeem(t *testing.T, s *Server, edit func(url.Values, *http.Request)) (int, map[string]any) {
	t.Helper()
	loc, err := s.Visit(s.URL + "/authorize?" + authQuery(nil).Encode())
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {loc.Query().Get("code")},
		"redirect_uri":  {callback},
		"code_verifier": {verifier},
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/token", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(id, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if edit != nil {
		edit(form, req)
	}
	enc := form.Encode()
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(enc)), int64(len(enc))
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func get(t *testing.T, s *Server, u string) string {
	t.Helper()
	resp, err := s.Client().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
