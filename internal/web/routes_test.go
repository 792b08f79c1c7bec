package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

// routeRule is who may use a route. The rules are written out here by
// hand, not read from the route table, so that changing who may use a
// route takes changing this table too.
type routeRule struct {
	public  bool        // anyone, signed in or not
	anyUser bool        // anyone signed in
	roles   []auth.Role // else: the roles that may
	// api routes answer 401 JSON without a sign-in, and take tokens; a
	// page sends the browser to /login and treats a token as no sign-in.
	api bool
	// status is what an allowed caller gets when it is not a 2xx or 3xx.
	status int
}

var (
	rAdm = auth.RoleAdmin
	rSec = auth.RoleSecurity
	rCE  = auth.RoleClinicalEngineering
	rNet = auth.RoleNetwork
	rAud = auth.RoleAuditor

	everyRole = []auth.Role{rAdm, rSec, rCE, rNet, rAud, rCSO}
	editors   = []auth.Role{rAdm, rSec, rCE, rNet}
	ingesters = []auth.Role{rAdm, rSec, rNet}
	importers = []auth.Role{rAdm, rCE}
	auditors  = []auth.Role{rAdm, rSec, rAud}
	admins    = []auth.Role{rAdm}
)

// routeRules has every route of the server, by "METHOD PATH".
var routeRules = map[string]routeRule{
	"GET /login":  {public: true},
	"POST /login": {public: true},
	// Single sign-on is not configured on the test server: its routes
	// answer, but 404.
	"GET /auth/oidc/start":    {public: true, status: 404},
	"GET /auth/oidc/callback": {public: true, status: 404},
	"GET /static/":            {public: true},
	"GET /healthz":            {public: true},
	"GET /favicon.ico":        {public: true},
	"POST /logout":            {anyUser: true},
	"GET /account":            {anyUser: true},
	"POST /account/password":  {anyUser: true},

	"GET /{$}":                 {roles: everyRole},
	"GET /devices":             {roles: everyRole},
	"GET /devices.csv":         {roles: everyRole},
	"GET /devices/{id}":        {roles: everyRole},
	"POST /devices/{id}":       {roles: editors},
	"GET /ingest":              {roles: ingesters},
	"POST /ingest":             {roles: ingesters},
	"GET /register":            {roles: everyRole},
	"POST /register":           {roles: importers},
	"POST /register/mappings":  {roles: importers},
	"GET /audit":               {roles: auditors},
	"GET /audit/checkpoint":    {roles: auditors},
	"GET /users":               {roles: admins},
	"POST /users":              {roles: admins},
	"GET /tokens":              {roles: admins},
	"POST /tokens":             {roles: admins},
	"POST /tokens/{id}/revoke": {roles: admins},

	"GET /api/v1/openapi.json":            {public: true, api: true},
	"GET /api/v1/me":                      {anyUser: true, api: true},
	"GET /api/v1/devices":                 {roles: everyRole, api: true},
	"GET /api/v1/devices/{id}":            {roles: everyRole, api: true},
	"PATCH /api/v1/devices/{id}":          {roles: editors, api: true},
	"GET /api/v1/devices/{id}/attributes": {roles: everyRole, api: true},
	"GET /api/v1/devices/{id}/flows":      {roles: everyRole, api: true},
	"GET /api/v1/dashboard":               {roles: everyRole, api: true},
	"POST /api/v1/ingest":                 {roles: ingesters, api: true},
	"POST /api/v1/register":               {roles: importers, api: true},
	"GET /api/v1/register":                {roles: everyRole, api: true},
	"GET /api/v1/users":                   {roles: admins, api: true},
	"POST /api/v1/users":                  {roles: admins, api: true},
	"GET /api/v1/tokens":                  {roles: admins, api: true},
	"POST /api/v1/tokens":                 {roles: admins, api: true},
	"DELETE /api/v1/tokens/{id}":          {roles: admins, api: true},
	"GET /api/v1/audit":                   {roles: auditors, api: true},
}

// caller is one identity the matrix tries: anonymous, a role's session
// or a role's token.
type caller struct {
	name   string
	role   auth.Role // "" for anonymous
	c      *http.Client
	csrf   string // a session's
	secret string // a token's
}

// routeEnv is what the requests need: a real device, a small capture and
// register, and a counter for names that must be new.
type routeEnv struct {
	ts       *testServer
	deviceID string
	capture  []byte
	register []byte
	n        atomic.Int64
}

// probe makes the request that tries a route as a caller. The default is
// a GET of the route's path with a real device for {id}.
type probe struct {
	build func(e *routeEnv, t *testing.T, c *caller) *http.Request
	// fresh probes end or change the session: each gets a session of its
	// own, and they run after the others. The password change runs last,
	// since it signs the user out everywhere.
	fresh bool
	order int
}

var routeProbes = map[string]probe{
	"POST /login":            {build: (*routeEnv).login, fresh: true},
	"POST /logout":           {build: (*routeEnv).logout, fresh: true, order: 1},
	"POST /account/password": {build: (*routeEnv).password, fresh: true, order: 2},
	"POST /devices/{id}":     {build: (*routeEnv).editForm},
	"POST /ingest":           {build: (*routeEnv).ingestForm},
	"POST /register":         {build: (*routeEnv).registerForm},
	"POST /register/mappings": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/register/mappings", url.Values{"name": {e.name("cmms")},
			"col_serial": {"Serial Number"}})
	}},
	"POST /users": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/users", url.Values{"name": {e.name("page-user")}, "role": {"auditor"}})
	}},
	"POST /tokens": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/tokens", url.Values{"name": {e.name("page-token")}, "role": {"auditor"}})
	}},
	"POST /tokens/{id}/revoke": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.form(t, c, "/tokens/"+e.spareToken(t)+"/revoke", url.Values{})
	}},
	"PATCH /api/v1/devices/{id}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "PATCH", "/api/v1/devices/"+pathEscape(e.deviceID),
			"application/json", []byte(`{}`))
	}},
	"POST /api/v1/ingest": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/ingest?name=http.pcap",
			"application/vnd.tcpdump.pcap", e.capture)
	}},
	"POST /api/v1/register": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/register", "text/csv", e.register)
	}},
	"POST /api/v1/users": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/users", "application/json",
			[]byte(`{"name":"`+e.name("api-user")+`","role":"auditor"}`))
	}},
	"POST /api/v1/tokens": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "POST", "/api/v1/tokens", "application/json",
			[]byte(`{"name":"`+e.name("api-token")+`","role":"auditor"}`))
	}},
	"DELETE /api/v1/tokens/{id}": {build: func(e *routeEnv, t *testing.T, c *caller) *http.Request {
		return e.request(t, c, "DELETE", "/api/v1/tokens/"+e.spareToken(t), "", nil)
	}},
}

func (e *routeEnv) name(prefix string) string {
	return prefix + "-" + strconv.FormatInt(e.n.Add(1), 10)
}

// spareToken makes a token for a probe to revoke and returns its id.
func (e *routeEnv) spareToken(t *testing.T) string {
	_, hash, err := auth.NewSecret(auth.KindToken)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := e.ts.db.CreateToken(context.Background(), store.Token{Hash: []byte(hash),
		Name: e.name("spare"), Role: auth.RoleAuditor})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(tk.ID, 10)
}

// request is a request as c: with its token, or for a session's state
// change with its CSRF header.
func (e *routeEnv) request(t *testing.T, c *caller, method, path, ctype string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.secret != "" {
		req.Header.Set("Authorization", "Bearer "+c.secret)
	}
	if c.csrf != "" && unsafeMethod(method) {
		req.Header.Set(csrfHeader, c.csrf)
	}
	return req
}

// form is a page form posted as c, with its CSRF field.
func (e *routeEnv) form(t *testing.T, c *caller, path string, v url.Values) *http.Request {
	t.Helper()
	v.Set(csrfField, c.csrf)
	req := e.request(t, c, "POST", path, "application/x-www-form-urlencoded", []byte(v.Encode()))
	req.Header.Del(csrfHeader)
	return req
}

// upload is an upload form: the CSRF field, then the file.
func (e *routeEnv) upload(t *testing.T, c *caller, path, field, file string, content []byte) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField(csrfField, c.csrf)
	fw, err := mw.CreateFormFile(field, file)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req := e.request(t, c, "POST", path, mw.FormDataContentType(), buf.Bytes())
	req.Header.Del(csrfHeader)
	return req
}

func (e *routeEnv) editForm(t *testing.T, c *caller) *http.Request {
	return e.form(t, c, "/devices/"+pathEscape(e.deviceID), url.Values{"location": {""},
		"owner": {""}, "criticality": {""}, "notes": {""}, "tags": {""}})
}

func (e *routeEnv) ingestForm(t *testing.T, c *caller) *http.Request {
	return e.upload(t, c, "/ingest", "capture", "http.pcap", e.capture)
}

func (e *routeEnv) registerForm(t *testing.T, c *caller) *http.Request {
	return e.upload(t, c, "/register", "register", "register.csv", e.register)
}

// login signs in afresh: as the caller's user, or as the auditor for an
// anonymous caller or a token.
func (e *routeEnv) login(t *testing.T, c *caller) *http.Request {
	user := c.role
	if user == "" || c.secret != "" {
		user = auth.RoleAuditor
	}
	_, page := get(t, c.c, e.ts.URL+"/login")
	v := url.Values{"username": {string(user)}, "password": {e.ts.pw[user]}}
	fresh := &caller{c: c.c, csrf: csrfFrom(t, page), secret: c.secret}
	return e.form(t, fresh, "/login", v)
}

func (e *routeEnv) logout(t *testing.T, c *caller) *http.Request {
	return e.form(t, c, "/logout", url.Values{})
}

// password changes the caller's password to the same one: the change is
// made, and the other callers' sign-ins still work.
func (e *routeEnv) password(t *testing.T, c *caller) *http.Request {
	pw := e.ts.pw[c.role]
	return e.form(t, c, "/account/password", url.Values{"current": {pw}, "new": {pw}, "confirm": {pw}})
}

// defaultRequest is a GET of the route's path, made concrete.
func (e *routeEnv) defaultRequest(t *testing.T, c *caller, rt route) *http.Request {
	path := strings.ReplaceAll(rt.path, "{id}", pathEscape(e.deviceID))
	switch path {
	case "/{$}":
		path = "/"
	case "/static/":
		path = "/static/ward.css"
	}
	return e.request(t, c, rt.method, path, "", nil)
}

// outcome names what an answer means for access: allowed, "401",
// "to login", "403", or another status.
func outcome(resp *http.Response) string {
	code := resp.StatusCode
	switch {
	case code == http.StatusUnauthorized:
		return "401"
	case code == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login?"):
		return "to login"
	case code == http.StatusForbidden:
		return "403"
	case code >= 200 && code < 400:
		return "allowed"
	}
	return "status " + strconv.Itoa(code)
}

// expected is the outcome rule gives c.
func (rule routeRule) expected(c *caller) string {
	allowed := "allowed"
	if rule.status != 0 {
		allowed = "status " + strconv.Itoa(rule.status)
	}
	signedIn := c.role != "" && (c.secret == "" || rule.api)
	switch {
	case rule.public:
		return allowed
	case !signedIn && rule.api:
		return "401"
	case !signedIn:
		return "to login"
	case rule.anyUser || slices.Contains(rule.roles, c.role):
		return allowed
	}
	return "403"
}

// TestRouteRules checks that routeRules and the route table name the
// same routes, so that no route is left out of TestRouteAccess.
func TestRouteRules(t *testing.T) {
	srv := &Server{}
	have := map[string]bool{}
	for _, rt := range srv.routes() {
		key := rt.method + " " + rt.path
		if have[key] {
			t.Errorf("route %s is in the table twice", key)
		}
		have[key] = true
		if _, ok := routeRules[key]; !ok {
			t.Errorf("route %s has no rule in routeRules: write down who may use it", key)
		}
	}
	for key := range routeRules {
		if !have[key] {
			t.Errorf("routeRules has %s, which is no route", key)
		}
	}
	for key := range routeProbes {
		if !have[key] {
			t.Errorf("routeProbes has %s, which is no route", key)
		}
	}
}

// TestRouteAccess tries every route as anonymous, as each role's session
// and as each role's token, and checks that each is let through, sent to
// sign in, or refused as routeRules says.
func TestRouteAccess(t *testing.T) {
	ts := newTestServer(t)
	ts.seed(t, ward7Capture)
	e := &routeEnv{ts: ts, deviceID: ts.allDevices(t)[0].ID,
		capture:  apiReadFile(t, "../../testdata/captures/golden/http.pcap"),
		register: []byte("Asset No,MAC Address\nA1," + ts.allDevices(t)[0].MAC + "\n")}
	if _, err := ts.srv.cfg.Ingest.Register(context.Background(), bytes.NewReader(e.register),
		"register.csv", "", "test"); err != nil {
		t.Fatal(err)
	}
	for _, c := range routeCallers(t, ts) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, rt := range probeOrder(ts.srv.routes()) {
				rule, ok := routeRules[rt.method+" "+rt.path]
				if !ok {
					continue // TestRouteRules reports it
				}
				got, answer := e.try(t, c, rt)
				if want := rule.expected(c); got != want {
					t.Errorf("%s %s as %s: %s, want %s\n%s", rt.method, rt.path, c.name, got,
						want, answer)
				}
			}
		})
	}
}

// routeCallers are anonymous, then a session and a token of each role.
func routeCallers(t *testing.T, ts *testServer) []*caller {
	out := []*caller{{name: "anonymous", c: ts.client(t)}}
	for _, r := range auth.Roles {
		c, csrf := ts.login(t, r)
		out = append(out, &caller{name: string(r) + " session", role: r, c: c, csrf: csrf})
	}
	for _, r := range auth.Roles {
		out = append(out, &caller{name: string(r) + " token", role: r, c: ts.client(t),
			secret: ts.token(t, r)})
	}
	return out
}

// probeOrder puts the routes whose probes end the session last.
func probeOrder(routes []route) []route {
	rank := func(rt route) int {
		if p := routeProbes[rt.method+" "+rt.path]; p.fresh {
			return 1 + p.order
		}
		return 0
	}
	slices.SortStableFunc(routes, func(a, b route) int { return rank(a) - rank(b) })
	return routes
}

// try sends the route's request as c and returns its outcome, and the
// start of the answer to explain a wrong one.
func (e *routeEnv) try(t *testing.T, c *caller, rt route) (string, string) {
	t.Helper()
	p := routeProbes[rt.method+" "+rt.path]
	as := c
	switch {
	case p.fresh && c.role != "" && c.secret == "":
		cl, csrf := e.ts.login(t, c.role)
		as = &caller{name: c.name, role: c.role, c: cl, csrf: csrf}
	case p.fresh:
		as = &caller{name: c.name, role: c.role, c: e.ts.client(t), secret: c.secret}
	}
	req := e.defaultRequest(t, as, rt)
	if p.build != nil {
		req = p.build(e, t, as)
	}
	resp, err := as.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && rt.kind == api {
		wantJSONError(t, rt.method+" "+rt.path, resp, body)
	}
	return outcome(resp), fmt.Sprintf("%d %s %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
}

// TestRouteUnknown checks that what the table lacks does not exist, for
// anyone: other paths and other methods are 404, JSON under /api/.
func TestRouteUnknown(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.session(t, auth.RoleAdmin)
	anon := ts.anonymous(t)
	for _, c := range []struct{ method, path string }{
		{"GET", "/admin"},
		{"GET", "/devices/x/edit"},
		{"GET", "/api/v1/secrets"},
		{"GET", "/api/v1/devices/x/history"},
		{"DELETE", "/api/v1/devices/x"},
		{"PUT", "/api/v1/tokens"},
		{"POST", "/api/v1/me"},
		{"GET", "/api/v2/me"},
	} {
		for _, a := range []*apiClient{admin, anon} {
			resp, b := a.call(c.method, c.path, "", nil)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: status %d, want 404", c.method, c.path, resp.StatusCode)
			}
			if strings.HasPrefix(c.path, "/api/") {
				wantJSONError(t, c.method+" "+c.path, resp, b)
			}
		}
	}
}
