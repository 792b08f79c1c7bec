package store

import (
	"context"
	"embed"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles are the schema migrations, one directory per backend with
// the same versions in each. goose applies them: it records versions in its
// own table (goose_db_version), runs each file in a transaction, and on
// PostgreSQL holds an advisory lock so that two processes starting at once
// migrate once. What goose does not do is refuse a database that is ahead
// of the binary (it just finds nothing to apply), so migrate checks that
// first.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// schemaTooNewError says which versions disagree; it matches
// ErrSchemaTooNew.
type schemaTooNewError struct {
	db, known int64
}

func (e *schemaTooNewError) Error() string {
	return fmt.Sprintf("store: database schema version %d is newer than this ward (%d): "+
		"upgrade ward", e.db, e.known)
}

func (e *schemaTooNewError) Is(target error) bool { return target == ErrSchemaTooNew }

// migrate brings the schema to the latest version this binary knows.
func (db *DB) migrate(ctx context.Context) error {
	p, err := db.migrationProvider()
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	known := latestVersion(p)
	if current > known {
		return &schemaTooNewError{db: current, known: known}
	}
	if current == known {
		db.log.Info("opened", "backend", db.dialect.name, "schema_version", current)
		return nil
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate schema from version %d: %w", current, err)
	}
	db.log.Info("migrated", "backend", db.dialect.name, "from_version", current,
		"to_version", known, "migrations", len(res))
	return nil
}

func (db *DB) migrationProvider() (*goose.Provider, error) {
	fsys, err := db.migrations()
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	if db.dialect == postgresDialect {
		// Another process migrating holds the lock for seconds at most;
		// poll each second for up to five minutes.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(db.lockKey),
			lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(db.dialect.goose, db.sql, fsys, opts...)
}

// latestVersion is the highest migration version p knows.
func latestVersion(p *goose.Provider) int64 {
	var v int64
	for _, s := range p.ListSources() {
		v = max(v, s.Version)
	}
	return v
}

// SchemaVersion reports the schema version of the database.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := db.migrationProvider()
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return v, nil
}
