package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
	search                      string // as stored; set by finish
	searchKey                   int64  // the row in device_search; never changed
}

// deviceColumns are the columns of a deviceRow, in scan order.
const deviceColumns = "d.id, d.mac, d.name, d.names, d.ips, d.vendor, d.model, d.category, " +
	"d.criticality, d.os, d.software, d.identification, d.user_set, d.router, " +
	"d.mac_randomised, d.oui, d.vlans, d.first_seen, d.last_seen, d.packets, d.bytes, " +
	"d.location_id, d.owner_id, d.created_at, d.updated_at, d.search, d.search_key"

// scan reads a row of deviceColumns.
func (r *deviceRow) scan(sc interface{ Scan(...any) error }) error {
	var names, ips, ident, oui, vlans string
	err := sc.Scan(&r.id, &r.mac, &r.name, &names, &ips, &r.vendor, &r.model, &r.category,
		&r.criticality, &r.os, &r.software, &ident, &r.userSet, &r.router, &r.randomised,
		&oui, &vlans, &r.first, &r.last, &r.packets, &r.bytes, &r.locationID, &r.ownerID,
		&r.createdAt, &r.updatedAt, &r.search, &r.searchKey)
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
	r.packets += n.packets
	r.bytes += n.bytes
	r.first, r.last = widen(r.first, r.last, n.first, n.last)
}

// mergeOverlapping folds in n from a capture that overlaps one merged
// before: as mergeFrom, but its counts combine by addCount.
func (r *deviceRow) mergeOverlapping(n *deviceRow) {
	packets := addCount(r.packets, n.packets, r.first, r.last, n.first, n.last)
	bytes := addCount(r.bytes, n.bytes, r.first, r.last, n.first, n.last)
	r.mergeFrom(n)
	r.packets, r.bytes = packets, bytes
}

// addCount combines a stored count over [first, last] with an incoming one
// over [f, l] (unix nanoseconds, 0 unknown), for a capture whose time
// overlaps one merged before: the sum when the spans are apart, the
// larger when they overlap, so that the same traffic in two captures (a
// capture and an extract of it, two sensors on one SPAN) is not counted
// twice. Partly overlapping captures are undercounted rather than
// doubled. countSQL is the same rule in SQL.
func addCount(stored, in, first, last, f, l int64) int64 {
	if overlaps(first, last, f, l) {
		return max(stored, in)
	}
	return stored + in
}

func overlaps(first, last, f, l int64) bool {
	return first != 0 && f != 0 && f <= last && l >= first
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

// finish sets the columns derived from others: the name and the search
// text.
func (r *deviceRow) finish() {
	if len(r.names) > 0 {
		r.name = r.names[0]
	}
	r.search = searchText(r.names, r.ips, r.vendor, r.model, r.mac)
}

// searchText is what devices.search holds: the lower-cased names, vendor,
// model, MAC and IP addresses, one space between each.
func searchText(names, ips []string, vendor, model, mac string) string {
	var b strings.Builder
	for _, w := range slices.Concat(names, []string{vendor, model, mac}, ips) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return strings.ToLower(b.String())
}

// indexed are the columns of the row that the indexes of devices hold,
// but for the times, which every merge changes.
type indexed struct{ name, vendor, model, category, criticality, search string }

func (r *deviceRow) indexed() indexed {
	return indexed{r.name, r.vendor, r.model, r.category, r.criticality, r.search}
}

// values are the row's values for deviceInsert, in its column order; finish
// must have been called.
func (r *deviceRow) values() ([]any, error) {
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
	return []any{r.id, r.mac, r.name, string(names), string(ips), r.vendor, r.model, r.category,
		r.criticality, r.os, r.software, string(ident), r.router, r.randomised, string(oui),
		string(vlans), r.first, r.last, r.packets, r.bytes, r.search, r.createdAt,
		r.updatedAt, r.searchKey}, nil
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
	"first_seen, last_seen, packets, bytes, search, created_at, updated_at, search_key) VALUES "

// deviceInsertColumns is the number of columns deviceInsert writes.
const deviceInsertColumns = 24

// Which of the indexed columns a merge changes, in bits: the upsert of a
// device sets only those of them it changes, so that SQLite rewrites only
// their indexes (it rewrites an index whose column is set, whatever the
// value). Every merge changes last_seen, or nearly: first_seen and the
// identity seldom.
const (
	setIdentity = 1 << iota // name, vendor, model, category, criticality, search
	setFirst                // first_seen
	setLast                 // last_seen
	setAll      = setIdentity | setFirst | setLast
)

// deviceUpsert is the ON CONFLICT clause of deviceInsert that sets the
// columns the merge decides, but of the indexed ones only those in set.
func deviceUpsert(set int) string {
	cols := []string{"mac", "names", "ips", "os", "software", "identification", "router",
		"mac_randomised", "oui", "vlans", "packets", "bytes", "updated_at"}
	if set&setIdentity != 0 {
		cols = append(cols, "name", "vendor", "model", "category", "criticality", "search")
	}
	if set&setFirst != 0 {
		cols = append(cols, "first_seen")
	}
	if set&setLast != 0 {
		cols = append(cols, "last_seen")
	}
	for i, c := range cols {
		cols[i] = c + " = excluded." + c
	}
	return " ON CONFLICT (id) DO UPDATE SET " + strings.Join(cols, ", ")
}

// changes are the bits of the indexed columns that differ between was,
// the stored row, and r.
func (r *deviceRow) changes(was indexed, first, last int64) int {
	set := 0
	if r.indexed() != was {
		set |= setIdentity
	}
	if r.first != first {
		set |= setFirst
	}
	if r.last != last {
		set |= setLast
	}
	return set
}

// devices merges devs with the stored devices of the same ids. The
// merge of a device's own columns is done here rather than in SQL: names,
// IP addresses and VLANs are unions, and user-set fields are kept, which
// SQL would say only clumsily. It reports the devices written and how many
// were new.
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
	var key int64
	if len(stored) < len(order) {
		if key, err = maxSearchKey(w.ctx, w.tx); err != nil {
			return 0, 0, err
		}
	}
	batches := map[int]*batch{}
	for _, id := range order {
		r, set := rows[id], setAll
		if s := stored[id]; s != nil {
			was, first, last := s.indexed(), s.first, s.last
			if w.overlap {
				s.mergeOverlapping(r)
			} else {
				s.mergeFrom(r)
			}
			r = s
			r.finish()
			set = r.changes(was, first, last)
		} else {
			key++
			r.createdAt, r.searchKey = nanos(w.now), key
			r.finish()
			fresh++
		}
		r.updatedAt = nanos(w.now)
		vals, err := r.values()
		if err != nil {
			return 0, 0, fmt.Errorf("device %s: %w", id, err)
		}
		b := batches[set]
		if b == nil {
			b = w.batch(deviceInsert, deviceInsertColumns, deviceUpsert(set))
			batches[set] = b
		}
		if err := b.add(vals...); err != nil {
			return 0, 0, err // the rollback closes the batches' statements
		}
	}
	return len(order), fresh, closeAll(batches)
}

// closeAll closes the batches.
func closeAll(batches map[int]*batch) error {
	var errs []error
	for _, b := range batches {
		errs = append(errs, b.close())
	}
	return errors.Join(errs...)
}

// maxSearchKey is the largest devices.search_key, 0 for none. The merge's
// turn (SQLite's write lock, the advisory lock) keeps it from changing
// until the merge ends.
func maxSearchKey(ctx context.Context, q querier) (int64, error) {
	var key int64
	err := q.QueryRowContext(ctx, "SELECT coalesce(max(search_key), 0) FROM devices").Scan(&key)
	if err != nil {
		return 0, fmt.Errorf("read search keys: %w", err)
	}
	return key, nil
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
