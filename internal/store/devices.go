package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/wardhq/ward/internal/inventory"
)

// SourceUser is the source of attributes a person set.
const SourceUser = "user"

// userConfidence is the confidence of what a person set: above anything a
// capture shows.
const userConfidence = 100

// Device is a stored device.
type Device struct {
	ID   string
	MAC  string // lower case, colon separated; "" for hosts behind a router
	Name string // the best of Names, "" when none
	// Names are the names the device was seen with, the latest analysis's
	// first.
	Names []string
	// IPs are every IP address it used, the latest analysis's first; their
	// history is in DeviceDetail.Identifiers.
	IPs []string

	// The derived identity, "" when unknown. A field in UserSet was set by
	// a person (an attribute of source "user") and ingestion keeps it.
	Vendor, Model, Category, Criticality, OS, Software string
	Identification                                     inventory.Identification
	UserSet                                            []string

	Router        bool
	MACRandomised bool
	OUI           *inventory.OUI
	VLANs         []uint16
	FirstSeen     time.Time
	LastSeen      time.Time
	Packets       uint64 // sent, over all merged files
	Bytes         uint64

	LocationID int64 // 0 when not placed
	OwnerID    int64 // 0 when no owner
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Identifier is an address a device used.
type Identifier struct {
	Kind      string // "mac" or "ip"
	Value     string
	FirstSeen time.Time
	LastSeen  time.Time
	Packets   uint64
	SeenBy    []string // for IP addresses: "ip", "arp", "ndp"
}

// DeviceDetail is a device with everything known about it.
type DeviceDetail struct {
	Device
	Identifiers []Identifier // MAC first, then IPs by address
	Attributes  []Attribute  // by key, then confidence (highest first)
	Links       []Link       // from or to the device
	Findings    []Finding
	Tags        []string
	// Location is the path from the site down to the device's location,
	// empty when it is not placed.
	Location []Location
	Owner    *Owner
}

func (r *deviceRow) device() Device {
	d := Device{
		ID: r.id, MAC: r.mac, Name: r.name, Names: nonNil(r.names), IPs: nonNil(r.ips),
		Vendor: r.vendor, Model: r.model, Category: r.category, Criticality: r.criticality,
		OS: r.os, Software: r.software, Identification: r.ident,
		Router: r.router, MACRandomised: r.randomised, OUI: r.oui, VLANs: r.vlans,
		FirstSeen: fromNanos(r.first), LastSeen: fromNanos(r.last),
		Packets: uint64(max(r.packets, 0)), Bytes: uint64(max(r.bytes, 0)),
		LocationID: r.locationID.Int64, OwnerID: r.ownerID.Int64,
		CreatedAt: fromNanos(r.createdAt), UpdatedAt: fromNanos(r.updatedAt),
	}
	for _, f := range identityFields {
		if r.userSet&f.bit != 0 {
			d.UserSet = append(d.UserSet, f.key)
		}
	}
	return d
}

// DeviceFilter selects devices. Zero fields select all.
type DeviceFilter struct {
	// Search matches, case-insensitively, part of a device's names,
	// vendor or model, or of any MAC or IP address it used.
	Search      string
	Category    string
	Vendor      string
	Criticality string
	Tag         string
	// SiteID keeps the devices placed anywhere in that site.
	SiteID int64
	// SiteIDs, when not empty, keeps only the devices placed in one of
	// these sites: the limit of a user whose role is for some sites only.
	SiteIDs []int64
	// SeenAfter and SeenBefore bound LastSeen: at or after, and before.
	SeenAfter  time.Time
	SeenBefore time.Time
}

// DeviceQuery asks for one page of devices.
type DeviceQuery struct {
	DeviceFilter
	// Sort is the order: "id" (the default), "name", "vendor", "model",
	// "category", "criticality", "first_seen" or "last_seen"; ties are
	// broken by id, so the order is total and pages are stable.
	Sort string
	Desc bool
	// Limit is the page size: default 50, at most 500.
	Limit int
	// Cursor is the Next of the previous page, "" for the first.
	Cursor string
}

// DevicePage is a page of devices.
type DevicePage struct {
	Devices []Device
	// Next is the cursor of the next page, "" on the last page.
	Next string
}

// sortColumns are the sorts ListDevices knows, with their column and
// whether it is a number.
var sortColumns = map[string]struct {
	col string
	num bool
}{
	"id": {"d.id", false}, "name": {"d.name", false}, "vendor": {"d.vendor", false},
	"model": {"d.model", false}, "category": {"d.category", false},
	"criticality": {"d.criticality", false}, "first_seen": {"d.first_seen", true},
	"last_seen": {"d.last_seen", true},
}

// cursor is where a page ended: the sort key and id of its last device.
type cursor struct {
	Sort string `json:"s"`
	Desc bool   `json:"d,omitempty"`
	Str  string `json:"v,omitempty"`
	Num  int64  `json:"n,omitempty"`
	ID   string `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // a struct of strings and numbers always encodes
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return c, invalidf("malformed cursor")
	}
	return c, nil
}

// ListDevices returns a page of the devices q selects, in its order.
func (db *DB) ListDevices(ctx context.Context, q DeviceQuery) (DevicePage, error) {
	page, err := db.listDevices(ctx, q)
	if err != nil {
		return DevicePage{}, fmt.Errorf("store: list devices: %w", err)
	}
	return page, nil
}

func (db *DB) listDevices(ctx context.Context, q DeviceQuery) (DevicePage, error) {
	if q.Sort == "" {
		q.Sort = "id"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	f, err := db.filter(ctx, db.sql, &q.DeviceFilter)
	if err != nil {
		return DevicePage{}, err
	}
	rows, err := db.readPage(ctx, f, q, limit+1)
	if err != nil {
		return DevicePage{}, err
	}
	var page DevicePage
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		c := cursor{Sort: q.Sort, Desc: q.Desc, ID: last.id}
		c.Str, c.Num = sortKey(last, q.Sort)
		page.Next = c.encode()
	}
	page.Devices = make([]Device, len(rows))
	for i, r := range rows {
		page.Devices[i] = r.device()
	}
	return page, nil
}

// keysetCondition is the condition that starts a page after q.Cursor.
func keysetCondition(q DeviceQuery, col string, num bool, args *[]any) (string, error) {
	c, err := decodeCursor(q.Cursor)
	if err != nil {
		return "", err
	}
	if c.Sort != q.Sort || c.Desc != q.Desc {
		return "", invalidf("cursor is for another order")
	}
	op := " > "
	if q.Desc {
		op = " < "
	}
	*args = append(*args, c.ID)
	idArg := fmt.Sprintf("$%d", len(*args))
	if col == "d.id" {
		return "d.id" + op + idArg, nil
	}
	if num {
		*args = append(*args, c.Num)
	} else {
		*args = append(*args, c.Str)
	}
	return fmt.Sprintf("(%s, d.id)%s($%d, %s)", col, op, len(*args), idArg), nil
}

// sortKey is r's value of sort column s.
func sortKey(r *deviceRow, s string) (string, int64) {
	switch s {
	case "name":
		return r.name, 0
	case "vendor":
		return r.vendor, 0
	case "model":
		return r.model, 0
	case "category":
		return r.category, 0
	case "criticality":
		return r.criticality, 0
	case "first_seen":
		return "", r.first
	case "last_seen":
		return "", r.last
	}
	return "", 0
}

func scanDevices(ctx context.Context, q querier, query string, args ...any) ([]*deviceRow, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*deviceRow
	for rows.Next() {
		r := new(deviceRow)
		if err := r.scan(rows); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// GetDevice returns the device with the given id and everything known
// about it, or ErrNotFound.
func (db *DB) GetDevice(ctx context.Context, id string) (*DeviceDetail, error) {
	var d DeviceDetail
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := scanDevices(ctx, tx, "SELECT "+deviceColumns+
			" FROM devices d WHERE d.id = $1", id)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return ErrNotFound
		}
		d.Device = rows[0].device()
		return d.load(ctx, tx)
	})
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: device %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get device %q: %w", id, err)
	}
	return &d, nil
}

// load reads what belongs to d.Device.
func (d *DeviceDetail) load(ctx context.Context, q querier) error {
	steps := []struct {
		what string
		fn   func(context.Context, querier) error
	}{
		{"identifiers", d.loadIdentifiers}, {"attributes", d.loadAttributes},
		{"links", d.loadLinks}, {"findings", d.loadFindings}, {"tags", d.loadTags},
		{"location", d.loadLocation}, {"owner", d.loadOwner},
	}
	for _, s := range steps {
		if err := s.fn(ctx, q); err != nil {
			return fmt.Errorf("read %s: %w", s.what, err)
		}
	}
	return nil
}

func (d *DeviceDetail) loadIdentifiers(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, "SELECT kind, value, first_seen, last_seen, packets, "+
		"seen_by FROM identifiers WHERE device_id = $1 ORDER BY kind DESC, value", d.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Identifiers = []Identifier{}
	for rows.Next() {
		var i Identifier
		var first, last, packets, bits int64
		if err := rows.Scan(&i.Kind, &i.Value, &first, &last, &packets, &bits); err != nil {
			return err
		}
		i.FirstSeen, i.LastSeen, i.Packets = fromNanos(first), fromNanos(last), uint64(packets)
		i.SeenBy = seenBy(bits)
		d.Identifiers = append(d.Identifiers, i)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortStableFunc(d.Identifiers, func(a, b Identifier) int {
		if a.Kind != b.Kind {
			return cmp.Compare(b.Kind, a.Kind) // "mac" first
		}
		x, errX := netip.ParseAddr(a.Value)
		y, errY := netip.ParseAddr(b.Value)
		if errX != nil || errY != nil {
			return cmp.Compare(a.Value, b.Value)
		}
		return x.Compare(y)
	})
	return nil
}

func (d *DeviceDetail) loadAttributes(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, "SELECT source, key, value, peer, confidence, first_seen, "+
		"last_seen, count FROM attributes WHERE device_id = $1 "+
		"ORDER BY key, confidence DESC, source, value, peer", d.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Attributes = []Attribute{}
	for rows.Next() {
		var a Attribute
		var conf, first, last, n int64
		if err := rows.Scan(&a.Source, &a.Key, &a.Value, &a.Peer, &conf, &first, &last, &n); err != nil {
			return err
		}
		a.Confidence = confidence(conf)
		a.FirstSeen, a.LastSeen, a.Count = fromNanos(first), fromNanos(last), uint64(n)
		d.Attributes = append(d.Attributes, a)
	}
	return rows.Err()
}

func (d *DeviceDetail) loadLinks(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, "SELECT source, key, value, from_device, to_device, "+
		"first_seen, last_seen, count FROM links WHERE from_device = $1 OR to_device = $1 "+
		"ORDER BY source, from_device, to_device, key, value", d.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Links = []Link{}
	for rows.Next() {
		var l Link
		var first, last, n int64
		if err := rows.Scan(&l.Source, &l.Key, &l.Value, &l.From, &l.To, &first, &last, &n); err != nil {
			return err
		}
		l.FirstSeen, l.LastSeen, l.Count = fromNanos(first), fromNanos(last), uint64(n)
		d.Links = append(d.Links, l)
	}
	return rows.Err()
}

func (d *DeviceDetail) loadFindings(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, "SELECT kind, protocol, messages, connections, peers "+
		"FROM findings WHERE device_id = $1 ORDER BY kind, protocol", d.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Findings = []Finding{}
	for rows.Next() {
		var f Finding
		var msgs, conns, peers int64
		if err := rows.Scan(&f.Kind, &f.Protocol, &msgs, &conns, &peers); err != nil {
			return err
		}
		f.Messages, f.Connections, f.Peers = uint64(msgs), uint64(conns), int(peers)
		d.Findings = append(d.Findings, f)
	}
	return rows.Err()
}

func (d *DeviceDetail) loadTags(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, "SELECT t.name FROM device_tags dt JOIN tags t ON "+
		"t.id = dt.tag_id WHERE dt.device_id = $1 ORDER BY t.name", d.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Tags = []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		d.Tags = append(d.Tags, t)
	}
	return rows.Err()
}

func (d *DeviceDetail) loadLocation(ctx context.Context, q querier) error {
	d.Location = []Location{}
	for id := d.LocationID; id != 0; {
		l, err := location(ctx, q, id)
		if err != nil {
			return err
		}
		d.Location = append([]Location{l}, d.Location...)
		id = l.ParentID
		if len(d.Location) > maxLocationDepth {
			return errors.New("location tree has a cycle")
		}
	}
	return nil
}

func (d *DeviceDetail) loadOwner(ctx context.Context, q querier) error {
	if d.OwnerID == 0 {
		return nil
	}
	o := Owner{ID: d.OwnerID}
	err := q.QueryRowContext(ctx, "SELECT name, contact FROM owners WHERE id = $1", o.ID).
		Scan(&o.Name, &o.Contact)
	if err != nil {
		return err
	}
	d.Owner = &o
	return nil
}

// DeviceFlows returns up to limit (default 100) flows to or from the
// device, the most recent first.
func (db *DB) DeviceFlows(ctx context.Context, id string, limit int) ([]Flow, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT src, dst, proto, dst_port, vlan, app, packets, "+
		"bytes, packets_rev, bytes_rev, messages, messages_rev, connections, first_seen, "+
		"last_seen, src_mac, dst_mac, coalesce(src_device, ''), coalesce(dst_device, '') "+
		"FROM flows WHERE src_device = $1 OR dst_device = $1 "+
		"ORDER BY last_seen DESC, src, dst, proto, dst_port, vlan LIMIT $2", id, limit)
	if err != nil {
		return nil, fmt.Errorf("store: flows of %q: %w", id, err)
	}
	defer rows.Close()
	flows := []Flow{}
	for rows.Next() {
		var f Flow
		var n [12]int64
		err := rows.Scan(&f.Src, &f.Dst, &n[0], &n[1], &n[2], &f.App, &n[3], &n[4], &n[5], &n[6],
			&n[7], &n[8], &n[9], &n[10], &n[11], &f.SrcMAC, &f.DstMAC, &f.SrcDevice, &f.DstDevice)
		if err != nil {
			return nil, fmt.Errorf("store: flows of %q: %w", id, err)
		}
		f.Proto, f.DstPort, f.VLAN = uint8(n[0]), uint16(n[1]), uint16(n[2])
		f.Packets, f.Bytes, f.PacketsRev, f.BytesRev = uint64(n[3]), uint64(n[4]), uint64(n[5]),
			uint64(n[6])
		f.Messages, f.MessagesRev, f.Connections = uint64(n[7]), uint64(n[8]), uint64(n[9])
		f.FirstSeen, f.LastSeen = fromNanos(n[10]), fromNanos(n[11])
		flows = append(flows, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: flows of %q: %w", id, err)
	}
	return flows, nil
}

// Count is how many devices have a value.
type Count struct {
	Value   string // "" counts the devices where it is unknown
	Devices int
}

// DeviceCounts are the numbers of a dashboard.
type DeviceCounts struct {
	Total         int
	ByCategory    []Count // most devices first, then by value
	ByCriticality []Count
	ByVendor      []Count
}

// CountDevices counts the devices f selects, by category, criticality and
// vendor.
func (db *DB) CountDevices(ctx context.Context, f DeviceFilter) (*DeviceCounts, error) {
	var c *DeviceCounts
	err := db.read(ctx, func(tx *sql.Tx) error {
		s, err := db.filter(ctx, tx, &f)
		if err != nil {
			return err
		}
		few, err := db.few(ctx, tx, s)
		if err != nil {
			return err
		}
		c, err = countGroups(ctx, tx, s, db.dialect, few)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: count devices: %w", err)
	}
	return c, nil
}

// countGroups counts the devices s selects in one pass, by the groups of
// (category, criticality, vendor), and adds those up by each. few says s
// selects few devices of its covering index (DB.few).
func countGroups(ctx context.Context, q querier, s *filterSQL, d *dialect, few bool) (
	*DeviceCounts, error) {
	from, where := s.countFrom(d)
	if few {
		from, where = s.from+" INDEXED BY "+s.cover(), s.where()
	}
	rows, err := q.QueryContext(ctx, "SELECT d.category, d.criticality, d.vendor, count(*) FROM "+
		from+where+" GROUP BY d.category, d.criticality, d.vendor", s.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := &DeviceCounts{}
	var by [3]map[string]int
	for i := range by {
		by[i] = map[string]int{}
	}
	for rows.Next() {
		var g [3]string
		var n int
		if err := rows.Scan(&g[0], &g[1], &g[2], &n); err != nil {
			return nil, err
		}
		for i, v := range g {
			by[i][v] += n
		}
		c.Total += n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.ByCategory, c.ByCriticality, c.ByVendor = sortedCounts(by[0]), sortedCounts(by[1]),
		sortedCounts(by[2])
	return c, nil
}

// sortedCounts are the counts of n, most devices first, then by value.
func sortedCounts(n map[string]int) []Count {
	out := make([]Count, 0, len(n))
	for v, k := range n {
		out = append(out, Count{Value: v, Devices: k})
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.Devices, a.Devices), cmp.Compare(a.Value, b.Value))
	})
	return out
}

// SetUserAttribute records that a person set key to value on the device:
// an attribute of source "user", which replaces the one they set before
// for key and which ingestion never changes. For the identity keys
// (vendor, model, category, criticality, os, software) it also sets the
// device's field, which ingestion then keeps.
func (db *DB) SetUserAttribute(ctx context.Context, deviceID, key, value string) error {
	if err := checkText("user attribute", "key", key, "value", value); err != nil {
		return fmt.Errorf("store: set %s of %q: %w", key, deviceID, err)
	}
	if key == "" {
		return fmt.Errorf("store: set attribute of %q: %w", deviceID, invalidf("no key"))
	}
	now := nanos(db.now())
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := affected(tx.ExecContext(ctx, "UPDATE devices SET updated_at = $2 WHERE id = $1",
			deviceID, now))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM attributes WHERE device_id = $1 AND "+
			"source = 'user' AND key = $2 AND value <> $3", deviceID, key, value)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO attributes (device_id, source, key, value, "+
			"peer, confidence, first_seen, last_seen, count) VALUES ($1, 'user', $2, $3, '', $4, "+
			"$5, $5, 1) ON CONFLICT (device_id, source, key, value, peer) DO UPDATE SET "+
			"last_seen = excluded.last_seen, count = attributes.count + 1",
			deviceID, key, value, userConfidence, now)
		if err != nil {
			return err
		}
		if bit := identityBit(key); bit != 0 {
			err = updateIdentity(ctx, tx, deviceID, key, func(r *deviceRow) bool {
				v, _ := r.field(key)
				*v = value
				r.userSet |= bit
				return true
			})
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set %s of %q: %w", key, deviceID, err)
	}
	return nil
}

// DeleteUserAttribute removes what a person set for key on the device.
// For an identity key (vendor, model, category, criticality, os, software)
// the device's field goes back to what the last analysis derived ("" when
// it derived nothing), and ingestion sets it again. It returns ErrNotFound
// for a device that is not there; a key the person never set is no error.
func (db *DB) DeleteUserAttribute(ctx context.Context, deviceID, key string) error {
	if err := checkText("user attribute", "key", key); err != nil || key == "" {
		return fmt.Errorf("store: clear %.80q of %q: %w", key, deviceID, ErrInvalid)
	}
	now := nanos(db.now())
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := affected(tx.ExecContext(ctx, "UPDATE devices SET updated_at = $2 WHERE id = $1",
			deviceID, now))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM attributes WHERE device_id = $1 AND "+
			"source = 'user' AND key = $2", deviceID, key)
		if bit := identityBit(key); err == nil && bit != 0 {
			err = updateIdentity(ctx, tx, deviceID, key, func(r *deviceRow) bool {
				if r.userSet&bit == 0 {
					return false
				}
				v, d := r.field(key)
				if *v = ""; *d != nil {
					*v = (*d).Value
				}
				r.userSet &^= bit
				return true
			})
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: clear %s of %q: %w", key, deviceID, err)
	}
	return nil
}

// updateIdentity changes identity field key of the device as change says,
// with its user_set bit, and the search text with it; change returns false
// for no change. key must be one of identityFields: it is a column name.
func updateIdentity(ctx context.Context, tx *sql.Tx, deviceID, key string,
	change func(r *deviceRow) bool) error {
	rows, err := loadDevices(ctx, tx, []string{deviceID})
	if err != nil {
		return err
	}
	r := rows[deviceID]
	if r == nil {
		return ErrNotFound
	}
	if !change(r) {
		return nil
	}
	r.finish()
	v, _ := r.field(key)
	_, err = tx.ExecContext(ctx, "UPDATE devices SET "+key+" = $2, user_set = $3, search = $4 "+
		"WHERE id = $1", deviceID, *v, r.userSet, r.search)
	return err
}
