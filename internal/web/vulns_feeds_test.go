package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

// epssExcerpt is a real EPSS series of one CVE, a few rows of it.
const epssExcerpt = "../advisory/testdata/epss/CVE-2022-2119.epss.excerpt.csv"

// feedServer is a test server with the demo trust and no advisories.
func feedServer(t *testing.T, opts ...func(*Config)) *vulnTrust {
	t.Helper()
	vt := &vulnTrust{testServer: newTestServer(t, opts...)}
	vt.seedDemo(t)
	return vt
}

func advisoryCount(t *testing.T, ts *testServer) int {
	t.Helper()
	n, err := ts.db.AdvisoryCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// uploadFeed posts a feed file through the page's form as a.
func uploadFeed(t *testing.T, a *apiClient, name string, content []byte, csrf string) (
	*http.Response, string) {
	t.Helper()
	parts := []formPart{{name: "feed", file: name, value: string(content)}}
	if csrf != "" {
		parts = append([]formPart{{name: csrfField, value: csrf}}, parts...)
	}
	return fetch(t, a.c, multipartRequest(t, a.base+"/feeds", parts))
}

// TestFeedsUpload uploads real advisories through the page and the API:
// one is imported and matched, the same again changes nothing, a broken
// one is refused saying why, and nothing is left in the temporary
// folder. It sets TMPDIR, so it is not parallel.
func TestFeedsUpload(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	vt := feedServer(t)
	sec := vt.session(t, auth.RoleSecurity)
	good := apiReadFile(t, filepath.Join(icsmaDir, "icsma-19-164-01.json"))

	resp, body := uploadFeed(t, sec, "icsma-19-164-01.json", good, sec.csrf)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "1 added") ||
		!strings.Contains(body, `href="/advisories/ICSMA-19-164-01"`) {
		t.Fatalf("upload: status %d saying %q\n%.2000s", resp.StatusCode, pageError(body), body)
	}
	if n := advisoryCount(t, vt.testServer); n != 1 {
		t.Errorf("%d advisories stored, want 1", n)
	}
	list, err := vt.db.FilterFindings(context.Background(),
		store.FindingQuery{AdvisoryID: "ICSMA-19-164-01"}, store.FindingFilter{})
	if err != nil || list.Total == 0 {
		t.Errorf("findings of the advisory uploaded: %v, %d", err, list.Total)
	}
	resp, body = uploadFeed(t, sec, "icsma-19-164-01.json", good, sec.csrf)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "0 added, 0 updated, 1 unchanged") {
		t.Errorf("the same again: status %d\n%.2000s", resp.StatusCode, body)
	}

	t.Run("broken", func(t *testing.T) {
		broken := apiReadFile(t, filepath.Join(icsmaDir, "icsma-20-049-01.json"))
		broken = broken[:len(broken)/2]
		resp, body := uploadFeed(t, sec, "icsma-20-049-01.json", broken, sec.csrf)
		msg := pageError(body)
		if resp.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(msg, "icsma-20-049-01.json") || strings.Contains(msg, tmp) {
			t.Errorf("broken advisory: status %d saying %q", resp.StatusCode, msg)
		}
		resp, body = uploadFeed(t, sec, "notes.txt", []byte("nothing to see\n"), sec.csrf)
		if resp.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(pageError(body), "not a feed Ward reads") {
			t.Errorf("not a feed: status %d saying %q", resp.StatusCode, pageError(body))
		}
		if n := advisoryCount(t, vt.testServer); n != 1 {
			t.Errorf("%d advisories stored after the refusals, want 1", n)
		}
	})

	t.Run("no CSRF token", func(t *testing.T) {
		other := apiReadFile(t, filepath.Join(icsmaDir, "icsma-20-023-01.json"))
		resp, _ := uploadFeed(t, sec, "icsma-20-023-01.json", other, "")
		if resp.StatusCode != http.StatusForbidden || advisoryCount(t, vt.testServer) != 1 {
			t.Errorf("status %d, %d advisories; want 403 and 1", resp.StatusCode,
				advisoryCount(t, vt.testServer))
		}
	})

	t.Run("api", func(t *testing.T) {
		api := vt.bearer(t, auth.RoleAdmin)
		var res apiFeedsResult
		api.send("POST", "/api/v1/feeds?name=icsma-20-023-01.json",
			apiReadFile(t, filepath.Join(icsmaDir, "icsma-20-023-01.json")), http.StatusOK, &res)
		if res.Advisories.Added != 1 || res.Findings.Findings == 0 || len(res.Problems) != 0 {
			t.Errorf("api upload: %+v", res)
		}
		var zipped bytes.Buffer
		zw := gzip.NewWriter(&zipped)
		zw.Write(apiReadFile(t, filepath.Join(icsmaDir, "icsma-18-156-01.json")))
		zw.Close()
		resp, b := api.call("POST", "/api/v1/feeds?name=icsma-18-156-01.json.gz",
			"application/gzip", bytes.NewReader(zipped.Bytes()))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "ICSMA-18-156-01") {
			t.Errorf("gzip upload: status %d %.300s", resp.StatusCode, b)
		}
		api.send("POST", "/api/v1/feeds?name=CVE-2022-2119.epss.excerpt.csv",
			apiReadFile(t, epssExcerpt), http.StatusOK, &res)
		if res.EPSS != 1 {
			t.Errorf("EPSS upload: %+v", res)
		}
		msg := api.errorOf("POST", "/api/v1/feeds?name=icsma-20-049-01.json", "application/json",
			[]byte(`{"document": {"category": "csaf_base"`), http.StatusUnprocessableEntity)
		if !strings.Contains(msg, "not imported") || strings.Contains(msg, tmp) {
			t.Errorf("broken api upload: %q", msg)
		}
		api.errorOf("POST", "/api/v1/feeds", "text/plain", []byte("x"), http.StatusUnsupportedMediaType)
		api.errorOf("POST", "/api/v1/feeds", "application/json", nil, http.StatusBadRequest)
		api.errorOf("POST", "/api/v1/feeds?name=a%00b", "application/json", good, http.StatusBadRequest)
		api.errorOf("POST", "/api/v1/feeds", "application/gzip", []byte{0x1f, 0x8b, 1, 2},
			http.StatusBadRequest)
		if n := advisoryCount(t, vt.testServer); n != 3 {
			t.Errorf("%d advisories stored, want 3", n)
		}
	})

	t.Run("feeds page", func(t *testing.T) {
		page := sec.page("/feeds", http.StatusOK)
		for _, want := range []string{"Last imports", "icsma-20-023-01.json", "EPSS",
			"CVE-2022-2119.epss.excerpt.csv", ">3</a>"} {
			if !strings.Contains(page, want) {
				t.Errorf("the feeds page lacks %q", want)
			}
		}
	})

	evs, _ := vt.db.ListAuditFiltered(context.Background(),
		store.AuditQuery{Action: "feeds.import", Limit: 100})
	actors := map[string]int{}
	for _, e := range evs {
		actors[e.Actor]++
	}
	if actors["security"] < 2 || actors["token:test-admin"] < 3 {
		t.Errorf("feeds.import events by %v", actors)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("uploads left %v in the temporary folder", left)
	}
}

// TestFeedsUploadOneSite checks that a user limited to one site may not
// import feeds, which match every site's devices again.
func TestFeedsUploadOneSite(t *testing.T) {
	vt := feedServer(t)
	site, err := vt.db.AddLocation(context.Background(), store.Location{Kind: store.Site,
		Name: "Royal General"})
	if err != nil {
		t.Fatal(err)
	}
	a := vt.siteUser(t, "sec-a", auth.RoleSecurity, site.ID)
	feed := apiReadFile(t, filepath.Join(icsmaDir, "icsma-19-164-01.json"))
	if resp, _ := uploadFeed(t, a, "icsma-19-164-01.json", feed, a.csrf); resp.StatusCode !=
		http.StatusForbidden {
		t.Errorf("page: status %d, want 403", resp.StatusCode)
	}
	resp, b := a.call("POST", "/api/v1/feeds", "application/json", bytes.NewReader(feed))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "all sites") {
		t.Errorf("api: status %d %s, want 403", resp.StatusCode, b)
	}
	if n := advisoryCount(t, vt.testServer); n != 0 {
		t.Errorf("%d advisories stored, want none", n)
	}
}

// TestFeedsUploadTooLarge checks the server's upload bound.
func TestFeedsUploadTooLarge(t *testing.T) {
	vt := feedServer(t, func(c *Config) { c.MaxUpload = 4000 })
	feed := apiReadFile(t, filepath.Join(icsmaDir, "icsma-19-164-01.json"))
	sec := vt.session(t, auth.RoleSecurity)
	if resp, body := uploadFeed(t, sec, "icsma-19-164-01.json", feed, sec.csrf); resp.StatusCode !=
		http.StatusRequestEntityTooLarge {
		t.Errorf("page: status %d saying %q, want 413", resp.StatusCode, pageError(body))
	}
	vt.bearer(t, auth.RoleSecurity).errorOf("POST", "/api/v1/feeds", "application/json", feed,
		http.StatusRequestEntityTooLarge)
	if n := advisoryCount(t, vt.testServer); n != 0 {
		t.Errorf("%d advisories stored, want none", n)
	}
}

// TestFeedFileName checks the spool's names for uploaded files.
func TestFeedFileName(t *testing.T) {
	for in, want := range map[string]string{
		"icsma-20-049-01.json":          "icsma-20-049-01.json",
		"../../etc/passwd":              "passwd",
		`C:\Users\me\kev.csv`:           "kev.csv",
		".hidden.json":                  "hidden.json",
		"":                              "upload.json",
		"..":                            "upload.json",
		"épss scores.csv.gz":            "pss_scores.csv.gz",
		strings.Repeat("a", 300) + ".x": strings.Repeat("a", 118) + ".x",
	} {
		if got := feedFileName(in); got != want {
			t.Errorf("feedFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestVEXExport exports the rulings: refused while there are none, and
// while an affected ruling has no action statement; then as OpenVEX and
// CSAF VEX, both of which read back, audited.
func TestVEXExport(t *testing.T) {
	vt := newVulnTrust(t)
	api := vt.bearer(t, auth.RoleSecurity)
	au := vt.bearer(t, auth.RoleAuditor)
	if msg := au.errorOf("GET", "/api/v1/vex", "", nil, http.StatusConflict); !strings.Contains(msg,
		"no rulings") {
		t.Errorf("no rulings: %q", msg)
	}
	rf := sharedFinding(t, vt)
	api.send("POST", "/api/v1/decisions", apiNewDecision{DeviceID: rf.f.DeviceID,
		Advisory: rf.f.AdvisoryID, CVE: rf.f.CVE, Status: "affected"}, http.StatusCreated, nil)
	msg := au.errorOf("GET", "/api/v1/vex?format=openvex", "", nil, http.StatusConflict)
	if !strings.Contains(msg, "action statement") ||
		!strings.Contains(msg, rf.f.CVE+" on "+rf.md.Vendor) {
		t.Errorf("an affected ruling without a note: %q", msg)
	}
	api.send("POST", "/api/v1/decisions", apiNewDecision{DeviceID: rf.f.DeviceID,
		Advisory: rf.f.AdvisoryID, CVE: rf.f.CVE, Status: "affected",
		Note: "pumps on an isolated VLAN until the manufacturer's update"}, http.StatusCreated, nil)
	other := otherFinding(t, vt, rf.f.CVE)
	api.send("POST", "/api/v1/decisions", apiNewDecision{DeviceID: other.DeviceID,
		Advisory: other.AdvisoryID, CVE: other.CVE, Status: "not_affected",
		Justification: "component_not_present"}, http.StatusCreated, nil)

	seq := lastSeq(t, vt.testServer)
	resp, body := au.call("GET", "/api/v1/vex?format=openvex", "", nil)
	if resp.StatusCode != http.StatusOK ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment; filename=") {
		t.Fatalf("openvex: status %d, Content-Disposition %q\n%.300s", resp.StatusCode,
			resp.Header.Get("Content-Disposition"), body)
	}
	vex, err := advisory.ParseOpenVEX(body)
	if err != nil {
		t.Fatalf("the OpenVEX export does not read back: %v", err)
	}
	statuses := map[string]advisory.Status{}
	for _, st := range vex.Statements {
		statuses[st.Vuln] = st.Status
	}
	if statuses[rf.f.CVE] != advisory.Affected || statuses[other.CVE] != advisory.NotAffected {
		t.Errorf("statements %+v", vex.Statements)
	}
	_, again := au.call("GET", "/api/v1/vex", "", nil)
	if !bytes.Equal(body, again) {
		t.Error("the same rulings exported twice differ")
	}

	page := vt.session(t, auth.RoleAuditor)
	resp, body = page.call("GET", "/vulnerabilities/vex?format=csaf", "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("csaf: status %d %.300s", resp.StatusCode, body)
	}
	doc, err := advisory.ParseCSAF(body)
	if err != nil {
		t.Fatalf("the CSAF export does not read back: %v", err)
	}
	var cves []string
	for _, v := range doc.Vulns {
		cves = append(cves, v.CVE)
	}
	if !slices.Contains(cves, rf.f.CVE) || !slices.Contains(cves, other.CVE) {
		t.Errorf("CSAF vulnerabilities %v, want %s and %s", cves, rf.f.CVE, other.CVE)
	}
	page.page("/vulnerabilities/vex?format=pdf", http.StatusBadRequest)
	au.errorOf("GET", "/api/v1/vex?format=pdf", "", nil, http.StatusBadRequest)
	evs := auditAfter(t, vt.testServer, seq)
	var formats []string
	for _, e := range evs {
		if e.Action == "export.vex" {
			var d map[string]any
			json.Unmarshal(e.Detail, &d)
			formats = append(formats, e.Actor+" "+d["format"].(string))
		}
	}
	want := []string{"token:test-auditor openvex", "token:test-auditor openvex", "auditor csaf"}
	if !slices.Equal(formats, want) {
		t.Errorf("export.vex events %v, want %v", formats, want)
	}
}

// otherFinding is an affected finding of another CVE than cve.
func otherFinding(t *testing.T, vt *vulnTrust, cve string) store.FindingListRow {
	t.Helper()
	for _, f := range vt.findings(t) {
		if f.CVE != "" && f.CVE != cve && f.Status == store.StatusAffected && !f.Decided {
			return f
		}
	}
	t.Fatal("no other finding")
	return store.FindingListRow{}
}

// TestFeedsCorpus uploads every feed file of the shared corpus through
// the API: each is imported or refused with a reason, never a server
// error.
func TestFeedsCorpus(t *testing.T) {
	dir := corpusDir(t)
	vt := &vulnTrust{testServer: newTestServer(t)}
	api := vt.bearer(t, auth.RoleAdmin)
	imported, refused := 0, 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isFeedName(p) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		resp, body := api.call("POST", "/api/v1/feeds?name="+filepath.Base(p),
			"application/octet-stream", bytes.NewReader(b))
		switch resp.StatusCode {
		case http.StatusOK:
			imported++
		case http.StatusUnprocessableEntity:
			refused++
			t.Logf("%s refused: %.200s", p, body)
		default:
			t.Errorf("%s: status %d %.300s", p, resp.StatusCode, body)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if imported < 150 {
		t.Errorf("%d files imported, %d refused; want the corpus's 150 or more", imported, refused)
	}
	t.Logf("%d files imported, %d refused", imported, refused)
}

// isFeedName reports whether a corpus file is a document rather than a
// signature, checksum, note or schema.
func isFeedName(p string) bool {
	base := strings.ToLower(filepath.Base(p))
	for _, skip := range []string{".asc", ".sha512", ".md", "license"} {
		if strings.HasSuffix(base, skip) || strings.HasPrefix(base, skip) {
			return false
		}
	}
	return !strings.Contains(strings.ToLower(p), "schema")
}

// corpusDir finds the shared corpus of advisories from the package's
// folder. It skips the test when the corpus is absent, or fails it if
// WARD_REQUIRE_CORPUS=1.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "advisories")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WARD_REQUIRE_CORPUS") == "1" {
			t.Fatalf("the shared corpus is required (WARD_REQUIRE_CORPUS=1): %v", err)
		}
		t.Skipf("the shared corpus is not at %s: %v", dir, err)
	}
	return dir
}
