package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/wardhq/ward/internal/auth"
)

// The OpenAPI 3.1 document of the JSON API. Its operations are written
// out in apiOps, beside the route table; a test checks that the two name
// the same routes. Their schemas are derived from the API structs by
// reflection, so that the document cannot drift from what is sent.

// apiOp documents one API route.
type apiOp struct {
	method, path string
	id           string   // the operationId
	desc         string   // more than the route's summary, when needed
	params       []string // names of components.parameters
	body         *apiBody // nil: no request body
	status       int      // of success
	out          any      // a value of the answer's type; nil: no body
	errs         []int    // error statuses besides 401 and 403
	// errOut gives an error status an answer of its own type, in place of
	// the shared Error (a policy's 422 lists its problems).
	errOut map[int]any
}

// apiBody is an operation's request body: JSON of a type, or raw bytes of
// some media types.
type apiBody struct {
	json  any
	types []string
	desc  string
}

var apiOps = []apiOp{
	{method: "GET", path: "/api/v1/openapi.json", id: "getOpenAPI", status: 200,
		out: json.RawMessage(nil)},
	{method: "GET", path: "/api/v1/me", id: "getMe", status: 200, out: apiMe{}},
	{method: "GET", path: "/api/v1/devices", id: "listDevices", status: 200, out: apiDeviceList{},
		params: []string{"q", "category", "vendor", "site", "criticality", "tag", "seen", "sort",
			"order", "cursor", "limit"}, errs: []int{400},
		desc: "The filters are the inventory page's. Pass next_cursor back as cursor, with the " +
			"same filters, sort and order, until it is absent: every device comes once."},
	{method: "GET", path: "/api/v1/devices/{id}", id: "getDevice", params: []string{"deviceID"},
		status: 200, out: apiDeviceDetail{}, errs: []int{404}},
	{method: "PATCH", path: "/api/v1/devices/{id}", id: "updateDevice",
		params: []string{"deviceID"}, status: 200, out: apiDeviceDetail{},
		body: &apiBody{json: deviceEdit{}, desc: "A field that is absent is left as it is; an " +
			"empty string (0 for location_id, [] for tags) clears it. Unknown fields are refused."},
		errs: []int{400, 404, 413, 415},
		desc: "Each change is written to the audit log as one device.update event."},
	{method: "GET", path: "/api/v1/devices/{id}/attributes", id: "getDeviceAttributes",
		params: []string{"deviceID"}, status: 200, out: apiAttributes{}, errs: []int{404}},
	{method: "GET", path: "/api/v1/devices/{id}/flows", id: "getDeviceFlows",
		params: []string{"deviceID", "flowLimit"}, status: 200, out: apiFlows{},
		errs: []int{400, 404}},
	{method: "GET", path: "/api/v1/dashboard", id: "getDashboard", status: 200, out: apiDashboard{}},
	{method: "POST", path: "/api/v1/ingest", id: "ingestCapture", params: []string{"captureName"},
		status: 200, out: apiIngestResult{}, errs: []int{400, 413, 415},
		body: &apiBody{types: captureTypes, desc: "The capture, pcap or pcapng, as it is."},
		desc: "The body is streamed through the analysis and never stored. Bytes ingested " +
			"before change nothing: the answer says already_ingested."},
	{method: "POST", path: "/api/v1/register", id: "importRegister",
		params: []string{"registerName", "mapping"}, status: 201, out: apiRegisterResult{},
		errs: []int{400, 413, 415, 422},
		body: &apiBody{types: registerTypes, desc: "The register, CSV or XLSX, as it is."}},
	{method: "GET", path: "/api/v1/register", id: "getRegister", status: 200,
		out: apiRegisterImport{}, errs: []int{404},
		desc: "The lists hold every site's devices: a caller limited to some sites is refused."},
	{method: "GET", path: "/api/v1/users", id: "listUsers", status: 200, out: apiUsers{}},
	{method: "POST", path: "/api/v1/users", id: "createUser", status: 201, out: apiCreatedUser{},
		body: &apiBody{json: apiNewUser{}}, errs: []int{400, 409, 413, 415}},
	{method: "GET", path: "/api/v1/tokens", id: "listTokens", status: 200, out: apiTokens{}},
	{method: "POST", path: "/api/v1/tokens", id: "createToken", status: 201, out: apiCreatedToken{},
		body: &apiBody{json: apiNewToken{}}, errs: []int{400, 413, 415}},
	{method: "DELETE", path: "/api/v1/tokens/{id}", id: "revokeToken", params: []string{"tokenID"},
		status: 204, errs: []int{404}},
	{method: "GET", path: "/api/v1/audit", id: "listAudit", status: 200, out: apiAudit{},
		params: []string{"actor", "action", "before", "auditLimit"}, errs: []int{400}},
}

// apiParams are the parameters operations share, by the names apiOps use.
var apiParams = map[string]oaParam{
	"q": query("q", "Part of a name, vendor or model, or of a MAC or IP address; any case.",
		str()),
	"category":    query("category", "The category, exactly.", str()),
	"vendor":      query("vendor", "The vendor, exactly.", str()),
	"criticality": query("criticality", "The criticality, exactly.", str()),
	"tag":         query("tag", "A tag the device has.", str()),
	"site":        query("site", "A site's id: the devices placed anywhere in it.", integer(1, 0)),
	"seen": query("seen", "When it was last seen: in the last 7, 30 or 90 days, or not for "+
		"30 days (stale30d).", enum("any", "7d", "30d", "90d", "stale30d")),
	"sort": query("sort", "The order; ties are broken by id. Default last_seen.",
		enum("id", "name", "vendor", "model", "category", "criticality", "first_seen", "last_seen")),
	"order": query("order", "asc or desc; with no sort, the newest first unless asc.",
		enum("asc", "desc")),
	"cursor": query("cursor", "The next_cursor of the previous page.", str()),
	"limit":  query("limit", "Devices a page, 1 to 500. Default 50.", integer(1, 500)),
	"deviceID": {Name: "id", In: "path", Required: true, Description: "The device's id.",
		Schema: str()},
	"flowLimit": query("limit", "Flows, 1 to 1000. Default 100.", integer(1, maxFlows)),
	"captureName": query("name", "The capture's name, for display. Default upload.pcap.",
		str()),
	"registerName": query("name", "The register's name, for display. Default register.csv.",
		str()),
	"mapping": query("mapping", "A saved column mapping; absent: detect the columns.", str()),
	"tokenID": {Name: "id", In: "path", Required: true, Description: "The token's id.",
		Schema: integer(1, 0)},
	"actor": query("actor", "Who acted, exactly.", str()),
	"action": query("action", `What was done: exactly, or a prefix ending in "." (device.).`,
		str()),
	"before":     query("before", "Only events before this seq: the next_before of a page.", integer(1, 0)),
	"auditLimit": query("limit", "Events, 1 to 1000. Default 100.", integer(1, 1000)),
}

// errorText describes the error answers, by status.
var errorText = map[int]string{
	400: "The request is malformed: the error says which part.",
	401: "No sign-in: no session, or a token that is not valid or was revoked.",
	403: "The caller's role does not allow this, or a session's CSRF token is missing.",
	404: "There is no such thing, or the caller may not see it.",
	409: "The name or reference is taken, or the change conflicts with the current state.",
	413: "The body is larger than the server accepts.",
	415: "The body's Content-Type is not one the operation takes.",
	422: "The register's columns were not recognised: give a mapping.",
}

// oaDoc is an OpenAPI 3.1 document.
type oaDoc struct {
	OpenAPI    string                             `json:"openapi"`
	Info       oaInfo                             `json:"info"`
	Paths      map[string]map[string]*oaOperation `json:"paths"`
	Components oaComponents                       `json:"components"`
	Security   []map[string][]string              `json:"security,omitzero"`
}

type oaInfo struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description"`
}

type oaComponents struct {
	Schemas         map[string]schema   `json:"schemas"`
	Parameters      map[string]oaParam  `json:"parameters"`
	Responses       map[string]any      `json:"responses"`
	SecuritySchemes map[string]oaScheme `json:"securitySchemes"`
}

type oaScheme struct {
	Type         string `json:"type"`
	Scheme       string `json:"scheme,omitempty"`
	BearerFormat string `json:"bearerFormat,omitempty"`
	In           string `json:"in,omitempty"`
	Name         string `json:"name,omitempty"`
	Description  string `json:"description"`
}

type oaParam struct {
	Name        string `json:"name"`
	In          string `json:"in"`
	Required    bool   `json:"required,omitempty"`
	Description string `json:"description"`
	Schema      schema `json:"schema"`
}

type oaOperation struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary,omitempty"`
	Description string                `json:"description,omitempty"`
	Permission  string                `json:"x-ward-permission,omitempty"`
	Parameters  []schema              `json:"parameters,omitempty"`
	RequestBody schema                `json:"requestBody,omitempty"`
	Responses   map[string]schema     `json:"responses"`
	Security    []map[string][]string `json:"security,omitzero"`
}

// schema is a JSON Schema, or another OpenAPI object that is a plain map.
type schema = map[string]any

func query(name, desc string, sc schema) oaParam {
	return oaParam{Name: name, In: "query", Description: desc, Schema: sc}
}

func str() schema { return schema{"type": "string"} }

// integer is an integer schema from lo, up to hi unless hi is 0.
func integer(lo, hi int) schema {
	sc := schema{"type": "integer", "minimum": lo}
	if hi > 0 {
		sc["maximum"] = hi
	}
	return sc
}

func enum(vals ...string) schema { return schema{"type": "string", "enum": vals} }

func ref(section, name string) schema {
	return schema{"$ref": "#/components/" + section + "/" + name}
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.openAPIDoc())
}

// openAPIDoc builds the document: the operations of apiOps, with the
// summaries and permissions of their routes.
func (s *Server) openAPIDoc() *oaDoc {
	routes := map[string]route{}
	for _, rt := range s.routes() {
		routes[rt.method+" "+rt.path] = rt
	}
	doc := &oaDoc{OpenAPI: "3.1.0",
		Info: oaInfo{Title: "Ward API", Version: "1", Description: "Ward's inventory of " +
			"medical devices, its ingestion and its accounts. Send a token as Authorization: " +
			"Bearer, or use a browser session with its CSRF token in X-CSRF-Token for changes."},
		Paths:      map[string]map[string]*oaOperation{},
		Components: components(),
		Security:   []map[string][]string{{"bearerToken": {}}, {"sessionCookie": {}}},
	}
	schemas := schemaSet(doc.Components.Schemas)
	for _, op := range apiOps {
		if doc.Paths[op.path] == nil {
			doc.Paths[op.path] = map[string]*oaOperation{}
		}
		doc.Paths[op.path][strings.ToLower(op.method)] = op.operation(routes[op.method+" "+op.path], schemas)
	}
	return doc
}

func components() oaComponents {
	c := oaComponents{Schemas: map[string]schema{}, Parameters: apiParams,
		Responses: map[string]any{},
		SecuritySchemes: map[string]oaScheme{
			"bearerToken": {Type: "http", Scheme: "bearer", BearerFormat: "wardt_…",
				Description: "An API token, made by an admin; it has one role, for every site or one."},
			"sessionCookie": {Type: "apiKey", In: "cookie", Name: sessionCookie,
				Description: "A browser's session, after signing in at /login."},
			"csrfHeader": {Type: "apiKey", In: "header", Name: csrfHeader,
				Description: "A session's CSRF token (csrf_token of /api/v1/me), which its changes need."},
		}}
	schemaSet(c.Schemas).of(reflect.TypeFor[apiError]())
	for code, text := range errorText {
		c.Responses[strconv.Itoa(code)] = schema{"description": text, "content": schema{
			"application/json": schema{"schema": ref("schemas", "Error")}}}
	}
	return c
}

// operation is op as the document has it.
func (op *apiOp) operation(rt route, schemas schemaSet) *oaOperation {
	o := &oaOperation{OperationID: op.id, Summary: rt.summary, Description: op.desc,
		Permission: string(rt.perm), Responses: map[string]schema{}}
	for _, p := range op.params {
		o.Parameters = append(o.Parameters, ref("parameters", p))
	}
	if op.body != nil {
		o.RequestBody = op.body.object(schemas)
	}
	ok := schema{"description": http.StatusText(op.status)}
	if op.out != nil {
		ok["content"] = schema{"application/json": schema{"schema": schemas.of(reflect.TypeOf(op.out))}}
	}
	o.Responses[strconv.Itoa(op.status)] = ok
	errs := op.errs
	if rt.access != public {
		errs = append([]int{401, 403}, errs...)
	}
	for _, code := range errs {
		o.Responses[strconv.Itoa(code)] = ref("responses", strconv.Itoa(code))
		if v, ok := op.errOut[code]; ok {
			o.Responses[strconv.Itoa(code)] = schema{"description": http.StatusText(code),
				"content": schema{"application/json": schema{"schema": schemas.of(reflect.TypeOf(v))}}}
		}
	}
	switch {
	case rt.access == public:
		o.Security = []map[string][]string{}
	case unsafeMethod(op.method):
		o.Security = []map[string][]string{{"bearerToken": {}}, {"sessionCookie": {}, "csrfHeader": {}}}
	}
	return o
}

func (b *apiBody) object(schemas schemaSet) schema {
	content := schema{}
	if b.json != nil {
		content["application/json"] = schema{"schema": schemas.of(reflect.TypeOf(b.json))}
	}
	for _, t := range b.types {
		content[t] = schema{"schema": schema{"type": "string", "contentMediaType": t}}
	}
	body := schema{"required": true, "content": content}
	if b.desc != "" {
		body["description"] = b.desc
	}
	return body
}

// schemaSet is components.schemas, by name, filled in as types are met.
type schemaSet map[string]schema

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// of returns the schema of type t: a reference for a struct, whose own
// schema it adds to the set.
func (set schemaSet) of(t reflect.Type) schema {
	switch t {
	case timeType:
		return schema{"type": "string", "format": "date-time"}
	case rawType:
		return schema{"type": "object"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(set.of(t.Elem()))
	case reflect.Struct:
		name := schemaName(t)
		if _, done := set[name]; !done {
			set[name] = schema{} // a placeholder, should t refer to itself
			set[name] = set.object(t)
		}
		return ref("schemas", name)
	case reflect.Slice, reflect.Array:
		return schema{"type": "array", "items": set.of(t.Elem())}
	case reflect.Map:
		return schema{"type": "object", "additionalProperties": set.of(t.Elem())}
	case reflect.String:
		return str()
	case reflect.Bool:
		return schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return schema{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return schema{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return schema{"type": "number"}
	}
	return schema{}
}

// object is the schema of struct t: its JSON fields, those without
// omitempty or omitzero required, embedded structs' fields flattened.
func (set schemaSet) object(t reflect.Type) schema {
	props, required := schema{}, []string{}
	set.fields(t, props, &required)
	return schema{"type": "object", "properties": props, "required": required,
		"additionalProperties": false}
}

func (set schemaSet) fields(t reflect.Type, props schema, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			set.fields(f.Type, props, required)
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = set.field(f)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
}

// field is the schema of a struct field, with its doc tag as the
// description and, for a field tagged enum:"role", the roles as its values.
func (set schemaSet) field(f reflect.StructField) schema {
	sc := clone(set.of(f.Type))
	if d := f.Tag.Get("doc"); d != "" {
		sc["description"] = d
	}
	if f.Tag.Get("enum") == "role" {
		names := make([]string, len(auth.Roles))
		for i, r := range auth.Roles {
			names[i] = string(r)
		}
		sc["enum"] = names
	}
	return sc
}

// clone copies sc, so that a field's description does not change a
// schema others share.
func clone(sc schema) schema {
	c := make(schema, len(sc)+1)
	for k, v := range sc {
		c[k] = v
	}
	return c
}

// nullable is sc or null.
func nullable(sc schema) schema {
	if typ, ok := sc["type"].(string); ok {
		c := clone(sc)
		c["type"] = []string{typ, "null"}
		return c
	}
	return schema{"anyOf": []schema{sc, {"type": "null"}}}
}

// schemaName is the name of a struct's schema: its Go name without the
// "api" prefix, capitalised.
func schemaName(t reflect.Type) string {
	n := strings.TrimPrefix(t.Name(), "api")
	if n == "" {
		return t.Name()
	}
	r := []rune(n)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
