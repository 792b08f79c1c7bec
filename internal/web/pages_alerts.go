package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/auth"
	"github.com/wardhq/ward/internal/register"
	"github.com/wardhq/ward/internal/store"
)

// NHS cyber alerts: an alert names CVEs and products; Ward shows the
// devices whose findings are on those CVEs, runs the 48-hour response
// clock of a high-severity alert and records each change of status until
// it is closed. The pages and the API share the checks and writes here.

// alertStatuses are the statuses of an alert, in order.
var alertStatuses = []store.AlertStatus{store.AlertOpen, store.AlertAcknowledged,
	store.AlertRemediating, store.AlertClosed}

// alertLabel names a status for people.
func alertLabel(st store.AlertStatus) string {
	switch st {
	case store.AlertOpen:
		return "Open"
	case store.AlertAcknowledged:
		return "Acknowledged"
	case store.AlertRemediating:
		return "Remediating"
	case store.AlertClosed:
		return "Closed"
	}
	return "—"
}

// errAlertsAllSites refuses a change to a user whose role is for some
// sites only: an alert is for the whole trust.
const errAlertsAllSites = "cyber alerts apply to every site; recording or moving them needs a " +
	"role for all sites"

// noAlert is the answer for an alert that does not exist.
const noAlert = "There is no such alert."

// newAlert checks an alert to record, received now if it says no time.
func (in *apiNewAlert) newAlert(actor string, now time.Time) (store.Alert, error) {
	for _, f := range []*string{&in.Reference, &in.Title, &in.Severity, &in.Products,
		&in.ReceivedAt, &in.Note} {
		*f = strings.TrimSpace(*f)
	}
	in.Severity = strings.ToLower(in.Severity)
	err := errors.Join(checkLine("reference", in.Reference, true),
		checkLine("title", in.Title, false), checkNote("products", in.Products),
		checkNote("note", in.Note))
	if err != nil {
		return store.Alert{}, firstField(err)
	}
	if !slices.Contains(alertSeverities, in.Severity) {
		return store.Alert{}, &fieldError{"severity", "must be high, medium or low"}
	}
	cves, err := parseCVEList(in.CVEs)
	if err != nil {
		return store.Alert{}, err
	}
	received, err := parseWhen("received_at", in.ReceivedAt)
	switch {
	case err != nil:
		return store.Alert{}, err
	case received.IsZero():
		received = now
	case received.After(now.Add(time.Hour)):
		return store.Alert{}, &fieldError{"received_at", "is in the future"}
	}
	return store.Alert{Reference: in.Reference, Title: in.Title, Severity: in.Severity,
		CVEs: cves, Products: in.Products, ReceivedAt: received,
		DueAt: store.AlertDue(in.Severity, received), Note: in.Note, CreatedBy: actor}, nil
}

// recordAlert stores a new alert and audits it.
func (s *Server) recordAlert(r *http.Request, in apiNewAlert) (store.Alert, error) {
	p := who(r.Context())
	if !canEverywhere(p, auth.PermAlertsManage) {
		return store.Alert{}, errForbidden(errAlertsAllSites)
	}
	a, err := in.newAlert(p.name, s.now())
	if err != nil {
		return a, err
	}
	a, err = s.db.SaveAlert(r.Context(), a)
	if errors.Is(err, store.ErrExists) {
		return a, errConflict(fmt.Sprintf("an alert %s is already recorded", in.Reference))
	}
	if err != nil {
		return a, err
	}
	s.record(r, p.name, "alert.create", alertObject(&a), map[string]any{"changes": []change{
		{Field: "reference", To: a.Reference}, {Field: "title", To: a.Title},
		{Field: "severity", To: a.Severity}, {Field: "cves", To: strings.Join(a.CVEs, " ")},
		{Field: "products", To: a.Products}, {Field: "received_at", To: when(a.ReceivedAt)},
		{Field: "due_at", To: when(a.DueAt)}, {Field: "status", To: a.Status.String()}}})
	return a, nil
}

// alertObject names an alert in the audit log.
func alertObject(a *store.Alert) string { return fmt.Sprintf("alert:%d %s", a.ID, a.Reference) }

// moveAlert moves an alert on as in asks and audits it. A move back is
// refused by the store, whose message says why.
func (s *Server) moveAlert(r *http.Request, id int64, in apiAlertMove) (store.Alert, error) {
	ctx, p := r.Context(), who(r.Context())
	if !canEverywhere(p, auth.PermAlertsManage) {
		return store.Alert{}, errForbidden(errAlertsAllSites)
	}
	old, _, err := s.db.Alert(ctx, id)
	if err != nil {
		return old, err
	}
	in.Note = strings.TrimSpace(in.Note)
	if err := checkNote("note", in.Note); err != nil {
		return old, err
	}
	to := old.Status + 1
	if in.To = strings.TrimSpace(in.To); in.To != "" {
		if to, err = store.ParseAlertStatus(in.To); err != nil {
			return old, &fieldError{"to", "must be acknowledged, remediating or closed"}
		}
	}
	if !to.Valid() {
		return old, errConflict("the alert is closed: it cannot move on")
	}
	if err := s.db.MoveAlert(ctx, id, to, p.name, in.Note, s.now()); err != nil {
		return old, err
	}
	a, _, err := s.db.Alert(ctx, id)
	if err != nil {
		return a, err
	}
	changes := []change{{Field: "status", From: old.Status.String(), To: a.Status.String()}}
	if !a.AcknowledgedAt.Equal(old.AcknowledgedAt) {
		changes = append(changes, change{Field: "acknowledged_at", To: when(a.AcknowledgedAt)})
	}
	if !a.ClosedAt.Equal(old.ClosedAt) {
		changes = append(changes, change{Field: "closed_at", To: when(a.ClosedAt)})
	}
	s.record(r, p.name, "alert.move", alertObject(&a), map[string]any{"changes": changes,
		"note": in.Note})
	return a, nil
}

// alertRow is an alert as the list shows it.
type alertRow struct {
	store.Alert
	Clock   alertClock
	Devices int
}

type alertsView struct {
	Alerts     []alertRow
	Overdue    int
	Severities []string
	CanManage  bool
	Scoped     bool
	Now        time.Time
	Form       url.Values // the form as sent, after a refusal
}

// alertRows reads every alert with its clock at now and its device count
// in sites.
func (s *Server) alertRows(ctx context.Context, sites []int64, now time.Time) ([]alertRow, error) {
	alerts, err := s.db.Alerts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]alertRow, len(alerts))
	for i := range alerts {
		a := &alerts[i]
		n, err := s.alertDeviceCount(ctx, a, sites)
		if err != nil {
			return nil, err
		}
		out[i] = alertRow{Alert: *a, Clock: clockOf(a, now), Devices: n}
	}
	return out, nil
}

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) {
	s.showAlerts(w, r, http.StatusOK, nil, "")
}

func (s *Server) showAlerts(w http.ResponseWriter, r *http.Request, status int, form url.Values,
	msg string) {
	p := who(r.Context())
	sites, err := workflowScope(p)
	if err != nil {
		s.forbidden(w, r, page, err.Error())
		return
	}
	now := s.now()
	rows, err := s.alertRows(r.Context(), sites, now)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := alertsView{Alerts: rows, Severities: alertSeverities, Scoped: sites != nil, Now: now,
		CanManage: canEverywhere(p, auth.PermAlertsManage), Form: form}
	for _, a := range rows {
		if a.Clock.Overdue {
			v.Overdue++
		}
	}
	s.render(w, r, status, "alerts", &view{Title: "Cyber alerts", Nav: "alerts", Data: v,
		Flash: s.takeFlash(w, r), Error: msg})
}

// alertForm reads the form that records an alert.
func alertForm(r *http.Request) apiNewAlert {
	f := r.PostFormValue
	return apiNewAlert{Reference: f("reference"), Title: f("title"), Severity: f("severity"),
		CVEs: splitCVEList(f("cves")), Products: f("products"), ReceivedAt: f("received_at"),
		Note: f("note")}
}

func (s *Server) createAlert(w http.ResponseWriter, r *http.Request) {
	a, err := s.recordAlert(r, alertForm(r))
	if err != nil {
		s.workflowRefused(w, r, err, noAlert, func(status int, msg string) {
			s.showAlerts(w, r, status, r.PostForm, msg)
		})
		return
	}
	s.setFlash(w, fmt.Sprintf("Alert %s was recorded.", a.Reference))
	http.Redirect(w, r, fmt.Sprintf("/alerts/%d", a.ID), http.StatusSeeOther)
}

// alertDevicesPage is the size of a page of an alert's devices.
const alertDevicesPage = 100

type alertView struct {
	alertRow
	Events    []store.AlertEvent
	Rows      []alertDevice // a page of the devices it applies to
	Next      string        // the URL of the next page of devices, "" on the last
	First     string        // the URL of the first page, "" on it
	Moves     []store.AlertStatus
	CanManage bool
	Scoped    bool
	Form      url.Values
}

// alertDevice is a device an alert applies to.
type alertDevice struct {
	store.FindingDevices
	Version  string // its software version in the asset register, "" when unknown
	Status   string // the worst of its findings' (worstStatus)
	SiteName string
}

func (s *Server) alertPage(w http.ResponseWriter, r *http.Request) {
	s.showAlert(w, r, http.StatusOK, nil, "")
}

func (s *Server) showAlert(w http.ResponseWriter, r *http.Request, status int, form url.Values,
	msg string) {
	id, ok := pathID(r)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, noAlert)
		return
	}
	p := who(r.Context())
	sites, err := workflowScope(p)
	if err != nil {
		s.forbidden(w, r, page, err.Error())
		return
	}
	a, evs, err := s.db.Alert(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, noAlert)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	cursor := r.URL.Query().Get("devices_cursor")
	pg, err := s.alertDevices(r, &a, sites, cursor, alertDevicesPage)
	if errors.Is(err, store.ErrInvalid) {
		s.errorPage(w, r, http.StatusBadRequest, "The devices cannot be shown that way: "+invalidText(err))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := s.alertView(r, &a, evs, pg, sites)
	v.Form = form
	if pg.Next != "" {
		v.Next = "?devices_cursor=" + url.QueryEscape(pg.Next) + "#devices-h"
	}
	if cursor != "" {
		v.First = "?#devices-h"
	}
	s.render(w, r, status, "alert", &view{Title: a.Reference, Nav: "alerts", Data: v,
		Flash: s.takeFlash(w, r), Error: msg})
}

// alertDevicePage is a page of the devices an alert applies to.
type alertDevicePage struct {
	Devices []alertDevice
	Next    string // the cursor of the next page, "" on the last
	Total   int    // over every page
}

// alertDevices reads a page of the devices a applies to in sites, with
// their vendor, model and version as matching sees them (the asset
// register's where it names the device) and their sites' names.
func (s *Server) alertDevices(r *http.Request, a *store.Alert, sites []int64, cursor string,
	limit int) (alertDevicePage, error) {
	if len(a.CVEs) == 0 {
		return alertDevicePage{}, nil
	}
	ctx := r.Context()
	q := alertDeviceQuery(a, sites)
	q.After, q.Limit = cursor, limit
	pg, err := s.db.FindingDevices(ctx, q)
	if err != nil {
		return alertDevicePage{}, err
	}
	entries, err := s.registerEntries(ctx)
	if err != nil {
		return alertDevicePage{}, err
	}
	all, err := s.sites(r)
	if err != nil {
		return alertDevicePage{}, err
	}
	names := siteNames(all)
	out := alertDevicePage{Next: pg.Next, Total: pg.Total, Devices: make([]alertDevice, len(pg.Devices))}
	for i, d := range pg.Devices {
		ad := alertDevice{FindingDevices: d, Status: worstStatus(d.Findings), SiteName: names[d.SiteID]}
		if e := entries[d.DeviceID]; e != nil {
			ad.Vendor = orText(e.Fields[register.Manufacturer], d.Vendor)
			ad.Model = orText(e.Fields[register.Model], d.Model)
			ad.Version = e.Fields[register.SoftwareVersion]
			ad.Name = orText(d.Name, e.Fields[register.Hostname])
		}
		out.Devices[i] = ad
	}
	return out, nil
}

func (s *Server) alertView(r *http.Request, a *store.Alert, evs []store.AlertEvent,
	pg alertDevicePage, sites []int64) alertView {
	v := alertView{alertRow: alertRow{Alert: *a, Clock: clockOf(a, s.now()), Devices: pg.Total},
		Events: evs, Rows: pg.Devices, Scoped: sites != nil,
		CanManage: canEverywhere(who(r.Context()), auth.PermAlertsManage)}
	for _, st := range alertStatuses {
		if st > a.Status {
			v.Moves = append(v.Moves, st)
		}
	}
	return v
}

func (s *Server) moveAlertPage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, noAlert)
		return
	}
	a, err := s.moveAlert(r, id, apiAlertMove{To: r.PostFormValue("to"), Note: r.PostFormValue("note")})
	if err != nil {
		s.workflowRefused(w, r, err, noAlert, func(status int, msg string) {
			s.showAlert(w, r, status, r.PostForm, msg)
		})
		return
	}
	s.setFlash(w, fmt.Sprintf("Alert %s is now %s.", a.Reference, strings.ToLower(alertLabel(a.Status))))
	http.Redirect(w, r, fmt.Sprintf("/alerts/%d", id), http.StatusSeeOther)
}

func init() {
	funcs["alertLabel"] = alertLabel
	funcs["statusLabel"] = func(s string) string { return strings.ReplaceAll(s, "_", " ") }
}
