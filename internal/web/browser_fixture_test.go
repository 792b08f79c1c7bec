package web

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/demo"
	"github.com/wardhq/ward/internal/store"
)

// hospital is what the browser tests find in the store: the demo trust's
// devices, ingested from a capture made in memory, and a few places to put
// them.
type hospital struct {
	devices []demo.Device
	site    store.Location
	ward    store.Location // a ward inside site's building
}

// newHospital fills ts's store with the demo trust, as an upload would.
// With register set it imports the trust's asset register too.
func newHospital(t *testing.T, ts *testServer, register bool) hospital {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	devs, err := demo.Write(&buf, demo.Options{Seed: 1, Start: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.cfg.Ingest.Capture(ctx, &buf, "demo.pcap", "test"); err != nil {
		t.Fatalf("ingest the demo capture: %v", err)
	}
	h := hospital{devices: devs}
	h.site = addLocation(t, ts.db, store.Location{Kind: store.Site, Name: "Riverside General Hospital"})
	tower := addLocation(t, ts.db, store.Location{Kind: store.Building, Name: "Tower block",
		ParentID: h.site.ID})
	h.ward = addLocation(t, ts.db, store.Location{Kind: store.Ward, Name: "Ward 7 (acute medicine)",
		ParentID: tower.ID})
	addLocation(t, ts.db, store.Location{Kind: store.Ward, Name: "Critical care unit",
		ParentID: tower.ID})
	addLocation(t, ts.db, store.Location{Kind: store.Site, Name: "Hillview Community Hospital"})
	if register {
		csv := demo.Register(devs, 1)
		if _, err := ts.srv.cfg.Ingest.Register(ctx, bytes.NewReader(csv), "register.csv", "",
			"admin"); err != nil {
			t.Fatalf("import the demo register: %v", err)
		}
	}
	return h
}

func addLocation(t *testing.T, db *store.DB, l store.Location) store.Location {
	t.Helper()
	l, err := db.AddLocation(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
