package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	goldenCaptures = "../../testdata/captures/golden"
	demoCapture    = "../../testdata/captures/demo.pcapng"
)

// ward runs the program with args and returns its stdout and stderr.
func ward(t *testing.T, stdin []byte, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, bytes.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func goldenFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(goldenCaptures, "*.pcap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden captures in %s: %v", goldenCaptures, err)
	}
	return files
}

// TestGolden compares the JSON output for each golden capture, flows
// included, with testdata/golden/NAME.json. Run with -update to rewrite.
func TestGolden(t *testing.T) {
	for _, capture := range append(append(goldenFiles(t), demoCapture), labFiles(t)...) {
		name := strings.TrimSuffix(filepath.Base(capture), filepath.Ext(capture))
		t.Run(name, func(t *testing.T) {
			got, stderr, err := ward(t, nil, "analyze", "-format", "json", "-flows", capture)
			if err != nil {
				t.Fatalf("analyze: %v\n%s", err, stderr)
			}
			path := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// output is the part of the JSON output the tests read.
type output struct {
	Devices []struct {
		ID         string   `json:"id"`
		MAC        string   `json:"mac"`
		IPs        []string `json:"ips"`
		Names      []string `json:"names"`
		Attributes []struct {
			Key, Value, Source string
		} `json:"attributes"`
	} `json:"devices"`
}

func analyzeJSON(t *testing.T, capture string) output {
	t.Helper()
	stdout, stderr, err := ward(t, nil, "analyze", "-format", "json", "-external", capture)
	if err != nil {
		t.Fatalf("analyze %s: %v\n%s", capture, err, stderr)
	}
	var out output
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	return out
}

// TestAgainstTshark checks Ward's facts against those tshark, an
// independent reader, extracts from the same captures
// (scripts/tshark-reference.sh wrote them to NAME.tshark.tsv).
func TestAgainstTshark(t *testing.T) {
	checked := 0
	for _, capture := range append(append(goldenFiles(t), demoCapture), labFiles(t)...) {
		ref := strings.TrimSuffix(strings.TrimSuffix(capture, ".pcap"), ".pcapng") + ".tshark.tsv"
		rows := readTSV(t, ref)
		if len(rows) == 0 {
			continue
		}
		out := analyzeJSON(t, capture)
		for _, r := range rows {
			who, key, value := r[0], r[1], r[2]
			if !hasFact(out, who, key, value) {
				t.Errorf("%s: tshark has %s %s=%q; Ward does not", filepath.Base(capture),
					who, key, value)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("checked only %d facts against tshark, want at least 20", checked)
	}
}

func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run scripts/tshark-reference.sh)", err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if cols := strings.SplitN(sc.Text(), "\t", 3); len(cols) == 3 {
			rows = append(rows, cols)
		}
	}
	return rows
}

// hasFact reports whether the device with MAC or IP who has an attribute
// key whose value matches tshark's: equal, or one containing the other
// (tshark keeps decorations such as a banner's trailing "ready.").
func hasFact(out output, who, key, value string) bool {
	value = strings.TrimSpace(value)
	for _, d := range out.Devices {
		if d.MAC != who && !slices.Contains(d.IPs, who) {
			continue
		}
		for _, a := range d.Attributes {
			if a.Key != key {
				continue
			}
			v := strings.TrimSpace(a.Value)
			if strings.EqualFold(v, value) || strings.Contains(value, v) ||
				strings.Contains(v, value) {
				return true
			}
		}
	}
	return false
}

// TestNoSecrets runs every golden capture and checks that no password or
// community string that the capture carries appears in any output format.
func TestNoSecrets(t *testing.T) {
	checked := 0
	for _, capture := range append(goldenFiles(t), demoCapture) {
		base := strings.TrimSuffix(strings.TrimSuffix(capture, ".pcap"), ".pcapng")
		var secrets []string
		for _, suffix := range []string{".secrets.txt", ".secrets-manual.txt"} {
			b, err := os.ReadFile(base + suffix)
			if err == nil {
				secrets = append(secrets, strings.Fields(string(b))...)
			}
		}
		if len(secrets) == 0 {
			continue
		}
		for _, format := range []string{"json", "csv", "table"} {
			stdout, stderr, err := ward(t, nil, "analyze", "-format", format, "-flows",
				"-log-level", "debug", capture)
			if err != nil {
				t.Fatalf("analyze %s: %v", capture, err)
			}
			for _, s := range secrets {
				checked++
				if format == "json" {
					if v := jsonValueContaining(t, stdout, s); v != "" {
						t.Errorf("%s: JSON value %q contains the secret %q", capture, v, s)
					}
					continue
				}
				if containsWord(stdout+stderr, s) {
					t.Errorf("%s: %s output contains the secret %q", capture, format, s)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no secrets checked")
	}
}

// jsonValueContaining returns the first string value (not object key) in
// the JSON document doc that contains s as a word.
func jsonValueContaining(t *testing.T, doc, s string) string {
	dec := json.NewDecoder(strings.NewReader(doc))
	var walk func(v any) string
	walk = func(v any) string {
		switch x := v.(type) {
		case string:
			if containsWord(x, s) {
				return x
			}
		case []any:
			for _, e := range x {
				if r := walk(e); r != "" {
					return r
				}
			}
		case map[string]any:
			for _, e := range x {
				if r := walk(e); r != "" {
					return r
				}
			}
		}
		return ""
	}
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	return walk(v)
}

// containsWord reports whether s occurs in text not inside a longer word.
func containsWord(text, s string) bool {
	isWord := func(b byte) bool {
		return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(text[i:], s)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(s)
		if (j == 0 || !isWord(text[j-1])) && (end == len(text) || !isWord(text[end])) {
			return true
		}
		i = j + 1
	}
}

func TestStdinAndGzip(t *testing.T) {
	raw, err := os.ReadFile(demoCapture)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := ward(t, nil, "analyze", "-format", "csv", demoCapture)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	gzPath := filepath.Join(t.TempDir(), "demo.pcapng.gz")
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		stdin []byte
		arg   string
	}{
		"stdin":      {raw, "-"},
		"gzip file":  {nil, gzPath},
		"gzip stdin": {gz.Bytes(), "-"},
	} {
		t.Run(name, func(t *testing.T) {
			got, stderr, err := ward(t, tc.stdin, "analyze", "-format", "csv", tc.arg)
			if err != nil {
				t.Fatalf("analyze: %v\n%s", err, stderr)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("output differs from reading the file (-file +%s):\n%s", name, diff)
			}
		})
	}
}
