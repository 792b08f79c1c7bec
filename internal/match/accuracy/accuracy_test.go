package accuracy

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The labelled set and its advisories, relative to this package.
const (
	registerFile  = "../testdata/accuracy/register.csv"
	labelsFile    = "../testdata/accuracy/labels.csv"
	sampleFile    = "../testdata/accuracy/matches.sample.json"
	advisoriesDir = "../testdata/advisories/icsma"
)

// corpusDir returns the shared advisory corpus (the repository sits at
// /work/main and the corpus at /work/shared/corpus, four levels up from this
// package). It skips the test when the corpus is absent, unless
// WARD_REQUIRE_CORPUS=1, when it fails instead.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared", "corpus", "advisories", "cisa-csaf-icsma")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WARD_REQUIRE_CORPUS") == "1" {
			t.Fatalf("corpus required (WARD_REQUIRE_CORPUS=1) but not found: %v", err)
		}
		t.Skipf("shared corpus not found at %s; skipping", dir)
	}
	return dir
}

var (
	a1 = Pair{"D1", "ICSMA-1"}
	a2 = Pair{"D2", "ICSMA-1"}
	a3 = Pair{"D3", "ICSMA-2"}
	a4 = Pair{"D4", "ICSMA-2"}
	a5 = Pair{"D5", "ICSMA-3"}
	b1 = Pair{"D9", "ICSMA-1"}
)

func match(p Pair, conf float64, status string) Match {
	return Match{Device: p.Device, Advisory: p.Advisory, Confidence: conf, Status: status}
}

func set(ps ...Pair) map[Pair]bool {
	m := make(map[Pair]bool)
	for _, p := range ps {
		m[p] = true
	}
	return m
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name      string
		matches   []Match
		labels    map[Pair]bool
		threshold float64
		want      Result
	}{
		{
			name:    "all found",
			matches: []Match{match(a1, 0.9, Affected), match(a2, 0.8, Affected)},
			labels:  set(a1, a2), threshold: 0.5,
			want: Result{Threshold: 0.5, TP: 2, Precision: 1, Recall: 1, F1: 1},
		},
		{
			name:    "below threshold is not predicted",
			matches: []Match{match(a1, 0.9, Affected), match(a2, 0.4, Affected)},
			labels:  set(a1, a2), threshold: 0.5,
			want: Result{Threshold: 0.5, TP: 1, FN: 1, Precision: 1, Recall: 0.5, F1: 2.0 / 3,
				FalseNegatives: []Pair{a2}},
		},
		{
			name:    "at threshold is predicted",
			matches: []Match{match(a1, 0.6, Affected)},
			labels:  set(a1), threshold: 0.6,
			want: Result{Threshold: 0.6, TP: 1, Precision: 1, Recall: 1, F1: 1},
		},
		{
			name: "three found, one wrong, two missed",
			matches: []Match{match(a1, 1, Affected), match(a2, 1, Affected), match(a3, 1, Affected),
				match(b1, 1, Affected)},
			labels: set(a1, a2, a3, a4, a5), threshold: 0.5,
			want: Result{Threshold: 0.5, TP: 3, FP: 1, FN: 2, Precision: 0.75, Recall: 0.6, F1: 2 * 0.75 * 0.6 / 1.35,
				FalsePositives: []Pair{b1}, FalseNegatives: []Pair{a4, a5}},
		},
		{
			name: "duplicate matches count once",
			matches: []Match{match(a1, 0.9, Affected), match(a1, 0.7, Affected), match(b1, 0.9, Affected),
				match(b1, 0.8, Affected)},
			labels: set(a1), threshold: 0.5,
			want: Result{Threshold: 0.5, TP: 1, FP: 1, Precision: 0.5, Recall: 1, F1: 2.0 / 3,
				FalsePositives: []Pair{b1}},
		},
		{
			name: "statuses other than affected are ignored",
			matches: []Match{match(a1, 1, "fixed"), match(a2, 1, "not_affected"), match(a3, 1, "under_investigation"),
				match(b1, 1, "fixed")},
			labels: set(a1, a2, a3), threshold: 0,
			want: Result{TP: 0, FN: 3, FalseNegatives: []Pair{a1, a2, a3}},
		},
		{
			name:    "a pair labelled false is not affected",
			matches: []Match{match(b1, 0.9, Affected)},
			labels:  map[Pair]bool{a1: true, b1: false}, threshold: 0.5,
			want: Result{Threshold: 0.5, FP: 1, FN: 1, FalsePositives: []Pair{b1}, FalseNegatives: []Pair{a1}},
		},
		{
			name:    "NaN confidence is never predicted",
			matches: []Match{match(a1, math.NaN(), Affected)},
			labels:  set(a1), threshold: 0,
			want: Result{FN: 1, FalseNegatives: []Pair{a1}},
		},
		{name: "empty inputs", want: Result{}},
		{
			name:   "no matches",
			labels: set(a1, a2), threshold: 0.5,
			want: Result{Threshold: 0.5, FN: 2, FalseNegatives: []Pair{a1, a2}},
		},
		{
			name:    "no labels",
			matches: []Match{match(b1, 0.9, Affected)}, threshold: 0.5,
			want: Result{Threshold: 0.5, FP: 1, FalsePositives: []Pair{b1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.matches, tt.labels, tt.threshold)
			opts := cmp.Options{cmpopts.EquateApprox(0, 1e-12), cmpopts.EquateEmpty()}
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("Evaluate() mismatch (-want +got):\n%s", diff)
			}
			for _, v := range []float64{got.Precision, got.Recall, got.F1} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("Evaluate() = %v, want finite ratios", got)
				}
			}
		})
	}
}

func TestCurve(t *testing.T) {
	matches := []Match{match(a1, 0.9, Affected), match(a2, 0.6, Affected), match(b1, 0.3, Affected)}
	got := Curve(matches, set(a1, a2), []float64{0.8, 0.5, 0.2})
	want := []struct{ tp, fp, fn int }{{1, 0, 1}, {2, 0, 0}, {2, 1, 0}}
	if len(got) != len(want) {
		t.Fatalf("Curve() returned %d results, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].TP != w.tp || got[i].FP != w.fp || got[i].FN != w.fn {
			t.Errorf("Curve()[%d] = %v, want TP %d, FP %d, FN %d", i, got[i], w.tp, w.fp, w.fn)
		}
	}
	if got := Curve(matches, nil, nil); len(got) != 0 {
		t.Errorf("Curve() with no thresholds = %v, want none", got)
	}
}

func TestResultString(t *testing.T) {
	r := Result{Threshold: 0.6, TP: 301, FP: 9, FN: 22, Precision: 301.0 / 310, Recall: 301.0 / 323}
	r.F1 = 2 * r.Precision * r.Recall / (r.Precision + r.Recall)
	want := "threshold 0.60: precision 0.97 (TP 301, FP 9), recall 0.93 (FN 22), F1 0.95"
	if got := r.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestReadLabels(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[Pair]bool
		wantErr  string
	}{
		{name: "with notes", in: "device,advisory,note\nD1,ICSMA-1,\"a, b\"\nD2,ICSMA-1,\n", want: set(a1, a2)},
		{name: "without notes", in: "device,advisory\nD1,ICSMA-1\n", want: set(a1)},
		{name: "columns in another order", in: "advisory,Device\nICSMA-1,D1\n", want: set(a1)},
		{name: "byte order mark and spaces", in: "\ufeffdevice, advisory\n D1 , ICSMA-1\n", want: set(a1)},
		{name: "header only", in: "device,advisory,note\n", want: set()},
		{name: "empty", in: "", wantErr: "no header"},
		{name: "missing column", in: "device,note\nD1,x\n", wantErr: "want columns device and advisory"},
		{name: "empty cell", in: "device,advisory\nD1,\n", wantErr: "line 2: empty device or advisory"},
		{name: "short row", in: "note,device,advisory\nx\n", wantErr: "line 2: 1 fields"},
		{name: "duplicate pair", in: "device,advisory\nD1,ICSMA-1\nD1,ICSMA-1\n", wantErr: "line 3: pair D1, ICSMA-1 listed twice"},
		{name: "bad quoting", in: "device,advisory\n\"D1,ICSMA-1\n", wantErr: "read labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadLabels(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadLabels() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadLabels() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadLabels() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadMatchesSample(t *testing.T) {
	got, err := ReadMatches(open(t, sampleFile))
	if err != nil {
		t.Fatalf("ReadMatches(%s) error = %v", sampleFile, err)
	}
	want := []Match{
		{"EQ172030", "ICSMA-17-017-02", 0.9, "affected"},
		{"EQ172030", "ICSMA-20-317-01", 0.9, "affected"},
		{"EQ182432", "ICSMA-17-255-01", 0.8, "fixed"},
		{"EQ152961", "ICSMA-22-062-01", 0.7, "affected"},
		{"EQ167960", "ICSMA-21-273-01", 0.2, "under_investigation"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadMatches() mismatch (-want +got):\n%s", diff)
	}
}

func TestReadMatches(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Match
		wantErr  string
	}{
		{name: "empty list", in: `{"matches": []}`, want: []Match{}},
		{name: "extra fields", in: `{"matches": [{"device": "D1", "advisory": "ICSMA-1", "cves": [], "confidence": 1,
			"status": "affected", "reason": "r", "new": {}}], "summary": {}}`,
			want: []Match{match(a1, 1, Affected)}},
		{name: "null list", in: `{"matches": null}`, wantErr: `no "matches" array`},
		{name: "no list", in: `{}`, wantErr: `no "matches" array`},
		{name: "not an object", in: `[]`, wantErr: "read matches"},
		{name: "not JSON", in: `matches`, wantErr: "read matches"},
		{name: "trailing data", in: `{"matches": []} x`, wantErr: "read matches"},
		{name: "no device", in: `{"matches": [{"advisory": "A", "confidence": 1, "status": "affected"}]}`,
			wantErr: "match 0: no device"},
		{name: "no advisory", in: `{"matches": [{"device": "D", "confidence": 1, "status": "affected"}]}`,
			wantErr: "match 0: no advisory"},
		{name: "no confidence", in: `{"matches": [{"device": "D", "advisory": "A", "status": "affected"}]}`,
			wantErr: "match 0: no confidence"},
		{name: "confidence above 1", in: `{"matches": [{"device": "D", "advisory": "A", "confidence": 1,
			"status": "fixed"}, {"device": "D", "advisory": "A", "confidence": 1.5, "status": "affected"}]}`,
			wantErr: "match 1: confidence 1.5 outside 0–1"},
		{name: "unknown status", in: `{"matches": [{"device": "D", "advisory": "A", "confidence": 1, "status": "Affected"}]}`,
			wantErr: `match 0: unknown status "Affected"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadMatches(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadMatches() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadMatches() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadMatches() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	big := io.MultiReader(strings.NewReader("device,advisory\n"), io.LimitReader(zeros{}, MaxInput))
	if _, err := ReadLabels(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadLabels(%d bytes) error = %v, want ErrTooLarge", MaxInput+16, err)
	}
	big = io.MultiReader(strings.NewReader(`{"matches": []}`), io.LimitReader(zeros{}, MaxInput))
	if _, err := ReadMatches(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadMatches(%d bytes) error = %v, want ErrTooLarge", MaxInput+15, err)
	}
}

// zeros reads as an endless run of spaces.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// TestOracle checks the whole path on the real labels: a matcher that
// reports exactly the labelled pairs, written as `ward match` JSON, scores
// precision and recall 1, and one that also reports every decoy scores the
// precision it should.
func TestOracle(t *testing.T) {
	labels := readLabelsFile(t)
	reg := readRegister(t)
	doc := oracleJSON(t, labels, nil)
	matches, err := ReadMatches(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("ReadMatches(oracle) error = %v", err)
	}
	got := Evaluate(matches, labels, 0.5)
	if got.Precision != 1 || got.Recall != 1 || got.TP != len(labels) {
		t.Errorf("Evaluate(oracle) = %v, want precision 1 and recall 1 over %d pairs", got, len(labels))
	}

	var decoys []Pair
	for _, row := range reg.rows {
		if row.decoy() {
			decoys = append(decoys, Pair{row.id, "ICSMA-20-049-01"})
		}
	}
	matches, err = ReadMatches(bytes.NewReader(oracleJSON(t, labels, decoys)))
	if err != nil {
		t.Fatalf("ReadMatches(oracle with decoys) error = %v", err)
	}
	got = Evaluate(matches, labels, 0.5)
	want := float64(len(labels)) / float64(len(labels)+len(decoys))
	if got.FP != len(decoys) || math.Abs(got.Precision-want) > 1e-12 || got.Recall != 1 {
		t.Errorf("Evaluate(oracle with decoys) = %v, want FP %d and precision %.4f", got, len(decoys), want)
	}
}

// oracleJSON writes labels (and extra wrong pairs) as `ward match` output.
func oracleJSON(t testing.TB, labels map[Pair]bool, extra []Pair) []byte {
	t.Helper()
	type m struct {
		Device     string   `json:"device"`
		Advisory   string   `json:"advisory"`
		CVEs       []string `json:"cves"`
		Confidence float64  `json:"confidence"`
		Status     string   `json:"status"`
		Reason     string   `json:"reason"`
	}
	var out struct {
		Matches []m `json:"matches"`
	}
	for p := range labels {
		out.Matches = append(out.Matches, m{p.Device, p.Advisory, []string{}, 0.9, Affected, "labelled"})
		out.Matches = append(out.Matches, m{p.Device, p.Advisory, []string{}, 0.4, "fixed", "a second, weaker candidate"})
	}
	for _, p := range extra {
		out.Matches = append(out.Matches, m{p.Device, p.Advisory, []string{}, 0.7, Affected, "wrong"})
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The kinds of register row. A positive row is affected by at least one
// advisory; a decoy row by none.
var kinds = map[string]bool{
	"positive":     true,
	"decoy-fixed":  true, // same product at a version outside every range
	"decoy-model":  true, // same vendor, a model no advisory names
	"decoy-vendor": true, // another vendor, a similar name or product
	"decoy-other":  true, // IT and building devices with overlapping words
}

type registerRow struct{ id, vendor, model, version, kind string }

func (r registerRow) decoy() bool { return strings.HasPrefix(r.kind, "decoy-") }

type register struct {
	rows []registerRow
	byID map[string]registerRow
}

// readRegister reads register.csv, failing on a missing column.
func readRegister(t testing.TB) register {
	t.Helper()
	recs, err := csv.NewReader(open(t, registerFile)).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", registerFile, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, c := range []string{"id", "vendor", "model", "software_version", "kind"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("%s: no column %q in header %v", registerFile, c, recs[0])
		}
	}
	reg := register{byID: map[string]registerRow{}}
	for _, rec := range recs[1:] {
		row := registerRow{rec[col["id"]], rec[col["vendor"]], rec[col["model"]], rec[col["software_version"]], rec[col["kind"]]}
		reg.rows = append(reg.rows, row)
		reg.byID[row.id] = row
	}
	return reg
}

func readLabelsFile(t testing.TB) map[Pair]bool {
	t.Helper()
	labels, err := ReadLabels(open(t, labelsFile))
	if err != nil {
		t.Fatalf("ReadLabels(%s) error = %v", labelsFile, err)
	}
	return labels
}

// trackingIDs reads document.tracking.id of every copied advisory.
func trackingIDs(t testing.TB, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no advisories in %s (%v)", dir, err)
	}
	ids := make(map[string]string)
	for _, f := range files {
		var doc struct {
			Document struct {
				Tracking struct {
					ID string `json:"id"`
				} `json:"tracking"`
			} `json:"document"`
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &doc); err != nil || doc.Document.Tracking.ID == "" {
			t.Fatalf("%s: no document.tracking.id (%v)", f, err)
		}
		ids[doc.Document.Tracking.ID] = f
	}
	return ids
}

// TestDataFiles checks the labelled set against itself and the advisories:
// ids unique, every label's device in the register and advisory among the
// copied documents, no decoy labelled, every positive labelled.
func TestDataFiles(t *testing.T) {
	reg := readRegister(t)
	labels := readLabelsFile(t)
	advisories := trackingIDs(t, advisoriesDir)
	if len(advisories) != 144 {
		t.Errorf("%s holds %d distinct advisories, want 144", advisoriesDir, len(advisories))
	}

	decoys := 0
	for i, row := range reg.rows {
		if row.id == "" || row.vendor == "" || row.model == "" {
			t.Errorf("%s row %d: empty id, vendor or model: %+v", registerFile, i+2, row)
		}
		if !kinds[row.kind] {
			t.Errorf("%s: %s has kind %q, want one of %v", registerFile, row.id, row.kind, kinds)
		}
		if row.decoy() {
			decoys++
		}
	}
	if len(reg.byID) != len(reg.rows) {
		t.Errorf("%s: %d rows but %d distinct ids", registerFile, len(reg.rows), len(reg.byID))
	}

	labelled := map[string]bool{}
	for p := range labels {
		row, ok := reg.byID[p.Device]
		switch {
		case !ok:
			t.Errorf("%s: device %s is not in %s", labelsFile, p.Device, registerFile)
		case row.decoy():
			t.Errorf("%s: decoy %s (%s %s) is labelled affected by %s", labelsFile, p.Device, row.vendor, row.model, p.Advisory)
		}
		if _, ok := advisories[p.Advisory]; !ok {
			t.Errorf("%s: advisory %s of %s is not a tracking id in %s", labelsFile, p.Advisory, p.Device, advisoriesDir)
		}
		labelled[p.Device] = true
	}
	for _, row := range reg.rows {
		if row.kind == "positive" && !labelled[row.id] {
			t.Errorf("%s: positive %s (%s %s) has no label", registerFile, row.id, row.vendor, row.model)
		}
	}

	// The set's size is part of what it promises (see its README).
	if len(reg.rows) < 250 || decoys < 150 {
		t.Errorf("register has %d rows and %d decoys, want at least 250 and 150", len(reg.rows), decoys)
	}
}

// TestCopyMatchesCorpus checks that the copied advisories are the shared
// corpus's, byte for byte.
func TestCopyMatchesCorpus(t *testing.T) {
	dir := corpusDir(t)
	want, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := filepath.Glob(filepath.Join(advisoriesDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	names := func(fs []string) []string {
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = filepath.Base(f)
		}
		slices.Sort(out)
		return out
	}
	if diff := cmp.Diff(names(want), names(got)); diff != "" {
		t.Fatalf("copied advisories differ from %s (-corpus +copy):\n%s", dir, diff)
	}
	for _, f := range want {
		a, errA := os.ReadFile(f)
		b, errB := os.ReadFile(filepath.Join(advisoriesDir, filepath.Base(f)))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: copy differs from the corpus (%v, %v)", filepath.Base(f), errA, errB)
		}
	}
}

// TestReport scores a `ward match --format json` output against the labels
// when WARD_MATCHES names it, and logs the curve and the wrong pairs; see
// ../testdata/accuracy/README.md. WARD_THRESHOLD (default 0: every match
// the file lists) picks the threshold whose wrong pairs are listed.
func TestReport(t *testing.T) {
	path := os.Getenv("WARD_MATCHES")
	if path == "" {
		t.Skip("WARD_MATCHES not set; nothing to report")
	}
	threshold := 0.0
	if s := os.Getenv("WARD_THRESHOLD"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("WARD_THRESHOLD=%q: %v", s, err)
		}
		threshold = v
	}
	matches, err := ReadMatches(open(t, path))
	if err != nil {
		t.Fatal(err)
	}
	labels, reg := readLabelsFile(t), readRegister(t)
	for _, r := range Curve(matches, labels, []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}) {
		t.Log(r)
	}
	res := Evaluate(matches, labels, threshold)
	t.Logf("at %v", res)
	for _, p := range res.FalsePositives {
		row := reg.byID[p.Device]
		t.Logf("false positive %s %s: %s | %s | %s (%s)", p.Device, p.Advisory, row.vendor, row.model, row.version, row.kind)
	}
	for _, p := range res.FalseNegatives {
		row := reg.byID[p.Device]
		t.Logf("false negative %s %s: %s | %s | %s", p.Device, p.Advisory, row.vendor, row.model, row.version)
	}
}

func open(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ci-fuzz: 20000x
func FuzzReadLabels(f *testing.F) {
	f.Add(readFile(f, labelsFile))
	f.Add([]byte("device,advisory,note\nD1,ICSMA-1,\"x\"\n"))
	f.Add([]byte("advisory,device\n\"A\"\"\",D\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, err := ReadLabels(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(labels) > bytes.Count(data, []byte("\n"))+bytes.Count(data, []byte("\r"))+1 {
			t.Fatalf("ReadLabels() = %d pairs from %d lines", len(labels), bytes.Count(data, []byte("\n")))
		}
		for p, v := range labels {
			if !v || p.Device == "" || p.Advisory == "" {
				t.Fatalf("ReadLabels() holds %+v = %v", p, v)
			}
		}
	})
}

// ci-fuzz: 10000x
func FuzzReadMatches(f *testing.F) {
	f.Add(readFile(f, sampleFile))
	f.Add([]byte(`{"matches": []}`))
	f.Add([]byte(`{"matches": [{"device": "D", "advisory": "A", "confidence": 0.5, "status": "fixed"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		matches, err := ReadMatches(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, m := range matches {
			if m.Device == "" || m.Advisory == "" || !statuses[m.Status] || !(m.Confidence >= 0 && m.Confidence <= 1) {
				t.Fatalf("ReadMatches() returned invalid %+v", m)
			}
		}
		r := Evaluate(matches, map[Pair]bool{{"D", "A"}: true}, 0.5)
		if math.IsNaN(r.Precision) || math.IsNaN(r.Recall) || math.IsNaN(r.F1) || r.TP+r.FN != 1 {
			t.Fatalf("Evaluate() = %v", r)
		}
	})
}

func BenchmarkReadLabels(b *testing.B) {
	data := readFile(b, labelsFile)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadLabels(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadMatches(b *testing.B) {
	labels := readLabelsFile(b)
	data := oracleJSON(b, labels, nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadMatches(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	labels := readLabelsFile(b)
	matches, err := ReadMatches(bytes.NewReader(oracleJSON(b, labels, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(matches, labels, 0.5)
	}
}
