package match

import (
	"encoding/csv"
	"math"
	"os"
	"strings"
	"testing"
)

// FuzzMatch matches devices of fuzzed vendor, model, version and
// description against the 144 ICSMA advisories: no panic, and every
// candidate has a known status, a confidence in [0, 1], a reason and
// the device's ID; the same device matches the same way twice.
//
// ci-fuzz: 8000x
func FuzzMatch(f *testing.F) {
	rows := labelledRows(f)
	for _, r := range rows[:min(len(rows), 60)] {
		f.Add(r[1], r[2], r[3], r[5])
	}
	f.Add("", "", "", "")
	f.Add("BD", "PCU", "9.19", "")
	f.Add("Philips", "MX 40 MX400-850 (CSM)", "B.06", "Infusion pump")
	m := New(icsma(f), nil)
	f.Fuzz(func(t *testing.T, vendor, model, version, desc string) {
		d := Device{ID: "fuzz", Vendor: vendor, Model: model, Version: version, Description: desc}
		first := m.Match(d)
		for _, c := range first {
			if c.Device != "fuzz" || c.Reason == "" || math.IsNaN(c.Confidence) ||
				c.Confidence < 0 || c.Confidence > 1 || statusRank(c.Status) == 0 && c.Status != NotAffected {
				t.Fatalf("candidate %+v", c)
			}
		}
		if again := m.Match(d); len(again) != len(first) {
			t.Fatalf("matched %d then %d candidates", len(first), len(again))
		}
	})
}

// FuzzVendorsAdd reads fuzzed alias files: no panic; a file accepted
// leaves every built-in name where it was unless the file names it.
//
// ci-fuzz: 3000x
func FuzzVendorsAdd(f *testing.F) {
	f.Add([]byte(builtinVendors))
	f.Add([]byte("mindray: [Shenzhen Mindray, Mindray Bio-Medical]\n"))
	f.Add([]byte("a: b\n"))
	f.Add([]byte("- x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v := DefaultVendors()
		before := v.Key("Becton Dickinson")
		if err := v.Add(data); err != nil {
			return
		}
		if after := v.Key("Becton Dickinson"); after != before {
			t.Fatalf("an accepted file moved Becton Dickinson from %q to %q", before, after)
		}
	})
}

// labelledRows are the rows of the labelled register, for seeds.
func labelledRows(tb testing.TB) [][]string {
	tb.Helper()
	b, err := os.ReadFile("testdata/accuracy/register.csv")
	if err != nil {
		tb.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	return rows[1:]
}
