package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/segment"
	"github.com/wardhq/ward/internal/store"
)

// fuzzBoundary is the multipart boundary of the fuzzed editor forms.
const fuzzBoundary = "wardfuzz"

// fuzzPart is a multipart part of the fuzzed forms.
func fuzzPart(name, file, content string) string {
	disp := `form-data; name="` + name + `"`
	if file != "" {
		disp += `; filename="` + file + `"`
	}
	return "--" + fuzzBoundary + "\r\nContent-Disposition: " + disp + "\r\n\r\n" + content + "\r\n"
}

// smallPolicy is a valid policy of a few lines.
const smallPolicy = `ward_policy: 1
name: Small
zones:
  - name: imaging
    medical: true
  - name: clinical-it
rules:
  - zone: imaging
    categories: [imaging-ct]
  - zone: clinical-it
    subnets: [10.77.7.0/24]
conduits:
  - from: imaging
    to: clinical-it
    services: [tcp/104, {proto: tcp, ports: [11112], app: dicom}]
`

// segmentFormSeeds are editor forms as a browser or a hostile client
// might send them: the body after the CSRF field, and whether it is
// multipart.
func segmentFormSeeds() []struct {
	body      string
	multipart bool
} {
	tmpl := string(segment.TemplateYAML())
	end := "--" + fuzzBoundary + "--\r\n"
	return []struct {
		body      string
		multipart bool
	}{
		{fuzzPart("policy", "", tmpl) + fuzzPart("note", "", "first") + end, true},
		{fuzzPart("policy", "", "") + fuzzPart("file", "ward.yaml", tmpl) + end, true},
		{fuzzPart("policy", "", badPolicy) + end, true},
		{fuzzPart("file", "x.yaml", "ward_policy: 2\nzones: []\n") + end, true},
		{fuzzPart("policy", "", tmpl), true},
		{fuzzPart("policy", "", "\xff") + end, true},
		{fuzzPart("policy", "", smallPolicy) + fuzzPart("note", "", "small") + end, true},
		{fuzzPart("file", "small.yaml", smallPolicy) + end, true},
		{"policy=" + url.QueryEscape(smallPolicy), false},
		{"policy=" + url.QueryEscape(badPolicy) + "&note=x", false},
		{"policy=" + url.QueryEscape("ward_policy: 1\nzones:\n  - name: a\n"), false},
		{"policy=" + url.QueryEscape(tmpl) + "&note=" + strings.Repeat("n", maxText+1), false},
		{"policy=%ff%fe&note=%00", false},
	}
}

// request is the editor's POST of body after the CSRF field csrf.
func segmentFormRequest(csrf, body string, multipart bool) *http.Request {
	ctype := "application/x-www-form-urlencoded"
	body = "csrf=" + url.QueryEscape(csrf) + "&" + body
	if multipart {
		ctype = "multipart/form-data; boundary=" + fuzzBoundary
		body = "--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" +
			csrf + "\r\n" + strings.TrimPrefix(body, "csrf="+url.QueryEscape(csrf)+"&")
	}
	req := httptest.NewRequest("POST", "/segmentation/policy", strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	return req
}

// FuzzSegmentPolicyForm reads what a browser or a hostile client might
// post to the policy editor, as the middleware and the handler read it,
// then parses the policy: no panic, a refusal is one the handler answers
// with a 4xx, and an accepted form holds a policy of valid UTF-8 within
// the bound. The store is left out, which the instrumented fuzzer would
// make too slow; TestSegmentPolicyFormSeeds posts the seeds to a real
// server and checks that a refused policy leaves the policy in force.
// ci-fuzz: 3000x
func FuzzSegmentPolicyForm(f *testing.F) {
	// Small seeds only: the instrumented fuzzer runs a hundred times
	// slower on the 11 KB template than on a policy of a few lines.
	for _, sd := range segmentFormSeeds() {
		if len(sd.body) < 2000 {
			f.Add(sd.body, sd.multipart)
		}
	}
	s := &Server{}
	p := &principal{name: "network", csrf: "token",
		grants: []store.Grant{{Role: auth.RoleNetwork}}}
	f.Fuzz(func(t *testing.T, body string, multipart bool) {
		req := segmentFormRequest(p.csrf, body, multipart)
		req = req.WithContext(withPrincipal(req.Context(), p))
		rec := httptest.NewRecorder()
		if !multipart {
			if err := readForm(rec, req); err != nil {
				return // the middleware answers 400 or 413
			}
			if !s.csrfOK(req, p.csrf) {
				t.Fatal("the CSRF field sent first was not found")
			}
		}
		form, err := s.readPolicyForm(rec, req)
		if err != nil {
			checkFormRefusal(t, err)
			return
		}
		if !utf8.ValidString(form.yaml) || len(form.yaml) > maxPolicyBytes ||
			strings.TrimSpace(form.yaml) == "" {
			t.Fatalf("accepted a policy of %d bytes, UTF-8 %v", len(form.yaml),
				utf8.ValidString(form.yaml))
		}
		if _, err := segment.Parse([]byte(form.yaml), form.file); err != nil {
			if _, ok := policyProblems(err); !ok {
				t.Fatalf("a policy refused without its problems: %v", err)
			}
		}
	})
}

// checkFormRefusal wants a refusal that policyFormRefused answers with a
// 4xx: not the server's own error.
func checkFormRefusal(t *testing.T, err error) {
	t.Helper()
	var mbe *http.MaxBytesError
	var fe *fieldError
	switch {
	case errors.Is(err, errCSRF), errors.As(err, &mbe), errors.Is(err, errNoPolicy),
		errors.As(err, &fe), strings.HasPrefix(err.Error(), "the form "):
	default:
		t.Fatalf("refusal %v", err)
	}
}

// TestSegmentPolicyFormSeeds posts the fuzz target's seeds to the editor
// of a real server: a policy it refuses leaves the policy in force as it
// was, one it saves is the policy in force, and it never fails on the
// server.
func TestSegmentPolicyFormSeeds(t *testing.T) {
	ts := newTestServer(t)
	c, csrf := ts.login(t, auth.RoleNetwork)
	for i, sd := range segmentFormSeeds() {
		before := fuzzVersion(t, ts.db)
		r := segmentFormRequest(csrf, sd.body, sd.multipart)
		req := newRequest(t, "POST", ts.URL+"/segmentation/policy", r.Body,
			"Content-Type", r.Header.Get("Content-Type"))
		resp, body := fetch(t, c, req)
		after := fuzzVersion(t, ts.db)
		switch resp.StatusCode {
		case http.StatusSeeOther:
			if after == nil || before != nil && after.ID == before.ID {
				t.Errorf("seed %d: 303 but nothing stored", i)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnprocessableEntity:
			if (before == nil) != (after == nil) || before != nil && before.ID != after.ID {
				t.Errorf("seed %d: refused with %d, yet the policy in force changed", i,
					resp.StatusCode)
			}
		default:
			t.Errorf("seed %d: status %d\n%.300s", i, resp.StatusCode, body)
		}
	}
	if v := fuzzVersion(t, ts.db); v == nil {
		t.Error("no seed saved a policy")
	}
}

func fuzzVersion(t *testing.T, db *store.DB) *store.PolicyVersion {
	t.Helper()
	v, err := db.CurrentPolicy(context.Background())
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}
