package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/wardhq/ward/internal/inventory"
)

// deviceRow is a row of devices as the merge reads and writes it.
type deviceRow struct {
	id, mac, name               string
	names, ips                  []string
	vendor, model, category     string
	criticality, os, software   string
	ident                       inventory.Identification
	userSet                     int64
	router, randomised          bool
	oui                         *inventory.OUI
	vlans                       []uint16
	first, last, packets, bytes int64
	locationID, ownerID         sql.NullInt64
	createdAt, updatedAt        int64
}

// deviceColumns are the columns of a deviceRow, in scan order.
const deviceColumns = "d.id, d.mac, d.name, d.names, d.ips, d.vendor, d.model, d.category, " +
	"d.criticality, d.os, d.software, d.identification, d.user_set, d.router, " +
	"d.mac_randomised, d.oui, d.vlans, d.first_seen, d.last_seen, d.packets, d.bytes, " +
	"d.location_id, d.owner_id, d.created_at, d.updated_at"

// scan reads a row of deviceColumns.
func (r *deviceRow) scan(sc interface{ Scan(...any) error }) error {
	var names, ips, ident, oui, vlans string
	err := sc.Scan(&r.id, &r.mac, &r.name, &names, &ips, &r.vendor, &r.model, &r.category,
		&r.criticality, &r.os, &r.software, &ident, &r.userSet, &r.router, &r.randomised,
		&oui, &vlans, &r.first, &r.last, &r.packets, &r.bytes, &r.locationID, &r.ownerID,
		&r.createdAt, &r.updatedAt)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(names), &r.names); err != nil {
		return fmt.Errorf("device %s names: %w", r.id, err)
	}
	if err := json.Unmarshal([]byte(ips), &r.ips); err != nil {
		return fmt.Errorf("device %s ips: %w", r.id, err)
	}
	if err := json.Unmarshal([]byte(ident), &r.ident); err != nil {
		return fmt.Errorf("device %s identification: %w", r.id, err)
	}
	if err := json.Unmarshal([]byte(vlans), &r.vlans); err != nil {
		return fmt.Errorf("device %s vlans: %w", r.id, err)
	}
	if oui != "" {
		r.oui = new(inventory.OUI)
		if err := json.Unmarshal([]byte(oui), r.oui); err != nil {
			return fmt.Errorf("device %s oui: %w", r.id, err)
		}
	}
	return nil
}

// identityFields are the derived fields a person may set, with their bit
// in devices.user_set.
var identityFields = []struct {
	key string
	bit int64
}{
	{"vendor", 1}, {"model", 2}, {"category", 4}, {"criticality", 8}, {"os", 16}, {"software", 32},
}

// identityBit returns the user_set bit of key, 0 for a key that is no
// identity field.
func identityBit(key string) int64 {
	for _, f := range identityFields {
		if f.key == key {
			return f.bit
		}
	}
	return 0
}

// field returns the value and derivation of identity field key.
func (r *deviceRow) field(key string) (*string, **inventory.Derivation) {
	switch key {
	case "vendor":
		return &r.vendor, &r.ident.Vendor
	case "model":
		return &r.model, &r.ident.Model
	case "category":
		return &r.category, &r.ident.Category
	case "criticality":
		return &r.criticality, &r.ident.Criticality
	case "os":
		return &r.os, &r.ident.OS
	default:
		return &r.software, &r.ident.Software
	}
}

// fromDevice makes the row of an analysed device.
func fromDevice(d *inventory.Device) *deviceRow {
	return &deviceRow{
		id: d.ID, mac: d.MACString, names: slices.Clone(d.Names), ips: slices.Clone(d.IPs),
		vendor: d.Vendor, model: d.Model, category: d.Category, criticality: d.Criticality,
		os: d.OS, software: d.Software, ident: d.Identification,
		router: d.Router, randomised: d.MACRandomised, oui: d.OUI, vlans: slices.Clone(d.VLANs),
		first: nanos(d.FirstSeen), last: nanos(d.LastSeen),
		packets: count(d.Packets), bytes: count(d.Bytes),
	}
}

// mergeFrom folds n, the same device in a newer analysis, into r. The
// analysis wins for what it knows, except for the identity fields a
// person set; what it does not know is kept; times widen and counts add.
func (r *deviceRow) mergeFrom(n *deviceRow) {
	if n.mac != "" {
		r.mac = n.mac
	}
	r.names = union(n.names, r.names)
	r.ips = union(n.ips, r.ips)
	for _, f := range identityFields {
		if r.userSet&f.bit != 0 {
			continue
		}
		v, d := r.field(f.key)
		nv, nd := n.field(f.key)
		if *nv == "" {
			continue
		}
		if *nv != *v || *nd != nil {
			*d = *nd // the new derivation, or none for a new value without one
		}
		*v = *nv
	}
	r.router, r.randomised = n.router, n.randomised
	if n.oui != nil {
		r.oui = n.oui
	}
	for _, v := range n.vlans {
		if !slices.Contains(r.vlans, v) {
			r.vlans = append(r.vlans, v)
		}
	}
	slices.Sort(r.vlans)
	r.first, r.last = widen(r.first, r.last, n.first, n.last)
	r.packets += n.packets
	r.bytes += n.bytes
}

// union is a, then what b has that a does not.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// values are the row's values for deviceInsert, in its column order.
func (r *deviceRow) values() ([]any, error) {
	if len(r.names) > 0 {
		r.name = r.names[0]
	}
	names, err := json.Marshal(nonNil(r.names))
	if err != nil {
		return nil, err
	}
	ident, err := json.Marshal(r.ident)
	if err != nil {
		return nil, err
	}
	vlans, err := json.Marshal(nonNil(r.vlans))
	if err != nil {
		return nil, err
	}
	var oui []byte
	if r.oui != nil {
		if oui, err = json.Marshal(r.oui); err != nil {
			return nil, err
		}
	}
	ips, err := json.Marshal(nonNil(r.ips))
	if err != nil {
		return nil, err
	}
	words := append(slices.Clone(r.names), r.vendor, r.model, r.mac)
	search := strings.ToLower(strings.Join(append(words, r.ips...), " "))
	return []any{r.id, r.mac, r.name, string(names), string(ips), r.vendor, r.model, r.category,
		r.criticality, r.os, r.software, string(ident), r.router, r.randomised, string(oui),
		string(vlans), r.first, r.last, r.packets, r.bytes, search, r.createdAt,
		r.updatedAt}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// deviceInsert writes merged rows: everything the merge decides, but not
// user_set, the location or the owner, which only people change.
const deviceInsert = "INSERT INTO devices (id, mac, name, names, ips, vendor, model, category, " +
	"criticality, os, software, identification, router, mac_randomised, oui, vlans, " +
	"first_seen, last_seen, packets, bytes, search, created_at, updated_at) VALUES "

const deviceUpsert = " ON CONFLICT (id) DO UPDATE SET mac = excluded.mac, " +
	"name = excluded.name, names = excluded.names, ips = excluded.ips, vendor = excluded.vendor, " +
	"model = excluded.model, category = excluded.category, " +
	"criticality = excluded.criticality, os = excluded.os, software = excluded.software, " +
	"identification = excluded.identification, router = excluded.router, " +
	"mac_randomised = excluded.mac_randomised, oui = excluded.oui, vlans = excluded.vlans, " +
	"first_seen = excluded.first_seen, last_seen = excluded.last_seen, " +
	"packets = excluded.packets, bytes = excluded.bytes, search = excluded.search, " +
	"updated_at = excluded.updated_at"

// devices merges devs with the stored devices of the same ids. The
// merge of a device's own columns is done here rather than in SQL: names,
// IP addresses and VLANs are unions, and user-set fields are kept, which SQL would say
// only clumsily. It reports the devices written and how many were new.
func (w *merger) devices(devs []*inventory.Device) (n, fresh int, err error) {
	rows := make(map[string]*deviceRow, len(devs))
	order := make([]string, 0, len(devs))
	for _, d := range devs {
		r := fromDevice(d)
		if have := rows[d.ID]; have != nil {
			have.mergeFrom(r)
			continue
		}
		rows[d.ID] = r
		order = append(order, d.ID)
	}
	stored, err := loadDevices(w.ctx, w.tx, order)
	if err != nil {
		return 0, 0, err
	}
	b := w.batch(deviceInsert, 23, deviceUpsert)
	for _, id := range order {
		r := rows[id]
		if s := stored[id]; s != nil {
			s.mergeFrom(r)
			r = s
		} else {
			r.createdAt = nanos(w.now)
			fresh++
		}
		r.updatedAt = nanos(w.now)
		vals, err := r.values()
		if err != nil {
			return 0, 0, fmt.Errorf("device %s: %w", id, err)
		}
		if err := b.add(vals...); err != nil {
			return 0, 0, err
		}
	}
	return len(order), fresh, b.close()
}

// loadDevices reads the stored devices among ids.
func loadDevices(ctx context.Context, q querier, ids []string) (map[string]*deviceRow, error) {
	out := map[string]*deviceRow{}
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, "SELECT "+deviceColumns+" FROM devices d WHERE d.id IN ("+
			placeholders(1, len(part))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("read devices: %w", err)
		}
		for rows.Next() {
			r := new(deviceRow)
			if err := r.scan(rows); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read devices: %w", err)
			}
			out[r.id] = r
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read devices: %w", err)
		}
	}
	return out, nil
}

// placeholders is "$from, $from+1, …" for n parameters.
func placeholders(from, n int) string {
	var s strings.Builder
	for i := range n {
		if i > 0 {
			s.WriteString(", ")
		}
		fmt.Fprintf(&s, "$%d", from+i)
	}
	return s.String()
}
