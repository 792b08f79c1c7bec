package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

// deviceForm is the device page's form, every field present, with the
// given ones changed.
func deviceForm(csrf string, kv ...string) url.Values {
	v := url.Values{"location": {""}, "owner": {""}, "criticality": {""}, "notes": {""},
		"tags": {""}}
	if csrf != "" {
		v.Set(csrfField, csrf)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// TestBadInput sends what a careless or hostile client might, on one
// server: each case uses a device of its own.
func TestBadInput(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ids := seedDevices(t, ts, "lab-hl7.pcap")
	if len(ids) < 3 {
		t.Fatalf("%d devices, want 3", len(ids))
	}
	c, csrf := ts.login(t, auth.RoleAdmin)
	t.Run("forms", func(t *testing.T) { testBadForms(t, ts, c, csrf, ids[0]) })
	t.Run("kept as text", func(t *testing.T) { testKeptAsText(t, ts, c, csrf, ids, ids[1]) })
	t.Run("CSV formulas", func(t *testing.T) { testCSVFormulas(t, ts, c, ids[2]) })
}

// testBadForms posts forms too large or with text that is not text: each
// is refused with a 4xx and changes nothing.
func testBadForms(t *testing.T, ts *testServer, c *http.Client, csrf, dev string) {
	big := strings.Repeat("x", maxFormBytes+1)
	devicePath := ts.URL + "/devices/" + dev

	t.Run("too large", func(t *testing.T) {
		tests := []struct {
			name string
			req  *http.Request
		}{
			{"device form", formRequest(t, devicePath, deviceForm(csrf, "notes", big))},
			{"device form, token in the header", formRequest(t, devicePath,
				deviceForm("", "notes", big), csrfHeader, csrf)},
			{"device form, multipart", multipartRequest(t, devicePath, []formPart{
				{name: csrfField, value: csrf}, {name: "notes", value: big}})},
			{"user form", formRequest(t, ts.URL+"/users", url.Values{csrfField: {csrf},
				"name": {big}, "role": {"admin"}})},
			{"token form", formRequest(t, ts.URL+"/tokens", url.Values{csrfField: {csrf},
				"name": {"ok"}, "role": {"admin"}, "pad": {big}})},
			{"login form", formRequest(t, ts.URL+"/login", url.Values{"username": {"admin"},
				"password": {big}})},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := stateOf(t, ts, dev)
				resp, body := fetch(t, c, tc.req)
				if resp.StatusCode != http.StatusRequestEntityTooLarge {
					t.Errorf("status %d, want 413\n%.300s", resp.StatusCode, body)
				}
				if diff := cmp.Diff(before, stateOf(t, ts, dev)); diff != "" {
					t.Errorf("the store changed (-before +after):\n%s", diff)
				}
			})
		}
	})

	t.Run("not text", func(t *testing.T) {
		bad := map[string]string{
			"invalid UTF-8":        "ok \xff\xfe",
			"truncated sequence":   "caf\xc3",
			"overlong encoding":    "\xc0\xaf",
			"surrogate half":       "\xed\xa0\x80",
			"NUL byte":             "a\x00b",
			"invalid after commas": "fine, \xe2\x28\xa1",
		}
		for name, v := range bad {
			for _, field := range []string{"notes", "owner", "tags"} {
				t.Run(field+"/"+name, func(t *testing.T) {
					before := stateOf(t, ts, dev)
					resp, body := postForm(t, c, devicePath, deviceForm(csrf, field, v))
					if resp.StatusCode != http.StatusBadRequest {
						t.Errorf("status %d, want 400\n%.300s", resp.StatusCode, body)
					}
					if diff := cmp.Diff(before, stateOf(t, ts, dev)); diff != "" {
						t.Errorf("the store changed (-before +after):\n%s", diff)
					}
				})
			}
			for _, path := range []string{"/users", "/tokens"} {
				t.Run(path+"/"+name, func(t *testing.T) {
					before := stateOf(t, ts, dev)
					resp, body := postForm(t, c, ts.URL+path, url.Values{csrfField: {csrf},
						"name": {v}, "role": {"network"}})
					if resp.StatusCode != http.StatusBadRequest {
						t.Errorf("status %d, want 400\n%.300s", resp.StatusCode, body)
					}
					if diff := cmp.Diff(before, stateOf(t, ts, dev)); diff != "" {
						t.Errorf("the store changed (-before +after):\n%s", diff)
					}
				})
			}
		}
	})

	t.Run("no such site", func(t *testing.T) {
		ctx := context.Background()
		site, err := ts.db.AddLocation(ctx, store.Location{Kind: store.Site, Name: "Site"})
		if err != nil {
			t.Fatal(err)
		}
		ward, err := ts.db.AddLocation(ctx, store.Location{Kind: store.Ward, Name: "Ward",
			ParentID: site.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"99999", "-5", "0", "abc", "1e3", strconv.FormatInt(ward.ID, 10)} {
			for _, path := range []string{"/users", "/tokens"} {
				before := stateOf(t, ts, dev)
				resp, body := postForm(t, c, ts.URL+path, url.Values{csrfField: {csrf},
					"name": {"limited"}, "role": {"network"}, "site": {v}})
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "No such site.") {
					t.Errorf("%s, site %q: status %d, want 400 saying No such site.", path, v,
						resp.StatusCode)
				}
				if diff := cmp.Diff(before, stateOf(t, ts, dev)); diff != "" {
					t.Errorf("%s, site %q: the store changed (-before +after):\n%s", path, v, diff)
				}
			}
		}
	})

	t.Run("not text in queries", func(t *testing.T) {
		for _, q := range []string{"q=%FF", "q=caf%C3", "q=a%00b", "vendor=%FF", "tag=%C0%AF",
			"category=%ED%A0%80", "criticality=%FF"} {
			for _, path := range []string{"/devices", "/devices.csv"} {
				resp, body := get(t, c, ts.URL+path+"?"+q)
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("%s?%s: status %d, want 400\n%.300s", path, q, resp.StatusCode, body)
				}
			}
			resp, _ := get(t, c, ts.URL+"/api/v1/devices?"+q)
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("/api/v1/devices?%s: status %d, want a 4xx", q, resp.StatusCode)
			}
		}
		for _, q := range []string{"actor=%FF", "action=a%00", "actor=caf%C3"} {
			resp, body := get(t, c, ts.URL+"/audit?"+q)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("/audit?%s: status %d, want 400\n%.300s", q, resp.StatusCode, body)
			}
		}
	})

	t.Run("user names that are not text are audited", func(t *testing.T) {
		for _, name := range []string{"adm\xffin", "admin\x00", "\xc3"} {
			seq := lastSeq(t, ts)
			resp, _, _ := tryLogin(t, ts, name, "wrong password")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%q: status %d, want 401", name, resp.StatusCode)
			}
			evs := auditAfter(t, ts, seq)
			if len(evs) != 1 || evs[0].Action != "login.failed" {
				t.Errorf("%q: audit events %v, want one login.failed", name, actions(evs))
			}
		}
		if strings.Contains(ts.logs.String(), "audit event not written") {
			t.Errorf("the server could not write an audit event:\n%s", ts.logs.String())
		}
	})
}

// testKeptAsText stores text that looks like SQL or markup as a device's
// notes, owner and tags: it is kept exactly and shown escaped.
func testKeptAsText(t *testing.T, ts *testServer, c *http.Client, csrf string, ids []string,
	dev string) {
	ctx := context.Background()
	const (
		script = "<script>alert(1)</script>"
		drop   = "'; DROP TABLE devices; --"
		quote  = "O'Brien"
	)
	notes := drop + "\n" + script + "\n\"quoted\" & <b>bold</b>"
	owner := quote + " " + script
	tags := []string{script, drop, quote, `" onmouseover="alert(1)`}
	resp, body := postForm(t, c, ts.URL+"/devices/"+dev, deviceForm(csrf, "notes", notes,
		"owner", owner, "tags", strings.Join(tags, ", ")))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: status %d, want 303\n%.500s", resp.StatusCode, body)
	}

	t.Run("stored as written", func(t *testing.T) {
		d, err := ts.db.GetDevice(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{"owner": ""}
		if d.Owner != nil {
			got["owner"] = d.Owner.Name
		}
		for _, a := range d.Attributes {
			if a.Source == store.SourceUser {
				got[a.Key] = a.Value
			}
		}
		// The owner and tags a person set are facts of source "user" too.
		want := map[string]string{"owner": owner, "notes": notes, "tags": strings.Join(tags, ", ")}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stored (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(sortedCopy(tags), sortedCopy(d.Tags)); diff != "" {
			t.Errorf("tags (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(ids, storedDeviceIDs(t, ts)); diff != "" {
			t.Errorf("devices (-before +after):\n%s", diff)
		}
	})

	t.Run("searched as written", func(t *testing.T) {
		for _, q := range []string{drop, quote, script, "%", "_", "' OR '1'='1"} {
			resp, page := get(t, c, ts.URL+"/devices?q="+url.QueryEscape(q))
			if resp.StatusCode != http.StatusOK {
				t.Errorf("q=%q: status %d, want 200", q, resp.StatusCode)
			}
			if got := linkedDevices(page); len(got) != 0 {
				t.Errorf("q=%q matched %v", q, got)
			}
			if strings.Contains(page, script) {
				t.Errorf("q=%q: the page holds the markup unescaped", q)
			}
		}
		_, page := get(t, c, ts.URL+"/devices?tag="+url.QueryEscape(drop))
		if diff := cmp.Diff([]string{dev}, linkedDevices(page)); diff != "" {
			t.Errorf("tag filter (-want +got):\n%s", diff)
		}
	})

	t.Run("shown escaped", func(t *testing.T) {
		pages := map[string][]string{
			"/devices/" + dev: {"&lt;script&gt;alert(1)&lt;/script&gt;", "O&#39;Brien",
				"&#39;; DROP TABLE devices; --", "&lt;b&gt;bold&lt;/b&gt;"},
			"/devices?tag=" + url.QueryEscape(script): nil,
			"/audit": {"O&#39;Brien", "&#39;; DROP TABLE devices; --"},
		}
		for path, want := range pages {
			resp, page := get(t, c, ts.URL+path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", path, resp.StatusCode)
			}
			for _, raw := range []string{script, "<b>bold</b>", `" onmouseover="alert(1)`} {
				if strings.Contains(page, raw) {
					t.Errorf("%s holds %q unescaped", path, raw)
				}
			}
			for _, w := range want {
				if !strings.Contains(page, w) {
					t.Errorf("%s lacks %q", path, w)
				}
			}
		}
	})
}

// testCSVFormulas sets a device's fields to text a spreadsheet would run
// as a formula: the export defuses each cell.
func testCSVFormulas(t *testing.T, ts *testServer, c *http.Client, dev string) {
	ctx := context.Background()
	set := map[string]string{
		"vendor":      `=HYPERLINK("https://evil.example","x")`,
		"model":       "+1+cmd|' /C calc'!A0",
		"os":          "-2+3",
		"software":    "@SUM(1,2)",
		"category":    "=1+1",
		"criticality": "\t=1+1",
	}
	for k, v := range set {
		if err := ts.db.SetUserAttribute(ctx, dev, k, v); err != nil {
			t.Fatalf("set %s: %v", k, err)
		}
	}
	resp, body := get(t, c, ts.URL+"/devices.csv")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	i := slices.IndexFunc(rows, func(r []string) bool { return r[0] == dev })
	if i < 0 {
		t.Fatalf("%s is not exported", dev)
	}
	for k, v := range set {
		col := slices.Index(head, k)
		if col < 0 {
			t.Errorf("no column %s", k)
			continue
		}
		if got, want := rows[i][col], "'"+v; got != want {
			t.Errorf("%s: cell %q, want %q", k, got, want)
		}
	}
	for r, row := range rows[1:] {
		for col, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d, %s: cell %q would run as a formula", r+1, head[col], cell)
			}
		}
	}
}
