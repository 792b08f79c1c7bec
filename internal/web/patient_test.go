package web

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/planted"
)

// leaks searches each output for each value in each of its encodings and
// returns what it found.
func leaks(outputs map[string][]byte, values []string) []string {
	var found []string
	for _, name := range sortedKeys(outputs) {
		b := outputs[name]
		for _, v := range values {
			for form, enc := range planted.Encodings(v) {
				if i := bytes.Index(b, enc); i >= 0 {
					lo, hi := max(i-40, 0), min(i+len(enc)+40, len(b))
					found = append(found, fmt.Sprintf("%s holds planted value %q (%s): …%q…",
						name, v, form, b[lo:hi]))
				}
			}
		}
	}
	return found
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// filesUnder reads every regular file under dir, by path.
func filesUnder(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPatientData uploads the lab captures, which carry planted patient
// values, through the upload form as a browser does, and then searches
// everything Ward wrote or shows for each value: the database and its
// WAL, the audit key directory, the logs at debug level, every page and
// export, and every file the upload left behind. It sets TMPDIR, so it is
// not parallel.
func TestPatientData(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ts := newTestServer(t)
	values := planted.Values(t, filepath.Join(labDir, "planted.txt"))
	captures, _ := filepath.Glob(filepath.Join(labDir, "*.pcap"))
	if len(captures) == 0 {
		t.Fatalf("no lab captures in %s", labDir)
	}
	raw := map[string][]byte{}
	for _, p := range captures {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		raw[filepath.Base(p)] = b
	}
	// The search proves something only for the values the captures carry,
	// and only if it finds a value where there is one.
	for _, v := range values {
		if len(leaks(raw, []string{v})) == 0 {
			t.Errorf("planted value %q is in no lab capture", v)
		}
	}
	if len(leaks(map[string][]byte{"probe": []byte("x" + values[0])}, values)) == 0 {
		t.Fatal("the search does not find a planted value")
	}

	c, csrf := ts.login(t, auth.RoleAdmin)
	tmpBefore, dataBefore := filesUnder(t, tmp), filesUnder(t, ts.dir)
	for _, name := range sortedKeys(raw) {
		req := multipartRequest(t, ts.URL+"/ingest", []formPart{{name: csrfField, value: csrf},
			{name: "capture", file: name, value: string(raw[name])}})
		resp, body := fetch(t, c, req)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload %s: status %d saying %q", name, resp.StatusCode, pageError(body))
		}
	}
	ids := storedDeviceIDs(t, ts)
	if len(ids) < 8 || fileCount(t, ts) != len(raw) {
		t.Fatalf("%d devices from %d files: too little to prove anything", len(ids),
			fileCount(t, ts))
	}

	outputs := map[string][]byte{}
	grab := func(path string) {
		resp, body := get(t, c, ts.URL+path)
		// The API answers 404 for what is not there yet (a register).
		if resp.StatusCode != http.StatusOK &&
			!(strings.HasPrefix(path, "/api/") && resp.StatusCode == http.StatusNotFound) {
			t.Errorf("GET %s: status %d", path, resp.StatusCode)
		}
		outputs["GET "+path] = []byte(body)
	}
	for _, p := range []string{"/", "/devices", "/devices?limit=500", "/devices.csv", "/ingest",
		"/register", "/audit", "/audit/checkpoint", "/users", "/tokens", "/account"} {
		grab(p)
	}
	for _, id := range ids {
		grab("/devices/" + id)
	}
	for _, r := range ts.srv.apiRoutes() {
		if r.method != "GET" || r.access == public {
			continue
		}
		if !strings.Contains(r.path, "{id}") {
			grab(r.path)
			continue
		}
		for _, id := range ids {
			grab(strings.ReplaceAll(r.path, "{id}", id))
		}
	}
	outputs["logs"] = []byte(ts.logs.String())
	for p, b := range filesUnder(t, ts.dir) {
		outputs["data dir "+filepath.Base(p)] = b
	}
	tmpAfter := filesUnder(t, tmp)
	for p, b := range tmpAfter {
		outputs["temporary file "+p] = b
	}
	size := 0
	for _, b := range outputs {
		size += len(b)
	}
	t.Logf("searched %d outputs, %d bytes, for %d values", len(outputs), size, len(values))
	for _, f := range leaks(outputs, values) {
		t.Error(f)
	}

	t.Run("no capture bytes left behind", func(t *testing.T) {
		for _, dir := range []struct {
			name          string
			before, after map[string][]byte
		}{{"TMPDIR", tmpBefore, tmpAfter}, {"data dir", dataBefore, filesUnder(t, ts.dir)}} {
			for p, b := range dir.after {
				if _, ok := dir.before[p]; ok {
					continue
				}
				if !strings.HasPrefix(filepath.Base(p), "ward.db") {
					t.Errorf("%s: the upload left %s", dir.name, p)
				}
				for name, data := range raw {
					for _, at := range []int{len(data) / 3, len(data) / 2, len(data) * 2 / 3} {
						if bytes.Contains(b, data[at:at+64]) {
							t.Errorf("%s: %s holds bytes of %s at %d", dir.name, p, name, at)
						}
					}
				}
			}
		}
	})

	t.Run("store closed", func(t *testing.T) {
		ts.Close()
		if err := ts.db.Close(); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for p, b := range filesUnder(t, ts.dir) {
			files[filepath.Base(p)] = b
		}
		for _, f := range leaks(files, values) {
			t.Error(f)
		}
	})
}
