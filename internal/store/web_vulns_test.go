package store

import (
	"errors"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestFilterFindings checks each condition of a FindingFilter against
// the same selection made by hand, over every page.
func TestFilterFindings(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newFindingWorld(t, db)
		settled := func(f *FindingRow) bool { return f.Decided && !f.Reopened }
		title := w.advs[1].Title
		cve := w.findings[0].CVE
		tests := []struct {
			name string
			q    FindingQuery
			f    FindingFilter
			keep func(f *FindingRow) bool
		}{
			{"levels", FindingQuery{}, FindingFilter{Levels: []string{"critical", "high"}},
				func(f *FindingRow) bool { return f.Level == "critical" || f.Level == "high" }},
			{"ssvc none", FindingQuery{}, FindingFilter{SSVC: []string{"act"}},
				func(f *FindingRow) bool { return false }},
			{"for action", FindingQuery{}, FindingFilter{Action: true, Threshold: 0.6},
				func(f *FindingRow) bool { return f.Confidence >= 0.6 || settled(f) }},
			{"for review", FindingQuery{}, FindingFilter{Review: true, Threshold: 0.6},
				func(f *FindingRow) bool {
					return f.Confidence < 0.6 && !settled(f) || f.Decided && f.Reopened
				}},
			{"search a CVE in capitals", FindingQuery{}, FindingFilter{Search: strings.ToUpper(cve)},
				func(f *FindingRow) bool { return f.CVE == cve }},
			{"search a title", FindingQuery{}, FindingFilter{Search: title[2:12]},
				func(f *FindingRow) bool { return f.AdvisoryTitle == title }},
			{"search a device's name", FindingQuery{},
				FindingFilter{Search: w.names[w.devices[2]]},
				func(f *FindingRow) bool { return f.DeviceID == w.devices[2] }},
			{"site and status", FindingQuery{SiteIDs: []int64{w.siteB},
				Status: []string{StatusAffected}}, FindingFilter{Levels: []string{"low"}},
				func(f *FindingRow) bool {
					return f.DeviceID == w.devices[3] && f.Status == StatusAffected &&
						f.Level == "low"
				}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var want []string
				for i := range w.findings {
					if tc.keep(&w.findings[i]) {
						want = append(want, keyString(&w.findings[i]))
					}
				}
				got, total := filterAll(t, db, tc.q, tc.f)
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("findings (-want +got):\n%s", diff)
				}
				if total != len(want) {
					t.Errorf("total %d, want %d", total, len(want))
				}
			})
		}
	})
}

func keyString(f *FindingRow) string { return f.DeviceID + " " + f.AdvisoryID + " " + f.CVE }

// filterAll reads every page of a selection, 7 findings a page, by device.
func filterAll(t *testing.T, db *DB, q FindingQuery, f FindingFilter) ([]string, int) {
	t.Helper()
	q.Order, q.Limit = "device", 7
	var out []string
	for {
		list, err := db.FilterFindings(t.Context(), q, f)
		if err != nil {
			t.Fatal(err)
		}
		for i := range list.Rows {
			r := &list.Rows[i]
			out = append(out, keyString(&r.FindingRow))
			if d, err := db.GetDevice(t.Context(), r.DeviceID); err == nil &&
				(d.Vendor != r.DeviceVendor || d.Model != r.DeviceModel) {
				t.Errorf("%s: vendor and model %q %q, want %q %q", r.DeviceID, r.DeviceVendor,
					r.DeviceModel, d.Vendor, d.Model)
			}
		}
		if q.After = list.Next; q.After == "" {
			return out, list.Total
		}
	}
}

// TestFilterFindingsRefused checks that a filter the store cannot run is
// refused as invalid.
func TestFilterFindingsRefused(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		for name, f := range map[string]FindingFilter{
			"bad search":    {Search: "a\x00b"},
			"bad threshold": {Action: true, Threshold: 2},
		} {
			if _, err := db.FilterFindings(t.Context(), FindingQuery{}, f); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: got %v, want ErrInvalid", name, err)
			}
		}
	})
}

// TestAdvisoryDevicesScoped checks the devices counted per advisory in some
// sites, and the advisory count.
func TestAdvisoryDevicesScoped(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newFindingWorld(t, db)
		var ids []string
		for _, a := range w.advs {
			ids = append(ids, a.ID)
		}
		inA := w.devices[:3]
		want := map[string]int{}
		seen := map[string]bool{}
		for _, f := range w.findings {
			k := f.AdvisoryID + " " + f.DeviceID
			if slices.Contains(inA, f.DeviceID) && f.Status == StatusAffected && !seen[k] &&
				(f.Confidence >= 0.5 || f.Decided && !f.Reopened) {
				seen[k] = true
				want[f.AdvisoryID]++
			}
		}
		got, err := db.AdvisoryDevices(t.Context(), ids, []int64{w.siteA}, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("devices per advisory in site A (-want +got):\n%s", diff)
		}
		n, err := db.AdvisoryCount(t.Context())
		if err != nil || n != len(w.advs) {
			t.Errorf("advisory count: %d, %v; want %d", n, err, len(w.advs))
		}
	})
}
