package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/register"
	"github.com/wardhq/ward/internal/store"
)

func (s *Server) ingestPage(w http.ResponseWriter, r *http.Request) {
	files, err := s.db.Files(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "ingest", &view{Title: "Ingest captures", Nav: "ingest",
		Data: files, Flash: s.takeFlash(w, r)})
}

// uploadPart reads a multipart form streamed in order: the CSRF field
// first, then the named file part, returned unread. The file is never
// spooled to disk: the caller reads it straight into ingestion.
func (s *Server) uploadPart(r *http.Request, limit int64, file string, fields ...string) (*multipart.Part, map[string]string, error) {
	p := who(r.Context())
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, fmt.Errorf("the upload is not a multipart form: %w", err)
	}
	vals := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, nil, errors.New("the form has no file")
		}
		if err != nil {
			return nil, nil, fmt.Errorf("the upload could not be read: %w", err)
		}
		name := part.FormName()
		if name == file {
			if p.csrf != "" && !sameString(vals[csrfField], p.csrf) {
				return nil, nil, errCSRF
			}
			return part, vals, nil
		}
		b, err := io.ReadAll(io.LimitReader(part, 4096))
		if err != nil {
			return nil, nil, fmt.Errorf("the upload could not be read: %w", err)
		}
		vals[name] = string(b)
	}
}

var errCSRF = errors.New("the form is out of date or did not come from Ward: reload the page and try again")

func (s *Server) ingestUpload(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	part, _, err := s.uploadPart(r, s.cfg.MaxUpload, "capture")
	if errors.Is(err, errCSRF) {
		s.forbidden(w, r, page, err.Error())
		return
	}
	if err != nil {
		s.errorPage(w, r, uploadStatus(err), err.Error())
		return
	}
	res, err := s.cfg.Ingest.Capture(r.Context(), part, part.FileName(), p.name)
	s.facets.forget()
	if err != nil {
		s.log.Warn("upload refused", "err", err)
		s.errorPage(w, r, uploadStatus(err), "The capture was not ingested: "+err.Error())
		return
	}
	msg := fmt.Sprintf("%s: %d devices (%d new).", res.File.Name, res.Merged.Devices,
		res.Merged.NewDevices)
	if res.Already {
		msg = res.File.Name + " was ingested before; nothing changed."
	}
	s.setFlash(w, msg)
	http.Redirect(w, r, "/ingest", http.StatusSeeOther)
}

// uploadStatus is the status for a refused upload: 413 for one too large.
func uploadStatus(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// errAllSites refuses the register to a site-limited user: a
// reconciliation covers every site's devices.
const errAllSites = "the asset register's reconciliation covers every site; it needs a role for all sites"

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) {
	if all, _ := who(r.Context()).scope(auth.PermDevicesRead); !all {
		s.forbidden(w, r, page, errAllSites)
		return
	}
	latest, err := s.db.LatestRegisterImport(r.Context())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internal(w, r, err)
		return
	}
	maps, err := s.namedMappings(r)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "register", &view{Title: "Asset register", Nav: "register",
		Data: registerView{Latest: latest, Mappings: maps, Fields: register.Fields()}, Flash: s.takeFlash(w, r)})
}

// maxRegister bounds an uploaded register.
const maxRegister = 64 << 20

func (s *Server) registerUpload(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	if all, _ := p.scope(auth.PermRegisterImport); !all {
		s.forbidden(w, r, page, errAllSites)
		return
	}
	part, vals, err := s.uploadPart(r, maxRegister, "register")
	if errors.Is(err, errCSRF) {
		s.forbidden(w, r, page, err.Error())
		return
	}
	if err != nil {
		s.errorPage(w, r, uploadStatus(err), err.Error())
		return
	}
	res, err := s.cfg.Ingest.Register(r.Context(), part, part.FileName(), vals["mapping"], p.name)
	if err != nil {
		s.errorPage(w, r, uploadStatus(err), "The register was not imported: "+err.Error())
		return
	}
	msg := fmt.Sprintf("%s imported: %d entries, %d matched, %d only in the register, %d only on the network.",
		res.Name, res.Figures.RegisterEntries, res.Figures.Matched, res.Figures.RegisterOnly,
		res.Figures.NetworkOnly)
	s.setFlash(w, msg)
	http.Redirect(w, r, "/register", http.StatusSeeOther)
}

type auditView struct {
	Actor, Action string
	Events        []store.AuditEvent
	Older         string
	Places        map[int64]string // location paths by id, to name them in device edits
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	q := store.AuditQuery{Actor: r.URL.Query().Get("actor"), Action: r.URL.Query().Get("action"),
		Limit: 100}
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			s.errorPage(w, r, http.StatusBadRequest, "before must be an entry number")
			return
		}
		q.BeforeSeq = n
	}
	evs, err := s.db.ListAuditFiltered(r.Context(), q)
	if errors.Is(err, store.ErrInvalid) {
		s.errorPage(w, r, http.StatusBadRequest, "actor and action must be text")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	locs, err := s.db.Locations(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := auditView{Actor: q.Actor, Action: q.Action, Events: evs, Places: locationPaths(locs)}
	if len(evs) == q.Limit {
		v.Older = withParams(r.URL.Query(), "before", strconv.FormatInt(evs[len(evs)-1].Seq, 10))
	}
	s.render(w, r, http.StatusOK, "audit", &view{Title: "Audit log", Nav: "audit", Data: v})
}

// auditCheckpoint downloads a signed checkpoint of the chain's head, to be
// kept away from the server; `ward verify --checkpoint` checks against it.
func (s *Server) auditCheckpoint(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	last, err := s.db.LastAudit(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	head := audit.Entry{Seq: uint64(last.Seq)}
	copy(head.MAC[:], last.MAC)
	cp := audit.Sign(s.cfg.Keys.Signer, head, s.now())
	b, err := audit.MarshalCheckpoint(cp)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.record(r, p.name, "export.audit_checkpoint", "", map[string]any{"seq": cp.Seq})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ward-audit-checkpoint-%d.json"`, cp.Seq))
	w.Write(b)
}

type usersView struct {
	Users    []store.User
	Roles    []auth.Role
	Sites    []store.Location
	Password string // a new user's first password, shown once
	NewUser  string
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	s.showUsers(w, r, http.StatusOK, usersView{}, "")
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, status int, v usersView, msg string) {
	users, err := s.db.Users(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	sites, err := s.sites(r)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Users, v.Roles, v.Sites = users, auth.Roles, sites
	s.render(w, r, status, "users", &view{Title: "Users", Nav: "users", Data: v, Error: msg})
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	name := strings.TrimSpace(r.PostFormValue("name"))
	role, err := auth.ParseRole(r.PostFormValue("role"))
	if err != nil || !shortName(name) {
		s.showUsers(w, r, http.StatusBadRequest, usersView{}, "Give a name (up to 64 characters) and a role.")
		return
	}
	site, ok, err := s.formSite(r)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !ok {
		s.showUsers(w, r, http.StatusBadRequest, usersView{}, "No such site.")
		return
	}
	u, pw, err := CreateUser(r.Context(), s.db, name, store.Grant{Role: role, SiteID: site})
	if errors.Is(err, store.ErrExists) {
		s.showUsers(w, r, http.StatusConflict, usersView{}, "There is already a user called that.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.record(r, p.name, "user.add", u.Name, map[string]any{"role": role, "site_id": site})
	s.showUsers(w, r, http.StatusOK, usersView{Password: pw, NewUser: u.Name}, "")
}

// formSite reads the site a user or token form limits a grant to: 0 for
// every site, else a site's id. ok is false for anything else (no number,
// no such site, a ward in a site), which must neither become every site
// nor leave a user created without the grant.
func (s *Server) formSite(r *http.Request) (site int64, ok bool, err error) {
	v := r.PostFormValue("site")
	if v == "" {
		return 0, true, nil
	}
	id, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil || id <= 0 {
		return 0, false, nil
	}
	sites, err := s.sites(r)
	if err != nil {
		return 0, false, err
	}
	return id, slices.ContainsFunc(sites, func(l store.Location) bool { return l.ID == id }), nil
}

// shortName reports whether a user or token name is 1 to 64 bytes of
// text without control characters, which the store and the audit log
// keep as they are.
func shortName(name string) bool {
	return name != "" && len(name) <= 64 && utf8.ValidString(name) &&
		!strings.ContainsFunc(name, unicode.IsControl)
}

// CreateUser adds a user with a fresh random password, which it returns
// to be shown once.
func CreateUser(ctx context.Context, db *store.DB, name string, g store.Grant) (store.User, string, error) {
	pw := NewPassword()
	h, err := auth.HashPassword(pw, PasswordParams)
	if err != nil {
		return store.User{}, "", err
	}
	u, err := db.CreateUser(ctx, name, h)
	if err != nil {
		return store.User{}, "", err
	}
	if err := db.GrantRole(ctx, u.ID, g); err != nil {
		return store.User{}, "", err
	}
	u.Grants = append(u.Grants, g)
	return u, pw, nil
}

// NewPassword returns a random password: 26 letters and digits, 128 bits.
func NewPassword() string { return rand.Text() }

type tokensView struct {
	Tokens []store.Token
	Roles  []auth.Role
	Sites  []store.Location
	Secret string // a new token, shown once
	Name   string
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) {
	s.showTokens(w, r, http.StatusOK, tokensView{}, "")
}

func (s *Server) showTokens(w http.ResponseWriter, r *http.Request, status int, v tokensView, msg string) {
	toks, err := s.db.Tokens(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	sites, err := s.sites(r)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Tokens, v.Roles, v.Sites = toks, auth.Roles, sites
	s.render(w, r, status, "tokens", &view{Title: "API tokens", Nav: "tokens", Data: v, Error: msg})
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	role, err := auth.ParseRole(r.PostFormValue("role"))
	if err != nil || !shortName(name) {
		s.showTokens(w, r, http.StatusBadRequest, tokensView{}, "Give a name (up to 64 characters) and a role.")
		return
	}
	site, ok, err := s.formSite(r)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !ok {
		s.showTokens(w, r, http.StatusBadRequest, tokensView{}, "No such site.")
		return
	}
	t, secret, err := s.newToken(r, name, store.Grant{Role: role, SiteID: site})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.showTokens(w, r, http.StatusOK, tokensView{Secret: secret, Name: t.Name}, "")
}

// newToken creates an API token bound to g, audits it, and returns it
// with its secret, to be shown once: the store keeps only the hash.
func (s *Server) newToken(r *http.Request, name string, g store.Grant) (store.Token, string, error) {
	secret, hash, err := auth.NewSecret(auth.KindToken)
	if err != nil {
		return store.Token{}, "", err
	}
	t, err := s.db.CreateToken(r.Context(), store.Token{Hash: []byte(hash), Name: name,
		Role: g.Role, SiteID: g.SiteID})
	if err != nil {
		return store.Token{}, "", err
	}
	s.record(r, who(r.Context()).name, "token.create", t.Name, map[string]any{"token_id": t.ID,
		"role": g.Role, "site_id": g.SiteID})
	return t, secret, nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.errorPage(w, r, http.StatusNotFound, "There is no such token.")
		return
	}
	if err := s.db.RevokeToken(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, "There is no such token.")
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	s.record(r, p.name, "token.revoke", strconv.FormatInt(id, 10), nil)
	http.Redirect(w, r, "/tokens", http.StatusSeeOther)
}
