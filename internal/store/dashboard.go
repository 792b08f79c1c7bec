package store

import (
	"context"
	"database/sql"
	"fmt"
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
	var args []any
	where, err := f.where(&args)
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: %w", err)
	}
	d := &DashboardFigures{}
	err = db.read(ctx, func(tx *sql.Tx) error {
		for _, g := range []struct {
			col string
			out *[]Count
		}{{"d.category", &d.ByCategory}, {"d.criticality", &d.ByCriticality}, {"d.vendor", &d.ByVendor}} {
			if *g.out, err = countBy(ctx, tx, g.col, where, args); err != nil {
				return err
			}
		}
		if d.BySite, err = countSites(ctx, tx, where, args); err != nil {
			return err
		}
		for _, c := range d.ByCategory {
			d.Total += c.Devices
		}
		newer := nanos(now.Add(-7 * 24 * time.Hour))
		older := nanos(now.Add(-30 * 24 * time.Hour))
		q := "SELECT coalesce(sum(CASE WHEN d.first_seen >= $%d THEN 1 ELSE 0 END), 0), " +
			"coalesce(sum(CASE WHEN d.last_seen < $%d THEN 1 ELSE 0 END), 0) FROM devices d" + where
		q = fmt.Sprintf(q, len(args)+1, len(args)+2)
		return tx.QueryRowContext(ctx, q, append(args, newer, older)...).Scan(&d.NewDevices, &d.NotSeen)
	})
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: %w", err)
	}
	d.ByVendor = topCounts(d.ByVendor, 10)
	return d, nil
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

func countSites(ctx context.Context, q querier, where string, args []any) ([]Count, error) {
	rows, err := q.QueryContext(ctx, "SELECT coalesce(s.name, ''), count(*) FROM devices d "+
		"LEFT JOIN locations l ON l.id = d.location_id LEFT JOIN locations s ON s.id = l.site_id"+
		where+" GROUP BY s.name ORDER BY count(*) DESC, coalesce(s.name, '')", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Value, &c.Devices); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
