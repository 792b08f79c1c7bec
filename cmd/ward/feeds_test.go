package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/demo"
	"github.com/wardhq/ward/internal/store"
)

func TestFeedsImport(t *testing.T) {
	data := t.TempDir()
	out, stderr, err := ward(t, nil, "feeds", "import", "-data", data, icsmaCopy)
	if err != nil {
		t.Fatalf("feeds import: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "advisories 144 new, 0 updated, 0 unchanged") {
		t.Errorf("first import printed %q", out)
	}
	out, _, err = ward(t, nil, "feeds", "import", "-json", "-data", data, icsmaCopy)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Files      int
		Advisories struct{ Added, Unchanged int }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if res.Files != 144 || res.Advisories.Added != 0 || res.Advisories.Unchanged != 144 {
		t.Errorf("second import: %+v, want 144 files, all unchanged", res)
	}
	for _, args := range [][]string{{"feeds"}, {"feeds", "export", "x"},
		{"feeds", "import"}, {"feeds", "import", "-data", data, "a", "b"}} {
		if _, _, err := ward(t, nil, args...); err == nil {
			t.Errorf("ward %v: no error", args)
		}
	}
	if _, _, err := ward(t, nil, "feeds", "import", "-data", data,
		filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("import of a path that does not exist: no error")
	}
}

func TestServeFeedsKeys(t *testing.T) {
	_, _, err := ward(t, nil, "serve", "-listen", "127.0.0.1:0", "-data", t.TempDir(),
		"-feeds", icsmaCopy, "-feeds-keys", filepath.Join(t.TempDir(), "absent.asc"))
	if err == nil || !strings.Contains(err.Error(), "keys") {
		t.Errorf("serve with a keys file that does not exist: %v, want an error about the keys", err)
	}
}

// TestIngestMatchesOnce ingests a capture and a register into a store
// that holds advisories: the batch is matched once, at its end.
func TestIngestMatchesOnce(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	if _, stderr, err := ward(t, nil, "feeds", "import", "-data", data, icsmaCopy); err != nil {
		t.Fatalf("feeds import: %v\n%s", err, stderr)
	}
	var pcap bytes.Buffer
	devs, err := demo.Write(&pcap, demo.Options{Seed: 1, Start: time.Unix(1_700_000_000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	capPath, regPath := filepath.Join(dir, "trust.pcap"), filepath.Join(dir, "cmms.csv")
	os.WriteFile(capPath, pcap.Bytes(), 0o600)
	os.WriteFile(regPath, demo.Register(devs, 1), 0o600)
	if _, stderr, err := ward(t, nil, "ingest", "-data", data, capPath, regPath); err != nil {
		t.Fatalf("ingest: %v\n%s", err, stderr)
	}
	db, err := store.Open(context.Background(), "sqlite", data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page, err := db.Findings(context.Background(), store.FindingQuery{Limit: 1})
	if err != nil || page.Total == 0 {
		t.Errorf("findings after ingest: %v, %d", err, page.Total)
	}
}
