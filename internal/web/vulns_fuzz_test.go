package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/store"
)

// findingQuerySeeds are queries of the findings pages as people make
// them, with real advisories' IDs and CVEs.
var findingQuerySeeds = []string{"", "level=high&ssvc=attend", "status=any&sort=confidence&limit=10",
	"advisory=ICSMA-20-023-01&cve=CVE-2020-6961", "q=alaris+gateway&site=2&sort=device",
	"status=affected&status=fixed&level=critical&level=low", "device=mac:f8:c6:78:38:3d:f8",
	"cursor=eyJvIjoicHJpb3JpdHkiLCJuIjo2NSwiZCI6Im1hYzoiLCJhIjoiSUNTTUEifQ", "limit=501",
	"status=maybe", "site=-3", "q=%00", "ssvc=track%2A"}

// FuzzFindingQuery feeds the findings pages' query parser arbitrary
// query strings: it accepts them or gives a reason, never panics, and
// what it accepts the store can run.
// ci-fuzz: 20000x
func FuzzFindingQuery(f *testing.F) {
	for _, s := range findingQuerySeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, review bool) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fr, err := readFindingRequest(v, review)
		if err != nil {
			return
		}
		q, fl := fr.q, fr.f
		if !slices.Contains(findingSorts, q.Order) || q.Limit < 1 || q.Limit > 500 || fr.site < 0 ||
			fl.Action == fl.Review || fl.Threshold != match.DefaultThreshold {
			t.Fatalf("accepted %q as %+v", raw, fr)
		}
		for _, s := range q.Status {
			if !slices.Contains(findingStatuses, s) {
				t.Fatalf("accepted status %q", s)
			}
		}
		for _, l := range append(slices.Clone(fl.Levels), fl.SSVC...) {
			if !slices.Contains(findingLevels, l) && !slices.Contains(findingSSVC, l) {
				t.Fatalf("accepted level or ssvc %q", l)
			}
		}
		for _, s := range []string{fl.Search, q.AdvisoryID, q.DeviceID, q.CVE} {
			if !plainText(s) {
				t.Fatalf("accepted text %q", s)
			}
		}
	})
}

// FuzzDecisionJSON feeds the ruling API's decoder and checks arbitrary
// bodies: refused with a 4xx or accepted, never a panic, and an accepted
// ruling is clear and text the store keeps.
// ci-fuzz: 20000x
func FuzzDecisionJSON(f *testing.F) {
	for _, j := range match.Justifications {
		f.Add([]byte(`{"device_id":"mac:f8:c6:78:38:3d:f8","advisory":"ICSMA-19-164-01",` +
			`"cve":"CVE-2019-10959","status":"not_affected","justification":"` + j + `"}`))
	}
	for _, s := range []string{`{"device_id":"mac:44:4b:5d:54:b4:e0","advisory":"ICSMA-20-023-01",` +
		`"cve":"CVE-2020-6961","status":"affected","note":"isolated on VLAN 40\nuntil B.02"}`,
		`{"device_id":"d","advisory":"a","status":"fixed","justification":"component_not_present"}`,
		`{"device_id":"d","advisory":"a","status":"under_investigation","note":"\u0007"}`,
		`{"device_id":" ","advisory":"a","status":"affected"}`, `{"status":1}`, `[]`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/api/v1/decisions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		var in apiNewDecision
		if !decodeJSON(rec, req, &in) {
			if rec.Code < 400 || rec.Code > 499 {
				t.Fatalf("refused with status %d", rec.Code)
			}
			return
		}
		if err := in.check(); err != nil {
			if de, ok := err.(*decisionError); !ok || de.status != http.StatusBadRequest {
				t.Fatalf("refusal %v is not a 400", err)
			}
			return
		}
		nf := in.Status == store.StatusNotAffected
		if in.DeviceID == "" || in.Advisory == "" || !slices.Contains(findingStatuses, in.Status) ||
			nf != (in.Justification != "") || nf && !match.ValidJustification(in.Justification) {
			t.Fatalf("accepted %+v", in)
		}
		if len(in.Note) > maxRulingNote || !utf8.ValidString(in.Note) ||
			strings.ContainsRune(in.Note, 0) {
			t.Fatalf("accepted note %q", in.Note)
		}
	})
}

// FuzzFeedFileName checks the spool's name for an uploaded file: always
// a plain name inside the folder, never hidden.
// ci-fuzz: 20000x
func FuzzFeedFileName(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join(icsmaDir, "*.json"))
	for _, n := range names[:min(len(names), 10)] {
		f.Add(filepath.Base(n))
	}
	for _, s := range []string{"known_exploited_vulnerabilities.csv", "CVE-2022-2119.epss.csv.gz",
		"../../x", `..\..\x`, ".asc", "a/.b", "é", strings.Repeat("x", 130) + "..json"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := feedFileName(name)
		if got == "" || len(got) > 120 || strings.HasPrefix(got, ".") ||
			filepath.Base(got) != got || strings.ContainsAny(got, `/\`) {
			t.Fatalf("feedFileName(%q) = %q", name, got)
		}
	})
}

// FuzzFeedUpload uploads arbitrary files as feeds, seeded with real ones:
// each is imported or refused with a client's status, never a server
// error, and the spool folder is always removed.
// ci-fuzz: 300x
func FuzzFeedUpload(f *testing.F) {
	for _, p := range []string{filepath.Join(icsmaDir, "icsma-20-049-01.json"), epssExcerpt,
		"../advisory/testdata/openvex/infulink-gateway-3.2.1.openvex.json",
		"../advisory/testdata/cyclonedx/infulink-gateway-3.2.1.cdx-1.4.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(filepath.Base(p), b)
	}
	f.Add("icsma-x.json", []byte(`{"document":`))
	f.Add("kev.csv", []byte("cveID,vendorProject\nCVE-1,x\n"))
	tmp := f.TempDir()
	f.Setenv("TMPDIR", tmp)
	s := vulnServer(f)
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		req := httptest.NewRequest("POST", "/api/v1/feeds", nil)
		up, err := s.importFeed(req, name, bytes.NewReader(data), "fuzz")
		if err != nil {
			t.Fatalf("%q: server error %v", name, err)
		}
		switch up.status {
		case 0, http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnprocessableEntity:
		default:
			t.Fatalf("%q: status %d", name, up.status)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Fatalf("%q left %d files in the temporary folder", name, len(left))
		}
	})
}

// vulnServer is a Server on a fresh store with an ingest service, and no
// HTTP listener: for fuzz targets and benchmarks.
func vulnServer(tb testing.TB) *Server {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	db, err := store.Open(ctx, "sqlite", dir, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	keys, err := audit.LoadOrCreateKeys(dir)
	if err != nil {
		tb.Fatal(err)
	}
	chain, err := audit.NewChain(keys.Chain)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := New(Config{Store: db, Keys: keys, Ingest: &ingest.Service{DB: db, Chain: chain}})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// sessionCookieFor signs in a user of role on s and returns its cookie.
func sessionCookieFor(tb testing.TB, s *Server, role auth.Role) *http.Cookie {
	tb.Helper()
	ctx := context.Background()
	u, _, err := CreateUser(ctx, s.db, string(role), store.Grant{Role: role})
	if err != nil {
		tb.Fatal(err)
	}
	secret, hash, err := auth.NewSecret(auth.KindSession)
	if err != nil {
		tb.Fatal(err)
	}
	err = s.db.CreateSession(ctx, store.Session{IDHash: []byte(hash), UserID: u.ID,
		ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Cookie{Name: sessionCookie, Value: secret}
}
