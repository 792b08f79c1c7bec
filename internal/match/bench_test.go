package match

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardhq/ward/internal/advisory"
)

// fleetSize is the fleet of the performance target: 100,000 devices.
const fleetSize = 100_000

// benchIntel is the KEV catalogue and EPSS scores for the benchmarks:
// the whole real KEV from the shared corpus where it is present, else the
// excerpt in internal/advisory/testdata.
func benchIntel(b *testing.B) Intel {
	b.Helper()
	path := filepath.Join("..", "..", "..", "shared", "corpus", "advisories", "cisa-kev",
		"known_exploited_vulnerabilities.json")
	if _, err := os.Stat(path); err != nil {
		b.Logf("full KEV absent (%v): using the excerpt", err)
		path = filepath.Join("..", "advisory", "testdata", "kev", "kev-excerpt.json")
	}
	set, err := advisory.Load(context.Background(), path, advisory.LoadOptions{})
	if err != nil || set.KEV == nil {
		b.Fatalf("KEV %s: %v %v", path, err, set.Problems)
	}
	in := Intel{KEV: map[string]advisory.KEVEntry{}, EPSS: map[string]advisory.EPSSScore{}}
	for i, e := range set.KEV.Entries {
		in.KEV[e.CVE] = e
		in.EPSS[e.CVE] = advisory.EPSSScore{Probability: float64(i%100) / 100, Percentile: 0.5}
	}
	b.Logf("%d KEV entries", len(in.KEV))
	return in
}

// BenchmarkRematchFull is a full re-match: the index built from every
// ICSMA advisory, then 100,000 devices of real product names matched and
// every candidate prioritised against the KEV. Target: under 2 s.
func BenchmarkRematchFull(b *testing.B) {
	advs := icsma(b)
	in := benchIntel(b)
	devs := fleet(advs, fleetSize, 1)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		m := New(advs, nil)
		n = len(m.Assess(devs, nil, in))
	}
	b.ReportMetric(float64(n), "findings")
	b.ReportMetric(float64(len(devs))*float64(b.N)/b.Elapsed().Seconds(), "devices/s")
}

// BenchmarkRematchAdvisory is the incremental match of one new advisory
// against 100,000 devices whose names the matcher has seen. Target:
// under 10 ms.
func BenchmarkRematchAdvisory(b *testing.B) {
	advs := icsma(b)
	in := benchIntel(b)
	devs := fleet(advs, fleetSize, 2)
	var last *advisory.Advisory
	for _, a := range advs {
		if a.ID == "ICSMA-20-049-01" {
			last = a
		}
	}
	m := New(advs, nil)
	m.Assess(devs, nil, in)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n = len(m.AssessAdvisory(last.ID, devs, nil, in))
	}
	b.ReportMetric(float64(n), "findings")
}

// BenchmarkRematchDevice is the incremental match of one new device
// against every advisory. Target: under 10 ms.
func BenchmarkRematchDevice(b *testing.B) {
	advs := icsma(b)
	in := benchIntel(b)
	m := New(advs, nil)
	devs := fleet(advs, 1000, 3)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		d := devs[i%len(devs)]
		d.Version += "1" // a version not seen: no cached result
		m.Assess([]Device{d}, nil, in)
		i++
	}
}
