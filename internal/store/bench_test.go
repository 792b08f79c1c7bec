package store

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkMergeObservations merges synthetic analyses of 1000 devices
// with 50 attributes each into SQLite: 50,000 observations (compacted
// facts, one attribute row each) per merge, with the devices' addresses,
// links, findings and flows. "new" merges new devices each time; "known"
// the same devices again a day later each time, which adds to every row;
// "overlapping" the same devices an hour later each time, within the time
// the files before covered, so that counts combine by the larger.
func BenchmarkMergeObservations(b *testing.B) {
	const devices, attrs = 1000, 50
	for _, c := range []struct {
		name  string
		known bool
		step  time.Duration
	}{{"new", false, 24 * time.Hour}, {"known", true, 24 * time.Hour},
		{"overlapping", true, time.Hour}} {
		b.Run(c.name, func(b *testing.B) {
			db, err := Open(b.Context(), "sqlite", b.TempDir(), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if c.known {
				in := synth{devices: devices, attrs: attrs}.input()
				if _, err := db.MergeInventory(b.Context(), in, File{SHA256: fakeSHA(0)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			obs := 0
			for i := 1; i <= b.N; i++ {
				b.StopTimer()
				s := synth{devices: devices, attrs: attrs, shift: time.Duration(i) * c.step}
				if !c.known {
					s.start = i * devices
				}
				in := s.input()
				b.StartTimer()
				m, err := db.MergeInventory(b.Context(), in, File{SHA256: fakeSHA(i)})
				if err != nil {
					b.Fatal(err)
				}
				if m.Overlapping != (c.step < 24*time.Hour) {
					b.Fatalf("merge %d: overlapping %v", i, m.Overlapping)
				}
				obs += devices * attrs
			}
			b.ReportMetric(float64(obs)/b.Elapsed().Seconds(), "obs/s")
		})
	}
}

// BenchmarkListDevices asks for what the inventory page shows among
// 100,000 devices: the first page of 50 of a filter in an order, and the
// counts of the same filter (the page shows the total). It reports the
// 95th percentile of list and count together as p95-ms, on SQLite and, when
// its server answers, PostgreSQL.
func BenchmarkListDevices(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			target := b.TempDir()
			if name == "postgres" {
				target = postgresSchema(b)
			}
			db := backend{name: name, target: target}.open(b, Options{})
			fx := newPageFixture(b, db, 100_000)
			for _, c := range fx.cases() {
				b.Run(c.name, func(b *testing.B) { benchPage(b, db, c.q) })
			}
		})
	}
}

// benchPage runs q's first page and counts b.N times and reports the
// 95th percentile.
func benchPage(b *testing.B, db *DB, q DeviceQuery) {
	ctx := b.Context()
	b.ReportAllocs()
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		page, err := db.ListDevices(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		counts, err := db.CountDevices(ctx, q.DeviceFilter)
		if err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		if len(page.Devices) == 0 || counts.Total < len(page.Devices) {
			b.Fatalf("%d devices on the page of %d", len(page.Devices), counts.Total)
		}
	}
	slices.Sort(took)
	p95 := took[min(len(took)-1, len(took)*95/100)]
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
}

// pageFixture is a store of n synthetic devices, a fifth of them placed at
// the site North and a tenth at South.
type pageFixture struct {
	n            int
	north, south Location
}

func newPageFixture(tb testing.TB, db *DB, n int) *pageFixture {
	tb.Helper()
	ctx := tb.Context()
	const chunk = 10_000
	for start := 0; start < n; start += chunk {
		in := synth{start: start, devices: min(chunk, n-start), attrs: 2}.input()
		if _, err := db.MergeInventory(ctx, in, File{SHA256: fakeSHA(start)}); err != nil {
			tb.Fatal(err)
		}
	}
	fx := &pageFixture{n: n}
	place := func(site *Location, name, like string) {
		var err error
		if *site, err = db.AddLocation(ctx, Location{Kind: Site, Name: name}); err != nil {
			tb.Fatal(err)
		}
		ward, err := db.AddLocation(ctx, Location{Kind: Ward, Name: "Ward 1", ParentID: site.ID})
		if err != nil {
			tb.Fatal(err)
		}
		// Names are dev-NNNNN: by their last digit, i%5 == 0 or i%10 == 1.
		_, err = db.sql.ExecContext(ctx, "UPDATE devices SET location_id = $1 WHERE "+like, ward.ID)
		if err != nil {
			tb.Fatal(err)
		}
	}
	place(&fx.north, "North", "name LIKE '%0' OR name LIKE '%5'")
	place(&fx.south, "South", "name LIKE '%1'")
	// The statistics a running store would have: SQLite's from the
	// merges' PRAGMA optimize and this, PostgreSQL's from autovacuum.
	stats := "ANALYZE"
	if db.dialect == postgresDialect {
		stats = "VACUUM ANALYZE"
	}
	if _, err := db.sql.ExecContext(ctx, stats); err != nil {
		tb.Fatal(err)
	}
	return fx
}

type pageCase struct {
	name string
	q    DeviceQuery
}

// cases are the pages the benchmark asks for: every filter by id and by
// last seen, newest first; every order, both ways, of all devices and of
// one category.
func (fx *pageFixture) cases() []pageCase {
	window := DeviceFilter{SeenAfter: synthBase.Add(40_000 * time.Minute),
		SeenBefore: synthBase.Add(50_000 * time.Minute)}
	filters := []struct {
		name string
		f    DeviceFilter
	}{
		{"all", DeviceFilter{}},
		{"search name", DeviceFilter{Search: "DEV-0999"}},
		{"search vendor", DeviceFilter{Search: "philips"}},
		{"search model", DeviceFilter{Search: "model 3"}},
		{"search ip", DeviceFilter{Search: "10.0.3.23"}},
		{"search mac", DeviceFilter{Search: "02:00:00:01:86"}},
		{"category", DeviceFilter{Category: "imaging"}},
		{"vendor", DeviceFilter{Vendor: "Philips"}},
		{"criticality", DeviceFilter{Criticality: "life-sustaining"}},
		{"site", DeviceFilter{SiteID: fx.north.ID}},
		{"seen window", window},
		{"category vendor window", DeviceFilter{Category: "imaging", Vendor: "Siemens Healthineers",
			SeenAfter: window.SeenAfter, SeenBefore: window.SeenBefore}},
		{"site search", DeviceFilter{SiteID: fx.south.ID, Search: "model 1"}},
	}
	var out []pageCase
	for _, f := range filters {
		out = append(out, pageCase{f.name + "/by id", DeviceQuery{DeviceFilter: f.f}},
			pageCase{f.name + "/by last seen desc", DeviceQuery{DeviceFilter: f.f, Sort: "last_seen",
				Desc: true}})
	}
	for _, sort := range []string{"name", "vendor", "model", "category", "criticality",
		"first_seen", "last_seen", "id"} {
		for _, desc := range []bool{false, true} {
			name := sort
			if desc {
				name += " desc"
			}
			out = append(out, pageCase{"sort/" + name, DeviceQuery{Sort: sort, Desc: desc}},
				pageCase{"sort in category/" + name, DeviceQuery{Sort: sort, Desc: desc,
					DeviceFilter: DeviceFilter{Category: "patient-monitor"}}})
		}
	}
	return out
}
