package ingest

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/wardhq/ward/internal/store"
)

// FuzzCapture feeds upload ingestion arbitrary bytes, seeded with real
// captures: it merges or refuses, never panics, and a refusal stores
// nothing.
//
// Each input is a merge into SQLite, so CI gives it fewer.
// ci-fuzz: 400x
func FuzzCapture(f *testing.F) {
	for _, p := range []string{"../../testdata/captures/demo.pcapng",
		"../../testdata/captures/lab/lab-hl7.pcap"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b[:min(len(b), 4096)])
		}
	}
	f.Add([]byte{0xd4, 0xc3, 0xb2, 0xa1})
	f.Add([]byte{0x1f, 0x8b, 0x08})
	db, err := store.Open(context.Background(), "sqlite", f.TempDir(), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	svc := &Service{DB: db, Workers: 1}
	f.Fuzz(func(t *testing.T, data []byte) {
		before, err := db.Files(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Capture(context.Background(), bytes.NewReader(data), "fuzz.pcap", "fuzz")
		after, ferr := db.Files(context.Background())
		if ferr != nil {
			t.Fatal(ferr)
		}
		if err != nil && len(after) != len(before) {
			t.Fatalf("refused (%v) but stored a file", err)
		}
	})
}
