package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	"github.com/wardhq/ward/internal/segment"
)

// SegmentDevices returns every stored device as segmentation sees it: its
// id, best name, IP addresses (those that do not parse are left out),
// VLANs, category, criticality, tags, vendor and model. Devices are in id
// order; tags in name order.
func (db *DB) SegmentDevices(ctx context.Context) ([]segment.Device, error) {
	var out []segment.Device
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = segmentDevices(ctx, tx); err != nil {
			return err
		}
		return addSegmentTags(ctx, tx, out)
	})
	if err != nil {
		return nil, fmt.Errorf("store: segment devices: %w", err)
	}
	return out, nil
}

func segmentDevices(ctx context.Context, q querier) ([]segment.Device, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, name, ips, vlans, category, criticality, "+
		"vendor, model FROM devices ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []segment.Device{}
	for rows.Next() {
		var d segment.Device
		var ips, vlans []byte
		err := rows.Scan(&d.ID, &d.Name, &ips, &vlans, &d.Category, &d.Criticality, &d.Vendor,
			&d.Model)
		if err != nil {
			return nil, err
		}
		if d.IPs, err = parseIPs(ips); err != nil {
			return nil, fmt.Errorf("device %s ips: %w", d.ID, err)
		}
		if err := json.Unmarshal(vlans, &d.VLANs); err != nil {
			return nil, fmt.Errorf("device %s vlans: %w", d.ID, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// parseIPs reads the JSON array of a device's addresses, leaving out those
// that do not parse.
func parseIPs(doc []byte) ([]netip.Addr, error) {
	var ss []string
	if err := json.Unmarshal(doc, &ss); err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(ss))
	for _, s := range ss {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a)
		}
	}
	return out, nil
}

// addSegmentTags reads every device's tags into devs.
func addSegmentTags(ctx context.Context, q querier, devs []segment.Device) error {
	at := make(map[string]int, len(devs))
	for i := range devs {
		at[devs[i].ID] = i
	}
	rows, err := q.QueryContext(ctx, "SELECT dt.device_id, t.name FROM device_tags dt "+
		"JOIN tags t ON t.id = dt.tag_id ORDER BY dt.device_id, t.name")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return err
		}
		if i, ok := at[id]; ok {
			devs[i].Tags = append(devs[i].Tags, tag)
		}
	}
	return rows.Err()
}

// SegmentFlows returns the stored flows whose last_seen is at or after
// since (the zero time: all), with the devices at either end.
func (db *DB) SegmentFlows(ctx context.Context, since time.Time) ([]segment.Flow, error) {
	// Gathered in chunks and copied once into a slice of the right size,
	// a million flows cost twice their size rather than the five times
	// that growing one slice would.
	var chunks [][]segment.Flow
	chunk := make([]segment.Flow, 0, 256)
	n := 0
	err := db.EachSegmentFlow(ctx, since, func(f *segment.Flow) error {
		if len(chunk) == cap(chunk) {
			chunks = append(chunks, chunk)
			chunk = make([]segment.Flow, 0, min(2*cap(chunk), maxFlowChunk))
		}
		chunk = append(chunk, *f)
		n++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(chunks) == 0 {
		return chunk, nil
	}
	out := make([]segment.Flow, 0, n)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, chunk...), nil
}

// maxFlowChunk is the most flows SegmentFlows gathers in one chunk.
const maxFlowChunk = 1 << 16

// EachSegmentFlow calls fn for each stored flow SegmentFlows would return,
// as the rows are read, without holding them all. The *Flow is reused:
// fn copies what it keeps. An error fn returns stops the reading and is
// returned. Flows whose addresses do not parse are left out.
func (db *DB) EachSegmentFlow(ctx context.Context, since time.Time,
	fn func(*segment.Flow) error) error {
	q := "SELECT src, dst, proto, dst_port, vlan, app, packets, bytes, first_seen, last_seen, " +
		"coalesce(src_device, ''), coalesce(dst_device, '') FROM flows"
	var args []any
	if !since.IsZero() {
		q += " WHERE last_seen >= $1"
		args = append(args, nanos(since))
	}
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: segment flows: %w", err)
	}
	defer rows.Close()
	sc := newFlowScanner(false)
	var f segment.Flow
	for rows.Next() {
		ok, err := sc.scan(rows, &f)
		if err != nil {
			return fmt.Errorf("store: segment flows: %w", err)
		}
		if !ok {
			continue
		}
		if err := fn(&f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: segment flows: %w", err)
	}
	return nil
}

// SegmentFlowHours returns the flows' hourly counts with from <= hour <
// to (a zero bound is open), each with its flow's key, application,
// devices and first and last seen; Packets and Bytes are the hour's. They
// are in hour order, then by flow key.
func (db *DB) SegmentFlowHours(ctx context.Context, from, to time.Time) ([]segment.FlowHour,
	error) {
	q := "SELECT h.src, h.dst, h.proto, h.dst_port, h.vlan, f.app, h.packets, h.bytes, " +
		"f.first_seen, f.last_seen, coalesce(f.src_device, ''), coalesce(f.dst_device, ''), " +
		"h.hour FROM flow_hours h JOIN flows f ON f.src = h.src AND f.dst = h.dst AND " +
		"f.proto = h.proto AND f.dst_port = h.dst_port AND f.vlan = h.vlan WHERE h.hour >= $1"
	args := []any{hourFrom(from)}
	if !to.IsZero() {
		q += " AND h.hour < $2"
		args = append(args, hourFrom(to))
	}
	q += " ORDER BY h.hour, h.src, h.dst, h.proto, h.dst_port, h.vlan"
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: segment flow hours: %w", err)
	}
	defer rows.Close()
	sc := newFlowScanner(true)
	out := []segment.FlowHour{}
	for rows.Next() {
		var h segment.FlowHour
		ok, err := sc.scan(rows, &h.Flow)
		if err != nil {
			return nil, fmt.Errorf("store: segment flow hours: %w", err)
		}
		if !ok {
			continue
		}
		h.Hour = time.Unix(sc.hour, 0).UTC()
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: segment flow hours: %w", err)
	}
	return out, nil
}

// hourFrom is the least stored hour (unix seconds) at or after t; the
// zero time is the least of all.
func hourFrom(t time.Time) int64 {
	if t.IsZero() {
		return -1 << 62
	}
	s := t.Unix()
	if t.Nanosecond() != 0 {
		s++
	}
	return s
}

// flowScanner reads rows of flows into segment.Flow values. The text of
// a row is read as raw bytes and the strings that repeat from row to row
// (applications, device ids, addresses) are made once, so that a million
// flows cost a few allocations each rather than a dozen.
type flowScanner struct {
	src, dst, app, srcDev, dstDev sql.RawBytes
	n                             [7]int64
	hour                          int64
	strs                          map[string]string
	addrs                         map[string]netip.Addr
	dest                          []any
}

// newFlowScanner makes a scanner of the flow columns and, withHour, a
// last column of flow_hours.hour.
func newFlowScanner(withHour bool) *flowScanner {
	sc := &flowScanner{strs: map[string]string{}, addrs: map[string]netip.Addr{}}
	sc.dest = []any{&sc.src, &sc.dst, &sc.n[0], &sc.n[1], &sc.n[2], &sc.app, &sc.n[3],
		&sc.n[4], &sc.n[5], &sc.n[6], &sc.srcDev, &sc.dstDev}
	if withHour {
		sc.dest = append(sc.dest, &sc.hour)
	}
	return sc
}

// scan reads the row into f. It reports false, with no error, for a row
// whose addresses do not parse, which the caller skips.
func (sc *flowScanner) scan(rows *sql.Rows, f *segment.Flow) (bool, error) {
	if err := rows.Scan(sc.dest...); err != nil {
		return false, err
	}
	src, dst := sc.addr(sc.src), sc.addr(sc.dst)
	if !src.IsValid() || !dst.IsValid() {
		return false, nil
	}
	*f = segment.Flow{
		Src: src, Dst: dst, Proto: uint8(sc.n[0]),
		DstPort: uint16(sc.n[1]), VLAN: uint16(sc.n[2]), App: sc.str(sc.app),
		Packets: uint64(max(sc.n[3], 0)), Bytes: uint64(max(sc.n[4], 0)),
		FirstSeen: fromNanos(sc.n[5]), LastSeen: fromNanos(sc.n[6]),
		SrcDevice: sc.str(sc.srcDev), DstDevice: sc.str(sc.dstDev),
	}
	return true, nil
}

// str is b as a string, made once for each distinct value.
func (sc *flowScanner) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := sc.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	sc.strs[s] = s
	return s
}

// addr is b parsed as an address, the zero Addr when it does not parse,
// parsed once for each distinct value.
func (sc *flowScanner) addr(b []byte) netip.Addr {
	if a, ok := sc.addrs[string(b)]; ok {
		return a
	}
	a, _ := netip.ParseAddr(string(b))
	sc.addrs[string(b)] = a
	return a
}
