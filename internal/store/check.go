package store

import (
	"context"
	"fmt"
	"strings"
)

// Check checks the database's own integrity: for SQLite its integrity and
// foreign-key checks, for both backends that every reference between the
// inventory's tables points at a row.
func (db *DB) Check(ctx context.Context) error {
	var problems []string
	if db.dialect.name == "sqlite" {
		rows, err := db.sql.QueryContext(ctx, "PRAGMA integrity_check")
		if err != nil {
			return fmt.Errorf("store: check: %w", err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return fmt.Errorf("store: check: %w", err)
			}
			if s != "ok" {
				problems = append(problems, s)
			}
		}
		rows.Close()
		var n int
		if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM pragma_foreign_key_check").Scan(&n); err != nil {
			return fmt.Errorf("store: check: %w", err)
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d rows break foreign keys", n))
		}
	}
	for _, q := range orphanChecks {
		var n int
		if err := db.sql.QueryRowContext(ctx, q.sql).Scan(&n); err != nil {
			return fmt.Errorf("store: check %s: %w", q.what, err)
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, q.what))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("store: check: %s", strings.Join(problems, "; "))
	}
	return nil
}

var orphanChecks = []struct{ what, sql string }{
	{"attributes of no device", "SELECT count(*) FROM attributes a WHERE NOT EXISTS " +
		"(SELECT 1 FROM devices d WHERE d.id = a.device_id)"},
	{"identifiers of no device", "SELECT count(*) FROM identifiers i WHERE NOT EXISTS " +
		"(SELECT 1 FROM devices d WHERE d.id = i.device_id)"},
}
