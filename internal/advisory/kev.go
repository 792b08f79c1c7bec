package advisory

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// kevRecord is one catalogue entry as written, in JSON or CSV; the JSON
// names are the catalogue's, and the CSV header uses the same ones.
type kevRecord struct {
	CVE            string   `json:"cveID"`
	Vendor         string   `json:"vendorProject"`
	Product        string   `json:"product"`
	Name           string   `json:"vulnerabilityName"`
	Added          string   `json:"dateAdded"`
	Description    string   `json:"shortDescription"`
	RequiredAction string   `json:"requiredAction"`
	Due            string   `json:"dueDate"`
	Ransomware     string   `json:"knownRansomwareCampaignUse"`
	Notes          string   `json:"notes"`
	CWEs           []string `json:"cwes"`
}

type kevDocument struct {
	Version         string       `json:"catalogVersion"`
	Released        string       `json:"dateReleased"`
	Count           int          `json:"count"`
	Vulnerabilities *[]kevRecord `json:"vulnerabilities"`
}

// kevCVE is the catalogue schema's pattern for a CVE ID.
var kevCVE = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)

// kevColumns are the CSV columns every row must have.
var kevColumns = []string{"cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded"}

// ParseKEV reads CISA's Known Exploited Vulnerabilities catalogue in its
// JSON form or its CSV form, told apart by the first byte. The CSV form
// carries no catalogue version or release date: those stay empty. An
// entry without a valid CVE ID or date added, or a JSON catalogue whose
// count disagrees with its entries (a truncated file), is an
// *InvalidError.
func ParseKEV(data []byte) (*KEV, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return parseKEVJSON(data)
	}
	return parseKEVCSV(data)
}

func parseKEVJSON(data []byte) (*KEV, error) {
	var doc kevDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, invalidJSON(KEVFormat, data, err)
	}
	if doc.Vulnerabilities == nil {
		return nil, kevInvalid(Problem{Path: "/vulnerabilities", Reason: "missing: not a KEV catalogue"})
	}
	released, err := parseFeedTime(doc.Released)
	if err != nil {
		return nil, kevInvalid(Problem{Path: "/dateReleased", Reason: err.Error()})
	}
	recs := *doc.Vulnerabilities
	if doc.Count != 0 && doc.Count != len(recs) {
		return nil, kevInvalid(Problem{Path: "/count",
			Reason: fmt.Sprintf("says %d entries, the catalogue has %d", doc.Count, len(recs))})
	}
	k := &KEV{Version: doc.Version, Released: released, Entries: make([]KEVEntry, 0, len(recs))}
	var problems []Problem
	for i := range recs {
		e, field, err := recs[i].entry()
		if err != nil {
			path := fmt.Sprintf("/vulnerabilities/%d/%s", i, field)
			problems = appendProblem(problems, Problem{Path: path, Reason: err.Error()})
			continue
		}
		k.Entries = append(k.Entries, e)
	}
	if len(problems) > 0 {
		return nil, kevInvalid(problems...)
	}
	return k, nil
}

func parseKEVCSV(data []byte) (*KEV, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, kevInvalid(csvProblem(err, "line 1"))
	}
	cols, err := kevHeader(header)
	if err != nil {
		return nil, kevInvalid(Problem{Path: "line 1", Reason: err.Error()})
	}
	k := &KEV{}
	var problems []Problem
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, kevInvalid(append(problems, csvProblem(err, "end of file"))...)
		}
		line, _ := r.FieldPos(0)
		rec := cols.record(row)
		e, field, err := rec.entry()
		if err != nil {
			reason := field + ": " + err.Error()
			problems = appendProblem(problems, Problem{Path: fmt.Sprintf("line %d", line), Reason: reason})
			continue
		}
		k.Entries = append(k.Entries, e)
	}
	if len(problems) > 0 {
		return nil, kevInvalid(problems...)
	}
	return k, nil
}

// kevCSVColumns maps the catalogue's field names to CSV column indexes.
type kevCSVColumns map[string]int

// kevHeader reads the header row, which must name kevColumns.
func kevHeader(header []string) (kevCSVColumns, error) {
	cols := kevCSVColumns{}
	for i, h := range header {
		cols[strings.TrimSpace(h)] = i
	}
	for _, c := range kevColumns {
		if _, ok := cols[c]; !ok {
			return nil, fmt.Errorf("header has no %q column: not a KEV catalogue", c)
		}
	}
	return cols, nil
}

// record returns the fields of a row by name; the cwes column is a
// comma-separated list.
func (cols kevCSVColumns) record(row []string) kevRecord {
	get := func(name string) string {
		if i, ok := cols[name]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	r := kevRecord{
		CVE: get("cveID"), Vendor: get("vendorProject"), Product: get("product"),
		Name: get("vulnerabilityName"), Added: get("dateAdded"),
		Description: get("shortDescription"), RequiredAction: get("requiredAction"),
		Due: get("dueDate"), Ransomware: get("knownRansomwareCampaignUse"), Notes: get("notes"),
	}
	for c := range strings.SplitSeq(get("cwes"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			r.CWEs = append(r.CWEs, c)
		}
	}
	return r
}

// entry checks one record and converts it; on error it also names the
// field at fault.
func (r *kevRecord) entry() (KEVEntry, string, error) {
	if !kevCVE.MatchString(r.CVE) {
		return KEVEntry{}, "cveID", fmt.Errorf("%q is not a CVE ID", r.CVE)
	}
	added, err := kevDate(r.Added)
	if err != nil || added.IsZero() {
		return KEVEntry{}, "dateAdded", fmt.Errorf("%s: date %q is not YYYY-MM-DD", r.CVE, r.Added)
	}
	due, err := kevDate(r.Due)
	if err != nil {
		return KEVEntry{}, "dueDate", fmt.Errorf("%s: date %q is not YYYY-MM-DD", r.CVE, r.Due)
	}
	if len(r.CWEs) == 0 {
		r.CWEs = nil // [] in JSON, "" in CSV: none either way
	}
	return KEVEntry{
		CVE:            r.CVE,
		Vendor:         r.Vendor,
		Product:        r.Product,
		Name:           r.Name,
		Description:    r.Description,
		Added:          added,
		Due:            due,
		RequiredAction: r.RequiredAction,
		Ransomware:     strings.EqualFold(strings.TrimSpace(r.Ransomware), "Known"),
		Notes:          r.Notes,
		CWEs:           r.CWEs,
	}, "", nil
}

// kevDate reads a catalogue date, midnight UTC; "" is the zero time.
func kevDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, strings.TrimSpace(s))
}

// csvProblem locates a CSV reading error, by the line the reader names
// where it names one.
func csvProblem(err error, at string) Problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Problem{Path: fmt.Sprintf("line %d", pe.Line), Reason: pe.Err.Error()}
	}
	if errors.Is(err, io.EOF) {
		return Problem{Path: at, Reason: "empty file"}
	}
	return Problem{Path: at, Reason: err.Error()}
}

func kevInvalid(ps ...Problem) error {
	if len(ps) > MaxProblems {
		ps = ps[:MaxProblems]
	}
	return &InvalidError{Format: KEVFormat, Problems: ps}
}
