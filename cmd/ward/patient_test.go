package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
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

// plantedValues reads the patient values the lab script planted.
func plantedValues(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(labCaptures, "planted.txt"))
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
		// An HL7 or DICOM person name is searched for whole and by each
		// component long enough to be telling.
		for _, part := range strings.FieldsFunc(line, func(r rune) bool { return r == '^' || r == ' ' }) {
			if len(part) >= 6 && part != line {
				out = append(out, part)
			}
		}
	}
	return out
}

// encodings returns the forms in which a value could leak: as written,
// in hex, in base64, JSON-escaped and in UTF-16.
func encodings(v string) map[string][]byte {
	b := []byte(v)
	js, _ := json.Marshal(v)
	u16 := utf16.Encode([]rune(v))
	le := make([]byte, 0, 2*len(u16))
	be := make([]byte, 0, 2*len(u16))
	for _, c := range u16 {
		le = append(le, byte(c), byte(c>>8))
		be = append(be, byte(c>>8), byte(c))
	}
	forms := map[string][]byte{
		"raw":          b,
		"lower case":   bytes.ToLower(b),
		"hex":          []byte(hex.EncodeToString(b)),
		"HEX":          []byte(strings.ToUpper(hex.EncodeToString(b))),
		"base64":       []byte(base64.StdEncoding.EncodeToString(b)),
		"base64url":    []byte(base64.RawURLEncoding.EncodeToString(b)),
		"json":         js[1 : len(js)-1],
		"utf-16le":     le,
		"utf-16be":     be,
		"go-quoted":    []byte(strings.Trim(jsonQuoteGo(v), `"`)),
		"hex-spaced":   spacedHex(b),
		"byte-escaped": byteEscaped(b),
	}
	return forms
}

func jsonQuoteGo(v string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(buf.String())
}

func spacedHex(b []byte) []byte {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = hex.EncodeToString([]byte{c})
	}
	return []byte(strings.Join(parts, " "))
}

func byteEscaped(b []byte) []byte {
	var out strings.Builder
	for _, c := range b {
		out.WriteString(`\x`)
		out.WriteString(hex.EncodeToString([]byte{c}))
	}
	return []byte(out.String())
}

// TestNoPatientData runs every lab capture, whole and cut short, through
// every output format with debug logging, and searches everything Ward
// wrote for each planted patient value in each of its encodings.
func TestNoPatientData(t *testing.T) {
	planted := plantedValues(t)
	files := labFiles(t)
	inCaptures := map[string]bool{}
	searched := 0
	for _, capture := range files {
		raw, err := os.ReadFile(capture)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range planted {
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
				for _, v := range planted {
					for form, enc := range encodings(v) {
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
	for _, v := range planted {
		if !inCaptures[v] {
			t.Errorf("planted value %q is in no lab capture: the search proves nothing for it", v)
		}
	}
	t.Logf("%d planted values, %d captures and variants, %d searches", len(planted), len(files), searched)
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
