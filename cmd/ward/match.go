package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/wardhq/ward/internal/advisory"
	"github.com/wardhq/ward/internal/match"
	"github.com/wardhq/ward/internal/register"
)

var matchCommand = &command{
	name:    "match",
	summary: "match an asset register against advisories, offline",
	usage: "-advisories PATH -register FILE.csv|FILE.xlsx [-format json|csv|table] [-all]\n\n" +
		"PATH is a file or a folder of CSAF 2.0 advisories, NVD CVE records, SBOMs and VEX.\n" +
		"Columns named id, vendor, model and software_version need no mapping; others are\n" +
		"recognised as in register import, or named with -mapping. Lists the matches at or\n" +
		"above the confidence threshold (-threshold); -all lists every candidate, the\n" +
		"review queue included. A summary goes to standard error.",
	flags: matchFlags,
}

// matchOptions are the flags of ward match.
type matchOptions struct {
	advisories, register, format, mapping, vendors, keys string
	all                                                  bool
	threshold                                            float64
}

func matchFlags(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	var o matchOptions
	fs.StringVar(&o.advisories, "advisories", "", "advisories `path`: a file or folder")
	fs.StringVar(&o.register, "register", "", "the asset register, CSV or XLSX `file`")
	fs.StringVar(&o.format, "format", "json", "output `format`: json, csv or table")
	fs.BoolVar(&o.all, "all", false, "list every candidate, those below the threshold too")
	fs.Float64Var(&o.threshold, "threshold", match.DefaultThreshold,
		"the least `confidence` (0–1) of a listed match")
	fs.StringVar(&o.mapping, "mapping", "", "a column mapping `file` (JSON, as the register "+
		"page saves it) where the headers are not recognised")
	fs.StringVar(&o.vendors, "vendors", "", "a vendor alias `file` (YAML) added to the built-in one")
	fs.StringVar(&o.keys, "keys", "", "OpenPGP public keys `file`: check advisories' .asc signatures")
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usagef("match", "match takes no arguments; give -advisories and -register")
		}
		if o.advisories == "" || o.register == "" {
			return usagef("match", "match needs -advisories PATH and -register FILE")
		}
		switch o.format {
		case "json", "csv", "table":
		default:
			return usagef("match", "unknown -format %q: want json, csv or table", o.format)
		}
		if o.threshold < 0 || o.threshold > 1 {
			return usagef("match", "-threshold %v is not between 0 and 1", o.threshold)
		}
		return runMatch(ctx, e, o)
	}
}

func runMatch(ctx context.Context, e *env, o matchOptions) error {
	vendors, err := loadVendors(o.vendors)
	if err != nil {
		return err
	}
	devs, err := readMatchRegister(o.register, o.mapping)
	if err != nil {
		return err
	}
	set, err := loadAdvisories(ctx, e, o.advisories, o.keys)
	if err != nil {
		return err
	}
	m := match.New(set.Advisories, vendors)
	all := m.MatchAll(devs)
	var out []match.Candidate
	review := 0
	for _, c := range all {
		if c.Confidence >= o.threshold || o.all {
			out = append(out, c)
		}
		if c.Confidence < o.threshold {
			review++
		}
	}
	summarise(e.stderr, len(devs), m.Advisories(), out, review, o.threshold, o.all)
	return writeMatches(e.stdout, o.format, out)
}

func loadVendors(path string) (*match.Vendors, error) {
	v := match.DefaultVendors()
	if path == "" {
		return v, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("vendor aliases: %w", err)
	}
	if err := v.Add(b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// loadAdvisories reads the advisories of a path, reporting each document
// skipped on standard error.
func loadAdvisories(ctx context.Context, e *env, path, keysPath string) (*advisory.Set, error) {
	var opts advisory.LoadOptions
	if keysPath != "" {
		k, err := readKeys(keysPath)
		if err != nil {
			return nil, err
		}
		opts.Keys = k
	}
	set, err := advisory.Load(ctx, path, opts)
	if err != nil {
		return nil, fmt.Errorf("advisories: %w", err)
	}
	for _, p := range set.Problems {
		fmt.Fprintf(e.stderr, "warning: skipped %s\n", p)
	}
	if len(set.Advisories) == 0 {
		return nil, fmt.Errorf("advisories: no advisories in %s", path)
	}
	return set, nil
}

// readMatchRegister reads a register's rows as devices to match.
func readMatchRegister(path, mappingPath string) ([]match.Device, error) {
	var mapping *register.Mapping
	if mappingPath != "" {
		b, err := os.ReadFile(mappingPath)
		if err != nil {
			return nil, fmt.Errorf("mapping: %w", err)
		}
		mapping = new(register.Mapping)
		if err := json.Unmarshal(b, mapping); err != nil {
			return nil, fmt.Errorf("mapping %s: %w", mappingPath, err)
		}
		if err := mapping.Validate(); err != nil {
			return nil, fmt.Errorf("mapping %s: %w", mappingPath, err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	defer f.Close()
	reg, err := register.Read(f, path, mapping)
	if err != nil {
		return nil, fmt.Errorf("register %s: %w", path, err)
	}
	if _, ok := reg.Mapping.Columns[register.Model]; !ok {
		if _, ok := reg.Mapping.Columns[register.Description]; !ok {
			return nil, fmt.Errorf("register %s: no model or description column among %q",
				path, reg.Headers)
		}
	}
	devs := make([]match.Device, 0, len(reg.Entries))
	for _, en := range reg.Entries {
		id := en.Fields[register.AssetID]
		if id == "" {
			id = "row " + strconv.Itoa(en.Row)
		}
		devs = append(devs, match.Device{ID: id, Vendor: en.Fields[register.Manufacturer],
			Model: en.Fields[register.Model], Version: en.Fields[register.SoftwareVersion],
			Description: en.Fields[register.Description]})
	}
	return devs, nil
}

func summarise(w io.Writer, devices, advisories int, out []match.Candidate, review int,
	threshold float64, all bool) {
	affected, seen := 0, map[string]bool{}
	for _, c := range out {
		if c.Status == match.Affected && c.Confidence >= threshold {
			affected++
			seen[c.Device] = true
		}
	}
	fmt.Fprintf(w, "%d devices against %d advisories: %d affected matches on %d devices "+
		"at confidence %.2f or more", devices, advisories, affected, len(seen), threshold)
	if all {
		fmt.Fprintf(w, "; %d candidates below it listed for review\n", review)
	} else {
		fmt.Fprintf(w, "; %d candidates below it (list them with -all)\n", review)
	}
}

// matchRecord is one match as ward match prints it.
type matchRecord struct {
	Device     string   `json:"device"`
	Advisory   string   `json:"advisory"`
	CVEs       []string `json:"cves"`
	Confidence float64  `json:"confidence"`
	Status     string   `json:"status"`
	Reason     string   `json:"reason"`
	Kind       string   `json:"kind"`
	Product    string   `json:"product"`
}

func records(cs []match.Candidate) []matchRecord {
	out := make([]matchRecord, len(cs))
	for i, c := range cs {
		cves := c.CVEs
		if cves == nil {
			cves = []string{}
		}
		out[i] = matchRecord{Device: c.Device, Advisory: c.Advisory, CVEs: cves,
			Confidence: c.Confidence, Status: string(c.Status), Reason: c.Reason,
			Kind: c.Kind.String(), Product: c.Product}
	}
	return out
}

func writeMatches(w io.Writer, format string, cs []match.Candidate) error {
	recs := records(cs)
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Matches []matchRecord `json:"matches"`
		}{recs})
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"device", "advisory", "cves", "confidence", "status", "kind",
			"product", "reason"})
		for _, r := range recs {
			cw.Write([]string{csvSafe(r.Device), r.Advisory, strings.Join(r.CVEs, " "),
				strconv.FormatFloat(r.Confidence, 'f', 3, 64), r.Status, r.Kind,
				csvSafe(r.Product), csvSafe(r.Reason)})
		}
		cw.Flush()
		return cw.Error()
	}
	rows := [][]string{{"DEVICE", "ADVISORY", "STATUS", "CONF", "CVES", "PRODUCT"}}
	for _, r := range recs {
		cves := r.CVEs
		if len(cves) > 2 {
			cves = append(cves[:2:2], fmt.Sprintf("+%d", len(r.CVEs)-2))
		}
		rows = append(rows, []string{r.Device, r.Advisory, r.Status,
			strconv.FormatFloat(r.Confidence, 'f', 2, 64), strings.Join(cves, " "), r.Product})
	}
	return printTable(w, rows, terminalWidth(w))
}

// csvSafe quotes a cell a spreadsheet would run as a formula: a register's
// text is not ours to trust.
func csvSafe(v string) string {
	if strings.IndexAny(v[:min(1, len(v))], "=+-@\t\r") == 0 {
		return "'" + v
	}
	return v
}
