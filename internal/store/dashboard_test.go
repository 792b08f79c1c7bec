package store

import (
	"cmp"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/inventory"
)

func TestDashboard(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		devs, site := listFixture(t, db)
		// Devices i are first seen at synthBase+i minutes and last seen 30
		// minutes later.
		cases := []struct {
			name string
			f    DeviceFilter
			now  time.Time
			keep func(i int, d *inventory.Device) bool
		}{
			{"all, the day after", DeviceFilter{}, synthBase.Add(24 * time.Hour),
				func(int, *inventory.Device) bool { return true }},
			{"a site, a month after", DeviceFilter{SiteIDs: []int64{site.ID}},
				synthBase.Add(30*24*time.Hour + 35*time.Minute),
				func(i int, _ *inventory.Device) bool { return i < 10 }},
			{"a search of few", DeviceFilter{Search: "dev-0001"}, synthBase.Add(31 * 24 * time.Hour),
				func(i int, _ *inventory.Device) bool { return i >= 10 && i < 20 }},
			{"a search of many", DeviceFilter{Search: "model"}, synthBase,
				func(int, *inventory.Device) bool { return true }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := db.Dashboard(t.Context(), c.f, c.now)
				if err != nil {
					t.Fatal(err)
				}
				want := wantDashboard(devs, c.now, c.keep)
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("figures (-want +got):\n%s", diff)
				}
			})
		}
	})
}

// wantDashboard is what Dashboard should count of the devices of
// listFixture that keep keeps.
func wantDashboard(devs []*inventory.Device, now time.Time,
	keep func(i int, d *inventory.Device) bool) *DashboardFigures {
	by := [4]map[string]int{{}, {}, {}, {}}
	want := &DashboardFigures{}
	for i, d := range devs {
		if !keep(i, d) {
			continue
		}
		want.Total++
		site := ""
		if i < 10 {
			site = "St Elsewhere"
		}
		for j, v := range []string{d.Category, d.Criticality, d.Vendor, site} {
			by[j][v]++
		}
		if !d.FirstSeen.Before(now.Add(-7 * 24 * time.Hour)) {
			want.NewDevices++
		}
		if d.LastSeen.Before(now.Add(-30 * 24 * time.Hour)) {
			want.NotSeen++
		}
	}
	counts := func(m map[string]int) []Count {
		out := []Count{}
		for v, n := range m {
			out = append(out, Count{Value: v, Devices: n})
		}
		slices.SortFunc(out, func(a, b Count) int {
			return cmp.Or(cmp.Compare(b.Devices, a.Devices), cmp.Compare(a.Value, b.Value))
		})
		return out
	}
	want.ByCategory, want.ByCriticality = counts(by[0]), counts(by[1])
	want.ByVendor, want.BySite = topCounts(counts(by[2]), 10), counts(by[3])
	return want
}

func TestTopCounts(t *testing.T) {
	var many []Count
	for i := range 12 {
		many = append(many, Count{Value: string(rune('a' + i)), Devices: 20 - i})
	}
	cases := []struct {
		name string
		in   []Count
		want []Count
	}{
		{"none", nil, []Count{}},
		{"few", []Count{{"Philips", 3}, {"", 2}}, []Count{{"Philips", 3}, {"other", 2}}},
		{"more than ten", many, append(slices.Clone(many[:10]), Count{"other", 10 + 9})},
		{"unknown among the ten", []Count{{"", 5}, {"GE", 4}}, []Count{{"GE", 4}, {"other", 5}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if diff := gocmp.Diff(c.want, topCounts(c.in, 10)); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
		})
	}
}
