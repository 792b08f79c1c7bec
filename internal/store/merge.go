package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/observe"
)

// Input is one analysis to merge: the devices and links of an inventory
// and the flows it was built from.
type Input struct {
	Devices []*inventory.Device
	Links   []inventory.Link
	// Flows name their ends' devices by id; each must be one of Devices.
	Flows []Flow
}

// Flow is the traffic between two addresses, both directions together,
// with the devices the inventory resolved its ends to ("" when none).
type Flow struct {
	Src, Dst              string // IP addresses
	Proto                 uint8  // IP protocol number
	DstPort               uint16
	VLAN                  uint16
	App                   string // application protocol, "" when unknown
	Packets, Bytes        uint64 // both directions
	PacketsRev, BytesRev  uint64 // of those, from Dst to Src
	Messages, MessagesRev uint64 // application messages, where counted
	Connections           uint64
	FirstSeen, LastSeen   time.Time
	SrcMAC, DstMAC        string // as last seen on the wire, "" when none
	SrcDevice, DstDevice  string
	// Hours are the flow's packets and bytes in each hour it was seen in,
	// in hour order, each Hour the start of a UTC hour between FirstSeen
	// and LastSeen.
	Hours []HourCount
}

// HourCount is a flow's traffic in one hour (observe's).
type HourCount = observe.HourCount

// NewInput makes the input for an inventory and the flows of the pipeline
// result it was built from, resolving each end of a flow to its device as
// the inventory's findings do.
func NewInput(inv *inventory.Inventory, flows []observe.Flow) *Input {
	in := &Input{Devices: inv.Devices, Links: inv.Links, Flows: make([]Flow, len(flows))}
	for i, f := range flows {
		src, dst := inv.FlowEnds(&f)
		in.Flows[i] = Flow{
			Src: f.Src.String(), Dst: f.Dst.String(), Proto: f.Proto, DstPort: f.DstPort,
			VLAN: f.VLAN, App: f.App, Packets: f.Packets, Bytes: f.Bytes,
			PacketsRev: f.PacketsRev, BytesRev: f.BytesRev, Messages: f.Messages,
			MessagesRev: f.MessagesRev, Connections: f.Connections,
			FirstSeen: f.First, LastSeen: f.Last,
			SrcMAC: macString(f.SrcMAC), DstMAC: macString(f.DstMAC),
			SrcDevice: deviceID(src), DstDevice: deviceID(dst), Hours: f.Hours,
		}
	}
	return in
}

func macString(m dissect.MAC) string {
	if m.IsZero() {
		return ""
	}
	return m.String()
}

func deviceID(d *inventory.Device) string {
	if d == nil {
		return ""
	}
	return d.ID
}

// File describes the file an input was read from.
type File struct {
	// SHA256 is the lower-case hex SHA-256 of the file's bytes: merging a
	// file with the same hash again changes nothing.
	SHA256 string
	Name   string // for display: the base name it was given
	Size   int64  // bytes
	// Packets and Bytes are what the pipeline read from it.
	Packets, Bytes uint64
}

// Merged counts what a merge wrote: rows of each table inserted or
// updated.
type Merged struct {
	Devices     int `json:"devices"`
	NewDevices  int `json:"new_devices"`
	Identifiers int `json:"identifiers"`
	Attributes  int `json:"attributes"`
	Links       int `json:"links"`
	Findings    int `json:"findings"`
	Flows       int `json:"flows"`
	// Overlapping is true when the capture's time overlapped a file
	// merged before, so that counts were combined without adding the same
	// traffic twice.
	Overlapping bool `json:"overlapping,omitempty"`
}

// IngestedFile is a file merged into the store.
type IngestedFile struct {
	File
	IngestedAt time.Time
	Merged     Merged
}

// fileStats is the JSON of ingested_files.stats.
type fileStats struct {
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
	Merged  Merged `json:"merged"`
}

// MergeInventory merges an analysis of the file f into the store, in one
// transaction: devices, identifiers, attributes, links, findings, flows
// and their hourly counts are inserted or, when already known, updated
// (counts added, first and last seen widened), and f is recorded. If a file with f's SHA-256 was
// merged before it changes nothing and returns ErrAlreadyIngested. On any
// other error nothing is changed.
func (db *DB) MergeInventory(ctx context.Context, in *Input, f File) (Merged, error) {
	if err := validateInput(in, f); err != nil {
		return Merged{}, fmt.Errorf("store: merge %.80q: %w", f.SHA256, err)
	}
	var m Merged
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = db.merge(ctx, tx, in, f)
		return err
	})
	if err != nil {
		return Merged{}, fmt.Errorf("store: merge %s: %w", f.SHA256, err)
	}
	if db.dialect.optimize != "" {
		if _, err := db.sql.ExecContext(ctx, db.dialect.optimize); err != nil {
			// The merge is committed; stale statistics only slow queries.
			db.log.Warn("optimize failed", "err", err)
		}
	}
	db.log.Debug("merged", "file", f.SHA256, "devices", m.Devices, "new_devices", m.NewDevices,
		"attributes", m.Attributes, "flows", m.Flows)
	return m, nil
}

// merger writes one merge, in its transaction.
type merger struct {
	// ctx is the caller's context without its cancellation, for the
	// statements; done is the caller's, checked between statements
	// instead. modernc's driver starts a goroutine for each statement run
	// with a context that can end, which costs more than the many small
	// statements of a merge; checked between them, a cancelled merge still
	// stops within a statement's time and rolls back.
	ctx  context.Context
	done context.Context
	tx   *sql.Tx
	d    *dialect
	now  time.Time
	hook func(step string) error // DB.hook
	// overlap is true when the capture's time overlaps a file merged
	// before: its counts then combine by the larger where a row's times
	// overlap, rather than adding (addCount).
	overlap bool
}

// batch starts a batch of rows of cols values in w's transaction.
func (w *merger) batch(prefix string, cols int, suffix string) *batch {
	return newBatch(w.ctx, w.done, w.tx, w.d, prefix, cols, suffix)
}

func (db *DB) merge(ctx context.Context, tx *sql.Tx, in *Input, f File) (Merged, error) {
	if db.dialect.lockMerge != "" {
		if _, err := tx.ExecContext(ctx, db.dialect.lockMerge, db.lockKey+1); err != nil {
			return Merged{}, fmt.Errorf("lock: %w", err)
		}
	}
	w := &merger{ctx: context.WithoutCancel(ctx), done: ctx, tx: tx, d: db.dialect,
		now: db.now(), hook: db.hook}
	first, last := inputWindow(in)
	if err := w.recordFile(f, first, last); err != nil {
		return Merged{}, err
	}
	overlap, err := w.overlapsEarlier(f, first, last)
	if err != nil {
		return Merged{}, err
	}
	w.overlap = overlap
	m, err := w.writeAll(in)
	if err != nil {
		return Merged{}, err
	}
	m.Overlapping = overlap
	stats, err := json.Marshal(fileStats{Packets: f.Packets, Bytes: f.Bytes, Merged: m})
	if err != nil {
		return Merged{}, fmt.Errorf("encode stats: %w", err)
	}
	_, err = tx.ExecContext(ctx, "UPDATE ingested_files SET stats = $2 WHERE sha256 = $1",
		f.SHA256, string(stats))
	if err != nil {
		return Merged{}, fmt.Errorf("record file stats: %w", err)
	}
	return m, nil
}

// recordFile records f as ingested, or returns ErrAlreadyIngested. A
// concurrent merge of the same file waits here for the first to end
// (PostgreSQL holds the key's row lock, SQLite the write lock) and then
// finds it recorded.
func (w *merger) recordFile(f File, first, last int64) error {
	res, err := w.tx.ExecContext(w.ctx, "INSERT INTO ingested_files (sha256, name, size, "+
		"ingested_at, capture_first, capture_last) VALUES ($1, $2, $3, $4, $5, $6) "+
		"ON CONFLICT (sha256) DO NOTHING", f.SHA256, f.Name, f.Size, nanos(w.now), first, last)
	if err != nil {
		return fmt.Errorf("record file: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("record file: %w", err)
	}
	if n == 0 {
		return ErrAlreadyIngested
	}
	return nil
}

// inputWindow is the span of capture time an input covers, in unix
// nanoseconds: from the first to the last time any device or flow was
// seen; 0, 0 when it has none.
func inputWindow(in *Input) (first, last int64) {
	see := func(f, l time.Time) {
		if fn := nanos(f); fn != 0 && (first == 0 || fn < first) {
			first = fn
		}
		last = max(last, nanos(l))
	}
	for _, d := range in.Devices {
		see(d.FirstSeen, d.LastSeen)
	}
	for i := range in.Flows {
		see(in.Flows[i].FirstSeen, in.Flows[i].LastSeen)
	}
	return first, last
}

// overlapsEarlier reports whether a file merged before covers capture time
// that f's [first, last] covers too.
func (w *merger) overlapsEarlier(f File, first, last int64) (bool, error) {
	if first == 0 {
		return false, nil
	}
	var n int
	err := w.tx.QueryRowContext(w.ctx, "SELECT count(*) FROM ingested_files WHERE sha256 <> $1 "+
		"AND capture_first <> 0 AND capture_first <= $3 AND capture_last >= $2",
		f.SHA256, first, last).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("compare capture times: %w", err)
	}
	return n > 0, nil
}

// writeAll writes the tables of in, devices first for the foreign keys.
func (w *merger) writeAll(in *Input) (Merged, error) {
	var m Merged
	steps := []struct {
		name string
		n    *int
		fn   func() (int, error)
	}{
		{"devices", &m.Devices, func() (int, error) {
			n, fresh, err := w.devices(in.Devices)
			m.NewDevices = fresh
			return n, err
		}},
		{"identifiers", &m.Identifiers, func() (int, error) { return w.identifiers(in.Devices) }},
		{"attributes", &m.Attributes, func() (int, error) { return w.attributes(in.Devices) }},
		{"links", &m.Links, func() (int, error) { return w.links(in.Links) }},
		{"findings", &m.Findings, func() (int, error) { return w.findings(in.Devices) }},
		{"flows", &m.Flows, func() (int, error) { return w.flows(in.Flows) }},
	}
	for _, s := range steps {
		if err := w.done.Err(); err != nil {
			return Merged{}, err
		}
		n, err := s.fn()
		if err == nil && w.hook != nil {
			err = w.hook(s.name)
		}
		if err != nil {
			return Merged{}, fmt.Errorf("write %s: %w", s.name, err)
		}
		*s.n = n
	}
	return m, nil
}

// Ingested reports whether a file with the SHA-256 was merged, so that a
// caller can skip reading it again.
func (db *DB) Ingested(ctx context.Context, sha256 string) (bool, error) {
	var one int
	err := db.sql.QueryRowContext(ctx, "SELECT 1 FROM ingested_files WHERE sha256 = $1", sha256).
		Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: look up file %.80q: %w", sha256, err)
	}
	return true, nil
}

// Files returns the merged files, the first merged first.
func (db *DB) Files(ctx context.Context) ([]IngestedFile, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT sha256, name, size, ingested_at, stats "+
		"FROM ingested_files ORDER BY ingested_at, sha256")
	if err != nil {
		return nil, fmt.Errorf("store: files: %w", err)
	}
	defer rows.Close()
	out := []IngestedFile{}
	for rows.Next() {
		var f IngestedFile
		var at int64
		var stats string
		if err := rows.Scan(&f.SHA256, &f.Name, &f.Size, &at, &stats); err != nil {
			return nil, fmt.Errorf("store: files: %w", err)
		}
		var s fileStats
		if err := json.Unmarshal([]byte(stats), &s); err != nil {
			return nil, fmt.Errorf("store: file %s stats: %w", f.SHA256, err)
		}
		f.IngestedAt, f.Packets, f.Bytes, f.Merged = fromNanos(at), s.Packets, s.Bytes, s.Merged
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: files: %w", err)
	}
	return out, nil
}
