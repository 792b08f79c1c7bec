package store

import (
	"errors"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestFindingDevices walks the devices with findings on some CVEs, a page
// at a time, on the finding world: every device once, with the findings
// the conditions select, in every site or one.
func TestFindingDevices(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newFindingWorld(t, db)
		var cves []string
		for _, a := range w.advs[:3] {
			for _, v := range a.Vulns {
				cves = append(cves, v.CVE)
			}
		}
		statuses := []string{StatusAffected, StatusUnderInvestigation, StatusFixed}
		tests := []struct {
			name  string
			sites []int64
			in    func(id string) bool
		}{
			{"every site", nil, func(string) bool { return true }},
			{"site A", []int64{w.siteA}, func(id string) bool { return slices.Index(w.devices, id) < 3 }},
			{"site B", []int64{w.siteB}, func(id string) bool { return id == w.devices[3] }},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				want := map[string][]FindingRow{}
				var order []string
				for _, f := range w.findings {
					if tc.in(f.DeviceID) && slices.Contains(cves, f.CVE) &&
						slices.Contains(statuses, f.Status) && f.Confidence >= 0.5 {
						if want[f.DeviceID] == nil {
							order = append(order, f.DeviceID)
						}
						want[f.DeviceID] = append(want[f.DeviceID], f)
					}
				}
				q := FindingDevicesQuery{FindingQuery: FindingQuery{CVEs: cves, Status: statuses,
					MinConfidence: 0.5, SiteIDs: tc.sites}, Limit: 2}
				got := map[string][]FindingRow{}
				var walked []string
				for pages := 0; pages < 20; pages++ {
					pg, err := db.FindingDevices(t.Context(), q)
					if err != nil {
						t.Fatal(err)
					}
					if pg.Total != len(want) || len(pg.Devices) > 2 {
						t.Fatalf("page %d: total %d, %d devices; want %d in all, 2 a page", pages,
							pg.Total, len(pg.Devices), len(want))
					}
					for _, d := range pg.Devices {
						walked = append(walked, d.DeviceID)
						got[d.DeviceID] = d.Findings
						if name := w.names[d.DeviceID]; d.Name != name {
							t.Errorf("%s: name %q, want %q", d.DeviceID, d.Name, name)
						}
					}
					if q.After = pg.Next; q.After == "" {
						break
					}
				}
				if diff := gocmp.Diff(order, walked); diff != "" {
					t.Errorf("devices walked (-want +got):\n%s", diff)
				}
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("findings by device (-want +got):\n%s", diff)
				}
				q.After, q.Limit = "", -1
				if pg, err := db.FindingDevices(t.Context(), q); err != nil || pg.Total != len(want) ||
					len(pg.Devices) != 0 {
					t.Errorf("count only: %v, total %d, %d devices", err, pg.Total, len(pg.Devices))
				}
			})
		}
		_, err := db.FindingDevices(t.Context(), FindingDevicesQuery{After: "\xff"})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("a cursor that is not text: %v, want ErrInvalid", err)
		}
	})
}

// TestDeviceProducts reads every device's vendor, model and software, and
// those of one site's.
func TestDeviceProducts(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newFindingWorld(t, db)
		all, err := db.DeviceProducts(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range all {
			d := mustDevice(t, db, p.ID)
			if p.Vendor != d.Vendor || p.Model != d.Model || p.Software != d.Software {
				t.Errorf("%s: %+v, the device has %q %q %q", p.ID, p, d.Vendor, d.Model, d.Software)
			}
			ids = append(ids, p.ID)
		}
		want := slices.Clone(w.devices[:6]) // the register's device is not in the inventory
		slices.Sort(want)
		if diff := gocmp.Diff(want, ids); diff != "" {
			t.Errorf("devices (-want +got):\n%s", diff)
		}
		inA, err := db.DeviceProducts(t.Context(), []int64{w.siteA, 999})
		if err != nil {
			t.Fatal(err)
		}
		ids = nil
		for _, p := range inA {
			ids = append(ids, p.ID)
		}
		want = slices.Clone(w.devices[:3])
		slices.Sort(want)
		if diff := gocmp.Diff(want, ids); diff != "" {
			t.Errorf("devices of site A (-want +got):\n%s", diff)
		}
	})
}
