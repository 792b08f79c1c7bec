package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/match/accuracy"
)

const (
	icsmaCopy     = "../../internal/match/testdata/advisories/icsma"
	labelledSet   = "../../internal/match/testdata/accuracy/register.csv"
	labelledPairs = "../../internal/match/testdata/accuracy/labels.csv"
)

// TestMatchAccuracy runs ward match over the labelled register and holds
// it to issue 5's targets at the default threshold: precision 0.95 and
// recall 0.90 over affected (device, advisory) pairs.
func TestMatchAccuracy(t *testing.T) {
	stdout, stderr, err := ward(t, nil, "match", "-all", "-format", "json",
		"-advisories", icsmaCopy, "-register", labelledSet)
	if err != nil {
		t.Fatalf("ward match: %v\n%s", err, stderr)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("ward match warned: %s", stderr)
	}
	ms, err := accuracy.ReadMatches(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(labelledPairs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	labels, err := accuracy.ReadLabels(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range accuracy.Curve(ms, labels, []float64{0.4, 0.5, 0.6, 0.7, 0.8}) {
		t.Log(r)
	}
	r := accuracy.Evaluate(ms, labels, match.DefaultThreshold)
	if r.Precision < 0.95 || r.Recall < 0.90 {
		t.Errorf("at the default threshold: %s; want precision ≥ 0.95 and recall ≥ 0.90\n"+
			"false positives %v\nfalse negatives %v", r, r.FalsePositives, r.FalseNegatives)
	}
}

func TestMatchOutputs(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "register.csv")
	rows := "Asset No,Manufacturer,Model,Software Version,Location\n" +
		"EQ1,BD,Alaris 8015 PC Unit,9.19,Ward 7\n" +
		"EQ2,Philips Healthcare,IntelliVue MX40,B.06.12,AMU\n" +
		"EQ3,Mindray,BeneView T5,1.2,ITU\n" +
		"EQ4,=HYPERLINK(\"x\"),Alaris 8015 PC Unit,,Ward 7\n"
	if err := os.WriteFile(reg, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := ward(t, nil, "match", "-advisories", icsmaCopy, "-register", reg)
	if err != nil {
		t.Fatalf("ward match: %v\n%s", err, stderr)
	}
	var doc struct {
		Matches []struct {
			Device, Advisory, Status, Reason string
			CVEs                             []string
			Confidence                       float64
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	seen := map[string]bool{}
	for _, m := range doc.Matches {
		seen[m.Device] = true
		if m.Confidence < match.DefaultThreshold || m.Reason == "" || len(m.CVEs) == 0 {
			t.Errorf("match %+v: want confidence ≥ the threshold, a reason and CVEs", m)
		}
	}
	if !seen["EQ1"] || !seen["EQ2"] || seen["EQ3"] {
		t.Errorf("devices matched %v: want EQ1 and EQ2, not EQ3", seen)
	}
	if !strings.Contains(stderr, "4 devices against 144 advisories") {
		t.Errorf("summary %q", stderr)
	}

	out, _, err = ward(t, nil, "match", "-format", "csv", "-advisories", icsmaCopy, "-register", reg)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "device,advisory,cves,confidence,status,kind,product,reason" {
		t.Errorf("csv header %q", recs[0])
	}
	for _, r := range recs[1:] {
		if strings.HasPrefix(r[0], "=") {
			t.Errorf("csv cell %q would run as a formula", r[0])
		}
	}

	out, _, err = ward(t, nil, "match", "-format", "table", "-advisories", icsmaCopy, "-register", reg)
	if err != nil || !strings.HasPrefix(out, "DEVICE") || !strings.Contains(out, "EQ2") {
		t.Errorf("table: %v\n%s", err, out)
	}
}

func TestMatchErrors(t *testing.T) {
	dir := t.TempDir()
	noModel := filepath.Join(dir, "r.csv")
	os.WriteFile(noModel, []byte("id,vendor\n1,BD\n"), 0o600)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"document": {"csaf_version": "2.0"}}`), 0o600)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no advisories", []string{"-register", labelledSet}, "needs -advisories"},
		{"bad format", []string{"-advisories", icsmaCopy, "-register", labelledSet, "-format", "xml"},
			"unknown -format"},
		{"bad threshold", []string{"-advisories", icsmaCopy, "-register", labelledSet,
			"-threshold", "2"}, "not between 0 and 1"},
		{"no model column", []string{"-advisories", icsmaCopy, "-register", noModel},
			"no model or description column"},
		{"only invalid advisories", []string{"-advisories", bad, "-register", labelledSet},
			"no advisories"},
		{"missing register", []string{"-advisories", icsmaCopy, "-register", "/nonexistent.csv"},
			"register"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, err := ward(t, nil, append([]string{"match"}, c.args...)...)
			if err == nil || !strings.Contains(err.Error()+stderr, c.want) {
				t.Errorf("got %v (%s), want an error with %q", err, stderr, c.want)
			}
		})
	}
}
