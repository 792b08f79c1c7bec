package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/wardhq/ward/internal/advisory"
)

// Vulnerabilities keeps what Ward knows of published vulnerabilities and
// what people do about them: advisories and the feeds that qualify them
// (KEV, EPSS, SBOMs, VEX), the findings of matching them against devices,
// reviewers' rulings, the patch workflow per model and software version,
// and NHS cyber alerts.
//
// The store keeps what the matcher decides, and never decides itself:
// vendor and model keys, statuses and priorities come from the caller
// (internal/match), which normalises them.
type Vulnerabilities interface {
	SaveAdvisories(ctx context.Context, advs []*advisory.Advisory, src FeedSource) (FeedResult, error)
	AllAdvisories(ctx context.Context) ([]*advisory.Advisory, error)
	Advisory(ctx context.Context, id string) (*advisory.Advisory, time.Time, error)
	ListAdvisories(ctx context.Context, q AdvisoryQuery) ([]AdvisorySummary, error)

	SaveKEV(ctx context.Context, k *advisory.KEV) error
	KEV(ctx context.Context) (map[string]advisory.KEVEntry, error)
	SaveEPSS(ctx context.Context, e *advisory.EPSS) error
	EPSS(ctx context.Context, cves []string) (map[string]advisory.EPSSScore, error)
	SaveSBOM(ctx context.Context, s SBOMRow) error
	SBOMs(ctx context.Context) ([]SBOMRow, error)
	SaveVEX(ctx context.Context, v *advisory.VEX) error
	VEXDocs(ctx context.Context) ([]*advisory.VEX, error)
	FeedVersions(ctx context.Context) ([]FeedVersion, error)

	ReplaceFindings(ctx context.Context, fs []FindingRow, now time.Time) (FindingChanges, error)
	ReplaceDeviceFindings(ctx context.Context, deviceID string, fs []FindingRow,
		now time.Time) (FindingChanges, error)
	ReplaceAdvisoryFindings(ctx context.Context, advisoryID string, fs []FindingRow,
		now time.Time) (FindingChanges, error)
	Findings(ctx context.Context, q FindingQuery) (FindingPage, error)
	FindingCounts(ctx context.Context, s FindingScope) (FindingFigures, error)

	SaveDecision(ctx context.Context, d DecisionRow) error
	Decisions(ctx context.Context) ([]DecisionRow, error)
	DecisionHistory(ctx context.Context, vuln, vendorKey, modelKey, version string) ([]DecisionRow, error)

	SavePatchPlan(ctx context.Context, p PatchPlan) (PatchPlan, error)
	MovePatchPlan(ctx context.Context, id int64, to PatchState, actor, note string, force bool,
		at time.Time) error
	PatchPlans(ctx context.Context) ([]PatchPlan, error)
	PatchEvents(ctx context.Context, id int64) ([]PatchEvent, error)
	ApproveVersion(ctx context.Context, v ApprovedVersion) error
	ApprovedVersions(ctx context.Context) ([]ApprovedVersion, error)

	SaveAlert(ctx context.Context, a Alert) (Alert, error)
	MoveAlert(ctx context.Context, id int64, to AlertStatus, actor, note string, at time.Time) error
	Alerts(ctx context.Context) ([]Alert, error)
	Alert(ctx context.Context, id int64) (Alert, []AlertEvent, error)
}

var _ Vulnerabilities = (*DB)(nil)

// ErrStateOrder is returned for a move of a patch plan or an alert that
// skips states or goes back, which only a forced move of a patch plan may
// do.
var ErrStateOrder = errors.New("state change out of order")

// The statuses of a finding or a ruling, as internal/match names them.
const (
	StatusAffected           = "affected"
	StatusFixed              = "fixed"
	StatusNotAffected        = "not_affected"
	StatusUnderInvestigation = "under_investigation"
)

// validStatus reports whether s is one of the statuses above.
func validStatus(s string) bool {
	switch s {
	case StatusAffected, StatusFixed, StatusNotAffected, StatusUnderInvestigation:
		return true
	}
	return false
}

// vexJustifications are the justifications of a not-affected ruling: the
// labels of CSAF 2.0 flags, which OpenVEX shares.
var vexJustifications = map[string]bool{
	"component_not_present":                             true,
	"vulnerable_code_not_present":                       true,
	"vulnerable_code_cannot_be_controlled_by_adversary": true,
	"vulnerable_code_not_in_execute_path":               true,
	"inline_mitigations_already_exist":                  true,
}

// FeedSource is the file a feed's documents were read from.
type FeedSource struct {
	Name   string    // the file's name
	SHA256 string    // of its bytes, lower-case hex; "" when unknown
	At     time.Time // when it was imported; zero for now
}

// FeedResult counts what an import of advisories did.
type FeedResult struct {
	Added, Updated, Unchanged int
	// Changed are the IDs of the advisories added or updated, in the
	// order given: those to match again.
	Changed []string
}

// FeedVersion is the version of a feed replaced whole by each import:
// "kev" (the catalogue version and release date) or "epss" (the model
// and score date).
type FeedVersion struct {
	Feed       string
	Version    string
	Released   time.Time
	ImportedAt time.Time
	Entries    int
}

// checkSource refuses a source the store could not keep.
func checkSource(src FeedSource) error {
	if src.SHA256 != "" && !isSHA256(src.SHA256) {
		return invalidf("source sha256 %.80q is not 64 lower-case hex digits", src.SHA256)
	}
	if r := badTime(src.At); r != "" {
		return invalidf("source: %s", r)
	}
	return checkText("source", "name", src.Name)
}

// needKeys returns an ErrInvalid error naming the first of fields (name,
// value pairs) that is empty or blank.
func needKeys(what string, fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if strings.TrimSpace(fields[i+1]) == "" {
			return invalidf("%s: no %s", what, fields[i])
		}
	}
	return nil
}

// checkUnit refuses a value that is not a number in [0, 1].
func checkUnit(what, name string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 1 {
		return invalidf("%s: %s %v is not between 0 and 1", what, name, v)
	}
	return nil
}

// orNow is t, or the store's clock for the zero time.
func (db *DB) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return db.now()
	}
	return t
}

// timeIn is t as the store gives it back: UTC, to the nanosecond.
func timeIn(t time.Time) time.Time { return fromNanos(nanos(t)) }

// errorf wraps err as "store: what: err", or returns nil.
func errorf(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", what, err)
}
