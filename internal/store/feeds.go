package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/advisory"
)

// SBOMRow is an SBOM attached to a vendor, model and software version.
type SBOMRow struct {
	ID int64 // set by the store
	// VendorKey and ModelKey are the caller's normalised vendor and model
	// (match.Vendors.Key and the model's words): an SBOM is attached to
	// one (VendorKey, ModelKey, Version), and a second replaces it.
	VendorKey, ModelKey string
	Vendor, Model       string // as given, for display
	Version             string // the software version, as given; "" for any
	SBOM                *advisory.SBOM
	ImportedAt          time.Time // zero for now
}

// SaveKEV replaces the KEV catalogue with k, in one transaction. A CVE
// listed twice keeps its last entry.
func (db *DB) SaveKEV(ctx context.Context, k *advisory.KEV) error {
	entries, err := kevEntries(k)
	if err != nil {
		return errorf("save kev", err)
	}
	at := nanos(db.now())
	err = db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM kev"); err != nil {
			return err
		}
		b := newBatch(ctx, ctx, tx, db.dialect, "INSERT INTO kev (cve, vendor, product, name, "+
			"description, added, due, required_action, ransomware, notes, cwes) VALUES ", 11, "")
		for _, e := range entries {
			cwes, _ := json.Marshal(nonNil(e.CWEs)) // a list of strings always encodes
			b.add(e.CVE, e.Vendor, e.Product, e.Name, e.Description, nanos(e.Added), nanos(e.Due),
				e.RequiredAction, e.Ransomware, e.Notes, string(cwes))
		}
		if err := b.close(); err != nil {
			return err
		}
		return saveFeedVersion(ctx, tx, FeedVersion{Feed: "kev", Version: k.Version,
			Released: k.Released, Entries: len(entries)}, at)
	})
	return errorf("save kev", err)
}

// kevEntries checks the entries of k and returns them by CVE, one each.
func kevEntries(k *advisory.KEV) ([]advisory.KEVEntry, error) {
	if k == nil {
		return nil, invalidf("no catalogue")
	}
	if err := checkText("kev", "version", k.Version); err != nil {
		return nil, err
	}
	if bad := badTime(k.Released); bad != "" {
		return nil, invalidf("kev: %s", bad)
	}
	by := make(map[string]advisory.KEVEntry, len(k.Entries))
	for i, e := range k.Entries {
		what := fmt.Sprintf("kev entry %d", i)
		if err := needKeys(what, "cve", e.CVE); err != nil {
			return nil, err
		}
		err := checkText(what, "cve", e.CVE, "vendor", e.Vendor, "product", e.Product,
			"name", e.Name, "description", e.Description, "required action", e.RequiredAction,
			"notes", e.Notes, "cwes", strings.Join(e.CWEs, ","))
		if err != nil {
			return nil, err
		}
		if bad := badTime(e.Added, e.Due); bad != "" {
			return nil, invalidf("%s: %s", what, bad)
		}
		by[e.CVE] = e
	}
	out := make([]advisory.KEVEntry, 0, len(by))
	for _, cve := range slices.Sorted(maps.Keys(by)) {
		out = append(out, by[cve])
	}
	return out, nil
}

// KEV returns the KEV catalogue by CVE; empty before any import.
func (db *DB) KEV(ctx context.Context) (map[string]advisory.KEVEntry, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT cve, vendor, product, name, description, added, "+
		"due, required_action, ransomware, notes, cwes FROM kev")
	if err != nil {
		return nil, errorf("kev", err)
	}
	defer rows.Close()
	out := map[string]advisory.KEVEntry{}
	for rows.Next() {
		var e advisory.KEVEntry
		var added, due int64
		var cwes string
		err := rows.Scan(&e.CVE, &e.Vendor, &e.Product, &e.Name, &e.Description, &added, &due,
			&e.RequiredAction, &e.Ransomware, &e.Notes, &cwes)
		if err != nil {
			return nil, errorf("kev", err)
		}
		e.Added, e.Due = fromNanos(added), fromNanos(due)
		if err := json.Unmarshal([]byte(cwes), &e.CWEs); err != nil {
			return nil, fmt.Errorf("store: kev: cwes of %s: %w", e.CVE, err)
		}
		if len(e.CWEs) == 0 {
			e.CWEs = nil
		}
		out[e.CVE] = e
	}
	return out, errorf("kev", rows.Err())
}

// SaveEPSS replaces the EPSS scores with e's, in one transaction: a day's
// file holds every scored CVE, some 270,000 of them.
func (db *DB) SaveEPSS(ctx context.Context, e *advisory.EPSS) error {
	cves, err := epssCVEs(e)
	if err != nil {
		return errorf("save epss", err)
	}
	at := nanos(db.now())
	err = db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM epss"); err != nil {
			return err
		}
		b := newBatch(ctx, ctx, tx, db.dialect, "INSERT INTO epss (cve, probability, percentile, "+
			"score_date, model) VALUES ", 5, "")
		date := nanos(e.Date)
		for _, cve := range cves { // in key order, which the table is
			s := e.Scores[cve]
			b.add(cve, s.Probability, s.Percentile, date, e.Model)
		}
		if err := b.close(); err != nil {
			return err
		}
		return saveFeedVersion(ctx, tx, FeedVersion{Feed: "epss", Version: e.Model,
			Released: e.Date, Entries: len(cves)}, at)
	})
	return errorf("save epss", err)
}

// epssCVEs checks e and returns its CVEs, sorted.
func epssCVEs(e *advisory.EPSS) ([]string, error) {
	if e == nil {
		return nil, invalidf("no scores")
	}
	if err := checkText("epss", "model", e.Model); err != nil {
		return nil, err
	}
	if bad := badTime(e.Date); bad != "" {
		return nil, invalidf("epss: %s", bad)
	}
	cves := make([]string, 0, len(e.Scores))
	for cve, s := range e.Scores {
		if strings.TrimSpace(cve) == "" {
			return nil, invalidf("epss: a score without a cve")
		}
		if err := checkText("epss", "cve", cve); err != nil {
			return nil, err
		}
		what := "epss " + cve
		if err := errors.Join(checkUnit(what, "probability", s.Probability),
			checkUnit(what, "percentile", s.Percentile)); err != nil {
			return nil, err
		}
		cves = append(cves, cve)
	}
	slices.Sort(cves)
	return cves, nil
}

// epssChunk bounds the CVEs of one EPSS lookup.
const epssChunk = 500

// EPSS returns the EPSS scores of the CVEs, by CVE; a CVE without a
// score is left out. With cves nil it returns every score.
func (db *DB) EPSS(ctx context.Context, cves []string) (map[string]advisory.EPSSScore, error) {
	out := map[string]advisory.EPSSScore{}
	const q = "SELECT cve, probability, percentile FROM epss"
	if cves == nil {
		return out, errorf("epss", readEPSS(ctx, db.sql, q, nil, out))
	}
	for chunk := range slices.Chunk(cves, epssChunk) {
		ph := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, c := range chunk {
			ph[i], args[i] = fmt.Sprintf("$%d", i+1), c
		}
		err := readEPSS(ctx, db.sql, q+" WHERE cve IN ("+strings.Join(ph, ", ")+")", args, out)
		if err != nil {
			return nil, errorf("epss", err)
		}
	}
	return out, nil
}

func readEPSS(ctx context.Context, q querier, query string, args []any,
	out map[string]advisory.EPSSScore) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var cve string
		var s advisory.EPSSScore
		if err := rows.Scan(&cve, &s.Probability, &s.Percentile); err != nil {
			return err
		}
		out[cve] = s
	}
	return rows.Err()
}

func saveFeedVersion(ctx context.Context, tx *sql.Tx, v FeedVersion, at int64) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO feed_versions (feed, version, released, "+
		"imported_at, entries) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (feed) DO UPDATE SET "+
		"version = excluded.version, released = excluded.released, "+
		"imported_at = excluded.imported_at, entries = excluded.entries",
		v.Feed, v.Version, nanos(v.Released), at, v.Entries)
	return err
}

// FeedVersions returns the version of each feed imported, by name.
func (db *DB) FeedVersions(ctx context.Context) ([]FeedVersion, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT feed, version, released, imported_at, entries "+
		"FROM feed_versions ORDER BY feed")
	if err != nil {
		return nil, errorf("feed versions", err)
	}
	defer rows.Close()
	var out []FeedVersion
	for rows.Next() {
		var v FeedVersion
		var released, at int64
		if err := rows.Scan(&v.Feed, &v.Version, &released, &at, &v.Entries); err != nil {
			return nil, errorf("feed versions", err)
		}
		v.Released, v.ImportedAt = fromNanos(released), fromNanos(at)
		out = append(out, v)
	}
	return out, errorf("feed versions", rows.Err())
}

// SaveSBOM attaches an SBOM to (VendorKey, ModelKey, Version), replacing
// the one attached there before.
func (db *DB) SaveSBOM(ctx context.Context, s SBOMRow) error {
	if err := checkSBOM(&s); err != nil {
		return errorf("save sbom", err)
	}
	doc, err := json.Marshal(s.SBOM)
	if err != nil {
		return errorf("save sbom", err)
	}
	_, err = db.sql.ExecContext(ctx, "INSERT INTO sboms (vendor_key, model_key, version, vendor, "+
		"model, serial, spec_version, imported_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "+
		"ON CONFLICT (vendor_key, model_key, version) DO UPDATE SET vendor = excluded.vendor, "+
		"model = excluded.model, serial = excluded.serial, spec_version = excluded.spec_version, "+
		"imported_at = excluded.imported_at, doc = excluded.doc",
		s.VendorKey, s.ModelKey, s.Version, s.Vendor, s.Model, s.SBOM.Serial, s.SBOM.SpecVersion,
		nanos(db.orNow(s.ImportedAt)), string(doc))
	return errorf("save sbom", err)
}

func checkSBOM(s *SBOMRow) error {
	if s.SBOM == nil {
		return invalidf("sbom: no document")
	}
	if err := needKeys("sbom", "vendor key", s.VendorKey, "model key", s.ModelKey); err != nil {
		return err
	}
	s.Version = strings.TrimSpace(s.Version)
	if bad := badTime(s.ImportedAt); bad != "" {
		return invalidf("sbom: %s", bad)
	}
	return checkText("sbom", "vendor key", s.VendorKey, "model key", s.ModelKey,
		"version", s.Version, "vendor", s.Vendor, "model", s.Model, "serial", s.SBOM.Serial,
		"spec version", s.SBOM.SpecVersion)
}

// SBOMs returns every SBOM attached, by vendor key, model key and
// version.
func (db *DB) SBOMs(ctx context.Context) ([]SBOMRow, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT id, vendor_key, model_key, version, vendor, "+
		"model, imported_at, doc FROM sboms ORDER BY vendor_key, model_key, version")
	if err != nil {
		return nil, errorf("sboms", err)
	}
	defer rows.Close()
	var out []SBOMRow
	for rows.Next() {
		var s SBOMRow
		var at int64
		var doc string
		err := rows.Scan(&s.ID, &s.VendorKey, &s.ModelKey, &s.Version, &s.Vendor, &s.Model, &at, &doc)
		if err != nil {
			return nil, errorf("sboms", err)
		}
		s.ImportedAt, s.SBOM = fromNanos(at), &advisory.SBOM{}
		if err := json.Unmarshal([]byte(doc), s.SBOM); err != nil {
			return nil, fmt.Errorf("store: sboms: decode sbom %d: %w", s.ID, err)
		}
		out = append(out, s)
	}
	return out, errorf("sboms", rows.Err())
}

// SaveVEX keeps a VEX document by its ID, replacing one of the same ID.
func (db *DB) SaveVEX(ctx context.Context, v *advisory.VEX) error {
	if v == nil {
		return errorf("save vex", invalidf("no document"))
	}
	err := errors.Join(needKeys("vex", "id", v.ID, "format", string(v.Format)),
		checkText("vex", "id", v.ID, "format", string(v.Format), "author", v.Author))
	if bad := badTime(v.Timestamp); err == nil && bad != "" {
		err = invalidf("vex: %s", bad)
	}
	if err != nil {
		return fmt.Errorf("store: save vex %.80q: %w", v.ID, err)
	}
	doc, err := json.Marshal(v)
	if err != nil {
		return errorf("save vex", err)
	}
	_, err = db.sql.ExecContext(ctx, "INSERT INTO vex_docs (id, format, author, timestamp, "+
		"imported_at, doc) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET "+
		"format = excluded.format, author = excluded.author, timestamp = excluded.timestamp, "+
		"imported_at = excluded.imported_at, doc = excluded.doc",
		v.ID, string(v.Format), v.Author, nanos(v.Timestamp), nanos(db.now()), string(doc))
	return errorf("save vex", err)
}

// VEXDocs returns every VEX document, by ID.
func (db *DB) VEXDocs(ctx context.Context) ([]*advisory.VEX, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT id, doc FROM vex_docs ORDER BY id")
	if err != nil {
		return nil, errorf("vex documents", err)
	}
	defer rows.Close()
	var out []*advisory.VEX
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, errorf("vex documents", err)
		}
		v := &advisory.VEX{}
		if err := json.Unmarshal([]byte(doc), v); err != nil {
			return nil, fmt.Errorf("store: vex documents: decode %q: %w", id, err)
		}
		out = append(out, v)
	}
	return out, errorf("vex documents", rows.Err())
}
