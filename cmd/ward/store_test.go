package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"
)

// TestIngestUserVerify runs the store's commands as a user would: ingest a
// capture and a register (twice: the second time changes nothing), add a
// user, verify, then tamper with the audit log behind Ward's back and see
// verify catch it.
func TestIngestUserVerify(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "ward-data")
	reg := filepath.Join(dir, "register.csv")
	os.WriteFile(reg, []byte("Asset No,Description,Manufacturer,MAC Address\n"+
		"A1,Switch,Cisco,00-18-BA-98-68-8F\nA2,Old pump,B. Braun,00-12-21-00-00-01\n"), 0o600)

	out, stderr, err := ward(t, nil, "ingest", "--data", data, demoCapture, reg)
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, stderr)
	}
	for _, want := range []string{"demo.pcapng: ", " devices (", "register.csv: 2 entries", "1 only in the register"} {
		if !strings.Contains(out, want) {
			t.Errorf("ingest printed %q, want it to contain %q", out, want)
		}
	}
	out, _, err = ward(t, nil, "ingest", "--data", data, demoCapture)
	if err != nil || !strings.Contains(out, "ingested before") {
		t.Errorf("second ingest: %v, printed %q, want \"ingested before\"", err, out)
	}

	out, _, err = ward(t, nil, "user", "add", "--data", data, "--role", "auditor", "alice")
	if err != nil || !regexp.MustCompile(`(?m)^    [A-Z2-7]{26}$`).MatchString(out) {
		t.Fatalf("user add: %v, printed %q, want a password", err, out)
	}
	if _, _, err := ward(t, nil, "user", "add", "--data", data, "--role", "auditor", "alice"); err == nil {
		t.Error("adding alice twice succeeded")
	}
	if _, _, err := ward(t, nil, "user", "add", "--data", data, "--role", "king", "bob"); err == nil {
		t.Error("adding a user with an unknown role succeeded")
	}

	cp := filepath.Join(dir, "checkpoint.json")
	out, _, err = ward(t, nil, "verify", "--data", data, "--write-checkpoint", cp)
	if err != nil || !strings.Contains(out, "chain intact") || !strings.Contains(out, "integrity check passed") {
		t.Fatalf("verify: %v, printed %q", err, out)
	}
	tamper(t, filepath.Join(data, "ward.db"),
		"DROP TRIGGER audit_events_no_update",
		"UPDATE audit_events SET actor = 'someone else' WHERE seq = 1")
	out, _, err = ward(t, nil, "verify", "--data", data)
	if err == nil || !strings.Contains(out, "entry 1: edited") {
		t.Errorf("verify after an edit: %v, printed %q, want entry 1 reported edited", err, out)
	}
	tamper(t, filepath.Join(data, "ward.db"),
		"UPDATE audit_events SET actor = (SELECT actor FROM audit_events WHERE seq = 2) WHERE seq = 1",
		"DROP TRIGGER audit_events_no_delete",
		"DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)")
	out, _, err = ward(t, nil, "verify", "--data", data, "--checkpoint", cp)
	if err == nil || !strings.Contains(out, "truncated") {
		t.Errorf("verify after cutting the last entry: %v, printed %q, want it reported truncated", err, out)
	}
}

// tamper runs SQL on the database directly, as someone with write access
// to the file but not to Ward's audit key could.
func tamper(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestIngestPostgres runs ingest and verify against PostgreSQL (the test
// server at 127.0.0.1:5432, in a schema of the test's own).
func TestIngestPostgres(t *testing.T) {
	base := "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	admin, err := pgx.Connect(ctx, base)
	cancel()
	if err != nil {
		if os.Getenv("WARD_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL is required (WARD_REQUIRE_POSTGRES=1): %v", err)
		}
		t.Skipf("no PostgreSQL at 127.0.0.1:5432 (%v)", err)
	}
	bg := context.Background()
	defer admin.Close(bg)
	var b [6]byte
	rand.Read(b[:])
	schema := "ward_cli_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(bg, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(bg, "DROP SCHEMA "+schema+" CASCADE")
	db := base + "&search_path=" + schema
	data := t.TempDir()
	out, stderr, err := ward(t, nil, "ingest", "--data", data, "--database", db, demoCapture)
	if err != nil || !strings.Contains(out, " devices (") {
		t.Fatalf("ingest into PostgreSQL: %v, printed %q\n%s", err, out, stderr)
	}
	out, _, err = ward(t, nil, "verify", "--data", data, "--database", db)
	if err != nil || !strings.Contains(out, "chain intact") {
		t.Errorf("verify on PostgreSQL: %v, printed %q", err, out)
	}
	var n int
	if err := admin.QueryRow(bg, "SELECT count(*) FROM "+schema+".devices").Scan(&n); err != nil || n == 0 {
		t.Errorf("devices in PostgreSQL: %d, %v", n, err)
	}
}
