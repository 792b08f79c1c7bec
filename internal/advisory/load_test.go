package advisory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-cmp/cmp"
)

// corpusDir returns the shared advisory corpus
// (/work/shared/corpus/advisories, found from the package directory). When
// it is absent the test is skipped, or fails if WARD_REQUIRE_CORPUS=1.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "advisories")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WARD_REQUIRE_CORPUS") == "1" {
			t.Fatalf("corpus required (WARD_REQUIRE_CORPUS=1) but unreadable: %v", err)
		}
		t.Skipf("corpus not found at %s: %v (set WARD_REQUIRE_CORPUS=1 to fail instead)", dir, err)
	}
	return dir
}

// The CSAF document the load tests build their folders from.
const loadCSAF = "load/icsma-17-227-01.json"

// writeFiles writes files (by slash path) under dir.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustLoad(t *testing.T, path string, opts LoadOptions) *Set {
	t.Helper()
	s, err := Load(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return s
}

// TestLoadCorpus loads the whole corpus: every ICSMA advisory, the OASIS
// examples, the NVD records, the KEV (JSON and CSV) and the EPSS excerpt.
func TestLoadCorpus(t *testing.T) {
	dir := corpusDir(t)
	var calls, total int
	s := mustLoad(t, dir, LoadOptions{Progress: func(done, n int, file string) {
		calls++
		if done != calls || file == "" {
			t.Errorf("progress call %d: got done %d, file %q", calls, done, file)
		}
		total = n
	}})
	for _, p := range s.Problems {
		t.Errorf("problem: %s", p)
	}
	counts := map[string]int{}
	for _, a := range s.Advisories {
		switch {
		case a.Format == CSAF && strings.HasPrefix(a.ID, "ICSMA-"):
			counts["icsma"]++
		case a.Format == CSAF:
			counts["other csaf"]++
		default:
			counts[string(a.Format)]++
		}
	}
	// 19 OASIS examples: 6 vendor advisories and 13 CSAF VEX documents.
	want := map[string]int{"icsma": 144, "other csaf": 19, "nvd": 3}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("advisories mismatch (-want +got):\n%s", diff)
	}
	if s.KEV == nil || s.KEV.Version != "2025.08.25" || len(s.KEV.Entries) != 1404 {
		t.Errorf("got KEV %v, want the JSON catalogue 2025.08.25 of 1404 entries", s.KEV != nil)
	}
	if s.EPSS == nil || s.EPSS.Scores["CVE-2022-2119"] != (EPSSScore{0.00248, 0.62501}) {
		t.Errorf("got EPSS %+v, want CVE-2022-2119's latest score", s.EPSS)
	}
	// 144+19 CSAF, 3 NVD, 2 KEV, 1 EPSS.
	if s.Files != 169 || calls != total || total != s.Files+s.Skipped {
		t.Errorf("got %d files, %d skipped, %d progress calls of %d; want 169 files, a call for each",
			s.Files, s.Skipped, calls, total)
	}
}

func TestLoadKeepsGoodDocuments(t *testing.T) {
	doc := readTestdata(t, loadCSAF)
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"good/icsma-17-227-01.json":    doc,
		"broken/icsma-17-227-01b.json": doc[:len(doc)/2],
		"broken/kev.csv": []byte("cveID,vendorProject,product,vulnerabilityName,dateAdded\n" +
			"CVE-1,a,b,c,d\n"),
		"nvd/CVE-2022-2119.json": readTestdata(t, "nvd/CVE-2022-2119.json"),
		"notes.txt":              []byte("not a document"),
	})
	s := mustLoad(t, dir, LoadOptions{})
	var ids []string
	for _, a := range s.Advisories {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"ICSMA-17-227-01", "CVE-2022-2119"}, ids); diff != "" {
		t.Errorf("advisories mismatch (-want +got):\n%s", diff)
	}
	files := map[string]bool{}
	for _, p := range s.Problems {
		files[p.File] = true
	}
	wantFiles := map[string]bool{
		filepath.Join(dir, "broken", "icsma-17-227-01b.json"): true,
		filepath.Join(dir, "broken", "kev.csv"):               true,
	}
	if diff := cmp.Diff(wantFiles, files); diff != "" {
		t.Errorf("problem files mismatch (-want +got):\n%s\nproblems: %v", diff, s.Problems)
	}
	if s.Files != 2 || s.Skipped != 1 {
		t.Errorf("got %d files, %d skipped; want 2, 1", s.Files, s.Skipped)
	}
}

// csafRevision returns the test CSAF document with another tracking
// version and current release date.
func csafRevision(t *testing.T, version, date string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readTestdata(t, loadCSAF), &doc); err != nil {
		t.Fatal(err)
	}
	tracking := doc["document"].(map[string]any)["tracking"].(map[string]any)
	tracking["version"] = version
	tracking["current_release_date"] = date
	tracking["revision_history"] = append(tracking["revision_history"].([]any),
		map[string]any{"date": date, "number": version, "summary": "revised for the test"})
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLoadNewerRevision(t *testing.T) {
	const day, later = "2017-08-15T00:00:00Z", "2018-01-09T00:00:00Z"
	tests := []struct {
		name string
		a, b []byte // a is read first
		want string // the revision kept
	}{
		{"higher version last", csafRevision(t, "1.9.0", day), csafRevision(t, "1.10.0", day), "1.10.0"},
		{"higher version first", csafRevision(t, "1.10.0", day), csafRevision(t, "1.9.0", day), "1.10.0"},
		{"integers", csafRevision(t, "10", day), csafRevision(t, "9", day), "10"},
		{"later release wins", csafRevision(t, "2", later), csafRevision(t, "3", day), "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string][]byte{"a.json": tt.a, "b.json": tt.b})
			s := mustLoad(t, dir, LoadOptions{})
			if len(s.Advisories) != 1 || len(s.Problems) != 0 {
				t.Fatalf("got %d advisories, problems %v; want 1, none", len(s.Advisories), s.Problems)
			}
			if got := s.Advisories[0].Revision; got != tt.want {
				t.Errorf("got revision %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompareRevisions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "1", 0}, {"1", "1.0.0", 0}, {"1.10", "1.9", 1}, {"2", "10", -1},
		{"1.0.0-beta", "1.0.0", 1}, {"", "1", -1},
	}
	for _, tt := range tests {
		if got := compareRevisions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareRevisions(%q, %q): got %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLoadChecksum(t *testing.T) {
	doc, sum := readTestdata(t, loadCSAF), readTestdata(t, loadCSAF+".sha512")
	tampered := bytes.Replace(doc, []byte("Luna CPAP"), []byte("Luna CPAQ"), 1)
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"ok/icsma-17-227-01.json": doc, "ok/icsma-17-227-01.json.sha512": sum,
		"bad/icsma-17-227-01.json": tampered, "bad/icsma-17-227-01.json.sha512": sum,
	})
	s := mustLoad(t, dir, LoadOptions{})
	if len(s.Advisories) != 1 || s.Files != 1 {
		t.Errorf("got %d advisories from %d files, want the good one", len(s.Advisories), s.Files)
	}
	if len(s.Problems) != 1 || s.Problems[0].File != filepath.Join(dir, "bad", "icsma-17-227-01.json") ||
		!strings.Contains(s.Problems[0].Reason, ErrChecksum.Error()) {
		t.Errorf("got problems %v, want the bad copy's checksum mismatch", s.Problems)
	}

	// A lone file is checked against the .sha512 beside it too.
	lone := mustLoad(t, filepath.Join(dir, "bad", "icsma-17-227-01.json"), LoadOptions{})
	if len(lone.Problems) != 1 || len(lone.Advisories) != 0 {
		t.Errorf("lone tampered file: got %d advisories, problems %v", len(lone.Advisories), lone.Problems)
	}
}

// signTestDoc returns a new key and its detached, armored signature of
// doc.
func signTestDoc(t *testing.T, doc []byte) (openpgp.EntityList, []byte) {
	t.Helper()
	key, err := openpgp.NewEntity("ward test", "", "test@example.com",
		&packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, key, bytes.NewReader(doc), nil); err != nil {
		t.Fatal(err)
	}
	return openpgp.EntityList{key}, sig.Bytes()
}

func TestLoadSignature(t *testing.T) {
	doc := readTestdata(t, loadCSAF)
	keys, sig := signTestDoc(t, doc)
	cisaSig := readTestdata(t, loadCSAF+".asc") // by CISA, whose key we lack
	tests := []struct {
		name    string
		sig     []byte // nil: no .asc
		opts    LoadOptions
		problem string // "" if the document loads
	}{
		{"good signature", sig, LoadOptions{Keys: keys}, ""},
		{"unknown signer", cisaSig, LoadOptions{Keys: keys}, ErrUnknownKey.Error()},
		{"no key configured", cisaSig, LoadOptions{}, ""},
		{"unsigned", nil, LoadOptions{Keys: keys}, ""},
		{"required and good", sig, LoadOptions{Keys: keys, RequireSignature: true}, ""},
		{"required and missing", nil, LoadOptions{Keys: keys, RequireSignature: true}, "no .asc file"},
		{"required without keys", sig, LoadOptions{RequireSignature: true}, "no OpenPGP key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string][]byte{"icsma-17-227-01.json": doc}
			if tt.sig != nil {
				files["icsma-17-227-01.json.asc"] = tt.sig
			}
			writeFiles(t, dir, files)
			s := mustLoad(t, dir, tt.opts)
			switch {
			case tt.problem == "" && (len(s.Advisories) != 1 || len(s.Problems) != 0):
				t.Errorf("got %d advisories, problems %v; want it loaded", len(s.Advisories), s.Problems)
			case tt.problem != "" && (len(s.Advisories) != 0 || len(s.Problems) != 1 ||
				!strings.Contains(s.Problems[0].Reason, tt.problem)):
				t.Errorf("got %d advisories, problems %v; want it refused for %q",
					len(s.Advisories), s.Problems, tt.problem)
			}
		})
	}
}

func TestLoadSymlinks(t *testing.T) {
	doc := readTestdata(t, loadCSAF)
	outside, dir := t.TempDir(), t.TempDir()
	writeFiles(t, outside, map[string][]byte{"nvd.json": readTestdata(t, "nvd/CVE-2022-2119.json")})
	writeFiles(t, dir, map[string][]byte{"docs/icsma-17-227-01.json": doc})
	for link, target := range map[string]string{
		"out.json":  filepath.Join(outside, "nvd.json"),
		"outdir":    outside,
		"copy.json": filepath.Join(dir, "docs", "icsma-17-227-01.json"),
		"loop":      dir,
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}
	s := mustLoad(t, dir, LoadOptions{})
	// The document and its copy through the link inside the folder; the
	// links out of it, and to folders, passed over.
	if len(s.Advisories) != 1 || s.Advisories[0].Format != CSAF || s.Files != 2 || s.Skipped != 3 {
		t.Errorf("got %d advisories from %d files, %d skipped; want 1 from 2, 3 skipped",
			len(s.Advisories), s.Files, s.Skipped)
	}
}

func TestLoadFeeds(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"epss/epss_scores-2023-03-07.csv.gz":  gzipped(t, readTestdata(t, "epss/daily-sample.csv")),
		"epss/CVE-2022-2119.epss.excerpt.csv": readTestdata(t, "epss/CVE-2022-2119.epss.excerpt.csv"),
		"kev/kev.csv":                         readTestdata(t, "kev/kev-excerpt.csv"),
		"kev/kev.json":                        readTestdata(t, "kev/kev-excerpt.json"),
		"sbom/gateway.cdx.json":               readTestdata(t, "cyclonedx/infulink-gateway-3.2.1.cdx-1.4.json"),
		"sbom/hub.xml":                        readTestdata(t, "cyclonedx/infulink-hub-m2.cdx-1.6.xml"),
		"vex/gateway.openvex.json":            readTestdata(t, "openvex/infulink-gateway-3.2.1.openvex.json"),
	})
	s := mustLoad(t, dir, LoadOptions{})
	if len(s.Problems) != 0 || s.Files != 7 {
		t.Fatalf("got %d files, problems %v", s.Files, s.Problems)
	}
	wantEPSS := &EPSS{
		Model: "v3", Date: time.Date(2023, 12, 5, 0, 0, 0, 0, time.UTC),
		Scores: map[string]EPSSScore{
			"CVE-1999-0001":  {0.01018, 0.76416},
			"CVE-2020-6961":  {0.00342, 0.68925},
			"CVE-2021-32993": {0.00115, 0.44702},
			"CVE-2022-2119":  {0.00248, 0.62501}, // the series' later day wins
		},
	}
	if diff := cmp.Diff(wantEPSS, s.EPSS); diff != "" {
		t.Errorf("EPSS mismatch (-want +got):\n%s", diff)
	}
	if s.KEV == nil || s.KEV.Version != "2025.08.25" {
		t.Errorf("got KEV %+v, want the JSON catalogue, which has a release time", s.KEV)
	}
	if len(s.SBOMs) != 2 || len(s.VEX) != 1 {
		t.Errorf("got %d SBOMs, %d VEX; want 2, 1", len(s.SBOMs), len(s.VEX))
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(context.Background(), filepath.Join(t.TempDir(), "missing"), LoadOptions{}); err == nil {
		t.Error("missing path: got no error")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"a.json": readTestdata(t, loadCSAF)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, dir, LoadOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
}

func TestSniff(t *testing.T) {
	csaf := readTestdata(t, loadCSAF)
	tests := []struct {
		name string
		head []byte
		want Format
	}{
		{"icsma.json", csaf, CSAF},
		{"x.json", []byte(`{"vulnerabilities": [{"cve": "CVE-2020-0001"}],
			"document": {"csaf_version": "2.0"}}`), CSAF},
		{"icsma-17-227-01.json", csaf[:40], CSAF}, // too short to tell: by name
		{"x.json", csaf[:40], ""},
		{"x.json", readTestdata(t, "nvd/CVE-2022-2119.json"), NVD},
		{"x.json", readTestdata(t, "nvd/wrapped-CVE-2022-2119.json"), NVD},
		{"x.json", readTestdata(t, "nvd/api-response.json"), NVD},
		{"x.json", []byte(`{"vulnerabilities": [{"cve": {"id": "CVE-2020-0001"}}]}`), NVD},
		{"x.json", readTestdata(t, "kev/kev-excerpt.json"), KEVFormat},
		{"x.csv", readTestdata(t, "kev/kev-excerpt.csv"), KEVFormat},
		{"x.csv", readTestdata(t, "epss/daily-sample.csv"), EPSSFormat},
		{"x.csv", []byte("cve,epss,percentile\n"), EPSSFormat},
		{"x.csv.gz", gzipped(t, readTestdata(t, "epss/daily-sample.csv")), EPSSFormat},
		{"x.csv", readTestdata(t, "epss/CVE-2022-2119.epss.excerpt.csv"), EPSSFormat},
		{"x.json", readTestdata(t, "cyclonedx/infulink-gateway-3.2.1.cdx-1.4.json"), CycloneDX},
		{"x.xml", readTestdata(t, "cyclonedx/infulink-hub-m2.cdx-1.6.xml"), CycloneDX},
		{"x.json", readTestdata(t, "openvex/infulink-gateway-3.2.1.openvex.json"), OpenVEX},
		{"x.json", readTestdata(t, "openvex/infulink-hub-m2.openvex-v0.0.1.json"), OpenVEX},
		{"x.json", []byte(`{"$schema": "http://json-schema.org/draft-07/schema#",
			"properties": {"document": {"properties": {"csaf_version": {}}}}}`), ""},
		{"provider-metadata.json", []byte(`{"canonical_url": "https://example.com", "role": "csaf_provider"}`), ""},
		{"changes.csv", []byte(`"2023/icsma-23-001-01.json","2023-01-05T00:00:00Z"`), ""},
		{"notes.txt", []byte("hello"), ""},
		{"empty", nil, ""},
		{"known_exploited_vulnerabilities.json", []byte("{"), KEVFormat},
	}
	for _, tt := range tests {
		if got := Sniff(tt.name, tt.head); got != tt.want {
			t.Errorf("Sniff(%s, %.30q): got %q, want %q", tt.name, tt.head, got, tt.want)
		}
	}
}

// BenchmarkLoadCorpus loads the whole corpus.
func BenchmarkLoadCorpus(b *testing.B) {
	dir := corpusDir(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(context.Background(), dir, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// ci-fuzz: 30000x
func FuzzSniff(f *testing.F) {
	for _, name := range []string{loadCSAF, "nvd/api-response.json", "kev/kev-excerpt.csv",
		"epss/daily-sample.csv", "cyclonedx/infulink-hub-m2.cdx-1.6.xml",
		"openvex/infulink-hub-m2.openvex-v0.0.1.json"} {
		f.Add(filepath.Base(name), readTestdata(f, name))
	}
	known := map[Format]bool{"": true, CSAF: true, NVD: true, KEVFormat: true, EPSSFormat: true,
		CycloneDX: true, OpenVEX: true}
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		if got := Sniff(name, head); !known[got] {
			t.Errorf("Sniff: got %q", got)
		}
	})
}
