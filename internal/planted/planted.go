// Package planted holds what the no-patient-data tests share: the fake
// patient values scripts/lab planted in the lab captures
// (testdata/captures/lab/planted.txt), and the forms in which such a value
// could leak into what Ward writes.
//
// It is an ordinary package so that the tests of several packages can
// share it, but it imports testing: import it only from _test.go files.
package planted

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf16"
)

// Values reads a planted.txt: one value a line, as sent, with "#"
// comments. An HL7 or DICOM person name is also given by each component
// long enough to be telling ("WARDTEST^PLANTED" gives "WARDTEST" and
// "PLANTED").
func Values(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
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
		for _, part := range strings.FieldsFunc(line, func(r rune) bool { return r == '^' || r == ' ' }) {
			if len(part) >= 6 && part != line {
				out = append(out, part)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s lists no values", path)
	}
	return out
}

// Encodings returns the forms in which v could leak, by name: as written,
// in either case, in hex (either case, and byte by byte), in base64,
// JSON-escaped and Go-quoted, \x-escaped, and in UTF-16 of either byte
// order.
func Encodings(v string) map[string][]byte {
	b := []byte(v)
	js, _ := json.Marshal(v)
	u16 := utf16.Encode([]rune(v))
	le := make([]byte, 0, 2*len(u16))
	be := make([]byte, 0, 2*len(u16))
	for _, c := range u16 {
		le = append(le, byte(c), byte(c>>8))
		be = append(be, byte(c>>8), byte(c))
	}
	return map[string][]byte{
		"as written":   b,
		"lower case":   bytes.ToLower(b),
		"upper case":   bytes.ToUpper(b),
		"hex":          []byte(hex.EncodeToString(b)),
		"HEX":          []byte(strings.ToUpper(hex.EncodeToString(b))),
		"hex-spaced":   spacedHex(b),
		"base64":       []byte(base64.StdEncoding.EncodeToString(b)),
		"base64url":    []byte(base64.RawURLEncoding.EncodeToString(b)),
		"json":         js[1 : len(js)-1],
		"go-quoted":    []byte(strings.Trim(unescapedHTMLJSON(v), `"`)),
		"byte-escaped": byteEscaped(b),
		"utf-16le":     le,
		"utf-16be":     be,
	}
}

// unescapedHTMLJSON is v as JSON without HTML escaping.
func unescapedHTMLJSON(v string) string {
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
