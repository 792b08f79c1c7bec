package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/segment"
)

// BenchmarkSegmentFlows reads a million stored flows among 1000 devices as
// segmentation sees them, all of them and the latest tenth, on SQLite and,
// when its server answers, PostgreSQL. It reports flows/s.
func BenchmarkSegmentFlows(b *testing.B) {
	const flows = 1_000_000
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			target := b.TempDir()
			if name == "postgres" {
				target = postgresSchema(b)
			}
			db := backend{name: name, target: target}.open(b, Options{})
			fillFlows(b, db, flows)
			for _, c := range []struct {
				name  string
				since time.Time
				want  int
			}{
				{"all", time.Time{}, flows},
				// A flow is last seen a minute after it starts.
				{"latest-tenth", synthBase.Add((flows*9/10 + 60) * time.Second), flows / 10},
			} {
				b.Run(c.name, func(b *testing.B) { benchSegmentFlows(b, db, c.since, c.want) })
			}
		})
	}
}

func benchSegmentFlows(b *testing.B, db *DB, since time.Time, want int) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		got, err := db.SegmentFlows(b.Context(), since)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != want {
			b.Fatalf("got %d flows, want %d", len(got), want)
		}
		n += len(got)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "flows/s")
}

// BenchmarkEachSegmentFlow reads the million flows without keeping them.
func BenchmarkEachSegmentFlow(b *testing.B) {
	const flows = 1_000_000
	db := backend{name: "sqlite", target: b.TempDir()}.open(b, Options{})
	fillFlows(b, db, flows)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		err := db.EachSegmentFlow(b.Context(), time.Time{}, func(*segment.Flow) error {
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "flows/s")
}

// fillFlows stores 1000 devices and n flows (n at most a million): from
// each device, to another device for one flow in four and to an outside
// address for the others, one a second from synthBase on, on TCP ports
// of all sorts.
func fillFlows(b *testing.B, db *DB, n int) {
	b.Helper()
	in := synth{devices: 1000}.input()
	in.Flows = nil
	if _, err := db.MergeInventory(b.Context(), in, File{SHA256: fakeSHA(0)}); err != nil {
		b.Fatal(err)
	}
	devices := "(SELECT device_id, value, row_number() OVER (ORDER BY device_id) - 1 AS k " +
		"FROM identifiers WHERE kind = 'ip')"
	q := fmt.Sprintf("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "+
		"WHERE i < %d) "+
		"INSERT INTO flows (src, dst, proto, dst_port, vlan, app, packets, bytes, first_seen, "+
		"last_seen, src_device, dst_device) "+
		"SELECT s.value, CASE WHEN i %% 4 = 0 THEN d.value ELSE "+
		"'172.16.' || (i / 1000 / 256) || '.' || (i / 1000 %% 256) END, 6, 1 + i %% 60000, 0, "+
		"CASE WHEN i %% 3 = 0 THEN 'hl7' ELSE '' END, 10, 1000, "+
		"%d + CAST(i AS BIGINT) * 1000000000, %d + CAST(i AS BIGINT) * 1000000000 + 60000000000, "+
		"s.device_id, CASE WHEN i %% 4 = 0 THEN d.device_id END "+
		"FROM n JOIN %s s ON s.k = i %% 1000 JOIN %s d ON d.k = i / 1000 %% 1000",
		n-1, nanos(synthBase), nanos(synthBase), devices, devices)
	if _, err := db.sql.ExecContext(b.Context(), q); err != nil {
		b.Fatalf("fill flows: %v", err)
	}
	var got int
	err := db.sql.QueryRowContext(b.Context(), "SELECT count(*) FROM flows").Scan(&got)
	if err != nil {
		b.Fatal(err)
	}
	if got != n {
		b.Fatalf("stored %d flows, want %d", got, n)
	}
}

// BenchmarkMergeFlowHours is BenchmarkMergeObservations's "new" and
// "overlapping" merges with each flow's hourly counts: 1000 devices of 50
// attributes, 999 flows of one or two hours each.
func BenchmarkMergeFlowHours(b *testing.B) {
	const devices, attrs = 1000, 50
	for _, c := range []struct {
		name  string
		known bool
		step  time.Duration
	}{{"new", false, 24 * time.Hour}, {"overlapping", true, time.Hour}} {
		b.Run(c.name, func(b *testing.B) {
			db := backend{name: "sqlite", target: b.TempDir()}.open(b, Options{})
			if c.known {
				in := withHours(synth{devices: devices, attrs: attrs}.input())
				_, err := db.MergeInventory(b.Context(), in, File{SHA256: fakeSHA(0)})
				if err != nil {
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
				in := withHours(s.input())
				b.StartTimer()
				_, err := db.MergeInventory(b.Context(), in, File{SHA256: fakeSHA(i)})
				if err != nil {
					b.Fatal(err)
				}
				obs += devices * attrs
			}
			b.ReportMetric(float64(obs)/b.Elapsed().Seconds(), "obs/s")
		})
	}
}
