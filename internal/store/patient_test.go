package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardhq/ward/internal/planted"
)

// labDir holds the lab captures, with fake patient data planted in them
// (planted.txt lists the values).
const labDir = "../../testdata/captures/lab"

// TestNoPatientData merges every lab capture and searches the bytes of the
// SQLite database and its WAL for each planted patient value, in the forms
// it could take: the store must hold none.
func TestNoPatientData(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(labDir, "*.pcap"))
	if len(files) == 0 {
		t.Fatalf("no lab captures in %s", labDir)
	}
	dir := t.TempDir()
	db := backend{name: "sqlite", target: dir}.open(t, Options{})
	for _, f := range files {
		a := analyse(t, f)
		mustMerge(t, db, a.input(), a.file(f))
	}
	if n := tableCounts(t, db); n["devices"] == 0 || n["attributes"] == 0 || n["links"] == 0 {
		t.Fatalf("the lab captures stored too little to prove anything: %v", n)
	}
	values := planted.Values(t, filepath.Join(labDir, "planted.txt"))

	// Search while the WAL holds the merges, then once they are
	// checkpointed into the database file.
	for _, f := range search(t, dir, values) {
		t.Errorf("with the store open: %s", f)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range search(t, dir, values) {
		t.Errorf("with the store closed: %s", f)
	}
}

// TestPatientSearchFinds checks that the search of TestNoPatientData
// would find a planted value that got in.
func TestPatientSearchFinds(t *testing.T) {
	dir := t.TempDir()
	db := backend{name: "sqlite", target: dir}.open(t, Options{})
	mustMerge(t, db, syntheticInput(1, 0, 0), File{SHA256: fakeSHA(1)})
	values := planted.Values(t, filepath.Join(labDir, "planted.txt"))
	if err := db.SetUserAttribute(t.Context(), "mac:"+synthMAC(0), "note", values[0]); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if found := search(t, dir, values); len(found) == 0 {
		t.Errorf("a planted value stored as an attribute was not found")
	}
}

// search returns where the files of the database in dir hold any of
// values, in any of their encodings.
func search(t *testing.T, dir string, values []string) []string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, DatabaseFile+"*"))
	var found []string
	searched := 0
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		searched += len(b)
		for _, v := range values {
			for form, enc := range planted.Encodings(v) {
				if bytes.Contains(b, enc) {
					found = append(found, fmt.Sprintf("%s holds planted value %q (%s)",
						filepath.Base(p), v, form))
				}
			}
		}
	}
	if searched == 0 {
		t.Fatalf("nothing to search in %s", dir)
	}
	return found
}
