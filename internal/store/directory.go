package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// LocationKind is a level of the location tree.
type LocationKind string

// The levels of the location tree, from the top. Department and ward are
// one level: a department or a ward holds rooms.
const (
	Site       LocationKind = "site"
	Building   LocationKind = "building"
	Floor      LocationKind = "floor"
	Department LocationKind = "department"
	Ward       LocationKind = "ward"
	Room       LocationKind = "room"
)

// locationLevels ranks the kinds: a child must be deeper than its parent.
var locationLevels = map[LocationKind]int{
	Site: 0, Building: 1, Floor: 2, Department: 3, Ward: 3, Room: 4,
}

// maxLocationDepth bounds a walk up the tree.
const maxLocationDepth = 8

// Location is a place in a hospital.
type Location struct {
	ID       int64
	ParentID int64 // 0 for a site
	SiteID   int64 // the site it is in; its own ID for a site
	Kind     LocationKind
	Name     string
}

// Owner is a person or team answerable for devices.
type Owner struct {
	ID      int64
	Name    string
	Contact string // free text: a phone extension, a mailbox
}

// AddLocation adds l (its ID and SiteID are ignored) and returns it as
// stored. A site has no parent; anything else has a parent of a higher
// level, which may skip levels (a room straight in a building).
func (db *DB) AddLocation(ctx context.Context, l Location) (Location, error) {
	if err := db.addLocation(ctx, &l); err != nil {
		return Location{}, fmt.Errorf("store: add location %q: %w", l.Name, err)
	}
	return l, nil
}

func (db *DB) addLocation(ctx context.Context, l *Location) error {
	level, ok := locationLevels[l.Kind]
	if !ok {
		return invalidf("unknown kind %q", l.Kind)
	}
	if err := checkText("location", "name", l.Name); err != nil {
		return err
	}
	if strings.TrimSpace(l.Name) == "" {
		return invalidf("no name")
	}
	if (l.Kind == Site) != (l.ParentID == 0) {
		return invalidf("a site, and only a site, has no parent")
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if l.Kind == Site {
			err := tx.QueryRowContext(ctx, "INSERT INTO locations (kind, name) VALUES ($1, $2) "+
				"RETURNING id", string(l.Kind), l.Name).Scan(&l.ID)
			if err != nil {
				return err
			}
			l.SiteID = l.ID
			_, err = tx.ExecContext(ctx, "UPDATE locations SET site_id = id WHERE id = $1", l.ID)
			return err
		}
		parent, err := location(ctx, tx, l.ParentID)
		if err != nil {
			return fmt.Errorf("parent %d: %w", l.ParentID, err)
		}
		if locationLevels[parent.Kind] >= level {
			return invalidf("a %s cannot be in a %s", l.Kind, parent.Kind)
		}
		l.SiteID = parent.SiteID
		return tx.QueryRowContext(ctx, "INSERT INTO locations (parent_id, site_id, kind, name) "+
			"VALUES ($1, $2, $3, $4) RETURNING id", l.ParentID, l.SiteID, string(l.Kind), l.Name).
			Scan(&l.ID)
	})
}

const locationColumns = "id, coalesce(parent_id, 0), coalesce(site_id, 0), kind, name"

func scanLocation(sc interface{ Scan(...any) error }) (Location, error) {
	var l Location
	var kind string
	err := sc.Scan(&l.ID, &l.ParentID, &l.SiteID, &kind, &l.Name)
	l.Kind = LocationKind(kind)
	return l, err
}

// location reads one location, or ErrNotFound.
func location(ctx context.Context, q querier, id int64) (Location, error) {
	l, err := scanLocation(q.QueryRowContext(ctx, "SELECT "+locationColumns+
		" FROM locations WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	}
	return l, err
}

// Locations returns every location, parents before their children.
func (db *DB) Locations(ctx context.Context) ([]Location, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+locationColumns+" FROM locations ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("store: locations: %w", err)
	}
	defer rows.Close()
	out := []Location{}
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, fmt.Errorf("store: locations: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: locations: %w", err)
	}
	return out, nil
}

// AddOwner adds o (its ID is ignored) and returns it as stored, or
// ErrExists if its name is taken.
func (db *DB) AddOwner(ctx context.Context, o Owner) (Owner, error) {
	if err := checkText("owner", "name", o.Name, "contact", o.Contact); err != nil {
		return Owner{}, fmt.Errorf("store: add owner: %w", err)
	}
	if strings.TrimSpace(o.Name) == "" {
		return Owner{}, fmt.Errorf("store: add owner: %w", invalidf("no name"))
	}
	err := db.sql.QueryRowContext(ctx, "INSERT INTO owners (name, contact) VALUES ($1, $2) "+
		"ON CONFLICT (name) DO NOTHING RETURNING id", o.Name, o.Contact).Scan(&o.ID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrExists
	}
	if err != nil {
		return Owner{}, fmt.Errorf("store: add owner %q: %w", o.Name, err)
	}
	return o, nil
}

// SetDeviceLocation places the device at a location; 0 unplaces it.
func (db *DB) SetDeviceLocation(ctx context.Context, deviceID string, locationID int64) error {
	err := db.setReference(ctx, deviceID, "location_id", "locations", locationID)
	if err != nil {
		return fmt.Errorf("store: set location of %q to %d: %w", deviceID, locationID, err)
	}
	return nil
}

// SetDeviceOwner gives the device an owner; 0 removes it.
func (db *DB) SetDeviceOwner(ctx context.Context, deviceID string, ownerID int64) error {
	err := db.setReference(ctx, deviceID, "owner_id", "owners", ownerID)
	if err != nil {
		return fmt.Errorf("store: set owner of %q to %d: %w", deviceID, ownerID, err)
	}
	return nil
}

// setReference sets column col of the device to id, a row of table, or
// to NULL for 0. col and table are the callers' constants.
func (db *DB) setReference(ctx context.Context, deviceID, col, table string, id int64) error {
	now := nanos(db.now())
	if id == 0 {
		return affected(db.sql.ExecContext(ctx, "UPDATE devices SET "+col+" = NULL, "+
			"updated_at = $2 WHERE id = $1", deviceID, now))
	}
	return affected(db.sql.ExecContext(ctx, "UPDATE devices SET "+col+" = $2, updated_at = $3 "+
		"WHERE id = $1 AND EXISTS (SELECT 1 FROM "+table+" WHERE id = $2)", deviceID, id, now))
}

// TagDevice puts a tag on the device; tagging twice is no error.
func (db *DB) TagDevice(ctx context.Context, deviceID, tag string) error {
	if err := checkText("tag", "name", tag); err != nil {
		return fmt.Errorf("store: tag %q: %w", deviceID, err)
	}
	if strings.TrimSpace(tag) == "" {
		return fmt.Errorf("store: tag %q: %w", deviceID, invalidf("empty tag"))
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM devices WHERE id = $1", deviceID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO tags (name) VALUES ($1) ON CONFLICT (name) "+
			"DO NOTHING", tag)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO device_tags (device_id, tag_id) SELECT $1, id "+
			"FROM tags WHERE name = $2 ON CONFLICT (device_id, tag_id) DO NOTHING", deviceID, tag)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: tag %q with %q: %w", deviceID, tag, err)
	}
	return nil
}

// UntagDevice takes a tag off the device; a tag it does not have is no
// error.
func (db *DB) UntagDevice(ctx context.Context, deviceID, tag string) error {
	_, err := db.sql.ExecContext(ctx, "DELETE FROM device_tags WHERE device_id = $1 AND "+
		"tag_id IN (SELECT id FROM tags WHERE name = $2)", deviceID, tag)
	if err != nil {
		return fmt.Errorf("store: untag %q: %w", deviceID, err)
	}
	return nil
}
