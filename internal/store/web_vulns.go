package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// This file holds the reads the web's vulnerability pages need beside
// the Vulnerabilities interface: findings filtered by priority level,
// SSVC decision and text, and split into those for action and those for
// review; the devices' own vendor and model beside them; and advisory
// figures a site-limited user may see.

// FindingFilter narrows a FindingQuery with what the vulnerability
// pages filter by. Its conditions all apply; an empty one keeps every
// finding.
type FindingFilter struct {
	Levels []string // priority levels, any of them: "critical", "high", ...
	SSVC   []string // SSVC decisions, any of them: "act", "attend", ...
	// Search keeps the findings whose device (id, names, vendor, model,
	// addresses), advisory (id, title), CVE or product holds it, in any
	// case.
	Search string
	// Action keeps the findings for action: of at least Threshold
	// confidence, or settled by a ruling. Review keeps those for review:
	// below Threshold and not settled, or with a reopened ruling.
	Action, Review bool
	Threshold      float64
}

// FindingList is a page of findings with their devices' vendor and model.
type FindingList struct {
	Rows []FindingListRow
	// Next is the cursor of the next page, "" on the last page.
	Next string
	// Total counts the findings the query selects, on every page.
	Total int
}

// FindingListRow is a finding with its device's vendor and model as the
// inventory has them, which may differ from what matching used (an
// asset register's).
type FindingListRow struct {
	FindingRow
	DeviceVendor, DeviceModel string
}

// FilterFindings returns a page of the findings q and f select, in q's
// order, with how many they select in all.
func (db *DB) FilterFindings(ctx context.Context, q FindingQuery, f FindingFilter) (
	FindingList, error) {
	var out FindingList
	if q.Order == "" {
		q.Order = "priority"
	}
	order, ok := findingOrders[q.Order]
	if !ok {
		return out, errorf("filter findings", invalidf("unknown order %.80q", q.Order))
	}
	s, err := q.conditions()
	if err == nil {
		err = f.conditions(s)
	}
	if err != nil {
		return out, errorf("filter findings", err)
	}
	limit := min(cmpPositive(q.Limit, 50), 500)
	var rows []FindingRow
	err = db.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM device_vulns v"+s.where(),
			s.args...).Scan(&out.Total); err != nil {
			return err
		}
		if q.After != "" {
			if err := s.after(q.After, q.Order, order.num); err != nil {
				return err
			}
		}
		if rows, err = readFindings(ctx, tx, s, order.by, limit+1); err != nil {
			return err
		}
		if len(rows) > limit {
			rows = rows[:limit]
			out.Next = nextFindings(&rows[limit-1], q.Order)
		}
		out.Rows, err = withDeviceProducts(ctx, tx, rows)
		return err
	})
	if err != nil {
		return FindingList{}, errorf("filter findings", err)
	}
	return out, nil
}

func cmpPositive(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// conditions adds the conditions of f to s.
func (f *FindingFilter) conditions(s *filterSQL) error {
	err := checkText("finding filter", "levels", strings.Join(f.Levels, ""),
		"ssvc", strings.Join(f.SSVC, ""), "search", f.Search)
	if err != nil {
		return err
	}
	if f.Action || f.Review {
		if err := checkUnit("finding filter", "threshold", f.Threshold); err != nil {
			return err
		}
	}
	s.in("v.level", f.Levels)
	s.in("v.ssvc", f.SSVC)
	if f.Action {
		s.add("(v.confidence >= " + s.arg(f.Threshold) + " OR " + settled("v") + ")")
	}
	if f.Review {
		s.add("((v.confidence < " + s.arg(f.Threshold) + " AND NOT " + settled("v") +
			") OR (v.decided AND v.reopened))")
	}
	if q := strings.ToLower(strings.TrimSpace(f.Search)); q != "" {
		like := s.arg("%" + escapeLike(q) + "%")
		s.add(fmt.Sprintf("(lower(v.device_id) LIKE %[1]s ESCAPE '\\' OR "+
			"lower(v.advisory_id) LIKE %[1]s ESCAPE '\\' OR lower(v.cve) LIKE %[1]s ESCAPE '\\' OR "+
			"lower(v.product) LIKE %[1]s ESCAPE '\\' OR "+
			"v.device_id IN (SELECT sd.id FROM devices sd WHERE sd.search LIKE %[1]s ESCAPE '\\') OR "+
			"v.advisory_id IN (SELECT sa.id FROM advisories sa WHERE lower(sa.title) LIKE %[1]s "+
			"ESCAPE '\\'))", like))
	}
	return nil
}

// withDeviceProducts adds to rows their devices' vendor and model.
func withDeviceProducts(ctx context.Context, tx *sql.Tx, rows []FindingRow) (
	[]FindingListRow, error) {
	out := make([]FindingListRow, len(rows))
	var ids []string
	for i := range rows {
		out[i].FindingRow = rows[i]
		if !slices.Contains(ids, rows[i].DeviceID) {
			ids = append(ids, rows[i].DeviceID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	s := &filterSQL{}
	s.in("id", ids)
	res, err := tx.QueryContext(ctx, "SELECT id, vendor, model FROM devices"+s.where(), s.args...)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	type product struct{ vendor, model string }
	by := make(map[string]product, len(ids))
	for res.Next() {
		var id string
		var p product
		if err := res.Scan(&id, &p.vendor, &p.model); err != nil {
			return nil, err
		}
		by[id] = p
	}
	for i := range out {
		p := by[out[i].DeviceID]
		out[i].DeviceVendor, out[i].DeviceModel = p.vendor, p.model
	}
	return out, res.Err()
}

// AdvisoryCount counts the stored advisories.
func (db *DB) AdvisoryCount(ctx context.Context) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM advisories").Scan(&n)
	return n, errorf("advisory count", err)
}

// AdvisoryDevices counts, for each of the advisories ids, the devices
// placed in one of siteIDs (every device when it is empty) with an
// affected finding of it of at least minConfidence or settled by a
// ruling: AdvisorySummary.Devices for a user limited to some sites.
func (db *DB) AdvisoryDevices(ctx context.Context, ids []string, siteIDs []int64,
	minConfidence float64) (map[string]int, error) {
	out := make(map[string]int, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if err := checkText("advisory devices", "ids", strings.Join(ids, "")); err != nil {
		return nil, errorf("advisory devices", err)
	}
	s := &filterSQL{}
	s.in("v.advisory_id", ids)
	s.add("v.status = 'affected'")
	s.add("(v.confidence >= " + s.arg(minConfidence) + " OR " + settled("v") + ")")
	siteScope(s, siteIDs)
	rows, err := db.sql.QueryContext(ctx, "SELECT v.advisory_id, count(DISTINCT v.device_id) "+
		"FROM device_vulns v"+s.where()+" GROUP BY v.advisory_id", s.args...)
	if err != nil {
		return nil, errorf("advisory devices", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, errorf("advisory devices", err)
		}
		out[id] = n
	}
	return out, errorf("advisory devices", rows.Err())
}
