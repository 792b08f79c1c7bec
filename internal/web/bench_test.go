package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/store"
)

// benchDevices makes n made-up devices of a trust: mixed makers,
// categories and criticalities, each with a name, MAC, IP and a few facts.
func benchDevices(start, n int, base time.Time) []*inventory.Device {
	vendors := []string{"B. Braun", "BD", "Philips", "GE Healthcare", "Siemens Healthineers",
		"Mindray", "Dell", "HP", "Cisco", "Baxter", "Fujifilm", ""}
	cats := []struct{ cat, crit string }{{"infusion-pump", "life-sustaining"},
		{"patient-monitor", "life-sustaining"}, {"imaging-ct", "diagnostic"},
		{"lab-analyser", "diagnostic"}, {"workstation", "non-clinical"}, {"printer", "non-clinical"},
		{"nurse-call", "supporting"}, {"", ""}}
	out := make([]*inventory.Device, n)
	for k := range n {
		i := start + k
		mac := fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", i>>24&0xff, i>>16&0xff, i>>8&0xff, i&0xff, 7)
		ip := fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
		c := cats[i%len(cats)]
		first := base.Add(-time.Duration(i%90*24) * time.Hour)
		out[k] = &inventory.Device{ID: "mac:" + mac, MACString: mac, IPs: []string{ip},
			Vendor: vendors[i%len(vendors)], Model: fmt.Sprintf("Model %d", i%13), Category: c.cat,
			Criticality: c.crit, Names: []string{fmt.Sprintf("ward-%06d", i)},
			FirstSeen: first, LastSeen: first.Add(time.Duration(i%48) * time.Hour),
			Attributes: []inventory.Attribute{{Key: "hostname", Value: fmt.Sprintf("ward-%06d", i),
				Source: "dhcp", Confidence: 60, FirstSeen: first, LastSeen: first, Count: 2}}}
	}
	return out
}

// BenchmarkInventoryPage measures the server time of filtered inventory
// pages (list, total and filter menus, rendered) over 100,000 devices in
// SQLite, as the target states it: p95 under 100 ms. Each case
// reports its p95 in milliseconds.
func BenchmarkInventoryPage(b *testing.B) {
	ts := benchServer(b, 100_000)
	cases := []struct{ name, query string }{
		{"first page", ""},
		{"search name", "q=ward-0421"},
		{"search ip", "q=10.1.2"},
		{"search mac", "q=02:00:01"},
		{"category", "category=infusion-pump"},
		{"vendor by name", "vendor=Philips&sort=name"},
		{"criticality and seen 7d", "criticality=life-sustaining&seen=7d"},
		{"site", "site=1"},
		{"stale 30d by vendor desc", "seen=stale30d&sort=vendor&order=desc"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				req := httptest.NewRequest("GET", "/devices?"+c.query, nil)
				req.AddCookie(ts.cookie)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				ts.handler.ServeHTTP(rec, req)
				took = append(took, time.Since(t0))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
			b.ReportMetric(p95(took), "p95-ms")
		})
	}
}

func p95(d []time.Duration) float64 {
	slices.Sort(d)
	return float64(d[(len(d)*95)/100]) / float64(time.Millisecond)
}

type benchTS struct {
	handler http.Handler
	cookie  *http.Cookie
}

// benchServer is a server with n devices, a third of them placed in a
// site, and a signed-in admin's session cookie.
func benchServer(b *testing.B, n int) *benchTS {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.Open(ctx, "sqlite", dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	base := time.Now()
	for start := 0; start < n; start += 10_000 {
		devs := benchDevices(start, min(10_000, n-start), base)
		in := &store.Input{Devices: devs}
		if _, err := db.MergeInventory(ctx, in, store.File{SHA256: fmt.Sprintf("%064x", start+1)}); err != nil {
			b.Fatal(err)
		}
	}
	site, err := db.AddLocation(ctx, store.Location{Kind: store.Site, Name: "Riverside"})
	if err != nil {
		b.Fatal(err)
	}
	ward, err := db.AddLocation(ctx, store.Location{Kind: store.Ward, ParentID: site.ID, Name: "Ward 7"})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i += 3 {
		if err := db.SetDeviceLocation(ctx, benchDevices(i, 1, base)[0].ID, ward.ID); err != nil {
			b.Fatal(err)
		}
	}
	keys, err := auditKeysFor(dir)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(Config{Store: db, Keys: keys})
	if err != nil {
		b.Fatal(err)
	}
	u, _, err := CreateUser(ctx, db, "admin", store.Grant{Role: auth.RoleAdmin})
	if err != nil {
		b.Fatal(err)
	}
	secret, hash, err := auth.NewSecret(auth.KindSession)
	if err != nil {
		b.Fatal(err)
	}
	err = db.CreateSession(ctx, store.Session{IDHash: []byte(hash), UserID: u.ID,
		ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	return &benchTS{handler: srv.Handler(), cookie: &http.Cookie{Name: sessionCookie, Value: secret}}
}
