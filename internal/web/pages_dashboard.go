package web

import (
	"net/http"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

type dashboardView struct {
	Figures  *store.DashboardFigures
	Register *store.RegisterImport
	Files    int
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	f, ok := scoped(p, auth.PermDevicesRead, store.DeviceFilter{})
	if !ok {
		s.forbidden(w, r, page, "you may see no site's devices")
		return
	}
	figs, err := s.db.Dashboard(r.Context(), f, s.now())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	// The summaries, not the latest import whole: the dashboard shows its
	// figures, not its lists.
	imports, err := s.db.RegisterImports(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var reg *store.RegisterImport
	if len(imports) > 0 {
		reg = &imports[0]
	}
	files, err := s.db.Files(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := dashboardView{Figures: figs, Register: reg, Files: len(files)}
	s.render(w, r, http.StatusOK, "dashboard", &view{Title: "Dashboard", Nav: "dashboard", Data: v})
}
