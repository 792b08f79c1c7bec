package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// DecisionRow is a reviewer's ruling on one vulnerability for one vendor,
// model and software version (a match.Decision with its keys), which
// applies to every device of that model at that version.
type DecisionRow struct {
	// Vuln is the CVE, or the advisory's ID for a vulnerability without
	// one; VendorKey and ModelKey are the caller's normalised vendor and
	// model, Version the software version as the caller compares it (""
	// for unknown). The four identify the ruling: a second replaces it.
	Vuln, VendorKey, ModelKey, Version string
	Vendor, Model                      string // as the reviewer saw them
	// Status is StatusAffected, StatusFixed, StatusNotAffected or
	// StatusUnderInvestigation.
	Status string
	// Justification is the VEX justification a not-affected ruling must
	// give ("component_not_present", ...); the other statuses give none.
	Justification string
	Note          string
	Actor         string
	At            time.Time // zero for now
	// AdvisoryID, ProductID and ProductRange are the advisory, its
	// product and that product's range the ruling was made on.
	AdvisoryID, ProductID, ProductRange string
}

// decisionColumns are the columns of a DecisionRow, in scanDecision's
// order, in decisions and decision_events alike.
const decisionColumns = "vuln, vendor_key, model_key, version, vendor, model, status, " +
	"justification, note, actor, at, advisory_id, product_id, product_range"

// SaveDecision records a ruling, replacing the ruling of the same
// vulnerability, vendor key, model key and version, and adds it to their
// history, which keeps every ruling.
func (db *DB) SaveDecision(ctx context.Context, d DecisionRow) error {
	if err := checkDecision(&d); err != nil {
		return errorf("save decision", err)
	}
	d.At = timeIn(db.orNow(d.At))
	vals := []any{d.Vuln, d.VendorKey, d.ModelKey, d.Version, d.Vendor, d.Model, d.Status,
		d.Justification, d.Note, d.Actor, nanos(d.At), d.AdvisoryID, d.ProductID, d.ProductRange}
	const ph = "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO decisions ("+decisionColumns+") VALUES "+ph+
			" ON CONFLICT (vuln, vendor_key, model_key, version) DO UPDATE SET "+
			"vendor = excluded.vendor, model = excluded.model, status = excluded.status, "+
			"justification = excluded.justification, note = excluded.note, "+
			"actor = excluded.actor, at = excluded.at, advisory_id = excluded.advisory_id, "+
			"product_id = excluded.product_id, product_range = excluded.product_range", vals...)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO decision_events ("+decisionColumns+") VALUES "+
			ph, vals...)
		return err
	})
	return errorf("save decision", err)
}

// checkDecision refuses a ruling that says nothing clear, and trims its
// keys.
func checkDecision(d *DecisionRow) error {
	d.Vuln, d.Version = strings.TrimSpace(d.Vuln), strings.TrimSpace(d.Version)
	what := fmt.Sprintf("decision on %.80q", d.Vuln)
	err := needKeys(what, "vulnerability", d.Vuln, "vendor key", d.VendorKey,
		"model key", d.ModelKey, "actor", d.Actor)
	if err != nil {
		return err
	}
	if !validStatus(d.Status) {
		return invalidf("%s: unknown status %.80q", what, d.Status)
	}
	switch {
	case d.Status == StatusNotAffected && !vexJustifications[d.Justification]:
		return invalidf("%s: not affected needs a VEX justification, not %.80q", what,
			d.Justification)
	case d.Status != StatusNotAffected && d.Justification != "":
		return invalidf("%s: a justification is for not affected only, not %s", what, d.Status)
	}
	if bad := badTime(d.At); bad != "" {
		return invalidf("%s: %s", what, bad)
	}
	return checkText(what, "vulnerability", d.Vuln, "vendor key", d.VendorKey,
		"model key", d.ModelKey, "version", d.Version, "vendor", d.Vendor, "model", d.Model,
		"note", d.Note, "actor", d.Actor, "advisory id", d.AdvisoryID, "product id", d.ProductID,
		"product range", d.ProductRange)
}

// Decisions returns every ruling in force, by vulnerability, vendor key,
// model key and version.
func (db *DB) Decisions(ctx context.Context) ([]DecisionRow, error) {
	out, err := readDecisions(ctx, db.sql, "SELECT "+decisionColumns+" FROM decisions "+
		"ORDER BY vuln, vendor_key, model_key, version")
	return out, errorf("decisions", err)
}

// DecisionHistory returns every ruling made on a vulnerability for a
// vendor key, model key and version, oldest first; the last is in force.
func (db *DB) DecisionHistory(ctx context.Context, vuln, vendorKey, modelKey, version string) (
	[]DecisionRow, error) {
	out, err := readDecisions(ctx, db.sql, "SELECT "+decisionColumns+" FROM decision_events "+
		"WHERE vuln = $1 AND vendor_key = $2 AND model_key = $3 AND version = $4 ORDER BY id",
		strings.TrimSpace(vuln), vendorKey, modelKey, strings.TrimSpace(version))
	return out, errorf("decision history", err)
}

func readDecisions(ctx context.Context, q querier, query string, args ...any) ([]DecisionRow,
	error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DecisionRow
	for rows.Next() {
		var d DecisionRow
		var at int64
		err := rows.Scan(&d.Vuln, &d.VendorKey, &d.ModelKey, &d.Version, &d.Vendor, &d.Model,
			&d.Status, &d.Justification, &d.Note, &d.Actor, &at, &d.AdvisoryID, &d.ProductID,
			&d.ProductRange)
		if err != nil {
			return nil, err
		}
		d.At = fromNanos(at)
		out = append(out, d)
	}
	return out, rows.Err()
}
