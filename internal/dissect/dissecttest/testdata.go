package dissecttest

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxLine is the longest line Heads reads, in bytes: a 16 KiB head written
// on one line is 32 KiB of hex.
const maxLine = 1 << 20

// Hex reads a payload saved as hex text, as the `.hex` files in testdata
// hold it: white space anywhere and lines that start with '#' are ignored.
// It fails tb when the file cannot be read or is not hex.
func Hex(tb testing.TB, path string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var digits []byte
	for line := range bytes.Lines(raw) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		for _, field := range bytes.Fields(line) {
			digits = append(digits, field...)
		}
	}
	b := make([]byte, hex.DecodedLen(len(digits)))
	if _, err := hex.Decode(b, digits); err != nil {
		tb.Fatalf("decode %s: %v", path, err)
	}
	return b
}

// HexFiles reads every file that matches the glob pattern with Hex, in
// lexical order. It fails tb when the pattern matches nothing.
func HexFiles(tb testing.TB, pattern string) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, path := range glob(tb, pattern) {
		out = append(out, Hex(tb, path))
	}
	return out
}

// Heads reads the heads of one TCP connection saved as text: in order, one
// line per segment, "c HEX" or "client HEX" for bytes the client sent and
// "s HEX" or "server HEX" for bytes the server sent. Blank lines and lines
// that start with '#' are ignored. The files come from tshark's
// `follow,tcp,raw` (see each testdata/SOURCE.md and heads.py here).
// It fails tb on any other line.
func Heads(tb testing.TB, path string) (client, server []byte) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, maxLine)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		side, text, _ := strings.Cut(line, " ")
		b, err := hex.DecodeString(text)
		switch {
		case err != nil:
			tb.Fatalf("%s:%d: %v", path, n, err)
		case side == "c" || side == "client":
			client = append(client, b...)
		case side == "s" || side == "server":
			server = append(server, b...)
		default:
			tb.Fatalf("%s:%d: got side %q, want \"c HEX\" or \"s HEX\"", path, n, side)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return client, server
}

// Head is the heads of one TCP connection read from testdata.
type Head struct {
	Name           string // the file's base name without its extension
	Client, Server []byte
}

// HeadsFiles reads every file that matches the glob pattern with Heads, in
// lexical order. It fails tb when the pattern matches nothing.
func HeadsFiles(tb testing.TB, pattern string) []Head {
	tb.Helper()
	var out []Head
	for _, path := range glob(tb, pattern) {
		c, s := Heads(tb, path)
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		out = append(out, Head{Name: name, Client: c, Server: s})
	}
	return out
}

// glob returns the paths that match pattern, sorted, and fails tb when the
// pattern is malformed or matches nothing.
func glob(tb testing.TB, pattern string) []string {
	tb.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil {
		tb.Fatalf("glob %s: %v", pattern, err)
	}
	if len(paths) == 0 {
		tb.Fatalf("glob %s: no files", pattern)
	}
	return paths
}
