package store

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMigrateFromEmpty(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		db := b.open(t, Options{})
		v, err := db.SchemaVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if want := knownVersion(t, db); v != want || v < 2 {
			t.Errorf("schema version %d, want %d", v, want)
		}
		counts := tableCounts(t, db) // every table is there, and empty
		for table, n := range counts {
			if n != 0 {
				t.Errorf("%s has %d rows in a new database", table, n)
			}
		}
	})
}

func TestReopenIsNoop(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		db := b.open(t, Options{})
		in := syntheticInput(3, 2, 0)
		mustMerge(t, db, in, File{SHA256: fakeSHA(1)})
		before := tableCounts(t, db)
		var versions int
		db.sql.QueryRow("SELECT count(*) FROM goose_db_version").Scan(&versions)
		db.Close()

		db = b.open(t, Options{})
		if got := tableCounts(t, db); !cmp.Equal(got, before) {
			t.Errorf("reopen changed rows (-before +after):\n%s", cmp.Diff(before, got))
		}
		var again int
		db.sql.QueryRow("SELECT count(*) FROM goose_db_version").Scan(&again)
		if again != versions {
			t.Errorf("reopen recorded migrations again: %d version rows, want %d", again, versions)
		}
	})
}

func TestSchemaTooNew(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		db := b.open(t, Options{})
		known := knownVersion(t, db)
		_, err := db.sql.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, $2)",
			known+5, true)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()

		_, err = Open(t.Context(), b.name, b.target, Options{})
		if !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("open a newer database: got %v, want ErrSchemaTooNew", err)
		}
		want := "store: database schema version " + itoa(known+5) +
			" is newer than this ward (" + itoa(known) + "): upgrade ward"
		if err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
	})
}

func knownVersion(t *testing.T, db *DB) int64 {
	t.Helper()
	p, err := db.migrationProvider()
	if err != nil {
		t.Fatal(err)
	}
	return latestVersion(p)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestMigrationsAgree checks that the two backends' migrations make the
// same tables and columns with the same versions: the Go code runs the
// same SQL on both.
func TestMigrationsAgree(t *testing.T) {
	versions := func(dir string) []string {
		var out []string
		err := fs.WalkDir(migrationFiles, dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				out = append(out, filepath.Base(p))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if s, p := versions("migrations/sqlite"), versions("migrations/postgres"); !slices.Equal(s, p) {
		t.Errorf("migration files differ: sqlite %v, postgres %v", s, p)
	}

	columns := map[string]map[string][]string{}
	each(t, func(t *testing.T, b backend) {
		db := b.open(t, Options{})
		// device_search, SQLite's trigram index, and the tables behind it
		// are SQLite's alone.
		q := "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p " +
			"WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' AND " +
			"m.name <> 'device_search' AND m.name NOT LIKE 'device\\_search\\_%' ESCAPE '\\' " +
			"ORDER BY m.name, p.cid"
		if b.name == "postgres" {
			q = "SELECT table_name, column_name FROM information_schema.columns " +
				"WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
		}
		rows, err := db.sql.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols := map[string][]string{}
		for rows.Next() {
			var table, col string
			if err := rows.Scan(&table, &col); err != nil {
				t.Fatal(err)
			}
			cols[table] = append(cols[table], col)
		}
		columns[b.name] = cols
	})
	if len(columns) == 2 {
		if diff := cmp.Diff(columns["sqlite"], columns["postgres"]); diff != "" {
			t.Errorf("tables differ (-sqlite +postgres):\n%s", diff)
		}
	}
}

func TestSQLitePermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ward-data")
	db := backend{name: "sqlite", target: dir}.open(t, Options{})
	mustMerge(t, db, syntheticInput(2, 2, 0), File{SHA256: fakeSHA(1)})
	for _, c := range []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700},
		{filepath.Join(dir, DatabaseFile), 0o600},
		{filepath.Join(dir, DatabaseFile+"-wal"), 0o600},
	} {
		st, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != c.want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(c.path), got, c.want)
		}
	}
	var mode string
	db.sql.QueryRow("PRAGMA journal_mode").Scan(&mode)
	var fk, timeout int
	db.sql.QueryRow("PRAGMA foreign_keys").Scan(&fk)
	db.sql.QueryRow("PRAGMA busy_timeout").Scan(&timeout)
	if mode != "wal" || fk != 1 || timeout < 1000 {
		t.Errorf("journal_mode %s, foreign_keys %d, busy_timeout %d; want wal, 1, ≥ 1000",
			mode, fk, timeout)
	}
}

func TestSQLiteNarrowsPermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DatabaseFile)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	backend{name: "sqlite", target: dir}.open(t, Options{})
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
}

func TestOpenErrors(t *testing.T) {
	for _, c := range []struct {
		name, backend, target string
		want                  string
	}{
		{"unknown backend", "mysql", "x", `store: unknown backend "mysql"`},
		{"no directory", "sqlite", "", "store: open sqlite: no data directory"},
		{"not postgres", "postgres", "mysql://x", `store: open postgres: target scheme "mysql"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(t.Context(), c.backend, c.target, Options{})
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("got %v, want %s…", err, c.want)
			}
		})
	}
}

// TestMigrateSearch migrates a database of version 3 that holds devices
// and checks that 00004 gave each a search key and indexed its search text.
func TestMigrateSearch(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		old := &DB{dialect: sqliteDialect, log: slog.New(slog.DiscardHandler), now: time.Now}
		var err error
		if b.name == "postgres" {
			old.dialect = postgresDialect
			old.sql, err = openPostgres(b.target)
			if err == nil {
				old.lockKey, err = postgresLockKey(ctx, old.sql)
			}
		} else {
			old.sql, err = openSQLite(b.target, old.log)
		}
		if err != nil {
			t.Fatal(err)
		}
		p, err := old.migrationProvider()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 3); err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"ICU-Monitor-1", "Ward7-Pump-2", "Theatre-Pump-3"} {
			_, err := old.sql.ExecContext(ctx, "INSERT INTO devices (id, name, names, search, "+
				"created_at, updated_at) VALUES ($1, $2, $3, $4, 1, 1)", fmt.Sprintf("mac:%d", i),
				name, `["`+name+`"]`, strings.ToLower(name))
			if err != nil {
				t.Fatal(err)
			}
		}
		old.sql.Close()

		db := b.open(t, Options{})
		got := listAll(t, db, DeviceQuery{DeviceFilter: DeviceFilter{Search: "pump"}})
		if diff := cmp.Diff([]string{"mac:1", "mac:2"}, got); diff != "" {
			t.Errorf("search after the migration (-want +got):\n%s", diff)
		}
		// A device merged after the migration takes the next search key.
		mustMerge(t, db, syntheticInput(1, 0, 0), File{SHA256: fakeSHA(1)})
		var keys, distinct int
		err = db.sql.QueryRowContext(ctx, "SELECT count(*), count(DISTINCT search_key) FROM devices "+
			"WHERE search_key > 0").Scan(&keys, &distinct)
		if err != nil || keys != 4 || distinct != 4 {
			t.Errorf("%d search keys, %d distinct (%v); want 4", keys, distinct, err)
		}
	})
}
