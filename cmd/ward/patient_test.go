package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardhq/ward/internal/planted"
)

// labCaptures are the captures recorded by scripts/lab from real DICOM,
// HL7 and network implementations, with fake patient data planted in them.
const labCaptures = "../../testdata/captures/lab"

func labFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.pcap", "*.pcapng"} {
		m, _ := filepath.Glob(filepath.Join(labCaptures, pat))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no lab captures in %s (scripts/lab/record-medical.sh makes them)", labCaptures)
	}
	return files
}

// TestNoPatientData runs every lab capture, whole and cut short, through
// every output format with debug logging, and searches everything Ward
// wrote for each planted patient value in each of its encodings.
func TestNoPatientData(t *testing.T) {
	values := planted.Values(t, filepath.Join(labCaptures, "planted.txt"))
	files := labFiles(t)
	inCaptures := map[string]bool{}
	searched := 0
	for _, capture := range files {
		raw, err := os.ReadFile(capture)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			if bytes.Contains(raw, []byte(v)) {
				inCaptures[v] = true
			}
		}
		for _, variant := range captureVariants(t, capture, raw) {
			for _, format := range []string{"json", "csv", "table"} {
				args := []string{"analyze", "-format", format, "-flows", "-log-level", "debug",
					variant}
				stdout, stderr, _ := ward(t, nil, args...)
				written := []byte(stdout + stderr)
				if len(stdout) == 0 {
					t.Errorf("%s %s: no output", variant, format)
				}
				for _, v := range values {
					for form, enc := range planted.Encodings(v) {
						searched++
						if i := bytes.Index(written, enc); i >= 0 {
							t.Errorf("%s, -format %s: planted value %q (%s) written: …%s…",
								filepath.Base(variant), format, v, form, around(written, i, len(enc)))
						}
					}
				}
			}
		}
	}
	// The test means something only if the captures carry the values.
	for _, v := range values {
		if !inCaptures[v] {
			t.Errorf("planted value %q is in no lab capture: the search proves nothing for it", v)
		}
	}
	t.Logf("%d planted values, %d captures and variants, %d searches", len(values), len(files), searched)
}

// captureVariants returns the capture and copies of it cut at a third and
// at two thirds, so that the dissectors' error paths run too.
func captureVariants(t *testing.T, capture string, raw []byte) []string {
	out := []string{capture}
	dir := t.TempDir()
	for i, n := range []int{len(raw) / 3, len(raw) * 2 / 3} {
		p := filepath.Join(dir, fmt.Sprintf("%s.cut%d", filepath.Base(capture), i))
		if err := os.WriteFile(p, raw[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func around(b []byte, i, n int) string {
	lo, hi := max(i-40, 0), min(i+n+40, len(b))
	return string(b[lo:hi])
}
