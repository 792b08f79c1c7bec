package web

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/register"
	"github.com/wardhq/ward/internal/store"
)

// The patch workflow and NHS cyber alerts share these: checks of what
// people type, the devices a plan covers, an alert's response clock and
// pages of lists kept whole in memory.

// Bounds of what people type into the workflow's forms and API, in bytes.
const (
	maxLine = 200  // a name, version, reference or title
	maxText = 4000 // a note or the compensating controls
	maxCVEs = 200  // CVEs an alert may name
)

// checkLine refuses a one-line field that is not short text.
func checkLine(field, v string, required bool) error {
	switch {
	case required && v == "":
		return &fieldError{field, "is required"}
	case !utf8.ValidString(v) || strings.ContainsFunc(v, isControl):
		return &fieldError{field, "must be text on one line, without control characters"}
	case len(v) > maxLine:
		return &fieldError{field, fmt.Sprintf("is longer than %d bytes", maxLine)}
	}
	return nil
}

// checkNote refuses a free-text field (lines allowed) that is not text.
func checkNote(field, v string) error {
	bad := func(r rune) bool { return isControl(r) && r != '\n' && r != '\r' && r != '\t' }
	switch {
	case !utf8.ValidString(v) || strings.ContainsFunc(v, bad):
		return &fieldError{field, "must be text without control characters"}
	case len(v) > maxText:
		return &fieldError{field, fmt.Sprintf("is longer than %d bytes", maxText)}
	}
	return nil
}

// cveIDPattern is a CVE ID: the year and a sequence of four digits or more.
var cveIDPattern = regexp.MustCompile(`^CVE-(\d{4})-(\d{4,19})$`)

// splitCVEList splits a list of CVE IDs typed into a form: separated by
// commas, semicolons or white space.
func splitCVEList(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// parseCVEList checks CVE IDs and returns them in upper case, each once, in
// the order given.
func parseCVEList(ids []string) ([]string, error) {
	if len(ids) > maxCVEs {
		return nil, &fieldError{"cves", fmt.Sprintf("name more than %d CVEs", maxCVEs)}
	}
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.ToUpper(strings.TrimSpace(id))
		m := cveIDPattern.FindStringSubmatch(id)
		if m == nil {
			return nil, &fieldError{"cves", fmt.Sprintf("%.40q is not a CVE ID (CVE-2020-6961)", id)}
		}
		if y, _ := strconv.Atoi(m[1]); y < 1999 {
			return nil, &fieldError{"cves", fmt.Sprintf("%s: CVE IDs begin in 1999", id)}
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// whenLayouts are the forms of a time a form or a client may send:
// RFC 3339, or without a zone (a datetime-local field), taken as UTC.
var whenLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04"}

// parseWhen reads a time; "" is the zero time.
func parseWhen(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, l := range whenLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return checkYear(field, t.UTC())
		}
	}
	return time.Time{}, &fieldError{field, fmt.Sprintf(
		"%.40q is not a time: write 2026-03-02T09:00 (UTC) or RFC 3339", v)}
}

// parseDate reads a day, 2027-12-31, as midnight UTC; "" is the zero
// time.
func parseDate(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, &fieldError{field, fmt.Sprintf("%.40q is not a date: write 2027-12-31", v)}
	}
	return checkYear(field, t)
}

// checkYear refuses times far from now, which are typing mistakes.
func checkYear(field string, t time.Time) (time.Time, error) {
	if t.Year() < 1990 || t.Year() > 2200 {
		return time.Time{}, &fieldError{field, "must be a year from 1990 to 2200"}
	}
	return t, nil
}

// dateValue writes t for a date field, "" for the zero time.
func dateValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// whenValue writes t for a datetime-local field, in UTC.
func whenValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04")
}

// spanText writes a duration for people, to the minute: "46 h 20 min",
// "12 min"; from three days on "5 d 3 h".
func spanText(d time.Duration) string {
	d = d.Abs().Truncate(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d/time.Hour), int(d/time.Minute)%60
	switch {
	case days >= 3:
		return fmt.Sprintf("%d d %d h", days, hours%24)
	case hours > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	}
	return fmt.Sprintf("%d min", mins)
}

// alertClock is where an alert's response clock stands at a time.
type alertClock struct {
	HasClock bool          // the alert's severity gives it one
	Stopped  bool          // it was acknowledged
	Overdue  bool          // due, and not acknowledged
	Late     bool          // acknowledged after it was due
	Left     time.Duration // until due, negative when overdue; 0 when stopped
	Text     string        // the clock in words
}

// clockOf reads a's clock at now.
func clockOf(a *store.Alert, now time.Time) alertClock {
	if a.DueAt.IsZero() {
		return alertClock{Text: "no response clock"}
	}
	c := alertClock{HasClock: true}
	switch {
	case !a.AcknowledgedAt.IsZero():
		c.Stopped, c.Late = true, a.AcknowledgedAt.After(a.DueAt)
		c.Text = "acknowledged " + spanText(a.AcknowledgedAt.Sub(a.ReceivedAt)) + " after receipt"
		if c.Late {
			c.Text = "acknowledged " + spanText(a.AcknowledgedAt.Sub(a.DueAt)) + " late"
		}
	case a.Overdue(now):
		c.Overdue, c.Left = true, a.DueAt.Sub(now)
		c.Text = "overdue by " + spanText(c.Left)
	default:
		c.Left = a.DueAt.Sub(now)
		c.Text = spanText(c.Left) + " left"
	}
	return c
}

// firstField is the first field error of a joined error, which names the
// field at fault; errors.Join of nothing but nils is nil.
func firstField(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
		return j.Unwrap()[0]
	}
	return err
}

// workflowError is a refusal that is not a field's: who may not, or a
// clash with what is stored.
type workflowError struct {
	status int
	msg    string
}

func (e *workflowError) Error() string { return e.msg }

func errForbidden(msg string) error { return &workflowError{http.StatusForbidden, msg} }
func errConflict(msg string) error  { return &workflowError{http.StatusConflict, msg} }

// workflowStatus is the status and message of a workflow write's error: 400
// for bad input, 409 for a clash, 404, or 500 for the server's own.
func workflowStatus(err error) (int, string) {
	var fe *fieldError
	var we *workflowError
	switch {
	case errors.As(err, &fe):
		return http.StatusBadRequest, fe.Error()
	case errors.As(err, &we):
		return we.status, we.msg
	case errors.Is(err, store.ErrStateOrder):
		return http.StatusConflict, "the move was refused: " +
			strings.TrimPrefix(err.Error(), "store: ")
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "there is no such thing"
	case errors.Is(err, store.ErrInvalid):
		return http.StatusBadRequest, invalidText(err)
	}
	return http.StatusInternalServerError, "internal error; it has been logged"
}

// workflowPageError is workflowStatus for a page: a field named as a label
// ("Window start: ...").
func workflowPageError(err error) (int, string) {
	var fe *fieldError
	if errors.As(err, &fe) {
		return http.StatusBadRequest, upperFirst(strings.ReplaceAll(fe.field, "_", " ")) + ": " + fe.msg
	}
	status, msg := workflowStatus(err)
	return status, upperFirst(msg)
}

// pathID reads the {id} of a route as a positive number; ok is false
// for anything else.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// workflowRefused answers a refused write of a page: show renders the
// page again with the message, but for the server's own errors and for
// a thing that does not exist (notFound says which).
func (s *Server) workflowRefused(w http.ResponseWriter, r *http.Request, err error, notFound string,
	show func(int, string)) {
	status, msg := workflowPageError(err)
	switch status {
	case http.StatusInternalServerError:
		s.internal(w, r, err)
	case http.StatusNotFound:
		s.errorPage(w, r, status, notFound)
	default:
		show(status, msg+".")
	}
}

// upperFirst capitalises a message's first letter, for a page.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// alertSeverities are the severities an alert may be recorded with:
// NHS England's for cyber alerts.
var alertSeverities = []string{"high", "medium", "low"}

// alertFindingStatuses are the statuses of the findings that make an
// alert apply to a device: any but not affected.
var alertFindingStatuses = []string{store.StatusAffected, store.StatusUnderInvestigation,
	store.StatusFixed}

// alertDeviceQuery selects the devices an alert applies to in sites
// (every site when nil): findings on its CVEs, of any status but not
// affected, at the default threshold or above.
func alertDeviceQuery(a *store.Alert, sites []int64) store.FindingDevicesQuery {
	return store.FindingDevicesQuery{FindingQuery: store.FindingQuery{CVEs: a.CVEs,
		Status: alertFindingStatuses, MinConfidence: match.DefaultThreshold, SiteIDs: sites}}
}

// errNoWorkflowSites refuses a principal who may use a permission nowhere.
var errNoWorkflowSites = errors.New("your role allows this in no site")

// workflowScope is where p may see vulnerabilities: nil for every site.
func workflowScope(p *principal) ([]int64, error) {
	all, sites := p.scope(auth.PermVulnsRead)
	if all {
		return nil, nil
	}
	if len(sites) == 0 {
		return nil, errNoWorkflowSites
	}
	return sites, nil
}

// canEverywhere reports whether p may use perm in every site: plans and
// alerts are the whole trust's, so only such a user changes them.
func canEverywhere(p *principal, perm auth.Permission) bool {
	all, _ := p.scope(perm)
	return all
}

// alertDeviceCount counts the devices a applies to in sites.
func (s *Server) alertDeviceCount(ctx context.Context, a *store.Alert, sites []int64) (int, error) {
	if len(a.CVEs) == 0 {
		return 0, nil
	}
	q := alertDeviceQuery(a, sites)
	q.Limit = -1
	pg, err := s.db.FindingDevices(ctx, q)
	return pg.Total, err
}

// productKey is a vendor, model and software version as patch plans are
// keyed by.
type productKey struct{ vendor, model, version string }

// productCounts counts devices by their product: by vendor, model and
// version, and by vendor and model alone (version "").
type productCounts map[productKey]int

// plan is how many devices a patch plan covers: those of its vendor and
// model at its version, or at any when it names none.
func (c productCounts) plan(p *store.PatchPlan) int {
	return c[productKey{p.VendorKey, p.ModelKey, p.FromVersion}]
}

// productCounts counts the devices in sites (every site when nil) by
// product, as matching sees them: the asset register's manufacturer,
// model and software version where it names the device, else the
// analysis's.
func (s *Server) productCounts(ctx context.Context, sites []int64) (productCounts, error) {
	devs, err := s.db.DeviceProducts(ctx, sites)
	if err != nil {
		return nil, err
	}
	entries, err := s.registerEntries(ctx)
	if err != nil {
		return nil, err
	}
	vendors := match.DefaultVendors()
	out := productCounts{}
	for _, d := range devs {
		vendor, model, version := d.Vendor, d.Model, analysisVersion(d.Software)
		if e := entries[d.ID]; e != nil {
			vendor = orText(e.Fields[register.Manufacturer], vendor)
			model = orText(e.Fields[register.Model], model)
			version = orText(e.Fields[register.SoftwareVersion], version)
		}
		k := productKey{vendors.Key(vendor), match.ModelKey(model), ""}
		out[k]++
		if k.version = match.VersionKey(version); k.version != "" {
			out[k]++
		}
	}
	return out, nil
}

// registerEntries are the entries of the latest register import, by the
// device each was reconciled with.
func (s *Server) registerEntries(ctx context.Context) (map[string]*register.Entry, error) {
	ri, err := s.db.LatestRegisterImport(ctx)
	if errors.Is(err, store.ErrNotFound) || err == nil && ri.Reconciliation == nil {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]*register.Entry, len(ri.Reconciliation.Matched))
	for i := range ri.Reconciliation.Matched {
		m := &ri.Reconciliation.Matched[i]
		out[m.DeviceID] = &m.Entry
	}
	return out, nil
}

func orText(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

func analysisVersion(software string) string { return ingest.SoftwareVersion(software) }

// memPage is a page of a list the store returns whole: the cursor of
// the previous page and the size.
type memPage struct {
	after string // the key of the last item of the previous page, "" for none
	limit int
}

// readMemPage reads ?cursor= and ?limit= (1 to 500, default 100).
func readMemPage(q url.Values) (memPage, error) {
	pg := memPage{limit: 100}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || !utf8.Valid(b) || len(b) > 1000 {
			return pg, errors.New("cursor is malformed: pass next_cursor back as it is")
		}
		pg.after = string(b)
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return pg, errors.New("limit must be from 1 to 500")
		}
		pg.limit = n
	}
	return pg, nil
}

// memPageOf returns the page of items (in the order of their keys, which
// are distinct; descending when desc) after pg.after, and the cursor of
// the next page, "" on the last.
func memPageOf[T any](items []T, key func(*T) string, desc bool, pg memPage) ([]T, string) {
	start := 0
	if pg.after != "" {
		for start < len(items) {
			k := key(&items[start])
			if desc && k < pg.after || !desc && k > pg.after {
				break
			}
			start++
		}
	}
	end := min(start+pg.limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(&items[end-1])))
	}
	return items[start:end], next
}

// idSortKey is an id as a key that sorts as the number does.
func idSortKey(id int64) string { return fmt.Sprintf("%020d", id) }
