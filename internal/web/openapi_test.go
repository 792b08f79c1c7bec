package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/auth"
)

// fetchOpenAPI reads the document as a client would.
func fetchOpenAPI(t *testing.T, ts *testServer) map[string]any {
	t.Helper()
	resp, b := ts.anonymous(t).call("GET", "/api/v1/openapi.json", "", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("openapi.json: status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi: %v, want 3.1.0", doc["openapi"])
	}
	return doc
}

// docOperations lists the document's operations as "METHOD PATH".
func docOperations(doc map[string]any) map[string]map[string]any {
	ops := map[string]map[string]any{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			ops[strings.ToUpper(method)+" "+path] = op.(map[string]any)
		}
	}
	return ops
}

// TestOpenAPIRoutes checks the document against the route table: the
// same API routes, methods and path templates, no more and no fewer.
func TestOpenAPIRoutes(t *testing.T) {
	ts := newTestServer(t)
	doc := fetchOpenAPI(t, ts)
	var want, got []string
	for _, rt := range ts.srv.routes() {
		if rt.kind == api {
			want = append(want, rt.method+" "+rt.path)
		}
	}
	for key := range docOperations(doc) {
		got = append(got, key)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("API routes (-route table +document):\n%s", diff)
	}
	// And each exists on the server: anonymous, it is refused for want of
	// a sign-in (or served, if public), never unknown.
	anon := ts.anonymous(t)
	for _, key := range got {
		method, path, _ := strings.Cut(key, " ")
		resp, b := anon.call(method, strings.ReplaceAll(path, "{id}", "1"), "", nil)
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusOK {
			t.Errorf("%s: anonymous status %d, want 401 or 200 (it should exist)\n%.200s",
				key, resp.StatusCode, b)
		}
	}
}

var pathParamRE = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPIDocument checks the document's own consistency: every
// reference resolves, every operation has an id, a success answer with a
// schema, its path parameters and the right security.
func TestOpenAPIDocument(t *testing.T) {
	ts := newTestServer(t)
	doc := fetchOpenAPI(t, ts)
	checkRefs(t, doc, doc, "#")
	comp := doc["components"].(map[string]any)
	for _, name := range []string{"bearerToken", "sessionCookie", "csrfHeader"} {
		if comp["securitySchemes"].(map[string]any)[name] == nil {
			t.Errorf("no security scheme %s", name)
		}
	}
	ids := map[string]bool{}
	for key, op := range docOperations(doc) {
		id, _ := op["operationId"].(string)
		if id == "" || ids[id] {
			t.Errorf("%s: operationId %q missing or used twice", key, id)
		}
		ids[id] = true
		if op["summary"] == "" || op["summary"] == nil {
			t.Errorf("%s: no summary", key)
		}
		checkParams(t, doc, key, op)
		checkResponses(t, key, op)
	}
}

// checkRefs fails for a $ref anywhere in v that does not resolve.
func checkRefs(t *testing.T, doc map[string]any, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && resolveRef(doc, ref) == nil {
			t.Errorf("%s: $ref %s does not resolve", at, ref)
		}
		for k, x := range v {
			checkRefs(t, doc, x, at+"/"+k)
		}
	case []any:
		for i, x := range v {
			checkRefs(t, doc, x, at+"/"+strconv.Itoa(i))
		}
	}
}

// resolveRef finds a local reference, "#/components/schemas/Device".
func resolveRef(doc map[string]any, ref string) map[string]any {
	var at any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := at.(map[string]any)
		if !ok {
			return nil
		}
		at = m[part]
	}
	m, _ := at.(map[string]any)
	return m
}

// deref follows v's $ref, if it has one.
func deref(doc map[string]any, v map[string]any) map[string]any {
	if ref, ok := v["$ref"].(string); ok {
		return resolveRef(doc, ref)
	}
	return v
}

func checkParams(t *testing.T, doc map[string]any, key string, op map[string]any) {
	t.Helper()
	inPath := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		pm := deref(doc, p.(map[string]any))
		if pm["in"] == "path" {
			inPath[pm["name"].(string)] = true
		}
		if pm["schema"] == nil || pm["description"] == "" {
			t.Errorf("%s: parameter %v lacks a schema or description", key, pm["name"])
		}
	}
	_, path, _ := strings.Cut(key, " ")
	for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
		if !inPath[m[1]] {
			t.Errorf("%s: path parameter %s not declared", key, m[1])
		}
		delete(inPath, m[1])
	}
	for name := range inPath {
		t.Errorf("%s: path parameter %s is not in the path", key, name)
	}
}

func checkResponses(t *testing.T, key string, op map[string]any) {
	t.Helper()
	resps := op["responses"].(map[string]any)
	success := 0
	for code, r := range resps {
		n, err := strconv.Atoi(code)
		if err != nil {
			t.Errorf("%s: response %q is not a status", key, code)
			continue
		}
		rm := r.(map[string]any)
		if n < 300 {
			success++
			if content, ok := rm["content"].(map[string]any); n != 204 && (!ok || content["application/json"] == nil) {
				t.Errorf("%s: answer %d has no JSON schema", key, n)
			}
		}
	}
	if success != 1 {
		t.Errorf("%s: %d success answers, want 1", key, success)
	}
	sec, hasSec := op["security"].([]any)
	public := key == "GET /api/v1/openapi.json"
	switch {
	case public && (!hasSec || len(sec) != 0):
		t.Errorf("%s: a public operation wants security [], has %v", key, op["security"])
	case !public && (resps["401"] == nil || resps["403"] == nil):
		t.Errorf("%s: no 401 or 403 answer", key)
	case !public && hasSec && len(sec) == 0:
		t.Errorf("%s: security [] on an operation that needs a sign-in", key)
	}
}

// schemaChecker checks JSON values against the document's schemas: types,
// required and unknown properties, enums, formats, minimums.
type schemaChecker struct {
	doc  map[string]any
	errs []string
}

func (c *schemaChecker) fail(at, format string, args ...any) {
	c.errs = append(c.errs, at+": "+fmt.Sprintf(format, args...))
}

func (c *schemaChecker) check(at string, sc map[string]any, v any) {
	sc = deref(c.doc, sc)
	if anyOf, ok := sc["anyOf"].([]any); ok {
		for _, alt := range anyOf {
			sub := &schemaChecker{doc: c.doc}
			if sub.check(at, alt.(map[string]any), v); len(sub.errs) == 0 {
				return
			}
		}
		c.fail(at, "%v matches none of anyOf", v)
		return
	}
	if !c.typeOK(sc["type"], v) {
		c.fail(at, "%v is not of type %v", v, sc["type"])
		return
	}
	if vals, ok := sc["enum"].([]any); ok && !slices.Contains(vals, v) {
		c.fail(at, "%v is not one of %v", v, vals)
	}
	if min, ok := sc["minimum"].(float64); ok {
		if n, isNum := v.(float64); isNum && n < min {
			c.fail(at, "%v is below %v", n, min)
		}
	}
	if sc["format"] == "date-time" {
		if s, ok := v.(string); ok {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				c.fail(at, "%q is not a date-time", s)
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		c.object(at, sc, v)
	case []any:
		if items, ok := sc["items"].(map[string]any); ok {
			for i, x := range v {
				c.check(at+"["+strconv.Itoa(i)+"]", items, x)
			}
		}
	}
}

func (c *schemaChecker) object(at string, sc map[string]any, v map[string]any) {
	props, _ := sc["properties"].(map[string]any)
	req, _ := sc["required"].([]any)
	for _, r := range req {
		if _, ok := v[r.(string)]; !ok {
			c.fail(at, "required property %s is missing", r)
		}
	}
	for k, x := range v {
		switch p, ok := props[k].(map[string]any); {
		case ok:
			c.check(at+"."+k, p, x)
		case sc["additionalProperties"] == false:
			c.fail(at, "property %s is not in the schema", k)
		default:
			if extra, ok := sc["additionalProperties"].(map[string]any); ok {
				c.check(at+"."+k, extra, x)
			}
		}
	}
}

func (c *schemaChecker) typeOK(typ any, v any) bool {
	switch typ := typ.(type) {
	case nil:
		return true
	case string:
		return jsonTypeIs(typ, v)
	case []any:
		return slices.ContainsFunc(typ, func(t any) bool { return jsonTypeIs(t.(string), v) })
	}
	return false
}

func jsonTypeIs(typ string, v any) bool {
	switch v := v.(type) {
	case nil:
		return typ == "null"
	case bool:
		return typ == "boolean"
	case string:
		return typ == "string"
	case float64:
		return typ == "number" || typ == "integer" && v == math.Trunc(v)
	case []any:
		return typ == "array"
	case map[string]any:
		return typ == "object"
	}
	return false
}

// TestOpenAPIResponses checks real answers against the document's
// schemas, successes and errors alike.
func TestOpenAPIResponses(t *testing.T) {
	ts := newTestServer(t)
	ts.seed(t, ward7Capture)
	doc := fetchOpenAPI(t, ts)
	ops := docOperations(doc)
	admin := ts.bearer(t, auth.RoleAdmin)
	id := pathEscape(ts.allDevices(t)[0].ID)
	csv := "Asset No,MAC Address\nA1," + ts.allDevices(t)[0].MAC + "\nA2,00:00:5e:00:53:01\n"
	capture := apiReadFile(t, "../../testdata/captures/golden/http.pcap")
	calls := []struct {
		op, path, ctype, body string
		status                int
	}{
		{"GET /api/v1/openapi.json", "/api/v1/openapi.json", "", "", 200},
		{"GET /api/v1/me", "/api/v1/me", "", "", 200},
		{"GET /api/v1/devices", "/api/v1/devices?limit=3", "", "", 200},
		{"GET /api/v1/devices", "/api/v1/devices?limit=0", "", "", 400},
		{"GET /api/v1/devices/{id}", "/api/v1/devices/" + id, "", "", 200},
		{"GET /api/v1/devices/{id}", "/api/v1/devices/nothing", "", "", 404},
		{"PATCH /api/v1/devices/{id}", "/api/v1/devices/" + id, "application/json",
			`{"notes":"checked","tags":["icu"],"owner":"EBME","criticality":"supporting"}`, 200},
		{"PATCH /api/v1/devices/{id}", "/api/v1/devices/" + id, "application/json", `{"x":1}`, 400},
		{"GET /api/v1/devices/{id}/attributes", "/api/v1/devices/" + id + "/attributes", "", "", 200},
		{"GET /api/v1/devices/{id}/flows", "/api/v1/devices/" + id + "/flows", "", "", 200},
		{"GET /api/v1/dashboard", "/api/v1/dashboard", "", "", 200},
		{"POST /api/v1/ingest", "/api/v1/ingest", "application/vnd.tcpdump.pcap", string(capture), 200},
		{"POST /api/v1/ingest", "/api/v1/ingest", "text/plain", "x", 415},
		{"POST /api/v1/register", "/api/v1/register", "text/csv", csv, 201},
		{"GET /api/v1/register", "/api/v1/register", "", "", 200},
		{"GET /api/v1/users", "/api/v1/users", "", "", 200},
		{"POST /api/v1/users", "/api/v1/users", "application/json", `{"name":"eve","role":"auditor"}`, 201},
		{"POST /api/v1/users", "/api/v1/users", "application/json", `{"name":"eve","role":"auditor"}`, 409},
		{"POST /api/v1/tokens", "/api/v1/tokens", "application/json", `{"name":"cmms","role":"auditor"}`, 201},
		{"GET /api/v1/tokens", "/api/v1/tokens", "", "", 200},
		{"DELETE /api/v1/tokens/{id}", "/api/v1/tokens/999", "", "", 404},
		{"GET /api/v1/audit", "/api/v1/audit?limit=5", "", "", 200},
	}
	for _, more := range moreOpenAPICalls {
		calls = append(calls, more(t, ts)...)
	}
	covered := map[string]bool{"DELETE /api/v1/tokens/{id}": true} // its success has no body
	for op := range coveredElsewhere {
		covered[op] = true
	}
	for _, c := range calls {
		method, _, _ := strings.Cut(c.op, " ")
		resp, b := admin.call(method, c.path, c.ctype, bytes.NewReader([]byte(c.body)))
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d\n%.300s", method, c.path, resp.StatusCode, c.status, b)
			continue
		}
		sc := responseSchema(t, doc, ops[c.op], c.status)
		if sc == nil {
			continue
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("%s %s: %v", method, c.path, err)
			continue
		}
		chk := &schemaChecker{doc: doc}
		chk.check(c.op, sc, v)
		for _, e := range chk.errs {
			t.Errorf("%s %s (%d): %s", method, c.path, c.status, e)
		}
		if c.status < 300 {
			covered[c.op] = true
		}
	}
	for key := range ops {
		if !covered[key] {
			t.Errorf("%s: no answer checked against its schema", key)
		}
	}
}

// openAPICall is a call of TestOpenAPIResponses: the operation, the
// request's path, media type and body, and the status it must answer.
type openAPICall = struct {
	op, path, ctype, body string
	status                int
}

// moreOpenAPICalls make the calls of the route tables kept in files of
// their own (vulnerabilities, patch workflow and alerts), which
// TestOpenAPIResponses sends after its own, as admin, in order. Each may
// seed the store first.
var moreOpenAPICalls []func(t *testing.T, ts *testServer) []openAPICall

// coveredElsewhere are operations whose success an admin cannot get, and
// whose answers another test checks against the schema as the role that
// can (a clinical safety sign-off, by the Clinical Safety Officer).
var coveredElsewhere = map[string]bool{}

// responseSchema is the JSON schema of an operation's answer of status.
func responseSchema(t *testing.T, doc, op map[string]any, status int) map[string]any {
	t.Helper()
	if op == nil {
		t.Errorf("no such operation in the document")
		return nil
	}
	r, ok := op["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
	if !ok {
		t.Errorf("operation %v does not document status %d", op["operationId"], status)
		return nil
	}
	r = deref(doc, r)
	sc, _ := r["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
	if sc == nil {
		t.Errorf("operation %v: answer %d has no schema", op["operationId"], status)
	}
	return sc
}
