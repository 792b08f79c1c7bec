package web

import (
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

// deviceFilter reads the inventory's filters from a query string: the same
// names on pages and in the API.
func deviceFilter(q url.Values, now time.Time) (store.DeviceFilter, error) {
	f := store.DeviceFilter{Search: strings.TrimSpace(q.Get("q")), Category: q.Get("category"),
		Vendor: q.Get("vendor"), Criticality: q.Get("criticality"), Tag: q.Get("tag")}
	if v := q.Get("site"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, errors.New("site must be a site's number")
		}
		f.SiteID = id
	}
	switch v := q.Get("seen"); v {
	case "", "any":
	case "7d", "30d", "90d":
		days, _ := strconv.Atoi(strings.TrimSuffix(v, "d"))
		f.SeenAfter = now.Add(-time.Duration(days) * 24 * time.Hour)
	case "stale30d":
		f.SeenBefore = now.Add(-30 * 24 * time.Hour)
	default:
		return f, errors.New("seen must be any, 7d, 30d, 90d or stale30d")
	}
	return f, nil
}

// scoped limits a filter to the sites where p may use perm. ok is false
// when p may use it nowhere.
func scoped(p *principal, perm auth.Permission, f store.DeviceFilter) (store.DeviceFilter, bool) {
	all, sites := p.scope(perm)
	if all {
		return f, true
	}
	if len(sites) == 0 {
		return f, false
	}
	f.SiteIDs = sites
	return f, true
}

// deviceQuery reads a page request: filters, sort, order, cursor, size.
func deviceQuery(q url.Values, now time.Time) (store.DeviceQuery, error) {
	f, err := deviceFilter(q, now)
	if err != nil {
		return store.DeviceQuery{}, err
	}
	dq := store.DeviceQuery{DeviceFilter: f, Sort: q.Get("sort"), Desc: q.Get("order") == "desc",
		Cursor: q.Get("cursor")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return dq, errors.New("limit must be from 1 to 500")
		}
		dq.Limit = n
	}
	if dq.Sort == "" {
		dq.Sort = "last_seen"
		dq.Desc = q.Get("order") != "asc"
	}
	return dq, nil
}

type inventoryView struct {
	Query      url.Values
	Devices    []store.Device
	Total      int
	Next       string
	Sort       string
	Desc       bool
	Categories []store.Count
	Vendors    []store.Count
	Crit       []store.Count
	Sites      []store.Location
	NextURL    string
	FirstURL   string
	SortURLs   map[string]string
	CSVURL     string
	SiteNames  map[int64]string
}

func (s *Server) inventoryPage(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	q := r.URL.Query()
	dq, err := deviceQuery(q, s.now())
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	var ok bool
	if dq.DeviceFilter, ok = scoped(p, auth.PermDevicesRead, dq.DeviceFilter); !ok {
		s.forbidden(w, r, page, "you may see no site's devices")
		return
	}
	pg, err := s.db.ListDevices(r.Context(), dq)
	if errors.Is(err, store.ErrInvalid) {
		s.errorPage(w, r, http.StatusBadRequest, "The inventory cannot be shown that way: "+err.Error())
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	total, err := s.db.CountMatching(r.Context(), dq.DeviceFilter)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	facets, err := s.facets.get(r.Context(), s.db, scopeOnly(dq.DeviceFilter), s.now())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	sites, err := s.sites(r)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := inventoryView{Query: q, Devices: pg.Devices, Total: total, Next: pg.Next,
		Sort: dq.Sort, Desc: dq.Desc, Categories: facets.ByCategory, Vendors: facets.ByVendor,
		Crit: facets.ByCriticality, Sites: sites, SortURLs: map[string]string{},
		SiteNames: siteNames(sites)}
	if pg.Next != "" {
		v.NextURL = withParams(q, "cursor", pg.Next)
	}
	if q.Get("cursor") != "" {
		v.FirstURL = withParams(q, "cursor", "")
	}
	for _, col := range []string{"name", "vendor", "model", "category", "criticality", "last_seen"} {
		order := "asc"
		if dq.Sort == col && !dq.Desc {
			order = "desc"
		}
		v.SortURLs[col] = withParams(q, "sort", col, "order", order, "cursor", "")
	}
	v.CSVURL = "/devices.csv?" + withoutParams(q, "cursor", "limit")
	s.render(w, r, http.StatusOK, "inventory", &view{Title: "Inventory", Nav: "devices", Data: v})
}

// scopeOnly keeps of f only the site limits, for the filter menus.
func scopeOnly(f store.DeviceFilter) store.DeviceFilter {
	return store.DeviceFilter{SiteIDs: f.SiteIDs}
}

// withParams returns the query with the pairs set ("" deletes).
func withParams(q url.Values, kv ...string) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			c.Del(kv[i])
		} else {
			c.Set(kv[i], kv[i+1])
		}
	}
	return "?" + c.Encode()
}

func withoutParams(q url.Values, keys ...string) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	for _, k := range keys {
		c.Del(k)
	}
	return c.Encode()
}

// sites lists the sites, for menus.
func (s *Server) sites(r *http.Request) ([]store.Location, error) {
	locs, err := s.db.Locations(r.Context())
	if err != nil {
		return nil, err
	}
	var out []store.Location
	for _, l := range locs {
		if l.Kind == store.Site {
			out = append(out, l)
		}
	}
	return out, nil
}

func siteNames(sites []store.Location) map[int64]string {
	m := make(map[int64]string, len(sites))
	for _, l := range sites {
		m[l.ID] = l.Name
	}
	return m
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "err", err, "path", r.URL.Path)
	s.errorPage(w, r, http.StatusInternalServerError, "Something went wrong on the server; it has been logged.")
}

// csvSafe defuses a cell that a spreadsheet would run as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func (s *Server) inventoryCSV(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	dq, err := deviceQuery(r.URL.Query(), s.now())
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	var ok bool
	if dq.DeviceFilter, ok = scoped(p, auth.PermExport, dq.DeviceFilter); !ok {
		s.forbidden(w, r, page, "you may export no site's devices")
		return
	}
	dq.Limit, dq.Cursor = 500, ""
	// The first page is read before the answer starts, so that a filter
	// the store refuses is a 400 rather than an empty export.
	pg, err := s.db.ListDevices(r.Context(), dq)
	if errors.Is(err, store.ErrInvalid) {
		s.errorPage(w, r, http.StatusBadRequest, "The inventory cannot be exported that way: "+err.Error())
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ward-devices.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "name", "mac", "ips", "vendor", "model", "category", "criticality",
		"os", "software", "first_seen", "last_seen"})
	rows := 0
	for {
		for _, d := range pg.Devices {
			// Every cell is defused: a person can set criticality and
			// category too, not only the free-text fields.
			row := []string{d.ID, d.Name, d.MAC, strings.Join(d.IPs, " "), d.Vendor, d.Model,
				d.Category, d.Criticality, d.OS, d.Software, stampCSV(d.FirstSeen),
				stampCSV(d.LastSeen)}
			for i := range row {
				row[i] = csvSafe(row[i])
			}
			cw.Write(row)
		}
		rows += len(pg.Devices)
		if pg.Next == "" {
			break
		}
		dq.Cursor = pg.Next
		if pg, err = s.db.ListDevices(r.Context(), dq); err != nil {
			s.log.Error("csv export broke off", "err", err)
			break
		}
	}
	cw.Flush()
	s.record(r, p.name, "export.devices_csv", "", map[string]any{"rows": rows,
		"filter": r.URL.RawQuery})
}

func stampCSV(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
