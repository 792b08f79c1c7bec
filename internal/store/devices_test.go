package store

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/inventory"
)

// listFixture stores 40 synthetic devices, the first ten placed at a site
// and tagged, and returns them as analysed.
func listFixture(t *testing.T, db *DB) (devs []*inventory.Device, site Location) {
	t.Helper()
	ctx := t.Context()
	in := syntheticInput(40, 1, 0)
	in.Devices[3].Names = []string{"Ward7-Pump-3"}
	mustMerge(t, db, in, File{SHA256: fakeSHA(1)})
	site, err := db.AddLocation(ctx, Location{Kind: Site, Name: "St Elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	ward, err := db.AddLocation(ctx, Location{Kind: Ward, Name: "Ward 7", ParentID: site.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range in.Devices[:10] {
		if err := db.SetDeviceLocation(ctx, d.ID, ward.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.TagDevice(ctx, d.ID, "ward7"); err != nil {
			t.Fatal(err)
		}
	}
	return in.Devices, site
}

func TestListDevicesFilters(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		devs, site := listFixture(t, db)
		ids := func(keep func(i int, d *inventory.Device) bool) []string {
			out := []string{}
			for i, d := range devs {
				if keep(i, d) {
					out = append(out, d.ID)
				}
			}
			return out
		}
		cases := []struct {
			name string
			f    DeviceFilter
			want []string
		}{
			{"all", DeviceFilter{}, ids(func(int, *inventory.Device) bool { return true })},
			{"category", DeviceFilter{Category: "imaging"},
				ids(func(_ int, d *inventory.Device) bool { return d.Category == "imaging" })},
			{"vendor", DeviceFilter{Vendor: "Philips"},
				ids(func(_ int, d *inventory.Device) bool { return d.Vendor == "Philips" })},
			{"criticality", DeviceFilter{Criticality: "life-sustaining"},
				ids(func(_ int, d *inventory.Device) bool {
					return d.Criticality == "life-sustaining"
				})},
			{"category and vendor", DeviceFilter{Category: "imaging", Vendor: "Siemens Healthineers"},
				ids(func(_ int, d *inventory.Device) bool {
					return d.Category == "imaging" && d.Vendor == "Siemens Healthineers"
				})},
			{"search name, any case", DeviceFilter{Search: "ward7-PUMP"}, []string{devs[3].ID}},
			{"search vendor", DeviceFilter{Search: "healthcare"},
				ids(func(_ int, d *inventory.Device) bool { return d.Vendor == "GE HealthCare" })},
			{"search model", DeviceFilter{Search: "model 6"},
				ids(func(_ int, d *inventory.Device) bool { return d.Model == "Model 6" })},
			{"search IP", DeviceFilter{Search: "10.0.0.17"}, []string{devs[17].ID}},
			{"search MAC", DeviceFilter{Search: "02:00:00:00:00:1A"}, []string{devs[26].ID}},
			{"search wildcard is literal", DeviceFilter{Search: "%"}, []string{}},
			{"site", DeviceFilter{SiteID: site.ID},
				ids(func(i int, _ *inventory.Device) bool { return i < 10 })},
			{"tag", DeviceFilter{Tag: "ward7", Category: "imaging"},
				ids(func(i int, d *inventory.Device) bool {
					return i < 10 && d.Category == "imaging"
				})},
			{"seen after", DeviceFilter{SeenAfter: devs[30].LastSeen},
				ids(func(i int, _ *inventory.Device) bool { return i >= 30 })},
			{"seen before", DeviceFilter{SeenBefore: devs[5].LastSeen},
				ids(func(i int, _ *inventory.Device) bool { return i < 5 })},
			{"seen between", DeviceFilter{SeenAfter: devs[5].LastSeen, SeenBefore: devs[8].LastSeen},
				[]string{devs[5].ID, devs[6].ID, devs[7].ID}},
			{"no match", DeviceFilter{Vendor: "Nobody"}, []string{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got := listAll(t, db, DeviceQuery{DeviceFilter: c.f, Limit: 500})
				if diff := gocmp.Diff(c.want, got); diff != "" {
					t.Errorf("devices (-want +got):\n%s", diff)
				}
				counts, err := db.CountDevices(t.Context(), c.f)
				if err != nil {
					t.Fatal(err)
				}
				if counts.Total != len(c.want) {
					t.Errorf("count %d, want %d", counts.Total, len(c.want))
				}
			})
		}
	})
}

// listAll pages through q and returns the ids in order.
func listAll(t *testing.T, db *DB, q DeviceQuery) []string {
	t.Helper()
	out := []string{}
	for pages := 0; ; pages++ {
		page, err := db.ListDevices(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Devices {
			out = append(out, d.ID)
		}
		if page.Next == "" {
			return out
		}
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		q.Cursor = page.Next
	}
}

func TestListDevicesSortAndPaginate(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		devs, _ := listFixture(t, db)
		key := map[string]func(d *inventory.Device) string{
			"id":          func(d *inventory.Device) string { return "" },
			"name":        func(d *inventory.Device) string { return d.Names[0] },
			"vendor":      func(d *inventory.Device) string { return d.Vendor },
			"model":       func(d *inventory.Device) string { return d.Model },
			"category":    func(d *inventory.Device) string { return d.Category },
			"criticality": func(d *inventory.Device) string { return d.Criticality },
			"first_seen":  func(d *inventory.Device) string { return d.FirstSeen.Format(time.RFC3339) },
			"last_seen":   func(d *inventory.Device) string { return d.LastSeen.Format(time.RFC3339) },
		}
		for sort, k := range key {
			for _, desc := range []bool{false, true} {
				name := sort
				if desc {
					name += " desc"
				}
				t.Run(name, func(t *testing.T) {
					want := slices.Clone(devs)
					slices.SortFunc(want, func(a, b *inventory.Device) int {
						c := cmp.Or(cmp.Compare(k(a), k(b)), cmp.Compare(a.ID, b.ID))
						if desc {
							return -c
						}
						return c
					})
					var wantIDs []string
					for _, d := range want {
						wantIDs = append(wantIDs, d.ID)
					}
					got := listAll(t, db, DeviceQuery{Sort: sort, Desc: desc, Limit: 7,
						DeviceFilter: DeviceFilter{SeenAfter: devs[0].FirstSeen}})
					if diff := gocmp.Diff(wantIDs, got); diff != "" {
						t.Errorf("order (-want +got):\n%s", diff)
					}
				})
			}
		}
	})
}

func TestListDevicesPage(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		devs, _ := listFixture(t, db)
		page, err := db.ListDevices(t.Context(), DeviceQuery{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Devices) != 3 || page.Next == "" {
			t.Fatalf("first page of 3: %d devices, next %q", len(page.Devices), page.Next)
		}
		d := page.Devices[0]
		if d.ID != devs[0].ID || !slices.Equal(d.IPs, devs[0].IPs) || d.Vendor != devs[0].Vendor ||
			d.LocationID == 0 {
			t.Errorf("first device %+v, want %s with its IPs, vendor and location", d, devs[0].ID)
		}
		last, err := db.ListDevices(t.Context(), DeviceQuery{Limit: 40})
		if err != nil {
			t.Fatal(err)
		}
		if len(last.Devices) != 40 || last.Next != "" {
			t.Errorf("a page of all 40: %d devices, next %q; want no next", len(last.Devices), last.Next)
		}

		bad := []struct {
			name string
			q    DeviceQuery
		}{
			{"unknown sort", DeviceQuery{Sort: "vendor; DROP TABLE devices"}},
			{"malformed cursor", DeviceQuery{Cursor: "not a cursor!"}},
			{"cursor of another order", DeviceQuery{Sort: "vendor", Cursor: page.Next}},
			{"invalid search", DeviceQuery{DeviceFilter: DeviceFilter{Search: "\xff"}}},
		}
		for _, c := range bad {
			if _, err := db.ListDevices(t.Context(), c.q); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: got %v, want ErrInvalid", c.name, err)
			}
		}
	})
}

func TestCountDevices(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		devs, _ := listFixture(t, db)
		want := &DeviceCounts{Total: len(devs)}
		for _, g := range []struct {
			out *[]Count
			key func(d *inventory.Device) string
		}{
			{&want.ByCategory, func(d *inventory.Device) string { return d.Category }},
			{&want.ByCriticality, func(d *inventory.Device) string { return d.Criticality }},
			{&want.ByVendor, func(d *inventory.Device) string { return d.Vendor }},
		} {
			n := map[string]int{}
			for _, d := range devs {
				n[g.key(d)]++
			}
			for v, c := range n {
				*g.out = append(*g.out, Count{Value: v, Devices: c})
			}
			slices.SortFunc(*g.out, func(a, b Count) int {
				return cmp.Or(cmp.Compare(b.Devices, a.Devices), cmp.Compare(a.Value, b.Value))
			})
		}
		got, err := db.CountDevices(t.Context(), DeviceFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
	})
}

func TestGetDevice(t *testing.T) {
	a := analyse(t, labCapture)
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		mustMerge(t, db, a.input(), a.file(labCapture))
		if _, err := db.GetDevice(ctx, "mac:00:00:00:00:00:00"); !errors.Is(err, ErrNotFound) {
			t.Errorf("get a device that is not there: got %v, want ErrNotFound", err)
		}
		// The devices at either end of a link each show it.
		if len(a.inv.Links) == 0 {
			t.Fatal("the lab capture has no links")
		}
		l := a.inv.Links[0]
		for _, id := range []string{l.From, l.To} {
			if !strings.HasPrefix(id, "mac:") {
				continue
			}
			d := mustDevice(t, db, id)
			if !slices.ContainsFunc(d.Links, func(m Link) bool {
				return m.From == l.From && m.To == l.To && m.Value == l.Value
			}) {
				t.Errorf("device %s links %+v, want %+v among them", id, d.Links, l)
			}
		}
		flows, err := db.DeviceFlows(ctx, l.From, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(flows) == 0 || len(flows) > 5 {
			t.Errorf("%d flows of %s, want 1 to 5", len(flows), l.From)
		}
		for _, f := range flows {
			if f.SrcDevice != l.From && f.DstDevice != l.From {
				t.Errorf("flow %+v is not %s's", f, l.From)
			}
		}

		owner, err := db.AddOwner(ctx, Owner{Name: "EBME", Contact: "x4417"})
		if err != nil {
			t.Fatal(err)
		}
		site, _ := db.AddLocation(ctx, Location{Kind: Site, Name: "St Elsewhere"})
		room, err := db.AddLocation(ctx, Location{Kind: Room, Name: "Bay 3", ParentID: site.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetDeviceOwner(ctx, l.From, owner.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SetDeviceLocation(ctx, l.From, room.ID); err != nil {
			t.Fatal(err)
		}
		d := mustDevice(t, db, l.From)
		if d.Owner == nil || *d.Owner != owner {
			t.Errorf("owner %+v, want %+v", d.Owner, owner)
		}
		if diff := gocmp.Diff([]Location{site, room}, d.Location); diff != "" {
			t.Errorf("location (-want +got):\n%s", diff)
		}
		if err := db.SetDeviceLocation(ctx, l.From, 0); err != nil {
			t.Fatal(err)
		}
		if d := mustDevice(t, db, l.From); len(d.Location) != 0 || d.LocationID != 0 {
			t.Errorf("unplaced device is at %+v", d.Location)
		}
	})
}
