package register

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Field is a canonical column of an asset register.
type Field string

// The canonical fields. The identity fields (MAC, IP, Hostname, Serial) are
// the ones Reconcile matches by.
const (
	AssetID      Field = "asset_id"
	Description  Field = "description"
	Manufacturer Field = "manufacturer"
	Model        Field = "model"
	// SoftwareVersion is the device's software or firmware version, as
	// advisories are matched by it.
	SoftwareVersion Field = "software_version"
	Serial          Field = "serial"
	MAC             Field = "mac"
	IP              Field = "ip"
	Hostname        Field = "hostname"
	Site            Field = "site"
	Location        Field = "location" // free text: room, bay, floor
	Department      Field = "department"
	Owner           Field = "owner"
	Category        Field = "category"
	Criticality     Field = "criticality"
	Status          Field = "status" // in service, condemned, ...
	Notes           Field = "notes"
)

// synonyms holds, for each field in display order, the header names that
// mean it, normalised by headerKey, the likeliest first: when two columns
// could be the field, the one whose name comes first here wins.
var synonyms = []struct {
	field Field
	names []string
}{
	{AssetID, []string{"assetno", "assetnumber", "assetid", "equipmentno",
		"equipmentnumber", "equipmentid", "equipno", "ebmeno", "ebmenumber", "inventoryno",
		"inventorynumber", "inventoryid", "asset", "assetref", "equipmentref", "assettag",
		"assettagno", "tagno", "tagnumber", "tag", "barcode", "id"}},
	{Description, []string{"description", "assetdescription", "equipmentdescription",
		"devicedescription", "desc", "equipmentname", "assetname", "equipment", "item",
		"itemdescription"}},
	{Manufacturer, []string{"manufacturer", "manufacturername", "make", "vendor", "mfr",
		"mfg", "maker", "brand"}},
	{Model, []string{"model", "modelno", "modelnumber", "modelname", "modeldescription"}},
	{SoftwareVersion, []string{"softwareversion", "swversion", "softwarerevision",
		"softwarerev", "swrev", "firmwareversion", "fwversion", "firmwarerevision", "firmware",
		"software", "softwarelevel", "version", "swver", "fwver"}},
	{Serial, []string{"serialno", "serialnumber", "serial", "sn", "sno", "serialnum",
		"manufacturerserialno", "mfrserialno", "manufacturersserialno"}},
	{MAC, []string{"macaddress", "mac", "macaddr", "ethernetaddress", "hardwareaddress",
		"hwaddress", "physicaladdress", "ethernetmac", "wiredmac", "lanmac", "nicmac",
		"wirelessmac", "wifimac"}},
	{IP, []string{"ipaddress", "ip", "ipaddr", "ipv4address", "ipv4", "staticip",
		"ipaddresses", "networkaddress"}},
	{Hostname, []string{"hostname", "host", "devicename", "networkname", "computername",
		"netbiosname", "dnsname", "fqdn"}},
	{Site, []string{"site", "sitename", "hospital", "campus", "premises", "establishment"}},
	{Location, []string{"location", "locationdescription", "locationcode", "room", "roomno",
		"roomnumber", "area", "bay", "building", "floor"}},
	{Department, []string{"department", "dept", "ward", "departmentname", "unit",
		"specialty", "service", "costcentre", "costcenter", "directorate"}},
	{Owner, []string{"owner", "assetowner", "responsibleperson", "custodian",
		"budgetholder", "contact", "responsible"}},
	{Category, []string{"category", "equipmentcategory", "equipmenttype", "devicetype",
		"assettype", "equipmentclass", "equipmentgroup", "modality", "type", "class", "group"}},
	{Criticality, []string{"criticality", "riskclass", "risk", "riskcategory",
		"riskrating", "clinicalrisk", "riskscore", "riskgroup", "criticalitylevel"}},
	{Status, []string{"status", "assetstatus", "equipmentstatus", "condition", "state"}},
	{Notes, []string{"notes", "note", "comments", "comment", "remarks", "remark"}},
}

// synonym is what a normalised header name means.
type synonym struct {
	field Field
	rank  int // its place in the field's list: lower is likelier
}

// synonymRank maps a normalised header name to its field and rank. A name
// is listed once (TestSynonymsUnique).
var synonymRank = func() map[string]synonym {
	m := map[string]synonym{}
	for _, s := range synonyms {
		for i, n := range s.names {
			m[n] = synonym{s.field, i}
		}
	}
	return m
}()

// Fields lists the canonical fields in the order a form should show them.
func Fields() []Field {
	out := make([]Field, len(synonyms))
	for i, s := range synonyms {
		out[i] = s.field
	}
	return out
}

// Valid reports whether f is a canonical field.
func (f Field) Valid() bool {
	for _, s := range synonyms {
		if s.field == f {
			return true
		}
	}
	return false
}

// Mapping says where in a file the register's fields are. Its JSON form is
// what the UI saves; Read fills in what it detected, so that the Mapping of a
// Register reads the next export of the same kind the same way.
type Mapping struct {
	// Columns maps a field to its column's header, as written in the file
	// (matched exactly first, then ignoring case, spaces and punctuation).
	// Empty means detect from the headers.
	Columns map[Field]string `json:"columns"`
	// HeaderRow is the 1-based row of the headers; 0 means find it among
	// the first HeaderSearchRows rows that are not blank.
	HeaderRow int `json:"header_row,omitempty"`
	// Sheet is the XLSX sheet to read; "" means the first sheet with a
	// header row.
	Sheet string `json:"sheet,omitempty"`
	// Delimiter is the CSV field separator, one character; "" means sniff
	// it from the header line (comma, semicolon, tab or bar).
	Delimiter string `json:"delimiter,omitempty"`
}

// HeaderSearchRows is how many non-blank rows from the top are searched for
// the header row when the Mapping does not give it.
const HeaderSearchRows = 20

// ErrMapping is wrapped by the errors of a Mapping that cannot be used.
var ErrMapping = errors.New("bad mapping")

// Validate checks a mapping loaded from JSON, naming the bad key.
func (m *Mapping) Validate() error {
	for f, h := range m.Columns {
		if !f.Valid() {
			return fmt.Errorf("columns: unknown field %q: %w", f, ErrMapping)
		}
		if strings.TrimSpace(h) == "" {
			return fmt.Errorf("columns.%s: empty header: %w", f, ErrMapping)
		}
	}
	if m.HeaderRow < 0 {
		return fmt.Errorf("header_row: %d is negative: %w", m.HeaderRow, ErrMapping)
	}
	if m.Delimiter != "" {
		r, n := utf8.DecodeRuneInString(m.Delimiter)
		if n != len(m.Delimiter) || r == utf8.RuneError || r == '"' || r == '\r' ||
			r == '\n' || r == ' ' {
			return fmt.Errorf("delimiter: %q is not one usable character: %w",
				m.Delimiter, ErrMapping)
		}
	}
	return nil
}

// DetectMapping guesses which header names which field. Each field takes at
// most one column and each column at most one field; of two candidates for
// a field the likelier name wins, then the leftmost. HeaderRow and Sheet
// are left for Read to fill in.
func DetectMapping(headers []string) Mapping {
	type pick struct{ col, rank int }
	best := map[Field]pick{}
	for col, h := range headers {
		s, ok := synonymRank[headerKey(h)]
		if !ok {
			continue
		}
		if p, seen := best[s.field]; !seen || s.rank < p.rank {
			best[s.field] = pick{col, s.rank}
		}
	}
	m := Mapping{Columns: make(map[Field]string, len(best))}
	for f, p := range best {
		m.Columns[f] = strings.TrimSpace(headers[p.col])
	}
	return m
}

// recognised counts the distinct fields that the cells name, by the
// mapping's headers or by the synonyms.
func recognised(cells []string, cols map[Field]string) int {
	var want map[string]Field
	if len(cols) > 0 {
		want = make(map[string]Field, len(cols))
		for f, h := range cols {
			want[headerKey(h)] = f
		}
	}
	seen := map[Field]bool{}
	for _, c := range cells {
		k := headerKey(c)
		if f, ok := want[k]; ok && k != "" {
			seen[f] = true
		} else if s, ok := synonymRank[k]; ok {
			seen[s.field] = true
		}
	}
	return len(seen)
}

// headerKey is a header without case, accents, spaces or punctuation:
// "Serial No." and "serial_no" are both "serialno", "S/N" is "sn".
func headerKey(h string) string {
	if len(h) > 64 {
		return "" // no header name is this long
	}
	var b strings.Builder
	for _, r := range strings.ToLower(foldAccents(h)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldAccents replaces the accented Latin letters that register headers and
// makers' names use with their plain forms ("Dräger" becomes "Drager").
func foldAccents(s string) string {
	if isASCII(s) {
		return s
	}
	return accentFolder.Replace(s)
}

var accentFolder = strings.NewReplacer(
	"ä", "a", "à", "a", "á", "a", "â", "a", "ã", "a", "å", "a",
	"Ä", "A", "À", "A", "Á", "A", "Â", "A", "Å", "A",
	"ç", "c", "Ç", "C", "é", "e", "è", "e", "ê", "e", "ë", "e", "É", "E", "È", "E",
	"í", "i", "ì", "i", "î", "i", "ï", "i", "ñ", "n", "Ñ", "N",
	"ö", "o", "ó", "o", "ò", "o", "ô", "o", "õ", "o", "ø", "o", "Ö", "O", "Ó", "O", "Ø", "O",
	"ü", "u", "ú", "u", "ù", "u", "û", "u", "Ü", "U", "Ú", "U",
	"ß", "ss", "ý", "y", "ÿ", "y",
)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
