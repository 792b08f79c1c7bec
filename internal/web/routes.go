package web

import (
	"net/http"

	"github.com/wardhq/ward/internal/auth"
)

// access says who may use a route.
type access int

const (
	// public routes need no sign-in: the login page, static files, the
	// OpenAPI document.
	public access = iota
	// signedIn routes need a session or token but no permission: sign-out,
	// one's own account.
	signedIn
	// permitted routes need the route's permission.
	permitted
)

// kind says how a refusal is answered.
type kind int

const (
	page kind = iota // a browser page: redirect to /login, an HTML error
	api              // JSON: 401 and 403 with a JSON body
)

// route is one entry of the route table. Every handler the server has is
// here, with the permission it needs: a route absent from the table does
// not exist, and the route test fails for a route it has no expectation
// for.
type route struct {
	method, path string
	access       access
	perm         auth.Permission // for permitted routes
	kind         kind
	// session is true for routes that only a browser session may use
	// (forms), false for those a token may use too.
	session bool
	// stream is true for uploads, whose handlers read a multipart body as
	// a stream and check its CSRF field, which comes before the file.
	stream  bool
	handler http.HandlerFunc
	summary string // for the OpenAPI document
}

func (s *Server) routes() []route {
	rs := append(s.pageRoutes(), s.apiRoutes()...)
	rs = append(rs, s.vulnRoutes()...)
	rs = append(rs, s.segmentRoutes()...)
	return append(rs, s.workflowRoutes()...)
}

func (s *Server) pageRoutes() []route {
	return []route{
		{method: "GET", path: "/login", access: public, handler: s.loginPage},
		{method: "POST", path: "/login", access: public, handler: s.login},
		{method: "GET", path: "/auth/oidc/start", access: public, handler: s.oidcStart},
		{method: "GET", path: "/auth/oidc/callback", access: public, handler: s.oidcCallback},
		{method: "GET", path: "/static/", access: public, handler: s.staticFile},
		{method: "GET", path: "/healthz", access: public, handler: s.health},
		{method: "GET", path: "/favicon.ico", access: public, handler: s.favicon},
		{method: "POST", path: "/logout", access: signedIn, session: true, handler: s.logout},
		{method: "GET", path: "/account", access: signedIn, session: true, handler: s.accountPage},
		{method: "POST", path: "/account/password", access: signedIn, session: true,
			handler: s.changePassword},

		{method: "GET", path: "/{$}", access: permitted, perm: auth.PermDevicesRead,
			session: true, handler: s.dashboardPage},
		{method: "GET", path: "/devices", access: permitted, perm: auth.PermDevicesRead,
			session: true, handler: s.inventoryPage},
		{method: "GET", path: "/devices.csv", access: permitted, perm: auth.PermExport,
			session: true, handler: s.inventoryCSV},
		{method: "GET", path: "/devices/{id}", access: permitted, perm: auth.PermDevicesRead,
			session: true, handler: s.devicePage},
		{method: "POST", path: "/devices/{id}", access: permitted, perm: auth.PermDevicesEdit,
			session: true, handler: s.editDevice},
		{method: "GET", path: "/ingest", access: permitted, perm: auth.PermIngest,
			session: true, handler: s.ingestPage},
		{method: "POST", path: "/ingest", access: permitted, perm: auth.PermIngest,
			session: true, stream: true, handler: s.ingestUpload},
		{method: "GET", path: "/register", access: permitted, perm: auth.PermDevicesRead,
			session: true, handler: s.registerPage},
		{method: "POST", path: "/register", access: permitted, perm: auth.PermRegisterImport,
			session: true, stream: true, handler: s.registerUpload},
		{method: "POST", path: "/register/mappings", access: permitted,
			perm: auth.PermRegisterImport, session: true, handler: s.saveMapping},
		{method: "GET", path: "/audit", access: permitted, perm: auth.PermAuditRead,
			session: true, handler: s.auditPage},
		{method: "GET", path: "/audit/checkpoint", access: permitted, perm: auth.PermAuditRead,
			session: true, handler: s.auditCheckpoint},
		{method: "GET", path: "/users", access: permitted, perm: auth.PermUsersManage,
			session: true, handler: s.usersPage},
		{method: "POST", path: "/users", access: permitted, perm: auth.PermUsersManage,
			session: true, handler: s.addUser},
		{method: "GET", path: "/tokens", access: permitted, perm: auth.PermTokensManage,
			session: true, handler: s.tokensPage},
		{method: "POST", path: "/tokens", access: permitted, perm: auth.PermTokensManage,
			session: true, handler: s.createToken},
		{method: "POST", path: "/tokens/{id}/revoke", access: permitted,
			perm: auth.PermTokensManage, session: true, handler: s.revokeToken},
	}
}
