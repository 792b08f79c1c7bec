package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/inventory"
)

// ReconcileDevices returns every stored device in the form the register
// package reconciles against: identity, addresses, names and the serial
// numbers the device reported (HL7 gateways report those of the devices
// behind them).
func (db *DB) ReconcileDevices(ctx context.Context) ([]*inventory.Device, error) {
	var out []*inventory.Device
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+deviceColumns+" FROM devices d ORDER BY d.id")
		if err != nil {
			return err
		}
		byID := map[string]*inventory.Device{}
		for rows.Next() {
			var r deviceRow
			if err := r.scan(rows); err != nil {
				rows.Close()
				return err
			}
			d := r.device()
			inv := &inventory.Device{ID: d.ID, MACString: d.MAC, IPs: d.IPs, Names: d.Names,
				Vendor: d.Vendor, Model: d.Model, Category: d.Category, Criticality: d.Criticality,
				OS: d.OS, Software: d.Software, FirstSeen: d.FirstSeen, LastSeen: d.LastSeen}
			out = append(out, inv)
			byID[d.ID] = inv
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return loadSerials(ctx, tx, byID)
	})
	if err != nil {
		return nil, fmt.Errorf("store: devices to reconcile: %w", err)
	}
	return out, nil
}

func loadSerials(ctx context.Context, tx *sql.Tx, byID map[string]*inventory.Device) error {
	rows, err := tx.QueryContext(ctx, "SELECT device_id, value FROM attributes WHERE key = $1",
		dissect.KeySerial)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, v string
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		if d := byID[id]; d != nil {
			d.Attributes = append(d.Attributes, inventory.Attribute{Key: dissect.KeySerial, Value: v})
		}
	}
	return rows.Err()
}
