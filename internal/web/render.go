package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/register"
	"github.com/wardhq/ward/internal/store"
)

// parsePages parses each page template with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template)
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", base, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// sortHeader is a sortable column heading of the inventory.
type sortHeader struct {
	Label, URL    string
	Current, Desc bool
}

// chartRow is one bar of a dashboard chart.
type chartRow struct {
	Label, Link, Width, Class string
	Devices                   int
}

type chartView struct {
	Title, Param string
	Rows         []chartRow
}

// chart makes a bar chart of counts; each bar links to the inventory
// filtered by its value.
func chart(title, param string, counts []store.Count) chartView {
	v := chartView{Title: title, Param: param}
	top := 0
	for _, c := range counts {
		top = max(top, c.Devices)
	}
	for _, c := range counts {
		// A bar of one device among hundreds is still drawn, a sliver wide.
		w := max(float64(c.Devices)*100/float64(max(top, 1)), 0.8)
		row := chartRow{Label: c.Value, Devices: c.Devices, Class: c.Value,
			Width: fmt.Sprintf("%.1f", w)}
		switch {
		case c.Value == "" && param == "site":
			row.Label = "not placed"
		case c.Value == "":
			row.Label, row.Class = "unknown", "unknown"
		case param != "site" && c.Value != "other":
			row.Link = "/devices?" + param + "=" + url.QueryEscape(c.Value)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

var funcs = template.FuncMap{
	"chart":       chart,
	"auditDetail": auditDetail,
	"bytes":       byteSize,
	"siteName":    siteName,
	"field":       func(e register.Entry, f string) string { return e.Fields[register.Field(f)] },
	"sortCol": func(v inventoryView, col, label string) sortHeader {
		return sortHeader{Label: label, URL: v.SortURLs[col], Current: v.Sort == col, Desc: v.Desc}
	},
	"when":    when,
	"ago":     ago,
	"percent": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"join":    strings.Join,
	"add":     func(a, b int) int { return a + b },
	"protoName": func(p uint8) string {
		switch p {
		case 6:
			return "tcp"
		case 17:
			return "udp"
		case 1:
			return "icmp"
		case 58:
			return "icmpv6"
		}
		return fmt.Sprintf("ip/%d", p)
	},
}

// siteName names the site of that id among sites, for a grant or a
// token limited to it.
func siteName(sites []store.Location, id int64) string {
	for _, l := range sites {
		if l.ID == id {
			return l.Name
		}
	}
	return fmt.Sprintf("site %d", id)
}

// byteSize writes a size in bytes for people: "8.3 MB".
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	f, prefix := float64(n)/unit, "kMGTPE"
	for f >= unit && len(prefix) > 1 {
		f, prefix = f/unit, prefix[1:]
	}
	return fmt.Sprintf("%.1f %cB", f, prefix[0])
}

// detailItem is one key and value of an audit event's detail, as the
// audit page shows it.
type detailItem struct{ Key, Value string }

// auditDetail turns an event's JSON detail into lines for people: a key
// and its value a line, in key order, a device edit's changes one a line
// with locations named by places (id to path).
func auditDetail(raw json.RawMessage, places map[int64]string) []detailItem {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		if len(raw) == 0 {
			return nil
		}
		return []detailItem{{"", string(raw)}}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []detailItem
	for _, k := range keys {
		var changes []change
		if k == "changes" && json.Unmarshal(obj[k], &changes) == nil {
			for _, c := range changes {
				out = append(out, changeItem(c, places))
			}
			continue
		}
		var s string
		if json.Unmarshal(obj[k], &s) != nil {
			s = string(obj[k])
		}
		out = append(out, detailItem{k, s})
	}
	return out
}

// changeItem writes one field's change: "not placed → Site › Ward 7".
func changeItem(c change, places map[int64]string) detailItem {
	name := func(v string) string {
		if c.Field == "location" {
			id, err := strconv.ParseInt(v, 10, 64)
			switch {
			case err == nil && id == 0:
				return "not placed"
			case err == nil && places[id] != "":
				return places[id]
			}
		}
		if v == "" {
			return "(none)"
		}
		return "“" + v + "”"
	}
	return detailItem{c.Field, name(c.From) + " → " + name(c.To)}
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// view is what every page template gets.
type view struct {
	Title string
	Nav   string // the menu entry to highlight
	User  *principal
	CSRF  string
	Flash string // a message after a form was handled
	Error string
	Data  any
}

// Can lets a template ask whether the user may do something.
func (v *view) Can(perm string) bool {
	return v.User != nil && v.User.can(permission(perm))
}

// render writes a page. The template runs into a buffer first, so that a
// failure is a clean error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t := s.pages[name]
	if t == nil {
		s.log.Error("no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v.User == nil {
		v.User = who(r.Context())
	}
	if v.User != nil && v.CSRF == "" {
		v.CSRF = v.User.csrf
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.log.Error("page not rendered", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage shows a short explanation with the status. A request refused
// before its handler ran (an unknown path, a missing permission) carries
// no principal; the page still names the signed-in user and keeps the
// menu, so that the error does not look like being signed out.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := &view{Title: http.StatusText(status), Error: msg, Data: status}
	if who(r.Context()) == nil {
		v.User = s.browserUser(r)
	}
	s.render(w, r, status, "error", v)
}

// browserUser is the user whose session cookie r carries, nil when none
// is valid.
func (s *Server) browserUser(r *http.Request) *principal {
	p, err := s.authenticate(nil, r, route{session: true})
	if err != nil {
		return nil
	}
	return p
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSONError(w, http.StatusNotFound, "no such API route")
		return
	}
	s.errorPage(w, r, http.StatusNotFound, "There is no such page.")
}

// writeJSON writes v as the JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// apiError is the body of every API error.
type apiError struct {
	Error string `json:"error"`
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(apiError{Error: msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func (s *Server) staticFile(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	b, err := fs.ReadFile(s.static, name)
	if err != nil || name == "" {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func urlPathEscape(s string) string { return url.PathEscape(s) }

// favicon answers the request browsers make on their own, with the logo.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(s.static, "ward.svg")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b)
}
