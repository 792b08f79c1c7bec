package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// FindingRow is one vulnerability of a device: a match.Finding with its
// priority, as the store keeps it.
type FindingRow struct {
	DeviceID   string
	AdvisoryID string
	CVE        string // "" for a vulnerability without one
	// Status is StatusAffected, StatusFixed, StatusNotAffected or
	// StatusUnderInvestigation: the ruling's where one applies.
	Status     string
	Confidence float64 // 0–1, of the device being the product at that version
	Kind       string  // the evidence: "identifier", "vendor_model_version", ...
	// Product, ProductID and ProductRange are the advisory's product as
	// written, its ID there and its version or range as written.
	Product, ProductID, ProductRange string
	Reason                           string
	Priority                         int    // 0–100
	Level                            string // "critical", "high", "medium" or "low"
	SSVC                             string // "track", "track*", "attend" or "act"
	Reasons                          []string
	// Decided is set when a ruling applies; Reopened when it was made on
	// another range of the product, so that Status is the matcher's again.
	Decided, Reopened bool
	// FirstMatched is when the finding was first made, and it has been
	// made at every match since; LastMatched is the latest match that
	// made it. The store sets both.
	FirstMatched, LastMatched time.Time
	// DeviceName and AdvisoryTitle are filled by Findings for lists; they
	// are not stored.
	DeviceName, AdvisoryTitle string
}

// FindingChanges counts what a replacement of findings did.
type FindingChanges struct {
	New  int // findings not made at the match before
	Kept int // findings made before too, which keep their FirstMatched
	Gone int // findings of the match before not made again
}

// vulnKey is what identifies a finding.
type vulnKey struct{ device, advisory, cve string }

func (f *FindingRow) key() vulnKey { return vulnKey{f.DeviceID, f.AdvisoryID, f.CVE} }

// ReplaceFindings replaces every finding with fs, in one transaction. A
// finding made before keeps its FirstMatched, so that what is new since
// a time can be asked; every finding's LastMatched is now.
func (db *DB) ReplaceFindings(ctx context.Context, fs []FindingRow, now time.Time) (
	FindingChanges, error) {
	ch, err := db.replaceFindings(ctx, "", "", fs, now)
	return ch, errorf("replace findings", err)
}

// ReplaceDeviceFindings replaces the findings of one device with fs, all
// of which must be of that device: a match of a new or changed device.
func (db *DB) ReplaceDeviceFindings(ctx context.Context, deviceID string, fs []FindingRow,
	now time.Time) (FindingChanges, error) {
	ch, err := db.replaceFindings(ctx, "device_id", deviceID, fs, now)
	if err != nil {
		return ch, fmt.Errorf("store: replace findings of device %.80q: %w", deviceID, err)
	}
	return ch, nil
}

// ReplaceAdvisoryFindings replaces the findings of one advisory with fs,
// all of which must be of that advisory: a match of a new revision.
func (db *DB) ReplaceAdvisoryFindings(ctx context.Context, advisoryID string, fs []FindingRow,
	now time.Time) (FindingChanges, error) {
	ch, err := db.replaceFindings(ctx, "advisory_id", advisoryID, fs, now)
	if err != nil {
		return ch, fmt.Errorf("store: replace findings of advisory %.80q: %w", advisoryID, err)
	}
	return ch, nil
}

// findingColumns are the stored columns of a finding, in the order of
// FindingRow.values.
const findingColumns = "device_id, advisory_id, cve, status, confidence, kind, product, " +
	"product_id, product_range, reason, priority, level, ssvc, reasons, decided, reopened, " +
	"digest, first_matched"

// findingUpsert writes findings new or changed: a changed one keeps its
// first_matched.
const findingUpsert = " ON CONFLICT (device_id, advisory_id, cve) DO UPDATE SET " +
	"status = excluded.status, confidence = excluded.confidence, kind = excluded.kind, " +
	"product = excluded.product, product_id = excluded.product_id, " +
	"product_range = excluded.product_range, reason = excluded.reason, " +
	"priority = excluded.priority, level = excluded.level, ssvc = excluded.ssvc, " +
	"reasons = excluded.reasons, decided = excluded.decided, reopened = excluded.reopened, " +
	"digest = excluded.digest"

// replaceFindings replaces the findings whose column col is val (all of
// them for col "") with fs. Most findings of a match are those of the
// match before, unchanged, and rewriting them all would write every page
// of the table and its indexes again: so it deletes the findings not made
// again, writes those new or changed (told by their digests), and records
// the time of the match for the scope (finding_matches) rather than in
// each row.
func (db *DB) replaceFindings(ctx context.Context, col, val string, fs []FindingRow,
	now time.Time) (FindingChanges, error) {
	var ch FindingChanges
	if col != "" && strings.TrimSpace(val) == "" {
		return ch, invalidf("no %s", strings.ReplaceAll(col, "_", " "))
	}
	if bad := badTime(now); bad != "" || now.IsZero() {
		return ch, invalidf("match time: %s", cmp.Or(bad, "zero"))
	}
	order, err := checkFindings(fs, col, val)
	if err != nil {
		return ch, err
	}
	digests := make([]int64, len(fs))
	for i := range fs {
		digests[i] = fs[i].digest()
	}
	s := &filterSQL{}
	if col != "" {
		s.addCol(col, "= "+s.arg(val))
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		ch, err = db.writeFindings(ctx, tx, s, fs, order, digests, nanos(now))
		if err != nil {
			return err
		}
		return saveMatchTime(ctx, tx, col, val, nanos(now))
	})
	if err != nil {
		return FindingChanges{}, err
	}
	if ch.New+ch.Gone >= analyzeAfter {
		db.analyzeFindings(ctx)
	}
	return ch, nil
}

// writeFindings replaces the findings s selects with fs (in order, of
// those digests), matched at.
func (db *DB) writeFindings(ctx context.Context, tx *sql.Tx, s *filterSQL, fs []FindingRow,
	order []int32, digests []int64, at int64) (FindingChanges, error) {
	old, err := storedFindings(ctx, tx, s)
	if err != nil {
		return FindingChanges{}, err
	}
	d := diffFindings(fs, digests, order, old)
	write := d.write
	if d.rewrite() {
		write = order
		err = deleteFindings(ctx, tx, s, nil, true)
	} else {
		err = deleteFindings(ctx, tx, s, old, d.changes.Kept == 0)
	}
	if err != nil {
		return FindingChanges{}, err
	}
	b := newBatch(ctx, ctx, tx, db.dialect, "INSERT INTO device_vulns ("+findingColumns+
		") VALUES ", 18, findingUpsert)
	for _, i := range write {
		b.add(fs[i].values(digests[i], cmp.Or(d.first[i], at))...)
	}
	return d.changes, b.close()
}

// analyzeAfter is the number of findings added or removed after which a
// replacement refreshes the planner's statistics of device_vulns: both
// planners read a page of one device from a scan of every finding when
// they know nothing of the table, as after its first match.
const analyzeAfter = 10_000

// analyzeFindings refreshes the planner's statistics of device_vulns. The
// findings are stored already, so a failure is only logged.
func (db *DB) analyzeFindings(ctx context.Context) {
	if _, err := db.sql.ExecContext(ctx, "ANALYZE device_vulns"); err != nil {
		db.log.Warn("analyze findings", "err", err)
	}
}

// storedFinding is what a replacement reads of a stored finding.
type storedFinding struct {
	id, digest, first int64
}

// storedFindings reads the findings s selects.
func storedFindings(ctx context.Context, tx *sql.Tx, s *filterSQL) (map[vulnKey]storedFinding,
	error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, device_id, advisory_id, cve, digest, "+
		"first_matched FROM device_vulns"+s.where(), s.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[vulnKey]storedFinding{}
	for rows.Next() {
		var k vulnKey
		var f storedFinding
		err := rows.Scan(&f.id, &k.device, &k.advisory, &k.cve, &f.digest, &f.first)
		if err != nil {
			return nil, err
		}
		out[k] = f
	}
	return out, rows.Err()
}

// findingDiff is what replacing stored findings with new ones changes.
type findingDiff struct {
	changes FindingChanges
	// write are the indexes of the new findings to write (new or
	// changed), in order; first their first_matched, 0 for new ones.
	write []int32
	first []int64
}

// rewrite reports whether the replacement changes so many findings that
// deleting them all and writing every finding again costs less than
// updating each changed one: on PostgreSQL, an update writes a new row
// and new index entries, and leaves the old ones for vacuum.
func (d *findingDiff) rewrite() bool {
	changed := len(d.write) - d.changes.New
	return changed > 0 && changed >= (d.changes.New+d.changes.Kept)/2
}

// diffFindings compares the new findings fs (of those digests, in order)
// with those stored, old, and leaves in old the findings to delete.
func diffFindings(fs []FindingRow, digests []int64, order []int32,
	old map[vulnKey]storedFinding) findingDiff {
	d := findingDiff{write: make([]int32, 0, len(fs)), first: make([]int64, len(fs))}
	for _, i := range order {
		k := fs[i].key()
		s, ok := old[k]
		if !ok {
			d.changes.New++
			d.write = append(d.write, i)
			continue
		}
		d.changes.Kept++
		d.first[i] = s.first
		delete(old, k)
		if s.digest != digests[i] {
			d.write = append(d.write, i)
		}
	}
	d.changes.Gone = len(old)
	return d
}

// deleteChunk bounds the ids of one DELETE.
const deleteChunk = 500

// deleteFindings deletes the findings gone: with all set, every finding s
// selects, in one statement.
func deleteFindings(ctx context.Context, tx *sql.Tx, s *filterSQL, gone map[vulnKey]storedFinding,
	all bool) error {
	if all {
		_, err := tx.ExecContext(ctx, "DELETE FROM device_vulns"+s.where(), s.args...)
		return err
	}
	if len(gone) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(gone))
	for _, f := range gone {
		ids = append(ids, f.id)
	}
	slices.Sort(ids)
	for chunk := range slices.Chunk(ids, deleteChunk) {
		ph := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, id := range chunk {
			ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM device_vulns WHERE id IN ("+
			strings.Join(ph, ", ")+")", args...)
		if err != nil {
			return err
		}
	}
	return nil
}

// checkFindings refuses findings the store could not keep, findings of
// another device or advisory than the one replaced (col = val), and a
// finding given twice. It returns the order to write them in: by key.
func checkFindings(fs []FindingRow, col, val string) ([]int32, error) {
	order := make([]int32, len(fs))
	for i := range fs {
		if err := checkFinding(&fs[i], col, val); err != nil {
			return nil, err
		}
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return compareKeys(fs[a].key(), fs[b].key()) })
	for i := 1; i < len(order); i++ {
		if k := fs[order[i]].key(); k == fs[order[i-1]].key() {
			return nil, invalidf("finding of device %.80q, advisory %.80q, cve %.80q given twice",
				k.device, k.advisory, k.cve)
		}
	}
	return order, nil
}

func compareKeys(a, b vulnKey) int {
	return cmp.Or(strings.Compare(a.device, b.device), strings.Compare(a.advisory, b.advisory),
		strings.Compare(a.cve, b.cve))
}

func checkFinding(f *FindingRow, col, val string) error {
	if p := findingProblem(f, col, val); p != "" {
		return invalidf("finding of device %.80q, advisory %.80q: %s", f.DeviceID, f.AdvisoryID, p)
	}
	return nil
}

// findingProblem says what is wrong with f, or "" if nothing. It formats
// nothing for a good finding: a match checks 200,000 of them.
func findingProblem(f *FindingRow, col, val string) string {
	switch {
	case strings.TrimSpace(f.DeviceID) == "":
		return "no device id"
	case strings.TrimSpace(f.AdvisoryID) == "":
		return "no advisory id"
	case col == "device_id" && f.DeviceID != val || col == "advisory_id" && f.AdvisoryID != val:
		return "not of the " + strings.TrimSuffix(col, "_id") + " replaced"
	case !validStatus(f.Status):
		return fmt.Sprintf("unknown status %.80q", f.Status)
	case math.IsNaN(f.Confidence) || f.Confidence < 0 || f.Confidence > 1:
		return fmt.Sprintf("confidence %v is not between 0 and 1", f.Confidence)
	case f.Priority < 0 || f.Priority > 100:
		return fmt.Sprintf("priority %d is not between 0 and 100", f.Priority)
	}
	name, r := badField("device id", f.DeviceID, "advisory id", f.AdvisoryID, "cve", f.CVE,
		"kind", f.Kind, "product", f.Product, "product id", f.ProductID,
		"product range", f.ProductRange, "reason", f.Reason, "level", f.Level, "ssvc", f.SSVC)
	if r != "" {
		return name + " " + r
	}
	for _, reason := range f.Reasons {
		if r := badText(reason); r != "" {
			return "priority reason " + r
		}
	}
	return ""
}

// values are the columns of f, as findingColumns lists them, for a
// finding of that digest first matched then.
func (f *FindingRow) values(digest, first int64) []any {
	return []any{f.DeviceID, f.AdvisoryID, f.CVE, f.Status, f.Confidence, f.Kind, f.Product,
		f.ProductID, f.ProductRange, f.Reason, f.Priority, f.Level, f.SSVC, f.reasons(),
		f.Decided, f.Reopened, digest, first}
}

// matchScopes are the finding_matches scope of each column a replacement
// is by.
var matchScopes = map[string]string{"": "all", "device_id": "device", "advisory_id": "advisory"}

// saveMatchTime records that the findings whose column col is val were
// matched at. A match of every finding makes the times of devices and
// advisories before it moot, and drops them.
func saveMatchTime(ctx context.Context, tx *sql.Tx, col, val string, at int64) error {
	if col == "" {
		if _, err := tx.ExecContext(ctx, "DELETE FROM finding_matches"); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO finding_matches (scope, key, at) VALUES ($1, $2, $3) "+
		"ON CONFLICT (scope, key) DO UPDATE SET at = excluded.at", matchScopes[col], val, at)
	return err
}

// lastMatched is what readFindings selects after findingColumns: the
// times the finding's scopes were last matched, whose latest is its
// LastMatched.
const lastMatched = "COALESCE((SELECT at FROM finding_matches WHERE scope = 'all'), 0), " +
	"COALESCE(md.at, 0), COALESCE(ma.at, 0)"

// lastMatchedJoins are the joins lastMatched reads.
const lastMatchedJoins = " LEFT JOIN finding_matches md ON md.scope = 'device' AND " +
	"md.key = v.device_id LEFT JOIN finding_matches ma ON ma.scope = 'advisory' AND " +
	"ma.key = v.advisory_id"

func (f *FindingRow) reasons() string {
	b, _ := json.Marshal(nonNil(f.Reasons)) // a list of strings always encodes
	return string(b)
}

// digest is a hash of what a match sets of f (64-bit FNV-1a), stored
// beside it so that a replacement tells an unchanged finding without
// reading it. Its text holds no NUL (checkFinding), which separates the
// fields.
func (f *FindingRow) digest() int64 {
	h := uint64(fnvOffset)
	for _, s := range [...]string{f.DeviceID, f.AdvisoryID, f.CVE, f.Status, f.Kind, f.Product,
		f.ProductID, f.ProductRange, f.Reason, f.Level, f.SSVC} {
		h = fnvAdd(h, s, 0)
	}
	for _, r := range f.Reasons {
		h = fnvAdd(h, r, 1)
	}
	var b [18]byte
	binary.LittleEndian.PutUint64(b[:8], math.Float64bits(f.Confidence))
	binary.LittleEndian.PutUint64(b[8:16], uint64(f.Priority))
	b[16], b[17] = flag(f.Decided), flag(f.Reopened)
	return int64(fnvAdd(h, string(b[:]), 0))
}

// The constants of 64-bit FNV-1a.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvAdd adds s and then the byte end to the FNV-1a hash h.
func fnvAdd(h uint64, s string, end byte) uint64 {
	for i := range len(s) {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return (h ^ uint64(end)) * fnvPrime
}

func flag(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// scanFinding reads findingColumns, lastMatched, then the device's name
// and the advisory's title.
func scanFinding(sc interface{ Scan(...any) error }) (FindingRow, error) {
	var f FindingRow
	var reasons string
	var digest, first, all, device, adv int64
	err := sc.Scan(&f.DeviceID, &f.AdvisoryID, &f.CVE, &f.Status, &f.Confidence, &f.Kind,
		&f.Product, &f.ProductID, &f.ProductRange, &f.Reason, &f.Priority, &f.Level, &f.SSVC,
		&reasons, &f.Decided, &f.Reopened, &digest, &first, &all, &device, &adv, &f.DeviceName,
		&f.AdvisoryTitle)
	if err != nil {
		return f, err
	}
	f.FirstMatched, f.LastMatched = fromNanos(first), fromNanos(max(all, device, adv, first))
	if err := json.Unmarshal([]byte(reasons), &f.Reasons); err != nil {
		return f, fmt.Errorf("priority reasons of %s on %s: %w", f.AdvisoryID, f.DeviceID, err)
	}
	if len(f.Reasons) == 0 {
		f.Reasons = nil
	}
	return f, nil
}

// settled is the condition that a ruling settles the finding of alias:
// one applies, and was not reopened.
func settled(alias string) string {
	return "(" + alias + ".decided AND NOT " + alias + ".reopened)"
}
