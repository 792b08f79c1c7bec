package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

// The JSON API lives under /api/v1. Its answers are explicit API structs
// (api_types.go) with stable snake_case names, never the store's structs,
// so that the store can change without breaking clients. Every error is
// a JSON apiError. The OpenAPI document (openapi.go) describes each route.

func (s *Server) apiRoutes() []route {
	rs := []route{
		{method: "GET", path: "/api/v1/openapi.json", access: public, kind: api,
			handler: s.openAPI, summary: "The OpenAPI document of this API"},
		{method: "GET", path: "/api/v1/me", access: signedIn, kind: api, handler: s.apiGetMe,
			summary: "Who the caller is and what they may do"},
		{method: "GET", path: "/api/v1/devices", access: permitted, perm: auth.PermDevicesRead,
			kind: api, handler: s.apiListDevices, summary: "List devices, filtered, a page at a time"},
		{method: "GET", path: "/api/v1/devices/{id}", access: permitted,
			perm: auth.PermDevicesRead, kind: api, handler: s.apiGetDevice,
			summary: "A device with everything known about it"},
		{method: "PATCH", path: "/api/v1/devices/{id}", access: permitted,
			perm: auth.PermDevicesEdit, kind: api, handler: s.apiPatchDevice,
			summary: "Change a device's location, owner, criticality, notes or tags"},
		{method: "GET", path: "/api/v1/devices/{id}/attributes", access: permitted,
			perm: auth.PermDevicesRead, kind: api, handler: s.apiGetAttributes,
			summary: "A device's attributes with their provenance"},
		{method: "GET", path: "/api/v1/devices/{id}/flows", access: permitted,
			perm: auth.PermDevicesRead, kind: api, handler: s.apiGetFlows,
			summary: "The flows to or from a device, the most recent first"},
		{method: "GET", path: "/api/v1/dashboard", access: permitted, perm: auth.PermDevicesRead,
			kind: api, handler: s.apiGetDashboard, summary: "The dashboard's figures"},
		{method: "POST", path: "/api/v1/ingest", access: permitted, perm: auth.PermIngest,
			kind: api, handler: s.apiPostIngest, summary: "Ingest a packet capture"},
		{method: "POST", path: "/api/v1/register", access: permitted,
			perm: auth.PermRegisterImport, kind: api, handler: s.apiPostRegister,
			summary: "Import an asset register and reconcile it with the devices"},
		{method: "GET", path: "/api/v1/register", access: permitted, perm: auth.PermDevicesRead,
			kind: api, handler: s.apiGetRegister, summary: "The latest register reconciliation"},
		{method: "GET", path: "/api/v1/users", access: permitted, perm: auth.PermUsersManage,
			kind: api, handler: s.apiListUsers, summary: "List users"},
		{method: "POST", path: "/api/v1/users", access: permitted, perm: auth.PermUsersManage,
			kind: api, handler: s.apiPostUser, summary: "Add a user with a one-time password"},
		{method: "GET", path: "/api/v1/tokens", access: permitted, perm: auth.PermTokensManage,
			kind: api, handler: s.apiListTokens, summary: "List API tokens"},
		{method: "POST", path: "/api/v1/tokens", access: permitted, perm: auth.PermTokensManage,
			kind: api, handler: s.apiPostToken, summary: "Create an API token"},
		{method: "DELETE", path: "/api/v1/tokens/{id}", access: permitted,
			perm: auth.PermTokensManage, kind: api, handler: s.apiDeleteToken,
			summary: "Revoke an API token"},
		{method: "GET", path: "/api/v1/audit", access: permitted, perm: auth.PermAuditRead,
			kind: api, handler: s.apiListAudit, summary: "Audit events, newest first"},
	}
	for i := range rs {
		if unsafeMethod(rs[i].method) {
			rs[i].handler = headerCSRF(rs[i].handler)
		}
	}
	return rs
}

// headerCSRF requires a session's state change to carry its CSRF token in
// the X-CSRF-Token header. The middleware takes the token from a form
// field too, for the pages; the API takes no forms, so there only the
// header counts.
func headerCSRF(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p := who(r.Context()); p != nil && p.csrf != "" &&
			!sameString(r.Header.Get(csrfHeader), p.csrf) {
			writeJSONError(w, http.StatusForbidden,
				"a state change with a session needs its CSRF token in the X-CSRF-Token header")
			return
		}
		h(w, r)
	}
}

// allPermissions are the permissions, in the order /api/v1/me lists them.
var allPermissions = []auth.Permission{auth.PermDevicesRead, auth.PermDevicesEdit,
	auth.PermIngest, auth.PermRegisterImport, auth.PermExport, auth.PermAuditRead,
	auth.PermUsersManage, auth.PermTokensManage, auth.PermVulnsRead, auth.PermVulnsReview,
	auth.PermFeedsImport, auth.PermPatchesManage, auth.PermAlertsManage, auth.PermSegmentRead,
	auth.PermSegmentEdit, auth.PermSegmentExport, auth.PermClinicalSafety}

func (s *Server) apiGetMe(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	me := apiMe{Name: p.name, Kind: "user", Roles: nonNil(p.roles()), Permissions: []string{},
		Grants: make([]apiGrant, 0, len(p.grants)), CSRFToken: p.csrf}
	if p.tokenID != 0 {
		me.Kind = "token"
	}
	for _, perm := range allPermissions {
		if p.can(perm) {
			me.Permissions = append(me.Permissions, string(perm))
		}
	}
	for _, g := range p.grants {
		me.Grants = append(me.Grants, grantOut(g))
	}
	writeJSON(w, http.StatusOK, me)
}

// apiInternal answers a request that failed on the server, and logs why.
func (s *Server) apiInternal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("api request failed", "err", err, "path", r.URL.Path)
	writeJSONError(w, http.StatusInternalServerError, "internal error; it has been logged")
}

// maxJSONBody bounds a JSON request body, in bytes.
const maxJSONBody = 64 << 10

// mediaType is the request's Content-Type without parameters, lower case;
// "" when absent or unreadable.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// decodeJSON reads the request's body into v strictly: Content-Type
// application/json, at most maxJSONBody bytes of valid UTF-8, one JSON
// value with no field v lacks. When the body is refused it answers the
// request itself (400, 413 or 415) and returns false.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mediaType(r) != "application/json" {
		writeJSONError(w, http.StatusUnsupportedMediaType, "send the body as application/json")
		return false
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		msg := "the body could not be read"
		if uploadStatus(err) == http.StatusRequestEntityTooLarge {
			msg = fmt.Sprintf("the body is larger than %d bytes", maxJSONBody)
		}
		writeJSONError(w, uploadStatus(err), msg)
		return false
	}
	// encoding/json would quietly replace invalid UTF-8 with U+FFFD.
	if !utf8.Valid(b) {
		writeJSONError(w, http.StatusBadRequest, "the body is not valid UTF-8")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil && dec.Decode(new(json.RawMessage)) != io.EOF {
		err = errors.New("the body holds more than one JSON value, or more after it")
	}
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, jsonProblem(err))
		return false
	}
	return true
}

// jsonProblem says in a client's terms why a body did not decode: the
// field at fault, not the Go types behind it.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "the body is empty: send a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is not valid JSON: it ends too soon"
	case errors.As(err, &syn):
		return fmt.Sprintf("the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("field %q must be %s, not %s", typ.Field, jsonKind(typ.Type), typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("the body must be %s, not %s", jsonKind(typ.Type), typ.Value)
	}
	// The unknown-field error has no type of its own: `json: unknown field "x"`.
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// invalidText is the reason of a store.ErrInvalid error, without the
// store's prefixes.
func invalidText(err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, store.ErrInvalid.Error()+": "); ok {
		return after
	}
	return msg
}

// nonNil returns s, or an empty slice for nil, so that JSON has [] and not
// null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// displayName checks an upload's ?name=, defaulting to def.
func displayName(v, def string) (string, error) {
	if v == "" {
		return def, nil
	}
	if !plainText(v) {
		return "", errors.New("name must be up to 255 bytes of text without control characters")
	}
	return v, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// acceptType answers 415 and returns false unless the request's media
// type is one of types.
func acceptType(w http.ResponseWriter, r *http.Request, types ...string) bool {
	if slices.Contains(types, mediaType(r)) {
		return true
	}
	writeJSONError(w, http.StatusUnsupportedMediaType,
		"send the body as one of: "+strings.Join(types, ", "))
	return false
}
