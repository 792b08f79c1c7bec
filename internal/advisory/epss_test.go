package advisory

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseEPSSDaily(t *testing.T) {
	daily := readTestdata(t, "epss/daily-sample.csv")
	_, noComment, _ := bytes.Cut(daily, []byte("\n"))
	crlf := bytes.ReplaceAll(daily, []byte("\n"), []byte("\r\n"))
	scores := map[string]EPSSScore{
		"CVE-1999-0001":  {0.01018, 0.76416},
		"CVE-2020-6961":  {0.00342, 0.68925},
		"CVE-2021-32993": {0.00115, 0.44702},
		"CVE-2022-2119":  {0.00188, 0.54458},
	}
	withComment := &EPSS{Model: "v2023.03.01", Date: time.Date(2023, 3, 7, 0, 0, 0, 0, time.UTC), Scores: scores}
	tests := []struct {
		name string
		in   []byte
		want *EPSS
	}{
		{"daily", daily, withComment},
		{"gzip", gzipped(t, daily), withComment},
		{"crlf", crlf, withComment},
		{"no comment line", noComment, &EPSS{Scores: scores}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEPSS(bytes.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseEPSS mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEPSSSeries(t *testing.T) {
	data := readTestdata(t, "epss/CVE-2022-2119.epss.excerpt.csv")
	got, err := ParseEPSSSeries("CVE-2022-2119", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := &EPSS{
		Model:  "v3",
		Date:   time.Date(2023, 12, 5, 0, 0, 0, 0, time.UTC),
		Scores: map[string]EPSSScore{"CVE-2022-2119": {0.00248, 0.62501}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseEPSSSeries mismatch (-want +got):\n%s", diff)
	}
	if _, err := ParseEPSS(bytes.NewReader(data)); err == nil ||
		!strings.Contains(err.Error(), "line 1: a per-CVE time series") {
		t.Errorf("ParseEPSS of a series: got %v, want it refused at line 1", err)
	}
	daily := readTestdata(t, "epss/daily-sample.csv")
	if _, err := ParseEPSSSeries("CVE-2022-2119", bytes.NewReader(daily)); err == nil {
		t.Error("ParseEPSSSeries of a daily file: got no error")
	}
}

func TestParseEPSSInvalid(t *testing.T) {
	const head = "cve,epss,percentile\n"
	tests := []struct {
		name, in string
		want     Problem
	}{
		{"empty", "", Problem{Path: "line 1", Reason: "empty file"}},
		{"not epss", "cveID,vendorProject\n", Problem{Path: "line 1",
			Reason: "header has no cve and epss columns: not an EPSS file"}},
		{"bad score", head + "CVE-2020-0001,0.1,0.2\nCVE-2020-0002,high,0.3\n", Problem{Path: "line 3",
			Reason: `CVE-2020-0002: epss: "high" is not a number from 0 to 1`}},
		{"out of range", head + "CVE-2020-0001,0.1,1.5\n", Problem{Path: "line 2",
			Reason: `CVE-2020-0001: percentile: "1.5" is not a number from 0 to 1`}},
		{"NaN", head + "CVE-2020-0001,NaN,0.5\n", Problem{Path: "line 2",
			Reason: `CVE-2020-0001: epss: "NaN" is not a number from 0 to 1`}},
		{"fields", head + "CVE-2020-0001,0.1\n", Problem{Path: "line 2", Reason: "got 2 fields, want 3"}},
		{"not a CVE", head + "GHSA-1,0.1,0.2\n", Problem{Path: "line 2", Reason: `"GHSA-1" is not a CVE ID`}},
		{"long line", head + "CVE-2020-0001," + strings.Repeat("1", MaxEPSSLine) + "\n",
			Problem{Path: "line 2", Reason: "longer than 4096 bytes"}},
		{"bad date", "#model_version:v1,score_date:soon\n" + head, Problem{Path: "line 1",
			Reason: `score_date: time "soon" is not RFC 3339 or a date`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEPSS(strings.NewReader(tt.in))
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("got error %v, want an *InvalidError", err)
			}
			if diff := cmp.Diff([]Problem{tt.want}, inv.Problems); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseEPSSSizeCap checks the bound that keeps a small gzip file
// from expanding without end (with a smaller bound, for speed).
func TestParseEPSSSizeCap(t *testing.T) {
	small := gzipped(t, append([]byte("cve,epss,percentile\n"), bytes.Repeat([]byte("\n"), 1<<20)...))
	lr, err := newEPSSLines(bytes.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	lr.max = 1000
	if _, err := lr.header(&EPSS{}); err != nil {
		t.Fatal(err)
	}
	_, err = lr.row(3)
	if want := "read epss at line 982: more than 1000 bytes"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// ci-fuzz: 30000x
func FuzzParseEPSS(f *testing.F) {
	daily := readTestdata(f, "epss/daily-sample.csv")
	f.Add(daily)
	f.Add(gzipped(f, daily))
	f.Add(readTestdata(f, "epss/CVE-2022-2119.epss.excerpt.csv"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEPSS(bytes.NewReader(data))
		if err == nil {
			for cve, s := range e.Scores {
				if !strings.HasPrefix(cve, "CVE-") || s.Probability < 0 || s.Probability > 1 ||
					s.Percentile < 0 || s.Percentile > 1 {
					t.Errorf("bad score %s %+v", cve, s)
				}
			}
		}
		if e, err := ParseEPSSSeries("CVE-2022-2119", bytes.NewReader(data)); err == nil && len(e.Scores) != 1 {
			t.Errorf("series: got %d scores, want 1", len(e.Scores))
		}
	})
}

// epssDaily generates a daily EPSS file of n rows, the size of the real
// one at n = 270000.
func epssDaily(n int) []byte {
	var b bytes.Buffer
	b.WriteString("#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\ncve,epss,percentile\n")
	for i := range n {
		fmt.Fprintf(&b, "CVE-%d-%d,0.%05d,0.%05d\n", 1999+i/20000, 1000+i%20000, i%100000, (i*7)%100000)
	}
	return b.Bytes()
}

// BenchmarkParseEPSS reads a generated 250k-row daily file and reports
// rows per second.
func BenchmarkParseEPSS(b *testing.B) {
	const rows = 250000
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"csv", epssDaily(rows)},
		{"gzip", gzipped(b, epssDaily(rows))},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tt.data)))
			for b.Loop() {
				e, err := ParseEPSS(bytes.NewReader(tt.data))
				if err != nil || len(e.Scores) != rows {
					b.Fatalf("got %d scores, %v", len(e.Scores), err)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
