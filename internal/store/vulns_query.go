package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// FindingQuery asks for a page of findings. Its conditions all apply;
// an empty one keeps every finding.
type FindingQuery struct {
	DeviceID   string
	AdvisoryID string
	CVE        string
	CVEs       []string // any of them: the CVEs of a cyber alert, say
	Status     []string // any of them
	// MinConfidence keeps the findings of at least that confidence;
	// BelowConfidence, when set, those below it: the review queue.
	MinConfidence   float64
	BelowConfidence float64
	// Undecided keeps the findings no ruling settles: none applies, or
	// the one that does was reopened.
	Undecided bool
	// SiteIDs, when not empty, keeps the findings of devices placed in
	// one of these sites, as DeviceFilter.SiteIDs does.
	SiteIDs []int64
	// Order is "priority" (the default: highest first), "confidence"
	// (highest first) or "device" (by device, then advisory); ties are
	// broken by device, advisory and CVE, so pages are stable.
	Order string
	// Limit is the page size: default 50, at most 500.
	Limit int
	// After is the Next of the previous page, "" for the first.
	After string
}

// FindingPage is a page of findings.
type FindingPage struct {
	Rows []FindingRow
	// Next is the cursor of the next page, "" on the last page.
	Next string
	// Total counts the findings the query selects, on every page.
	Total int
}

// FindingScope is what FindingCounts counts.
type FindingScope struct {
	// SiteIDs, when not empty, counts the findings of devices placed in
	// one of these sites.
	SiteIDs []int64
	// Threshold is the confidence below which a finding no ruling settles
	// is for review, not for action (match.DefaultThreshold).
	Threshold float64
}

// FindingFigures are the counts of a dashboard's vulnerability panel. A
// finding is for action when its confidence is at least the threshold or
// a ruling settles it, and for review otherwise.
type FindingFigures struct {
	Total    int            // every finding
	ByLevel  map[string]int // affected findings for action, by priority level
	ByStatus map[string]int // findings for action, by status
	Review   int            // findings for review
	Devices  int            // devices with an affected finding for action
}

// findingOrders are the orders of findings: the ORDER BY and the column
// of the cursor's number, "" for none.
var findingOrders = map[string]struct{ by, num string }{
	"priority":   {"v.priority DESC, v.device_id, v.advisory_id, v.cve", "v.priority"},
	"confidence": {"v.confidence DESC, v.device_id, v.advisory_id, v.cve", "v.confidence"},
	"device":     {"v.device_id, v.advisory_id, v.cve", ""},
}

// findingCursor is where a page of findings ended.
type findingCursor struct {
	Order    string  `json:"o"`
	Num      float64 `json:"n,omitempty"`
	Device   string  `json:"d"`
	Advisory string  `json:"a"`
	CVE      string  `json:"c,omitempty"`
}

// Findings returns a page of the findings q selects, in its order, with
// how many it selects in all.
func (db *DB) Findings(ctx context.Context, q FindingQuery) (FindingPage, error) {
	var page FindingPage
	if q.Order == "" {
		q.Order = "priority"
	}
	order, ok := findingOrders[q.Order]
	if !ok {
		return page, errorf("findings", invalidf("unknown order %.80q", q.Order))
	}
	s, err := q.conditions()
	if err != nil {
		return page, errorf("findings", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	err = db.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM device_vulns v"+s.where(),
			s.args...).Scan(&page.Total); err != nil {
			return err
		}
		if q.After != "" {
			if err := s.after(q.After, q.Order, order.num); err != nil {
				return err
			}
		}
		from := "device_vulns v"
		if ix := q.pageIndex(); ix != "" && db.dialect.planPages {
			from += " INDEXED BY " + ix
		}
		page.Rows, err = readFindingsFrom(ctx, tx, from, s, order.by, limit+1)
		return err
	})
	if err != nil {
		return FindingPage{}, errorf("findings", err)
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		page.Next = nextFindings(&page.Rows[limit-1], q.Order)
	}
	return page, nil
}

// conditions are the conditions of q but its cursor.
func (q *FindingQuery) conditions() (*filterSQL, error) {
	err := checkText("finding query", "device id", q.DeviceID, "advisory id", q.AdvisoryID,
		"cve", q.CVE, "cves", strings.Join(q.CVEs, ""), "status", strings.Join(q.Status, ""))
	if err != nil {
		return nil, err
	}
	for _, st := range q.Status {
		if !validStatus(st) {
			return nil, invalidf("finding query: unknown status %.80q", st)
		}
	}
	s := &filterSQL{}
	for _, eq := range []struct{ col, v string }{
		{"v.device_id", q.DeviceID}, {"v.advisory_id", q.AdvisoryID}, {"v.cve", q.CVE},
	} {
		if eq.v != "" {
			s.addCol(eq.col, "= "+s.arg(eq.v))
		}
	}
	s.in("v.cve", q.CVEs)
	s.in("v.status", q.Status)
	if q.MinConfidence > 0 {
		s.addCol("v.confidence", ">= "+s.arg(q.MinConfidence))
	}
	if q.BelowConfidence > 0 {
		s.addCol("v.confidence", "< "+s.arg(q.BelowConfidence))
	}
	if q.Undecided {
		s.add("NOT " + settled("v"))
	}
	siteScope(s, q.SiteIDs)
	return s, nil
}

// in adds the condition that col is one of vals, if any.
func (s *filterSQL) in(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = s.arg(v)
	}
	s.addCol(col, "IN ("+strings.Join(ph, ", ")+")")
}

// siteScope adds the condition that a finding's device is placed in one
// of the sites, if any.
func siteScope(s *filterSQL, siteIDs []int64) {
	if len(siteIDs) == 0 {
		return
	}
	ph := make([]string, len(siteIDs))
	for i, id := range siteIDs {
		ph[i] = s.arg(id)
	}
	s.addCol("v.device_id", "IN (SELECT d.id FROM devices d JOIN locations l ON "+
		"l.id = d.location_id WHERE l.site_id IN ("+strings.Join(ph, ", ")+"))")
}

// after adds the condition that starts a page after the cursor c.
func (s *filterSQL) after(c, order, num string) error {
	var fc findingCursor
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		err = json.Unmarshal(b, &fc)
	}
	if err != nil {
		return invalidf("malformed cursor")
	}
	if fc.Order != order {
		return invalidf("cursor is for another order")
	}
	if err := checkText("cursor", "device", fc.Device, "advisory", fc.Advisory,
		"cve", fc.CVE); err != nil {
		return err
	}
	keys := fmt.Sprintf("(v.device_id, v.advisory_id, v.cve) > (%s, %s, %s)",
		s.arg(fc.Device), s.arg(fc.Advisory), s.arg(fc.CVE))
	if num == "" {
		s.add(keys)
		return nil
	}
	var n string
	if order == "priority" {
		n = s.arg(int64(fc.Num))
	} else {
		n = s.arg(fc.Num)
	}
	s.add(fmt.Sprintf("(%s < %s OR %s = %s AND %s)", num, n, num, n, keys))
	return nil
}

func nextFindings(last *FindingRow, order string) string {
	c := findingCursor{Order: order, Device: last.DeviceID, Advisory: last.AdvisoryID,
		CVE: last.CVE}
	switch order {
	case "priority":
		c.Num = float64(last.Priority)
	case "confidence":
		c.Num = last.Confidence
	}
	b, _ := json.Marshal(c) // a struct of strings and numbers always encodes
	return base64.RawURLEncoding.EncodeToString(b)
}

// pageIndex is the index of device_vulns a page of q's findings should
// walk, or "" when the index of a condition finds few findings. Left to
// itself, SQLite's planner sorts every finding for a page of 50 (200 ms
// among 200,000) rather than walk the index of the order (5 ms); the
// store names the index to SQLite (dialect.planPages).
func (q *FindingQuery) pageIndex() string {
	if q.DeviceID != "" || q.AdvisoryID != "" || q.CVE != "" || len(q.CVEs) > 0 {
		return ""
	}
	switch {
	case q.Order == "priority" && len(q.Status) != 1:
		return "device_vulns_priority"
	case q.Order == "confidence":
		return "device_vulns_confidence"
	}
	return ""
}

// readFindings reads up to limit findings s selects, in the order
// orderBy.
func readFindings(ctx context.Context, tx *sql.Tx, s *filterSQL, orderBy string, limit int) (
	[]FindingRow, error) {
	return readFindingsFrom(ctx, tx, "device_vulns v", s, orderBy, limit)
}

// readFindingsFrom is readFindings from from: device_vulns v, perhaps
// with an index named.
func readFindingsFrom(ctx context.Context, tx *sql.Tx, from string, s *filterSQL, orderBy string,
	limit int) ([]FindingRow, error) {
	cols := "v." + strings.ReplaceAll(findingColumns, ", ", ", v.")
	rows, err := tx.QueryContext(ctx, "SELECT "+cols+", "+lastMatched+", COALESCE(d.name, ''), "+
		"COALESCE(a.title, '') FROM "+from+" LEFT JOIN devices d ON d.id = v.device_id "+
		"LEFT JOIN advisories a ON a.id = v.advisory_id"+lastMatchedJoins+s.where()+
		" ORDER BY "+orderBy+" LIMIT "+s.arg(limit), s.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FindingRow
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FindingCounts counts the findings in scope for a dashboard.
func (db *DB) FindingCounts(ctx context.Context, sc FindingScope) (FindingFigures, error) {
	fig := FindingFigures{ByLevel: map[string]int{}, ByStatus: map[string]int{}}
	if err := checkUnit("finding scope", "threshold", sc.Threshold); err != nil {
		return fig, errorf("finding counts", err)
	}
	s := &filterSQL{}
	action := "(v.confidence >= " + s.arg(sc.Threshold) + " OR " + settled("v") + ")"
	siteScope(s, sc.SiteIDs)
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT v.status, v.level, "+action+", count(*) "+
			"FROM device_vulns v"+s.where()+" GROUP BY 1, 2, 3", s.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var status, level string
			var forAction bool
			var n int
			if err := rows.Scan(&status, &level, &forAction, &n); err != nil {
				return err
			}
			fig.count(status, level, forAction, n)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		s.add(action + " AND v.status = 'affected'")
		return tx.QueryRowContext(ctx, "SELECT count(DISTINCT v.device_id) FROM device_vulns v"+
			s.where(), s.args...).Scan(&fig.Devices)
	})
	if err != nil {
		return FindingFigures{}, errorf("finding counts", err)
	}
	return fig, nil
}

func (fig *FindingFigures) count(status, level string, forAction bool, n int) {
	fig.Total += n
	if !forAction {
		fig.Review += n
		return
	}
	fig.ByStatus[status] += n
	if status == StatusAffected {
		fig.ByLevel[level] += n
	}
}
