package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/segment"
	"github.com/wardhq/ward/internal/store"
)

// The policy editor: the YAML in force (or the template) in a text area,
// the history of versions, and the forms that validate, simulate and save
// a policy. A policy that does not validate is shown again with every
// problem and its line, and nothing is stored: the policy in force stays
// as it was. A draft learned from the flows is shown in the same editor,
// to be reviewed and saved like any other text.

// maxPolicyBytes bounds a policy sent by a form or to the API, in bytes.
const maxPolicyBytes = 2 << 20

// maxPolicyVersions bounds the history the editor lists.
const maxPolicyVersions = 100

// segmentEditor is the editor page.
type segmentEditor struct {
	InForce  segmentPolicyInfo
	YAML     string
	Note     string
	Showing  string           // what the text area holds, in words
	Learned  *segment.Learned // set for a learned draft
	Problems []segment.Problem
	Valid    string // the verdict of "validate" on a good policy
	Versions []store.PolicyVersion
	CanEdit  bool
	Saved    bool // a policy is in force
}

// editorState is what a form sent, to show again.
type editorState struct {
	yaml, note, showing string
	learned             *segment.Learned
	problems            []segment.Problem
	valid, errMsg       string
}

// showEditor renders the editor with st, over the policy in force.
func (s *Server) showEditor(w http.ResponseWriter, r *http.Request, status int, st editorState) {
	seg := s.segmentation(w, r, page)
	if seg == nil {
		return
	}
	versions, err := s.db.PolicyVersions(r.Context(), maxPolicyVersions)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for i := range versions {
		versions[i].YAML = "" // the list links to each; the page need not carry them
	}
	v := segmentEditor{InForce: policyInfo(seg), YAML: st.yaml, Note: st.note,
		Showing: st.showing, Learned: st.learned, Problems: st.problems, Valid: st.valid,
		Versions: versions, CanEdit: who(r.Context()).can(auth.PermSegmentEdit),
		Saved: seg.Version != nil}
	if v.YAML == "" && st.problems == nil {
		if v.YAML, err = policyText(seg); err != nil {
			s.internal(w, r, err)
			return
		}
		v.Showing = inForceWords(seg)
	}
	s.render(w, r, status, "segment-policy", &view{Title: "Segmentation policy",
		Nav: "segmentation", Data: v, Flash: s.takeFlash(w, r), Error: st.errMsg})
}

// policyText is the YAML of the policy in force as it was saved, comments
// kept, or the template's.
func policyText(seg *ingest.Segmentation) (string, error) {
	if seg.Version != nil {
		return seg.Version.YAML, nil
	}
	return string(segment.TemplateYAML()), nil
}

// inForceWords says what policyText is.
func inForceWords(seg *ingest.Segmentation) string {
	if v := seg.Version; v != nil {
		return fmt.Sprintf("version %d, the policy in force", v.ID)
	}
	return "the hospital template: no policy is saved yet"
}

func (s *Server) segmentPolicyPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("version")
	if q == "" {
		s.showEditor(w, r, http.StatusOK, editorState{})
		return
	}
	v, status, msg := s.policyVersion(r, q)
	if status != 0 {
		s.errorPage(w, r, status, msg)
		return
	}
	s.showEditor(w, r, http.StatusOK, editorState{yaml: v.YAML,
		showing: fmt.Sprintf("version %d, saved by %s on %s", v.ID, v.By, when(v.CreatedAt))})
}

// policyVersion reads the version an id names; status is not 0 when
// there is none (404) or the id is malformed (400), with msg saying so.
func (s *Server) policyVersion(r *http.Request, id string) (*store.PolicyVersion, int, string) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return nil, http.StatusBadRequest, "A version is a positive number."
	}
	v, err := s.db.PolicyVersionByID(r.Context(), n)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, http.StatusNotFound, "There is no such version of the policy."
	case err != nil:
		s.log.Error("policy version not read", "err", err)
		return nil, http.StatusInternalServerError, "Something went wrong on the server; it has been logged."
	}
	return v, 0, ""
}

// segmentVersionYAML downloads a version as it was saved:
// /segmentation/policy/versions/3.yaml.
func (s *Server) segmentVersionYAML(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".yaml")
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, "There is no such file: versions are N.yaml.")
		return
	}
	v, status, msg := s.policyVersion(r, id)
	if status != 0 {
		s.errorPage(w, r, status, msg)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ward-policy-%d.yaml"`, v.ID))
	io.WriteString(w, v.YAML)
}

// policyForm is what the editor's forms send: the policy (a chosen file's
// content, else the text area's) and the other fields.
type policyForm struct {
	yaml   string
	file   string // the chosen file's name, "" for the text area
	fields url.Values
}

// errNoPolicy is a form without a policy.
var errNoPolicy = errors.New("the form has no policy: paste it or choose a file")

// readPolicyForm reads a form of the editor: multipart (the editor's,
// with a file or not), read here with its own bound and its CSRF field
// checked, or urlencoded, which the middleware has read and checked.
func (s *Server) readPolicyForm(w http.ResponseWriter, r *http.Request) (policyForm, error) {
	var f policyForm
	if isMultipart(r) {
		var err error
		if f, err = s.readPolicyMultipart(r); err != nil {
			return f, err
		}
	} else {
		f.fields = r.PostForm
		f.yaml = r.PostFormValue("policy")
	}
	if !utf8.ValidString(f.yaml) {
		return f, &fieldError{"policy", "is not UTF-8 text"}
	}
	if strings.TrimSpace(f.yaml) == "" {
		return f, errNoPolicy
	}
	return f, nil
}

// readPolicyMultipart reads every part of a multipart editor form, each
// bounded, and checks its CSRF field before anything is done with it.
func (s *Server) readPolicyMultipart(r *http.Request) (policyForm, error) {
	f := policyForm{fields: url.Values{}}
	r.Body = http.MaxBytesReader(nil, r.Body, 2*maxPolicyBytes+maxFormBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return f, fmt.Errorf("the form is not a multipart form: %w", err)
	}
	var text, file string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return f, fmt.Errorf("the form could not be read: %w", err)
		}
		name := part.FormName()
		limit := int64(maxText)
		if name == "policy" || name == "file" {
			limit = maxPolicyBytes
		}
		b, err := io.ReadAll(io.LimitReader(part, limit+1))
		switch {
		case err != nil:
			return f, fmt.Errorf("the form could not be read: %w", err)
		case int64(len(b)) > limit:
			return f, &http.MaxBytesError{Limit: limit}
		}
		switch name {
		case "file":
			file, f.file = string(b), part.FileName()
		case "policy":
			text = string(b)
		default:
			f.fields.Add(name, string(b))
		}
	}
	if p := who(r.Context()); p.csrf != "" && !sameString(f.fields.Get(csrfField), p.csrf) {
		return f, errCSRF
	}
	f.yaml = text
	if strings.TrimSpace(file) != "" {
		f.yaml = file
	} else {
		f.file = ""
	}
	return f, nil
}

// policyFormRefused answers a form that could not be read.
func (s *Server) policyFormRefused(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	var fe *fieldError
	switch {
	case errors.Is(err, errCSRF):
		s.forbidden(w, r, page, err.Error())
	case errors.As(err, &mbe):
		s.errorPage(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"The form is larger than Ward accepts: a policy may be up to %d MiB.", maxPolicyBytes>>20))
	case errors.Is(err, errNoPolicy):
		s.showEditor(w, r, http.StatusBadRequest, editorState{errMsg: upperFirst(err.Error()) + "."})
	case errors.As(err, &fe):
		s.errorPage(w, r, http.StatusBadRequest, "The policy "+fe.msg+".")
	default:
		s.errorPage(w, r, http.StatusBadRequest, upperFirst(err.Error())+".")
	}
}

// policyProblems are the problems of a policy Parse or SavePolicy refused;
// ok is false for an error that is not about the policy.
func policyProblems(err error) ([]segment.Problem, bool) {
	var pe *segment.PolicyError
	switch {
	case errors.As(err, &pe) && len(pe.Problems) > 0:
		return pe.Problems, true
	case errors.Is(err, segment.ErrInvalidPolicy):
		return []segment.Problem{{Message: err.Error()}}, true
	}
	return nil, false
}

func (s *Server) segmentSavePolicy(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	f, err := s.readPolicyForm(w, r)
	if err != nil {
		s.policyFormRefused(w, r, err)
		return
	}
	note := strings.TrimSpace(f.fields.Get("note"))
	st := editorState{yaml: f.yaml, note: note, showing: "the text you sent"}
	if err := checkNote("note", note); err != nil {
		st.errMsg = "Note: " + err.(*fieldError).msg + "."
		s.showEditor(w, r, http.StatusBadRequest, st)
		return
	}
	v, err := s.cfg.Ingest.SavePolicy(r.Context(), []byte(f.yaml), p.name, note)
	if probs, ok := policyProblems(err); ok {
		st.problems = probs
		st.errMsg = fmt.Sprintf("The policy was not saved: %s. The policy in force is unchanged.",
			problemCount(len(probs)))
		s.showEditor(w, r, http.StatusUnprocessableEntity, st)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	// SavePolicy has audited it (segment.policy.save).
	s.setFlash(w, fmt.Sprintf("Version %d saved: it is the policy in force.", v.ID))
	http.Redirect(w, r, "/segmentation/policy", http.StatusSeeOther)
}

// problemCount writes "1 problem", "3 problems".
func problemCount(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}

// policyObject names a version in the audit log.
func policyObject(v *store.PolicyVersion) string {
	return fmt.Sprintf("segment_policy:%d %s", v.ID, v.Digest)
}

// segmentLearnPage drafts conduits from the flows for the zones of the
// policy in force (or the template) and shows the draft in the editor.
// Nothing is stored until it is saved.
func (s *Server) segmentLearnPage(w http.ResponseWriter, r *http.Request) {
	draft, err := s.cfg.Ingest.LearnPolicy(r.Context(), nil)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	b, err := segment.Marshal(draft)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	st := editorState{yaml: string(b), learned: draft.Learned,
		showing: "a draft learned from the observed flows: review it, then save it",
		note:    "learned from the observed flows"}
	s.showEditor(w, r, http.StatusOK, st)
}
