package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

// labDir holds the lab captures, with fake patient data planted in them
// (planted.txt lists the values).
const labDir = "../../testdata/captures/lab"

// registerFile is a small real asset register.
const registerFile = "../register/testdata/ward7-assets.csv"

// fetch sends req with c and returns the response and its body.
func fetch(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// newRequest makes a request with headers given as name, value pairs.
func newRequest(t *testing.T, method, u string, body io.Reader, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// formRequest is a POST of v as a browser sends a plain form.
func formRequest(t *testing.T, u string, v url.Values, header ...string) *http.Request {
	t.Helper()
	req := newRequest(t, http.MethodPost, u, strings.NewReader(v.Encode()), header...)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// formPart is one part of a multipart form: a field, or a file when file
// is set.
type formPart struct {
	name, file, value string
}

// multipartBody encodes the parts in order, as a browser sends a form of
// enctype multipart/form-data.
func multipartBody(t *testing.T, parts ...formPart) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.file != "" {
			w, err = mw.CreateFormFile(p.name, p.file)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.value)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// multipartRequest is a POST of the parts, in order.
func multipartRequest(t *testing.T, u string, parts []formPart, header ...string) *http.Request {
	t.Helper()
	body, ct := multipartBody(t, parts...)
	req := newRequest(t, http.MethodPost, u, body, header...)
	req.Header.Set("Content-Type", ct)
	return req
}

// lastSeq is the number of the last audit event, 0 when there is none.
func lastSeq(t *testing.T, ts *testServer) int64 {
	t.Helper()
	e, err := ts.db.LastAudit(context.Background())
	if errors.Is(err, store.ErrNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return e.Seq
}

// auditAfter returns the audit events after seq, in order.
func auditAfter(t *testing.T, ts *testServer, seq int64) []store.AuditEvent {
	t.Helper()
	evs, err := ts.db.ListAudit(context.Background(), seq, 0)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// actions lists the events' actors and actions, "actor action".
func actions(evs []store.AuditEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Actor+" "+e.Action)
	}
	return out
}

// seedDevices ingests lab captures straight into the store and returns
// the ids of every device it then holds.
func seedDevices(t *testing.T, ts *testServer, captures ...string) []string {
	t.Helper()
	for _, c := range captures {
		_, err := ts.srv.cfg.Ingest.CaptureFile(context.Background(), filepath.Join(labDir, c), "test")
		if err != nil {
			t.Fatal(err)
		}
	}
	ids := storedDeviceIDs(t, ts)
	if len(ids) == 0 {
		t.Fatalf("%v gave no devices", captures)
	}
	return ids
}

// storedDeviceIDs returns the ids of the stored devices, sorted.
func storedDeviceIDs(t *testing.T, ts *testServer) []string {
	t.Helper()
	pg, err := ts.db.ListDevices(context.Background(), store.DeviceQuery{Sort: "id", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range pg.Devices {
		ids = append(ids, d.ID)
	}
	return ids
}

// testdataString reads a test file as a string.
func testdataString(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}

// fileCount is how many captures the store has merged.
func fileCount(t *testing.T, ts *testServer) int {
	t.Helper()
	fs, err := ts.db.Files(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(fs)
}

// noRedirect is a client without cookies that does not follow redirects.
func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// cookieNamed finds a cookie the response sets.
func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// fakeClock is a clock that moves only when told. Safe for the server's
// goroutines.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestSecurity checks what every answer carries and what a browser
// without a session meets, on one server: each sign-in costs a hash.
func TestSecurity(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	t.Run("headers", func(t *testing.T) { testHeaders(t, ts) })
	t.Run("cookies", func(t *testing.T) { testCookies(t, ts, false) })
	t.Run("anonymous", func(t *testing.T) { testAnonymous(t, ts) })
	t.Run("next redirect", func(t *testing.T) { testNextRedirect(t, ts) })
	t.Run("login form CSRF", func(t *testing.T) { testLoginCSRF(t, ts) })
}

// TestSecurityCookies checks the cookies' flags with Config.Secure.
func TestSecurityCookies(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(c *Config) { c.Secure = true })
	testCookies(t, ts, true)
}

// testHeaders checks the headers of every kind of answer, signed in or
// not.
func testHeaders(t *testing.T, ts *testServer) {
	admin, _ := ts.login(t, auth.RoleAdmin)
	anon := ts.client(t)
	tests := []struct {
		name         string
		c            *http.Client
		method, path string
		header       []string
		want         int
	}{
		{"page", admin, "GET", "/", nil, 200},
		{"CSV export", admin, "GET", "/devices.csv", nil, 200},
		{"login page", anon, "GET", "/login", nil, 200},
		{"API", admin, "GET", "/api/v1/me", nil, 200},
		{"API refusal", anon, "GET", "/api/v1/me", nil, 401},
		{"OpenAPI", anon, "GET", "/api/v1/openapi.json", nil, 200},
		{"health", anon, "GET", "/healthz", nil, 200},
		{"static", anon, "GET", "/static/ward.css", nil, 200},
		{"static 404", anon, "GET", "/static/nope.css", nil, 404},
		{"page 404", admin, "GET", "/no/such/page", nil, 404},
		{"API 404", admin, "GET", "/api/v1/nope", nil, 404},
		{"redirect to sign in", anon, "GET", "/devices", nil, 303},
		{"unrouted method", anon, "DELETE", "/login", nil, 404},
		{"cross-origin refusal", admin, "POST", "/logout",
			[]string{"Origin", "https://evil.example"}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := fetch(t, tc.c, newRequest(t, tc.method, ts.URL+tc.path, nil, tc.header...))
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			checkSecurityHeaders(t, resp.Header)
		})
	}
	t.Run("signed-in answers are not cached", func(t *testing.T) {
		for _, p := range []string{"/", "/devices", "/devices.csv", "/api/v1/me", "/audit"} {
			resp, _ := get(t, admin, ts.URL+p)
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", p, got)
			}
		}
	})
}

// checkSecurityHeaders checks the headers every answer must carry.
func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "script-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("Content-Security-Policy %q allows %q", csp, bad)
		}
	}
	for name, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}

// loginCookies signs in as role r without a cookie jar and returns the
// login form's cookie and the session cookie as the server set them.
func loginCookies(t *testing.T, ts *testServer, r auth.Role) (form, session *http.Cookie) {
	t.Helper()
	c := noRedirect()
	resp, body := get(t, c, ts.URL+"/login")
	form = cookieNamed(resp, loginCookie)
	if form == nil {
		t.Fatal("the login page set no form cookie")
	}
	req := formRequest(t, ts.URL+"/login", url.Values{"csrf": {csrfFrom(t, body)},
		"username": {string(r)}, "password": {ts.pw[r]}})
	req.AddCookie(form)
	resp, _ = fetch(t, c, req)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d, want 303", resp.StatusCode)
	}
	session = cookieNamed(resp, sessionCookie)
	if session == nil {
		t.Fatal("login set no session cookie")
	}
	return form, session
}

// testCookies checks the flags of the form and session cookies: Secure
// as the server is configured.
func testCookies(t *testing.T, ts *testServer, secure bool) {
	form, session := loginCookies(t, ts, auth.RoleAuditor)
	for _, c := range []*http.Cookie{form, session} {
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure != secure ||
			c.Path != "/" {
			t.Errorf("cookie %s: HttpOnly %v, SameSite %v, Secure %v, Path %q; "+
				"want HttpOnly, SameSite Strict, Secure %v, Path /",
				c.Name, c.HttpOnly, c.SameSite, c.Secure, c.Path, secure)
		}
	}
	if session.MaxAge <= 0 || session.MaxAge > int((12*time.Hour).Seconds()) {
		t.Errorf("session cookie Max-Age %d, want up to 12 hours", session.MaxAge)
	}
}

// testAnonymous checks that without a sign-in pages send the browser to
// the login form and the API says 401 in JSON.
func testAnonymous(t *testing.T, ts *testServer) {
	c := ts.client(t)
	pages := []struct{ method, path, wantNext string }{
		{"GET", "/", "/"},
		{"GET", "/devices?q=ct&sort=name", "/devices?q=ct&sort=name"},
		{"GET", "/devices/mac:00:09:5c:07:00:31", "/devices/mac:00:09:5c:07:00:31"},
		{"GET", "/audit", "/audit"},
		{"GET", "/users", "/users"},
		{"GET", "/account", "/account"},
		{"POST", "/devices/mac:00:09:5c:07:00:31", "/"},
		{"POST", "/users", "/"},
	}
	for _, p := range pages {
		t.Run(p.method+" "+p.path, func(t *testing.T) {
			resp, _ := fetch(t, c, newRequest(t, p.method, ts.URL+p.path, nil))
			want := "/login?next=" + url.QueryEscape(p.wantNext)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
				t.Errorf("got %d to %q, want 303 to %q", resp.StatusCode,
					resp.Header.Get("Location"), want)
			}
		})
	}
	bogus := &http.Cookie{Name: sessionCookie, Value: "not-a-session"}
	apis := []struct {
		name, path string
		header     []string
		cookie     *http.Cookie
	}{
		{"no credentials", "/api/v1/me", nil, nil},
		{"no credentials, devices", "/api/v1/devices", nil, nil},
		{"bogus session", "/api/v1/me", nil, bogus},
		{"bogus token", "/api/v1/me", []string{"Authorization", "Bearer nope"}, nil},
		{"basic auth", "/api/v1/me", []string{"Authorization", "Basic YWRtaW46YWRtaW4="}, nil},
	}
	for _, a := range apis {
		t.Run(a.name, func(t *testing.T) {
			req := newRequest(t, "GET", ts.URL+a.path, nil, a.header...)
			if a.cookie != nil {
				req.AddCookie(a.cookie)
			}
			resp, body := fetch(t, noRedirect(), req)
			checkAPIError(t, resp, body, http.StatusUnauthorized)
			if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge", got)
			}
		})
	}
}

// checkAPIError checks that an answer is a JSON error with the status.
func checkAPIError(t *testing.T, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d", resp.StatusCode, status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var e apiError
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" {
		t.Errorf("body %q is not a JSON error (%v)", body, err)
	}
}

var nextRE = regexp.MustCompile(`name="next" value="([^"]*)"`)

// browserTarget resolves a Location header as a browser does: the URL
// standard drops tabs and newlines anywhere, trims control characters and
// spaces at the ends, and reads a backslash as a slash in http(s) URLs.
func browserTarget(base *url.URL, loc string) (*url.URL, error) {
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	loc = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, loc)
	u, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	return base.ResolveReference(u), nil
}

// testNextRedirect checks that the login form's next parameter cannot
// send the browser to another site, before or after sign-in. Each case
// shows the login form; those marked signIn sign in too.
func testNextRedirect(t *testing.T, ts *testServer) {
	base, _ := url.Parse(ts.URL)
	tests := []struct {
		next, want string
		signIn     bool
	}{
		{"/devices?q=ct", "/devices?q=ct", true},
		{"/devices/mac:00:09:5c:07:00:31", "/devices/mac:00:09:5c:07:00:31", false},
		{"//evil.example", "/", true},
		{"//evil.example/login", "/", false},
		{"/\\evil.example", "/", true},
		{"\\\\evil.example", "/", false},
		{"https://evil.example", "/", true},
		{"http:evil.example", "/", false},
		{"javascript:alert(1)", "/", false},
		{"/\t/evil.example", "/", true},
		{"/\r\n/evil.example", "/", false},
		{" //evil.example", "/", false},
		{"\t//evil.example", "/", false},
		{"/\x00/evil.example", "/", true},
	}
	for _, tc := range tests {
		t.Run(strconv.Quote(tc.next), func(t *testing.T) {
			c := ts.client(t)
			_, page := get(t, c, ts.URL+"/login?next="+url.QueryEscape(tc.next))
			m := nextRE.FindStringSubmatch(page)
			if m == nil {
				t.Fatal("login page has no next field")
			}
			if got := html.UnescapeString(m[1]); got != tc.want {
				t.Errorf("login form's next is %q, want %q", got, tc.want)
			}
			if !tc.signIn {
				return
			}
			resp, _ := postForm(t, c, ts.URL+"/login", url.Values{"csrf": {csrfFrom(t, page)},
				"username": {"auditor"}, "password": {ts.pw[auth.RoleAuditor]}, "next": {tc.next}})
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || loc != tc.want {
				t.Errorf("after sign-in: %d to %q, want 303 to %q", resp.StatusCode, loc, tc.want)
			}
			u, err := browserTarget(base, loc)
			if err != nil || u.Host != base.Host || u.Scheme != base.Scheme {
				t.Errorf("a browser would follow %q to %v (%v)", loc, u, err)
			}
		})
	}
}

// storeState is what the page routes could change, for checking that a
// refused request changed nothing: users, tokens, merged files, register
// imports, the admin's password, one device's editable fields, and the
// audit log's length.
type storeState struct {
	Users, Tokens []string
	Files         int
	Registers     int
	AdminHash     string
	Device        string
	AuditSeq      int64
}

// stateOf reads the store's state, with deviceID as the device.
func stateOf(t *testing.T, ts *testServer, deviceID string) storeState {
	t.Helper()
	ctx := context.Background()
	var st storeState
	users, err := ts.db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		st.Users = append(st.Users, u.Name)
		if u.Name == "admin" {
			st.AdminHash = u.PasswordHash
		}
	}
	toks, err := ts.db.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		st.Tokens = append(st.Tokens, tk.Name+" revoked="+strconv.FormatBool(!tk.RevokedAt.IsZero()))
	}
	st.Files = fileCount(t, ts)
	if _, err := ts.db.LatestRegisterImport(ctx); err == nil {
		st.Registers = 1
	}
	d, err := ts.db.GetDevice(ctx, deviceID)
	if err != nil {
		t.Fatal(err)
	}
	owner := ""
	if d.Owner != nil {
		owner = d.Owner.Name
	}
	st.Device = "owner=" + owner + " tags=" + strings.Join(d.Tags, ",") +
		" location=" + strconv.FormatInt(d.LocationID, 10)
	for _, a := range d.Attributes {
		if a.Source == store.SourceUser {
			st.Device += " " + a.Key + "=" + a.Value
		}
	}
	st.AuditSeq = lastSeq(t, ts)
	return st
}

// TestCSRFPageRoutes posts to every state-changing page route with the
// session cookie but without the session's CSRF token, or from another
// origin with it: each is refused and changes nothing.
func TestCSRFPageRoutes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ctx := context.Background()
	dev := seedDevices(t, ts, "lab-hl7.pcap")[0]
	ts.token(t, auth.RoleNetwork)
	toks, _ := ts.db.Tokens(ctx)
	tokID := strconv.FormatInt(toks[0].ID, 10)
	c, csrf := ts.login(t, auth.RoleAdmin)
	_, otherCSRF := ts.login(t, auth.RoleAuditor)
	capture, err := testdataString(filepath.Join(labDir, "dicom-tls.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	register, err := testdataString(registerFile)
	if err != nil {
		t.Fatal(err)
	}
	newPW := "correct horse battery staple"
	routes := []struct {
		route  string // as in the route table
		path   string
		fields url.Values
		file   *formPart // for the upload routes, always multipart
		ok     int       // the status when the token is right
	}{
		{"POST /devices/{id}", "/devices/" + dev, url.Values{"owner": {"Mallory"},
			"notes": {"forged"}, "tags": {"forged"}, "location": {""}, "criticality": {""}}, nil, 303},
		{"POST /users", "/users", url.Values{"name": {"mallory"}, "role": {"admin"}}, nil, 200},
		{"POST /tokens", "/tokens", url.Values{"name": {"mallory"}, "role": {"admin"}}, nil, 200},
		{"POST /tokens/{id}/revoke", "/tokens/" + tokID + "/revoke", nil, nil, 303},
		{"POST /ingest", "/ingest", nil,
			&formPart{name: "capture", file: "dicom-tls.pcap", value: capture}, 303},
		{"POST /register", "/register", nil,
			&formPart{name: "register", file: "ward7-assets.csv", value: register}, 303},
		{"POST /register/mappings", "/register/mappings", url.Values{"name": {"mallory"},
			"col_serial": {"Serial"}}, nil, 303},
		{"POST /account/password", "/account/password", url.Values{
			"current": {ts.pw[auth.RoleAdmin]}, "new": {newPW}, "confirm": {newPW}}, nil, 303},
		{"POST /logout", "/logout", nil, nil, 303},
	}
	var covered, want []string
	for _, r := range routes {
		covered = append(covered, r.route)
	}
	for _, r := range ts.srv.pageRoutes() {
		if unsafeMethod(r.method) && r.access != public {
			want = append(want, r.method+" "+r.path)
		}
	}
	slices.Sort(covered)
	slices.Sort(want)
	if diff := cmp.Diff(want, covered); diff != "" {
		t.Errorf("state-changing page routes not covered (-route table +test):\n%s", diff)
	}

	wrong := csrfToken("not the session", "session")
	evil := []string{"Origin", "https://evil.example"}
	crossSite := []string{"Sec-Fetch-Site", "cross-site"}
	variants := []struct {
		name      string
		token     string
		multipart bool
		header    []string
	}{
		{"no token", "", false, nil},
		{"wrong token", wrong, false, nil},
		{"another session's token", otherCSRF, false, nil},
		{"wrong token in the header", "", false, []string{csrfHeader, wrong}},
		{"no token, multipart", "", true, nil},
		{"wrong token, multipart", wrong, true, nil},
		{"another session's token, multipart", otherCSRF, true, nil},
		{"right token from another origin", csrf, false, evil},
		{"right token from another site", csrf, false, crossSite},
		{"right token from another origin, multipart", csrf, true, evil},
		{"right token in the header from another site", "", false,
			append([]string{csrfHeader, csrf}, crossSite...)},
	}
	request := func(path string, fields url.Values, file *formPart, token string,
		multi bool, header []string) *http.Request {
		if file == nil && !multi {
			v := url.Values{}
			for k, vs := range fields {
				v[k] = vs
			}
			if token != "" {
				v.Set(csrfField, token)
			}
			return formRequest(t, ts.URL+path, v, header...)
		}
		var parts []formPart
		if token != "" {
			parts = append(parts, formPart{name: csrfField, value: token})
		}
		for k, vs := range fields {
			parts = append(parts, formPart{name: k, value: vs[0]})
		}
		if file != nil {
			parts = append(parts, *file)
		}
		return multipartRequest(t, ts.URL+path, parts, header...)
	}
	for _, r := range routes {
		for _, v := range variants {
			t.Run(r.route+"/"+v.name, func(t *testing.T) {
				before := stateOf(t, ts, dev)
				resp, body := fetch(t, c, request(r.path, r.fields, r.file, v.token, v.multipart,
					v.header))
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("status %d, want 403\n%.300s", resp.StatusCode, body)
				}
				if diff := cmp.Diff(before, stateOf(t, ts, dev)); diff != "" {
					t.Errorf("a refused request changed the store (-before +after):\n%s", diff)
				}
				if resp, _ := get(t, c, ts.URL+"/account"); resp.StatusCode != http.StatusOK {
					t.Errorf("the session no longer works: /account %d", resp.StatusCode)
				}
			})
		}
	}

	// With the right token each request goes through: the refusals above
	// were the CSRF checks, not a malformed request.
	for _, r := range routes {
		t.Run(r.route+"/right token", func(t *testing.T) {
			prev := stateOf(t, ts, dev)
			resp, body := fetch(t, c, request(r.path, r.fields, r.file, csrf, false, nil))
			if resp.StatusCode != r.ok {
				t.Fatalf("status %d, want %d\n%.300s", resp.StatusCode, r.ok, body)
			}
			if cmp.Equal(prev, stateOf(t, ts, dev)) {
				t.Errorf("nothing changed")
			}
			if _, page := get(t, c, ts.URL+"/account"); strings.Contains(page, `name="csrf"`) {
				csrf = csrfFrom(t, page) // a password change starts a new session
			}
		})
	}
	if resp, _ := get(t, c, ts.URL+"/account"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after sign-out /account gives %d, want 303", resp.StatusCode)
	}
}

// testLoginCSRF checks the login form's own token, bound to a cookie set
// before any session exists.
func testLoginCSRF(t *testing.T, ts *testServer) {
	creds := url.Values{"username": {"admin"}, "password": {ts.pw[auth.RoleAdmin]}}
	formToken := func(c *http.Client) string {
		_, page := get(t, c, ts.URL+"/login")
		return csrfFrom(t, page)
	}
	tests := []struct {
		name   string
		setup  func(c *http.Client) string // returns the token to post
		header []string
	}{
		{"no form cookie", func(c *http.Client) string { return formToken(ts.client(t)) }, nil},
		{"no token", func(c *http.Client) string { formToken(c); return "" }, nil},
		{"wrong token", func(c *http.Client) string {
			formToken(c)
			return csrfToken(randomString(), "login")
		}, nil},
		{"another browser's token", func(c *http.Client) string {
			formToken(c)
			return formToken(ts.client(t))
		}, nil},
		{"session token for the login form", func(c *http.Client) string {
			_, tok := ts.login(t, auth.RoleAuditor)
			formToken(c)
			return tok
		}, nil},
		{"right token from another origin", formToken, []string{"Origin", "https://evil.example"}},
		{"right token from another site", formToken, []string{"Sec-Fetch-Site", "cross-site"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ts.client(t)
			v := url.Values{csrfField: {tc.setup(c)}}
			for k, vs := range creds {
				v[k] = vs
			}
			seq := lastSeq(t, ts)
			resp, _ := fetch(t, c, formRequest(t, ts.URL+"/login", v, tc.header...))
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
			if cookieNamed(resp, sessionCookie) != nil {
				t.Error("a session cookie was set")
			}
			if evs := auditAfter(t, ts, seq); len(evs) > 0 {
				t.Errorf("audit events written: %v", actions(evs))
			}
			if resp, _ := get(t, c, ts.URL+"/account"); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("/account: %d, want 303 to the login form", resp.StatusCode)
			}
		})
	}
}

// hashCalls wraps verifyHash for the test, recording the hash each call
// checks against.
func hashCalls(t *testing.T) func() []string {
	t.Helper()
	var mu sync.Mutex
	var calls []string
	orig := verifyHash
	verifyHash = func(hash, pw string) error {
		mu.Lock()
		calls = append(calls, hash)
		mu.Unlock()
		return orig(hash, pw)
	}
	t.Cleanup(func() { verifyHash = orig })
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := calls
		calls = nil
		return out
	}
}

// tryLogin posts the login form with a fresh client and returns the
// answer and the client.
func tryLogin(t *testing.T, ts *testServer, name, pw string) (*http.Response, string, *http.Client) {
	t.Helper()
	c := ts.client(t)
	_, page := get(t, c, ts.URL+"/login")
	resp, body := postForm(t, c, ts.URL+"/login", url.Values{"csrf": {csrfFrom(t, page)},
		"username": {name}, "password": {pw}})
	return resp, body, c
}

// TestThrottle checks password sign-in: unknown names cost a hash as known
// ones do, failures and successes are audited, five failures lock the user
// out, and a password change needs the current password. It is not
// parallel: it wraps verifyHash.
func TestThrottle(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	calls := hashCalls(t)
	users, _ := ts.db.Users(ctx)
	hashOf := map[string]string{}
	for _, u := range users {
		hashOf[u.Name] = u.PasswordHash
	}
	aud, _ := ts.db.UserByName(ctx, "auditor")
	if err := ts.db.DisableUser(ctx, aud.ID, true); err != nil {
		t.Fatal(err)
	}

	t.Run("every failure costs a hash", func(t *testing.T) {
		seq := lastSeq(t, ts)
		tests := []struct {
			name, user string
			wantHash   string // "" for the dummy hash
		}{
			{"unknown user", "nobody", ""},
			{"known user", "network", hashOf["network"]},
			{"disabled user", "auditor", ""},
		}
		var bodies []string
		for _, tc := range tests {
			resp, body, _ := tryLogin(t, ts, tc.user, "wrong password")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", tc.name, resp.StatusCode)
			}
			got := calls()
			if len(got) != 1 || !strings.HasPrefix(got[0], "$argon2id$") ||
				tc.wantHash != "" && got[0] != tc.wantHash {
				t.Errorf("%s: hashes checked %q, want one argon2id hash", tc.name, got)
			}
			body = csrfRE.ReplaceAllString(body, `name="csrf" value="TOKEN"`)
			bodies = append(bodies, strings.ReplaceAll(body, tc.user, "NAME"))
		}
		for i := range bodies[1:] {
			if bodies[i+1] != bodies[0] {
				t.Errorf("%s and %s are told apart:\n%s", tests[0].name, tests[i+1].name,
					cmp.Diff(bodies[0], bodies[i+1]))
			}
		}
		if !strings.Contains(bodies[0], badLogin) {
			t.Errorf("the refusal does not say %q", badLogin)
		}
		want := []string{"nobody login.failed", "network login.failed", "auditor login.failed"}
		if diff := cmp.Diff(want, actions(auditAfter(t, ts, seq))); diff != "" {
			t.Errorf("audit events (-want +got):\n%s", diff)
		}
	})

	t.Run("success is audited", func(t *testing.T) {
		seq := lastSeq(t, ts)
		resp, _, _ := tryLogin(t, ts, "security", ts.pw[auth.RoleSecurity])
		if resp.StatusCode != http.StatusSeeOther || cookieNamed(resp, sessionCookie) == nil {
			t.Fatalf("status %d, want 303 with a session", resp.StatusCode)
		}
		evs := auditAfter(t, ts, seq)
		if diff := cmp.Diff([]string{"security login"}, actions(evs)); diff != "" {
			t.Fatalf("audit events (-want +got):\n%s", diff)
		}
		var detail map[string]any
		json.Unmarshal(evs[0].Detail, &detail)
		if detail["method"] != "password" || detail["ip"] != "127.0.0.1" {
			t.Errorf("detail %s, want the method and the address", evs[0].Detail)
		}
		calls()
	})

	t.Run("password change", func(t *testing.T) { testPasswordChange(t, ts) })

	t.Run("five failures lock out", func(t *testing.T) {
		const user = "clinical-engineering"
		right := ts.pw[auth.RoleClinicalEngineering]
		seq := lastSeq(t, ts)
		for i := range 5 {
			resp, _, _ := tryLogin(t, ts, user, "wrong password "+strconv.Itoa(i))
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d, want 401", i+1, resp.StatusCode)
			}
		}
		calls()
		for _, name := range []string{user, "Clinical-Engineering"} {
			resp, body, c := tryLogin(t, ts, name, right)
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("%s, right password while locked out: status %d, want 429",
					name, resp.StatusCode)
			}
			if !strings.Contains(body, "Too many failed attempts. Try again in") {
				t.Errorf("the 429 page does not say why:\n%.500s", body)
			}
			if cookieNamed(resp, sessionCookie) != nil {
				t.Error("a session cookie was set")
			}
			if resp, _ := get(t, c, ts.URL+"/account"); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("/account: %d, want 303 to the login form", resp.StatusCode)
			}
		}
		// The address is locked out too: every name is refused, even none.
		for _, name := range []string{"admin", ""} {
			if resp, _, _ := tryLogin(t, ts, name, ts.pw[auth.RoleAdmin]); resp.StatusCode != 429 {
				t.Errorf("%q from the same address: status %d, want 429", name, resp.StatusCode)
			}
		}
		if got := calls(); len(got) != 0 {
			t.Errorf("a locked-out sign-in checked %d hashes, want none", len(got))
		}
		want := []string{}
		for range 5 {
			want = append(want, user+" login.failed")
		}
		// A lockout is audited once per key (the user name, the address),
		// not at every attempt made against it.
		want = append(want, user+" login.locked_out", "admin login.locked_out")
		if diff := cmp.Diff(want, actions(auditAfter(t, ts, seq))); diff != "" {
			t.Errorf("audit events (-want +got):\n%s", diff)
		}
	})
}

// testPasswordChange changes the security user's password: the current one
// is needed, short ones are refused, and other sessions end.
func testPasswordChange(t *testing.T, ts *testServer) {
	ctx := context.Background()
	old := ts.pw[auth.RoleSecurity]
	c1, csrf := ts.login(t, auth.RoleSecurity)
	c2, _ := ts.login(t, auth.RoleSecurity)
	hash := func() string {
		u, err := ts.db.UserByName(ctx, "security")
		if err != nil {
			t.Fatal(err)
		}
		return u.PasswordHash
	}
	h0 := hash()
	newPW := "a few plain words will do"
	tests := []struct {
		name                 string
		current, next, again string
		want                 int
		say                  string
	}{
		{"wrong current password", "wrong password", newPW, newPW, 401,
			"The current password is wrong."},
		{"no current password", "", newPW, newPW, 401, "The current password is wrong."},
		{"too short", old, "short", "short", 400, "at least 12 characters"},
		{"eleven characters", old, "elevenchars", "elevenchars", 400, "at least 12 characters"},
		{"confirmation differs", old, newPW, newPW + "!", 400, "The new passwords differ."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seq := lastSeq(t, ts)
			resp, body := postForm(t, c1, ts.URL+"/account/password", url.Values{"csrf": {csrf},
				"current": {tc.current}, "new": {tc.next}, "confirm": {tc.again}})
			if resp.StatusCode != tc.want || !strings.Contains(body, tc.say) {
				t.Errorf("status %d, want %d saying %q\n%.500s", resp.StatusCode, tc.want, tc.say,
					body)
			}
			if hash() != h0 {
				t.Fatal("the password changed")
			}
			for _, e := range auditAfter(t, ts, seq) {
				if e.Action != "password.change_failed" {
					t.Errorf("audit event %s %s written", e.Actor, e.Action)
				}
			}
		})
	}
	seq := lastSeq(t, ts)
	resp, _ := postForm(t, c1, ts.URL+"/account/password", url.Values{"csrf": {csrf},
		"current": {old}, "new": {newPW}, "confirm": {newPW}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/account?done=password" {
		t.Fatalf("change: %d to %q, want 303 to /account?done=password", resp.StatusCode, loc)
	}
	ts.pw[auth.RoleSecurity] = newPW
	if diff := cmp.Diff([]string{"security password.change", "security login"},
		actions(auditAfter(t, ts, seq))); diff != "" {
		t.Errorf("audit events (-want +got):\n%s", diff)
	}
	if resp, _ := get(t, c2, ts.URL+"/account"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the other session: /account %d, want 303 (signed out)", resp.StatusCode)
	}
	if resp, _ := get(t, c1, ts.URL+"/account"); resp.StatusCode != http.StatusOK {
		t.Errorf("the changing session: /account %d, want 200", resp.StatusCode)
	}
	if resp, _, _ := tryLogin(t, ts, "security", old); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password: status %d, want 401", resp.StatusCode)
	}
	if resp, _, _ := tryLogin(t, ts, "security", newPW); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("new password: status %d, want 303", resp.StatusCode)
	}

	// Guessing the current password through a session locks the user out
	// as failed logins do.
	_, page := get(t, c1, ts.URL+"/account")
	csrf = csrfFrom(t, page)
	change := func(current string) int {
		resp, _ := postForm(t, c1, ts.URL+"/account/password", url.Values{"csrf": {csrf},
			"current": {current}, "new": {newPW + "!"}, "confirm": {newPW + "!"}})
		return resp.StatusCode
	}
	for i := range 5 {
		if got := change("guess " + strconv.Itoa(i)); got != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d, want 401", i+1, got)
		}
	}
	if got := change(newPW); got != http.StatusTooManyRequests {
		t.Errorf("right password after five guesses: status %d, want 429", got)
	}
	if resp, _, _ := tryLogin(t, ts, "security", newPW); resp.StatusCode != 429 {
		t.Errorf("sign-in after five guesses: status %d, want 429", resp.StatusCode)
	}
	if hash() == h0 {
		t.Error("the password was not changed above")
	}
}

// tokenNamed finds a stored token by name.
func tokenNamed(t *testing.T, ts *testServer, name string) store.Token {
	t.Helper()
	toks, err := ts.db.Tokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if tk.Name == name {
			return tk
		}
	}
	t.Fatalf("no token %q", name)
	return store.Token{}
}

// countActions counts the events after seq with the actor and action.
func countActions(t *testing.T, ts *testServer, seq int64, actor, action string) int {
	t.Helper()
	n := 0
	for _, e := range auditAfter(t, ts, seq) {
		if e.Actor == actor && e.Action == action {
			n++
		}
	}
	return n
}

// TestTokens checks API tokens: their use is recorded and audited at
// most hourly, a read-only token changes nothing, tokens open no form,
// and a revoked token opens nothing.
func TestTokens(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Now()}
	ts := newTestServer(t, func(c *Config) { c.Now = clk.Now })
	dev := seedDevices(t, ts, "lab-hl7.pcap")[0]
	api := noRedirect()
	bearer := func(secret string) []string { return []string{"Authorization", "Bearer " + secret} }
	me := func(secret string) (*http.Response, string) {
		return fetch(t, api, newRequest(t, "GET", ts.URL+"/api/v1/me", nil, bearer(secret)...))
	}
	auditor := ts.token(t, auth.RoleAuditor)

	t.Run("use is recorded", func(t *testing.T) {
		if tk := tokenNamed(t, ts, "test-auditor"); !tk.LastUsed.IsZero() {
			t.Fatalf("an unused token has last use %v", tk.LastUsed)
		}
		resp, body := me(auditor)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"token:test-auditor"`) {
			t.Fatalf("status %d, body %s; want 200 naming the token", resp.StatusCode, body)
		}
		if tk := tokenNamed(t, ts, "test-auditor"); tk.LastUsed.IsZero() {
			t.Error("the token's last use was not recorded")
		}
	})

	t.Run("use is audited at most hourly", func(t *testing.T) {
		seq := lastSeq(t, ts) - 1 // the first use, above, is in
		steps := []struct {
			advance time.Duration
			want    int
		}{{0, 1}, {time.Minute, 1}, {58 * time.Minute, 1}, {2 * time.Minute, 2}, {0, 2},
			{61 * time.Minute, 3}}
		for i, s := range steps {
			clk.Advance(s.advance)
			if resp, _ := me(auditor); resp.StatusCode != http.StatusOK {
				t.Fatalf("use %d: status %d", i, resp.StatusCode)
			}
			if got := countActions(t, ts, seq, "token:test-auditor", "token.use"); got != s.want {
				t.Errorf("after use %d: %d token.use events, want %d", i, got, s.want)
			}
		}
	})

	t.Run("read-only token changes nothing", func(t *testing.T) {
		n := 0
		for _, r := range ts.srv.apiRoutes() {
			if !unsafeMethod(r.method) || r.access != permitted || auth.Allowed(auth.RoleAuditor, r.perm) {
				continue
			}
			n++
			path := strings.NewReplacer("{id}", dev, "{$}", "").Replace(r.path)
			req := newRequest(t, r.method, ts.URL+path, strings.NewReader(`{"notes":"x"}`),
				append(bearer(auditor), "Content-Type", "application/json")...)
			resp, body := fetch(t, api, req)
			checkAPIError(t, resp, body, http.StatusForbidden)
		}
		if n == 0 {
			t.Log("no API route changes state yet")
		}
		for _, m := range []string{"POST", "PATCH", "PUT", "DELETE"} {
			req := newRequest(t, m, ts.URL+"/api/v1/devices", strings.NewReader("{}"), bearer(auditor)...)
			if resp, _ := fetch(t, api, req); resp.StatusCode < 400 {
				t.Errorf("%s /api/v1/devices: status %d, want a refusal", m, resp.StatusCode)
			}
		}
	})

	t.Run("read-only session changes nothing", func(t *testing.T) {
		c, csrf := ts.login(t, auth.RoleAuditor)
		before := stateOf(t, ts, dev)
		for _, p := range []string{"/devices/" + dev, "/users", "/tokens", "/ingest", "/register"} {
			resp, _ := postForm(t, c, ts.URL+p, url.Values{"csrf": {csrf}, "notes": {"x"},
				"name": {"x"}, "role": {"admin"}})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s: status %d, want 403", p, resp.StatusCode)
			}
		}
		after := stateOf(t, ts, dev)
		after.AuditSeq = before.AuditSeq // the sign-in
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("refused posts changed the store (-before +after):\n%s", diff)
		}
	})

	t.Run("tokens open no form", func(t *testing.T) {
		admin := ts.token(t, auth.RoleAdmin)
		before := stateOf(t, ts, dev)
		for _, p := range []string{"/devices/" + dev, "/users", "/tokens"} {
			req := formRequest(t, ts.URL+p, url.Values{"notes": {"x"}, "name": {"x"},
				"role": {"admin"}}, bearer(admin)...)
			resp, _ := fetch(t, api, req)
			if resp.StatusCode != http.StatusSeeOther ||
				!strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("POST %s with a token: %d to %q, want 303 to the login form", p,
					resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		after := stateOf(t, ts, dev)
		before.Tokens, before.AuditSeq = after.Tokens, after.AuditSeq // the new token, its use
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("token posts changed the store (-before +after):\n%s", diff)
		}
	})

	t.Run("revoked token opens nothing", func(t *testing.T) {
		network := ts.token(t, auth.RoleNetwork)
		if resp, _ := me(network); resp.StatusCode != http.StatusOK {
			t.Fatalf("before revocation: status %d", resp.StatusCode)
		}
		c, csrf := ts.login(t, auth.RoleAdmin)
		id := tokenNamed(t, ts, "test-network").ID
		seq := lastSeq(t, ts)
		resp, _ := postForm(t, c, ts.URL+"/tokens/"+strconv.FormatInt(id, 10)+"/revoke",
			url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: status %d, want 303", resp.StatusCode)
		}
		if countActions(t, ts, seq, "admin", "token.revoke") != 1 {
			t.Error("the revocation was not audited")
		}
		clk.Advance(2 * time.Hour)
		seq = lastSeq(t, ts)
		for _, p := range []string{"/api/v1/me", "/api/v1/devices"} {
			resp, body := fetch(t, api, newRequest(t, "GET", ts.URL+p, nil, bearer(network)...))
			checkAPIError(t, resp, body, http.StatusUnauthorized)
		}
		if evs := auditAfter(t, ts, seq); len(evs) > 0 {
			t.Errorf("a revoked token's use was audited as use: %v", actions(evs))
		}
	})
}

// loginAs signs in with a name and password and returns the client and
// the session's CSRF token.
func loginAs(t *testing.T, ts *testServer, name, pw string) (*http.Client, string) {
	t.Helper()
	resp, _, c := tryLogin(t, ts, name, pw)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d, want 303", name, resp.StatusCode)
	}
	_, page := get(t, c, ts.URL+"/account")
	return c, csrfFrom(t, page)
}

var deviceLinkRE = regexp.MustCompile(`href="/devices/([^"?]+)"`)

// linkedDevices lists the devices a page links to, sorted, each once.
func linkedDevices(page string) []string {
	var out []string
	for _, m := range deviceLinkRE.FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestSiteScope checks a user whose role is for one site: they see that
// site's devices only, and cannot move a device out of it.
func TestSiteScope(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ctx := context.Background()
	ids := seedDevices(t, ts, "clinical-ward7.pcap")
	if len(ids) < 6 {
		t.Fatalf("%d devices, want at least 6", len(ids))
	}
	add := func(l store.Location) store.Location {
		l, err := ts.db.AddLocation(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	siteA := add(store.Location{Kind: store.Site, Name: "St Elsewhere General"})
	wardA := add(store.Location{Kind: store.Ward, Name: "Ward 7", ParentID: siteA.ID})
	siteB := add(store.Location{Kind: store.Site, Name: "Royal Test Infirmary"})
	roomB := add(store.Location{Kind: store.Room, Name: "Plant room", ParentID: siteB.ID})
	inA, inB, unplaced := ids[:3], ids[3:5], ids[5:]
	place := map[string]int64{inA[0]: siteA.ID, inA[1]: wardA.ID, inA[2]: wardA.ID,
		inB[0]: siteB.ID, inB[1]: roomB.ID}
	for id, loc := range place {
		if err := ts.db.SetDeviceLocation(ctx, id, loc); err != nil {
			t.Fatal(err)
		}
	}
	_, pw, err := CreateUser(ctx, ts.db, "ward7-tech", store.Grant{Role: auth.RoleNetwork,
		SiteID: siteA.ID})
	if err != nil {
		t.Fatal(err)
	}
	c, csrf := loginAs(t, ts, "ward7-tech", pw)

	t.Run("inventory", func(t *testing.T) {
		for _, q := range []string{"", "?sort=name", "?q=10.77.7", "?limit=1&sort=id"} {
			resp, page := get(t, c, ts.URL+"/devices"+q)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/devices%s: status %d", q, resp.StatusCode)
			}
			for _, id := range linkedDevices(page) {
				if !slices.Contains(inA, id) {
					t.Errorf("/devices%s lists %s, of another site or none", q, id)
				}
			}
		}
		_, page := get(t, c, ts.URL+"/devices")
		if diff := cmp.Diff(sortedCopy(inA), linkedDevices(page)); diff != "" {
			t.Errorf("inventory (-site A +listed):\n%s", diff)
		}
		_, page = get(t, c, ts.URL+"/devices?site="+strconv.FormatInt(siteB.ID, 10))
		if got := linkedDevices(page); len(got) != 0 {
			t.Errorf("filtered to site B, the inventory lists %v", got)
		}
	})

	t.Run("export", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/devices.csv")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(body), "\n")[1:] {
			id, _, _ := strings.Cut(line, ",")
			got = append(got, id)
		}
		slices.Sort(got)
		if diff := cmp.Diff(sortedCopy(inA), got); diff != "" {
			t.Errorf("export (-site A +exported):\n%s", diff)
		}
	})

	t.Run("device pages", func(t *testing.T) {
		for _, id := range ids {
			want := http.StatusNotFound
			if slices.Contains(inA, id) {
				want = http.StatusOK
			}
			resp, body := get(t, c, ts.URL+"/devices/"+id)
			if resp.StatusCode != want {
				t.Errorf("%s: status %d, want %d", id, resp.StatusCode, want)
			}
			if want == http.StatusNotFound && strings.Contains(body, id) {
				t.Errorf("the 404 for %s names it", id)
			}
		}
	})

	loc := func(id string) int64 {
		d, err := ts.db.GetDevice(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return d.LocationID
	}
	edit := func(id, location string) (*http.Response, string) {
		return postForm(t, c, ts.URL+"/devices/"+id, url.Values{"csrf": {csrf},
			"location": {location}, "owner": {""}, "notes": {""}, "tags": {""},
			"criticality": {""}})
	}
	id64 := func(n int64) string { return strconv.FormatInt(n, 10) }

	t.Run("moves out of the site are refused", func(t *testing.T) {
		tests := []struct{ name, location, say string }{
			{"to another site", id64(siteB.ID), "you may not place devices in that site"},
			{"to a room of another site", id64(roomB.ID), "you may not place devices in that site"},
			{"to no site", "", "only a user of every site may take a device out of its site"},
			{"to no such place", "99999", "no such location"},
			{"to a bad number", "-1", "is not a location"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				seq := lastSeq(t, ts)
				resp, body := edit(inA[1], tc.location)
				if loc(inA[1]) != wardA.ID {
					t.Fatalf("the device was moved to %d", loc(inA[1]))
				}
				if resp.StatusCode == http.StatusSeeOther {
					_, body = get(t, c, ts.URL+resp.Header.Get("Location"))
				} else if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("status %d, want 400 or 303 back to the device", resp.StatusCode)
				}
				if !strings.Contains(body, tc.say) {
					t.Errorf("the answer does not say %q:\n%.500s", tc.say, body)
				}
				if evs := auditAfter(t, ts, seq); len(evs) > 0 {
					t.Errorf("audit events written: %v", actions(evs))
				}
			})
		}
	})

	t.Run("moves within the site are allowed", func(t *testing.T) {
		if resp, _ := edit(inA[1], id64(siteA.ID)); resp.StatusCode != http.StatusSeeOther ||
			loc(inA[1]) != siteA.ID {
			t.Errorf("status %d, location %d; want 303 and %d", resp.StatusCode, loc(inA[1]), siteA.ID)
		}
	})

	t.Run("other sites' devices cannot be edited", func(t *testing.T) {
		for _, id := range append(slices.Clone(inB), unplaced...) {
			before := loc(id)
			resp, _ := edit(id, id64(wardA.ID))
			if resp.StatusCode != http.StatusNotFound || loc(id) != before {
				t.Errorf("%s: status %d, location %d; want 404 and %d", id, resp.StatusCode,
					loc(id), before)
			}
		}
	})
}
