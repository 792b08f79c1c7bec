package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/demo"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/store"
)

// icsmaCopy is the copy of CISA's 144 ICS medical advisories kept for
// the matcher's tests.
const icsmaCopy = "../match/testdata/advisories/icsma"

// demoTrust fills s with the demo trust's capture and asset register.
func demoTrust(t *testing.T, s *Service) {
	t.Helper()
	ctx := context.Background()
	var pcap bytes.Buffer
	devs, err := demo.Write(&pcap, demo.Options{Seed: 1, Start: time.Unix(1_700_000_000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Capture(ctx, &pcap, "trust.pcap", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, bytes.NewReader(demo.Register(devs, 1)), "cmms.csv", "", "test"); err != nil {
		t.Fatal(err)
	}
}

// TestImportFeeds imports the ICSMA advisories into the demo trust: its
// devices are matched, importing again changes nothing, and a ruling
// applies at the next match.
func TestImportFeeds(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	demoTrust(t, s)
	res, err := s.ImportFeeds(ctx, icsmaCopy, advisory.LoadOptions{}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if res.Advisories.Added != 144 || len(res.Problems) != 0 || res.Findings.Findings == 0 {
		t.Fatalf("first import: %+v", res)
	}
	again, err := s.ImportFeeds(ctx, icsmaCopy, advisory.LoadOptions{}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if again.Advisories.Unchanged != 144 || again.Findings.Changes.New != 0 ||
		again.Findings.Changes.Gone != 0 || again.Findings.Findings != res.Findings.Findings {
		t.Errorf("second import: %+v, want everything unchanged", again)
	}

	reach, err := s.DB.DeviceReach(ctx)
	if err != nil || len(reach) == 0 {
		t.Fatalf("device reach: %v, %d devices", err, len(reach))
	}
	exposed := false
	all, _ := s.DB.Findings(ctx, store.FindingQuery{Limit: 500})
	for _, f := range all.Rows {
		for _, r := range f.Reasons {
			exposed = exposed || strings.Contains(r, "talks to the internet") ||
				strings.Contains(r, "reached from other subnets")
		}
	}
	if !exposed {
		t.Error("no finding's priority weighs the device's exposure")
	}
	page, err := s.DB.Findings(ctx, store.FindingQuery{Status: []string{store.StatusAffected},
		MinConfidence: 0.6, Limit: 1})
	if err != nil || len(page.Rows) == 0 {
		t.Fatalf("findings: %v %+v", err, page)
	}
	f := page.Rows[0]
	dev, err := s.DB.GetDevice(ctx, f.DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := s.registerEntries(ctx)
	md := matchDevice(dev.Device, entries[f.DeviceID], nil, match.DefaultVendors())
	err = s.DB.SaveDecision(ctx, store.DecisionRow{Vuln: f.CVE,
		VendorKey: match.DefaultVendors().Key(md.Vendor), ModelKey: match.ModelKey(md.Model),
		Version: match.VersionKey(md.Version), Vendor: md.Vendor, Model: md.Model,
		Status:        store.StatusNotAffected,
		Justification: "vulnerable_code_not_in_execute_path", Actor: "alice",
		AdvisoryID: f.AdvisoryID, ProductID: f.ProductID, ProductRange: f.ProductRange})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rematch(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := s.DB.Findings(ctx, store.FindingQuery{DeviceID: f.DeviceID, CVE: f.CVE,
		AdvisoryID: f.AdvisoryID})
	if err != nil || len(after.Rows) != 1 {
		t.Fatalf("after the ruling: %v %+v", err, after)
	}
	if r := after.Rows[0]; !r.Decided || r.Status != store.StatusNotAffected ||
		!r.FirstMatched.Equal(f.FirstMatched) {
		t.Errorf("after the ruling: %+v, want decided, not affected, first matched kept", r)
	}
	evs, _ := s.DB.ListAudit(ctx, 0, 100)
	imports := 0
	for _, e := range evs {
		if e.Action == "feeds.import" {
			imports++
		}
	}
	if imports != 2 {
		t.Errorf("%d feeds.import audit events, want 2", imports)
	}
}

// TestWatchFeeds adds an advisory to a watched folder and sees it
// imported once the change has settled.
func TestWatchFeeds(t *testing.T) {
	s := newService(t)
	dir := t.TempDir()
	copyFile(t, filepath.Join(icsmaCopy, "icsma-20-049-01.json"), filepath.Join(dir, "a.json"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reports := make(chan FeedsResult, 10)
	done := make(chan error, 1)
	go func() {
		done <- s.WatchFeeds(ctx, dir, 20*time.Millisecond, advisory.LoadOptions{}, "watch",
			func(r FeedsResult, err error) {
				if err != nil {
					t.Errorf("watch import: %v", err)
				}
				reports <- r
			})
	}()
	if r := <-reports; r.Advisories.Added != 1 {
		t.Fatalf("first import: %+v", r.Advisories)
	}
	copyFile(t, filepath.Join(icsmaCopy, "icsma-18-156-01.json"), filepath.Join(dir, "b.json"))
	select {
	case r := <-reports:
		if r.Advisories.Added != 1 || r.Advisories.Unchanged != 1 {
			t.Errorf("after adding a file: %+v, want 1 added and 1 unchanged", r.Advisories)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no import after a file was added")
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSBOMAttached imports a CycloneDX SBOM: it is attached to the
// vendor, model and version of its metadata component, and a device of
// that model and version is matched with its components.
func TestSBOMAttached(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	res, err := s.ImportFeeds(ctx, "../advisory/testdata/cyclonedx/infulink-gateway-3.2.1.cdx-1.4.json",
		advisory.LoadOptions{}, "alice")
	if err != nil || res.SBOMs != 1 {
		t.Fatalf("import: %v, %+v", err, res)
	}
	sboms, err := s.sbomIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := match.DefaultVendors()
	for _, c := range []struct {
		version string
		want    bool
	}{{"3.2.1", true}, {"v3.2.1", true}, {"3.3.0", false}} {
		d := store.Device{ID: "mac:x", Vendor: "Northwind Medical Systems",
			Model: "InfuLink Gateway Firmware", Software: "InfuLink " + c.version}
		md := matchDevice(d, nil, sboms, v)
		if got := len(md.Components) > 0; got != c.want {
			t.Errorf("version %s: components %v, want %v", c.version, got, c.want)
		}
	}
}
