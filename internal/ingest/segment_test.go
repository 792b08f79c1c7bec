package ingest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/segment"
	"github.com/wardhq/ward/internal/store"
)

// TestSegmentationService runs the service on the demo trust: with no
// policy saved the template is evaluated; a bad policy is refused and
// stores nothing; the template blocks critical flows, so enforcing rules
// need a sign-off that covers them, and log-only rules do not.
func TestSegmentationService(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	demoTrust(t, s)

	seg, err := s.Segmentation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if seg.Version != nil || seg.Policy.Name != segment.Template().Name || len(seg.Flows) == 0 ||
		len(seg.Devices) == 0 {
		t.Fatalf("before any save: version %v, policy %q, %d devices, %d flows", seg.Version,
			seg.Policy.Name, len(seg.Devices), len(seg.Flows))
	}

	var pe *segment.PolicyError
	_, err = s.SavePolicy(ctx, []byte("ward_policy: 1\nzones: [{name: a}]\nconduits:\n"+
		"  - {from: a, to: b, services: [tcp/22]}\n"), "alice", "")
	if !errors.As(err, &pe) {
		t.Fatalf("bad policy: %v, want a PolicyError", err)
	}
	if _, err := s.DB.CurrentPolicy(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after a bad save: %v, want no policy in force", err)
	}

	tmpl := segment.TemplateYAML()
	v, err := s.SavePolicy(ctx, tmpl, "alice", "template")
	if err != nil {
		t.Fatal(err)
	}
	if seg, err = s.Segmentation(ctx); err != nil || seg.Version == nil || seg.Version.ID != v.ID {
		t.Fatalf("after the save: %v, %+v", err, seg.Version)
	}
	_, err = s.ExportRules(ctx, seg.Policy, "nftables", segment.ExportOptions{})
	var se *SignoffError
	if !errors.As(err, &se) || !errors.Is(err, ErrSignoffNeeded) || len(se.Flows) == 0 {
		t.Fatalf("enforcing export without a sign-off: %v, want a SignoffError", err)
	}
	if _, err := s.ExportRules(ctx, seg.Policy, "nftables", segment.ExportOptions{LogOnly: true}); err != nil {
		t.Errorf("log-only export: %v", err)
	}
	so, err := s.SignOff(ctx, seg.Policy, "cora", "Pumps lose drug-library updates",
		"Updates are manual for a week while conduits are reviewed")
	if err != nil || len(so.Flows) != len(se.Flows) {
		t.Fatalf("sign-off: %v, %+v", err, so)
	}
	out, err := s.ExportRules(ctx, seg.Policy, "cisco", segment.ExportOptions{})
	if err != nil || !strings.Contains(string(out), "ip access-list extended") {
		t.Errorf("export after the sign-off: %v", err)
	}
	if _, err := s.ExportRules(ctx, seg.Policy, "pf", segment.ExportOptions{}); err == nil {
		t.Error("an unknown rule format was accepted")
	}
}

// TestCrossZoneExposure checks that, once a policy is in force, the
// devices that flows from other zones reach are exposed across zones,
// and that none are without a policy.
func TestCrossZoneExposure(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	demoTrust(t, s)
	if cross, err := s.crossZone(ctx); err != nil || cross != nil {
		t.Fatalf("without a policy: %v, %v, want nothing", cross, err)
	}
	if _, err := s.SavePolicy(ctx, segment.TemplateYAML(), "alice", ""); err != nil {
		t.Fatal(err)
	}
	cross, err := s.crossZone(ctx)
	if err != nil || len(cross) == 0 {
		t.Fatalf("with the template: %v, %d devices, want some", err, len(cross))
	}
	seg, err := s.Segmentation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range seg.Flows {
		f := &seg.Flows[i]
		d := seg.Eval.Decide(f)
		if f.DstDevice != "" && d.Src.Zone != d.Dst.Zone && !cross[f.DstDevice] {
			t.Errorf("%s reached from zone %s into %s, not marked", f.DstDevice, d.Src.Zone, d.Dst.Zone)
		}
	}
	devs, err := s.matchDevices(ctx, match.DefaultVendors())
	if err != nil {
		t.Fatal(err)
	}
	marked := 0
	for _, d := range devs {
		if d.Exposure.CrossZone {
			marked++
		}
	}
	if marked != len(cross) {
		t.Errorf("matching sees %d devices exposed across zones, want %d", marked, len(cross))
	}
}
