package capture

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCorpus runs every capture of the shared corpus, malformed ones
// included, through the reader. Nothing may panic; a file for which
// INVENTORY.tsv records tshark packets must yield packets, exactly as many
// when it reads without error.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	want := inventoryCounts(t, filepath.Join(dir, "INVENTORY.tsv"))
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isCaptureName(path) {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		n++
		checkCorpusFile(t, path, rel, want)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 1000 {
		t.Errorf("got %d corpus captures, want at least 1000", n)
	}
}

// checkCorpusFile reads one corpus file and compares its packet count with
// tshark's.
func checkCorpusFile(t *testing.T, path, rel string, want map[string]int) {
	r, err := Open(path)
	if err != nil {
		t.Errorf("%s: %v", rel, err)
		return
	}
	defer r.Close()
	recs, errs := readAll(t, r)
	tsharkN, known := want[filepath.ToSlash(rel)]
	switch {
	case !known || tsharkN == 0:
	case len(recs) == 0:
		t.Errorf("%s: got no packets (errors %v), want %d", rel, errs, tsharkN)
	case len(errs) == 0 && len(recs) != tsharkN && !hasCustomBlocks(rel):
		t.Errorf("%s: got %d packets, want %d", rel, len(recs), tsharkN)
	}
	if len(errs) > 0 {
		t.Logf("%s: %d packets, tshark %d, errors: %v", rel, len(recs), tsharkN, errs)
	}
}

// hasCustomBlocks reports whether tshark counts non-packet records (pcapng
// custom blocks) as frames in the file; the conformance test covers those.
func hasCustomBlocks(rel string) bool {
	return strings.Contains(rel, "pcapng-conformance")
}

// isCaptureName reports whether path names a capture rather than the
// corpus's notes and tshark summaries.
func isCaptureName(path string) bool {
	if strings.Contains(filepath.ToSlash(path), "/_phs/") {
		return false
	}
	ext := filepath.Ext(path)
	return ext != ".md" && ext != ".tsv" && ext != ".txt"
}

// inventoryCounts maps each file's saved_as path to tshark's packet count.
func inventoryCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counts := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 7 {
			continue
		}
		if n, err := strconv.Atoi(f[6]); err == nil {
			counts[f[4]] = n
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}
