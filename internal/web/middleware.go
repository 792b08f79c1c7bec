package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

const (
	sessionCookie = "ward_session"
	loginCookie   = "ward_login" // binds the login form's CSRF token before a session exists
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

// csp allows nothing but Ward's own files: no inline script or style, no
// framing, forms only to Ward.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; " +
	"base-uri 'none'"

// securityHeaders sets the headers every answer carries, and refuses
// cross-origin state changes (a second guard beside the CSRF tokens).
func securityHeaders(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	guarded := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		guarded.ServeHTTP(w, r)
	})
}

// wrap puts a route's handler behind its checks: sign-in, permission,
// CSRF, and for state changes a bound on the body.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if rt.access == public {
			rt.handler(w, r)
			return
		}
		p, err := s.authenticate(w, r, rt)
		if err != nil {
			s.unauthenticated(w, r, rt, err)
			return
		}
		// From here every answer, a refusal's error page included, knows
		// who asked.
		r = r.WithContext(withPrincipal(r.Context(), p))
		if rt.access == permitted && !p.can(rt.perm) {
			s.forbidden(w, r, rt.kind, "your role does not allow this")
			return
		}
		// An upload's handler reads its body as a stream and checks the
		// CSRF field itself (uploadPart); every other form is bounded and
		// read here, so that its token is checked before the handler runs.
		upload := rt.stream && isMultipart(r)
		if unsafeMethod(r.Method) && rt.kind == page && !upload {
			if err := readForm(w, r); err != nil {
				s.badForm(w, r, err)
				return
			}
		}
		if unsafeMethod(r.Method) && p.csrf != "" && !upload && !s.csrfOK(r, p.csrf) {
			s.forbidden(w, r, rt.kind, "the form is out of date or did not come from Ward: reload the page and try again")
			return
		}
		rt.handler(w, r)
	})
}

// readForm bounds a page form's body and parses it whole.
func readForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if isMultipart(r) {
		return r.ParseMultipartForm(maxFormBytes)
	}
	return r.ParseForm()
}

// badForm answers a form that could not be read: 413 when it was too
// large.
func (s *Server) badForm(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge,
			"The form is larger than Ward accepts (64 KiB).")
		return
	}
	s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}

// errNoCredentials means the request carries neither a session nor a token.
var errNoCredentials = errors.New("sign in first")

// authenticate finds the request's principal: a bearer token on API
// routes, else the session cookie.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, rt route) (*principal, error) {
	if h := r.Header.Get("Authorization"); h != "" && !rt.session {
		return s.tokenPrincipal(r, h)
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || auth.SecretKind(c.Value) != auth.KindSession {
		return nil, errNoCredentials
	}
	return s.sessionPrincipal(r, c.Value)
}

func (s *Server) sessionPrincipal(r *http.Request, secret string) (*principal, error) {
	hash := []byte(auth.HashSecret(secret))
	sess, err := s.db.SessionByHash(r.Context(), hash)
	if err != nil {
		return nil, errNoCredentials
	}
	u, err := s.db.UserByID(r.Context(), sess.UserID)
	if err != nil || u.Disabled {
		return nil, errNoCredentials
	}
	return &principal{name: u.Name, userID: u.ID, grants: u.Grants, external: u.PasswordHash == "",
		csrf: csrfToken(secret, "session"), sessionHash: hash}, nil
}

// errBadToken is an Authorization header that opens nothing.
var errBadToken = errors.New("the API token is not valid, or was revoked")

func (s *Server) tokenPrincipal(r *http.Request, header string) (*principal, error) {
	secret, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || auth.SecretKind(secret) != auth.KindToken {
		return nil, errBadToken
	}
	t, err := s.db.TokenByHash(r.Context(), []byte(auth.HashSecret(secret)))
	if err != nil || !t.RevokedAt.IsZero() {
		return nil, errBadToken
	}
	s.tokenUsed(r, t)
	return &principal{name: "token:" + t.Name, tokenID: t.ID,
		grants: []store.Grant{{Role: t.Role, SiteID: t.SiteID}}}, nil
}

// tokenUsed records a token's use: its last use in the store each time,
// and in the audit log at most once an hour per token.
func (s *Server) tokenUsed(r *http.Request, t store.Token) {
	ctx := r.Context()
	if err := s.db.TouchToken(ctx, t.ID); err != nil {
		s.log.Warn("token last use not recorded", "err", err, "token_id", t.ID)
	}
	now := s.now()
	s.mu.Lock()
	last, seen := s.tokenUse[t.ID]
	fresh := !seen || now.Sub(last) >= time.Hour
	if fresh {
		s.tokenUse[t.ID] = now
	}
	s.mu.Unlock()
	if fresh {
		s.record(r, "token:"+t.Name, "token.use", t.Name, map[string]any{
			"method": r.Method, "path": r.URL.Path})
	}
}

// csrfToken derives a form token from a secret only the browser holds
// (the session id, or before sign-in the login cookie): an attacker's
// page can neither read nor compute it.
func csrfToken(secret, purpose string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("ward csrf " + purpose))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfOK checks the token of a form post or of a script's header.
func (s *Server) csrfOK(r *http.Request, want string) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
		got = r.PostFormValue(csrfField)
	}
	return sameString(got, want)
}

func sameString(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// maxFormBytes bounds a form's body: forms carry short fields only.
const maxFormBytes = 64 << 10

// unauthenticated answers a request without a valid sign-in: a page
// sends the browser to the login form, the API says 401.
func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request, rt route, err error) {
	if rt.kind == api {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ward"`)
		writeJSONError(w, http.StatusUnauthorized, err.Error())
		return
	}
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet || !utf8.ValidString(next) || len(next) > 512 {
		next = "/"
	}
	http.Redirect(w, r, "/login?next="+urlQueryEscape(next), http.StatusSeeOther)
}

// forbidden answers a signed-in request that may not do what it asks.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, k kind, why string) {
	if k == api {
		writeJSONError(w, http.StatusForbidden, why)
		return
	}
	s.errorPage(w, r, http.StatusForbidden, why)
}
