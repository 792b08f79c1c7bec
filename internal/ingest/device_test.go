package ingest

import (
	"context"
	"errors"
	"testing"

	"github.com/wardhq/ward/internal/register"
	"github.com/wardhq/ward/internal/store"
)

// TestMatchDevice checks that a device is seen as matching sees it: the
// asset register's vendor, model and version where the register names
// it, the analysis's otherwise.
func TestMatchDevice(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	demoTrust(t, s)
	entries, err := s.registerEntries(ctx)
	if err != nil || len(entries) == 0 {
		t.Fatalf("register entries: %v, %d", err, len(entries))
	}
	checked := 0
	for id, e := range entries {
		if e.Fields[register.Model] == "" {
			continue
		}
		md, err := s.MatchDevice(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if md.ID != id || md.Model != e.Fields[register.Model] ||
			md.Vendor != cmpOr(e.Fields[register.Manufacturer], md.Vendor) {
			t.Errorf("device %s: got %+v, want the register's %q %q", id, md,
				e.Fields[register.Manufacturer], e.Fields[register.Model])
		}
		if checked++; checked == 5 {
			break
		}
	}
	if checked == 0 {
		t.Fatal("no register entry names a model")
	}
	if _, err := s.MatchDevice(ctx, "mac:00:00:00:00:00:00"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown device: got %v, want store.ErrNotFound", err)
	}
}
