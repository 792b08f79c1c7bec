package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDeviceEditJSON feeds the API's device edit decoder arbitrary bodies:
// it answers 2xx-free, never panics, and what it accepts is valid text.
func FuzzDeviceEditJSON(f *testing.F) {
	for _, s := range []string{`{"location_id": 3, "owner": "O'Brien", "tags": ["a", "b"]}`,
		`{"criticality": "life-sustaining", "notes": "<script>"}`, `{"tags": null}`, `{}`,
		`{"owner": "\u0000"}`, `{"unknown": 1}`, `[1,2]`, `{"notes": "a"} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("PATCH", "/api/v1/devices/x", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		var e deviceEdit
		if !decodeJSON(rec, req, &e) {
			if rec.Code < 400 || rec.Code > 499 {
				t.Fatalf("refused with status %d", rec.Code)
			}
			return
		}
		e.normalise()
		if e.validate() != nil {
			return
		}
		for _, v := range []*string{e.Owner, e.Notes, e.Criticality} {
			if v != nil && (!utf8.ValidString(*v) || strings.ContainsRune(*v, 0)) {
				t.Fatalf("accepted %q", *v)
			}
		}
	})
}

// FuzzInventoryQuery feeds the inventory's query parser arbitrary query
// strings: it accepts them or gives a reason, never panics, and a limit it
// accepts is within bounds.
func FuzzInventoryQuery(f *testing.F) {
	for _, s := range []string{"q=braun&category=infusion-pump&sort=name&order=desc",
		"site=3&seen=7d&limit=500", "seen=stale30d&cursor=abc", "limit=0", "site=-1", "q=%ff%fe",
		"sort=%27%3B+DROP+TABLE+devices"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		dq, err := deviceQuery(q, now)
		if err != nil {
			return
		}
		if dq.Limit < 0 || dq.Limit > 500 || dq.SiteID < 0 {
			t.Fatalf("accepted limit %d, site %d", dq.Limit, dq.SiteID)
		}
		_ = withParams(q, "cursor", "x")
	})
}

// FuzzLocalPath checks that no post-login destination leaves the server.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/devices?q=1", "//evil.example", "/\\evil", "https://evil",
		"/\t/evil.example", "javascript:alert(1)", "/%2f%2fevil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localPath(next)
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("localPath(%q) = %q, not a URL: %v", next, got, err)
		}
		base, _ := url.Parse("http://ward.example/login")
		if to := base.ResolveReference(u); to.Host != "ward.example" {
			t.Fatalf("localPath(%q) = %q leads to host %q", next, got, to.Host)
		}
		req := httptest.NewRequest("GET", "/", nil)
		rec := httptest.NewRecorder()
		http.Redirect(rec, req, got, http.StatusSeeOther)
	})
}
