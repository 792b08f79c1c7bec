package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/observe"
)

// defaultPostgresURL is the server every Ward machine runs for tests;
// WARD_TEST_POSTGRES_URL overrides it.
const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// backend is a database to run a test against: a fresh SQLite directory or
// a fresh PostgreSQL schema, removed when the test ends.
type backend struct {
	name   string
	target string
}

// open opens (and migrates) the store of b, closed when the test ends.
func (b backend) open(t testing.TB, opts Options) *DB {
	t.Helper()
	if opts.Now == nil {
		opts.Now = newClock().now
	}
	db, err := Open(t.Context(), b.name, b.target, opts)
	if err != nil {
		t.Fatalf("open %s: %v", b.name, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// each runs f against each backend, as the subtests "sqlite" and
// "postgres".
func each(t *testing.T, f func(t *testing.T, b backend)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		f(t, backend{name: "sqlite", target: t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		f(t, backend{name: "postgres", target: postgresSchema(t)})
	})
}

// eachDB runs f against a freshly opened store on each backend.
func eachDB(t *testing.T, f func(t *testing.T, db *DB)) {
	t.Helper()
	each(t, func(t *testing.T, b backend) { f(t, b.open(t, Options{})) })
}

var postgresCheck struct {
	once sync.Once
	url  string
	err  error
}

// postgresSchema creates a schema of its own for the test on the test
// server and returns a URL that uses it. It skips the test when no server
// answers, or fails it if WARD_REQUIRE_POSTGRES=1.
func postgresSchema(t testing.TB) string {
	t.Helper()
	postgresCheck.once.Do(func() {
		postgresCheck.url = os.Getenv("WARD_TEST_POSTGRES_URL")
		if postgresCheck.url == "" {
			postgresCheck.url = defaultPostgresURL
		}
		db, err := openPgx(postgresCheck.url)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			err = db.PingContext(ctx)
			cancel()
			db.Close()
		}
		postgresCheck.err = err
	})
	if err := postgresCheck.err; err != nil {
		if os.Getenv("WARD_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL at %s is required (WARD_REQUIRE_POSTGRES=1) but: %v",
				redact(postgresCheck.url), err)
		}
		t.Skipf("no PostgreSQL at %s (%v): start it, or set WARD_REQUIRE_POSTGRES=1 to fail "+
			"rather than skip", redact(postgresCheck.url), err)
	}
	admin, err := openPgx(postgresCheck.url)
	if err != nil {
		t.Fatal(err)
	}
	var b [8]byte
	rand.Read(b[:])
	schema := "ward_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(postgresCheck.url)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// clock is a fake clock that moves a second each time it is read.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// labCapture is the lab capture of a clinical ward, with fake patient
// data planted in it.
const labCapture = "../../testdata/captures/lab/clinical-ward7.pcap"

type analysis struct {
	inv *inventory.Inventory
	res *observe.Result
	sha string
}

var analyses sync.Map // path → *analysis, or error

// analyse runs the real pipeline on a capture, once per test binary.
func analyse(t testing.TB, path string) *analysis {
	t.Helper()
	if v, ok := analyses.Load(path); ok {
		return v.(*analysis)
	}
	res, err := observe.Run(context.Background(), observe.Config{}, []string{path})
	if err != nil {
		t.Fatalf("analyse %s: %v", path, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	a := &analysis{inv: inventory.Build(res, inventory.Options{}), res: res,
		sha: hex.EncodeToString(sum[:])}
	analyses.Store(path, a)
	return a
}

func (a *analysis) input() *Input { return NewInput(a.inv, a.res.Flows) }

func (a *analysis) file(path string) File {
	return File{SHA256: a.sha, Name: filepath.Base(path), Size: 1,
		Packets: a.res.Stats.Packets, Bytes: a.res.Stats.Bytes}
}

// fakeSHA is a made-up file hash numbered n.
func fakeSHA(n int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "file %d", n))
	return hex.EncodeToString(sum[:])
}

// tableCounts counts the rows of every table.
func tableCounts(t *testing.T, db *DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"devices", "identifiers", "attributes", "links", "findings",
		"flows", "ingested_files", "locations", "owners", "tags", "device_tags", "users",
		"user_roles", "sessions", "api_tokens", "audit_events", "segment_policies",
		"segment_signoffs", "flow_hours"} {
		var n int
		err := db.sql.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table).Scan(&n)
		if err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// sumColumn adds up a column of a table.
func sumColumn(t *testing.T, db *DB, table, col string) int64 {
	t.Helper()
	var n sql.NullInt64
	err := db.sql.QueryRowContext(t.Context(), "SELECT sum("+col+") FROM "+table).Scan(&n)
	if err != nil {
		t.Fatalf("sum %s.%s: %v", table, col, err)
	}
	return n.Int64
}

// cmpOpts compare stored values with the inventory's.
var cmpOpts = cmp.Options{
	cmpopts.IgnoreUnexported(inventory.Attribute{}, inventory.Device{}),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	cmpopts.EquateEmpty(),
}

func mustMerge(t *testing.T, db *DB, in *Input, f File) Merged {
	t.Helper()
	m, err := db.MergeInventory(t.Context(), in, f)
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	return m
}

func mustDevice(t *testing.T, db *DB, id string) *DeviceDetail {
	t.Helper()
	d, err := db.GetDevice(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
