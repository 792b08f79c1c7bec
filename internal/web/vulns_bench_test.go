package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/demo"
)

// BenchmarkReadFindingRequest measures the findings pages' query parser
// on the fuzz target's seeds.
func BenchmarkReadFindingRequest(b *testing.B) {
	var qs []url.Values
	for _, s := range findingQuerySeeds {
		v, err := url.ParseQuery(s)
		if err == nil {
			qs = append(qs, v)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, v := range qs {
			readFindingRequest(v, false)
		}
	}
}

// BenchmarkDecisionJSON measures decoding and checking a ruling's body.
func BenchmarkDecisionJSON(b *testing.B) {
	body := []byte(`{"device_id":"mac:f8:c6:78:38:3d:f8","advisory":"ICSMA-19-164-01",` +
		`"cve":"CVE-2019-10959","status":"not_affected","justification":"component_not_present",` +
		`"note":"the gateway's web server is turned off on our units"}`)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/v1/decisions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		var in apiNewDecision
		if !decodeJSON(httptest.NewRecorder(), req, &in) || in.check() != nil {
			b.Fatal("refused")
		}
	}
}

// vulnBenchServer is a server holding the demo trust matched against the
// 144 ICSMA advisories, and an admin's session cookie.
func vulnBenchServer(b *testing.B) (*Server, *http.Cookie) {
	b.Helper()
	ctx := context.Background()
	s := vulnServer(b)
	var pcap bytes.Buffer
	devs, err := demo.Write(&pcap, demo.Options{Seed: 1, Start: time.Unix(1_700_000_000, 0)})
	if err != nil {
		b.Fatal(err)
	}
	ing := s.cfg.Ingest
	if _, err := ing.Capture(ctx, &pcap, "trust.pcap", "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := ing.Register(ctx, bytes.NewReader(demo.Register(devs, 1)), "cmms.csv", "",
		"bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := ing.ImportFeeds(ctx, icsmaDir, advisory.LoadOptions{}, "bench"); err != nil {
		b.Fatal(err)
	}
	return s, sessionCookieFor(b, s, auth.RoleAdmin)
}

// BenchmarkVulnerabilityPages measures the server time of the pages
// over the demo trust's 765 findings, rendered; each reports its p95 in
// milliseconds.
func BenchmarkVulnerabilityPages(b *testing.B) {
	s, cookie := vulnBenchServer(b)
	h := s.Handler()
	for _, c := range []struct{ name, path string }{
		{"list", "/vulnerabilities"},
		{"list high", "/vulnerabilities?level=high&sort=confidence"},
		{"list search", "/vulnerabilities?q=alaris"},
		{"list every status, 500", "/vulnerabilities?status=any&limit=500"},
		{"review queue", "/vulnerabilities/review"},
		{"advisories", "/advisories"},
		{"advisory", "/advisories/ICSMA-20-254-01"},
		{"csv", "/vulnerabilities.csv?status=any"},
		{"api findings", "/api/v1/findings?limit=500"},
		{"openvex, no rulings", "/api/v1/vex"},
	} {
		b.Run(c.name, func(b *testing.B) {
			var took []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", c.path, nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				took = append(took, time.Since(t0))
				if rec.Code != http.StatusOK && rec.Code != http.StatusConflict {
					b.Fatalf("%s: status %d", c.path, rec.Code)
				}
			}
			b.ReportMetric(p95(took), "p95-ms")
		})
	}
}

// BenchmarkFeedUpload measures an upload of one real advisory already
// stored: spooled, read, found unchanged, and every device matched again.
func BenchmarkFeedUpload(b *testing.B) {
	s, _ := vulnBenchServer(b)
	feed, err := os.ReadFile(filepath.Join(icsmaDir, "icsma-20-254-01.json"))
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/api/v1/feeds", nil)
	b.ReportAllocs()
	for b.Loop() {
		up, err := s.importFeed(req, "icsma-20-254-01.json", bytes.NewReader(feed), "bench")
		if err != nil || up.status != 0 {
			b.Fatalf("%v %d %s", err, up.status, up.msg)
		}
	}
}
