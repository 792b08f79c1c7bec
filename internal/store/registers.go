package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/wardhq/ward/internal/register"
)

// RegisterImport is an asset register imported and reconciled with the
// devices as they were then.
type RegisterImport struct {
	ID             int64
	Name           string // the file's base name
	SHA256         string
	ImportedAt     time.Time
	Actor          string
	Mapping        register.Mapping
	Figures        register.Figures
	Reconciliation *register.Reconciliation // nil in summaries
	Problems       []register.Problem
}

// reconciliationDoc is what register_imports.reconciliation holds.
type reconciliationDoc struct {
	*register.Reconciliation
	Problems []register.Problem `json:"problems,omitempty"`
}

// SaveRegisterImport keeps an import and returns its id. Of the register's
// cells it keeps only those that identify or describe an asset
// (registerCells): the people, places and notes of the register are not
// Ward's to keep, nor the text of a problem in any other cell.
func (db *DB) SaveRegisterImport(ctx context.Context, ri RegisterImport) (int64, error) {
	if ri.Reconciliation == nil {
		return 0, fmt.Errorf("store: save register import: %w", invalidf("no reconciliation"))
	}
	if ri.SHA256 != "" && !isSHA256(ri.SHA256) {
		return 0, fmt.Errorf("store: save register import: %w",
			invalidf("sha256 %.80q is not 64 lower-case hex digits", ri.SHA256))
	}
	mapping, err1 := json.Marshal(ri.Mapping)
	figures, err2 := json.Marshal(ri.Figures)
	rec, err3 := json.Marshal(reconciliationDoc{keepCells(ri.Reconciliation),
		keepProblems(ri.Problems)})
	if err := errors.Join(err1, err2, err3); err != nil {
		return 0, fmt.Errorf("store: save register import: %w", err)
	}
	if err := checkText("register import", "name", ri.Name, "actor", ri.Actor,
		"reconciliation", string(rec)); err != nil {
		return 0, fmt.Errorf("store: save register import: %w", err)
	}
	if ri.ImportedAt.IsZero() {
		ri.ImportedAt = db.now()
	}
	var id int64
	err := db.sql.QueryRowContext(ctx, "INSERT INTO register_imports (name, sha256, imported_at, "+
		"actor, mapping, figures, reconciliation) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
		ri.Name, ri.SHA256, nanos(ri.ImportedAt), ri.Actor, string(mapping), string(figures),
		string(rec)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: save register import: %w", err)
	}
	return id, nil
}

// registerCells are the fields of a register entry the store keeps: what
// identifies an asset and what describes it.
var registerCells = map[register.Field]bool{
	register.AssetID: true, register.Description: true, register.Manufacturer: true,
	register.Model: true, register.SoftwareVersion: true, register.Serial: true, register.MAC: true, register.IP: true,
	register.Hostname: true, register.Category: true, register.Criticality: true,
	register.Status: true,
}

// keepCells is a copy of rec whose entries hold only registerCells.
func keepCells(rec *register.Reconciliation) *register.Reconciliation {
	out := *rec
	entry := func(e register.Entry) register.Entry {
		fields := make(map[register.Field]string, len(e.Fields))
		for f, v := range e.Fields {
			if registerCells[f] {
				fields[f] = v
			}
		}
		e.Fields = fields
		return e
	}
	out.Matched = slices.Clone(rec.Matched)
	for i := range out.Matched {
		out.Matched[i].Entry = entry(out.Matched[i].Entry)
	}
	out.RegisterOnly = slices.Clone(rec.RegisterOnly)
	for i := range out.RegisterOnly {
		out.RegisterOnly[i] = entry(out.RegisterOnly[i])
	}
	out.Relayed = slices.Clone(rec.Relayed)
	for i := range out.Relayed {
		out.Relayed[i].Entry = entry(out.Relayed[i].Entry)
	}
	out.Duplicates = slices.Clone(rec.Duplicates)
	for i := range out.Duplicates {
		out.Duplicates[i].Entry = entry(out.Duplicates[i].Entry)
	}
	return &out
}

// keepProblems is ps without the text of cells outside registerCells, and
// of rows skipped whole (a note, a total), whose one cell may be anything.
func keepProblems(ps []register.Problem) []register.Problem {
	out := slices.Clone(ps)
	for i := range out {
		if !registerCells[out[i].Field] {
			out[i].Value = ""
		}
	}
	return out
}

// LatestRegisterImport returns the last import, whole, or ErrNotFound.
func (db *DB) LatestRegisterImport(ctx context.Context) (*RegisterImport, error) {
	ri := &RegisterImport{}
	var at int64
	var mapping, figures, rec string
	err := db.sql.QueryRowContext(ctx, "SELECT id, name, sha256, imported_at, actor, mapping, "+
		"figures, reconciliation FROM register_imports ORDER BY imported_at DESC, id DESC LIMIT 1").
		Scan(&ri.ID, &ri.Name, &ri.SHA256, &at, &ri.Actor, &mapping, &figures, &rec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: latest register import: %w", err)
	}
	ri.ImportedAt = fromNanos(at)
	doc := reconciliationDoc{Reconciliation: &register.Reconciliation{}}
	err = errors.Join(json.Unmarshal([]byte(mapping), &ri.Mapping),
		json.Unmarshal([]byte(figures), &ri.Figures), json.Unmarshal([]byte(rec), &doc))
	if err != nil {
		return nil, fmt.Errorf("store: register import %d: %w", ri.ID, err)
	}
	ri.Reconciliation, ri.Problems = doc.Reconciliation, doc.Problems
	return ri, nil
}

// RegisterImports lists the imports, newest first, without their lists.
func (db *DB) RegisterImports(ctx context.Context) ([]RegisterImport, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT id, name, sha256, imported_at, actor, figures "+
		"FROM register_imports ORDER BY imported_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("store: register imports: %w", err)
	}
	defer rows.Close()
	out := []RegisterImport{}
	for rows.Next() {
		var ri RegisterImport
		var at int64
		var figures string
		if err := rows.Scan(&ri.ID, &ri.Name, &ri.SHA256, &at, &ri.Actor, &figures); err != nil {
			return nil, fmt.Errorf("store: register imports: %w", err)
		}
		ri.ImportedAt = fromNanos(at)
		if err := json.Unmarshal([]byte(figures), &ri.Figures); err != nil {
			return nil, fmt.Errorf("store: register import %d: %w", ri.ID, err)
		}
		out = append(out, ri)
	}
	return out, rows.Err()
}

// SaveMapping keeps a column mapping under a name, replacing one of that
// name.
func (db *DB) SaveMapping(ctx context.Context, name string, m register.Mapping) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("store: save mapping %q: %w: %w", name, ErrInvalid, err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: save mapping %q: %w", name, err)
	}
	if err := checkText("mapping", "name", name, "mapping", string(b)); err != nil || name == "" {
		return fmt.Errorf("store: save mapping %q: %w", name, ErrInvalid)
	}
	_, err = db.sql.ExecContext(ctx, "INSERT INTO register_mappings (name, mapping) VALUES ($1, $2) "+
		"ON CONFLICT (name) DO UPDATE SET mapping = excluded.mapping", name, string(b))
	if err != nil {
		return fmt.Errorf("store: save mapping %q: %w", name, err)
	}
	return nil
}

// Mapping returns the saved mapping of that name, or ErrNotFound.
func (db *DB) Mapping(ctx context.Context, name string) (register.Mapping, error) {
	var s string
	err := db.sql.QueryRowContext(ctx, "SELECT mapping FROM register_mappings WHERE name = $1", name).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	var m register.Mapping
	if err == nil {
		err = json.Unmarshal([]byte(s), &m)
	}
	if err != nil {
		return register.Mapping{}, fmt.Errorf("store: mapping %q: %w", name, err)
	}
	return m, nil
}

// Mappings lists the names of the saved mappings.
func (db *DB) Mappings(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT name FROM register_mappings ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: mappings: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
