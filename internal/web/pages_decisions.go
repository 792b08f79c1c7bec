package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/store"
)

// The review queue and rulings. A ruling is made on one finding (a
// device, an advisory and a CVE) and recorded for the vendor, model and
// software version of that device as matching saw it, so it applies to
// every device of that model at that version, in every site: only a
// reviewer of every site may make one.

// maxRulingNote bounds a ruling's note, in bytes.
const maxRulingNote = 4000

// decisionError is a ruling refused: the status to answer and why.
type decisionError struct {
	status int
	msg    string
}

func (e *decisionError) Error() string { return e.msg }

func refuseRuling(status int, format string, args ...any) error {
	return &decisionError{status: status, msg: fmt.Sprintf(format, args...)}
}

// check refuses a ruling that says nothing clear, and trims it.
func (in *apiNewDecision) check() error {
	in.DeviceID, in.Advisory = strings.TrimSpace(in.DeviceID), strings.TrimSpace(in.Advisory)
	in.CVE, in.Note = strings.TrimSpace(in.CVE), strings.TrimSpace(in.Note)
	for _, f := range []struct{ name, v string }{{"device_id", in.DeviceID},
		{"advisory", in.Advisory}, {"cve", in.CVE}} {
		if !plainText(f.v) {
			return refuseRuling(http.StatusBadRequest, "%s must be up to 255 bytes of text without "+
				"control characters", f.name)
		}
	}
	switch {
	case in.DeviceID == "":
		return refuseRuling(http.StatusBadRequest, "device_id is missing: the device of the finding")
	case in.Advisory == "":
		return refuseRuling(http.StatusBadRequest, "advisory is missing: the finding's advisory ID")
	case !slices.Contains(findingStatuses, in.Status):
		return refuseRuling(http.StatusBadRequest, "status must be %s", vulnOrList(findingStatuses))
	case in.Status == store.StatusNotAffected && in.Justification == "":
		return refuseRuling(http.StatusBadRequest, "not_affected needs a justification: %s",
			vulnOrList(match.Justifications))
	case in.Status == store.StatusNotAffected && !match.ValidJustification(in.Justification):
		return refuseRuling(http.StatusBadRequest, "justification must be %s",
			vulnOrList(match.Justifications))
	case in.Status != store.StatusNotAffected && in.Justification != "":
		return refuseRuling(http.StatusBadRequest, "a justification is for not_affected only")
	}
	return checkRulingNote(in.Note)
}

// checkRulingNote refuses a note that is too long or not text: line breaks
// and tabs are the only control characters it may hold.
func checkRulingNote(note string) error {
	switch {
	case len(note) > maxRulingNote:
		return refuseRuling(http.StatusBadRequest, "note is longer than %d bytes", maxRulingNote)
	case !utf8.ValidString(note):
		return refuseRuling(http.StatusBadRequest, "note is not valid UTF-8")
	case strings.ContainsFunc(note, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
	}):
		return refuseRuling(http.StatusBadRequest, "note holds control characters")
	}
	return nil
}

// decide checks and saves a ruling, audits it, matches again and says
// what it did. A refusal is a *decisionError, and nothing is stored.
func (s *Server) decide(r *http.Request, in apiNewDecision) (apiDecisionResult, error) {
	var res apiDecisionResult
	p := who(r.Context())
	if err := in.check(); err != nil {
		return res, err
	}
	if all, _ := p.scope(auth.PermVulnsReview); !all {
		return res, refuseRuling(http.StatusForbidden, "a ruling applies to the model's devices in "+
			"every site; it needs a review role for all sites")
	}
	f, err := s.findingOf(r, in)
	if err != nil {
		return res, err
	}
	row, err := s.rulingRow(r, in, f)
	if err != nil {
		return res, err
	}
	res.Previous, err = s.statusBefore(r, row, f)
	if err != nil {
		return res, err
	}
	if err := s.db.SaveDecision(r.Context(), row); err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return res, refuseRuling(http.StatusBadRequest, "the ruling was not saved: %s",
				invalidText(err))
		}
		return res, err
	}
	s.auditRuling(r, row, in.DeviceID, res.Previous)
	if _, err := s.cfg.Ingest.Rematch(r.Context()); err != nil {
		return res, fmt.Errorf("ruling saved, match after it failed: %w", err)
	}
	res.Decision = decisionOut(row)
	res.Devices, err = s.settledBy(r, row)
	return res, err
}

// findingOf is the finding a ruling is asked on.
func (s *Server) findingOf(r *http.Request, in apiNewDecision) (*store.FindingListRow, error) {
	q := store.FindingQuery{DeviceID: in.DeviceID, AdvisoryID: in.Advisory, CVE: in.CVE,
		Limit: 500}
	list, err := s.db.FilterFindings(r.Context(), q, store.FindingFilter{})
	if err != nil {
		return nil, err
	}
	// A CVE of "" asks for the vulnerability without one, not for every CVE.
	i := slices.IndexFunc(list.Rows, func(f store.FindingListRow) bool { return f.CVE == in.CVE })
	if i < 0 {
		cve := ""
		if in.CVE != "" {
			cve = " " + in.CVE
		}
		return nil, refuseRuling(http.StatusNotFound, "there is no finding of %s%s on device %s",
			in.Advisory, cve, in.DeviceID)
	}
	return &list.Rows[i], nil
}

// rulingRow is the ruling as the store keeps it: keyed by the vendor,
// model and version of the device as matching sees it.
func (s *Server) rulingRow(r *http.Request, in apiNewDecision, f *store.FindingListRow) (
	store.DecisionRow, error) {
	md, err := s.cfg.Ingest.MatchDevice(r.Context(), in.DeviceID)
	if errors.Is(err, store.ErrNotFound) {
		return store.DecisionRow{}, refuseRuling(http.StatusNotFound, "there is no device %s",
			in.DeviceID)
	}
	if err != nil {
		return store.DecisionRow{}, err
	}
	vk, mk := match.DefaultVendors().Key(md.Vendor), match.ModelKey(md.Model)
	if vk == "" || mk == "" {
		return store.DecisionRow{}, refuseRuling(http.StatusConflict, "device %s has no known "+
			"vendor and model, and a ruling is made for a vendor's model: set them in the "+
			"asset register first", in.DeviceID)
	}
	vuln := cmpOrText(in.CVE, in.Advisory)
	return store.DecisionRow{Vuln: vuln, VendorKey: vk, ModelKey: mk,
		Version: match.VersionKey(md.Version), Vendor: md.Vendor, Model: md.Model,
		Status: in.Status, Justification: in.Justification, Note: in.Note,
		Actor: who(r.Context()).name, At: s.now(), AdvisoryID: f.AdvisoryID,
		ProductID: f.ProductID, ProductRange: f.ProductRange}, nil
}

func cmpOrText(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// statusBefore is the status in force before the ruling row: the last
// ruling's of its key, or else the finding's.
func (s *Server) statusBefore(r *http.Request, row store.DecisionRow, f *store.FindingListRow) (
	string, error) {
	hist, err := s.db.DecisionHistory(r.Context(), row.Vuln, row.VendorKey, row.ModelKey,
		row.Version)
	if err != nil {
		return "", err
	}
	if len(hist) > 0 {
		return hist[len(hist)-1].Status, nil
	}
	return f.Status, nil
}

// auditRuling records a ruling with who, what, and the status before and
// after.
func (s *Server) auditRuling(r *http.Request, row store.DecisionRow, device, before string) {
	object := strings.TrimSpace(row.Vuln + " on " + row.Vendor + " " + row.Model + " " +
		row.Version)
	s.record(r, row.Actor, "vulns.decision", object, map[string]any{
		"vuln": row.Vuln, "vendor": row.Vendor, "model": row.Model, "version": row.Version,
		"vendor_key": row.VendorKey, "model_key": row.ModelKey, "from": before,
		"to": row.Status, "justification": row.Justification, "note": row.Note,
		"device_id": device, "advisory": row.AdvisoryID, "product_id": row.ProductID,
		"product_range": row.ProductRange})
}

// settledBy counts the devices whose finding of the ruling's
// vulnerability it now settles.
func (s *Server) settledBy(r *http.Request, row store.DecisionRow) (int, error) {
	q := store.FindingQuery{AdvisoryID: row.AdvisoryID, Limit: 500, Order: "device"}
	if row.Vuln != row.AdvisoryID {
		q.CVE = row.Vuln
	}
	devices := map[string]bool{}
	for range 100 { // at most 50,000 findings of one vulnerability
		list, err := s.db.FilterFindings(r.Context(), q, store.FindingFilter{})
		if err != nil {
			return 0, err
		}
		for _, f := range list.Rows {
			if f.Decided && !f.Reopened && f.Status == row.Status && f.CVE == q.CVE {
				devices[f.DeviceID] = true
			}
		}
		if q.After = list.Next; q.After == "" {
			break
		}
	}
	return len(devices), nil
}

// decisionForm reads the ruling form. Its justification menu is sent
// whatever the status, so it counts for not_affected only.
func decisionForm(r *http.Request) apiNewDecision {
	in := apiNewDecision{DeviceID: r.PostFormValue("device"),
		Advisory: r.PostFormValue("advisory"), CVE: r.PostFormValue("cve"),
		Status: r.PostFormValue("status"), Justification: r.PostFormValue("justification"),
		Note: r.PostFormValue("note")}
	if in.Status != store.StatusNotAffected {
		in.Justification = ""
	}
	return in
}

// postDecision saves the ruling of a form and goes back to the page it
// came from, or shows the review queue with why it was refused.
func (s *Server) postDecision(w http.ResponseWriter, r *http.Request) {
	res, err := s.decide(r, decisionForm(r))
	var de *decisionError
	if errors.As(err, &de) {
		s.showReview(w, r, url.Values{}, de.status, "The ruling was not saved: "+de.msg)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := res.Decision
	what := strings.TrimSpace(d.Vendor + " " + d.Model + " " + d.Version)
	s.setFlash(w, fmt.Sprintf("Ruled %s on %s: %s (was %s). It settles the finding on %d "+
		"devices of that model and version.", d.Vuln, what, vulnStatusText(d.Status),
		vulnStatusText(res.Previous), res.Devices))
	back := localPath(r.PostFormValue("return"))
	if back == "/" {
		back = "/vulnerabilities/review"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func vulnStatusText(s string) string { return strings.ReplaceAll(s, "_", " ") }

// reviewRow is a finding of the review queue with what its ruling form
// needs.
type reviewRow struct {
	store.FindingListRow
	N int // the form's number on the page, for its labels
	// RuledAs names the vendor, model and version a ruling on it is
	// recorded for, and History the rulings made on them: for one finding
	// asked for.
	RuledAs string
	History []store.DecisionRow
}

type reviewView struct {
	Query          url.Values
	Rows           []reviewRow
	Total          int
	One            bool // one finding was asked for, to rule on
	CanReview      bool
	Statuses       []vulnOption
	Justifications []string
	SiteOpts       []vulnOption
	Return         string
	NextURL        string
	FirstURL       string
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) {
	s.showReview(w, r, r.URL.Query(), http.StatusOK, "")
}

// showReview shows the review queue, or the findings asked for with
// device, advisory and cve, with status and an error message.
func (s *Server) showReview(w http.ResponseWriter, r *http.Request, q url.Values, status int,
	msg string) {
	p := who(r.Context())
	fr, err := readFindingRequest(q, true)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	one := fr.q.DeviceID != ""
	if one {
		fr.f.Review = false
	}
	list, code, why, err := s.scopedFindings(r, p, auth.PermVulnsRead, fr)
	switch {
	case err != nil:
		s.internal(w, r, err)
		return
	case code != 0:
		s.errorPage(w, r, code, why)
		return
	}
	v, err := s.reviewView(r, q, fr, list, one)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if one && len(v.Rows) == 0 && status == http.StatusOK {
		status, msg = http.StatusNotFound, "There is no such finding, or it is not of your sites."
	}
	s.render(w, r, status, "review", &view{Title: "Review queue", Nav: "vulnerabilities",
		Data: v, Flash: s.takeFlash(w, r), Error: msg})
}

func (s *Server) reviewView(r *http.Request, q url.Values, fr findingRequest,
	list store.FindingList, one bool) (*reviewView, error) {
	p := who(r.Context())
	sites, err := s.sites(r)
	if err != nil {
		return nil, err
	}
	v := &reviewView{Query: q, Total: list.Total, One: one,
		CanReview: p.can(auth.PermVulnsReview), Statuses: vulnOptions(findingStatuses, nil),
		Justifications: match.Justifications, SiteOpts: findingSiteOptions(p, sites, fr.site),
		Return: "/vulnerabilities/review" + withParams(q)}
	for i, f := range list.Rows {
		row := reviewRow{FindingListRow: f, N: i + 1}
		if one {
			if row.RuledAs, row.History, err = s.rulingHistory(r, &f); err != nil {
				return nil, err
			}
		}
		v.Rows = append(v.Rows, row)
	}
	if list.Next != "" {
		v.NextURL = "/vulnerabilities/review" + withParams(q, "cursor", list.Next)
	}
	if q.Get("cursor") != "" {
		v.FirstURL = "/vulnerabilities/review" + withParams(q, "cursor", "")
	}
	return v, nil
}

// rulingHistory names the vendor, model and version a ruling on f is
// recorded for, and returns every ruling made on them.
func (s *Server) rulingHistory(r *http.Request, f *store.FindingListRow) (string,
	[]store.DecisionRow, error) {
	md, err := s.cfg.Ingest.MatchDevice(r.Context(), f.DeviceID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	vk, mk := match.DefaultVendors().Key(md.Vendor), match.ModelKey(md.Model)
	if vk == "" || mk == "" {
		return "", nil, nil
	}
	version := "its version unknown"
	if md.Version != "" {
		version = "version " + md.Version
	}
	hist, err := s.db.DecisionHistory(r.Context(), cmpOrText(f.CVE, f.AdvisoryID), vk, mk,
		match.VersionKey(md.Version))
	return md.Vendor + " " + md.Model + ", " + version, hist, err
}
