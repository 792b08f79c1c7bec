package web

import (
	"time"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/ingest"
	"github.com/wardhq/ward/internal/store"
)

// The answers and bodies of the vulnerability routes, in the style of
// api_types.go: stable snake_case names, slices never null.

// apiVulnFinding is one vulnerability of one device.
type apiVulnFinding struct {
	DeviceID      string    `json:"device_id"`
	DeviceName    string    `json:"device_name" doc:"empty when the device has no name"`
	Vendor        string    `json:"vendor" doc:"the device's vendor as the inventory has it"`
	Model         string    `json:"model" doc:"the device's model as the inventory has it"`
	AdvisoryID    string    `json:"advisory_id"`
	AdvisoryTitle string    `json:"advisory_title"`
	CVE           string    `json:"cve" doc:"empty for a vulnerability without a CVE"`
	Status        string    `json:"status" doc:"affected, not_affected, fixed or under_investigation"`
	Confidence    float64   `json:"confidence" doc:"0 to 1: that the device is the product at that version"`
	Kind          string    `json:"kind" doc:"the evidence: identifier, vendor_model_version, vendor_model, ..."`
	Product       string    `json:"product" doc:"the advisory's product as written"`
	ProductID     string    `json:"product_id"`
	ProductRange  string    `json:"product_range" doc:"the product's version or range as written"`
	Reason        string    `json:"reason" doc:"why matching thinks the device is the product"`
	Priority      int       `json:"priority" doc:"0 to 100"`
	Level         string    `json:"level" doc:"critical, high, medium or low"`
	SSVC          string    `json:"ssvc" doc:"track, track*, attend or act"`
	Reasons       []string  `json:"reasons" doc:"what the priority is made of"`
	Decided       bool      `json:"decided" doc:"a ruling applies"`
	Reopened      bool      `json:"reopened" doc:"the ruling was on another range of the product: status is matching's"`
	FirstMatched  time.Time `json:"first_matched"`
	LastMatched   time.Time `json:"last_matched"`
}

func vulnFindingOut(f store.FindingListRow) apiVulnFinding {
	return apiVulnFinding{DeviceID: f.DeviceID, DeviceName: f.DeviceName, Vendor: f.DeviceVendor,
		Model: f.DeviceModel, AdvisoryID: f.AdvisoryID, AdvisoryTitle: f.AdvisoryTitle,
		CVE: f.CVE, Status: f.Status, Confidence: f.Confidence, Kind: f.Kind, Product: f.Product,
		ProductID: f.ProductID, ProductRange: f.ProductRange, Reason: f.Reason,
		Priority: f.Priority, Level: f.Level, SSVC: f.SSVC, Reasons: nonNil(f.Reasons),
		Decided: f.Decided, Reopened: f.Reopened, FirstMatched: f.FirstMatched,
		LastMatched: f.LastMatched}
}

func vulnFindingsOut(rows []store.FindingListRow) []apiVulnFinding {
	out := make([]apiVulnFinding, len(rows))
	for i, f := range rows {
		out[i] = vulnFindingOut(f)
	}
	return out
}

// apiFindingList is a page of findings.
type apiFindingList struct {
	Findings   []apiVulnFinding  `json:"findings"`
	NextCursor string            `json:"next_cursor,omitempty" doc:"the cursor of the next page; absent on the last"`
	Total      int               `json:"total" doc:"the findings the filters select, over every page"`
	Figures    apiFindingFigures `json:"figures" doc:"over every finding the caller may see, whatever the filters"`
}

// apiFindingFigures are the counts of the findings a caller may see.
type apiFindingFigures struct {
	Total     int            `json:"total"`
	ByLevel   map[string]int `json:"by_level" doc:"affected findings for action, by priority level"`
	ByStatus  map[string]int `json:"by_status" doc:"findings for action, by status"`
	Devices   int            `json:"devices_affected" doc:"devices with an affected finding for action"`
	Review    int            `json:"review" doc:"findings in the review queue"`
	Threshold float64        `json:"threshold" doc:"the confidence from which a finding is for action"`
}

func figuresOutVulns(f store.FindingFigures, review int, threshold float64) apiFindingFigures {
	return apiFindingFigures{Total: f.Total, ByLevel: nonNilMap(f.ByLevel),
		ByStatus: nonNilMap(f.ByStatus), Devices: f.Devices, Review: review, Threshold: threshold}
}

func nonNilMap(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// apiNewDecision is a ruling asked for: on the finding of an advisory's
// CVE on a device, for every device of its vendor, model and version.
type apiNewDecision struct {
	DeviceID      string `json:"device_id" doc:"the device of the finding ruled on"`
	Advisory      string `json:"advisory" doc:"the finding's advisory ID"`
	CVE           string `json:"cve,omitempty" doc:"the finding's CVE; absent for a vulnerability without one"`
	Status        string `json:"status" doc:"affected, not_affected, fixed or under_investigation"`
	Justification string `json:"justification,omitempty" doc:"a VEX justification: for not_affected, and required there"`
	Note          string `json:"note,omitempty" doc:"up to 4000 bytes; for affected, what is done (VEX's action statement)"`
}

// apiDecision is a ruling in force.
type apiDecision struct {
	Vuln          string    `json:"vuln" doc:"the CVE, or the advisory's ID for a vulnerability without one"`
	Vendor        string    `json:"vendor" doc:"as matching saw the device"`
	Model         string    `json:"model"`
	Version       string    `json:"version" doc:"the software version, in lower case; empty when unknown"`
	VendorKey     string    `json:"vendor_key"`
	ModelKey      string    `json:"model_key"`
	Status        string    `json:"status"`
	Justification string    `json:"justification"`
	Note          string    `json:"note"`
	Actor         string    `json:"actor"`
	At            time.Time `json:"at"`
	AdvisoryID    string    `json:"advisory_id" doc:"the advisory it was made on"`
	ProductID     string    `json:"product_id"`
	ProductRange  string    `json:"product_range" doc:"the product's range when it was made: a new range reopens it"`
}

func decisionOut(d store.DecisionRow) apiDecision {
	return apiDecision{Vuln: d.Vuln, Vendor: d.Vendor, Model: d.Model, Version: d.Version,
		VendorKey: d.VendorKey, ModelKey: d.ModelKey, Status: d.Status,
		Justification: d.Justification, Note: d.Note, Actor: d.Actor, At: d.At,
		AdvisoryID: d.AdvisoryID, ProductID: d.ProductID, ProductRange: d.ProductRange}
}

// apiDecisionList is every ruling in force.
type apiDecisionList struct {
	Decisions []apiDecision `json:"decisions"`
}

// apiDecisionResult is a ruling saved, and what it did.
type apiDecisionResult struct {
	Decision apiDecision `json:"decision"`
	Previous string      `json:"previous_status" doc:"the status before: the earlier ruling's, or matching's"`
	Devices  int         `json:"devices" doc:"the devices whose finding the ruling now settles"`
}

// apiAdvisorySummary is an advisory as lists show it.
type apiAdvisorySummary struct {
	ID         string     `json:"id" doc:"the tracking ID, or the CVE of an NVD record"`
	Format     string     `json:"format" doc:"csaf or nvd"`
	Title      string     `json:"title"`
	Publisher  string     `json:"publisher"`
	Revision   string     `json:"revision"`
	Released   *time.Time `json:"released"`
	Updated    *time.Time `json:"updated"`
	ImportedAt time.Time  `json:"imported_at"`
	CVEs       []string   `json:"cves"`
	CVSS       float64    `json:"cvss" doc:"the highest base score of its vulnerabilities; 0 for none"`
	Severity   string     `json:"severity"`
	KEV        bool       `json:"kev" doc:"one of its CVEs is in CISA's KEV catalogue"`
	Devices    int        `json:"devices" doc:"devices the caller may see with an affected finding of it for action"`
}

func advisorySummaryOut(a store.AdvisorySummary) apiAdvisorySummary {
	return apiAdvisorySummary{ID: a.ID, Format: string(a.Format), Title: a.Title,
		Publisher: a.Publisher, Revision: a.Revision, Released: optTime(a.Released),
		Updated: optTime(a.Updated), ImportedAt: a.ImportedAt, CVEs: nonNil(a.CVEs),
		CVSS: a.CVSS, Severity: a.Severity, KEV: a.KEV, Devices: a.Devices}
}

// apiAdvisoryList is a page of advisories, the most recently updated
// first.
type apiAdvisoryList struct {
	Advisories []apiAdvisorySummary `json:"advisories"`
	NextCursor string               `json:"next_cursor,omitempty" doc:"the cursor of the next page; absent on the last"`
}

// apiAdvisoryDetail is one advisory whole, with the devices it matched.
type apiAdvisoryDetail struct {
	ID          string            `json:"id"`
	Format      string            `json:"format"`
	Title       string            `json:"title"`
	Publisher   string            `json:"publisher"`
	Namespace   string            `json:"namespace"`
	Revision    string            `json:"revision"`
	Status      string            `json:"status" doc:"final, interim or draft"`
	Released    *time.Time        `json:"released"`
	Updated     *time.Time        `json:"updated"`
	ImportedAt  time.Time         `json:"imported_at"`
	Products    []apiProduct      `json:"products"`
	Vulns       []apiAdvisoryVuln `json:"vulnerabilities"`
	References  []apiReference    `json:"references"`
	Notes       []apiNote         `json:"notes"`
	Findings    []apiVulnFinding  `json:"findings" doc:"on the devices the caller may see, by device; the first 500"`
	FindingsAll int               `json:"findings_total" doc:"all its findings on the devices the caller may see"`
}

// apiProduct is a product an advisory names.
type apiProduct struct {
	ID        string   `json:"id"`
	Vendor    string   `json:"vendor"`
	Family    string   `json:"family"`
	Name      string   `json:"name"`
	Version   string   `json:"version" doc:"one version as written; empty when Range is set or none is given"`
	Range     string   `json:"range" doc:"a version range as written"`
	FullName  string   `json:"full_name"`
	CPE       string   `json:"cpe"`
	PURLs     []string `json:"purls"`
	Models    []string `json:"models"`
	Component string   `json:"component" doc:"for a relationship: the product installed on, or part of, Platform"`
	Platform  string   `json:"platform"`
	Relation  string   `json:"relation"`
}

// apiAdvisoryVuln is one vulnerability of an advisory.
type apiAdvisoryVuln struct {
	CVE          string              `json:"cve"`
	IDs          []string            `json:"ids"`
	Title        string              `json:"title"`
	CWEs         []string            `json:"cwes"`
	Description  string              `json:"description"`
	Released     *time.Time          `json:"released"`
	Status       map[string][]string `json:"product_status" doc:"product IDs by CSAF status (known_affected, fixed, ...)"`
	Scores       []apiScore          `json:"scores"`
	Remediations []apiRemediation    `json:"remediations"`
	Flags        []apiFlag           `json:"flags"`
	References   []apiReference      `json:"references"`
	KEV          *apiKEV             `json:"kev" doc:"its entry in CISA's KEV catalogue; null when not listed"`
	EPSS         *apiEPSS            `json:"epss" doc:"its EPSS score; null when not scored"`
}

// apiScore is a CVSS score.
type apiScore struct {
	Version  string   `json:"version"`
	Vector   string   `json:"vector"`
	Base     float64  `json:"base"`
	Severity string   `json:"severity"`
	Products []string `json:"products" doc:"the products it applies to; empty: all the vulnerability's"`
	Source   string   `json:"source"`
}

// apiRemediation is what to do about a vulnerability for some products.
type apiRemediation struct {
	Category string     `json:"category" doc:"vendor_fix, mitigation, workaround, none_available or no_fix_planned"`
	Details  string     `json:"details"`
	URL      string     `json:"url"`
	Date     *time.Time `json:"date"`
	Products []string   `json:"products"`
}

// apiFlag is a VEX justification for products not affected.
type apiFlag struct {
	Label    string   `json:"label"`
	Products []string `json:"products"`
}

// apiReference is a link an advisory gives.
type apiReference struct {
	URL      string `json:"url"`
	Summary  string `json:"summary"`
	Category string `json:"category"`
}

// apiNote is a note of an advisory.
type apiNote struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Text     string `json:"text"`
}

// apiKEV is a CVE's entry in CISA's KEV catalogue.
type apiKEV struct {
	Name           string     `json:"name"`
	Added          *time.Time `json:"added"`
	Due            *time.Time `json:"due"`
	RequiredAction string     `json:"required_action"`
	Ransomware     bool       `json:"ransomware" doc:"known to be used in ransomware campaigns"`
}

// apiEPSS is a CVE's EPSS score.
type apiEPSS struct {
	Probability float64 `json:"probability" doc:"of exploitation in the next 30 days, 0 to 1"`
	Percentile  float64 `json:"percentile"`
}

func productsOut(ps []advisory.Product) []apiProduct {
	out := make([]apiProduct, len(ps))
	for i, p := range ps {
		out[i] = apiProduct{ID: p.ID, Vendor: p.Vendor, Family: p.Family, Name: p.Name,
			Version: p.Version, Range: p.Range, FullName: p.FullName, CPE: p.CPE,
			PURLs: nonNil(p.PURLs), Models: nonNil(p.Models), Component: p.Component,
			Platform: p.Platform, Relation: p.Relation}
	}
	return out
}

func referencesOut(rs []advisory.Reference) []apiReference {
	out := make([]apiReference, len(rs))
	for i, r := range rs {
		out[i] = apiReference{URL: r.URL, Summary: r.Summary, Category: r.Category}
	}
	return out
}

func advisoryVulnOut(v advisory.Vuln, kev map[string]advisory.KEVEntry,
	epss map[string]advisory.EPSSScore) apiAdvisoryVuln {
	out := apiAdvisoryVuln{CVE: v.CVE, IDs: nonNil(v.IDs), Title: v.Title, CWEs: nonNil(v.CWEs),
		Description: v.Description, Released: optTime(v.Released),
		Status: map[string][]string{}, Scores: make([]apiScore, len(v.Scores)),
		Remediations: make([]apiRemediation, len(v.Remediations)),
		Flags:        make([]apiFlag, len(v.Flags)), References: referencesOut(v.References)}
	for st, ids := range v.Status {
		out.Status[string(st)] = nonNil(ids)
	}
	for i, s := range v.Scores {
		out.Scores[i] = apiScore{Version: s.Version, Vector: s.Vector, Base: s.Base,
			Severity: s.Severity, Products: nonNil(s.Products), Source: s.Source}
	}
	for i, r := range v.Remediations {
		out.Remediations[i] = apiRemediation{Category: r.Category, Details: r.Details, URL: r.URL,
			Date: optTime(r.Date), Products: nonNil(r.Products)}
	}
	for i, f := range v.Flags {
		out.Flags[i] = apiFlag{Label: f.Label, Products: nonNil(f.Products)}
	}
	if e, ok := kev[v.CVE]; ok && v.CVE != "" {
		out.KEV = &apiKEV{Name: e.Name, Added: optTime(e.Added), Due: optTime(e.Due),
			RequiredAction: e.RequiredAction, Ransomware: e.Ransomware}
	}
	if s, ok := epss[v.CVE]; ok && v.CVE != "" {
		out.EPSS = &apiEPSS{Probability: s.Probability, Percentile: s.Percentile}
	}
	return out
}

func advisoryDetailOut(a *advisory.Advisory, imported time.Time, kev map[string]advisory.KEVEntry,
	epss map[string]advisory.EPSSScore, fs store.FindingList) apiAdvisoryDetail {
	out := apiAdvisoryDetail{ID: a.ID, Format: string(a.Format), Title: a.Title,
		Publisher: a.Publisher, Namespace: a.Namespace, Revision: a.Revision, Status: a.Status,
		Released: optTime(a.Released), Updated: optTime(a.Updated), ImportedAt: imported,
		Products: productsOut(a.Products), Vulns: make([]apiAdvisoryVuln, len(a.Vulns)),
		References: referencesOut(a.References), Notes: make([]apiNote, len(a.Notes)),
		Findings: vulnFindingsOut(fs.Rows), FindingsAll: fs.Total}
	for i, v := range a.Vulns {
		out.Vulns[i] = advisoryVulnOut(v, kev, epss)
	}
	for i, n := range a.Notes {
		out.Notes[i] = apiNote{Category: n.Category, Title: n.Title, Text: n.Text}
	}
	return out
}

// apiFeedsResult is what importing one feed file did.
type apiFeedsResult struct {
	Name       string            `json:"name" doc:"the file's name, as given"`
	Documents  int               `json:"documents" doc:"documents read from it"`
	Advisories apiFeedAdvisories `json:"advisories"`
	KEV        int               `json:"kev_entries" doc:"entries of a KEV catalogue, which replaced the one before"`
	EPSS       int               `json:"epss_scores" doc:"EPSS scores imported, which replaced those before"`
	SBOMs      int               `json:"sboms"`
	VEX        int               `json:"vex_documents"`
	Problems   []string          `json:"problems" doc:"what was refused, and why"`
	Findings   apiRematch        `json:"findings" doc:"what matching every device again did"`
}

// apiFeedAdvisories counts the advisories of an import.
type apiFeedAdvisories struct {
	Added     int      `json:"added"`
	Updated   int      `json:"updated" doc:"newer revisions, which replaced the stored ones and kept their rulings"`
	Unchanged int      `json:"unchanged" doc:"the same or older revisions than the stored ones"`
	Changed   []string `json:"changed" doc:"the IDs of those added or updated"`
}

// apiRematch is what a match of every device did.
type apiRematch struct {
	Devices  int `json:"devices"`
	Findings int `json:"findings"`
	New      int `json:"new" doc:"findings not made before"`
	Gone     int `json:"gone" doc:"findings of before not made again"`
}

func feedsResultOut(name string, res ingest.FeedsResult, problems []string) apiFeedsResult {
	a := res.Advisories
	return apiFeedsResult{Name: name, Documents: res.Files,
		Advisories: apiFeedAdvisories{Added: a.Added, Updated: a.Updated, Unchanged: a.Unchanged,
			Changed: nonNil(a.Changed)},
		KEV: res.KEV, EPSS: res.EPSS, SBOMs: res.SBOMs, VEX: res.VEX, Problems: nonNil(problems),
		Findings: apiRematch{Devices: res.Findings.Devices, Findings: res.Findings.Findings,
			New: res.Findings.Changes.New, Gone: res.Findings.Changes.Gone}}
}
