// Package oidctest is a local OpenID provider for tests: a real HTTP server
// on the loopback interface with discovery, a key set, an authorization
// endpoint that approves at once as a chosen user, and a token endpoint
// that checks client authentication, the code, the redirect URI and PKCE
// before it issues a signed ID token. Knobs make it misbehave: altered
// claims, a signature by a key it does not publish, a refused sign-in.
package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// The token endpoint's ways of authenticating a client.
const (
	AuthBasic = "client_secret_basic"
	AuthPost  = "client_secret_post"
)

// Lifetimes of what the server issues.
const (
	codeTTL  = time.Minute
	tokenTTL = 5 * time.Minute
)

// keyID names the published signing key; the rogue key signs under it too.
const keyID = "oidctest-1"

// User is who signs in. Claims are merged into the ID token last, so they
// may override the standard ones.
type User struct {
	Subject  string // "sub"
	Username string // "preferred_username", left out when empty
	Email    string // "email", left out when empty
	Name     string // "name", left out when empty
	Claims   map[string]any
}

// Server is a running local provider. Its issuer is URL.
type Server struct {
	URL string // issuer and base of every endpoint, http://127.0.0.1:port

	srv          *httptest.Server
	clientID     string
	clientSecret string
	key          *ecdsa.PrivateKey // signs ID tokens; published in the JWKS
	rogue        *ecdsa.PrivateKey // signs them under SignWithRogueKey; never published

	mu          sync.Mutex
	user        User                 // guarded by mu
	tamper      func(map[string]any) // guarded by mu
	useRogue    bool                 // guarded by mu
	refusal     url.Values           // guarded by mu; nil when approving
	authMethods []string             // guarded by mu
	grants      map[string]grant     // guarded by mu; by code, each used once
}

// grant is what an issued code stands for.
type grant struct {
	user        User
	redirectURI string
	challenge   string
	nonce       string
	expires     time.Time
}

// New starts a provider for one client on the loopback interface and
// closes it when the test ends. It generates a fresh ECDSA P-256 key and
// signs with ES256. Until SetUser, a made-up user with no extra claims
// signs in.
func New(t testing.TB, clientID, clientSecret string) *Server {
	t.Helper()
	s := &Server{
		clientID:     clientID,
		clientSecret: clientSecret,
		key:          newKey(t),
		rogue:        newKey(t),
		authMethods:  []string{AuthBasic, AuthPost},
		grants:       make(map[string]grant),
		user: User{
			Subject:  "00000000-0000-0000-0000-000000000001",
			Username: "test.user@example.nhs.uk",
			Email:    "test.user@example.nhs.uk",
			Name:     "Test User",
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /jwks", s.jwks)
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("oidctest: generate key: %v", err)
	}
	return k
}

// Client returns an HTTP client for the server; it follows redirects.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// SetUser sets who signs in at the next authorization request.
func (s *Server) SetUser(u User) {
	u.Claims = maps.Clone(u.Claims)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = u
}

// Tamper has f alter the claims of each ID token just before it is
// signed: set "aud", "exp" or "nonce" to test their checks. Nil stops it.
func (s *Server) Tamper(f func(claims map[string]any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tamper = f
}

// SignWithRogueKey, when on, signs ID tokens with a key the JWKS does not
// hold, under the published key's ID, as a forger would.
func (s *Server) SignWithRogueKey(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.useRogue = on
}

// Refuse makes the authorization endpoint send the browser back with
// error=code and error_description=description instead of a code, as a
// user who declines would. An empty code approves again.
func (s *Server) Refuse(code, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusal = nil
	if code != "" {
		s.refusal = url.Values{"error": {code}, "error_description": {description}}
	}
}

// SetAuthMethods sets which of AuthBasic and AuthPost the token endpoint
// advertises and accepts; both at first.
func (s *Server) SetAuthMethods(methods ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authMethods = slices.Clone(methods)
}

// Visit requests authURL as the browser would, without following the
// redirect, and returns where the provider sends the browser: the redirect
// URI with code and state, or with error.
func (s *Server) Visit(authURL string) (*url.URL, error) {
	c := *s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(authURL)
	if err != nil {
		return nil, fmt.Errorf("oidctest: visit: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("oidctest: visit: status %s", resp.Status)
	}
	return resp.Location()
}

func (s *Server) discovery(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	methods := slices.Clone(s.authMethods)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.URL,
		"authorization_endpoint":                s.URL + "/authorize",
		"token_endpoint":                        s.URL + "/token",
		"jwks_uri":                              s.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(jose.ES256)},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"grant_types_supported":                 []string{"authorization_code"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": methods,
	})
}

func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &s.key.PublicKey, KeyID: keyID, Algorithm: string(jose.ES256), Use: "sig",
	}}})
}

// authorize approves at once: it checks the request, then sends the
// browser back with a fresh code, or with the refusal Refuse set.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := s.checkAuthorize(q)
	if err != nil {
		http.Error(w, "oidctest: authorize: "+err.Error(), http.StatusBadRequest)
		return
	}
	reply, err := s.approve(q, back.String())
	if err != nil {
		http.Error(w, "oidctest: authorize: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if st := q.Get("state"); st != "" {
		reply.Set("state", st)
	}
	back.RawQuery = reply.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// checkAuthorize checks an authorization request and returns its
// redirect URI.
func (s *Server) checkAuthorize(q url.Values) (*url.URL, error) {
	if q.Get("client_id") != s.clientID {
		return nil, errors.New("unknown client_id")
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !back.IsAbs() || back.Host == "" || back.Fragment != "" {
		return nil, errors.New("redirect_uri must be an absolute URL")
	}
	switch {
	case q.Get("response_type") != "code":
		return nil, errors.New("response_type must be code")
	case q.Get("code_challenge_method") != "S256":
		return nil, errors.New("code_challenge_method must be S256")
	case len(q.Get("code_challenge")) != 43:
		return nil, errors.New("code_challenge must be a base64url SHA-256")
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		return nil, errors.New("scope must include openid")
	}
	return back, nil
}

// approve issues a code for the current user, or returns the refusal.
func (s *Server) approve(q url.Values, redirectURI string) (url.Values, error) {
	code, err := random()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refusal != nil {
		return maps.Clone(s.refusal), nil
	}
	s.grants[code] = grant{
		user:        s.user,
		redirectURI: redirectURI,
		challenge:   q.Get("code_challenge"),
		nonce:       q.Get("nonce"),
		expires:     time.Now().Add(codeTTL),
	}
	return url.Values{"code": {code}}, nil
}

// token redeems a code for an access token and a signed ID token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	if !s.clientAuthenticated(r) {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	g, err := s.redeem(r.PostForm)
	if err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_grant", err.Error())
		return
	}
	idToken, err := s.idToken(g)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	access, _ := random()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(tokenTTL.Seconds()),
		"id_token":     idToken,
	})
}

// clientAuthenticated checks the client's ID and secret, sent by HTTP
// basic authentication (each form-encoded first, RFC 6749 section 2.3.1)
// or in the form, by a method SetAuthMethods allows.
func (s *Server) clientAuthenticated(r *http.Request) bool {
	s.mu.Lock()
	methods := slices.Clone(s.authMethods)
	s.mu.Unlock()
	id, secret, basic := r.BasicAuth()
	method := AuthBasic
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		method = AuthPost
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if formID := r.PostForm.Get("client_id"); formID != "" && formID != id {
		return false
	}
	return slices.Contains(methods, method) && id == s.clientID &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.clientSecret)) == 1
}

// redeem takes the grant of the form's code, once, and checks the
// redirect URI and the PKCE verifier against it.
func (s *Server) redeem(form url.Values) (grant, error) {
	s.mu.Lock()
	g, ok := s.grants[form.Get("code")]
	delete(s.grants, form.Get("code"))
	s.mu.Unlock()
	switch {
	case !ok:
		return grant{}, errors.New("unknown or used code")
	case time.Now().After(g.expires):
		return grant{}, errors.New("code expired")
	case form.Get("redirect_uri") != g.redirectURI:
		return grant{}, errors.New("redirect_uri does not match the authorization request")
	case challenge(form.Get("code_verifier")) != g.challenge:
		return grant{}, errors.New("code_verifier does not match the code_challenge")
	}
	return g, nil
}

func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// idToken builds the claims of g's ID token, lets Tamper alter them, and
// signs them.
func (s *Server) idToken(g grant) (string, error) {
	now := time.Now()
	claims := map[string]any{
		"iss": s.URL,
		"aud": s.clientID,
		"sub": g.user.Subject,
		"iat": now.Unix(),
		"exp": now.Add(tokenTTL).Unix(),
	}
	for k, v := range map[string]string{"nonce": g.nonce, "preferred_username": g.user.Username,
		"email": g.user.Email, "name": g.user.Name} {
		if v != "" {
			claims[k] = v
		}
	}
	maps.Copy(claims, g.user.Claims)
	s.mu.Lock()
	tamper, key := s.tamper, s.key
	if s.useRogue {
		key = s.rogue
	}
	s.mu.Unlock()
	if tamper != nil {
		tamper(claims)
	}
	return sign(claims, key)
}

func sign(claims map[string]any, key *ecdsa.PrivateKey) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("new signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return jws.CompactSerialize()
}

func random() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a failed write leaves the client a short body
}
