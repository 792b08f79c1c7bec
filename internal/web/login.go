package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/oidc"
	"github.com/wardhq/ward/internal/store"
)

// hashSlots bounds the argon2id hashes computed at once: each takes 64 MiB,
// and a flood of logins must not exhaust memory.
var hashSlots = make(chan struct{}, 4)

var (
	dummyOnce sync.Once
	dummyHash string
)

// PasswordParams are the argon2id costs of new password hashes. Tests of
// other things may lower them; sign-in rehashes a password made with
// other costs.
var PasswordParams = auth.DefaultParams

// verifyHash checks a password against its hash. It is a variable so that
// a test can see that every sign-in attempt pays for a hash.
var verifyHash = auth.VerifyPassword

// verifyPassword checks pw against hash; for an unknown user (hash "") it
// spends the same time on a dummy hash, so that timing does not tell
// which names exist.
func verifyPassword(hash, pw string) error {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	if hash == "" {
		dummyOnce.Do(func() { dummyHash, _ = auth.HashPassword("ward dummy password", PasswordParams) })
		verifyHash(dummyHash, pw)
		return auth.ErrMismatch
	}
	return verifyHash(hash, pw)
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) cookie(name, value string, maxAge time.Duration, lax bool) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.cfg.Secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(maxAge.Seconds())}
	if lax {
		c.SameSite = http.SameSiteLaxMode
	}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	return c
}

type loginView struct {
	Next     string
	Username string
	OIDC     bool
}

// localPath keeps a post-login destination on this server. Control
// characters are refused anywhere: a browser drops a tab or newline from
// a URL, so "/\t/evil.example" would take it to //evil.example.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.showLogin(w, r, http.StatusOK, "", "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, username, msg string) {
	secret := ""
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) == 43 {
		secret = c.Value
	} else {
		secret = randomString()
		http.SetCookie(w, s.cookie(loginCookie, secret, time.Hour, false))
	}
	next := localPath(r.FormValue("next"))
	s.render(w, r, status, "login", &view{Title: "Sign in", CSRF: csrfToken(secret, "login"),
		Error: msg, Data: loginView{Next: next, Username: username, OIDC: s.cfg.OIDC != nil}})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

const badLogin = "The user name or password is wrong."

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		s.badForm(w, r, err)
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameString(r.PostFormValue(csrfField), csrfToken(c.Value, "login")) {
		s.showLogin(w, r, http.StatusForbidden, "", "The sign-in form had expired. Please try again.")
		return
	}
	name, pw := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	keys := []string{userKey(name), "ip:" + clientIP(r)}
	for _, k := range keys {
		if ok, wait := s.throttle.Allow(k); !ok {
			if s.firstRefusal(k, wait) {
				s.record(r, clipName(name), "login.locked_out", clipName(name),
					map[string]any{"retry_seconds": int(wait.Seconds()), "ip": clientIP(r)})
			}
			s.showLogin(w, r, http.StatusTooManyRequests, name,
				"Too many failed attempts. Try again in "+roundWait(wait)+".")
			return
		}
	}
	u, err := s.db.UserByName(r.Context(), name)
	hash := u.PasswordHash
	if err != nil || u.Disabled {
		hash = ""
	}
	if err := verifyPassword(hash, pw); err != nil {
		for _, k := range keys {
			s.throttle.Fail(k)
		}
		s.record(r, clipName(name), "login.failed", clipName(name), map[string]any{"ip": clientIP(r)})
		s.showLogin(w, r, http.StatusUnauthorized, name, badLogin)
		return
	}
	for _, k := range keys {
		s.throttle.Succeed(k)
	}
	if auth.NeedsRehash(u.PasswordHash, PasswordParams) {
		if h, err := auth.HashPassword(pw, PasswordParams); err == nil {
			s.db.SetPasswordHash(r.Context(), u.ID, h)
		}
	}
	if err := s.startSession(w, r, u, "password"); err != nil {
		s.errorPage(w, r, http.StatusInternalServerError, "The session could not be started.")
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

// firstRefusal reports whether this is the first attempt refused during
// key's lockout, which ends after wait: the audit log records a lockout
// once, not every attempt made against it.
func (s *Server) firstRefusal(key string, wait time.Duration) bool {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if until, ok := s.lockouts[key]; ok && now.Before(until) {
		return false
	}
	if len(s.lockouts) > 10000 {
		for k, until := range s.lockouts {
			if !now.Before(until) {
				delete(s.lockouts, k)
			}
		}
	}
	s.lockouts[key] = now.Add(wait)
	return true
}

// userKey is the throttle's key for a user name. It is cut short: the
// throttle keeps up to 100000 keys, and a name may be as long as a form.
func userKey(name string) string {
	return "user:" + clip(strings.ToLower(name), 128)
}

// clipName keeps what was typed as a user name short enough to log.
func clipName(s string) string {
	if s == "" {
		return "(empty)"
	}
	return clip(s, 64)
}

func roundWait(d time.Duration) string {
	if d < time.Minute {
		return "a minute"
	}
	return d.Round(time.Minute).String()
}

// startSession signs u in on this browser.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u store.User, method string) error {
	secret, hash, err := auth.NewSecret(auth.KindSession)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.db.CreateSession(r.Context(), store.Session{IDHash: []byte(hash), UserID: u.ID,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)})
	if err != nil {
		s.log.Error("session not stored", "err", err)
		return err
	}
	http.SetCookie(w, s.cookie(sessionCookie, secret, s.cfg.SessionTTL, false))
	http.SetCookie(w, s.cookie(loginCookie, "", -1, false))
	s.record(r, u.Name, "login", u.Name, map[string]any{"method": method, "ip": clientIP(r)})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	if err := s.db.DeleteSession(r.Context(), p.sessionHash); err != nil {
		s.log.Warn("session not deleted", "err", err)
	}
	http.SetCookie(w, s.cookie(sessionCookie, "", -1, false))
	s.record(r, p.name, "logout", p.name, nil)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "account", &view{Title: "Your account", Nav: "account",
		Flash: flash(r)})
}

func flash(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "password":
		return "Your password was changed. Other sessions were signed out."
	case "saved":
		return "Saved."
	}
	return ""
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	fail := func(status int, msg string) {
		s.render(w, r, status, "account", &view{Title: "Your account", Nav: "account", Error: msg})
	}
	if p.external {
		fail(http.StatusBadRequest, "You sign in through your organisation; change your password there.")
		return
	}
	u, err := s.db.UserByID(r.Context(), p.userID)
	if err != nil {
		fail(http.StatusInternalServerError, "Your account could not be read.")
		return
	}
	cur, next := r.PostFormValue("current"), r.PostFormValue("new")
	// Guesses of the current password count as failed logins: a stolen
	// session must not be a way round the throttle.
	key := userKey(u.Name)
	if ok, wait := s.throttle.Allow(key); !ok {
		fail(http.StatusTooManyRequests, "Too many failed attempts. Try again in "+roundWait(wait)+".")
		return
	}
	if err := verifyPassword(u.PasswordHash, cur); err != nil {
		s.throttle.Fail(key)
		s.record(r, p.name, "password.change_failed", p.name, nil)
		fail(http.StatusUnauthorized, "The current password is wrong.")
		return
	}
	if next != r.PostFormValue("confirm") {
		fail(http.StatusBadRequest, "The new passwords differ.")
		return
	}
	if err := auth.CheckPassword(next); err != nil {
		fail(http.StatusBadRequest, passwordAdvice(err))
		return
	}
	if err := s.setPassword(r, u, next); err != nil {
		fail(http.StatusInternalServerError, "The password could not be changed.")
		return
	}
	if err := s.startSession(w, r, u, "password-change"); err != nil {
		fail(http.StatusInternalServerError, "The session could not be started.")
		return
	}
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
}

func passwordAdvice(err error) string {
	if errors.Is(err, auth.ErrWeakPassword) {
		return "A password needs at least 12 characters. A few plain words make a good one."
	}
	return "That password is too long."
}

// setPassword hashes and stores a new password and signs the user out
// everywhere.
func (s *Server) setPassword(r *http.Request, u store.User, pw string) error {
	h, err := auth.HashPassword(pw, PasswordParams)
	if err != nil {
		return err
	}
	if err := s.db.SetPasswordHash(r.Context(), u.ID, h); err != nil {
		return err
	}
	if err := s.db.DeleteUserSessions(r.Context(), u.ID); err != nil {
		return err
	}
	s.record(r, u.Name, "password.change", u.Name, nil)
	return nil
}

const oidcCookie = "ward_oidc"

func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OIDC == nil {
		s.errorPage(w, r, http.StatusNotFound, "Single sign-on is not configured.")
		return
	}
	u, pending, err := s.cfg.OIDC.Begin()
	if err != nil {
		s.log.Error("oidc start failed", "err", err)
		s.errorPage(w, r, http.StatusBadGateway, "Single sign-on is not available just now.")
		return
	}
	b, _ := json.Marshal(pending)
	// Lax: the provider sends the browser back with a top-level GET.
	http.SetCookie(w, s.cookie(oidcCookie, base64.RawURLEncoding.EncodeToString(b), 10*time.Minute, true))
	http.Redirect(w, r, u, http.StatusSeeOther)
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OIDC == nil {
		s.errorPage(w, r, http.StatusNotFound, "Single sign-on is not configured.")
		return
	}
	http.SetCookie(w, s.cookie(oidcCookie, "", -1, true))
	fail := func(status int, err error) {
		s.log.Warn("oidc sign-in refused", "err", err)
		s.record(r, "oidc", "login.failed", "", map[string]any{"method": "oidc", "reason": clip(err.Error(), 200)})
		s.showLogin(w, r, status, "", "Single sign-on failed: "+clip(err.Error(), 200))
	}
	q := r.URL.Query()
	if err := oidc.CallbackError(q); err != nil {
		fail(http.StatusUnauthorized, err)
		return
	}
	var pending oidc.Pending
	c, err := r.Cookie(oidcCookie)
	if err == nil {
		var b []byte
		if b, err = base64.RawURLEncoding.DecodeString(c.Value); err == nil {
			err = json.Unmarshal(b, &pending)
		}
	}
	if err != nil {
		fail(http.StatusBadRequest, errors.New("the sign-in had expired; start again"))
		return
	}
	id, err := s.cfg.OIDC.Finish(r.Context(), pending, q.Get("state"), q.Get("code"))
	if err != nil {
		fail(http.StatusUnauthorized, err)
		return
	}
	grants, err := s.oidcGrants(r, id)
	if err != nil {
		fail(http.StatusForbidden, err)
		return
	}
	u, err := s.db.UpsertExternalUser(r.Context(), s.cfg.OIDCIssuer, id.Subject, id.Username, grants)
	if err != nil {
		fail(http.StatusInternalServerError, errors.New("the account could not be stored"))
		return
	}
	if u.Disabled {
		fail(http.StatusForbidden, errors.New("this account is disabled in Ward"))
		return
	}
	if err := s.startSession(w, r, u, "oidc"); err != nil {
		s.errorPage(w, r, http.StatusInternalServerError, "The session could not be started.")
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// oidcGrants turns an identity's roles and sites into grants; a site
// name Ward does not know grants nothing there.
func (s *Server) oidcGrants(r *http.Request, id oidc.Identity) ([]store.Grant, error) {
	var sites []int64
	if len(id.Sites) > 0 {
		locs, err := s.db.Locations(r.Context())
		if err != nil {
			return nil, err
		}
		for _, l := range locs {
			for _, name := range id.Sites {
				if l.Kind == store.Site && strings.EqualFold(l.Name, name) {
					sites = append(sites, l.ID)
				}
			}
		}
		if len(sites) == 0 {
			return nil, errors.New("none of your sites is known to Ward")
		}
	}
	var out []store.Grant
	for _, role := range id.Roles {
		if len(sites) == 0 {
			out = append(out, store.Grant{Role: role})
		}
		for _, site := range sites {
			out = append(out, store.Grant{Role: role, SiteID: site})
		}
	}
	return out, nil
}
