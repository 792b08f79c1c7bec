package web

import (
	"errors"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
)

// uploadState is what an upload could change.
type uploadState struct {
	Files   int
	Devices []string
	Audit   []string // actions after the start of the test
}

// TestUploadRefused sends captures that must not be ingested, and checks
// that each is refused with a clear 4xx and stores nothing, not even in
// part.
func TestUploadRefused(t *testing.T) {
	t.Parallel()
	const maxUpload = 64 << 10
	ts := newTestServer(t, func(c *Config) { c.MaxUpload = maxUpload })
	seedDevices(t, ts, "dicom-tls.pcap")
	c, csrf := ts.login(t, auth.RoleSecurity)
	hl7, err := testdataString(filepath.Join(labDir, "lab-hl7.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	large, err := testdataString(filepath.Join(labDir, "clinical-ward7.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	start := lastSeq(t, ts)
	state := func() uploadState {
		var acts []string
		for _, e := range auditAfter(t, ts, start) {
			if e.Action != "login" {
				acts = append(acts, e.Action)
			}
		}
		return uploadState{Files: fileCount(t, ts), Devices: storedDeviceIDs(t, ts), Audit: acts}
	}
	token := formPart{name: csrfField, value: csrf}
	capture := func(data string) formPart {
		return formPart{name: "capture", file: "upload.pcap", value: data}
	}
	raw := func(ct, body string) *http.Request {
		return newRequest(t, "POST", ts.URL+"/ingest", strings.NewReader(body), "Content-Type", ct)
	}
	tests := []struct {
		name string
		req  *http.Request
		want int
		say  string
	}{
		{"larger than MaxUpload", multipartRequest(t, ts.URL+"/ingest",
			[]formPart{token, capture(large)}), 413, "too large"},
		{"a field before the file fills MaxUpload", multipartRequest(t, ts.URL+"/ingest",
			[]formPart{token, {name: "note", value: strings.Repeat("x", maxUpload)},
				capture(hl7)}), 413, "too large"},
		{"garbage", multipartRequest(t, ts.URL+"/ingest",
			[]formPart{token, capture("this is not a packet capture, just text\n")}), 400,
			"not ingested"},
		{"garbage after a pcap header", multipartRequest(t, ts.URL+"/ingest",
			[]formPart{token, capture(hl7[:24] + strings.Repeat("\xff", 4096))}), 400,
			"not ingested"},
		{"empty file", multipartRequest(t, ts.URL+"/ingest", []formPart{token, capture("")}),
			400, "not ingested"},
		{"no file", multipartRequest(t, ts.URL+"/ingest", []formPart{token}), 400, "no file"},
		{"file before the token", multipartRequest(t, ts.URL+"/ingest",
			[]formPart{capture(hl7), token}), 403, "did not come from Ward"},
		{"no boundary", raw("multipart/form-data", "--x\r\n\r\n--x--\r\n"), 400,
			"not a multipart form"},
		{"wrong boundary", raw("multipart/form-data; boundary=y", "--x\r\nContent-Disposition: "+
			"form-data; name=\"csrf\"\r\n\r\n"+csrf+"\r\n--x--\r\n"), 400, "could not be read"},
		{"body ends inside a part", raw("multipart/form-data; boundary=x", "--x\r\nContent-"+
			"Disposition: form-data; name=\"csrf\"\r\n\r\n"+csrf), 400, "could not be read"},
		{"header without end", raw("multipart/form-data; boundary=x", "--x\r\nContent-"+
			"Disposition: form-data; name=\"csrf\""+strings.Repeat("x", 20000)), 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := state()
			resp, body := fetch(t, c, tc.req)
			if resp.StatusCode != tc.want || !strings.Contains(body, tc.say) {
				t.Errorf("status %d saying %q, want %d saying %q", resp.StatusCode,
					pageError(body), tc.want, tc.say)
			}
			if diff := cmp.Diff(before, state()); diff != "" {
				t.Errorf("the store changed (-before +after):\n%s", diff)
			}
		})
	}

	t.Run("cut off in the middle", func(t *testing.T) {
		before := state()
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			mw.WriteField(csrfField, csrf)
			fw, _ := mw.CreateFormFile("capture", "cut.pcap")
			io.WriteString(fw, hl7[:len(hl7)*3/4])
			pw.CloseWithError(errors.New("the network went away"))
		}()
		req := newRequest(t, "POST", ts.URL+"/ingest", pr, "Content-Type", mw.FormDataContentType())
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("status %d, want a 4xx", resp.StatusCode)
			}
		}
		waitForLog(t, ts, "upload refused")
		if diff := cmp.Diff(before, state()); diff != "" {
			t.Errorf("the store changed (-before +after):\n%s", diff)
		}
	})

	// A whole upload of a capture cut short (a capture that was stopped)
	// is merged with what it holds: what the cases above refuse is the
	// broken stream, not the short file.
	t.Run("whole upload of a short capture", func(t *testing.T) {
		before := state()
		resp, body := fetch(t, c, multipartRequest(t, ts.URL+"/ingest",
			[]formPart{token, capture(hl7[:len(hl7)*3/4])}))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d saying %q, want 303", resp.StatusCode, pageError(body))
		}
		if after := state(); after.Files != before.Files+1 {
			t.Errorf("files %d, want %d", after.Files, before.Files+1)
		}
	})
}

var alertRE = regexp.MustCompile(`role="alert">([^<]*)<`)

// pageError is the error a page shows, "" when none.
func pageError(page string) string {
	if m := alertRE.FindStringSubmatch(page); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// waitForLog waits up to five seconds for the server to log msg.
func waitForLog(t *testing.T, ts *testServer, msg string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if strings.Contains(ts.logs.String(), msg) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("the server did not log %q", msg)
}
