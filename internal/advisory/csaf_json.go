package advisory

// The JSON shape of a CSAF 2.0 document, as far as Ward reads it. Field
// names follow the specification; members Ward has no use for
// (acknowledgments, distribution, revision history, hashes, ...) are
// left out and ignored by the decoder. The schema has already checked
// types and required members when these are filled.

type csafDoc struct {
	Document        csafDocument `json:"document"`
	ProductTree     csafTree     `json:"product_tree"`
	Vulnerabilities []csafVuln   `json:"vulnerabilities"`
}

type csafDocument struct {
	Category   string     `json:"category"`
	Title      string     `json:"title"`
	Publisher  csafPub    `json:"publisher"`
	Tracking   csafTrack  `json:"tracking"`
	Notes      []csafNote `json:"notes"`
	References []csafRef  `json:"references"`
}

type csafPub struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type csafTrack struct {
	ID             string `json:"id"`
	Version        string `json:"version"`
	Status         string `json:"status"`
	InitialRelease string `json:"initial_release_date"`
	CurrentRelease string `json:"current_release_date"`
}

type csafNote struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Text     string `json:"text"`
}

type csafRef struct {
	Category string `json:"category"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

type csafTree struct {
	Branches      []csafBranch   `json:"branches"`
	FullNames     []csafFullName `json:"full_product_names"`
	Relationships []csafRelation `json:"relationships"`
	Groups        []csafGroup    `json:"product_groups"`
}

type csafBranch struct {
	Category string        `json:"category"`
	Name     string        `json:"name"`
	Branches []csafBranch  `json:"branches"`
	Product  *csafFullName `json:"product"`
}

type csafFullName struct {
	Name   string      `json:"name"`
	ID     string      `json:"product_id"`
	Helper *csafHelper `json:"product_identification_helper"`
}

// csafHelper is product_identification_helper. Purls is the array of
// CSAF 2.1, read where a document already carries it.
type csafHelper struct {
	CPE     string   `json:"cpe"`
	PURL    string   `json:"purl"`
	PURLs   []string `json:"purls"`
	Models  []string `json:"model_numbers"`
	SKUs    []string `json:"skus"`
	Serials []string `json:"serial_numbers"`
}

type csafRelation struct {
	Category  string       `json:"category"`
	FullName  csafFullName `json:"full_product_name"`
	Component string       `json:"product_reference"`
	Platform  string       `json:"relates_to_product_reference"`
}

type csafGroup struct {
	ID       string   `json:"group_id"`
	Products []string `json:"product_ids"`
	Summary  string   `json:"summary"`
}

type csafVuln struct {
	CVE           string            `json:"cve"`
	IDs           []csafID          `json:"ids"`
	Title         string            `json:"title"`
	CWE           *csafCWE          `json:"cwe"`
	Notes         []csafNote        `json:"notes"`
	ReleaseDate   string            `json:"release_date"`
	ProductStatus csafStatus        `json:"product_status"`
	Scores        []csafScore       `json:"scores"`
	Remediations  []csafRemediation `json:"remediations"`
	Threats       []csafThreat      `json:"threats"`
	Flags         []csafFlag        `json:"flags"`
	References    []csafRef         `json:"references"`
}

type csafID struct {
	System string `json:"system_name"`
	Text   string `json:"text"`
}

type csafCWE struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// csafStatus is product_status; statusLists gives its lists in order.
type csafStatus struct {
	FirstAffected      []string `json:"first_affected"`
	FirstFixed         []string `json:"first_fixed"`
	Fixed              []string `json:"fixed"`
	KnownAffected      []string `json:"known_affected"`
	KnownNotAffected   []string `json:"known_not_affected"`
	LastAffected       []string `json:"last_affected"`
	Recommended        []string `json:"recommended"`
	UnderInvestigation []string `json:"under_investigation"`
}

// statusList is one list of product_status with its Status.
type statusList struct {
	status Status
	ids    []string
}

// lists returns the eight lists of s in the schema's order, with the
// Status each stands for; each Status is spelt as its member's name.
func (s *csafStatus) lists() [8]statusList {
	return [8]statusList{
		{FirstAffected, s.FirstAffected},
		{FirstFixed, s.FirstFixed},
		{Fixed, s.Fixed},
		{Affected, s.KnownAffected},
		{NotAffected, s.KnownNotAffected},
		{LastAffected, s.LastAffected},
		{Recommended, s.Recommended},
		{UnderInvestigation, s.UnderInvestigation},
	}
}

type csafScore struct {
	V2       *csafCVSS `json:"cvss_v2"`
	V3       *csafCVSS `json:"cvss_v3"`
	Products []string  `json:"products"`
}

// csafCVSS holds the members of a FIRST CVSS object that Ward reads; the
// v2 and v3 objects share them.
type csafCVSS struct {
	Version      string  `json:"version"`
	Vector       string  `json:"vectorString"`
	BaseScore    float64 `json:"baseScore"`
	BaseSeverity string  `json:"baseSeverity"`
}

type csafRemediation struct {
	Category string   `json:"category"`
	Details  string   `json:"details"`
	URL      string   `json:"url"`
	Date     string   `json:"date"`
	Products []string `json:"product_ids"`
	Groups   []string `json:"group_ids"`
}

type csafThreat struct {
	Category string   `json:"category"`
	Details  string   `json:"details"`
	Products []string `json:"product_ids"`
	Groups   []string `json:"group_ids"`
}

type csafFlag struct {
	Label    string   `json:"label"`
	Date     string   `json:"date"`
	Products []string `json:"product_ids"`
	Groups   []string `json:"group_ids"`
}
