package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wardhq/ward/internal/advisory"
)

// findingWorld is a store with the test advisories, six synthetic
// devices (0–2 at site A, 3 at site B, 4 and 5 placed nowhere) and the
// findings of sampleFindings.
type findingWorld struct {
	db       *DB
	advs     []*advisory.Advisory
	devices  []string
	names    map[string]string // device name by id
	siteA    int64
	siteB    int64
	findings []FindingRow // as replaced at matchedAt
}

var matchedAt = time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)

func newFindingWorld(t *testing.T, db *DB) *findingWorld {
	t.Helper()
	ctx := t.Context()
	w := &findingWorld{db: db, advs: readAdvisories(t), names: map[string]string{}}
	if _, err := db.SaveAdvisories(ctx, w.advs, FeedSource{Name: "icsma"}); err != nil {
		t.Fatal(err)
	}
	in := syntheticInput(6, 0, 0)
	mustMerge(t, db, in, File{SHA256: fakeSHA(1)})
	for _, d := range in.Devices {
		w.devices = append(w.devices, d.ID)
		w.names[d.ID] = mustDevice(t, db, d.ID).Name
	}
	// A register's device, not (yet) in the inventory.
	w.devices = append(w.devices, "register:A001")
	a, err := db.AddLocation(ctx, Location{Kind: Site, Name: "St Elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.AddLocation(ctx, Location{Kind: Site, Name: "Community Hospital"})
	if err != nil {
		t.Fatal(err)
	}
	ward, err := db.AddLocation(ctx, Location{Kind: Ward, Name: "Ward 7", ParentID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	w.siteA, w.siteB = a.ID, b.ID
	for i, loc := range []int64{ward.ID, ward.ID, a.ID, b.ID} {
		if err := db.SetDeviceLocation(ctx, w.devices[i], loc); err != nil {
			t.Fatal(err)
		}
	}
	w.findings = sampleFindings(w.advs, w.devices)
	slices.SortFunc(w.findings, byDevice)
	if _, err := db.ReplaceFindings(ctx, w.findings, matchedAt); err != nil {
		t.Fatal(err)
	}
	for i := range w.findings {
		f := &w.findings[i]
		f.FirstMatched, f.LastMatched = matchedAt, matchedAt
		f.DeviceName = w.names[f.DeviceID]
		f.AdvisoryTitle = byID(t, w.advs, f.AdvisoryID).Title
	}
	return w
}

var sampleStatuses = []string{StatusAffected, StatusAffected, StatusUnderInvestigation,
	StatusFixed, StatusNotAffected}

// sampleFindings are made-up findings of real advisories: most devices
// match most advisories, on up to three of their vulnerabilities, with
// varied statuses, confidences and priorities.
func sampleFindings(advs []*advisory.Advisory, devices []string) []FindingRow {
	var out []FindingRow
	for i, dev := range devices {
		for j, a := range advs {
			if (i+j)%4 == 3 {
				continue
			}
			p := a.Products[0]
			for k, v := range a.Vulns[:min(3, len(a.Vulns))] {
				n := i*7 + j*3 + k
				prio := (i*13 + j*29 + k*7) % 101
				out = append(out, FindingRow{DeviceID: dev, AdvisoryID: a.ID, CVE: v.CVE,
					Status: sampleStatuses[n%len(sampleStatuses)], Confidence: float64(n%10)/10 + 0.05,
					Kind: "vendor_model", Product: p.FullName, ProductID: p.ID,
					ProductRange: p.Version + p.Range,
					Reason:       fmt.Sprintf("vendor %s and model %s match", p.Vendor, p.Name),
					Priority:     prio, Level: sampleLevel(prio), SSVC: "attend",
					Reasons: []string{fmt.Sprintf("CVSS base score (+%d)", prio/2)},
					Decided: n%5 == 1, Reopened: n%10 == 6})
			}
		}
	}
	return out
}

func sampleLevel(p int) string {
	switch {
	case p >= 80:
		return "critical"
	case p >= 60:
		return "high"
	case p >= 40:
		return "medium"
	}
	return "low"
}

// allFindings reads every finding of q's selection, page by page.
func allFindings(t *testing.T, db *DB, q FindingQuery) ([]FindingRow, int) {
	t.Helper()
	var out []FindingRow
	total := -1
	for pages := 0; ; pages++ {
		page, err := db.Findings(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if total >= 0 && page.Total != total {
			t.Fatalf("page %d totals %d, the first %d", pages, page.Total, total)
		}
		total = page.Total
		out = append(out, page.Rows...)
		if page.Next == "" {
			return out, total
		}
		if pages > 1000 {
			t.Fatal("endless pages")
		}
		q.After = page.Next
	}
}

// findingOpts compare findings read back with those replaced.
var findingOpts = gocmp.Options{cmpopts.EquateEmpty(),
	gocmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })}

func TestReplaceFindings(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		w := newFindingWorld(t, db)
		got, _ := allFindings(t, db, FindingQuery{Order: "device"})
		if diff := gocmp.Diff(w.findings, got, findingOpts); diff != "" {
			t.Fatalf("findings read back (-want +got):\n%s", diff)
		}

		// A day later: the first ten findings are gone, one is new, the
		// rest persist with another priority.
		later := matchedAt.Add(24 * time.Hour)
		next := slices.Clone(w.findings[10:])
		for i := range next {
			next[i].Priority = 100 - next[i].Priority
		}
		fresh := w.findings[0]
		fresh.CVE, fresh.Reasons = "CVE-2099-0001", nil
		next = append(next, fresh)
		ch, err := db.ReplaceFindings(ctx, next, later)
		if err != nil {
			t.Fatal(err)
		}
		if want := (FindingChanges{New: 1, Kept: len(w.findings) - 10, Gone: 10}); ch != want {
			t.Errorf("changes %+v, want %+v", ch, want)
		}
		for i := range next {
			next[i].LastMatched = later
		}
		next[len(next)-1].FirstMatched = later
		slices.SortFunc(next, byDevice)
		got, _ = allFindings(t, db, FindingQuery{Order: "device"})
		if diff := gocmp.Diff(next, got, findingOpts); diff != "" {
			t.Errorf("findings a day later (-want +got):\n%s", diff)
		}

		// An hour later, a ruling settles one finding; the rest are as
		// they were.
		last := later.Add(time.Hour)
		next[5].Status, next[5].Decided, next[5].Reopened = StatusNotAffected, true, false
		ch, err = db.ReplaceFindings(ctx, next, last)
		if err != nil {
			t.Fatal(err)
		}
		if want := (FindingChanges{Kept: len(next)}); ch != want {
			t.Errorf("changes %+v, want %+v", ch, want)
		}
		for i := range next {
			next[i].LastMatched = last
		}
		got, _ = allFindings(t, db, FindingQuery{Order: "device"})
		if diff := gocmp.Diff(next, got, findingOpts); diff != "" {
			t.Errorf("findings after a ruling (-want +got):\n%s", diff)
		}
	})
}

func byDevice(a, b FindingRow) int { return compareKeys(a.key(), b.key()) }

func TestReplaceDeviceAndAdvisoryFindings(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		w := newFindingWorld(t, db)
		later := matchedAt.Add(time.Hour)
		dev := w.devices[1]
		var mine []FindingRow
		for _, f := range w.findings {
			if f.DeviceID == dev && f.AdvisoryID != "ICSMA-21-187-01" {
				mine = append(mine, f)
			}
		}
		ch, err := db.ReplaceDeviceFindings(ctx, dev, mine, later)
		if err != nil {
			t.Fatal(err)
		}
		if ch.New != 0 || ch.Kept != len(mine) || ch.Gone == 0 {
			t.Errorf("device changes %+v, want %d kept and some gone", ch, len(mine))
		}
		want := w.expect(func(f *FindingRow) bool {
			return f.DeviceID != dev || f.AdvisoryID != "ICSMA-21-187-01"
		})
		for i := range want {
			if want[i].DeviceID == dev {
				want[i].LastMatched = later
			}
		}
		got, _ := allFindings(t, db, FindingQuery{Order: "device"})
		if diff := gocmp.Diff(want, got, findingOpts); diff != "" {
			t.Errorf("after a device's match (-want +got):\n%s", diff)
		}

		// ICSMA-20-170-01 matched again, an hour later, finds the same.
		again := matchedAt.Add(2 * time.Hour)
		var its []FindingRow
		for i := range want {
			if want[i].AdvisoryID == "ICSMA-20-170-01" {
				want[i].LastMatched = again
				its = append(its, want[i])
			}
		}
		ch, err = db.ReplaceAdvisoryFindings(ctx, "ICSMA-20-170-01", its, again)
		if err != nil {
			t.Fatal(err)
		}
		if ch != (FindingChanges{Kept: len(its)}) {
			t.Errorf("advisory changes %+v, want %d kept", ch, len(its))
		}
		got, _ = allFindings(t, db, FindingQuery{Order: "device"})
		if diff := gocmp.Diff(want, got, findingOpts); diff != "" {
			t.Errorf("after an advisory's match (-want +got):\n%s", diff)
		}

		ch, err = db.ReplaceAdvisoryFindings(ctx, "ICSMA-20-049-01", nil, later)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Gone == 0 || ch.New+ch.Kept != 0 {
			t.Errorf("advisory changes %+v, want only some gone", ch)
		}
		page, err := db.Findings(ctx, FindingQuery{AdvisoryID: "ICSMA-20-049-01"})
		if err != nil || page.Total != 0 {
			t.Errorf("findings of an advisory that matches nothing now: %d (%v)", page.Total, err)
		}

		other := w.findings[0]
		other.DeviceID = w.devices[2]
		for _, c := range []struct {
			name string
			err  error
		}{
			{"another device's", func() error {
				_, err := db.ReplaceDeviceFindings(ctx, dev, []FindingRow{other}, later)
				return err
			}()},
			{"another advisory's", func() error {
				_, err := db.ReplaceAdvisoryFindings(ctx, "ICSMA-20-170-01", w.findings[:1], later)
				return err
			}()},
			{"no device", func() error {
				_, err := db.ReplaceDeviceFindings(ctx, " ", nil, later)
				return err
			}()},
		} {
			if !errors.Is(c.err, ErrInvalid) {
				t.Errorf("%s finding: got %v, want ErrInvalid", c.name, c.err)
			}
		}
	})
}

// expect is w's findings that keep selects, by device.
func (w *findingWorld) expect(keep func(*FindingRow) bool) []FindingRow {
	var out []FindingRow
	for _, f := range w.findings {
		if keep(&f) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, byDevice)
	return out
}

func TestReplaceFindingsInvalid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		w := newFindingWorld(t, db)
		f := w.findings[0]
		for _, c := range []struct {
			name string
			edit func(*FindingRow)
			want string
		}{
			{"no device", func(f *FindingRow) { f.DeviceID = "" }, "no device id"},
			{"no advisory", func(f *FindingRow) { f.AdvisoryID = " " }, "no advisory id"},
			{"unknown status", func(f *FindingRow) { f.Status = "known_affected" }, "unknown status"},
			{"confidence", func(f *FindingRow) { f.Confidence = 1.2 }, "confidence 1.2"},
			{"priority", func(f *FindingRow) { f.Priority = 101 }, "priority 101"},
			{"bad reason", func(f *FindingRow) { f.Reason = "a\x00b" }, "reason holds a NUL"},
			{"bad priority reason", func(f *FindingRow) { f.Reasons = []string{"\xff"} },
				"priority reason is not valid UTF-8"},
		} {
			bad := f
			c.edit(&bad)
			fs := append(slices.Clone(w.findings[1:]), bad)
			_, err := db.ReplaceFindings(ctx, fs, matchedAt.Add(time.Hour))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: got %v, want ErrInvalid saying %q", c.name, err, c.want)
			}
		}
		twice := append(slices.Clone(w.findings), w.findings[3])
		if _, err := db.ReplaceFindings(ctx, twice, matchedAt.Add(time.Hour)); !errors.Is(err, ErrInvalid) ||
			!strings.Contains(err.Error(), "given twice") {
			t.Errorf("a finding given twice: got %v, want ErrInvalid", err)
		}
		if _, err := db.ReplaceFindings(ctx, nil, time.Time{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("no match time: got %v, want ErrInvalid", err)
		}
		got, _ := allFindings(t, db, FindingQuery{Order: "device"})
		if diff := gocmp.Diff(w.findings, got, findingOpts); diff != "" {
			t.Errorf("refused replacements changed the findings (-want +got):\n%s", diff)
		}
	})
}

func TestFindingsQuery(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newFindingWorld(t, db)
		inSites := func(ids ...int) func(*FindingRow) bool {
			return func(f *FindingRow) bool {
				for _, i := range ids {
					if f.DeviceID == w.devices[i] {
						return true
					}
				}
				return false
			}
		}
		for _, c := range []struct {
			name string
			q    FindingQuery
			keep func(*FindingRow) bool
		}{
			{"all by priority", FindingQuery{}, func(*FindingRow) bool { return true }},
			{"device", FindingQuery{DeviceID: w.devices[3], Order: "device"},
				func(f *FindingRow) bool { return f.DeviceID == w.devices[3] }},
			{"advisory", FindingQuery{AdvisoryID: "ICSMA-20-170-01", Order: "confidence"},
				func(f *FindingRow) bool { return f.AdvisoryID == "ICSMA-20-170-01" }},
			{"cve", FindingQuery{CVE: "CVE-2019-0708"},
				func(f *FindingRow) bool { return f.CVE == "CVE-2019-0708" }},
			{"cves of an alert", FindingQuery{CVEs: []string{"CVE-2019-0708", "CVE-2017-0143"}},
				func(f *FindingRow) bool { return f.CVE == "CVE-2019-0708" || f.CVE == "CVE-2017-0143" }},
			{"affected or under investigation", FindingQuery{Status: []string{StatusAffected,
				StatusUnderInvestigation}}, func(f *FindingRow) bool {
				return f.Status == StatusAffected || f.Status == StatusUnderInvestigation
			}},
			{"for action", FindingQuery{MinConfidence: 0.6, Status: []string{StatusAffected}},
				func(f *FindingRow) bool { return f.Confidence >= 0.6 && f.Status == StatusAffected }},
			{"review queue", FindingQuery{BelowConfidence: 0.6, Undecided: true, Order: "confidence"},
				func(f *FindingRow) bool { return f.Confidence < 0.6 && (!f.Decided || f.Reopened) }},
			{"site A", FindingQuery{SiteIDs: []int64{w.siteA}}, inSites(0, 1, 2)},
			{"sites A and B by device", FindingQuery{SiteIDs: []int64{w.siteA, w.siteB},
				Order: "device"}, inSites(0, 1, 2, 3)},
			{"nothing", FindingQuery{DeviceID: "mac:nobody"}, func(*FindingRow) bool { return false }},
		} {
			t.Run(c.name, func(t *testing.T) {
				want := w.expect(c.keep)
				if len(want) == 0 && c.name != "nothing" || len(want) == len(w.findings) &&
					c.name != "all by priority" {
					t.Fatalf("the sample has %d of %d findings for the case", len(want),
						len(w.findings))
				}
				sortFindings(want, cmp.Or(c.q.Order, "priority"))
				for _, limit := range []int{0, 7} {
					q := c.q
					q.Limit = limit
					got, total := allFindings(t, db, q)
					if diff := gocmp.Diff(want, got, findingOpts); diff != "" {
						t.Errorf("limit %d (-want +got):\n%s", limit, diff)
					}
					if total != len(want) {
						t.Errorf("limit %d: total %d, want %d", limit, total, len(want))
					}
				}
			})
		}
	})
}

// sortFindings sorts fs in a FindingQuery order.
func sortFindings(fs []FindingRow, order string) {
	slices.SortFunc(fs, func(a, b FindingRow) int {
		switch order {
		case "priority":
			return cmp.Or(cmp.Compare(b.Priority, a.Priority), byDevice(a, b))
		case "confidence":
			return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), byDevice(a, b))
		}
		return byDevice(a, b)
	})
}

func TestFindingsQueryInvalid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		newFindingWorld(t, db)
		page, err := db.Findings(ctx, FindingQuery{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			q    FindingQuery
		}{
			{"unknown order", FindingQuery{Order: "cvss"}},
			{"unknown status", FindingQuery{Status: []string{"known_affected"}}},
			{"malformed cursor", FindingQuery{After: "not a cursor"}},
			{"cursor of another order", FindingQuery{Order: "device", After: page.Next}},
			{"bad text", FindingQuery{DeviceID: "\xff"}},
		} {
			if _, err := db.Findings(ctx, c.q); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: got %v, want ErrInvalid", c.name, err)
			}
		}
	})
}

func TestFindingCounts(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newFindingWorld(t, db)
		for _, c := range []struct {
			name  string
			scope FindingScope
			in    func(*FindingRow) bool
		}{
			{"all", FindingScope{Threshold: 0.6}, func(*FindingRow) bool { return true }},
			{"site B", FindingScope{SiteIDs: []int64{w.siteB}, Threshold: 0.5},
				func(f *FindingRow) bool { return f.DeviceID == w.devices[3] }},
		} {
			t.Run(c.name, func(t *testing.T) {
				want := FindingFigures{ByLevel: map[string]int{}, ByStatus: map[string]int{}}
				devices := map[string]bool{}
				for _, f := range w.expect(c.in) {
					action := f.Confidence >= c.scope.Threshold || f.Decided && !f.Reopened
					want.count(f.Status, f.Level, action, 1)
					if action && f.Status == StatusAffected {
						devices[f.DeviceID] = true
					}
				}
				want.Devices = len(devices)
				got, err := db.FindingCounts(t.Context(), c.scope)
				if err != nil {
					t.Fatal(err)
				}
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("counts (-want +got):\n%s", diff)
				}
				if want.Total == 0 || want.Review == 0 || want.Devices == 0 {
					t.Errorf("the sample counts too little: %+v", want)
				}
			})
		}
		if _, err := db.FindingCounts(t.Context(), FindingScope{Threshold: 2}); !errors.Is(err, ErrInvalid) {
			t.Errorf("a threshold of 2: got %v, want ErrInvalid", err)
		}
	})
}

func TestAdvisoryDevices(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newFindingWorld(t, db)
		for _, min := range []float64{0, 0.6} {
			devices := map[string]bool{}
			for _, f := range w.findings {
				if f.AdvisoryID == "ICSMA-20-170-01" && f.Status == StatusAffected &&
					(f.Confidence >= min || f.Decided && !f.Reopened) {
					devices[f.DeviceID] = true
				}
			}
			page, err := db.ListAdvisories(t.Context(), AdvisoryQuery{Search: "ICSMA-20-170-01",
				MinConfidence: min})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) != 1 || page[0].Devices != len(devices) || len(devices) == 0 {
				t.Errorf("confidence %v: %+v, want %d devices", min, page, len(devices))
			}
		}
	})
}

// FuzzFindingsCursor asks for pages after arbitrary cursors: each is a
// page or ErrInvalid, never a panic or another error.
//
// ci-fuzz: 2000x
func FuzzFindingsCursor(f *testing.F) {
	db := backend{name: "sqlite", target: f.TempDir()}.open(f, Options{})
	fs := sampleFindings(readAdvisories(f), []string{"mac:a", "mac:b", "mac:c"})
	if _, err := db.ReplaceFindings(f.Context(), fs, matchedAt); err != nil {
		f.Fatal(err)
	}
	for _, order := range []string{"priority", "confidence", "device"} {
		page, err := db.Findings(f.Context(), FindingQuery{Order: order, Limit: 3})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(order, page.Next)
	}
	f.Add("priority", "eyJvIjoicHJpb3JpdHkiLCJuIjoxZTMwOCwiZCI6IiIsImEiOiIifQ")
	f.Fuzz(func(t *testing.T, order, after string) {
		page, err := db.Findings(t.Context(), FindingQuery{Order: order, After: after, Limit: 5})
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("order %q after %q: %v", order, after, err)
			}
			return
		}
		if len(page.Rows) > 5 || page.Total != len(fs) {
			t.Fatalf("order %q after %q: %d rows of %d", order, after, len(page.Rows), page.Total)
		}
	})
}
