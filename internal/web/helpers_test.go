package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/store"
)

// testServer is a Server on a fresh SQLite store behind httptest, with one
// user per role (named after the role) whose passwords are in pw.
type testServer struct {
	*httptest.Server
	srv  *Server
	db   *store.DB
	keys *audit.Keys
	dir  string
	logs *syncBuffer // everything the server logged, at debug level
	pw   map[auth.Role]string
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestServer starts a server; opts may change its Config before it
// starts.
func newTestServer(t *testing.T, opts ...func(*Config)) *testServer {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "sqlite", dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := audit.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := audit.NewChain(keys.Chain)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := Config{Store: db, Keys: keys, Logger: log,
		Ingest: &ingest.Service{DB: db, Chain: chain, Log: log}}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: httptest.NewServer(srv.Handler()), srv: srv, db: db, keys: keys,
		dir: dir, logs: logs, pw: map[auth.Role]string{}}
	t.Cleanup(ts.Close)
	for _, r := range auth.Roles {
		_, pw, err := CreateUser(ctx, db, string(r), store.Grant{Role: r})
		if err != nil {
			t.Fatal(err)
		}
		ts.pw[r] = pw
	}
	return ts
}

// client is a browser-like client with its own cookie jar that does not
// follow redirects, so that tests see them.
func (ts *testServer) client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfFrom finds the CSRF token in a page.
func csrfFrom(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%.500s", body)
	}
	return m[1]
}

// get fetches a path and returns the response and its body.
func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// postForm posts a form and returns the response and its body.
func postForm(t *testing.T, c *http.Client, u string, v url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// login signs in as the user of role r and returns the client and the
// session's CSRF token.
func (ts *testServer) login(t *testing.T, r auth.Role) (*http.Client, string) {
	t.Helper()
	c := ts.client(t)
	_, body := get(t, c, ts.URL+"/login")
	resp, _ := postForm(t, c, ts.URL+"/login", url.Values{"csrf": {csrfFrom(t, body)},
		"username": {string(r)}, "password": {ts.pw[r]}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d, want 303", r, resp.StatusCode)
	}
	_, page := get(t, c, ts.URL+"/account")
	return c, csrfFrom(t, page)
}

// token creates an API token of role r and returns its secret.
func (ts *testServer) token(t *testing.T, r auth.Role) string {
	t.Helper()
	secret, hash, err := auth.NewSecret(auth.KindToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.db.CreateToken(context.Background(), store.Token{Hash: []byte(hash),
		Name: "test-" + string(r), Role: r}); err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestLoginSmoke(t *testing.T) {
	ts := newTestServer(t)
	c, _ := ts.login(t, auth.RoleAuditor)
	resp, body := get(t, c, ts.URL+"/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Dashboard") {
		t.Fatalf("dashboard: status %d\n%.800s", resp.StatusCode, body)
	}
}

func auditKeysFor(dir string) (*audit.Keys, error) { return audit.LoadOrCreateKeys(dir) }

// TestMain lowers the cost of password hashes: the tests sign in hundreds
// of times, and argon2id at its real cost (64 MiB, 3 passes) is tested in
// the auth package.
func TestMain(m *testing.M) {
	PasswordParams = auth.Params{Memory: 1 << 10, Time: 1, Threads: 1}
	os.Exit(m.Run())
}
