package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/store"
)

// cveSeeds are the CVE lists of a few real advisories, written as people
// paste them into the alert form.
func cveSeeds(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, f := range []string{"icsma-20-023-01.json", "icsma-19-080-01.json", "icsma-21-007-01.json"} {
		path := filepath.Join(icsmaAdvisories, f)
		set, err := advisory.Load(context.Background(), path, advisory.LoadOptions{})
		if err != nil || len(set.Advisories) != 1 {
			tb.Fatalf("%s: %v", f, err)
		}
		var cves []string
		for _, v := range set.Advisories[0].Vulns {
			if v.CVE != "" {
				cves = append(cves, v.CVE)
			}
		}
		out = append(out, strings.Join(cves, ", "), strings.ToLower(strings.Join(cves, "\n")),
			strings.Join(cves, " ; "))
	}
	return out
}

// FuzzParseCVEList checks the alert form's CVE list: no panic, and what
// it accepts are CVE IDs in upper case, each once, that parse again to
// themselves.
// ci-fuzz: 10000x
func FuzzParseCVEList(f *testing.F) {
	for _, s := range cveSeeds(f) {
		f.Add(s)
	}
	f.Add("CVE-2020-6961, CVE-20-1")
	f.Add("cve-1999-0001 CVE-2024-1234567")
	f.Fuzz(func(t *testing.T, text string) {
		ids, err := parseCVEList(splitCVEList(text))
		if err != nil {
			if len(ids) != 0 {
				t.Fatalf("refused %q with %v but returned %v", text, err, ids)
			}
			return
		}
		if len(ids) > maxCVEs {
			t.Fatalf("%d CVEs accepted", len(ids))
		}
		for _, id := range ids {
			if !cveIDPattern.MatchString(id) || strings.ToUpper(id) != id {
				t.Fatalf("accepted %q from %q", id, text)
			}
		}
		sorted := slices.Clone(ids)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(ids) {
			t.Fatalf("repeats in %v", ids)
		}
		again, err := parseCVEList(splitCVEList(strings.Join(ids, ", ")))
		if err != nil || !slices.Equal(again, ids) {
			t.Fatalf("%v parses again to %v, %v", ids, again, err)
		}
	})
}

// FuzzNewAlert checks an alert as a form or a client sends it: no
// panic, and an accepted one has a known severity, valid CVEs, text the
// store keeps, and the clock its severity gives it.
// ci-fuzz: 10000x
func FuzzNewAlert(f *testing.F) {
	for _, s := range cveSeeds(f) {
		f.Add("CC-4251", "GE CARESCAPE", "high", s, "CARESCAPE B650", "2026-03-02T09:00")
	}
	f.Add("CC-1", "", "Medium", "", "", "2026-03-02T09:00:00Z")
	f.Add(" ", "\x00", "urgent", "CVE-20-1", "\xff", "yesterday")
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, ref, title, severity, cves, products, received string) {
		in := apiNewAlert{Reference: ref, Title: title, Severity: severity,
			CVEs: splitCVEList(cves), Products: products, ReceivedAt: received}
		a, err := in.newAlert("fuzz", now)
		if err != nil {
			if _, ok := err.(*fieldError); !ok {
				t.Fatalf("refusal %v is not a field's", err)
			}
			return
		}
		if a.Reference == "" || !slices.Contains(alertSeverities, a.Severity) ||
			a.ReceivedAt.After(now.Add(time.Hour)) {
			t.Fatalf("accepted %+v", a)
		}
		for _, s := range []string{a.Reference, a.Title, a.Products} {
			if checkNote("x", s) != nil {
				t.Fatalf("accepted text %q", s)
			}
		}
		if (a.Severity == "high") != !a.DueAt.IsZero() ||
			!a.DueAt.IsZero() && !a.DueAt.Equal(a.ReceivedAt.Add(store.AlertResponseTime)) {
			t.Fatalf("severity %s, received %v, due %v", a.Severity, a.ReceivedAt, a.DueAt)
		}
	})
}

// FuzzPatchMove checks a move's input against a plan at each state: no
// panic, and an accepted move goes to a state with a window that is
// whole and in order.
// ci-fuzz: 10000x
func FuzzPatchMove(f *testing.F) {
	f.Add(int8(3), "scheduled", "2026-12-12T22:00", "2026-12-13T02:00", false)
	f.Add(int8(1), "", "", "", false)
	f.Add(int8(5), "available", "", "", true)
	f.Add(int8(2), "deployed", "2026-12-13T02:00", "2026-12-12T22:00", true)
	f.Fuzz(func(t *testing.T, state int8, to, start, end string, force bool) {
		p := store.PatchPlan{State: store.PatchState(state)}
		if !p.State.Valid() {
			p.State = store.PatchAvailable
		}
		in := apiPatchMove{To: to, WindowStart: start, WindowEnd: end, Force: force}
		st, ws, we, err := in.check(&p)
		if err != nil {
			return
		}
		if !st.Valid() || ws.IsZero() != we.IsZero() || !we.After(ws) && !ws.IsZero() {
			t.Fatalf("accepted %+v: %s, %v to %v", in, st, ws, we)
		}
		if st == store.PatchScheduled && ws.IsZero() {
			t.Fatalf("scheduled without a window: %+v", in)
		}
	})
}

func BenchmarkParseCVEList(b *testing.B) {
	seeds := cveSeeds(b)
	text := strings.Join(seeds, ", ")
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := parseCVEList(splitCVEList(text)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewAlert(b *testing.B) {
	cves := cveSeeds(b)[0]
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		in := apiNewAlert{Reference: "CC-4251", Title: "GE CARESCAPE", Severity: "high",
			CVEs: splitCVEList(cves), Products: "CARESCAPE B650", ReceivedAt: "2026-03-02T09:00"}
		if _, err := in.newAlert("bench", now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorkflowPages renders the patch board and an alert's page
// over the demo trust matched against the ICSMA advisories: the board
// counts every device's product, the alert page reads a page of its
// devices' findings and the register behind them.
func BenchmarkWorkflowPages(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.Open(ctx, "sqlite", dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	keys, err := auditKeysFor(dir)
	if err != nil {
		b.Fatal(err)
	}
	chain, err := audit.NewChain(keys.Chain)
	if err != nil {
		b.Fatal(err)
	}
	ing := &ingest.Service{DB: db, Chain: chain}
	seedWorkflowTrust(b, ing)
	srv, err := New(Config{Store: db, Keys: keys, Ingest: ing})
	if err != nil {
		b.Fatal(err)
	}
	a, err := db.SaveAlert(ctx, store.Alert{Reference: "CC-4251", Severity: "high",
		CVEs: []string{"CVE-2020-6961", "CVE-2020-6962"}, CreatedBy: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	_, err = db.SavePatchPlan(ctx, store.PatchPlan{Vendor: "GE Healthcare", Model: "CARESCAPE B650",
		VendorKey: "ge healthcare", ModelKey: "carescape b650", FromVersion: "2.0.8", UpdatedBy: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	cookie := benchSession(b, db)
	for _, path := range []string{"/patches", fmt.Sprintf("/alerts/%d", a.ID), "/alerts"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				srv.Handler().ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// benchSession signs in an auditor and returns the session's cookie.
func benchSession(b *testing.B, db *store.DB) *http.Cookie {
	ctx := context.Background()
	u, _, err := CreateUser(ctx, db, "auditor", store.Grant{Role: auth.RoleAuditor})
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
	return &http.Cookie{Name: sessionCookie, Value: secret}
}
