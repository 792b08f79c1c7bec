package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// DashboardFigures are the counts of the dashboard, over the devices a
// filter selects.
type DashboardFigures struct {
	Total         int
	ByCategory    []Count // most devices first; Value "" is unknown
	ByCriticality []Count
	ByVendor      []Count // the ten largest, then "other" for the rest
	BySite        []Count // by site name; "" counts the devices not placed
	// NewDevices were first seen in the 7 days before now; NotSeen were
	// last seen more than 30 days before now.
	NewDevices int
	NotSeen    int
}

// Dashboard counts the devices f selects for the dashboard, as of now.
func (db *DB) Dashboard(ctx context.Context, f DeviceFilter, now time.Time) (*DashboardFigures, error) {
	d := &DashboardFigures{}
	err := db.read(ctx, func(tx *sql.Tx) error {
		s, err := db.filter(ctx, tx, &f)
		if err != nil {
			return err
		}
		few, err := db.few(ctx, tx, s)
		if err != nil {
			return err
		}
		c, err := countGroups(ctx, tx, s, db.dialect, few)
		if err != nil {
			return err
		}
		d.Total, d.ByCategory, d.ByCriticality = c.Total, c.ByCategory, c.ByCriticality
		d.ByVendor = topCounts(c.ByVendor, 10)
		if d.BySite, err = countSites(ctx, tx, s, db.dialect); err != nil {
			return err
		}
		return countTimes(ctx, tx, s, d, now)
	})
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: %w", err)
	}
	return d, nil
}

// countTimes counts the devices of s first seen in the 7 days before now
// and those not seen in the 30 days before it.
func countTimes(ctx context.Context, q querier, s *filterSQL, d *DashboardFigures,
	now time.Time) error {
	for _, c := range []struct {
		cond string
		t    time.Time
		out  *int
	}{
		{"d.first_seen >= ", now.Add(-7 * 24 * time.Hour), &d.NewDevices},
		{"d.last_seen < ", now.Add(-30 * 24 * time.Hour), &d.NotSeen},
	} {
		args := append(slices.Clone(s.args), nanos(c.t))
		where := whereOf(s.where(), fmt.Sprintf("%s$%d", c.cond, len(args)))
		err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+s.from+where, args...).Scan(c.out)
		if err != nil {
			return err
		}
	}
	return nil
}

// topCounts keeps the n largest counts with a value and sums the rest,
// unknown included, as "other".
func topCounts(cs []Count, n int) []Count {
	var out []Count
	other := 0
	for _, c := range cs {
		if c.Value != "" && len(out) < n {
			out = append(out, c)
		} else {
			other += c.Devices
		}
	}
	if other > 0 {
		out = append(out, Count{Value: "other", Devices: other})
	}
	if out == nil {
		out = []Count{}
	}
	return out
}

// countSites counts the devices of s by the name of their site, "" for
// those not placed. It counts by location, which devices_site holds in
// order, and adds the locations up by site here: the locations are few,
// the devices many.
func countSites(ctx context.Context, q querier, s *filterSQL, d *dialect) ([]Count, error) {
	sites, err := siteNames(ctx, q)
	if err != nil {
		return nil, err
	}
	from := s.from
	if s.rowOnly && d.covering {
		from += " INDEXED BY devices_site"
	}
	rows, err := q.QueryContext(ctx, "SELECT coalesce(d.location_id, 0), count(*) FROM "+from+
		s.where()+" GROUP BY d.location_id", s.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	by := map[string]int{}
	for rows.Next() {
		var loc int64
		var n int
		if err := rows.Scan(&loc, &n); err != nil {
			return nil, err
		}
		by[sites[loc]] += n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return sortedCounts(by), nil
}

// siteNames maps each location to the name of its site.
func siteNames(ctx context.Context, q querier) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT l.id, s.name FROM locations l "+
		"JOIN locations s ON s.id = l.site_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// CountMatching counts the devices f selects.
func (db *DB) CountMatching(ctx context.Context, f DeviceFilter) (int, error) {
	var n int
	err := db.read(ctx, func(tx *sql.Tx) error {
		s, err := db.filter(ctx, tx, &f)
		if err != nil {
			return err
		}
		from, where := s.from, s.where()
		few, err := db.few(ctx, tx, s)
		switch {
		case err != nil:
			return err
		case few:
			from += " INDEXED BY " + s.cover()
		case s.scan:
			from, where = s.countFrom(db.dialect)
		}
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM "+from+where, s.args...).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("store: count devices: %w", err)
	}
	return n, nil
}
