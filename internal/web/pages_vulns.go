package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/store"
)

// The vulnerability pages: the findings by priority, their CSV export,
// the review queue with its ruling forms (pages_decisions.go handles the
// rulings), and the figures on top. A user limited to some sites sees
// the findings of the devices placed in them only.

// Values the finding filters take, in the order the menus show them.
var (
	findingStatuses = []string{store.StatusAffected, store.StatusUnderInvestigation,
		store.StatusFixed, store.StatusNotAffected}
	findingLevels = []string{"critical", "high", "medium", "low"}
	findingSSVC   = []string{"act", "attend", "track*", "track"}
	findingSorts  = []string{"priority", "confidence", "device"}
	// defaultStatuses are the statuses the list shows when none is asked:
	// what still needs doing.
	defaultStatuses = []string{store.StatusAffected, store.StatusUnderInvestigation}
)

// findingRequest is a findings page asked for: the store's query and
// filter, and the site the user chose.
type findingRequest struct {
	q    store.FindingQuery
	f    store.FindingFilter
	site int64
}

// readFindingRequest reads the findings filters from a query string: the
// same names on pages and in the API. review asks for the review queue,
// else the findings for action.
func readFindingRequest(v url.Values, review bool) (findingRequest, error) {
	fr := findingRequest{q: store.FindingQuery{Order: v.Get("sort"), After: v.Get("cursor")},
		f: store.FindingFilter{Threshold: match.DefaultThreshold, Action: !review, Review: review}}
	if fr.q.Order == "" {
		fr.q.Order = "priority"
	}
	if !slices.Contains(findingSorts, fr.q.Order) {
		return fr, errors.New("sort must be priority, confidence or device")
	}
	var err error
	if fr.q.Status, err = readStatuses(v["status"], review); err != nil {
		return fr, err
	}
	if fr.f.Levels, err = vulnOneOf("level", v["level"], findingLevels); err != nil {
		return fr, err
	}
	if fr.f.SSVC, err = vulnOneOf("ssvc", v["ssvc"], findingSSVC); err != nil {
		return fr, err
	}
	if err := readFindingText(v, &fr); err != nil {
		return fr, err
	}
	if fr.site, err = vulnSite(v.Get("site")); err != nil {
		return fr, err
	}
	fr.q.Limit, err = vulnLimit(v.Get("limit"), 50)
	return fr, err
}

// readStatuses reads the status filter: the default when none is given
// ("any" for every status).
func readStatuses(vals []string, review bool) ([]string, error) {
	vals = slices.DeleteFunc(slices.Clone(vals), func(s string) bool { return s == "" })
	switch {
	case len(vals) == 0 && review:
		return nil, nil
	case len(vals) == 0:
		return slices.Clone(defaultStatuses), nil
	case slices.Contains(vals, "any"):
		return nil, nil
	}
	return vulnOneOf("status", vals, findingStatuses)
}

// oneOf checks that each of vals is one of allowed, returning them once
// each.
func vulnOneOf(name string, vals, allowed []string) ([]string, error) {
	var out []string
	for _, v := range vals {
		if v == "" {
			continue
		}
		if !slices.Contains(allowed, v) {
			return nil, fmt.Errorf("%s must be %s", name, vulnOrList(allowed))
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// orList writes "a, b or c".
func vulnOrList(vals []string) string {
	if len(vals) < 2 {
		return strings.Join(vals, "")
	}
	return strings.Join(vals[:len(vals)-1], ", ") + " or " + vals[len(vals)-1]
}

// readFindingText reads the text filters: the search, the advisory, and
// for one finding the device and CVE.
func readFindingText(v url.Values, fr *findingRequest) error {
	for _, f := range []struct {
		name string
		to   *string
	}{{"q", &fr.f.Search}, {"advisory", &fr.q.AdvisoryID}, {"device", &fr.q.DeviceID},
		{"cve", &fr.q.CVE}} {
		val := strings.TrimSpace(v.Get(f.name))
		if !plainText(val) {
			return fmt.Errorf("%s must be up to 255 bytes of text without control characters",
				f.name)
		}
		*f.to = val
	}
	return nil
}

func vulnSite(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("site must be a site's number")
	}
	return id, nil
}

func vulnLimit(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 500 {
		return 0, errors.New("limit must be from 1 to 500")
	}
	return n, nil
}

// noSiteID is a site id no site has: a scope of it selects nothing, where
// an empty scope would select everything.
const noSiteID = -1

// findingSites returns the sites whose devices' findings p may see with
// perm, narrowed to site when one is chosen: nil for every site. ok is
// false when p may use perm in no site at all.
func findingSites(p *principal, perm auth.Permission, site int64) (ids []int64, ok bool) {
	all, sites := p.scope(perm)
	switch {
	case !all && len(sites) == 0:
		return nil, false
	case site != 0 && (all || slices.Contains(sites, site)):
		return []int64{site}, true
	case site != 0:
		return []int64{noSiteID}, true
	case all:
		return nil, true
	}
	return sites, true
}

// scopedFindings runs fr with the sites p may see with perm. It returns
// the store's answer; status is not 0 when the request is refused, with
// msg saying why.
func (s *Server) scopedFindings(r *http.Request, p *principal, perm auth.Permission,
	fr findingRequest) (list store.FindingList, status int, msg string, err error) {
	sites, ok := findingSites(p, perm, fr.site)
	if !ok {
		return list, http.StatusForbidden, "you may see no site's devices", nil
	}
	fr.q.SiteIDs = sites
	list, err = s.db.FilterFindings(r.Context(), fr.q, fr.f)
	if errors.Is(err, store.ErrInvalid) {
		return list, http.StatusBadRequest, "the findings cannot be listed that way: " +
			invalidText(err), nil
	}
	return list, 0, "", err
}

// vulnFigures are the figures over the findings p may see: by level,
// devices affected, and the review queue's size.
func (s *Server) vulnFigures(r *http.Request, p *principal) (store.FindingFigures, int, error) {
	sites, ok := findingSites(p, auth.PermVulnsRead, 0)
	if !ok {
		sites = []int64{noSiteID}
	}
	fig, err := s.db.FindingCounts(r.Context(), store.FindingScope{SiteIDs: sites,
		Threshold: match.DefaultThreshold})
	if err != nil {
		return fig, 0, err
	}
	queue, err := s.db.FilterFindings(r.Context(), store.FindingQuery{SiteIDs: sites, Limit: 1},
		store.FindingFilter{Review: true, Threshold: match.DefaultThreshold})
	return fig, queue.Total, err
}

// vulnOption is an entry of a filter's menu.
type vulnOption struct {
	Value, Label string
	Selected     bool
}

// options makes a menu of vals, those in chosen selected.
func vulnOptions(vals, chosen []string) []vulnOption {
	out := make([]vulnOption, len(vals))
	for i, v := range vals {
		out[i] = vulnOption{Value: v, Label: strings.ReplaceAll(v, "_", " "),
			Selected: slices.Contains(chosen, v)}
	}
	return out
}

// siteOptions makes the site menu of the sites p may see.
func findingSiteOptions(p *principal, sites []store.Location, chosen int64) []vulnOption {
	all, mine := p.scope(auth.PermVulnsRead)
	var out []vulnOption
	for _, l := range sites {
		if all || slices.Contains(mine, l.ID) {
			out = append(out, vulnOption{Value: strconv.FormatInt(l.ID, 10), Label: l.Name,
				Selected: l.ID == chosen})
		}
	}
	return out
}

// vulnLevelCount is one priority level's figure.
type vulnLevelCount struct {
	Level string
	N     int
}

type vulnsView struct {
	Query     url.Values
	Rows      []store.FindingListRow
	Total     int
	Levels    []vulnLevelCount // affected findings for action by level
	Devices   int              // devices affected
	Review    int              // the review queue's size
	Statuses  []vulnOption
	LevelOpts []vulnOption
	SSVCOpts  []vulnOption
	SiteOpts  []vulnOption
	SortOpts  []vulnOption
	AnyStatus bool
	NextURL   string
	FirstURL  string
	CSVURL    string
	CanReview bool
}

func (s *Server) vulnsPage(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	q := r.URL.Query()
	fr, err := readFindingRequest(q, false)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	list, status, msg, err := s.scopedFindings(r, p, auth.PermVulnsRead, fr)
	if err == nil && status == 0 {
		err = s.showVulns(w, r, q, fr, list)
	}
	switch {
	case err != nil:
		s.internal(w, r, err)
	case status != 0:
		s.errorPage(w, r, status, msg)
	}
}

func (s *Server) showVulns(w http.ResponseWriter, r *http.Request, q url.Values,
	fr findingRequest, list store.FindingList) error {
	p := who(r.Context())
	fig, review, err := s.vulnFigures(r, p)
	if err != nil {
		return err
	}
	sites, err := s.sites(r)
	if err != nil {
		return err
	}
	v := vulnsView{Query: q, Rows: list.Rows, Total: list.Total, Devices: fig.Devices,
		Review: review, Statuses: vulnOptions(findingStatuses, fr.q.Status),
		LevelOpts: vulnOptions(findingLevels, fr.f.Levels),
		SSVCOpts:  vulnOptions(findingSSVC, fr.f.SSVC),
		SiteOpts:  findingSiteOptions(p, sites, fr.site), SortOpts: vulnOptions(findingSorts,
			[]string{fr.q.Order}), AnyStatus: len(fr.q.Status) == 0,
		CSVURL:    "/vulnerabilities.csv?" + withoutParams(q, "cursor", "limit"),
		CanReview: p.can(auth.PermVulnsReview)}
	for _, l := range findingLevels {
		v.Levels = append(v.Levels, vulnLevelCount{Level: l, N: fig.ByLevel[l]})
	}
	if list.Next != "" {
		v.NextURL = "/vulnerabilities" + withParams(q, "cursor", list.Next)
	}
	if q.Get("cursor") != "" {
		v.FirstURL = "/vulnerabilities" + withParams(q, "cursor", "")
	}
	s.render(w, r, http.StatusOK, "vulnerabilities", &view{Title: "Vulnerabilities",
		Nav: "vulnerabilities", Data: v, Flash: s.takeFlash(w, r)})
	return nil
}

// vulnCSVHeader are the columns of the findings export.
var vulnCSVHeader = []string{"device_id", "device_name", "vendor", "model", "advisory",
	"advisory_title", "cve", "priority", "level", "ssvc", "status", "confidence", "kind",
	"product", "product_range", "reason", "priority_reasons", "decided", "reopened",
	"first_matched", "last_matched"}

func vulnCSVRow(f *store.FindingListRow) []string {
	row := []string{f.DeviceID, f.DeviceName, f.DeviceVendor, f.DeviceModel, f.AdvisoryID,
		f.AdvisoryTitle, f.CVE, strconv.Itoa(f.Priority), f.Level, f.SSVC, f.Status,
		strconv.FormatFloat(f.Confidence, 'f', 2, 64), f.Kind, f.Product, f.ProductRange,
		f.Reason, strings.Join(f.Reasons, "; "), strconv.FormatBool(f.Decided),
		strconv.FormatBool(f.Reopened), stampCSV(f.FirstMatched), stampCSV(f.LastMatched)}
	// Every cell is defused: advisories and registers are other people's
	// text.
	for i := range row {
		row[i] = csvSafe(row[i])
	}
	return row
}

// vulnsCSV exports the findings the list's filters select, every page.
func (s *Server) vulnsCSV(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	fr, err := readFindingRequest(r.URL.Query(), false)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	fr.q.Limit, fr.q.After = 500, ""
	// The first page is read before the answer starts, so that a filter
	// the store refuses is a 400 rather than an empty export.
	list, status, msg, err := s.scopedFindings(r, p, auth.PermExport, fr)
	switch {
	case err != nil:
		s.internal(w, r, err)
		return
	case status != 0:
		s.errorPage(w, r, status, msg)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ward-vulnerabilities.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(vulnCSVHeader)
	rows := 0
	for {
		for i := range list.Rows {
			cw.Write(vulnCSVRow(&list.Rows[i]))
		}
		rows += len(list.Rows)
		if list.Next == "" {
			break
		}
		fr.q.After = list.Next
		if list, _, _, err = s.scopedFindings(r, p, auth.PermExport, fr); err != nil {
			s.log.Error("csv export broke off", "err", err)
			break
		}
	}
	cw.Flush()
	s.record(r, p.name, "export.vulnerabilities_csv", "", map[string]any{"rows": rows,
		"filter": r.URL.RawQuery})
}

func init() {
	// The vulnerability pages' template functions.
	funcs["vulnStatus"] = vulnStatusText
}

// deviceVulns are a device's findings, for its page.
type deviceVulns struct {
	store.FindingList
	CanRule bool
}

// maxDeviceVulns bounds the findings a device's page lists.
const maxDeviceVulns = 200

// deviceVulns reads the findings of d, of every status, the highest
// priority first; nil when the user may not see vulnerabilities there.
func (s *Server) deviceVulns(r *http.Request, d *store.DeviceDetail) (*deviceVulns, error) {
	p := who(r.Context())
	if !p.canAt(auth.PermVulnsRead, deviceSite(d)) {
		return nil, nil
	}
	list, err := s.db.FilterFindings(r.Context(), store.FindingQuery{DeviceID: d.ID,
		Limit: maxDeviceVulns}, store.FindingFilter{})
	if err != nil {
		return nil, err
	}
	return &deviceVulns{FindingList: list, CanRule: p.can(auth.PermVulnsReview)}, nil
}
