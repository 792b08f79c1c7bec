package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// dialect is what differs between the backends outside the migrations.
type dialect struct {
	name  string
	goose goose.Dialect
	// dir is the directory of its migrations in the embedded migrations.
	dir string
	// readTx are the options of a transaction that only reads. SQLite
	// ignores the isolation level (it is always serialisable); with
	// ReadOnly set the driver begins it DEFERRED rather than IMMEDIATE,
	// so that it does not take the write lock.
	readTx *sql.TxOptions
	// lockMerge, when not empty, is run at the start of a merge with the
	// advisory key: PostgreSQL merges from several processes take turns,
	// as SQLite's do by its write lock.
	lockMerge string
	// positional is set where the many-row statements of a merge should
	// use ? rather than $n: SQLite finds a named parameter ($n is one) by
	// a linear search, which makes binding a statement of thousands of
	// them quadratic.
	positional bool
	// optimize, when not empty, is run after a merge: it refreshes the
	// planner's statistics when a merge has changed a table much, which
	// SQLite, unlike PostgreSQL's autovacuum, does not do by itself.
	// Without them it would pick the index of an equality filter over
	// that of the sort, and sort thousands of rows for a page of 50.
	optimize string
	// fts is set where the trigram index device_search exists.
	fts bool
	// contains is the condition that column %[1]s holds the text %[2]s.
	contains string
	// covering is set where devices_counts and devices_site exist: indexes
	// that hold every column of the devices row a filter reads, which the
	// store names to SQLite (filter.go, page.go): its planner would rather
	// sort the rows of a narrower index, or look up each row.
	covering bool
	// planPages is set where the store chooses how a page of devices is
	// read (filter.go, pagePlan).
	planPages bool
}

var (
	sqliteDialect = &dialect{
		name: "sqlite", goose: goose.DialectSQLite3, dir: "migrations/sqlite",
		readTx: &sql.TxOptions{ReadOnly: true}, positional: true, optimize: "PRAGMA optimize",
		fts: true, contains: "instr(%s, %s) > 0", covering: true, planPages: true,
	}
	postgresDialect = &dialect{
		name: "postgres", goose: goose.DialectPostgres, dir: "migrations/postgres",
		readTx:    &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
		lockMerge: "SELECT pg_advisory_xact_lock($1)", contains: "strpos(%s, %s) > 0",
	}
)

// DatabaseFile is the name of the SQLite database in its data directory.
const DatabaseFile = "ward.db"

// sqliteParams are applied to every SQLite connection. busy_timeout makes
// a writer wait up to 10 s for another rather than fail at once;
// _txlock=immediate has write transactions take the write lock when they
// begin, so two of them never deadlock upgrading from a read lock. In WAL
// mode synchronous=NORMAL loses no committed transaction on a crash of
// Ward, only possibly the last ones on a power cut. analysis_limit keeps
// PRAGMA optimize to a sample of each index. A merge of 1,000 devices
// dirties some 6 MiB of pages: cache_size (KiB, 32 MiB a connection, taken
// as it is used) holds them until the commit, rather than spilling them to
// the WAL and writing them again, and wal_autocheckpoint (pages, 32 MiB)
// copies the WAL into the database every few merges rather than at each,
// so that a page every merge rewrites is copied once.
const sqliteParams = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=analysis_limit(1000)" +
	"&_pragma=cache_size(-32768)&_pragma=wal_autocheckpoint(8192)&_txlock=immediate"

// Open opens the store and migrates its schema to the latest version.
// backend is "sqlite", with target the data directory (created 0700, the
// database file in it 0600), or "postgres", with target a postgres:// URL
// whose search_path, if given, picks the schema. It fails with
// ErrSchemaTooNew if the database was migrated by a newer Ward.
func Open(ctx context.Context, backend, target string, opts Options) (*DB, error) {
	db := &DB{log: opts.Logger, now: opts.Now}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	db.log = db.log.With("component", "store")
	if db.now == nil {
		db.now = time.Now
	}
	var err error
	switch backend {
	case "sqlite":
		db.dialect = sqliteDialect
		db.sql, err = openSQLite(target, db.log)
	case "postgres":
		db.dialect = postgresDialect
		db.sql, err = openPostgres(target)
	default:
		return nil, fmt.Errorf("store: unknown backend %q: want sqlite or postgres", backend)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", backend, err)
	}
	if err := db.start(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	return db, nil
}

// start checks the connection and migrates.
func (db *DB) start(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("store: connect to %s: %w", db.dialect.name, err)
	}
	if db.dialect == postgresDialect {
		key, err := postgresLockKey(ctx, db.sql)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		db.lockKey = key
	}
	return db.migrate(ctx)
}

func openSQLite(dir string, log *slog.Logger) (*sql.DB, error) {
	if dir == "" {
		return nil, errors.New("no data directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if st, err := os.Stat(dir); err == nil && st.Mode().Perm()&0o077 != 0 {
		// Left as it is: others may need it (a backup group, a shared
		// mount); the database file itself is narrowed below.
		log.Warn("data directory is open to others", "path", dir,
			"mode", st.Mode().Perm().String())
	}
	path, err := filepath.Abs(filepath.Join(dir, DatabaseFile))
	if err != nil {
		return nil, err
	}
	if err := privateFile(path, log); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+uriPath(path)+"?"+sqliteParams)
	if err != nil {
		return nil, err
	}
	// WAL lets readers run beside the one writer; more connections than
	// this only queue on the write lock.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	return db, nil
}

// privateFile creates the database file readable by its owner only, before
// SQLite would create it with the umask's permissions, and narrows an
// existing one. SQLite gives the -wal and -shm files the database file's
// permissions.
func privateFile(path string, log *slog.Logger) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o077 != 0 {
		log.Warn("database file permissions narrowed", "path", path,
			"mode", st.Mode().Perm().String())
		return f.Chmod(0o600)
	}
	return nil
}

// uriPath escapes the characters that would end the path of a file: URI.
func uriPath(p string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return r.Replace(filepath.ToSlash(p))
}

// openPgx opens a database/sql pool over pgx connections. pgx prepares
// each statement once per connection and caches it.
func openPgx(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg), nil
}

func openPostgres(target string) (*sql.DB, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, errors.New("target is not a URL") // the URL may hold a password
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, fmt.Errorf("target scheme %q: want postgres://", u.Scheme)
	}
	db, err := openPgx(target)
	if err != nil {
		return nil, errors.New("target is not a valid PostgreSQL URL")
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// postgresLockKey derives the advisory lock key of the database and schema
// the connection uses, so that stores in different schemas of one server
// do not wait for each other.
func postgresLockKey(ctx context.Context, db *sql.DB) (int64, error) {
	var database string
	var schema sql.NullString
	err := db.QueryRowContext(ctx, "SELECT current_database(), current_schema()").
		Scan(&database, &schema)
	if err != nil {
		return 0, fmt.Errorf("read current schema: %w", err)
	}
	if !schema.Valid {
		return 0, errors.New("search_path names no existing schema")
	}
	h := fnv.New64a()
	h.Write([]byte("ward\x00" + database + "\x00" + schema.String))
	return int64(h.Sum64() &^ 1), nil // even: merges use key+1
}

// migrations returns the embedded migrations of db's backend.
func (db *DB) migrations() (fs.FS, error) {
	return fs.Sub(migrationFiles, db.dialect.dir)
}
