package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/register"
	"github.com/wardhq/ward/internal/store"
)

// FeedsResult says what importing a path of feeds did.
type FeedsResult struct {
	Path       string           `json:"path"`
	Files      int              `json:"files"`
	Advisories store.FeedResult `json:"advisories"`
	KEV        int              `json:"kev_entries,omitempty"`
	EPSS       int              `json:"epss_scores,omitempty"`
	SBOMs      int              `json:"sboms,omitempty"`
	VEX        int              `json:"vex_documents,omitempty"`
	Problems   []string         `json:"problems,omitempty"`
	Findings   MatchResult      `json:"findings"`
	Skipped    int              `json:"skipped,omitempty"`
}

// MatchResult says what a re-match did.
type MatchResult struct {
	Devices  int                  `json:"devices"`
	Findings int                  `json:"findings"`
	Changes  store.FindingChanges `json:"changes"`
}

// ImportFeeds reads the feeds at path (a file or a folder: advisories,
// KEV, EPSS, SBOMs, VEX), stores them and matches every device again. A
// document that cannot be read is reported in Problems and skipped; the
// rest are kept. opts carries the signing keys and a progress callback.
func (s *Service) ImportFeeds(ctx context.Context, path string, opts advisory.LoadOptions,
	actor string) (FeedsResult, error) {
	res := FeedsResult{Path: path}
	set, err := advisory.Load(ctx, path, opts)
	if err != nil {
		return res, fmt.Errorf("import feeds %s: %w", path, err)
	}
	res.Files, res.Skipped = set.Files, set.Skipped
	for _, p := range set.Problems {
		res.Problems = append(res.Problems, p.String())
	}
	if err := s.saveFeeds(ctx, path, set, &res); err != nil {
		return res, err
	}
	res.Findings, err = s.Rematch(ctx)
	s.record(ctx, actor, "feeds.import", filepath.Base(path), res)
	if err != nil {
		return res, err
	}
	return res, nil
}

func (s *Service) saveFeeds(ctx context.Context, path string, set *advisory.Set, res *FeedsResult) error {
	src := store.FeedSource{Name: filepath.Base(path), At: s.now()}
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		src.SHA256, _, _ = fileSHA256(path)
	}
	var err error
	if len(set.Advisories) > 0 {
		if res.Advisories, err = s.DB.SaveAdvisories(ctx, set.Advisories, src); err != nil {
			return fmt.Errorf("import feeds %s: %w", path, err)
		}
	}
	if set.KEV != nil {
		if err := s.DB.SaveKEV(ctx, set.KEV); err != nil {
			return fmt.Errorf("import feeds %s: %w", path, err)
		}
		res.KEV = len(set.KEV.Entries)
	}
	if set.EPSS != nil {
		if err := s.DB.SaveEPSS(ctx, set.EPSS); err != nil {
			return fmt.Errorf("import feeds %s: %w", path, err)
		}
		res.EPSS = len(set.EPSS.Scores)
	}
	for _, v := range set.VEX {
		if err := s.DB.SaveVEX(ctx, v); err != nil {
			return fmt.Errorf("import feeds %s: %w", path, err)
		}
		res.VEX++
	}
	return s.saveSBOMs(ctx, path, set.SBOMs, res)
}

// saveSBOMs attaches each SBOM to the vendor, model and version of the
// product it describes (its metadata component).
func (s *Service) saveSBOMs(ctx context.Context, path string, sboms []*advisory.SBOM, res *FeedsResult) error {
	vendors := match.DefaultVendors()
	for _, b := range sboms {
		subj := b.Subject
		if subj.Name == "" || subj.Vendor == "" {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: SBOM %s names no product "+
				"(metadata.component with a supplier or manufacturer): not attached", path, b.Serial))
			continue
		}
		row := store.SBOMRow{VendorKey: vendors.Key(subj.Vendor), ModelKey: match.ModelKey(subj.Name),
			Vendor: subj.Vendor, Model: subj.Name, Version: subj.Version, SBOM: b}
		if err := s.DB.SaveSBOM(ctx, row); err != nil {
			return fmt.Errorf("import feeds %s: %w", path, err)
		}
		res.SBOMs++
	}
	return nil
}

// Rematch matches every stored device against every stored advisory and
// replaces the findings, rulings applied and priorities set from the KEV
// and EPSS feeds.
func (s *Service) Rematch(ctx context.Context) (MatchResult, error) {
	var res MatchResult
	vendors := match.DefaultVendors()
	m, ds, in, err := s.matcher(ctx, vendors)
	if err != nil || m == nil {
		return res, err
	}
	devs, err := s.matchDevices(ctx, vendors)
	if err != nil {
		return res, err
	}
	fs := m.Assess(devs, ds, in)
	rows := findingRows(fs)
	res.Devices, res.Findings = len(devs), len(rows)
	if res.Changes, err = s.DB.ReplaceFindings(ctx, rows, s.now()); err != nil {
		return res, fmt.Errorf("match: %w", err)
	}
	return res, nil
}

// rematchAfter matches again after an import changed the devices or
// what is known of them; a failure is logged, since the import stands.
func (s *Service) rematchAfter(ctx context.Context, what string) {
	if s.DeferMatch {
		return
	}
	res, err := s.Rematch(ctx)
	if err != nil {
		s.log().Error("match after import failed", "err", err, "import", what)
		return
	}
	s.log().Info("matched", "import", what, "devices", res.Devices, "findings", res.Findings,
		"new", res.Changes.New, "gone", res.Changes.Gone)
}

// matcher builds a Matcher of the stored advisories, with the stored
// rulings and intel; nil when no advisory is stored, so that nothing else
// is read.
func (s *Service) matcher(ctx context.Context, vendors *match.Vendors) (*match.Matcher,
	*match.Decisions, match.Intel, error) {
	var in match.Intel
	advs, err := s.DB.AllAdvisories(ctx)
	if err != nil {
		return nil, nil, in, fmt.Errorf("match: %w", err)
	}
	if len(advs) == 0 {
		return nil, nil, in, nil
	}
	if in.KEV, err = s.DB.KEV(ctx); err != nil {
		return nil, nil, in, fmt.Errorf("match: %w", err)
	}
	if in.EPSS, err = s.DB.EPSS(ctx, nil); err != nil {
		return nil, nil, in, fmt.Errorf("match: %w", err)
	}
	rows, err := s.DB.Decisions(ctx)
	if err != nil {
		return nil, nil, in, fmt.Errorf("match: %w", err)
	}
	ds := match.NewDecisions(vendors)
	for _, r := range rows {
		ds.Add(match.Decision{Vuln: r.Vuln, Vendor: r.Vendor, Model: r.Model, Version: r.Version,
			Status: match.Status(r.Status), Justification: r.Justification, Note: r.Note,
			Actor: r.Actor, At: r.At, Advisory: r.AdvisoryID, Product: r.ProductID,
			Range: r.ProductRange})
	}
	return match.New(advs, vendors), ds, in, nil
}

// matchDevices are the stored devices as matching sees them: vendor,
// model and software version from the latest asset register where it
// names the device (a register is the better record of what a device
// is), else from the analysis; criticality; the SBOM of its model; and
// its exposure, from the flows it was seen in.
func (s *Service) matchDevices(ctx context.Context, vendors *match.Vendors) ([]match.Device, error) {
	entries, err := s.registerEntries(ctx)
	if err != nil {
		return nil, err
	}
	sboms, err := s.sbomIndex(ctx)
	if err != nil {
		return nil, err
	}
	reach, err := s.DB.DeviceReach(ctx)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	cross, err := s.crossZone(ctx)
	if err != nil {
		// A policy that no longer compiles on the devices must not stop
		// matching: the exposure is then read without zones.
		s.log().Warn("zones not read for exposure", "err", err)
	}
	var out []match.Device
	q := store.DeviceQuery{Limit: 500}
	for {
		page, err := s.DB.ListDevices(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("match: %w", err)
		}
		for _, d := range page.Devices {
			md := matchDevice(d, entries[d.ID], sboms, vendors)
			r := reach[d.ID]
			md.Exposure = match.Exposure{Internet: r.Internet, Subnets: r.OtherSubnets,
				CrossZone: cross[d.ID]}
			out = append(out, md)
		}
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}

func matchDevice(d store.Device, e *register.Entry, sboms map[sbomKey]*advisory.SBOM,
	vendors *match.Vendors) match.Device {
	md := match.Device{ID: d.ID, Vendor: d.Vendor, Model: d.Model, Version: SoftwareVersion(d.Software),
		Criticality: match.ParseCriticality(d.Criticality)}
	if e != nil {
		f := e.Fields
		md.Vendor = cmpOr(f[register.Manufacturer], md.Vendor)
		md.Model = cmpOr(f[register.Model], md.Model)
		md.Version = cmpOr(f[register.SoftwareVersion], md.Version)
		md.Description = f[register.Description]
		if md.Criticality == "" {
			md.Criticality = match.ParseCriticality(f[register.Criticality])
		}
	}
	vk, mk := vendors.Key(md.Vendor), match.ModelKey(md.Model)
	for _, k := range []sbomKey{{vk, mk, match.VersionKey(md.Version)}, {vk, mk, ""}} {
		if b := sboms[k]; b != nil {
			md.Components = b.Components
			break
		}
	}
	return md
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// versionRE finds a version in a software description ("OFFIS DCMTK
// 3.6.7", "IntelliVue MX40 B.06.12"): the last word that looks like one.
var versionRE = regexp.MustCompile(`(?i)\b(v?\d+(?:[._]\d+)+[a-z0-9._-]*|[a-z]\.\d{2}(?:\.\d+)*)\b`)

// SoftwareVersion is the version in an analysis's software description
// ("B.06.12" of "IntelliVue MX40 B.06.12"): the version matching takes
// for a device no register names.
func SoftwareVersion(software string) string {
	all := versionRE.FindAllString(software, -1)
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

// registerEntries are the entries of the latest register import by the
// device each was reconciled with.
func (s *Service) registerEntries(ctx context.Context) (map[string]*register.Entry, error) {
	ri, err := s.DB.LatestRegisterImport(ctx)
	if err != nil || ri == nil || ri.Reconciliation == nil {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("match: %w", err)
		}
		return nil, nil
	}
	out := make(map[string]*register.Entry, len(ri.Reconciliation.Matched))
	for i := range ri.Reconciliation.Matched {
		mt := &ri.Reconciliation.Matched[i]
		out[mt.DeviceID] = &mt.Entry
	}
	return out, nil
}

type sbomKey struct{ vendor, model, version string }

func (s *Service) sbomIndex(ctx context.Context) (map[sbomKey]*advisory.SBOM, error) {
	rows, err := s.DB.SBOMs(ctx)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	out := make(map[sbomKey]*advisory.SBOM, len(rows))
	for _, r := range rows {
		out[sbomKey{r.VendorKey, r.ModelKey, match.VersionKey(r.Version)}] = r.SBOM
	}
	return out, nil
}

// findingRows are the findings as the store keeps them.
func findingRows(fs []match.Finding) []store.FindingRow {
	out := make([]store.FindingRow, len(fs))
	for i, f := range fs {
		out[i] = store.FindingRow{DeviceID: f.Device, AdvisoryID: f.Advisory, CVE: f.CVE,
			Status: string(f.Status), Confidence: f.Confidence, Kind: f.Kind.String(),
			Product: f.Product, ProductID: f.ProductID, ProductRange: f.Range, Reason: f.Reason,
			Priority: f.Priority.Score, Level: f.Priority.Level, SSVC: string(f.Priority.SSVC),
			Reasons: f.Priority.Reasons, Decided: f.Decision != nil, Reopened: f.Reopened}
	}
	return out
}
