package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/store"
)

// The advisory pages: the list with its search, and one advisory whole
// with the devices it matched (those of the user's sites).

// advisoryQuery reads the advisory list's search and cursor.
func advisoryQuery(v url.Values) (store.AdvisoryQuery, error) {
	q := store.AdvisoryQuery{Search: strings.TrimSpace(v.Get("q")), After: v.Get("cursor"),
		MinConfidence: match.DefaultThreshold}
	if !plainText(q.Search) || !plainText(q.After) {
		return q, errors.New("q and cursor must be up to 255 bytes of text without control " +
			"characters")
	}
	var err error
	q.Limit, err = vulnLimit(v.Get("limit"), 50)
	return q, err
}

// listAdvisories returns a page of advisories and the next page's cursor,
// the devices counted over the sites p may see.
func (s *Server) listAdvisories(r *http.Request, p *principal, q store.AdvisoryQuery) (
	[]store.AdvisorySummary, string, error) {
	limit := q.Limit
	q.Limit = limit + 1
	advs, err := s.db.ListAdvisories(r.Context(), q)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(advs) > limit {
		advs = advs[:limit]
		next = advs[limit-1].ID
	}
	sites, _ := findingSites(p, auth.PermVulnsRead, 0)
	if sites == nil {
		return advs, next, nil
	}
	ids := make([]string, len(advs))
	for i, a := range advs {
		ids[i] = a.ID
	}
	counts, err := s.db.AdvisoryDevices(r.Context(), ids, sites, match.DefaultThreshold)
	if err != nil {
		return nil, "", err
	}
	for i := range advs {
		advs[i].Devices = counts[advs[i].ID]
	}
	return advs, next, nil
}

type advisoriesView struct {
	Search     string
	Advisories []store.AdvisorySummary
	NextURL    string
	FirstURL   string
}

func (s *Server) advisoriesPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q, err := advisoryQuery(v)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	advs, next, err := s.listAdvisories(r, who(r.Context()), q)
	if errors.Is(err, store.ErrInvalid) {
		s.errorPage(w, r, http.StatusBadRequest, "The advisories cannot be listed that way: "+
			invalidText(err))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	av := advisoriesView{Search: q.Search, Advisories: advs}
	if next != "" {
		av.NextURL = "/advisories" + withParams(v, "cursor", next)
	}
	if q.After != "" {
		av.FirstURL = "/advisories" + withParams(v, "cursor", "")
	}
	s.render(w, r, http.StatusOK, "advisories", &view{Title: "Advisories", Nav: "advisories",
		Data: av})
}

// advisoryView is one advisory as its page shows it.
type advisoryView struct {
	A        *advisory.Advisory
	Imported time.Time
	Vulns    []vulnView
	Products []productView
	Findings store.FindingList
	Notes    []advisory.Note
}

// vulnView is one vulnerability of an advisory, its products named.
type vulnView struct {
	advisory.Vuln
	Statuses     []statusProducts
	Remediations []remediationView
	KEV          *advisory.KEVEntry
	EPSS         *advisory.EPSSScore
}

// statusProducts are the products of one status, by name.
type statusProducts struct {
	Status   string
	Products []string
}

type remediationView struct {
	advisory.Remediation
	ProductNames []string
}

// productView is a product with its version or range for the table.
type productView struct {
	advisory.Product
	Versions string
}

// statusOrder is the order the product statuses are listed in.
var statusOrder = []advisory.Status{advisory.Affected, advisory.FirstAffected,
	advisory.LastAffected, advisory.UnderInvestigation, advisory.Fixed, advisory.FirstFixed,
	advisory.NotAffected, advisory.Recommended}

// productName names a product for people.
func productName(p advisory.Product) string {
	if p.FullName != "" {
		return p.FullName
	}
	return strings.Join(strings.Fields(p.Vendor+" "+p.Name+" "+p.Version+" "+p.Range), " ")
}

func namesOf(ids []string, names map[string]string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, cmpOrText(names[id], id))
	}
	return out
}

func newAdvisoryView(a *advisory.Advisory, imported time.Time,
	kev map[string]advisory.KEVEntry, epss map[string]advisory.EPSSScore) *advisoryView {
	v := &advisoryView{A: a, Imported: imported}
	names := map[string]string{}
	for _, p := range a.Products {
		names[p.ID] = productName(p)
		v.Products = append(v.Products, productView{Product: p,
			Versions: cmpOrText(p.Version, p.Range)})
	}
	for _, vl := range a.Vulns {
		vv := vulnView{Vuln: vl}
		for _, st := range statusOrder {
			if ids := vl.Status[st]; len(ids) > 0 {
				vv.Statuses = append(vv.Statuses, statusProducts{Status: csafStatusText(st),
					Products: namesOf(ids, names)})
			}
		}
		for _, rm := range vl.Remediations {
			vv.Remediations = append(vv.Remediations, remediationView{Remediation: rm,
				ProductNames: namesOf(rm.Products, names)})
		}
		if e, ok := kev[vl.CVE]; ok && vl.CVE != "" {
			vv.KEV = &e
		}
		if sc, ok := epss[vl.CVE]; ok && vl.CVE != "" {
			vv.EPSS = &sc
		}
		v.Vulns = append(v.Vulns, vv)
	}
	for _, n := range a.Notes {
		if n.Category != "legal_disclaimer" {
			v.Notes = append(v.Notes, n)
		}
	}
	return v
}

// csafStatusText says a product status in words.
func csafStatusText(st advisory.Status) string {
	return strings.ReplaceAll(strings.TrimPrefix(string(st), "known_"), "_", " ")
}

// advisoryData is an advisory with what its page and API answer show:
// the KEV entries and EPSS scores of its CVEs, and its findings on the
// devices the user may see.
type advisoryData struct {
	a        *advisory.Advisory
	imported time.Time
	kev      map[string]advisory.KEVEntry
	epss     map[string]advisory.EPSSScore
	findings store.FindingList
}

// loadAdvisory reads the advisory a route names. It answers the request
// itself (404, 500) and returns nil when it cannot.
func (s *Server) loadAdvisory(w http.ResponseWriter, r *http.Request, k kind) *advisoryData {
	fail := func(status int, pageMsg, apiMsg string) {
		if k == api {
			writeJSONError(w, status, apiMsg)
		} else {
			s.errorPage(w, r, status, pageMsg)
		}
	}
	a, imported, err := s.db.Advisory(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		fail(http.StatusNotFound, "There is no such advisory.", "no such advisory")
		return nil
	}
	d := &advisoryData{a: a, imported: imported}
	if err == nil {
		d.kev, d.epss, err = s.advisoryIntel(r, a)
	}
	status, msg := 0, ""
	if err == nil {
		fr := findingRequest{q: store.FindingQuery{AdvisoryID: a.ID, Order: "device", Limit: 500}}
		d.findings, status, msg, err = s.scopedFindings(r, who(r.Context()), auth.PermVulnsRead, fr)
	}
	switch {
	case err != nil:
		s.log.Error("advisory not read", "err", err, "path", r.URL.Path)
		fail(http.StatusInternalServerError, "Something went wrong on the server; it has been "+
			"logged.", "internal error; it has been logged")
		return nil
	case status != 0:
		fail(status, msg, msg)
		return nil
	}
	return d
}

// advisoryIntel reads the KEV catalogue and the EPSS scores of a's CVEs.
func (s *Server) advisoryIntel(r *http.Request, a *advisory.Advisory) (
	map[string]advisory.KEVEntry, map[string]advisory.EPSSScore, error) {
	var cves []string
	for _, v := range a.Vulns {
		if v.CVE != "" && !slices.Contains(cves, v.CVE) {
			cves = append(cves, v.CVE)
		}
	}
	kev, err := s.db.KEV(r.Context())
	if err != nil {
		return nil, nil, err
	}
	epss := map[string]advisory.EPSSScore{}
	if len(cves) > 0 {
		epss, err = s.db.EPSS(r.Context(), cves)
	}
	return kev, epss, err
}

func (s *Server) advisoryPage(w http.ResponseWriter, r *http.Request) {
	d := s.loadAdvisory(w, r, page)
	if d == nil {
		return
	}
	v := newAdvisoryView(d.a, d.imported, d.kev, d.epss)
	v.Findings = d.findings
	s.render(w, r, http.StatusOK, "advisory", &view{Title: d.a.ID, Nav: "advisories", Data: v})
}
