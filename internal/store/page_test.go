package store

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/inventory"
)

// TestListDevicesPlans reads the same pages every way the store may read
// them, with the thresholds of readPage lowered so that 40 devices are
// many, and checks that every way reads the devices and counts the filter
// selects, in order.
func TestListDevicesPlans(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		devs, site := listFixture(t, db)
		filters := []struct {
			name string
			f    DeviceFilter
			keep func(i int, d *inventory.Device) bool
		}{
			{"category", DeviceFilter{Category: "imaging"},
				func(_ int, d *inventory.Device) bool { return d.Category == "imaging" }},
			{"criticality", DeviceFilter{Criticality: "life-sustaining"},
				func(_ int, d *inventory.Device) bool { return d.Criticality == "life-sustaining" }},
			{"vendor and window", DeviceFilter{Vendor: "Philips", SeenAfter: devs[4].LastSeen},
				func(i int, d *inventory.Device) bool { return d.Vendor == "Philips" && i >= 4 }},
			{"site", DeviceFilter{SiteID: site.ID}, func(i int, _ *inventory.Device) bool { return i < 10 }},
			{"sites and search", DeviceFilter{SiteIDs: []int64{site.ID}, Search: "dev-0000"},
				func(i int, _ *inventory.Device) bool { return i < 10 && i != 3 }},
			{"search of few", DeviceFilter{Search: "DEV-0001"},
				func(i int, _ *inventory.Device) bool { return i >= 10 && i < 20 }},
			{"search of two letters", DeviceFilter{Search: "de"},
				func(int, *inventory.Device) bool { return true }},
			{"tag and category", DeviceFilter{Tag: "ward7", Category: "workstation"},
				func(i int, d *inventory.Device) bool { return i < 10 && d.Category == "workstation" }},
			{"window", DeviceFilter{SeenAfter: devs[5].LastSeen, SeenBefore: devs[30].LastSeen},
				func(i int, _ *inventory.Device) bool { return i >= 5 && i < 30 }},
		}
		ways := []struct {
			name              string
			walkMin, walkSpan int
		}{
			{"as configured", walkMin, walkBudget},
			{"walk", 1, 1000},
			{"walk gives up", 1, 1},
		}
		for _, w := range ways {
			t.Run(w.name, func(t *testing.T) {
				defer func(m, b int) { walkMin, walkBudget = m, b }(walkMin, walkBudget)
				walkMin, walkBudget = w.walkMin, w.walkSpan
				for _, f := range filters {
					t.Run(f.name, func(t *testing.T) {
						checkPlans(t, db, devs, f.f, f.keep)
					})
				}
			})
		}
	})
}

// checkPlans pages through f in every order and counts it.
func checkPlans(t *testing.T, db *DB, devs []*inventory.Device, f DeviceFilter,
	keep func(i int, d *inventory.Device) bool) {
	t.Helper()
	var kept []*inventory.Device
	for i, d := range devs {
		if keep(i, d) {
			kept = append(kept, d)
		}
	}
	for sort, key := range sortKeys {
		for _, desc := range []bool{false, true} {
			want := slices.Clone(kept)
			slices.SortFunc(want, func(a, b *inventory.Device) int {
				c := cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(a.ID, b.ID))
				if desc {
					return -c
				}
				return c
			})
			wantIDs := []string{}
			for _, d := range want {
				wantIDs = append(wantIDs, d.ID)
			}
			got := listAll(t, db, DeviceQuery{DeviceFilter: f, Sort: sort, Desc: desc, Limit: 3})
			if diff := gocmp.Diff(wantIDs, got); diff != "" {
				t.Errorf("%s, desc %v (-want +got):\n%s", sort, desc, diff)
			}
		}
	}
	counts, err := db.CountDevices(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.CountMatching(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Total != len(kept) || n != len(kept) {
		t.Errorf("counted %d and %d, want %d", counts.Total, n, len(kept))
	}
}

// sortKeys are the sorts of ListDevices, each with the key it sorts a
// synthetic device by before its id.
var sortKeys = map[string]func(d *inventory.Device) string{
	"id":          func(d *inventory.Device) string { return "" },
	"name":        func(d *inventory.Device) string { return strings.Join(d.Names[:1], "") },
	"vendor":      func(d *inventory.Device) string { return d.Vendor },
	"model":       func(d *inventory.Device) string { return d.Model },
	"category":    func(d *inventory.Device) string { return d.Category },
	"criticality": func(d *inventory.Device) string { return d.Criticality },
	"first_seen":  func(d *inventory.Device) string { return d.FirstSeen.Format(time.RFC3339Nano) },
	"last_seen":   func(d *inventory.Device) string { return d.LastSeen.Format(time.RFC3339Nano) },
}

// TestSearchOddText searches for text with the quotes and wildcards of SQL,
// LIKE and the full-text query language: each is only itself.
func TestSearchOddText(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		in := syntheticInput(2, 0, 0)
		in.Devices[0].Names = []string{`O'Brien "ICU" bed_3 50%\ NEAR*`}
		mustMerge(t, db, in, File{SHA256: fakeSHA(1)})
		one := []string{in.Devices[0].ID}
		for search, want := range map[string][]string{
			`"icu"`: one, `"ICU" BED`: one, `'`: one, `o'brien`: one, `bed_3`: one, `bed%3`: {},
			`50%\`: one, `%`: one, `_`: one, `near*`: one, `near* OR dev`: {}, `"`: one,
			`""`: {}, `dev-00001`: {in.Devices[1].ID},
		} {
			got := listAll(t, db, DeviceQuery{DeviceFilter: DeviceFilter{Search: search}})
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("search %q (-want +got):\n%s", search, diff)
			}
		}
	})
}
