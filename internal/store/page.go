package store

import (
	"context"
	"fmt"
	"slices"
)

// pageKind is how a page of devices is read.
type pageKind int

const (
	// pagePlain reads the filter as it is and leaves the plan to the
	// database.
	pagePlain pageKind = iota
	// pageWalk walks the index of the page's order, at most walkBudget
	// devices of it, and tests each.
	pageWalk
	// pageMember walks the index of the order and takes the devices whose
	// rowids the filter selects in its covering index: tested in the
	// index, a device costs a lookup only when it is taken.
	pageMember
	// pageFew reads the rowids the filter selects in its covering index,
	// then their rows, and sorts them.
	pageFew
)

// walkMin is the number of devices a filter must select, at least, for a
// page of them to be looked for by walking the devices in the page's
// order; walkBudget is how many devices that walk tests before it gives
// up. A filter that selects fewer has its devices found first and sorted.
//
// Variables for the tests, which lower them to read every way.
var (
	walkMin    = 5000
	walkBudget = 2000
)

// readPage returns up to limit rows of q's page of the devices f selects.
//
// SQLite's planner, left to itself, finds a filter's rows by the filter's
// index and sorts them all for a page of 50, even when the filter selects a
// quarter of 100,000 devices. So on SQLite the store counts what the
// filter selects, up to walkMin, and chooses: few devices are found and
// sorted; many are looked for along the order, which finds a page in a few
// hundred devices, unless the filter leaves out a long run of the order
// (category against criticality, a site against the time it was
// captured): then the walk gives up and the devices are taken from the
// order's index by their rowids.
func (db *DB) readPage(ctx context.Context, f *filterSQL, q DeviceQuery, limit int) (
	[]*deviceRow, error) {
	sc, ok := sortColumns[q.Sort]
	if !ok {
		return nil, invalidf("unknown sort %q", q.Sort)
	}
	kind, err := db.pageKind(ctx, f, sc.col)
	if err != nil {
		return nil, err
	}
	rows, err := db.pageQuery(ctx, f, q, kind, limit)
	if err != nil || kind != pageWalk || len(rows) == limit {
		return rows, err
	}
	if f.rowOnly {
		return db.pageQuery(ctx, f, q, pageMember, limit)
	}
	return db.pageQuery(ctx, f, q, pagePlain, limit)
}

// pageKind chooses how to read a page of the devices f selects in the
// order of column sortCol. A filter on the order's own column reads its
// range of the order's index.
func (db *DB) pageKind(ctx context.Context, f *filterSQL, sortCol string) (pageKind, error) {
	if !db.dialect.planPages || f.fts || !f.indexed() || f.on(sortCol) {
		return pagePlain, nil
	}
	n, err := db.estimate(ctx, db.sql, f)
	switch {
	case err != nil:
		return 0, err
	case n >= walkMin:
		return pageWalk, nil
	case f.rowOnly:
		return pageFew, nil
	}
	return pagePlain, nil
}

// estimate counts the devices f selects, up to walkMin.
func (db *DB) estimate(ctx context.Context, q querier, f *filterSQL) (int, error) {
	from, where := f.from, f.where()
	if f.rowOnly {
		from += " INDEXED BY " + f.cover()
	}
	args := append(slices.Clone(f.args), walkMin)
	var n int
	err := q.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s%s "+
		"LIMIT $%d)", from, where, len(args)), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count for the plan: %w", err)
	}
	return n, nil
}

// few reports whether f selects fewer than walkMin devices that its
// covering index finds (on SQLite, with rowOnly set). Their counts are
// then read from that index and sorted rather than from devices_counts in
// order, which reads it whole.
func (db *DB) few(ctx context.Context, q querier, f *filterSQL) (bool, error) {
	if !db.dialect.planPages || !f.rowOnly || !f.indexed() {
		return false, nil
	}
	n, err := db.estimate(ctx, q, f)
	return n < walkMin, err
}

// pageQuery reads up to limit rows of q's page of the devices f selects,
// the kind way.
func (db *DB) pageQuery(ctx context.Context, f *filterSQL, q DeviceQuery, kind pageKind,
	limit int) ([]*deviceRow, error) {
	sc, ok := sortColumns[q.Sort]
	if !ok {
		return nil, invalidf("unknown sort %q", q.Sort)
	}
	args := slices.Clone(f.args)
	var keyset string
	if q.Cursor != "" {
		var err error
		if keyset, err = keysetCondition(q, sc.col, sc.num, &args); err != nil {
			return nil, err
		}
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	order := " ORDER BY " + sc.col + dir
	if sc.col != "d.id" {
		order += ", d.id" + dir
	}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	from, where := f.from, f.where()
	switch kind {
	case pageWalk:
		from = "(SELECT d.rowid AS r FROM devices d" + whereOf("", keyset) + order + " LIMIT " +
			arg(walkBudget) + ") w CROSS JOIN devices d ON d.rowid = w.r"
		keyset = ""
	case pageMember:
		where = " WHERE +d.rowid IN (SELECT d.rowid FROM devices d INDEXED BY " + f.cover() +
			where + ")"
	case pageFew:
		from = "(SELECT d.rowid AS r FROM devices d INDEXED BY " + f.cover() + where +
			") m CROSS JOIN devices d ON d.rowid = m.r"
		where = ""
	}
	if keyset != "" {
		where = whereOf(where, keyset)
	}
	query := "SELECT " + deviceColumns + " FROM " + from + where + order + " LIMIT " + arg(limit)
	return scanDevices(ctx, db.sql, query, args...)
}

// whereOf adds cond to the WHERE clause where ("" for none), or makes one
// of cond alone.
func whereOf(where string, cond ...string) string {
	for _, c := range cond {
		switch {
		case c == "":
		case where == "":
			where = " WHERE " + c
		default:
			where += " AND " + c
		}
	}
	return where
}
