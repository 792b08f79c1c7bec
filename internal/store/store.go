// Package store keeps what Ward knows between runs: the inventory built
// from captures, the organisation around it, who may use Ward, and the
// audit log.
//
// # Model
//
// A device is one row keyed by its stable id ("mac:…" or "ip:…"), with
// the identity the analysis derived (vendor, model, category, criticality,
// OS, software) and when it was first and last seen. Around it:
//
//   - identifiers: the MAC and IP addresses it used, each with first and
//     last seen, which is the device's address history;
//   - attributes: every fact about it with its provenance (source,
//     confidence, first and last seen, count, peer). Observations are
//     compacted: one row per (device, source, key, value, peer), whose
//     count grows and whose times widen as files are merged. Attributes a
//     person set have source "user" and ingestion never touches them, nor
//     the identity fields they set;
//   - links (conversations clinical protocols name), findings (security
//     problems, counts only) and flows (traffic between addresses, with
//     the devices at either end);
//   - a location in the tree site › building › floor › department or ward
//     › room, an owner, and tags.
//
// Users, their roles (optionally scoped to a site), sessions, API tokens
// and audit events are kept beside the inventory, with the asset register
// imports (their reconciliation, holding only the register's identity and
// asset cells) and the column mappings users saved. The store holds only
// hashes of secrets and leaves hashing, session policy and the audit
// chain to their packages. It receives only inventory output, which is
// free of patient data, and its tests search the database file to prove
// no patient value reaches it.
//
// # Backends
//
// [Open] gives a [DB] on one of two backends behind the same [Store]
// interface. "sqlite" is the embedded default: a file ward.db in a data
// directory, through the pure-Go modernc.org/sqlite driver, in WAL mode
// with a busy timeout and foreign keys on. "postgres" is for larger
// deployments: a postgres:// URL, through pgx and its database/sql
// adapter (pgx/v5/stdlib). Both go through database/sql and run
// the same SQL: statements are written with $n placeholders, which SQLite
// accepts too, and use INSERT … ON CONFLICT, RETURNING and row values,
// which both have. What differs is kept in the migrations (column types,
// collation) and in a small dialect value: transaction options, how merges
// take turns, ? rather than $n in SQLite's many-row inserts, SQLite's
// statistics refresh, and how SQLite reads a page of devices.
//
// Merges are batched: each table is written by multi-row INSERT … ON
// CONFLICT DO UPDATE statements of up to 256 rows, prepared once, in the
// merge's single transaction. Merges from several goroutines or processes
// take turns (SQLite's write lock, a PostgreSQL advisory lock), so counts
// are never lost to a race. A merge sets only the indexed columns of a
// device it changes, so that a device seen again rewrites only the indexes
// of its times.
//
// # Pages of devices
//
// The inventory's pages ask for 50 devices of a filter in an order, and
// for the filter's counts, among 100,000 devices or more. Every order has
// an index of (sort key, id), which keyset pages walk. A search is a
// substring of a device's search column (lower-cased names, vendor, model,
// MAC and IP addresses); on SQLite, a search of three characters or more
// first asks device_search, a trigram index of that column, and starts
// from the devices it finds when they are few. Counts read the filter's
// rows once, grouped; on SQLite from devices_counts (or devices_site for a
// filter by site), indexes that hold every column a filter of the row
// reads. SQLite's planner would sort a filter's every row for a page of
// 50, so on SQLite the store chooses how to read a page from how many
// devices the filter selects (page.go).
//
// The schema is versioned by goose migrations embedded in the binary, one
// directory per backend, applied by Open. A database whose schema is newer
// than the binary knows is refused with [ErrSchemaTooNew].
package store

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/register"
)

// Errors callers can branch on.
var (
	// ErrAlreadyIngested is returned by MergeInventory for a file whose
	// SHA-256 was merged before; nothing was changed.
	ErrAlreadyIngested = errors.New("file already ingested")
	// ErrSchemaTooNew is returned by Open for a database migrated by a
	// newer Ward.
	ErrSchemaTooNew = errors.New("database schema is newer than this ward")
	// ErrNotFound is returned when the device, user, session or other
	// object asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists is returned when creating something whose name is taken.
	ErrExists = errors.New("already exists")
	// ErrAuditSeq is returned by AppendAudit for an event whose sequence
	// number does not follow the last one.
	ErrAuditSeq = errors.New("audit sequence out of order")
	// ErrInvalid is returned for input the store refuses: text that is not
	// UTF-8 or holds NUL bytes, unknown roles or sorts, malformed cursors.
	ErrInvalid = errors.New("invalid input")
)

// Store is everything the rest of Ward asks of the store. *DB implements
// it; tests of other packages may fake the smaller interfaces it is made
// of.
type Store interface {
	Inventory
	Directory
	Accounts
	AuditLog
	Registers
	Vulnerabilities
	Close() error
}

// Inventory merges analyses and answers questions about devices.
type Inventory interface {
	MergeInventory(ctx context.Context, in *Input, f File) (Merged, error)
	Ingested(ctx context.Context, sha256 string) (bool, error)
	Files(ctx context.Context) ([]IngestedFile, error)
	SetUserAttribute(ctx context.Context, deviceID, key, value string) error
	DeleteUserAttribute(ctx context.Context, deviceID, key string) error
	ListDevices(ctx context.Context, q DeviceQuery) (DevicePage, error)
	GetDevice(ctx context.Context, id string) (*DeviceDetail, error)
	CountDevices(ctx context.Context, f DeviceFilter) (*DeviceCounts, error)
	CountMatching(ctx context.Context, f DeviceFilter) (int, error)
	Dashboard(ctx context.Context, f DeviceFilter, now time.Time) (*DashboardFigures, error)
	DeviceFlows(ctx context.Context, id string, limit int) ([]Flow, error)
}

// Directory keeps the organisation around devices: locations, owners and
// tags.
type Directory interface {
	AddLocation(ctx context.Context, l Location) (Location, error)
	Locations(ctx context.Context) ([]Location, error)
	AddOwner(ctx context.Context, o Owner) (Owner, error)
	Owners(ctx context.Context) ([]Owner, error)
	OwnerNamed(ctx context.Context, name string) (Owner, error)
	SetDeviceLocation(ctx context.Context, deviceID string, locationID int64) error
	SetDeviceOwner(ctx context.Context, deviceID string, ownerID int64) error
	TagDevice(ctx context.Context, deviceID, tag string) error
	UntagDevice(ctx context.Context, deviceID, tag string) error
}

// Accounts keeps users, their roles, sessions and API tokens.
type Accounts interface {
	CreateUser(ctx context.Context, name, passwordHash string) (User, error)
	UserByName(ctx context.Context, name string) (User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	Users(ctx context.Context) ([]User, error)
	UpsertExternalUser(ctx context.Context, issuer, subject, name string, gs []Grant) (User, error)
	DisableUser(ctx context.Context, id int64, disabled bool) error
	SetPasswordHash(ctx context.Context, userID int64, passwordHash string) error
	GrantRole(ctx context.Context, userID int64, g Grant) error
	RevokeRole(ctx context.Context, userID int64, g Grant) error
	CreateSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, idHash []byte) (Session, error)
	DeleteSession(ctx context.Context, idHash []byte) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	DeleteExpiredSessions(ctx context.Context) (int64, error)
	CreateToken(ctx context.Context, t Token) (Token, error)
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
	TouchToken(ctx context.Context, id int64) error
	RevokeToken(ctx context.Context, id int64) error
	Tokens(ctx context.Context) ([]Token, error)
}

// AuditLog is the append-only log of what users did.
type AuditLog interface {
	AppendAudit(ctx context.Context, e AuditEvent) error
	LastAudit(ctx context.Context) (AuditEvent, error)
	ListAudit(ctx context.Context, afterSeq int64, limit int) ([]AuditEvent, error)
	ListAuditFiltered(ctx context.Context, q AuditQuery) ([]AuditEvent, error)
}

// Registers keeps the asset register imports and the column mappings
// users saved.
type Registers interface {
	SaveRegisterImport(ctx context.Context, ri RegisterImport) (int64, error)
	LatestRegisterImport(ctx context.Context) (*RegisterImport, error)
	RegisterImports(ctx context.Context) ([]RegisterImport, error)
	SaveMapping(ctx context.Context, name string, m register.Mapping) error
	Mapping(ctx context.Context, name string) (register.Mapping, error)
	Mappings(ctx context.Context) ([]string, error)
}

var _ Store = (*DB)(nil)

// Options tune a DB. The zero value is usable.
type Options struct {
	// Logger receives the store's few events (opened, migrated). Default:
	// discard.
	Logger *slog.Logger
	// Now is the clock for the times the store sets itself (ingested_at,
	// created_at, last_used, session expiry checks). Default: time.Now.
	Now func() time.Time
}

// DB is a store on SQLite or PostgreSQL. It is safe for concurrent use.
type DB struct {
	sql     *sql.DB
	dialect *dialect
	log     *slog.Logger
	now     func() time.Time
	// lockKey is the PostgreSQL advisory lock key of this database and
	// schema; merges take key+1 for their transaction.
	lockKey int64
	// hook, when set by a test, is called after each step of a merge;
	// an error it returns fails the merge there.
	hook func(step string) error
}

// Close closes the database.
func (db *DB) Close() error {
	return db.sql.Close()
}

// Backend reports which backend db uses: "sqlite" or "postgres".
func (db *DB) Backend() string {
	return db.dialect.name
}

// inventory types reused in the store's answers.
type (
	// Attribute is a fact about a device with its provenance.
	Attribute = inventory.Attribute
	// Link is a conversation between devices that a clinical protocol
	// names.
	Link = inventory.Link
	// Finding is a security problem seen on a device.
	Finding = inventory.Finding
)

// nanos converts t to the stored form: unix nanoseconds, 0 for the zero
// time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos converts a stored time back, in UTC.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// confidence converts a stored confidence back, clamped to 0–255.
func confidence(n int64) dissect.Confidence {
	return dissect.Confidence(min(max(n, 0), 255))
}

// count converts a uint64 count to the stored int64, saturating.
func count(n uint64) int64 {
	return int64(min(n, 1<<63-1))
}
