package advisory

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// csafCorpusDir returns the directory sub of the shared corpus
// (/work/shared/corpus beside the repository). The test is skipped when
// the corpus is absent, or fails if WARD_REQUIRE_CORPUS=1.
func csafCorpusDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", filepath.FromSlash(sub))
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WARD_REQUIRE_CORPUS") == "1" {
			t.Fatalf("corpus required (WARD_REQUIRE_CORPUS=1) but absent: %v", err)
		}
		t.Skipf("corpus absent (%v); set WARD_REQUIRE_CORPUS=1 to make this a failure", err)
	}
	return dir
}

// csafGlob returns the files matching pattern in dir, failing if none.
func csafGlob(t testing.TB, dir, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("glob %s in %s: %d files, %v", pattern, dir, len(files), err)
	}
	return files
}

// csafTestdata returns testdata/csaf/name.
func csafTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "csaf", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseCSAFTestdata(t testing.TB, name string) *Advisory {
	t.Helper()
	a, err := ParseCSAF(csafTestdata(t, name))
	if err != nil {
		t.Fatalf("ParseCSAF(%s): %v", name, err)
	}
	return a
}

func csafDate(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseCSAFSpacelabs(t *testing.T) {
	a := parseCSAFTestdata(t, "icsma-20-049-01.json")
	head := Advisory{
		ID:        "ICSMA-20-049-01",
		Format:    CSAF,
		Title:     "Spacelabs Xhibit Telemetry Receiver (XTR)",
		Publisher: "CISA",
		Namespace: "https://www.cisa.gov/",
		Revision:  "1",
		Status:    "final",
		Released:  csafDate("2020-02-18T00:00:00Z"),
		Updated:   csafDate("2020-02-18T00:00:00Z"),
	}
	got := *a
	got.Products, got.Vulns, got.References, got.Notes = nil, nil, nil, nil
	if diff := cmp.Diff(head, got); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
	if len(a.Products) != 10 || len(a.Vulns) != 1 || len(a.References) != 5 || len(a.Notes) != 9 {
		t.Fatalf("got %d products, %d vulns, %d references, %d notes; want 10, 1, 5, 9",
			len(a.Products), len(a.Vulns), len(a.References), len(a.Notes))
	}
	xtr := Product{
		ID:       "CSAFPID-0004",
		Vendor:   "Spacelabs",
		Name:     "Xhibit Telemetry Receiver (XTR) Model number 96280",
		Version:  "1.0.2",
		FullName: "Xhibit Telemetry Receiver (XTR) Model number 96280: v1.0.2",
	}
	if diff := cmp.Diff(xtr, a.Products[3]); diff != "" {
		t.Errorf("product 3 (-want +got):\n%s", diff)
	}
	if got, want := a.Products[0].Version, "vers:all/*"; got != want {
		t.Errorf("product 0 version: got %q, want %q", got, want)
	}

	v := a.Vulns[0]
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = fmt.Sprintf("CSAFPID-000%d", i+1)
	}
	ids[9] = "CSAFPID-00010"
	if v.CVE != "CVE-2019-0708" || !cmp.Equal(v.CWEs, []string{"CWE-20"}) {
		t.Errorf("got CVE %q CWEs %q, want CVE-2019-0708 [CWE-20]", v.CVE, v.CWEs)
	}
	if diff := cmp.Diff(map[Status][]string{Affected: ids}, v.Status); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	score := Score{
		Version:  "3.0",
		Vector:   "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		Base:     9.8,
		Severity: "CRITICAL",
		Products: ids,
	}
	if diff := cmp.Diff([]Score{score}, v.Scores); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
	const msURL = "https://support.microsoft.com/en-us/help/4500705/customer-guidance-for-cve-2019-0708"
	if len(v.Remediations) != 4 || v.Remediations[1].Category != VendorFix ||
		v.Remediations[1].URL != msURL {
		t.Errorf("remediations: got %+v", v.Remediations)
	}
	if !strings.HasPrefix(v.Description, "The affected product is vulnerable to a remote code execution") {
		t.Errorf("description: got %q", v.Description)
	}
}

// TestParseCSAFTree reads a hand-written document with every shape of
// product tree Ward handles: nested branches of several categories, a
// service pack, identification helpers (with CSAF 2.1 purls), full
// product names, relationships that refer to a later one, and groups.
func TestParseCSAFTree(t *testing.T) {
	a := parseCSAFTestdata(t, "tree.json")
	if got, want := a.Updated, csafDate("2024-02-01T11:30:00Z"); !got.Equal(want) {
		t.Errorf("updated: got %v, want %v", got, want)
	}
	products := []Product{
		{ID: "PUMP-21-SP3", Vendor: "Example Medical", Family: "Infusion", Name: "Pump P1",
			Version: "2.1 SP3", FullName: "Example Medical Pump P1 2.1 SP3",
			Models: []string{"P1-100", "P1-200"}, SKUs: []string{"SKU-P1"}},
		{ID: "PUMP-OLD", Vendor: "Example Medical", Family: "Infusion", Name: "Pump P1",
			Range: "vers:generic/<2.0", FullName: "Example Medical Pump P1 before 2.0",
			CPE:   "cpe:2.3:h:example:pump_p1:-:*:*:*:*:*:*:*",
			PURLs: []string{"pkg:generic/example/pump-p1", "pkg:generic/example/pump-p1?arch=arm"}},
		{ID: "GW-40", Vendor: "Example Medical", Name: "Gateway G", Version: "4.0",
			FullName: "Example Medical Gateway G 4.0 (arm64)"},
		{ID: "FW-72", Vendor: "Example Medical", Name: "Pump firmware 7.2", Version: "fw-7.2",
			FullName: "Pump firmware 7.2"},
		{ID: "HW-H", Vendor: "Example Medical", Name: "Pump hardware H",
			FullName: "Example Medical Pump hardware H"},
		{ID: "WIN10", Name: "Microsoft Windows 10 21H2", FullName: "Microsoft Windows 10 21H2",
			CPE: "cpe:2.3:o:microsoft:windows_10_21h2:-:*:*:*:*:*:*:*"},
		// Windows has no version: the platform's (the firmware's) is kept.
		{ID: "WIN10-ON-HWFW", Vendor: "Example Medical", Name: "Pump hardware H", Version: "fw-7.2",
			FullName:  "Windows 10 21H2 on pump H with firmware 7.2",
			CPE:       "cpe:2.3:o:microsoft:windows_10_21h2:-:*:*:*:*:*:*:*",
			Component: "WIN10", Platform: "FW-ON-HW", Relation: "installed_on"},
		{ID: "FW-ON-HW", Vendor: "Example Medical", Name: "Pump hardware H", Version: "fw-7.2",
			FullName:  "Pump firmware 7.2 on pump hardware H",
			Component: "FW-72", Platform: "HW-H", Relation: "installed_on"},
	}
	if diff := cmp.Diff(products, a.Products); diff != "" {
		t.Errorf("products (-want +got):\n%s", diff)
	}
	pumps := []string{"PUMP-21-SP3", "PUMP-OLD", "FW-ON-HW"}
	vuln := Vuln{
		CVE:         "CVE-2024-0001",
		IDs:         []string{"EXM-2024-17"},
		Title:       "Hard-coded password",
		CWEs:        []string{"CWE-798"},
		Description: "A service account has a fixed password.\n\nFixed password.",
		Released:    csafDate("2024-01-10T09:00:00Z"),
		Status: map[Status][]string{
			Affected:           {"PUMP-OLD", "FW-ON-HW"},
			Fixed:              {"PUMP-21-SP3"},
			NotAffected:        {"GW-40"},
			UnderInvestigation: {"WIN10-ON-HWFW"},
		},
		// The document says 5.0 for the v3.1 vector: the computed 9.8 wins.
		Scores: []Score{
			{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Base: 9.8,
				Severity: "CRITICAL", Products: []string{"PUMP-OLD", "FW-ON-HW"}},
			{Version: "2.0", Vector: "AV:N/AC:L/Au:N/C:C/I:C/A:C", Base: 10, Severity: "HIGH",
				Products: []string{"PUMP-OLD", "FW-ON-HW"}},
		},
		Remediations: []Remediation{
			{Category: VendorFix, Details: "Update to 2.1 SP3.", URL: "https://psirt.example.com/fix",
				Date:     csafDate("2024-01-09T00:00:00Z"),
				Products: []string{"PUMP-OLD", "PUMP-21-SP3", "FW-ON-HW"}},
			{Category: NoFixPlanned, Details: "The gateway is not affected.", Products: []string{"GW-40"}},
		},
		Flags: []Flag{
			{Label: "component_not_present", Products: []string{"GW-40"}},
			{Label: "vulnerable_code_not_in_execute_path", Products: append([]string{"GW-40"}, pumps...)},
		},
		References: []Reference{{URL: "https://nvd.nist.gov/vuln/detail/CVE-2024-0001", Summary: "NVD",
			Category: "external"}},
	}
	if diff := cmp.Diff([]Vuln{vuln}, a.Vulns, cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("vulns (-want +got):\n%s", diff)
	}
}

func TestParseCSAFVendorDocuments(t *testing.T) {
	// The component of a Red Hat relationship, also its own product ID.
	const hive = "openshift4/ose-metering-hive:v4.6.0-202112160147.p0.gf139e12.assembly.stream"
	tests := []struct {
		file    string
		id      string
		product Product // one product, found by ID
		status  map[Status][]string
		flags   []Flag
	}{{
		file: "rhsa-2021_5186.json",
		id:   "RHSA-2021:5186",
		product: Product{
			ID:        "8Base-RHOSE-4.6:" + hive,
			Vendor:    "Red Hat",
			Family:    "Red Hat OpenShift Enterprise",
			Name:      "Red Hat OpenShift Container Platform 4.6",
			Version:   hive,
			FullName:  hive + " as a component of Red Hat OpenShift Container Platform 4.6",
			Component: hive,
			Platform:  "8Base-RHOSE-4.6",
			Relation:  "default_component_of",
		},
	}, {
		file: "cisco-sa-20180328-smi2.json",
		id:   "cisco-sa-20180328-smi2",
		product: Product{ID: "CVRFPID-103763", Vendor: "Cisco", Name: "IOS", Version: "12.2(55)SE",
			FullName: "Cisco IOS 12.2SE 12.2(55)SE"},
	}, {
		file: "sec-vex-2022-0001.json",
		id:   "SEC-VEX-2022-0001",
		product: Product{ID: "CSAFPID-0001", Vendor: "Secvisogram", Name: "Secvisogram",
			Range: "<=1.14.0", FullName: "Secvisogram <=1.14.0"},
		status: map[Status][]string{NotAffected: {"CSAFPID-0001"}},
		flags:  []Flag{{Label: "component_not_present", Products: []string{"CSAFPID-0001"}}},
	}, {
		file: "2022-evd-uc-07-001.json",
		id:   "2022-EVD-UC-07-001",
		product: Product{ID: "CSAFPID-0004", Vendor: "Example Company", Name: "ABC",
			Range: "vers:generic/>=2.9|<=4.1", FullName: "Example Company ABC >=2.9|<=4.1"},
		status: map[Status][]string{
			Fixed:       {"CSAFPID-0010"},
			Affected:    {"CSAFPID-0002", "CSAFPID-0003", "CSAFPID-0004", "CSAFPID-0008"},
			NotAffected: {"CSAFPID-0001", "CSAFPID-0005", "CSAFPID-0006", "CSAFPID-0007", "CSAFPID-0009"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a := parseCSAFTestdata(t, tt.file)
			if a.ID != tt.id {
				t.Errorf("got ID %q, want %q", a.ID, tt.id)
			}
			if diff := cmp.Diff(tt.product, csafProductByID(a, tt.product.ID)); diff != "" {
				t.Errorf("product (-want +got):\n%s", diff)
			}
			if tt.status == nil {
				return
			}
			if diff := cmp.Diff(tt.status, a.Vulns[0].Status); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.flags, a.Vulns[0].Flags); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
		})
	}
}

func csafProductByID(a *Advisory, id string) Product {
	for _, p := range a.Products {
		if p.ID == id {
			return p
		}
	}
	return Product{}
}

// TestParseCSAFBad reads each testdata/csaf/x.bad.json, a copy of
// base.json broken in one way, and compares its error with x.bad.want.
func TestParseCSAFBad(t *testing.T) {
	if _, err := ParseCSAF(csafTestdata(t, "base.json")); err != nil {
		t.Fatalf("base.json, which the bad documents break: %v", err)
	}
	for _, file := range csafGlob(t, filepath.Join("testdata", "csaf"), "*.bad.json") {
		name := strings.TrimSuffix(filepath.Base(file), ".bad.json")
		t.Run(name, func(t *testing.T) {
			data := csafTestdata(t, name+".bad.json")
			want := strings.TrimSpace(string(csafTestdata(t, name+".bad.want")))
			a, err := ParseCSAF(data)
			if err == nil {
				t.Fatalf("got advisory %q, want error %q", a.ID, want)
			}
			var ie *InvalidError
			if !errors.As(err, &ie) || ie.Format != CSAF || !errors.Is(err, ErrInvalid) {
				t.Errorf("got %T %v, want an *InvalidError of format csaf", err, err)
			}
			if got := err.Error(); got != want {
				t.Errorf("got error\n\t%s\nwant\n\t%s", got, want)
			}
		})
	}
}

func TestParseCSAFLimits(t *testing.T) {
	t.Run("size", func(t *testing.T) {
		_, err := ParseCSAF(make([]byte, MaxCSAFSize+1))
		var ie *InvalidError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "over the limit of 33554432 (32 MiB)") {
			t.Errorf("got %v, want an *InvalidError naming the 32 MiB limit", err)
		}
	})
	t.Run("problems", func(t *testing.T) {
		var doc map[string]any
		if err := json.Unmarshal(csafTestdata(t, "base.json"), &doc); err != nil {
			t.Fatal(err)
		}
		var ids []any
		for i := range 3 * MaxProblems {
			ids = append(ids, fmt.Sprintf("NOPE-%d", i))
		}
		vuln := doc["vulnerabilities"].([]any)[0].(map[string]any)
		vuln["product_status"].(map[string]any)["known_affected"] = ids
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseCSAF(data)
		var ie *InvalidError
		if !errors.As(err, &ie) {
			t.Fatalf("got %v, want an *InvalidError", err)
		}
		if len(ie.Problems) != MaxProblems {
			t.Errorf("got %d problems, want %d", len(ie.Problems), MaxProblems)
		}
		const want = "/vulnerabilities/0/product_status/known_affected/5"
		if got := ie.Problems[5].Path; got != want {
			t.Errorf("problem 5: got path %q, want %q", got, want)
		}
	})
}

// TestParseCSAFConcurrent parses from several goroutines at once, the
// first call compiling the schema (run with -race).
func TestParseCSAFConcurrent(t *testing.T) {
	data := csafTestdata(t, "icsma-17-009-01a.json")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = ParseCSAF(data) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", i, err)
		}
	}
}

// TestParseCSAFCorpusICSMA reads all of CISA's ICS medical advisories.
func TestParseCSAFCorpusICSMA(t *testing.T) {
	dir := csafCorpusDir(t, "advisories/cisa-csaf-icsma")
	files := csafGlob(t, dir, "icsma-*.json")
	if len(files) != 144 {
		t.Errorf("got %d ICSMA documents, want 144", len(files))
	}
	var products, vulns, scores, differ int
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		a, err := ParseCSAF(data)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
			continue
		}
		wantID := strings.ToUpper(strings.TrimSuffix(filepath.Base(file), ".json"))
		if a.ID != wantID || a.Publisher != "CISA" || a.Released.IsZero() || a.Updated.IsZero() {
			t.Errorf("%s: got ID %q publisher %q released %v updated %v", filepath.Base(file),
				a.ID, a.Publisher, a.Released, a.Updated)
		}
		checkResolves(t, filepath.Base(file), a)
		products += len(a.Products)
		vulns += len(a.Vulns)
		n, d := compareBaseScores(t, filepath.Base(file), data, a)
		scores, differ = scores+n, differ+d
	}
	t.Logf("%d documents: %d products, %d vulnerabilities, %d scores "+
		"(%d differ from the document's baseScore by more than 0.05)",
		len(files), products, vulns, scores, differ)
	// Counted over the corpus at cisagov/CSAF 6960219f (SOURCES.md).
	if products != 607 || vulns != 433 {
		t.Errorf("got %d products and %d vulnerabilities, want 607 and 433", products, vulns)
	}
}

// checkResolves checks that every product ID a lists names one of its
// products, and that products are unique by ID.
func checkResolves(t *testing.T, file string, a *Advisory) {
	t.Helper()
	ids := map[string]bool{}
	for _, p := range a.Products {
		if ids[p.ID] {
			t.Errorf("%s: product %q twice", file, p.ID)
		}
		ids[p.ID] = true
	}
	check := func(what string, list []string) {
		for _, id := range list {
			if !ids[id] {
				t.Errorf("%s: %s names product %q, which is not among the products", file, what, id)
			}
		}
	}
	for _, v := range a.Vulns {
		for st, list := range v.Status {
			check(string(st), list)
		}
		for _, s := range v.Scores {
			check("score", s.Products)
		}
		for _, r := range v.Remediations {
			check("remediation", r.Products)
		}
		for _, f := range v.Flags {
			check("flag", f.Products)
		}
	}
}

// compareBaseScores compares each computed score with the baseScore the
// document gives, returning how many scores there are and how many
// differ by more than 0.05.
func compareBaseScores(t *testing.T, file string, data []byte, a *Advisory) (n, differ int) {
	t.Helper()
	var d csafDoc
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	for i, v := range d.Vulnerabilities {
		var got []Score
		for _, s := range v.Scores {
			got = appendScores(got, &s)
		}
		j := 0
		for _, s := range v.Scores {
			for _, c := range []*csafCVSS{s.V3, s.V2} {
				if c == nil {
					continue
				}
				n++
				if math.Abs(got[j].Base-c.BaseScore) > 0.05 {
					differ++
					t.Logf("%s: vulnerability %d: %s scores %.1f, the document says %.1f",
						file, i, c.Vector, got[j].Base, c.BaseScore)
				}
				j++
			}
		}
		if diff := cmp.Diff(got, a.Vulns[i].Scores); diff != "" {
			t.Errorf("%s: vulnerability %d scores (-recomputed +parsed):\n%s", file, i, diff)
		}
	}
	return n, differ
}

// TestParseCSAFCorpusOASIS reads the OASIS CSAF 2.0 examples, vendor
// advisories and CSAF VEX.
func TestParseCSAFCorpusOASIS(t *testing.T) {
	dir := csafCorpusDir(t, "advisories/oasis-csaf-2.0-examples")
	files := append(csafGlob(t, dir, "*.json"), csafGlob(t, filepath.Join(dir, "csaf_vex"), "*.json")...)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a, err := ParseCSAF(data)
			if err != nil {
				t.Fatal(err)
			}
			// rhsa-2019_1862 is a csaf_informational_advisory: no
			// vulnerabilities, which that profile allows.
			if a.ID == "" || len(a.Products) == 0 {
				t.Errorf("got ID %q, %d products, %d vulns", a.ID, len(a.Products), len(a.Vulns))
			}
			checkResolves(t, filepath.Base(file), a)
		})
	}
}

// csafFuzzSeeds are the real documents FuzzParseCSAF starts from.
var csafFuzzSeeds = []string{
	"icsma-17-009-01a.json", "icsma-20-049-01.json", "sec-vex-2022-0001.json",
	"2022-evd-uc-07-001.json", "rhsa-2021_5186.json", "tree.json", "base.json",
}

// ci-fuzz: 3000x
func FuzzParseCSAF(f *testing.F) {
	for _, name := range csafFuzzSeeds {
		f.Add(csafTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseCSAF(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got error %v, want one wrapping ErrInvalid", err)
			}
			var ie *InvalidError
			if errors.As(err, &ie) && (len(ie.Problems) == 0 || len(ie.Problems) > MaxProblems) {
				t.Fatalf("got %d problems, want 1 to %d", len(ie.Problems), MaxProblems)
			}
			return
		}
		checkResolves(t, "fuzz", a)
	})
}

func BenchmarkParseCSAF(b *testing.B) {
	data := csafTestdata(b, "icsma-18-058-02.json")
	if _, err := ParseCSAF(data); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCSAF(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCSAFCorpus(b *testing.B) {
	dir := csafCorpusDir(b, "advisories/cisa-csaf-icsma")
	var docs [][]byte
	var size int64
	for _, file := range csafGlob(b, dir, "icsma-*.json") {
		data, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, data)
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range docs {
			if _, err := ParseCSAF(data); err != nil {
				b.Fatal(err)
			}
		}
	}
}
