package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// filterSQL is a DeviceFilter as SQL: what to select from, the
// conditions and their parameters ($1 …).
type filterSQL struct {
	from  string // "devices d", or device_search joined to it
	conds []cond
	args  []any
	// fts is set when the search reads the trigram index: from joins it.
	fts bool
	// rowOnly is set when every condition reads only the devices row, so
	// that devices_counts, which holds their columns, can answer alone.
	rowOnly bool
	// scan is set when the search is a substring test of each row, which
	// no index but the covering ones can answer.
	scan bool
}

// arg adds a parameter and returns its placeholder.
func (s *filterSQL) arg(v any) string {
	s.args = append(s.args, v)
	return fmt.Sprintf("$%d", len(s.args))
}

// cond is a condition: col expr, where col is the column an index could
// find the rows by, or "" for none.
type cond struct{ col, expr string }

func (s *filterSQL) add(expr string) { s.conds = append(s.conds, cond{expr: expr}) }

// addCol adds the condition col expr.
func (s *filterSQL) addCol(col, expr string) {
	s.conds = append(s.conds, cond{col: col, expr: " " + expr})
}

// where is the WHERE clause, "" for none.
func (s *filterSQL) where() string { return s.whereNoIndex(nil) }

// whereNoIndex is the WHERE clause with the columns in noIndex written
// +col: SQLite then finds no rows by their indexes, nor takes them for
// constants when it orders.
func (s *filterSQL) whereNoIndex(noIndex map[string]bool) string {
	if len(s.conds) == 0 {
		return ""
	}
	parts := make([]string, len(s.conds))
	for i, c := range s.conds {
		if noIndex[c.col] {
			parts[i] = "+" + c.col + c.expr
		} else {
			parts[i] = c.col + c.expr
		}
	}
	return " WHERE " + strings.Join(parts, " AND ")
}

// searchCandidates is the most devices a search may find in the trigram
// index for the page to start from them. A search that finds more is
// common enough that walking the devices in the page's order finds a page
// of them sooner than sorting them all would.
const searchCandidates = 5000

// filter is f as SQL for db's backend. A search of three characters or
// more that the trigram index finds few devices for starts from those
// devices (q reads how many); any other is a substring test of each
// device's search column.
func (db *DB) filter(ctx context.Context, q querier, f *DeviceFilter) (*filterSQL, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	s := &filterSQL{from: "devices d", rowOnly: true}
	if text := f.searchText(); text != "" {
		if err := db.search(ctx, q, s, text); err != nil {
			return nil, err
		}
	}
	f.conditions(s)
	return s, nil
}

// search adds the condition of a search for text.
func (db *DB) search(ctx context.Context, q querier, s *filterSQL, text string) error {
	if db.dialect.fts && utf8.RuneCountInString(text) >= 3 {
		// A phrase of the text's trigrams, one after the other: the
		// devices whose search column holds text.
		phrase := `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
		var n int
		err := q.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM device_search "+
			"WHERE device_search MATCH $1 LIMIT $2)", phrase, searchCandidates+1).Scan(&n)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if n <= searchCandidates {
			// CROSS JOIN keeps SQLite from putting devices first.
			s.from = "device_search CROSS JOIN devices d ON d.search_key = device_search.rowid"
			s.add("device_search MATCH " + s.arg(phrase))
			s.fts, s.rowOnly = true, false
			return nil
		}
	}
	s.add(fmt.Sprintf(db.dialect.contains, "d.search", s.arg(text)))
	s.scan = true
	return nil
}

// check refuses a filter whose text the store could not hold.
func (f *DeviceFilter) check() error {
	return checkText("filter", "search", f.Search, "category", f.Category,
		"vendor", f.Vendor, "criticality", f.Criticality, "tag", f.Tag)
}

// searchText is the search as devices.search holds text: lower case, with
// no space around it.
func (f *DeviceFilter) searchText() string {
	return strings.ToLower(strings.TrimSpace(f.Search))
}

// conditions adds the conditions of f but its search to s.
func (f *DeviceFilter) conditions(s *filterSQL) {
	for _, eq := range []struct{ col, v string }{
		{"d.category", f.Category}, {"d.vendor", f.Vendor}, {"d.criticality", f.Criticality},
	} {
		if eq.v != "" {
			s.addCol(eq.col, "= "+s.arg(eq.v))
		}
	}
	if f.Tag != "" {
		s.add("EXISTS (SELECT 1 FROM device_tags dt JOIN tags t ON t.id = dt.tag_id " +
			"WHERE dt.device_id = d.id AND t.name = " + s.arg(f.Tag) + ")")
		s.rowOnly = false
	}
	if f.SiteID != 0 {
		s.addCol("d.location_id", "IN (SELECT id FROM locations WHERE site_id = "+
			s.arg(f.SiteID)+")")
	}
	if len(f.SiteIDs) > 0 {
		ph := make([]string, len(f.SiteIDs))
		for i, id := range f.SiteIDs {
			ph[i] = s.arg(id)
		}
		s.addCol("d.location_id", "IN (SELECT id FROM locations WHERE site_id IN ("+
			strings.Join(ph, ", ")+"))")
	}
	if !f.SeenAfter.IsZero() {
		s.addCol("d.last_seen", ">= "+s.arg(nanos(f.SeenAfter)))
	}
	if !f.SeenBefore.IsZero() {
		s.addCol("d.last_seen", "< "+s.arg(nanos(f.SeenBefore)))
	}
}

// where is the WHERE clause of f, its parameters appended to args, for the
// queries that need no particular plan: its search is a LIKE, which both
// backends run alike, and reads every row.
func (f *DeviceFilter) where(args *[]any) (string, error) {
	if err := f.check(); err != nil {
		return "", err
	}
	s := &filterSQL{args: *args}
	if text := f.searchText(); text != "" {
		s.add("d.search LIKE " + s.arg("%"+escapeLike(text)+"%") + " ESCAPE '\\'")
	}
	f.conditions(s)
	*args = s.args
	return s.where(), nil
}

// escapeLike escapes the LIKE wildcards in s, with \ as the escape.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// countFrom is what the counts of s select from, and their WHERE clause:
// on SQLite, when s reads the row only, devices_counts, in the order of its
// groups. A criticality, the second of them, is written so that SQLite
// does not take it for a constant and then sort the groups.
func (s *filterSQL) countFrom(d *dialect) (from, where string) {
	if s.rowOnly && d.covering {
		return s.from + " INDEXED BY devices_counts",
			s.whereNoIndex(map[string]bool{"d.criticality": true})
	}
	return s.from, s.where()
}

// cover is the index that holds every column the conditions of s read
// (with rowOnly set): devices_site for a filter by site, which finds the
// site's devices in it, else devices_counts.
func (s *filterSQL) cover() string {
	for _, c := range s.conds {
		if c.col == "d.location_id" {
			return "devices_site"
		}
	}
	return "devices_counts"
}

// on reports whether s has a condition on column col.
func (s *filterSQL) on(col string) bool {
	for _, c := range s.conds {
		if c.col == col {
			return true
		}
	}
	return false
}

// indexed reports whether any condition of s could find rows by an index.
func (s *filterSQL) indexed() bool {
	for _, c := range s.conds {
		if c.col != "" {
			return true
		}
	}
	return false
}
