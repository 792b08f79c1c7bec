package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/advisory"
)

// AdvisorySummary is an advisory as lists show it.
type AdvisorySummary struct {
	ID         string
	Format     advisory.Format
	Title      string
	Publisher  string
	Revision   string
	Status     string
	Released   time.Time
	Updated    time.Time
	ImportedAt time.Time
	Source     string // the file it was imported from
	SHA256     string
	// CVEs are its vulnerabilities' CVEs (or its own ID for one without),
	// in document order.
	CVEs []string
	// CVSS is the highest base score of its vulnerabilities (of each,
	// the newest CVSS version's), Severity that score's.
	CVSS     float64
	Severity string
	// KEV is set when one of its CVEs is in the KEV catalogue.
	KEV bool
	// Devices counts the devices with an affected finding of it.
	Devices int
}

// AdvisoryQuery asks for a page of advisories, most recently updated
// first.
type AdvisoryQuery struct {
	// Search keeps the advisories whose ID, title or one of whose CVEs
	// holds it, case-insensitively.
	Search string
	// Limit is the page size: default 50, at most 500.
	Limit int
	// After is the ID of the last advisory of the previous page, "" for
	// the first.
	After string
	// MinConfidence, when set, counts in Devices only the findings of at
	// least that confidence, or that a ruling settles.
	MinConfidence float64
}

// SaveAdvisories keeps advisories read from src, in one transaction. An
// advisory whose ID is new is added; one that is a newer revision of a
// stored one (a later Updated, or the same Updated and a higher Revision,
// compared by dotted numbers) replaces it; the same or an older revision
// is left alone and counted as unchanged. Rulings are kept apart from the
// advisories they were made on, so a new revision keeps them.
func (db *DB) SaveAdvisories(ctx context.Context, advs []*advisory.Advisory, src FeedSource) (
	FeedResult, error) {
	var res FeedResult
	if err := checkSource(src); err != nil {
		return res, errorf("save advisories", err)
	}
	rows := make([]advisoryRow, len(advs))
	for i, a := range advs {
		if err := rows[i].set(a); err != nil {
			return res, errorf("save advisories", err)
		}
	}
	at := nanos(db.orNow(src.At))
	err := db.write(ctx, func(tx *sql.Tx) error {
		res = FeedResult{}
		w, err := newAdvisoryWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for i := range rows {
			if err := w.save(&rows[i], src, at, &res); err != nil {
				return fmt.Errorf("advisory %q: %w", rows[i].a.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return FeedResult{}, errorf("save advisories", err)
	}
	return res, nil
}

// advisoryRow is an advisory ready to store.
type advisoryRow struct {
	a     *advisory.Advisory
	doc   string
	vulns []vulnRow
}

// vulnRow is a row of advisory_vulns.
type vulnRow struct {
	cve, title, severity, vector, version string
	cvss                                  float64
}

// set checks a and prepares its row.
func (r *advisoryRow) set(a *advisory.Advisory) error {
	if a == nil {
		return invalidf("nil advisory")
	}
	what := fmt.Sprintf("advisory %.80q", a.ID)
	if err := needKeys(what, "id", a.ID, "format", string(a.Format)); err != nil {
		return err
	}
	err := checkText(what, "id", a.ID, "format", string(a.Format), "title", a.Title,
		"publisher", a.Publisher, "revision", a.Revision, "status", a.Status)
	if err != nil {
		return err
	}
	if bad := badTime(a.Released, a.Updated); bad != "" {
		return invalidf("%s: %s", what, bad)
	}
	doc, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", what, err)
	}
	r.a, r.doc, r.vulns = a, string(doc), vulnRows(a)
	for _, v := range r.vulns {
		if err := checkText(what+" vulnerability", "cve", v.cve, "title", v.title,
			"vector", v.vector, "severity", v.severity, "version", v.version); err != nil {
			return err
		}
	}
	return nil
}

// vulnRows are the rows of a's vulnerabilities.
func vulnRows(a *advisory.Advisory) []vulnRow {
	out := make([]vulnRow, len(a.Vulns))
	for i, v := range a.Vulns {
		r := vulnRow{cve: v.CVE, title: v.Title}
		if r.cve == "" {
			r.cve = a.ID
		}
		if s, ok := bestScore(v.Scores); ok {
			r.cvss, r.severity, r.vector, r.version = s.Base, s.Severity, s.Vector, s.Version
		}
		out[i] = r
	}
	return out
}

// bestScore is the score of the newest CVSS version, the highest of that
// version.
func bestScore(ss []advisory.Score) (advisory.Score, bool) {
	var best advisory.Score
	for i, s := range ss {
		c := compareRevisions(s.Version, best.Version)
		if i == 0 || c > 0 || c == 0 && s.Base > best.Base {
			best = s
		}
	}
	return best, len(ss) > 0
}

// advisoryWriter holds the statements an import runs per advisory.
type advisoryWriter struct {
	ctx                         context.Context
	find, upsert, clear, insert *sql.Stmt
}

const advisoryUpsert = "INSERT INTO advisories (id, format, title, publisher, revision, status, " +
	"released, updated, imported_at, source, sha256, doc) " +
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO UPDATE SET " +
	"format = excluded.format, title = excluded.title, publisher = excluded.publisher, " +
	"revision = excluded.revision, status = excluded.status, released = excluded.released, " +
	"updated = excluded.updated, imported_at = excluded.imported_at, source = excluded.source, " +
	"sha256 = excluded.sha256, doc = excluded.doc"

func newAdvisoryWriter(ctx context.Context, tx *sql.Tx) (*advisoryWriter, error) {
	w := &advisoryWriter{ctx: ctx}
	var errs [4]error
	w.find, errs[0] = tx.PrepareContext(ctx, "SELECT updated, revision FROM advisories WHERE id = $1")
	w.upsert, errs[1] = tx.PrepareContext(ctx, advisoryUpsert)
	w.clear, errs[2] = tx.PrepareContext(ctx, "DELETE FROM advisory_vulns WHERE advisory_id = $1")
	w.insert, errs[3] = tx.PrepareContext(ctx, "INSERT INTO advisory_vulns (advisory_id, n, cve, "+
		"title, cvss, severity, vector, cvss_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
	if err := errors.Join(errs[:]...); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *advisoryWriter) close() {
	for _, st := range []*sql.Stmt{w.find, w.upsert, w.clear, w.insert} {
		if st != nil {
			st.Close()
		}
	}
}

// save adds or replaces one advisory, or leaves it, and counts which.
func (w *advisoryWriter) save(r *advisoryRow, src FeedSource, at int64, res *FeedResult) error {
	a := r.a
	var updated int64
	var revision string
	err := w.find.QueryRowContext(w.ctx, a.ID).Scan(&updated, &revision)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res.Added++
	case err != nil:
		return err
	case !newerRevision(nanos(a.Updated), a.Revision, updated, revision):
		res.Unchanged++
		return nil
	default:
		res.Updated++
	}
	res.Changed = append(res.Changed, a.ID)
	_, err = w.upsert.ExecContext(w.ctx, a.ID, string(a.Format), a.Title, a.Publisher, a.Revision,
		a.Status, nanos(a.Released), nanos(a.Updated), at, src.Name, src.SHA256, r.doc)
	if err != nil {
		return err
	}
	if _, err := w.clear.ExecContext(w.ctx, a.ID); err != nil {
		return err
	}
	for n, v := range r.vulns {
		_, err := w.insert.ExecContext(w.ctx, a.ID, n, v.cve, v.title, v.cvss, v.severity, v.vector,
			v.version)
		if err != nil {
			return err
		}
	}
	return nil
}

// newerRevision reports whether the revision (updated, revision) is newer
// than the stored (oldUpdated, oldRevision): updated later, or as late and
// with a higher revision number.
func newerRevision(updated int64, revision string, oldUpdated int64, oldRevision string) bool {
	if updated != oldUpdated {
		return updated > oldUpdated
	}
	return compareRevisions(revision, oldRevision) > 0
}

// compareRevisions compares two revisions ("1", "1.0.2", "2.1") part by
// dotted part: parts of digits by their numbers, others as text, a
// missing part as 0. It returns -1, 0 or +1.
func compareRevisions(a, b string) int {
	as, bs := strings.Split(strings.TrimSpace(a), "."), strings.Split(strings.TrimSpace(b), ".")
	for i := range max(len(as), len(bs)) {
		if c := comparePart(revisionPart(as, i), revisionPart(bs, i)); c != 0 {
			return c
		}
	}
	return 0
}

func revisionPart(parts []string, i int) string {
	if i < len(parts) && parts[i] != "" {
		return parts[i]
	}
	return "0"
}

// comparePart compares two parts of a revision: as numbers of any length
// when both are digits, else as text.
func comparePart(a, b string) int {
	if !allDigits(a) || !allDigits(b) {
		return strings.Compare(a, b)
	}
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// AllAdvisories returns every stored advisory, by ID: what the matcher is
// built from.
func (db *DB) AllAdvisories(ctx context.Context) ([]*advisory.Advisory, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT id, doc FROM advisories ORDER BY id")
	if err != nil {
		return nil, errorf("all advisories", err)
	}
	defer rows.Close()
	var out []*advisory.Advisory
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, errorf("all advisories", err)
		}
		a, err := decodeAdvisory(id, doc)
		if err != nil {
			return nil, errorf("all advisories", err)
		}
		out = append(out, a)
	}
	return out, errorf("all advisories", rows.Err())
}

func decodeAdvisory(id, doc string) (*advisory.Advisory, error) {
	a := &advisory.Advisory{}
	if err := json.Unmarshal([]byte(doc), a); err != nil {
		return nil, fmt.Errorf("decode advisory %q: %w", id, err)
	}
	return a, nil
}

// Advisory returns the stored advisory of that ID and when it was
// imported, or ErrNotFound.
func (db *DB) Advisory(ctx context.Context, id string) (*advisory.Advisory, time.Time, error) {
	var doc string
	var at int64
	err := db.sql.QueryRowContext(ctx, "SELECT doc, imported_at FROM advisories WHERE id = $1", id).
		Scan(&doc, &at)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: advisory %q: %w", id, err)
	}
	a, err := decodeAdvisory(id, doc)
	if err != nil {
		return nil, time.Time{}, errorf("advisory", err)
	}
	return a, fromNanos(at), nil
}

// ListAdvisories returns a page of advisories, the most recently updated
// first (then by ID, descending), with their CVEs and affected devices.
func (db *DB) ListAdvisories(ctx context.Context, q AdvisoryQuery) ([]AdvisorySummary, error) {
	if err := checkText("advisory query", "search", q.Search, "after", q.After); err != nil {
		return nil, errorf("list advisories", err)
	}
	var out []AdvisorySummary
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = listAdvisories(ctx, tx, q); err != nil {
			return err
		}
		return advisoryCVEs(ctx, tx, out)
	})
	if err != nil {
		return nil, errorf("list advisories", err)
	}
	return out, nil
}

func listAdvisories(ctx context.Context, tx *sql.Tx, q AdvisoryQuery) ([]AdvisorySummary, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	args := []any{q.MinConfidence}
	var conds []string
	if s := strings.ToLower(strings.TrimSpace(q.Search)); s != "" {
		args = append(args, "%"+escapeLike(s)+"%")
		n := len(args)
		conds = append(conds, fmt.Sprintf("(lower(a.id) LIKE $%d ESCAPE '\\' OR lower(a.title) "+
			"LIKE $%d ESCAPE '\\' OR EXISTS (SELECT 1 FROM advisory_vulns s WHERE "+
			"s.advisory_id = a.id AND lower(s.cve) LIKE $%d ESCAPE '\\'))", n, n, n))
	}
	if q.After != "" {
		args = append(args, q.After)
		conds = append(conds, fmt.Sprintf("(a.updated, a.id) < "+
			"(SELECT updated, id FROM advisories WHERE id = $%d)", len(args)))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	args = append(args, min(limit, 500))
	rows, err := tx.QueryContext(ctx, "SELECT a.id, a.format, a.title, a.publisher, a.revision, "+
		"a.status, a.released, a.updated, a.imported_at, a.source, a.sha256, "+
		"COALESCE((SELECT max(cvss) FROM advisory_vulns v WHERE v.advisory_id = a.id), 0), "+
		"EXISTS (SELECT 1 FROM advisory_vulns v JOIN kev k ON k.cve = v.cve "+
		"WHERE v.advisory_id = a.id), "+
		"(SELECT count(DISTINCT f.device_id) FROM device_vulns f WHERE f.advisory_id = a.id "+
		"AND f.status = 'affected' AND (f.confidence >= $1 OR "+settled("f")+")) "+
		"FROM advisories a"+where+fmt.Sprintf(" ORDER BY a.updated DESC, a.id DESC LIMIT $%d",
		len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AdvisorySummary
	for rows.Next() {
		s, err := scanAdvisorySummary(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func scanAdvisorySummary(sc interface{ Scan(...any) error }) (AdvisorySummary, error) {
	var s AdvisorySummary
	var format string
	var released, updated, imported int64
	err := sc.Scan(&s.ID, &format, &s.Title, &s.Publisher, &s.Revision, &s.Status, &released,
		&updated, &imported, &s.Source, &s.SHA256, &s.CVSS, &s.KEV, &s.Devices)
	s.Format = advisory.Format(format)
	s.Released, s.Updated, s.ImportedAt = fromNanos(released), fromNanos(updated), fromNanos(imported)
	return s, err
}

// advisoryCVEs fills the CVEs and severity of each summary.
func advisoryCVEs(ctx context.Context, tx *sql.Tx, out []AdvisorySummary) error {
	if len(out) == 0 {
		return nil
	}
	at := make(map[string]*AdvisorySummary, len(out))
	ph := make([]string, len(out))
	args := make([]any, len(out))
	for i := range out {
		at[out[i].ID] = &out[i]
		ph[i], args[i] = fmt.Sprintf("$%d", i+1), out[i].ID
	}
	rows, err := tx.QueryContext(ctx, "SELECT advisory_id, cve, cvss, severity FROM advisory_vulns "+
		"WHERE advisory_id IN ("+strings.Join(ph, ", ")+") ORDER BY advisory_id, n", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, cve, severity string
		var cvss float64
		if err := rows.Scan(&id, &cve, &cvss, &severity); err != nil {
			return err
		}
		s := at[id]
		s.CVEs = append(s.CVEs, cve)
		if cvss == s.CVSS && s.Severity == "" {
			s.Severity = severity
		}
	}
	return rows.Err()
}
