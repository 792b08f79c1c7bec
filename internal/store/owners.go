package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Owners lists the owners by name.
func (db *DB) Owners(ctx context.Context) ([]Owner, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT id, name, contact FROM owners ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: owners: %w", err)
	}
	defer rows.Close()
	out := []Owner{}
	for rows.Next() {
		var o Owner
		if err := rows.Scan(&o.ID, &o.Name, &o.Contact); err != nil {
			return nil, fmt.Errorf("store: owners: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OwnerNamed returns the owner called name, adding it when there is none.
func (db *DB) OwnerNamed(ctx context.Context, name string) (Owner, error) {
	o, err := db.AddOwner(ctx, Owner{Name: name})
	if !errors.Is(err, ErrExists) {
		return o, err
	}
	o = Owner{Name: name}
	err = db.sql.QueryRowContext(ctx, "SELECT id, contact FROM owners WHERE name = $1", name).
		Scan(&o.ID, &o.Contact)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Owner{}, fmt.Errorf("store: owner %q: %w", name, err)
	}
	return o, nil
}
