package store

import (
	"testing"
	"time"
)

// BenchmarkMergeObservations merges synthetic analyses of 1000 devices
// with 50 attributes each into SQLite: 50,000 observations (compacted
// facts, one attribute row each) per merge, with the devices' addresses,
// links, findings and flows. "new" merges new devices each time, "known"
// the same devices again, which adds to every row.
func BenchmarkMergeObservations(b *testing.B) {
	const devices, attrs = 1000, 50
	for _, known := range []bool{false, true} {
		name := "new"
		if known {
			name = "known"
		}
		b.Run(name, func(b *testing.B) {
			db, err := Open(b.Context(), "sqlite", b.TempDir(), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if known {
				in := synth{devices: devices, attrs: attrs}.input()
				if _, err := db.MergeInventory(b.Context(), in, File{SHA256: fakeSHA(0)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			obs := 0
			for i := 1; i <= b.N; i++ {
				b.StopTimer()
				s := synth{devices: devices, attrs: attrs, shift: time.Duration(i) * time.Hour}
				if !known {
					s.start = i * devices
				}
				in := s.input()
				b.StartTimer()
				if _, err := db.MergeInventory(b.Context(), in, File{SHA256: fakeSHA(i)}); err != nil {
					b.Fatal(err)
				}
				obs += devices * attrs
			}
			b.ReportMetric(float64(obs)/b.Elapsed().Seconds(), "obs/s")
		})
	}
}

// BenchmarkListDevices asks for filtered, sorted pages of 50 among 100,000
// devices in SQLite.
func BenchmarkListDevices(b *testing.B) {
	db, err := Open(b.Context(), "sqlite", b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const total, chunk = 100_000, 10_000
	for start := 0; start < total; start += chunk {
		in := synth{start: start, devices: chunk, attrs: 2}.input()
		if _, err := db.MergeInventory(b.Context(), in, File{SHA256: fakeSHA(start)}); err != nil {
			b.Fatal(err)
		}
	}
	queries := []struct {
		name string
		q    DeviceQuery
	}{
		{"all by id", DeviceQuery{}},
		{"category by last seen", DeviceQuery{Sort: "last_seen", Desc: true,
			DeviceFilter: DeviceFilter{Category: "imaging"}}},
		{"vendor and criticality by name", DeviceQuery{Sort: "name",
			DeviceFilter: DeviceFilter{Vendor: "Philips", Criticality: "life-sustaining"}}},
		{"seen after, by last seen", DeviceQuery{Sort: "last_seen",
			DeviceFilter: DeviceFilter{SeenAfter: synthBase.Add(50_000 * time.Minute)}}},
		{"search", DeviceQuery{DeviceFilter: DeviceFilter{Search: "dev-0999"}}},
	}
	for _, c := range queries {
		b.Run(c.name, func(b *testing.B) {
			page, err := db.ListDevices(b.Context(), c.q)
			if err != nil || len(page.Devices) == 0 {
				b.Fatalf("first page: %d devices, %v", len(page.Devices), err)
			}
			q := c.q
			q.Cursor = page.Next // the second page, by cursor
			b.ReportAllocs()
			for b.Loop() {
				if _, err := db.ListDevices(b.Context(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
