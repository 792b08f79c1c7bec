// Package advisory reads vulnerability advisories and the feeds that
// qualify them, all from files: CSAF 2.0 documents (CISA's ICS medical
// advisories, vendors' own, CSAF VEX), NVD CVE JSON 2.0 records, CISA's
// Known Exploited Vulnerabilities catalogue, FIRST's EPSS scores,
// CycloneDX SBOM and VEX, and OpenVEX.
//
// Every format is turned into the same few values: an Advisory names
// products and says, per vulnerability, which of them are affected, fixed
// or not affected and what to do; a KEV, an EPSS and VEX statements add
// to what is known of a CVE; an SBOM lists a product's components. The
// package knows nothing of devices, matching, storage or HTTP: that is
// internal/match and internal/store.
package advisory

import "time"

// Format is the kind of document a value was read from.
type Format string

// The formats read.
const (
	CSAF       Format = "csaf"
	NVD        Format = "nvd"
	KEVFormat  Format = "kev"
	EPSSFormat Format = "epss"
	CycloneDX  Format = "cyclonedx"
	OpenVEX    Format = "openvex"
)

// Advisory is one published advisory: a CSAF document or an NVD record.
type Advisory struct {
	// ID is the document's tracking ID as its publisher writes it
	// ("ICSMA-20-049-01"), or the CVE ID of an NVD record.
	ID        string
	Format    Format
	Title     string
	Publisher string // the publisher's name ("CISA")
	Namespace string // the publisher's namespace URL, where given
	// Revision is the document's version (CSAF tracking.version); a
	// newer revision of the same ID replaces an older one.
	Revision string
	Status   string    // CSAF tracking.status: final, interim, draft
	Released time.Time // initial release
	Updated  time.Time // current release (the latest revision's date)
	// Products are every product the document names that a status,
	// score or remediation can refer to, in document order, unique by ID.
	Products   []Product
	Vulns      []Vuln
	References []Reference
	// Notes are the document-level notes (summary, legal), by category.
	Notes []Note
}

// Product is one product of an advisory, as the document describes it.
// Vendor, Name and the version fields are kept as written: the spelling
// is the matcher's business, and an explanation shows the original.
type Product struct {
	ID     string // the document's product_id; NVD: one per CPE match
	Vendor string // "Becton, Dickinson and Company (BD)"
	Family string // a product_family branch, where one encloses Name
	Name   string // the product name ("Alaris TIVA")
	// Version is one version as written ("B.02.15", "1.X", "vers:all/*"),
	// Range a version range as written ("<= 2.3.6", "prior to 4.1",
	// "vers:generic/>=1.0|<2.0"). At most one of them is set; neither
	// means the document gave no version.
	Version string
	Range   string
	// FullName is the product's full name in the document
	// ("Becton Alaris TIVA <= 2.3.6").
	FullName string
	CPE      string   // a CPE 2.2 or 2.3 name, where the document gives one
	PURLs    []string // package URLs
	Models   []string // model numbers (product_identification_helper)
	SKUs     []string
	// Component and Platform are set for a product that a relationship
	// defines: the product Component (usually software or firmware)
	// installed on, or part of, the product Platform (usually the device).
	// Both are product IDs of the same advisory. Relation is the CSAF
	// category ("installed_on", "default_component_of", ...).
	Component, Platform, Relation string
}

// Status is what an advisory says of a product for a vulnerability.
type Status string

// The product statuses of CSAF 2.0 (and the VEX statuses, mapped onto them).
const (
	Affected           Status = "known_affected"
	FirstAffected      Status = "first_affected"
	LastAffected       Status = "last_affected"
	Fixed              Status = "fixed"
	FirstFixed         Status = "first_fixed"
	NotAffected        Status = "known_not_affected"
	UnderInvestigation Status = "under_investigation"
	Recommended        Status = "recommended"
)

// Vuln is one vulnerability of an advisory.
type Vuln struct {
	CVE   string   // "CVE-2020-6961"; "" for one that has none
	IDs   []string // other identifiers ("ICSA-…", vendor bug IDs)
	Title string
	CWEs  []string // "CWE-798"
	// Description is the vulnerability's summary or description note.
	Description string
	Released    time.Time
	// Status lists, per status, the IDs of the products it applies to,
	// product groups expanded.
	Status       map[Status][]string
	Scores       []Score
	Remediations []Remediation
	// Flags are VEX justifications of not-affected products
	// ("component_not_present", "vulnerable_code_not_in_execute_path", ...).
	Flags      []Flag
	References []Reference
}

// Score is one CVSS score of a vulnerability.
type Score struct {
	Version  string  // "2.0", "3.0", "3.1" or "4.0"
	Vector   string  // as published
	Base     float64 // the base score computed from Vector
	Severity string  // "NONE", "LOW", "MEDIUM", "HIGH" or "CRITICAL" (v2: from the score)
	// Products are the product IDs the score applies to; empty means all
	// of the vulnerability's.
	Products []string
	Source   string // who scored it, where known ("nvd@nist.gov")
}

// Remediation categories of CSAF 2.0.
const (
	VendorFix     = "vendor_fix"
	Mitigation    = "mitigation"
	Workaround    = "workaround"
	NoneAvailable = "none_available"
	NoFixPlanned  = "no_fix_planned"
)

// Remediation is what to do about a vulnerability for some products.
type Remediation struct {
	Category string // one of VendorFix, Mitigation, ...
	Details  string
	URL      string
	Date     time.Time
	Products []string // product IDs, groups expanded
}

// Flag is a VEX justification for products that are not affected.
type Flag struct {
	Label    string
	Products []string
}

// Reference is a link an advisory gives.
type Reference struct {
	URL      string
	Summary  string
	Category string // "self" or "external"
}

// Note is a note of a document.
type Note struct {
	Category string // "summary", "description", "legal_disclaimer", ...
	Title    string
	Text     string
}

// KEV is CISA's Known Exploited Vulnerabilities catalogue.
type KEV struct {
	Version  string    // catalogVersion ("2025.08.25")
	Released time.Time // dateReleased
	Entries  []KEVEntry
}

// KEVEntry is one known exploited vulnerability.
type KEVEntry struct {
	CVE            string
	Vendor         string // vendorProject
	Product        string
	Name           string // vulnerabilityName
	Description    string // shortDescription
	Added          time.Time
	Due            time.Time
	RequiredAction string
	// Ransomware is true where the catalogue says the vulnerability is
	// known to be used in ransomware campaigns.
	Ransomware bool
	Notes      string
	CWEs       []string
}

// EPSS is one day's EPSS scores.
type EPSS struct {
	Model  string    // the model version ("v2023.03.01")
	Date   time.Time // the score date
	Scores map[string]EPSSScore
}

// EPSSScore is a CVE's exploitation probability over the next 30 days
// and its percentile among all scored CVEs, both 0–1.
type EPSSScore struct {
	Probability float64
	Percentile  float64
}

// SBOM is a software bill of materials for one product.
type SBOM struct {
	Format      Format // CycloneDX
	SpecVersion string // "1.4", "1.5", "1.6"
	Serial      string // serialNumber ("urn:uuid:…")
	// Subject is the product the SBOM describes (metadata.component):
	// its supplier or manufacturer as Vendor, its name and version.
	Subject    Component
	Components []Component
	// VEX are the vulnerability statements the document carries (a
	// CycloneDX BOM with vulnerabilities is also a VEX).
	VEX []VEXStatement
}

// Component is one component of an SBOM.
type Component struct {
	Ref     string // bom-ref
	Type    string // "library", "firmware", "operating-system", "device", ...
	Vendor  string // supplier, manufacturer or publisher
	Name    string
	Version string
	PURL    string
	CPE     string
}

// VEX is a document of VEX statements (OpenVEX, or CycloneDX VEX).
type VEX struct {
	Format     Format
	ID         string // the document's @id or serial number
	Author     string
	Timestamp  time.Time
	Statements []VEXStatement
}

// VEXStatement says how one vulnerability stands for some products.
type VEXStatement struct {
	Vuln string // "CVE-…"
	// Aliases are the vulnerability's other names in the statement
	// ("GHSA-…", the publisher's own ID); Vuln is the CVE where one is
	// among them.
	Aliases  []string
	Products []ProductRef
	// Status is Affected, NotAffected, Fixed or UnderInvestigation.
	Status        Status
	Justification string // for NotAffected: "component_not_present", ...
	Impact        string // impact statement
	Action        string // action statement, for Affected
	Timestamp     time.Time
}

// ProductRef names a product in a VEX statement: by package URL, CPE or
// identifier, with a version or range where the statement gives one.
type ProductRef struct {
	ID      string // @id or bom-ref
	PURL    string
	CPE     string
	Name    string
	Version string
	Range   string // "vers:…" where given
	// Subcomponents are the components of the product the statement is
	// about (OpenVEX): the vulnerable parts, not products of their own.
	Subcomponents []ProductRef
}
