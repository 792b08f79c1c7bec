package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/segment"
	"github.com/wardhq/ward/internal/store"
)

// criticalities a person may set, in the order the menu shows them.
var criticalities = []string{"life-sustaining", "diagnostic", "supporting", "non-clinical"}

// attrGroup is the values seen for one key: more than one is a conflict.
type attrGroup struct {
	Key      string
	Attrs    []store.Attribute
	Conflict bool
}

type deviceView struct {
	D             *store.DeviceDetail
	Groups        []attrGroup
	Flows         []store.Flow
	Locations     []locationOption
	Owners        []store.Owner
	Criticalities []string
	Notes         string
	UserCrit      string // the criticality a person set, "" when none
	CanEdit       bool
	SiteName      string
	Vulns         *deviceVulns // nil when the user may not see vulnerabilities here
	// Zone is where the policy in force places the device, nil when the
	// user may not see segmentation.
	Zone *segment.Placement
}

// locationOption is a location with its path, for the location menu.
type locationOption struct {
	ID   int64
	Path string
}

// deviceSite is the site a device is placed in, 0 when none.
func deviceSite(d *store.DeviceDetail) int64 {
	if len(d.Location) == 0 {
		return 0
	}
	return d.Location[0].ID
}

// loadDevice reads the device a route names, answering 404 when it does
// not exist or the user may not see it (the same answer, so that ids of
// other sites' devices do not leak).
func (s *Server) loadDevice(w http.ResponseWriter, r *http.Request, k kind, perm auth.Permission) *store.DeviceDetail {
	id := r.PathValue("id")
	d, err := s.db.GetDevice(r.Context(), id)
	p := who(r.Context())
	if errors.Is(err, store.ErrNotFound) || err == nil && !p.canAt(auth.PermDevicesRead, deviceSite(d)) {
		if k == api {
			writeJSONError(w, http.StatusNotFound, "no such device")
		} else {
			s.errorPage(w, r, http.StatusNotFound, "There is no such device.")
		}
		return nil
	}
	if err != nil {
		if k == api {
			writeJSONError(w, http.StatusInternalServerError, "internal error")
			s.log.Error("device not read", "err", err)
		} else {
			s.internal(w, r, err)
		}
		return nil
	}
	if !p.canAt(perm, deviceSite(d)) {
		s.forbidden(w, r, k, "your role does not allow this for this device's site")
		return nil
	}
	return d
}

func groupAttributes(attrs []store.Attribute) []attrGroup {
	var out []attrGroup
	for _, a := range attrs {
		if n := len(out); n > 0 && out[n-1].Key == a.Key {
			g := &out[n-1]
			if !slices.ContainsFunc(g.Attrs, func(b store.Attribute) bool { return b.Value == a.Value }) {
				g.Conflict = true
			}
			g.Attrs = append(g.Attrs, a)
			continue
		}
		out = append(out, attrGroup{Key: a.Key, Attrs: []store.Attribute{a}})
	}
	return out
}

func (s *Server) devicePage(w http.ResponseWriter, r *http.Request) {
	d := s.loadDevice(w, r, page, auth.PermDevicesRead)
	if d == nil {
		return
	}
	v, err := s.deviceView(r, d)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	title := d.Name
	if title == "" {
		title = d.ID
	}
	s.render(w, r, http.StatusOK, "device", &view{Title: title, Nav: "devices", Data: v,
		Flash: flash(r), Error: s.takeFlash(w, r)})
}

func (s *Server) deviceView(r *http.Request, d *store.DeviceDetail) (*deviceView, error) {
	p := who(r.Context())
	flows, err := s.db.DeviceFlows(r.Context(), d.ID, 100)
	if err != nil {
		return nil, err
	}
	locs, err := s.locationOptions(r)
	if err != nil {
		return nil, err
	}
	owners, err := s.db.Owners(r.Context())
	if err != nil {
		return nil, err
	}
	v := &deviceView{D: d, Groups: groupAttributes(d.Attributes), Flows: flows, Locations: locs,
		Owners: owners, Criticalities: criticalities,
		CanEdit: p.canAt(auth.PermDevicesEdit, deviceSite(d))}
	for _, a := range d.Attributes {
		if a.Source == store.SourceUser && a.Key == "notes" {
			v.Notes = a.Value
		}
	}
	if slices.Contains(d.UserSet, "criticality") {
		v.UserCrit = d.Criticality
	}
	if len(d.Location) > 0 {
		v.SiteName = d.Location[0].Name
	}
	if v.Vulns, err = s.deviceVulns(r, d); err != nil {
		return nil, err
	}
	v.Zone = s.deviceZone(r, d.ID)
	return v, nil
}

// locationOptions lists every location with its path from the site.
func (s *Server) locationOptions(r *http.Request) ([]locationOption, error) {
	locs, err := s.db.Locations(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]locationOption, 0, len(locs))
	for id, path := range locationPaths(locs) {
		out = append(out, locationOption{ID: id, Path: path})
	}
	slices.SortFunc(out, func(a, b locationOption) int { return cmp.Compare(a.Path, b.Path) })
	return out, nil
}

// locationPaths names each location by its path from the site down.
func locationPaths(locs []store.Location) map[int64]string {
	byID := make(map[int64]store.Location, len(locs))
	for _, l := range locs {
		byID[l.ID] = l
	}
	out := make(map[int64]string, len(locs))
	for _, l := range locs {
		var parts []string
		for at, n := l, 0; n < 10; n++ {
			parts = append([]string{at.Name}, parts...)
			if at.ParentID == 0 {
				break
			}
			at = byID[at.ParentID]
		}
		out[l.ID] = strings.Join(parts, " › ")
	}
	return out
}

// deviceEdit is a change to a device's editable fields; a nil field is
// left as it is.
type deviceEdit struct {
	Location    *int64   `json:"location_id,omitempty"`
	Owner       *string  `json:"owner,omitempty"`
	Criticality *string  `json:"criticality,omitempty"`
	Notes       *string  `json:"notes,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	// tagsSet is true when Tags was given (an empty list clears them).
	tagsSet bool
}

// fieldError is an edit refused for one field's value.
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func (e *deviceEdit) validate() error {
	for name, v := range map[string]*string{"owner": e.Owner, "notes": e.Notes, "criticality": e.Criticality} {
		if v == nil {
			continue
		}
		if !utf8.ValidString(*v) || strings.ContainsRune(*v, 0) {
			return &fieldError{name, "is not valid text"}
		}
		if len(*v) > 4000 {
			return &fieldError{name, "is longer than 4000 bytes"}
		}
	}
	if e.Criticality != nil && *e.Criticality != "" && !slices.Contains(criticalities, *e.Criticality) {
		return &fieldError{"criticality", "must be life-sustaining, diagnostic, supporting or non-clinical"}
	}
	for _, t := range e.Tags {
		if !utf8.ValidString(t) || strings.ContainsRune(t, 0) || len(t) > 64 || strings.TrimSpace(t) == "" {
			return &fieldError{"tags", "each tag is 1 to 64 characters of text"}
		}
	}
	return nil
}

// formEdit reads the device form: every field is present on it.
func formEdit(r *http.Request) (*deviceEdit, error) {
	e := &deviceEdit{tagsSet: true}
	loc := r.PostFormValue("location")
	id := int64(0)
	if loc != "" {
		n, err := strconv.ParseInt(loc, 10, 64)
		if err != nil || n < 0 {
			return nil, &fieldError{"location", "is not a location"}
		}
		id = n
	}
	e.Location = &id
	owner, crit, notes := strings.TrimSpace(r.PostFormValue("owner")), r.PostFormValue("criticality"),
		strings.TrimSpace(r.PostFormValue("notes"))
	e.Owner, e.Criticality, e.Notes = &owner, &crit, &notes
	for t := range strings.SplitSeq(r.PostFormValue("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(e.Tags, t) {
			e.Tags = append(e.Tags, t)
		}
	}
	return e, e.validate()
}

func (s *Server) editDevice(w http.ResponseWriter, r *http.Request) {
	d := s.loadDevice(w, r, page, auth.PermDevicesEdit)
	if d == nil {
		return
	}
	e, err := formEdit(r)
	if err != nil {
		v, verr := s.deviceView(r, d)
		if verr != nil {
			s.internal(w, r, verr)
			return
		}
		s.render(w, r, http.StatusBadRequest, "device", &view{Title: d.Name, Nav: "devices",
			Data: v, Error: err.Error()})
		return
	}
	if err := s.applyEdit(r, d, e); err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			s.setFlash(w, fe.Error())
			http.Redirect(w, r, "/devices/"+pathEscape(d.ID), http.StatusSeeOther)
			return
		}
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/devices/"+pathEscape(d.ID)+"?done=saved", http.StatusSeeOther)
}

// change is one field's change, for the audit log.
type change struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
	// FromName and ToName name a location as it was called then, since
	// ids outlive renamed and removed locations.
	FromName string `json:"from_name,omitempty"`
	ToName   string `json:"to_name,omitempty"`
}

// applyEdit makes the changes e asks for that differ from d, writing one
// audit event listing them.
func (s *Server) applyEdit(r *http.Request, d *store.DeviceDetail, e *deviceEdit) error {
	ctx := r.Context()
	p := who(ctx)
	var changes []change
	if e.Location != nil && *e.Location != d.LocationID {
		locs, err := s.db.Locations(ctx)
		if err != nil {
			return err
		}
		if err := checkLocation(p, locs, *e.Location); err != nil {
			return err
		}
		if err := s.db.SetDeviceLocation(ctx, d.ID, *e.Location); err != nil {
			return err
		}
		paths := locationPaths(locs)
		changes = append(changes, change{Field: "location", From: strconv.FormatInt(d.LocationID, 10),
			To: strconv.FormatInt(*e.Location, 10), FromName: paths[d.LocationID],
			ToName: paths[*e.Location]})
	}
	if e.Owner != nil {
		old := ""
		if d.Owner != nil {
			old = d.Owner.Name
		}
		if *e.Owner != old {
			id := int64(0)
			if *e.Owner != "" {
				o, err := s.db.OwnerNamed(ctx, *e.Owner)
				if err != nil {
					return err
				}
				id = o.ID
			}
			if err := s.db.SetDeviceOwner(ctx, d.ID, id); err != nil {
				return err
			}
			changes = append(changes, change{Field: "owner", From: old, To: *e.Owner})
		}
	}
	more, err := s.applyAttributes(r, d, e)
	if err != nil {
		return err
	}
	changes = append(changes, more...)
	if err := s.recordUserFacts(r, d.ID, changes); err != nil {
		return err
	}
	if len(changes) > 0 {
		s.facets.forget()
		s.record(r, p.name, "device.update", d.ID, map[string]any{"changes": changes})
	}
	return nil
}

// recordUserFacts keeps the location, owner and tags a person set as
// attributes of source "user" too, so that the device's facts say who
// placed it where and when, beside what the network showed. (Criticality
// and notes are such attributes already.)
func (s *Server) recordUserFacts(r *http.Request, id string, changes []change) error {
	for _, c := range changes {
		v := c.To
		switch c.Field {
		case "location":
			v = c.ToName
		case "owner", "tags":
		default:
			continue
		}
		var err error
		if v == "" {
			err = s.db.DeleteUserAttribute(r.Context(), id, c.Field)
		} else {
			err = s.db.SetUserAttribute(r.Context(), id, c.Field, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// checkLocation says whether the user may place a device at location id,
// 0 taking it out of every site: only a user of every site may, or a
// user of one site could move its devices out of sight of that site.
func checkLocation(p *principal, locs []store.Location, id int64) error {
	if id == 0 {
		if !p.canAt(auth.PermDevicesEdit, 0) {
			return &fieldError{"location", "only a user of every site may take a device out of its site"}
		}
		return nil
	}
	i := slices.IndexFunc(locs, func(l store.Location) bool { return l.ID == id })
	if i < 0 {
		return &fieldError{"location", "no such location"}
	}
	if !p.canAt(auth.PermDevicesEdit, locs[i].SiteID) {
		return &fieldError{"location", "you may not place devices in that site"}
	}
	return nil
}

func (s *Server) applyAttributes(r *http.Request, d *store.DeviceDetail, e *deviceEdit) ([]change, error) {
	ctx := r.Context()
	var changes []change
	userValue := func(key string) string {
		for _, a := range d.Attributes {
			if a.Source == store.SourceUser && a.Key == key {
				return a.Value
			}
		}
		return ""
	}
	for key, v := range map[string]*string{"criticality": e.Criticality, "notes": e.Notes} {
		if v == nil {
			continue
		}
		old := userValue(key)
		if *v == old {
			continue
		}
		var err error
		if *v == "" {
			err = s.db.DeleteUserAttribute(ctx, d.ID, key)
		} else {
			err = s.db.SetUserAttribute(ctx, d.ID, key, *v)
		}
		if err != nil {
			return nil, err
		}
		changes = append(changes, change{Field: key, From: old, To: *v})
	}
	if e.tagsSet || e.Tags != nil {
		for _, t := range d.Tags {
			if !slices.Contains(e.Tags, t) {
				if err := s.db.UntagDevice(ctx, d.ID, t); err != nil {
					return nil, err
				}
			}
		}
		for _, t := range e.Tags {
			if !slices.Contains(d.Tags, t) {
				if err := s.db.TagDevice(ctx, d.ID, t); err != nil {
					return nil, err
				}
			}
		}
		if !slices.Equal(sortedCopy(d.Tags), sortedCopy(e.Tags)) {
			changes = append(changes, change{Field: "tags", From: strings.Join(d.Tags, ", "), To: strings.Join(e.Tags, ", ")})
		}
	}
	return changes, nil
}

func sortedCopy(ss []string) []string {
	c := slices.Clone(ss)
	slices.Sort(c)
	return c
}

func pathEscape(s string) string {
	return strings.ReplaceAll(urlPathEscape(s), "%3A", ":")
}
