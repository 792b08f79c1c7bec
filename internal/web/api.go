package web

import (
	"net/http"

	"github.com/wardhq/ward/internal/auth"
)

func (s *Server) apiRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/openapi.json", access: public, kind: api,
			handler: s.openAPI, summary: "This document"},
		{method: "GET", path: "/api/v1/me", access: signedIn, kind: api, handler: s.apiMe,
			summary: "Who the caller is"},
		{method: "GET", path: "/api/v1/devices", access: permitted, perm: auth.PermDevicesRead,
			kind: api, handler: s.apiDevices, summary: "List devices"},
	}
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"openapi": "3.1.0"})
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"name": p.name, "roles": p.roles()})
}

func (s *Server) apiDevices(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"devices": []any{}})
}
