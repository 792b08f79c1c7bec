package store

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
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
	values := plantedValues(t)

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
	values := plantedValues(t)
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
			for form, enc := range encodings(v) {
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

// plantedValues reads the planted values, and the parts of person names
// long enough to be telling.
func plantedValues(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(labDir, "planted.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
		parts := strings.FieldsFunc(line, func(r rune) bool { return r == '^' || r == ' ' })
		for _, part := range parts {
			if len(part) >= 6 && part != line {
				out = append(out, part)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("planted.txt lists no values")
	}
	return out
}

// encodings are the forms in which a value could be stored: as written, in
// either case, in hex, in base64 and in UTF-16.
func encodings(v string) map[string][]byte {
	b := []byte(v)
	u16 := utf16.Encode([]rune(v))
	le := make([]byte, 0, 2*len(u16))
	for _, c := range u16 {
		le = append(le, byte(c), byte(c>>8))
	}
	return map[string][]byte{
		"as written": b,
		"lower case": bytes.ToLower(b),
		"upper case": bytes.ToUpper(b),
		"hex":        []byte(hex.EncodeToString(b)),
		"HEX":        []byte(strings.ToUpper(hex.EncodeToString(b))),
		"base64":     []byte(base64.StdEncoding.EncodeToString(b)),
		"base64url":  []byte(base64.RawURLEncoding.EncodeToString(b)),
		"utf-16le":   le,
	}
}
