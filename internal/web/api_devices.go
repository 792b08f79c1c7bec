package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/store"
)

// apiListDevices lists devices with the inventory page's filters, sort
// and cursor, limited to the caller's sites.
func (s *Server) apiListDevices(w http.ResponseWriter, r *http.Request) {
	dq, err := deviceQuery(r.URL.Query(), s.now())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	var ok bool
	if dq.DeviceFilter, ok = scoped(who(r.Context()), auth.PermDevicesRead, dq.DeviceFilter); !ok {
		writeJSONError(w, http.StatusForbidden, "you may see no site's devices")
		return
	}
	pg, err := s.db.ListDevices(r.Context(), dq)
	if errors.Is(err, store.ErrInvalid) {
		writeJSONError(w, http.StatusBadRequest, "the devices cannot be listed that way: "+invalidText(err))
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	total, err := s.db.CountMatching(r.Context(), dq.DeviceFilter)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiDeviceList{Devices: devicesOut(pg.Devices), NextCursor: pg.Next,
		Total: total})
}

func (s *Server) apiGetDevice(w http.ResponseWriter, r *http.Request) {
	if d := s.loadDevice(w, r, api, auth.PermDevicesRead); d != nil {
		writeJSON(w, http.StatusOK, detailOut(d))
	}
}

func (s *Server) apiGetAttributes(w http.ResponseWriter, r *http.Request) {
	if d := s.loadDevice(w, r, api, auth.PermDevicesRead); d != nil {
		writeJSON(w, http.StatusOK, apiAttributes{DeviceID: d.ID, Attributes: attributesOut(d.Attributes)})
	}
}

// maxFlows bounds the flows of one answer.
const maxFlows = 1000

func (s *Server) apiGetFlows(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxFlows {
			writeJSONError(w, http.StatusBadRequest, "limit must be from 1 to "+strconv.Itoa(maxFlows))
			return
		}
		limit = n
	}
	d := s.loadDevice(w, r, api, auth.PermDevicesRead)
	if d == nil {
		return
	}
	flows, err := s.db.DeviceFlows(r.Context(), d.ID, limit)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiFlows{DeviceID: d.ID, Flows: flowsOut(flows)})
}

// apiPatchDevice changes the fields its body names and leaves the others:
// the device form's change, audited the same way.
func (s *Server) apiPatchDevice(w http.ResponseWriter, r *http.Request) {
	d := s.loadDevice(w, r, api, auth.PermDevicesEdit)
	if d == nil {
		return
	}
	var e deviceEdit
	if !decodeJSON(w, r, &e) {
		return
	}
	e.normalise()
	err := e.validate()
	if err == nil {
		err = s.applyEdit(r, d, &e)
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		if fe.field == "location" {
			fe.field = "location_id"
		}
		writeJSONError(w, http.StatusBadRequest, fe.Error())
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	s.apiGetDevice(w, r)
}

// normalise trims a JSON edit as formEdit trims the form, and drops
// repeated tags.
func (e *deviceEdit) normalise() {
	for _, v := range []*string{e.Owner, e.Notes} {
		if v != nil {
			*v = strings.TrimSpace(*v)
		}
	}
	if e.Tags == nil {
		return
	}
	tags := []string{}
	for _, t := range e.Tags {
		if t = strings.TrimSpace(t); !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	e.Tags, e.tagsSet = tags, true
}

// apiGetDashboard answers the dashboard's figures over the caller's sites.
func (s *Server) apiGetDashboard(w http.ResponseWriter, r *http.Request) {
	f, ok := scoped(who(r.Context()), auth.PermDevicesRead, store.DeviceFilter{})
	if !ok {
		writeJSONError(w, http.StatusForbidden, "you may see no site's devices")
		return
	}
	now := s.now()
	figs, err := s.db.Dashboard(r.Context(), f, now)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dashboardOut(figs, now.UTC()))
}
