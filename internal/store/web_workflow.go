package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// This file holds the reads the web's patch workflow and cyber alert
// pages need beside the Vulnerabilities interface: the products of the
// devices, to count those a patch plan covers, and the devices with
// findings on an alert's CVEs, a page of devices at a time.

// DeviceProduct is a device's vendor, model and software as the
// analysis found them.
type DeviceProduct struct {
	ID, Vendor, Model, Software string
}

// DeviceProducts returns the vendor, model and software of every device,
// by id; of those placed in one of siteIDs when it is not empty.
func (db *DB) DeviceProducts(ctx context.Context, siteIDs []int64) ([]DeviceProduct, error) {
	s := &filterSQL{}
	if len(siteIDs) > 0 {
		s.addCol("d.location_id", "IN (SELECT l.id FROM locations l WHERE l.site_id IN ("+
			idArgs(s, siteIDs)+"))")
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT d.id, d.vendor, d.model, d.software "+
		"FROM devices d"+s.where()+" ORDER BY d.id", s.args...)
	if err != nil {
		return nil, errorf("device products", err)
	}
	defer rows.Close()
	var out []DeviceProduct
	for rows.Next() {
		var p DeviceProduct
		if err := rows.Scan(&p.ID, &p.Vendor, &p.Model, &p.Software); err != nil {
			return nil, errorf("device products", err)
		}
		out = append(out, p)
	}
	return out, errorf("device products", rows.Err())
}

// idArgs adds ids as parameters of s and returns their placeholders,
// comma separated.
func idArgs(s *filterSQL, ids []int64) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = s.arg(id)
	}
	return strings.Join(ph, ", ")
}

// FindingDevicesQuery asks for a page of the devices that have findings
// FindingQuery's conditions select (its Order, Limit and After are not
// read), with those findings.
type FindingDevicesQuery struct {
	FindingQuery
	// After is the Next of the previous page, "" for the first.
	After string
	// Limit is the page size in devices: default 50, at most 500.
	Limit int
}

// FindingDevices is one device of a FindingDevicesPage.
type FindingDevices struct {
	DeviceID, Name, Vendor, Model string
	SiteID                        int64 // 0 when not placed
	// Findings are the device's findings the query selects, by advisory
	// and CVE.
	Findings []FindingRow
}

// FindingDevicesPage is a page of devices with findings.
type FindingDevicesPage struct {
	Devices []FindingDevices // by device id
	// Next is the cursor of the next page, "" on the last page.
	Next string
	// Total counts the devices the query selects, on every page.
	Total int
}

// maxDeviceFindings bounds the findings read for one page of devices.
const maxDeviceFindings = 50_000

// FindingDevices returns a page of the devices with findings q selects.
// A Limit below 0 counts the devices and returns none.
func (db *DB) FindingDevices(ctx context.Context, q FindingDevicesQuery) (FindingDevicesPage, error) {
	var page FindingDevicesPage
	s, err := q.conditions()
	if err == nil {
		err = checkText("finding devices", "cursor", q.After)
	}
	if err != nil {
		return page, errorf("finding devices", err)
	}
	limit := q.Limit
	if limit == 0 {
		limit = 50
	}
	limit = min(limit, 500)
	err = db.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT count(DISTINCT v.device_id) FROM device_vulns v"+
			s.where(), s.args...).Scan(&page.Total)
		if err != nil || limit < 0 {
			return err
		}
		ids, err := findingDeviceIDs(ctx, tx, *s, q.After, limit+1)
		if err != nil {
			return err
		}
		if len(ids) > limit {
			ids = ids[:limit]
			page.Next = ids[limit-1]
		}
		page.Devices, err = devicesWithFindings(ctx, tx, *s, ids)
		return err
	})
	if err != nil {
		return FindingDevicesPage{}, errorf("finding devices", err)
	}
	return page, nil
}

// findingDeviceIDs are the ids of the devices with findings s selects,
// after the id after, in order, at most limit.
func findingDeviceIDs(ctx context.Context, tx *sql.Tx, s filterSQL, after string, limit int) (
	[]string, error) {
	s.conds, s.args = append([]cond(nil), s.conds...), append([]any(nil), s.args...)
	if after != "" {
		s.addCol("v.device_id", "> "+s.arg(after))
	}
	rows, err := tx.QueryContext(ctx, "SELECT DISTINCT v.device_id FROM device_vulns v"+
		s.where()+" ORDER BY v.device_id LIMIT "+s.arg(limit), s.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// devicesWithFindings reads the devices of ids, in that order, with the
// findings s selects of each.
func devicesWithFindings(ctx context.Context, tx *sql.Tx, s filterSQL, ids []string) (
	[]FindingDevices, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out := make([]FindingDevices, len(ids))
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		out[i].DeviceID, at[id] = id, i
	}
	ds := &filterSQL{}
	ds.in("d.id", ids)
	rows, err := tx.QueryContext(ctx, "SELECT d.id, d.name, d.vendor, d.model, "+
		"COALESCE(l.site_id, 0) FROM devices d LEFT JOIN locations l ON l.id = d.location_id"+
		ds.where(), ds.args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d FindingDevices
		if err := rows.Scan(&d.DeviceID, &d.Name, &d.Vendor, &d.Model, &d.SiteID); err != nil {
			rows.Close()
			return nil, err
		}
		out[at[d.DeviceID]] = d
	}
	if err := errorsOf(rows); err != nil {
		return nil, err
	}
	s.conds, s.args = append([]cond(nil), s.conds...), append([]any(nil), s.args...)
	s.in("v.device_id", ids)
	fs, err := readFindings(ctx, tx, &s, findingOrders["device"].by, maxDeviceFindings)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		d := &out[at[f.DeviceID]]
		d.Findings = append(d.Findings, f)
	}
	return out, nil
}

// errorsOf closes rows and returns the error that ended them, if any.
func errorsOf(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close rows: %w", cerr)
	}
	return err
}
