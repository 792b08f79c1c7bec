package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/register"
	"github.com/wardhq/ward/internal/store"
)

// Captures for the API tests: small real ones from the lab, with links
// and findings, and the demo trust.
const (
	ward7Capture = "../../testdata/captures/lab/clinical-ward7.pcap"
	dicomCapture = "../../testdata/captures/lab/lab-dicom.pcap"
	hl7Capture   = "../../testdata/captures/lab/lab-hl7.pcap"
	demoCapture  = "../../testdata/captures/demo.pcapng"
)

// seed ingests captures straight into the store.
func (ts *testServer) seed(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := ts.srv.cfg.Ingest.CaptureFile(context.Background(), p, "test"); err != nil {
			t.Fatalf("seed %s: %v", p, err)
		}
	}
}

// allDevices lists every device in the store, by id.
func (ts *testServer) allDevices(t *testing.T) []store.Device {
	t.Helper()
	pg, err := ts.db.ListDevices(context.Background(), store.DeviceQuery{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if pg.Next != "" {
		t.Fatal("more than 500 devices: the test wants fewer")
	}
	return pg.Devices
}

// apiClient calls the API as one principal: with a bearer token, or with a
// session's cookies and its CSRF token.
type apiClient struct {
	t     *testing.T
	base  string
	c     *http.Client
	token string
	csrf  string
}

func (ts *testServer) bearer(t *testing.T, r auth.Role) *apiClient {
	return &apiClient{t: t, base: ts.URL, c: ts.client(t), token: ts.token(t, r)}
}

func (ts *testServer) session(t *testing.T, r auth.Role) *apiClient {
	c, csrf := ts.login(t, r)
	return &apiClient{t: t, base: ts.URL, c: c, csrf: csrf}
}

func (ts *testServer) anonymous(t *testing.T) *apiClient {
	return &apiClient{t: t, base: ts.URL, c: ts.client(t)}
}

// call sends a request with a body of media type ctype; hdr are more
// headers, name and value in turn.
func (a *apiClient) call(method, path, ctype string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.base+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if a.csrf != "" && unsafeMethod(method) {
		req.Header.Set(csrfHeader, a.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp, b
}

// send sends v (a []byte as it is, else as JSON) and checks the status;
// the answer is decoded into out unless it is nil.
func (a *apiClient) send(method, path string, v any, want int, out any) []byte {
	a.t.Helper()
	var body io.Reader
	ctype := ""
	switch v := v.(type) {
	case nil:
	case []byte:
		body, ctype = bytes.NewReader(v), "application/json"
	default:
		b, err := json.Marshal(v)
		if err != nil {
			a.t.Fatal(err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	resp, b := a.call(method, path, ctype, body)
	a.check(method+" "+path, resp, b, want, out)
	return b
}

func (a *apiClient) get(path string, want int, out any) []byte {
	a.t.Helper()
	return a.send("GET", path, nil, want, out)
}

// check wants the status and, for an error, a JSON error body.
func (a *apiClient) check(what string, resp *http.Response, b []byte, want int, out any) {
	a.t.Helper()
	if resp.StatusCode != want {
		a.t.Fatalf("%s: status %d, want %d\n%.600s", what, resp.StatusCode, want, b)
	}
	if want >= 400 {
		wantJSONError(a.t, what, resp, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s: %v\n%.600s", what, err, b)
		}
	}
}

// wantJSONError checks that an error answer is {"error": "..."}.
func wantJSONError(t *testing.T, what string, resp *http.Response, b []byte) string {
	t.Helper()
	var e map[string]any
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	if err := json.Unmarshal(b, &e); err != nil || len(e) != 1 || e["error"] == nil {
		t.Errorf("%s: error body %q, want {\"error\": ...}", what, b)
	}
	msg, _ := e["error"].(string)
	return msg
}

// errorOf sends a request that must fail with status want, and returns
// its error message.
func (a *apiClient) errorOf(method, path, ctype string, body []byte, want int) string {
	a.t.Helper()
	resp, b := a.call(method, path, ctype, bytes.NewReader(body))
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: status %d, want %d\n%.600s", method, path, resp.StatusCode, want, b)
	}
	return wantJSONError(a.t, method+" "+path, resp, b)
}

func listedIDs(ds []apiDevice) []string {
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}

// walk pages through the devices a query selects, limit a page, checking
// that every page has the same total.
func (a *apiClient) walk(query url.Values, limit int) []string {
	a.t.Helper()
	var ids []string
	query.Set("limit", strconv.Itoa(limit))
	total := -1
	for pages := 0; ; pages++ {
		if pages > 100 {
			a.t.Fatal("the cursor walk does not end")
		}
		var pg apiDeviceList
		a.get("/api/v1/devices?"+query.Encode(), http.StatusOK, &pg)
		if total >= 0 && pg.Total != total {
			a.t.Errorf("total changed from %d to %d", total, pg.Total)
		}
		total = pg.Total
		if len(pg.Devices) > limit {
			a.t.Errorf("page of %d devices, limit %d", len(pg.Devices), limit)
		}
		ids = append(ids, listedIDs(pg.Devices)...)
		if pg.NextCursor == "" {
			break
		}
		query.Set("cursor", pg.NextCursor)
	}
	if total != len(ids) {
		a.t.Errorf("total %d, but the walk found %d devices", total, len(ids))
	}
	return ids
}

func TestAPIDeviceList(t *testing.T) {
	ts := newTestServer(t)
	ts.seed(t, ward7Capture, dicomCapture, hl7Capture)
	all := ts.allDevices(t)
	var want []string
	for _, d := range all {
		want = append(want, d.ID)
	}
	a := ts.bearer(t, auth.RoleAuditor)

	for _, order := range []string{"", "sort=name", "sort=vendor&order=desc", "sort=first_seen",
		"sort=id&order=desc", "sort=last_seen&order=asc", "sort=criticality"} {
		t.Run("walk "+order, func(t *testing.T) {
			q, _ := url.ParseQuery(order)
			got := a.walk(q, 4)
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("devices of the walk (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("filters", func(t *testing.T) { testDeviceFilters(t, ts, a, all) })
	t.Run("bad queries", func(t *testing.T) {
		var pg apiDeviceList
		a.get("/api/v1/devices?sort=name&limit=1", http.StatusOK, &pg)
		for _, q := range []string{"seen=yesterday", "limit=0", "limit=501", "limit=x",
			"sort=colour", "cursor=%21%21", "site=x", "site=-1", "cursor=" + pg.NextCursor,
			"q=%ff"} {
			a.get("/api/v1/devices?"+q, http.StatusBadRequest, nil)
		}
	})
}

// testDeviceFilters checks each filter against what the store holds.
func testDeviceFilters(t *testing.T, ts *testServer, a *apiClient, all []store.Device) {
	ctx := context.Background()
	d0, d1 := all[0], all[len(all)-1]
	if err := ts.db.TagDevice(ctx, d0.ID, "theatre 3"); err != nil {
		t.Fatal(err)
	}
	site, err := ts.db.AddLocation(ctx, store.Location{Kind: store.Site, Name: "St Thomas'"})
	if err != nil {
		t.Fatal(err)
	}
	room, err := ts.db.AddLocation(ctx, store.Location{Kind: store.Room, Name: "Bay 2",
		ParentID: site.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.db.SetDeviceLocation(ctx, d1.ID, room.ID); err != nil {
		t.Fatal(err)
	}
	var mac string
	for _, d := range all {
		if mac = d.MAC; mac != "" {
			break
		}
	}
	now := time.Now()
	filters := []struct {
		name  string
		query url.Values
		keep  func(store.Device) bool
	}{
		{"category", url.Values{"category": {d0.Category}},
			func(d store.Device) bool { return d.Category == d0.Category }},
		{"vendor", url.Values{"vendor": {d1.Vendor}},
			func(d store.Device) bool { return d.Vendor == d1.Vendor }},
		{"criticality", url.Values{"criticality": {d0.Criticality}},
			func(d store.Device) bool { return d.Criticality == d0.Criticality }},
		{"q by MAC", url.Values{"q": {strings.ToUpper(mac[3:])}},
			func(d store.Device) bool { return strings.Contains(d.MAC, mac[3:]) }},
		{"tag", url.Values{"tag": {"theatre 3"}}, func(d store.Device) bool { return d.ID == d0.ID }},
		{"site", url.Values{"site": {strconv.FormatInt(site.ID, 10)}},
			func(d store.Device) bool { return d.ID == d1.ID }},
		{"seen 30d", url.Values{"seen": {"30d"}},
			func(d store.Device) bool { return !d.LastSeen.Before(now.Add(-30 * 24 * time.Hour)) }},
		{"stale", url.Values{"seen": {"stale30d"}},
			func(d store.Device) bool { return d.LastSeen.Before(now.Add(-30 * 24 * time.Hour)) }},
		{"two at once", url.Values{"category": {d0.Category}, "tag": {"theatre 3"}},
			func(d store.Device) bool { return d.ID == d0.ID }},
	}
	for _, f := range filters {
		t.Run(f.name, func(t *testing.T) {
			var want []string
			for _, d := range all {
				if f.keep(d) {
					want = append(want, d.ID)
				}
			}
			got := a.walk(f.query, 2)
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%v (-want +got):\n%s", f.query, diff)
			}
		})
	}
}

func TestAPIDeviceDetail(t *testing.T) {
	ts := newTestServer(t)
	ts.seed(t, ward7Capture)
	a := ts.bearer(t, auth.RoleNetwork)
	var withLinks, withFindings int
	for _, d := range ts.allDevices(t) {
		var got apiDeviceDetail
		a.get("/api/v1/devices/"+pathEscape(d.ID), http.StatusOK, &got)
		want, err := ts.db.GetDevice(context.Background(), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDetail(t, want, got)
		withLinks += min(len(got.Links), 1)
		withFindings += min(len(got.Findings), 1)

		var attrs apiAttributes
		a.get("/api/v1/devices/"+pathEscape(d.ID)+"/attributes", http.StatusOK, &attrs)
		if diff := cmp.Diff(got.Attributes, attrs.Attributes); diff != "" || attrs.DeviceID != d.ID {
			t.Errorf("attributes of %s differ from the detail's (-detail +attributes):\n%s", d.ID, diff)
		}
		checkFlows(t, a, d.ID)
	}
	if withLinks == 0 || withFindings == 0 {
		t.Errorf("%d devices with links, %d with findings: the capture should give both",
			withLinks, withFindings)
	}
	a.get("/api/v1/devices/mac:00:00:5e:00:53:ff", http.StatusNotFound, nil)
	a.get("/api/v1/devices/mac:00:00:5e:00:53:ff/flows", http.StatusNotFound, nil)
	a.get("/api/v1/devices/mac:00:00:5e:00:53:ff/attributes", http.StatusNotFound, nil)
}

// checkDetail compares an API device with the store's.
func checkDetail(t *testing.T, want *store.DeviceDetail, got apiDeviceDetail) {
	t.Helper()
	if got.ID != want.ID || got.MAC != want.MAC || got.Category != want.Category ||
		!got.LastSeen.Equal(want.LastSeen) {
		t.Errorf("device %s: got %+v", want.ID, got.apiDevice)
	}
	if len(got.Identifiers) != len(want.Identifiers) || len(got.Attributes) != len(want.Attributes) ||
		len(got.Links) != len(want.Links) || len(got.Findings) != len(want.Findings) {
		t.Errorf("device %s: %d identifiers, %d attributes, %d links, %d findings; want %d, %d, %d, %d",
			want.ID, len(got.Identifiers), len(got.Attributes), len(got.Links), len(got.Findings),
			len(want.Identifiers), len(want.Attributes), len(want.Links), len(want.Findings))
	}
	for i, a := range got.Attributes {
		w := want.Attributes[i]
		if a.Key != w.Key || a.Value != w.Value || a.Source != w.Source || a.Peer != w.Peer ||
			a.Confidence != int(w.Confidence) || a.Count != w.Count || !a.FirstSeen.Equal(w.FirstSeen) {
			t.Errorf("device %s attribute %d: got %+v, want %+v", want.ID, i, a, w)
		}
	}
	for i, id := range got.Identifiers {
		if w := want.Identifiers[i]; id.Kind != w.Kind || id.Value != w.Value || id.Packets != w.Packets {
			t.Errorf("device %s identifier %d: got %+v, want %+v", want.ID, i, id, w)
		}
	}
}

func checkFlows(t *testing.T, a *apiClient, id string) {
	t.Helper()
	var fl apiFlows
	a.get("/api/v1/devices/"+pathEscape(id)+"/flows", http.StatusOK, &fl)
	for _, f := range fl.Flows {
		if f.SrcDevice != id && f.DstDevice != id {
			t.Errorf("flow %+v of %s is neither from nor to it", f, id)
		}
	}
	var one apiFlows
	a.get("/api/v1/devices/"+pathEscape(id)+"/flows?limit=1", http.StatusOK, &one)
	if len(one.Flows) != min(len(fl.Flows), 1) {
		t.Errorf("flows of %s with limit 1: %d", id, len(one.Flows))
	}
	a.get("/api/v1/devices/"+pathEscape(id)+"/flows?limit=0", http.StatusBadRequest, nil)
}

// auditEvents reads the audit log through the API.
func auditEvents(a *apiClient, query string) []apiAuditEvent {
	a.t.Helper()
	var page apiAudit
	a.get("/api/v1/audit?"+query, http.StatusOK, &page)
	return page.Events
}

func TestAPIPatchDevice(t *testing.T) {
	ts := newTestServer(t)
	ts.seed(t, ward7Capture)
	ctx := context.Background()
	d := ts.allDevices(t)[0]
	path := "/api/v1/devices/" + pathEscape(d.ID)
	site, _ := ts.db.AddLocation(ctx, store.Location{Kind: store.Site, Name: "Guy's"})
	ward, _ := ts.db.AddLocation(ctx, store.Location{Kind: store.Ward, Name: "Ward 7",
		ParentID: site.ID})
	sec := ts.session(t, auth.RoleSecurity)
	reader := ts.bearer(t, auth.RoleAdmin)

	var got apiDeviceDetail
	sec.send("PATCH", path, map[string]any{"location_id": ward.ID, "owner": " EBME ",
		"criticality": "diagnostic", "notes": "Replaced 2024", "tags": []string{"icu", "icu", " loan "}},
		http.StatusOK, &got)
	var again apiDeviceDetail
	sec.get(path, http.StatusOK, &again)
	for _, v := range []apiDeviceDetail{got, again} {
		checkEdited(t, v, ward.ID, "EBME", "diagnostic", "Replaced 2024", []string{"icu", "loan"})
	}
	evs := auditEvents(reader, "action=device.update")
	if len(evs) != 1 || evs[0].Object != d.ID || evs[0].Actor != "security" ||
		!strings.Contains(string(evs[0].Detail), `"field":"criticality"`) {
		t.Fatalf("audit events after the change: %+v", evs)
	}

	t.Run("absent fields are kept", func(t *testing.T) {
		sec.send("PATCH", path, map[string]any{"notes": "Serviced"}, http.StatusOK, &got)
		checkEdited(t, got, ward.ID, "EBME", "diagnostic", "Serviced", []string{"icu", "loan"})
		sec.send("PATCH", path, map[string]any{}, http.StatusOK, &got)
		checkEdited(t, got, ward.ID, "EBME", "diagnostic", "Serviced", []string{"icu", "loan"})
	})
	t.Run("empty values clear", func(t *testing.T) {
		sec.send("PATCH", path, map[string]any{"location_id": 0, "owner": "", "criticality": "",
			"notes": "", "tags": []string{}}, http.StatusOK, &got)
		if got.LocationID != nil || got.Owner != nil || got.Notes != "" || len(got.Tags) != 0 ||
			slices.Contains(got.UserSet, "criticality") {
			t.Errorf("after clearing: %+v", got)
		}
	})
	t.Run("refused", func(t *testing.T) { testPatchRefused(t, ts, sec, path) })
	if n := len(auditEvents(reader, "action=device.update")); n != 3 {
		t.Errorf("%d device.update events, want 3 (refused changes write none)", n)
	}
}

func checkEdited(t *testing.T, v apiDeviceDetail, loc int64, owner, crit, notes string, tags []string) {
	t.Helper()
	if v.LocationID == nil || *v.LocationID != loc || len(v.Location) != 2 || v.Location[1].ID != loc {
		t.Errorf("location: %v, path %+v; want %d", v.LocationID, v.Location, loc)
	}
	if v.Owner == nil || v.Owner.Name != owner || v.OwnerID == nil || *v.OwnerID != v.Owner.ID {
		t.Errorf("owner: %+v, want %q", v.Owner, owner)
	}
	if v.Criticality != crit || !slices.Contains(v.UserSet, "criticality") {
		t.Errorf("criticality %q, user_set %v; want %q set by a person", v.Criticality, v.UserSet, crit)
	}
	if v.Notes != notes {
		t.Errorf("notes %q, want %q", v.Notes, notes)
	}
	if diff := cmp.Diff(tags, v.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
}

func testPatchRefused(t *testing.T, ts *testServer, sec *apiClient, path string) {
	const js = "application/json"
	cases := []struct {
		name, ctype, body string
		status            int
		says              string
	}{
		{"unknown field", js, `{"notes":"x","colour":"red"}`, 400, `"colour"`},
		{"wrong type", js, `{"notes":7}`, 400, `"notes"`},
		{"bad criticality", js, `{"criticality":"vital"}`, 400, "criticality"},
		{"blank tag", js, `{"tags":["  "]}`, 400, "tags"},
		{"no such location", js, `{"location_id":999}`, 400, "location_id"},
		{"invalid UTF-8", js, "{\"notes\":\"\xff\xfe\"}", 400, "UTF-8"},
		{"two values", js, `{} {}`, 400, "more than one"},
		{"not JSON", js, `{"notes":`, 400, "JSON"},
		{"empty", js, ``, 400, "empty"},
		{"an array", js, `[]`, 400, "object"},
		{"too large", js, `{"notes":"` + strings.Repeat("a", maxJSONBody) + `"}`, 413, "bytes"},
		{"form", "application/x-www-form-urlencoded", `notes=x`, 415, "application/json"},
		{"multipart", "multipart/form-data; boundary=x", "--x--", 415, "application/json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := sec.errorOf("PATCH", path, c.ctype, []byte(c.body), c.status)
			if !strings.Contains(msg, c.says) {
				t.Errorf("error %q does not say %q", msg, c.says)
			}
		})
	}
	t.Run("session without CSRF header", func(t *testing.T) {
		noCSRF := *sec
		noCSRF.csrf = ""
		noCSRF.errorOf("PATCH", path, js, []byte(`{"notes":"x"}`), 403)
		noCSRF.errorOf("PATCH", path, "multipart/form-data; boundary=x", []byte("--x--"), 403)
	})
	t.Run("auditor", func(t *testing.T) {
		ts.bearer(t, auth.RoleAuditor).errorOf("PATCH", path, js, []byte(`{"notes":"x"}`), 403)
	})
	t.Run("no such device", func(t *testing.T) {
		sec.errorOf("PATCH", "/api/v1/devices/mac:00:00:5e:00:53:ff", js, []byte(`{}`), 404)
	})
}

// storedCounts is how many files and devices the store holds.
func storedCounts(t *testing.T, ts *testServer) (files, devices int) {
	t.Helper()
	fs, err := ts.db.Files(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(fs), len(ts.allDevices(t))
}

func apiReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// postCapture posts a capture to the ingest API.
func (a *apiClient) postCapture(query string, body io.Reader) (*http.Response, []byte) {
	a.t.Helper()
	return a.call("POST", "/api/v1/ingest"+query, "application/vnd.tcpdump.pcap", body)
}

func TestAPIIngest(t *testing.T) {
	ts := newTestServer(t)
	a := ts.bearer(t, auth.RoleNetwork)
	capture := apiReadFile(t, ward7Capture)

	refused := []struct {
		name, ctype string
		body        []byte
		status      int
	}{
		{"garbage", "application/octet-stream", []byte("this is not a capture at all, just words"), 400},
		{"truncated", "application/vnd.tcpdump.pcap", capture[:40], 400},
		{"empty", "application/vnd.tcpdump.pcap", nil, 400},
		{"form", "application/x-www-form-urlencoded", capture, 415},
		{"multipart", "multipart/form-data; boundary=x", capture, 415},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			a.errorOf("POST", "/api/v1/ingest", c.ctype, c.body, c.status)
			if f, d := storedCounts(t, ts); f != 0 || d != 0 {
				t.Errorf("after a refused upload the store holds %d files, %d devices", f, d)
			}
		})
	}

	var res apiIngestResult
	resp, b := a.postCapture("?name=ward7.pcap", bytes.NewReader(capture))
	a.check("ingest", resp, b, http.StatusOK, &res)
	if res.AlreadyIngested || res.Merged.Devices == 0 || res.File.Name != "ward7.pcap" ||
		res.File.Size != int64(len(capture)) || res.File.Packets == 0 || len(res.File.SHA256) != 64 {
		t.Errorf("first upload: %+v", res)
	}
	var list apiDeviceList
	a.get("/api/v1/devices", http.StatusOK, &list)
	if list.Total != res.Merged.Devices {
		t.Errorf("%d devices listed after ingesting %d", list.Total, res.Merged.Devices)
	}

	var again apiIngestResult
	resp, b = a.postCapture("?name=again.pcap", bytes.NewReader(capture))
	a.check("ingest again", resp, b, http.StatusOK, &again)
	if !again.AlreadyIngested || again.Merged != (apiMerged{}) || again.File.SHA256 != res.File.SHA256 {
		t.Errorf("second upload of the same bytes: %+v", again)
	}
	if f, _ := storedCounts(t, ts); f != 1 {
		t.Errorf("%d files stored, want 1", f)
	}
	evs := auditEvents(ts.bearer(t, auth.RoleAuditor), "action=ingest.capture")
	if len(evs) != 1 || evs[0].Actor != "token:test-network" || evs[0].Object != "ward7.pcap" {
		t.Errorf("audit events of the uploads: %+v", evs)
	}

	t.Run("refused callers", func(t *testing.T) {
		ts.bearer(t, auth.RoleClinicalEngineering).errorOf("POST", "/api/v1/ingest",
			"application/vnd.tcpdump.pcap", capture, 403)
		noCSRF := ts.session(t, auth.RoleSecurity)
		noCSRF.csrf = ""
		noCSRF.errorOf("POST", "/api/v1/ingest", "application/vnd.tcpdump.pcap", capture, 403)
		a.errorOf("POST", "/api/v1/ingest?name=%00", "application/vnd.tcpdump.pcap", capture, 400)
	})
}

// hideLength hides a reader's length from net/http, so that the body is
// sent chunked, without a Content-Length the server could refuse early.
type hideLength struct{ r io.Reader }

func (h hideLength) Read(p []byte) (int, error) { return h.r.Read(p) }

func TestAPIIngestTooLarge(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.MaxUpload = 4096 })
	a := ts.session(t, auth.RoleAdmin)
	capture := apiReadFile(t, ward7Capture)
	for name, body := range map[string]io.Reader{
		"with length": bytes.NewReader(capture),
		"chunked":     hideLength{bytes.NewReader(capture)},
	} {
		t.Run(name, func(t *testing.T) {
			resp, b := a.postCapture("", body)
			a.check("oversize upload", resp, b, http.StatusRequestEntityTooLarge, nil)
			if f, d := storedCounts(t, ts); f != 0 || d != 0 {
				t.Errorf("after an oversize upload the store holds %d files, %d devices", f, d)
			}
		})
	}
}

// TestAPIIngestDemo ingests the demo trust's capture through the API.
func TestAPIIngestDemo(t *testing.T) {
	ts := newTestServer(t)
	a := ts.bearer(t, auth.RoleSecurity)
	capture := apiReadFile(t, demoCapture)
	resp, b := a.postCapture("?name=demo.pcapng", bytes.NewReader(capture))
	var res apiIngestResult
	a.check("ingest demo", resp, b, http.StatusOK, &res)
	if res.Merged.Devices == 0 {
		t.Errorf("demo: %+v", res)
	}
	resp, b = a.postCapture("?name=demo.pcapng", bytes.NewReader(capture))
	a.check("ingest demo again", resp, b, http.StatusOK, &res)
	if !res.AlreadyIngested {
		t.Errorf("demo again: %+v", res)
	}
}

func TestAPITokens(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.session(t, auth.RoleAdmin)

	var made apiCreatedToken
	admin.send("POST", "/api/v1/tokens", apiNewToken{Name: "CMMS sync", Role: "auditor"},
		http.StatusCreated, &made)
	if auth.SecretKind(made.Secret) != auth.KindToken || made.Token.Role != "auditor" ||
		made.Token.LastUsed != nil || made.Token.RevokedAt != nil || made.Token.SiteID != nil {
		t.Fatalf("new token: %+v", made)
	}
	stored, err := ts.db.TokenByHash(context.Background(), []byte(auth.HashSecret(made.Secret)))
	if err != nil || stored.ID != made.Token.ID || bytes.Contains(stored.Hash, []byte(made.Secret)) {
		t.Fatalf("stored token: %+v, %v", stored, err)
	}

	tok := &apiClient{t: t, base: ts.URL, c: ts.client(t), token: made.Secret}
	var me apiMe
	tok.get("/api/v1/me", http.StatusOK, &me)
	if me.Name != "token:CMMS sync" || me.Kind != "token" || me.CSRFToken != "" ||
		!slices.Equal(me.Roles, []string{"auditor"}) || slices.Contains(me.Permissions, "devices.edit") {
		t.Errorf("me of the token: %+v", me)
	}
	if used := findToken(t, admin, made.Token.ID); used.LastUsed == nil || used.RevokedAt != nil {
		t.Errorf("after use: %+v", used)
	}
	resp, _ := tok.call("GET", "/devices", "", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a token on a page: status %d, want 303 (pages need a session)", resp.StatusCode)
	}

	admin.send("DELETE", "/api/v1/tokens/"+strconv.FormatInt(made.Token.ID, 10), nil,
		http.StatusNoContent, nil)
	resp, b := tok.call("GET", "/api/v1/me", "", nil)
	tok.check("revoked token", resp, b, http.StatusUnauthorized, nil)
	if resp.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	if gone := findToken(t, admin, made.Token.ID); gone.RevokedAt == nil {
		t.Errorf("after revoking: %+v", gone)
	}
	admin.send("DELETE", "/api/v1/tokens/"+strconv.FormatInt(made.Token.ID, 10), nil,
		http.StatusNotFound, nil)
	admin.send("DELETE", "/api/v1/tokens/x", nil, http.StatusNotFound, nil)

	var actions []string
	for _, e := range auditEvents(admin, "action=token.") {
		actions = append(actions, e.Action+" "+e.Actor)
	}
	want := []string{"token.revoke admin", "token.use token:CMMS sync", "token.create admin"}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("token audit events (-want +got):\n%s", diff)
	}
	t.Run("refused", func(t *testing.T) { testNewRefused(t, ts, admin, "/api/v1/tokens") })
}

func findToken(t *testing.T, a *apiClient, id int64) apiToken {
	t.Helper()
	var list apiTokens
	a.get("/api/v1/tokens", http.StatusOK, &list)
	for _, tk := range list.Tokens {
		if tk.ID == id {
			return tk
		}
	}
	t.Fatalf("token %d not listed: %+v", id, list)
	return apiToken{}
}

// testNewRefused checks what creating a user or token refuses.
func testNewRefused(t *testing.T, ts *testServer, admin *apiClient, path string) {
	for _, c := range []struct {
		body   string
		status int
	}{
		{`{"name":"","role":"auditor"}`, 400},
		{`{"name":"x","role":"root"}`, 400},
		{`{"name":"x","role":"auditor","site_id":999}`, 400},
		{`{"name":"x","role":"auditor","password":"hunter2"}`, 400},
		{`{"name":"` + strings.Repeat("n", 65) + `","role":"auditor"}`, 400},
	} {
		admin.errorOf("POST", path, "application/json", []byte(c.body), c.status)
	}
	ts.bearer(t, auth.RoleSecurity).errorOf("POST", path, "application/json",
		[]byte(`{"name":"x","role":"auditor"}`), 403)
}

func TestAPIUsers(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.bearer(t, auth.RoleAdmin)
	var made apiCreatedUser
	admin.send("POST", "/api/v1/users", apiNewUser{Name: " dana ", Role: "network"},
		http.StatusCreated, &made)
	if made.User.Name != "dana" || len(made.Password) < 12 || made.User.External ||
		len(made.User.Grants) != 1 || made.User.Grants[0].Role != "network" {
		t.Fatalf("new user: %+v", made)
	}
	ts.pw["dana"] = made.Password
	dana := ts.session(t, "dana")
	var me apiMe
	dana.get("/api/v1/me", http.StatusOK, &me)
	if me.Name != "dana" || me.Kind != "user" || me.CSRFToken != dana.csrf {
		t.Errorf("me of the new user: %+v", me)
	}

	var list apiUsers
	admin.get("/api/v1/users", http.StatusOK, &list)
	var names []string
	for _, u := range list.Users {
		names = append(names, u.Name)
	}
	want := []string{"admin", "auditor", "clinical-engineering", "clinical-safety-officer", "dana",
		"network", "security"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	admin.send("POST", "/api/v1/users", apiNewUser{Name: "dana", Role: "auditor"},
		http.StatusConflict, nil)
	evs := auditEvents(admin, "action=user.add")
	if len(evs) != 1 || evs[0].Object != "dana" || evs[0].Actor != "token:test-admin" ||
		strings.Contains(string(evs[0].Detail), made.Password) {
		t.Errorf("user.add events: %+v", evs)
	}
	t.Run("refused", func(t *testing.T) { testNewRefused(t, ts, admin, "/api/v1/users") })
}

// siteToken makes a token of role r limited to one site.
func (ts *testServer) siteToken(t *testing.T, r auth.Role, site int64) *apiClient {
	t.Helper()
	secret, hash, err := auth.NewSecret(auth.KindToken)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.db.CreateToken(context.Background(), store.Token{Hash: []byte(hash),
		Name: "site-" + string(r), Role: r, SiteID: site})
	if err != nil {
		t.Fatal(err)
	}
	return &apiClient{t: t, base: ts.URL, c: ts.client(t), token: secret}
}

func TestAPISiteScope(t *testing.T) {
	ts := newTestServer(t)
	ts.seed(t, ward7Capture)
	ctx := context.Background()
	all := ts.allDevices(t)
	mine, theirs := all[0], all[1]
	a, _ := ts.db.AddLocation(ctx, store.Location{Kind: store.Site, Name: "St Thomas'"})
	b, _ := ts.db.AddLocation(ctx, store.Location{Kind: store.Site, Name: "Guy's"})
	room, _ := ts.db.AddLocation(ctx, store.Location{Kind: store.Room, Name: "Bay 1", ParentID: a.ID})
	if err := errors.Join(ts.db.SetDeviceLocation(ctx, mine.ID, room.ID),
		ts.db.SetDeviceLocation(ctx, theirs.ID, b.ID)); err != nil {
		t.Fatal(err)
	}
	sec := ts.siteToken(t, auth.RoleSecurity, a.ID)

	var list apiDeviceList
	sec.get("/api/v1/devices", http.StatusOK, &list)
	if diff := cmp.Diff([]string{mine.ID}, listedIDs(list.Devices)); diff != "" || list.Total != 1 {
		t.Errorf("devices of a site's token, total %d (-want +got):\n%s", list.Total, diff)
	}
	sec.get("/api/v1/devices?site="+strconv.FormatInt(b.ID, 10), http.StatusOK, &list)
	if list.Total != 0 {
		t.Errorf("another site's devices through ?site: %v", listedIDs(list.Devices))
	}
	sec.get("/api/v1/devices/"+pathEscape(mine.ID), http.StatusOK, nil)
	for _, p := range []string{"", "/attributes", "/flows"} {
		sec.get("/api/v1/devices/"+pathEscape(theirs.ID)+p, http.StatusNotFound, nil)
	}
	sec.send("PATCH", "/api/v1/devices/"+pathEscape(theirs.ID), map[string]any{"notes": "x"},
		http.StatusNotFound, nil)
	sec.send("PATCH", "/api/v1/devices/"+pathEscape(mine.ID),
		map[string]any{"location_id": b.ID}, http.StatusBadRequest, nil)
	var dash apiDashboard
	sec.get("/api/v1/dashboard", http.StatusOK, &dash)
	if dash.Total != 1 {
		t.Errorf("dashboard of a site's token: total %d, want 1", dash.Total)
	}
	sec.get("/api/v1/register", http.StatusForbidden, nil)

	admin := ts.siteToken(t, auth.RoleAdmin, a.ID)
	admin.send("POST", "/api/v1/users", apiNewUser{Name: "root", Role: "admin"}, http.StatusForbidden, nil)
	admin.send("POST", "/api/v1/tokens", apiNewToken{Name: "b", Role: "admin", SiteID: b.ID},
		http.StatusForbidden, nil)
	admin.send("POST", "/api/v1/tokens", apiNewToken{Name: "a", Role: "auditor", SiteID: a.ID},
		http.StatusCreated, nil)
}

func TestAPIAudit(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.bearer(t, auth.RoleAdmin)
	for i := range 5 {
		admin.send("POST", "/api/v1/tokens", apiNewToken{Name: "t" + strconv.Itoa(i), Role: "auditor"},
			http.StatusCreated, nil)
	}
	a := ts.session(t, auth.RoleAuditor)
	evs := auditEvents(a, "action=token.create")
	if len(evs) != 5 || evs[0].Object != "t4" || evs[4].Object != "t0" {
		t.Fatalf("token.create events, newest first: %+v", evs)
	}
	var walked []string
	for before, pages := "", 0; pages < 5; pages++ {
		var page apiAudit
		a.get("/api/v1/audit?action=token.create&limit=2"+before, http.StatusOK, &page)
		for _, e := range page.Events {
			walked = append(walked, e.Object)
		}
		if page.NextBefore == 0 {
			break
		}
		before = "&before=" + strconv.FormatInt(page.NextBefore, 10)
	}
	if diff := cmp.Diff([]string{"t4", "t3", "t2", "t1", "t0"}, walked); diff != "" {
		t.Errorf("pages of token.create events (-want +got):\n%s", diff)
	}
	for _, e := range auditEvents(a, "actor=token:test-admin") {
		if e.Actor != "token:test-admin" {
			t.Errorf("actor filter let through %+v", e)
		}
	}
	if evs := auditEvents(a, "actor=nobody"); len(evs) != 0 {
		t.Errorf("events of nobody: %+v", evs)
	}
	for _, q := range []string{"before=0", "before=x", "limit=0", "limit=1001", "actor=%ff"} {
		a.get("/api/v1/audit?"+q, http.StatusBadRequest, nil)
	}
	ts.bearer(t, auth.RoleNetwork).get("/api/v1/audit", http.StatusForbidden, nil)
}

func TestAPIRegister(t *testing.T) {
	ts := newTestServer(t)
	ts.seed(t, ward7Capture)
	all := ts.allDevices(t)
	ce := ts.bearer(t, auth.RoleClinicalEngineering)
	ce.get("/api/v1/register", http.StatusNotFound, nil)

	csv := "Asset No,Description,MAC Address\nA1,Pump," + strings.ToUpper(all[0].MAC) +
		"\nA2,Monitor,00:00:5e:00:53:01\n"
	var res apiRegisterResult
	resp, b := ce.call("POST", "/api/v1/register?name=ward7.csv", "text/csv", strings.NewReader(csv))
	ce.check("import", resp, b, http.StatusCreated, &res)
	if res.Name != "ward7.csv" || res.Figures.RegisterEntries != 2 || res.Figures.Matched != 1 ||
		res.Figures.RegisterOnly != 1 || res.Figures.NetworkOnly != len(all)-1 {
		t.Errorf("import: %+v", res)
	}
	var rec apiRegisterImport
	ce.get("/api/v1/register", http.StatusOK, &rec)
	if rec.ID != res.ImportID || rec.Figures != res.Figures || len(rec.Matched) != 1 ||
		rec.Matched[0].DeviceID != all[0].ID || len(rec.RegisterOnly) != 1 ||
		rec.RegisterOnly[0].Fields["asset_id"] != "A2" || len(rec.NetworkOnly) != len(all)-1 ||
		rec.Actor != "token:test-clinical-engineering" {
		t.Errorf("reconciliation: %+v", rec)
	}

	ce.errorOf("POST", "/api/v1/register", "application/json", []byte(csv), 415)
	err := ts.db.SaveMapping(context.Background(), "cmms", register.Mapping{
		Columns: map[register.Field]string{register.MAC: "Ethernet"}})
	if err != nil {
		t.Fatal(err)
	}
	ce.errorOf("POST", "/api/v1/register?mapping=cmms", "text/csv", []byte(csv), 422)
	mapped := strings.Replace(csv, "MAC Address", "Ethernet", 1)
	resp, b = ce.call("POST", "/api/v1/register?mapping=cmms", "text/csv", strings.NewReader(mapped))
	ce.check("import with a mapping", resp, b, http.StatusCreated, &res)
	if res.Figures.Matched != 1 {
		t.Errorf("import with a mapping: %+v", res)
	}
	ce.errorOf("POST", "/api/v1/register?mapping=nope", "text/csv", []byte(csv), 400)
	ts.bearer(t, auth.RoleSecurity).errorOf("POST", "/api/v1/register", "text/csv", []byte(csv), 403)
}

func TestAPIErrors(t *testing.T) {
	ts := newTestServer(t)
	anon := ts.anonymous(t)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/v1/devices", 401},
		{"GET", "/api/v1/me", 401},
		{"PATCH", "/api/v1/devices/x", 401},
		{"GET", "/api/v1/nothing", 404},
		{"GET", "/api/v2/devices", 404},
		{"PUT", "/api/v1/devices", 404},
	} {
		resp, b := anon.call(c.method, c.path, "", nil)
		anon.check(c.method+" "+c.path, resp, b, c.status, nil)
		if c.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: 401 without WWW-Authenticate", c.method, c.path)
		}
	}
	bad := &apiClient{t: t, base: ts.URL, c: ts.client(t), token: "wardt_" + strings.Repeat("A", 43)}
	bad.get("/api/v1/me", http.StatusUnauthorized, nil)
	bad.token = "not a token"
	bad.get("/api/v1/me", http.StatusUnauthorized, nil)

	s := ts.session(t, auth.RoleAuditor)
	var me apiMe
	s.get("/api/v1/me", http.StatusOK, &me)
	want := apiMe{Name: "auditor", Kind: "user", Roles: []string{"auditor"},
		Permissions: []string{"devices.read", "export", "audit.read", "vulns.read", "segment.read"},
		Grants:      []apiGrant{{Role: "auditor"}}, CSRFToken: s.csrf}
	if diff := cmp.Diff(want, me); diff != "" {
		t.Errorf("me (-want +got):\n%s", diff)
	}
	s.get("/api/v1/users", http.StatusForbidden, nil)
}
