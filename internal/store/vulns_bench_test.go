package store

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// benchBackends runs f on a fresh store of each backend, PostgreSQL
// skipped when no server answers.
func benchBackends(b *testing.B, f func(b *testing.B, db *DB)) {
	b.Run("sqlite", func(b *testing.B) {
		f(b, backend{name: "sqlite", target: b.TempDir()}.open(b, Options{}))
	})
	b.Run("postgres", func(b *testing.B) {
		f(b, backend{name: "postgres", target: postgresSchema(b)}.open(b, Options{}))
	})
}

// benchFindings are n findings of n/10 devices, ten each, as wide as real
// ones.
func benchFindings(n int) []FindingRow {
	out := make([]FindingRow, n)
	for i := range out {
		prio := i * 37 % 101
		out[i] = FindingRow{DeviceID: fmt.Sprintf("mac:02:00:00:%02x:%02x:%02x", i/10>>16&0xff,
			i/10>>8&0xff, i/10&0xff), AdvisoryID: fmt.Sprintf("ICSMA-%02d-%03d-01", 17+i%8, i%10*7),
			CVE: fmt.Sprintf("CVE-20%02d-%05d", 17+i%8, i%997), Status: sampleStatuses[i%5],
			Confidence: float64(i%20) / 20, Kind: "vendor_model_version",
			Product: "Alaris PC Unit Model 8015 <= 9.19.2", ProductID: "CSAFPID-0001",
			ProductRange: "<= 9.19.2", Priority: prio, Level: sampleLevel(prio), SSVC: "attend",
			Reason: "vendor Becton Dickinson matches BD; model 8015 names Alaris PC Unit Model " +
				"8015; version 9.19 is in <= 9.19.2",
			Reasons: []string{"CVSS base score 9.8 (+49)", "known exploited (CISA KEV) (+20)",
				"life-sustaining device (+15)", "SSVC: act (active, total)"}}
	}
	return out
}

// BenchmarkReplaceFindings replaces 200,000 findings: with the same
// ones again ("unchanged", a re-match that finds what it found before),
// with a tenth of them other findings ("tenth new"), and with every
// priority changed ("all changed", as after a new EPSS day).
func BenchmarkReplaceFindings(b *testing.B) {
	const n = 200_000
	all := benchFindings(n + n/10)
	reprioritised := slices.Clone(all[:n])
	for i := range reprioritised {
		reprioritised[i].Priority = 100 - reprioritised[i].Priority
	}
	for _, c := range []struct {
		name string
		sets [2][]FindingRow // replaced in turn
	}{
		{"unchanged", [2][]FindingRow{all[:n], all[:n]}},
		{"tenth new", [2][]FindingRow{all[n/10:], all[:n]}},
		{"all changed", [2][]FindingRow{reprioritised, all[:n]}},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchBackends(b, func(b *testing.B, db *DB) {
				at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
				if _, err := db.ReplaceFindings(b.Context(), all[:n], at); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					at = at.Add(time.Hour)
					if _, err := db.ReplaceFindings(b.Context(), c.sets[i%2], at); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		})
	}
}

// BenchmarkFindings reads the first page of the findings by priority
// among 200,000, and the count of them.
func BenchmarkFindings(b *testing.B) {
	fs := benchFindings(200_000)
	benchBackends(b, func(b *testing.B, db *DB) {
		if _, err := db.ReplaceFindings(b.Context(), fs, time.Now()); err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name string
			q    FindingQuery
		}{
			{"priority", FindingQuery{}},
			{"affected", FindingQuery{Status: []string{StatusAffected}}},
			{"review", FindingQuery{BelowConfidence: 0.6, Undecided: true, Order: "confidence"}},
			{"device", FindingQuery{DeviceID: fs[5000].DeviceID}},
		} {
			b.Run(c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := db.Findings(b.Context(), c.q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// BenchmarkSaveEPSS replaces a day of 250,000 EPSS scores, the size of
// FIRST's daily file.
func BenchmarkSaveEPSS(b *testing.B) {
	e := syntheticEPSS(250_000)
	benchBackends(b, func(b *testing.B, db *DB) {
		b.ReportAllocs()
		for b.Loop() {
			if err := db.SaveEPSS(b.Context(), e); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(e.Scores)*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
