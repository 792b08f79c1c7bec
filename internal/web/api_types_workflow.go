package web

import (
	"time"

	"github.com/wardhq/ward/internal/store"
)

// The API's types for the patch workflow and NHS cyber alerts; see
// api_types.go for the conventions. Times sent to the API are strings
// (RFC 3339, or 2026-03-02T09:00 taken as UTC; days as 2027-12-31), so
// that a malformed one is refused with a message naming its field.

// apiPatchPlan is the patch workflow of one vendor, model and software
// version.
type apiPatchPlan struct {
	ID            int64      `json:"id"`
	Vendor        string     `json:"vendor"`
	Model         string     `json:"model"`
	VendorKey     string     `json:"vendor_key" doc:"the vendor as matching names it"`
	ModelKey      string     `json:"model_key" doc:"the model's words as matching reads them"`
	FromVersion   string     `json:"from_version" doc:"trimmed, in lower case; empty: every version"`
	TargetVersion string     `json:"target_version" doc:"the version it is patched to; empty when none is known"`
	State         string     `json:"state" doc:"available, manufacturer_validated, tested, scheduled or deployed"`
	NextState     string     `json:"next_state" doc:"the state a move goes to unless forced; empty once deployed"`
	WindowStart   *time.Time `json:"window_start" doc:"the maintenance window; null when none is booked"`
	WindowEnd     *time.Time `json:"window_end"`
	EndOfSupport  *time.Time `json:"end_of_support" doc:"the model's end of support; null when unknown"`
	// CompensatingControls stand in where no patch can be applied.
	CompensatingControls string    `json:"compensating_controls"`
	Note                 string    `json:"note"`
	Devices              int       `json:"devices" doc:"its devices in the caller's sites"`
	TargetApproved       bool      `json:"target_approved" doc:"the manufacturer approved the target version"`
	UpdatedBy            string    `json:"updated_by"`
	UpdatedAt            time.Time `json:"updated_at"`
}

// apiPatchPlans is a page of patch plans, by id.
type apiPatchPlans struct {
	Plans      []apiPatchPlan `json:"plans"`
	NextCursor string         `json:"next_cursor,omitempty" doc:"the cursor of the next page; absent on the last"`
}

// apiPatchPlanDetail is a patch plan with its history.
type apiPatchPlanDetail struct {
	apiPatchPlan
	History []apiPatchEvent `json:"history" doc:"every change, the oldest first"`
}

// apiPatchEvent is one change of a patch plan.
type apiPatchEvent struct {
	From   string    `json:"from" doc:"the state before; empty for the plan's creation"`
	To     string    `json:"to" doc:"the state after; the same as from for a change of other fields"`
	Forced bool      `json:"forced" doc:"the move skipped states or went back"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
	Note   string    `json:"note"`
}

// apiNewPatchPlan is a patch plan to create, at state available.
type apiNewPatchPlan struct {
	Vendor               string `json:"vendor"`
	Model                string `json:"model"`
	FromVersion          string `json:"from_version,omitempty" doc:"the version to patch; absent: every version"`
	TargetVersion        string `json:"target_version,omitempty"`
	Note                 string `json:"note,omitempty"`
	EndOfSupport         string `json:"end_of_support,omitempty" doc:"a day, 2027-12-31"`
	CompensatingControls string `json:"compensating_controls,omitempty"`
}

// apiPatchMove moves a patch plan on.
type apiPatchMove struct {
	To          string `json:"to,omitempty" doc:"the state to move to; absent: the next"`
	Note        string `json:"note,omitempty"`
	Force       bool   `json:"force,omitempty" doc:"skip states or go back; the history records it"`
	WindowStart string `json:"window_start,omitempty" doc:"the maintenance window, which scheduled needs"`
	WindowEnd   string `json:"window_end,omitempty"`
}

// apiApprovedVersion is a software version the manufacturer approved
// for a model.
type apiApprovedVersion struct {
	Vendor    string    `json:"vendor"`
	Model     string    `json:"model"`
	VendorKey string    `json:"vendor_key"`
	ModelKey  string    `json:"model_key"`
	Version   string    `json:"version" doc:"trimmed and in lower case"`
	Source    string    `json:"source" doc:"letter, bulletin, website, email or other"`
	Reference string    `json:"reference" doc:"the letter's reference, the bulletin's number or a URL"`
	Actor     string    `json:"actor" doc:"who recorded it"`
	At        time.Time `json:"at"`
}

// apiApprovedVersions is a page of approved versions, by vendor, model
// and version.
type apiApprovedVersions struct {
	Versions   []apiApprovedVersion `json:"approved_versions"`
	NextCursor string               `json:"next_cursor,omitempty" doc:"the cursor of the next page; absent on the last"`
}

// apiNewApprovedVersion records an approved version; a second record of
// the same vendor, model and version replaces the first.
type apiNewApprovedVersion struct {
	Vendor    string `json:"vendor"`
	Model     string `json:"model"`
	Version   string `json:"version"`
	Source    string `json:"source,omitempty" doc:"letter (the default), bulletin, website, email or other"`
	Reference string `json:"reference"`
}

// apiAlert is an NHS cyber alert, its response clock and its status.
type apiAlert struct {
	ID         int64      `json:"id"`
	Reference  string     `json:"reference" doc:"the alert's reference, CC-4251"`
	Title      string     `json:"title"`
	Severity   string     `json:"severity" doc:"high, medium or low"`
	CVEs       []string   `json:"cves"`
	Products   string     `json:"products" doc:"the affected products as the alert words them"`
	ReceivedAt time.Time  `json:"received_at"`
	DueAt      *time.Time `json:"due_at" doc:"received_at + 48 h for a high severity; null: no clock"`
	Status     string     `json:"status" doc:"open, acknowledged, remediating or closed"`
	// AcknowledgedAt stops the clock.
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	Overdue        bool       `json:"overdue" doc:"due and not acknowledged"`
	SecondsLeft    *int64     `json:"seconds_left" doc:"until due, negative when overdue; null: no clock, or stopped"`
	Clock          string     `json:"clock" doc:"the clock in words: 31 h 20 min left, overdue by 2 h 5 min"`
	Devices        int        `json:"devices" doc:"devices in the caller's sites it applies to"`
	Note           string     `json:"note"`
	CreatedBy      string     `json:"created_by"`
}

// apiAlerts is a page of alerts, the most recently recorded first.
type apiAlerts struct {
	Alerts     []apiAlert `json:"alerts"`
	NextCursor string     `json:"next_cursor,omitempty" doc:"the cursor of the next page; absent on the last"`
}

// apiAlertDetail is an alert with its history and a page of the devices
// it applies to.
type apiAlertDetail struct {
	apiAlert
	History         []apiAlertEvent  `json:"history" doc:"every change of status, the oldest first"`
	AffectedDevices []apiAlertDevice `json:"affected_devices" doc:"a page of the devices, by id"`
	DevicesCursor   string           `json:"devices_next_cursor,omitempty" doc:"devices_cursor of the next page of devices"`
}

// apiAlertEvent is one change of an alert's status.
type apiAlertEvent struct {
	From  string    `json:"from" doc:"empty for its recording"`
	To    string    `json:"to"`
	Actor string    `json:"actor"`
	At    time.Time `json:"at"`
	Note  string    `json:"note"`
}

// apiAlertDevice is a device an alert applies to: it has findings on the
// alert's CVEs, of any status but not affected, at the default
// confidence threshold or above.
type apiAlertDevice struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Vendor          string            `json:"vendor" doc:"the asset register's where it names the device"`
	Model           string            `json:"model"`
	SoftwareVersion string            `json:"software_version" doc:"the asset register's; empty when unknown"`
	SiteID          *int64            `json:"site_id" doc:"null when not placed"`
	Status          string            `json:"status" doc:"the worst of its findings': affected, under_investigation, fixed"`
	Findings        []apiAlertFinding `json:"findings"`
}

// apiAlertFinding is a device's finding on one of an alert's CVEs.
type apiAlertFinding struct {
	CVE        string  `json:"cve"`
	AdvisoryID string  `json:"advisory_id"`
	Status     string  `json:"status"`
	Confidence float64 `json:"confidence" doc:"0 to 1"`
	Priority   int     `json:"priority" doc:"0 to 100"`
	Level      string  `json:"level"`
}

// apiNewAlert records an alert.
type apiNewAlert struct {
	Reference  string   `json:"reference"`
	Title      string   `json:"title"`
	Severity   string   `json:"severity" doc:"high, medium or low"`
	CVEs       []string `json:"cves" doc:"CVE IDs, CVE-2020-6961"`
	Products   string   `json:"products,omitempty"`
	ReceivedAt string   `json:"received_at,omitempty" doc:"RFC 3339; absent: now"`
	Note       string   `json:"note,omitempty"`
}

// apiAlertMove moves an alert on; statuses may be skipped but not gone
// back to.
type apiAlertMove struct {
	To   string `json:"to,omitempty" doc:"acknowledged, remediating or closed; absent: the next"`
	Note string `json:"note,omitempty"`
}

func patchPlanOut(p *store.PatchPlan, devices int, approved bool) apiPatchPlan {
	return apiPatchPlan{ID: p.ID, Vendor: p.Vendor, Model: p.Model, VendorKey: p.VendorKey,
		ModelKey: p.ModelKey, FromVersion: p.FromVersion, TargetVersion: p.TargetVersion,
		State: p.State.String(), NextState: p.State.Next().String(),
		WindowStart: optTime(p.WindowStart), WindowEnd: optTime(p.WindowEnd),
		EndOfSupport: optTime(p.EndOfSupport), CompensatingControls: p.CompensatingControls,
		Note: p.Note, Devices: devices, TargetApproved: approved, UpdatedBy: p.UpdatedBy,
		UpdatedAt: p.UpdatedAt}
}

func patchEventsOut(evs []store.PatchEvent) []apiPatchEvent {
	out := make([]apiPatchEvent, len(evs))
	for i, e := range evs {
		out[i] = apiPatchEvent{From: e.From.String(), To: e.To.String(), Forced: e.Forced,
			Actor: e.Actor, At: e.At, Note: e.Note}
	}
	return out
}

func approvedOut(v *store.ApprovedVersion) apiApprovedVersion {
	return apiApprovedVersion{Vendor: v.Vendor, Model: v.Model, VendorKey: v.VendorKey,
		ModelKey: v.ModelKey, Version: v.Version, Source: v.Source, Reference: v.Reference,
		Actor: v.Actor, At: v.At}
}

func alertOut(a *store.Alert, c alertClock, devices int) apiAlert {
	out := apiAlert{ID: a.ID, Reference: a.Reference, Title: a.Title, Severity: a.Severity,
		CVEs: nonNil(a.CVEs), Products: a.Products, ReceivedAt: a.ReceivedAt,
		DueAt: optTime(a.DueAt), Status: a.Status.String(),
		AcknowledgedAt: optTime(a.AcknowledgedAt), ClosedAt: optTime(a.ClosedAt),
		Overdue: c.Overdue, Clock: c.Text, Devices: devices, Note: a.Note,
		CreatedBy: a.CreatedBy}
	if c.HasClock && !c.Stopped {
		left := int64(c.Left / time.Second)
		out.SecondsLeft = &left
	}
	return out
}

func alertEventsOut(evs []store.AlertEvent) []apiAlertEvent {
	out := make([]apiAlertEvent, len(evs))
	for i, e := range evs {
		out[i] = apiAlertEvent{From: e.From.String(), To: e.To.String(), Actor: e.Actor,
			At: e.At, Note: e.Note}
	}
	return out
}

func alertDeviceOut(d *alertDevice) apiAlertDevice {
	out := apiAlertDevice{ID: d.DeviceID, Name: d.Name, Vendor: d.Vendor, Model: d.Model,
		SoftwareVersion: d.Version, SiteID: optID(d.SiteID), Status: d.Status,
		Findings: make([]apiAlertFinding, len(d.Findings))}
	for i, f := range d.Findings {
		out.Findings[i] = apiAlertFinding{CVE: f.CVE, AdvisoryID: f.AdvisoryID, Status: f.Status,
			Confidence: f.Confidence, Priority: f.Priority, Level: f.Level}
	}
	return out
}

// worstStatus is the status of the findings that most needs acting on:
// affected, then under investigation, then fixed.
func worstStatus(fs []store.FindingRow) string {
	rank := map[string]int{store.StatusAffected: 3, store.StatusUnderInvestigation: 2,
		store.StatusFixed: 1}
	worst := ""
	for _, f := range fs {
		if rank[f.Status] > rank[worst] {
			worst = f.Status
		}
	}
	return worst
}
