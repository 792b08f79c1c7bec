package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/store"
)

// captureTypes are the media types a capture may be posted as.
var captureTypes = []string{"application/vnd.tcpdump.pcap", "application/octet-stream"}

// registerTypes are the media types a register may be posted as.
var registerTypes = []string{"text/csv",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"}

// apiPostIngest streams the body, a pcap or pcapng capture, into the
// ingestion pipeline: it is never written to disk. The same bytes again
// change nothing and say so.
func (s *Server) apiPostIngest(w http.ResponseWriter, r *http.Request) {
	if !acceptType(w, r, captureTypes...) {
		return
	}
	name, err := displayName(r.URL.Query().Get("name"), "upload.pcap")
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	if r.ContentLength > s.cfg.MaxUpload {
		writeJSONError(w, http.StatusRequestEntityTooLarge, "the capture is larger than the server accepts")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload)
	res, err := s.cfg.Ingest.Capture(r.Context(), r.Body, name, who(r.Context()).name)
	s.facets.forget()
	if err != nil {
		s.log.Warn("api upload refused", "err", err)
		writeJSONError(w, uploadStatus(err), "the capture was not ingested: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, ingestOut(res.File, res.Merged, res.Already, res.Problems))
}

// apiPostRegister imports the body, a CSV or XLSX asset register, and
// reconciles it with the devices.
func (s *Server) apiPostRegister(w http.ResponseWriter, r *http.Request) {
	if all, _ := who(r.Context()).scope(auth.PermRegisterImport); !all {
		writeJSONError(w, http.StatusForbidden, errAllSites)
		return
	}
	if !acceptType(w, r, registerTypes...) {
		return
	}
	q := r.URL.Query()
	name, err := displayName(q.Get("name"), "register.csv")
	if err == nil && !plainText(q.Get("mapping")) {
		err = errors.New("mapping must be the name of a saved mapping")
	}
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRegister)
	res, err := s.cfg.Ingest.Register(r.Context(), r.Body, name, q.Get("mapping"), who(r.Context()).name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeJSONError(w, http.StatusBadRequest, "there is no saved mapping called "+strconv.Quote(q.Get("mapping")))
	case errors.Is(err, ingest.ErrMapping):
		writeJSONError(w, http.StatusUnprocessableEntity, "the register was not imported: "+err.Error())
	case err != nil:
		writeJSONError(w, uploadStatus(err), "the register was not imported: "+err.Error())
	default:
		writeJSON(w, http.StatusCreated, apiRegisterResult{ImportID: res.ImportID, Name: res.Name,
			SHA256: res.SHA256, Figures: figuresOut(res.Figures), Problems: nonNil(res.Problems)})
	}
}

// plainText reports whether v is a short line of valid UTF-8.
func plainText(v string) bool {
	return len(v) <= 255 && utf8.ValidString(v) && !strings.ContainsFunc(v, isControl)
}

// apiGetRegister answers the latest reconciliation. Its lists hold the
// devices of every site, so a caller limited to some sites may not read it.
func (s *Server) apiGetRegister(w http.ResponseWriter, r *http.Request) {
	if all, _ := who(r.Context()).scope(auth.PermDevicesRead); !all {
		writeJSONError(w, http.StatusForbidden, "the reconciliation covers every site's devices; "+
			"your role is limited to some sites")
		return
	}
	ri, err := s.db.LatestRegisterImport(r.Context())
	if errors.Is(err, store.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, "no register has been imported")
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, registerImportOut(ri))
}

func (s *Server) apiListUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.db.Users(r.Context())
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	out := apiUsers{Users: make([]apiUser, len(users))}
	for i, u := range users {
		out.Users[i] = userOut(u)
	}
	writeJSON(w, http.StatusOK, out)
}

// apiPostUser adds a user and answers its first password, once.
func (s *Server) apiPostUser(w http.ResponseWriter, r *http.Request) {
	var req apiNewUser
	if !decodeJSON(w, r, &req) {
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	g, ok := s.newGrant(w, r, req.Name, req.Role, req.SiteID, auth.PermUsersManage)
	if !ok {
		return
	}
	u, pw, err := CreateUser(r.Context(), s.db, req.Name, g)
	if errors.Is(err, store.ErrExists) {
		writeJSONError(w, http.StatusConflict, "there is already a user called "+strconv.Quote(req.Name))
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	s.record(r, who(r.Context()).name, "user.add", u.Name, map[string]any{"role": g.Role,
		"site_id": g.SiteID})
	writeJSON(w, http.StatusCreated, apiCreatedUser{User: userOut(u), Password: pw})
}

// newGrant checks what a request to add a user or token asks for: a name,
// a role, and a site that exists and where the caller holds perm (so that
// an admin of one site cannot hand out another's, or every site's).
func (s *Server) newGrant(w http.ResponseWriter, r *http.Request, name, role string, site int64, perm auth.Permission) (store.Grant, bool) {
	if name == "" || len(name) > 64 || strings.ContainsFunc(name, isControl) {
		writeJSONError(w, http.StatusBadRequest, "name: give 1 to 64 characters without control characters")
		return store.Grant{}, false
	}
	rl, err := auth.ParseRole(role)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "role: must be one of "+roleList())
		return store.Grant{}, false
	}
	if site != 0 {
		sites, err := s.sites(r)
		if err != nil {
			s.apiInternal(w, r, err)
			return store.Grant{}, false
		}
		if !slices.ContainsFunc(sites, func(l store.Location) bool { return l.ID == site }) {
			writeJSONError(w, http.StatusBadRequest, "site_id: no such site")
			return store.Grant{}, false
		}
	}
	if !who(r.Context()).canAt(perm, site) {
		writeJSONError(w, http.StatusForbidden, "site_id: you may grant roles only in your own sites")
		return store.Grant{}, false
	}
	return store.Grant{Role: rl, SiteID: site}, true
}

func roleList() string {
	names := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func (s *Server) apiListTokens(w http.ResponseWriter, r *http.Request) {
	toks, err := s.db.Tokens(r.Context())
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	out := apiTokens{Tokens: make([]apiToken, len(toks))}
	for i, t := range toks {
		out.Tokens[i] = tokenOut(t)
	}
	writeJSON(w, http.StatusOK, out)
}

// apiPostToken creates a token and answers its secret, once; the store
// keeps only its hash.
func (s *Server) apiPostToken(w http.ResponseWriter, r *http.Request) {
	var req apiNewToken
	if !decodeJSON(w, r, &req) {
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	g, ok := s.newGrant(w, r, req.Name, req.Role, req.SiteID, auth.PermTokensManage)
	if !ok {
		return
	}
	t, secret, err := s.newToken(r, req.Name, g)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiCreatedToken{Token: tokenOut(t), Secret: secret})
}

func (s *Server) apiDeleteToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		err = s.db.RevokeToken(r.Context(), id)
	}
	var ne *strconv.NumError
	if errors.As(err, &ne) || errors.Is(err, store.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, "no such token, or it was revoked already")
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	s.record(r, who(r.Context()).name, "token.revoke", strconv.FormatInt(id, 10), nil)
	w.WriteHeader(http.StatusNoContent)
}

// apiListAudit answers audit events, newest first, filtered as the audit
// page filters them.
func (s *Server) apiListAudit(w http.ResponseWriter, r *http.Request) {
	q, err := auditQuery(r)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	evs, err := s.db.ListAuditFiltered(r.Context(), q)
	if errors.Is(err, store.ErrInvalid) {
		writeJSONError(w, http.StatusBadRequest, invalidText(err))
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	out := apiAudit{Events: auditOut(evs)}
	if len(evs) == q.Limit {
		out.NextBefore = evs[len(evs)-1].Seq
	}
	writeJSON(w, http.StatusOK, out)
}

// auditQuery reads the audit filters: actor, action, before and limit.
func auditQuery(r *http.Request) (store.AuditQuery, error) {
	v := r.URL.Query()
	q := store.AuditQuery{Actor: v.Get("actor"), Action: v.Get("action"), Limit: 100}
	if b := v.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			return q, errors.New("before must be an entry number")
		}
		q.BeforeSeq = n
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return q, errors.New("limit must be from 1 to 1000")
		}
		q.Limit = n
	}
	return q, nil
}
