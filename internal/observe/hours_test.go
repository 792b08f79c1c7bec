package observe

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// checkHours reports the flows of r whose hours are out of order, not
// whole UTC hours, outside the flow's first and last seen, or do not add
// up to its counts. It returns how many flows span more than one hour.
func checkHours(t *testing.T, name string, r *Result) (multi int) {
	t.Helper()
	for _, f := range r.Flows {
		var packets, bytes uint64
		for i, h := range f.Hours {
			packets += h.Packets
			bytes += h.Bytes
			switch {
			case h.Hour.Location() != time.UTC || !h.Hour.Truncate(time.Hour).Equal(h.Hour):
				t.Errorf("%s: flow %v: hour %v is not the start of a UTC hour", name, f.FlowKey,
					h.Hour)
			case i > 0 && !f.Hours[i-1].Hour.Before(h.Hour):
				t.Errorf("%s: flow %v: hour %v after %v", name, f.FlowKey, h.Hour,
					f.Hours[i-1].Hour)
			case h.Hour.After(f.Last) || h.Hour.Add(time.Hour).Before(f.First):
				t.Errorf("%s: flow %v: hour %v outside %v to %v", name, f.FlowKey, h.Hour,
					f.First, f.Last)
			case h.Packets == 0:
				t.Errorf("%s: flow %v: hour %v has no packets", name, f.FlowKey, h.Hour)
			}
		}
		if packets != f.Packets || bytes != f.Bytes {
			t.Errorf("%s: flow %v: hours add up to %d packets, %d bytes; want %d, %d", name,
				f.FlowKey, packets, bytes, f.Packets, f.Bytes)
		}
		if len(f.Hours) > 1 {
			multi++
		}
	}
	return multi
}

// TestHoursAddUp runs the repository's captures through the pipeline with
// one and two workers: each flow's hours add up to its counts.
func TestHoursAddUp(t *testing.T) {
	paths, err := filepath.Glob("../../testdata/captures/*/*.pcap")
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, demo)
	for _, workers := range []int{1, 2} {
		for _, p := range paths {
			r, err := Run(context.Background(), Config{Workers: workers}, []string{p})
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			checkHours(t, filepath.Base(p), r)
		}
	}
}

// TestCorpusHours checks the hours of every flow of every capture in the
// shared corpus; some of them run for hours, so that flows of several
// hours are among them.
func TestCorpusHours(t *testing.T) {
	dir := corpusDir(t)
	if testing.Short() {
		t.Skip("skipping the whole corpus in -short mode")
	}
	multi, files := 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isCapture(path) {
			return err
		}
		r, _ := Run(context.Background(), Config{Workers: 2}, []string{path})
		if r == nil {
			return nil
		}
		if n := checkHours(t, path, r); n > 0 {
			multi += n
			files++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if multi == 0 {
		t.Errorf("no flow of the corpus spans two hours, want some")
	}
	t.Logf("%d flows in %d captures span more than one hour", multi, files)
}

func TestCountHour(t *testing.T) {
	h := func(n int64) int64 { return n * hourNanos }
	base := h(493_000) // an hour of 2026
	cases := []struct {
		name string
		ts   []int64
		want []hourAgg
	}{
		{"one hour", []int64{base + 5, base + 10, base + h(1) - 1},
			[]hourAgg{{base, 3, 30}}},
		{"in order", []int64{base, base + h(1), base + h(1) + 7, base + h(3)},
			[]hourAgg{{base, 1, 10}, {base + h(1), 2, 20}, {base + h(3), 1, 10}}},
		{"out of order", []int64{base + h(2), base, base + h(1), base + h(2) + 1, base + 3},
			[]hourAgg{{base, 2, 20}, {base + h(1), 1, 10}, {base + h(2), 2, 20}}},
		{"before 1970", []int64{-1, -hourNanos, 0},
			[]hourAgg{{-hourNanos, 2, 20}, {0, 1, 10}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f flowAgg
			for _, ts := range c.ts {
				f.countHour(ts, 10)
			}
			if diff := cmp.Diff(c.want, f.hours, cmp.AllowUnexported(hourAgg{})); diff != "" {
				t.Errorf("hours (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeHours(t *testing.T) {
	cases := []struct {
		name string
		a, b []hourAgg
		want []hourAgg
	}{
		{"empty into empty", nil, nil, nil},
		{"into empty", nil, []hourAgg{{0, 1, 2}}, []hourAgg{{0, 1, 2}}},
		{"from empty", []hourAgg{{0, 1, 2}}, nil, []hourAgg{{0, 1, 2}}},
		{"same hours add", []hourAgg{{0, 1, 2}, {hourNanos, 3, 4}},
			[]hourAgg{{hourNanos, 5, 6}}, []hourAgg{{0, 1, 2}, {hourNanos, 8, 10}}},
		{"interleaved", []hourAgg{{0, 1, 1}, {2 * hourNanos, 1, 1}},
			[]hourAgg{{hourNanos, 1, 1}, {3 * hourNanos, 1, 1}},
			[]hourAgg{{0, 1, 1}, {hourNanos, 1, 1}, {2 * hourNanos, 1, 1}, {3 * hourNanos, 1, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := mergeHours(c.a, c.b)
			if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(hourAgg{})); diff != "" {
				t.Errorf("merged (-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkCountHour counts packets of one flow a millisecond apart, the
// cost hourly counts add to each packet of the pipeline: most fall in the
// hour of the one before.
func BenchmarkCountHour(b *testing.B) {
	b.ReportAllocs()
	var f flowAgg
	ts := int64(493_000) * hourNanos
	for b.Loop() {
		f.countHour(ts, 100)
		ts += 1e6
	}
}
