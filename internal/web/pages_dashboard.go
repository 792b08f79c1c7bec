package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

type dashboardView struct {
	Figures  *store.DashboardFigures
	Register *store.RegisterImport
	Files    int
	Max      map[string]int // the largest count of each chart, for bar widths
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
	reg, err := s.db.LatestRegisterImport(r.Context())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internal(w, r, err)
		return
	}
	files, err := s.db.Files(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := dashboardView{Figures: figs, Register: reg, Files: len(files), Max: map[string]int{}}
	s.render(w, r, http.StatusOK, "dashboard", &view{Title: "Dashboard", Nav: "dashboard", Data: v})
}

var _ = time.Now
