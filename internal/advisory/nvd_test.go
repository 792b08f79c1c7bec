package advisory

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readTestdata returns a file under testdata, failing the test if it is
// missing.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseOneNVD(t *testing.T, name string) *Advisory {
	t.Helper()
	as, err := ParseNVD(readTestdata(t, name))
	if err != nil {
		t.Fatalf("ParseNVD(%s): %v", name, err)
	}
	if len(as) != 1 {
		t.Fatalf("ParseNVD(%s): got %d advisories, want 1", name, len(as))
	}
	return as[0]
}

func TestParseNVDFirmwareOnHardware(t *testing.T) {
	got := parseOneNVD(t, "nvd/CVE-2021-32993.json")
	const (
		fw40 = "F83F9AB8-C2A0-4C40-9034-56BDBB06FE56"
		hw40 = "4B1CA4D0-ADCF-4BBB-A1DB-F790B86AAB7C"
		fw80 = "E0023DEE-63FF-4921-B98D-94E0133A6F04"
		hw80 = "B726E06E-D616-46A3-9496-DE42582C86C6"
	)
	firmware := func(id, model string) Product {
		return Product{
			ID: id, Vendor: "philips", Name: "intellibridge " + model + " firmware",
			Range:    "vers:generic/<=c.00.04",
			FullName: "philips intellibridge " + model + " firmware <= c.00.04",
			CPE:      "cpe:2.3:o:philips:intellibridge_" + model + "_firmware:*:*:*:*:*:*:*:*",
		}
	}
	hardware := func(id, model string) Product {
		return Product{
			ID: id, Vendor: "philips", Name: "intellibridge " + model,
			FullName: "philips intellibridge " + model,
			CPE:      "cpe:2.3:h:philips:intellibridge_" + model + ":-:*:*:*:*:*:*:*",
		}
	}
	installed := func(fw, hw, model string) Product {
		return Product{
			ID: fw + " installed_on " + hw,
			FullName: "philips intellibridge " + model + " firmware <= c.00.04 installed on " +
				"philips intellibridge " + model,
			Component: fw, Platform: hw, Relation: "installed_on",
		}
	}
	want := &Advisory{
		ID:        "CVE-2021-32993",
		Format:    NVD,
		Publisher: "NVD",
		Namespace: "https://nvd.nist.gov",
		Status:    "Modified",
		Released:  time.Date(2021, 12, 27, 19, 15, 8, 163e6, time.UTC),
		Updated:   time.Date(2024, 11, 21, 6, 8, 5, 87e6, time.UTC),
		Products: []Product{
			firmware(fw40, "ec40"), hardware(hw40, "ec40"), installed(fw40, hw40, "ec40"),
			firmware(fw80, "ec80"), hardware(hw80, "ec80"), installed(fw80, hw80, "ec80"),
		},
		Vulns: []Vuln{{
			CVE:  "CVE-2021-32993",
			CWEs: []string{"CWE-798"},
			Description: "IntelliBridge EC 40 and 60 Hub (C.00.04 and prior) contains hard-coded " +
				"credentials, such as a password or a cryptographic key, which it uses for its own " +
				"inbound authentication, outbound communication to external components, or " +
				"encryption of internal data.",
			Released: time.Date(2021, 12, 27, 19, 15, 8, 163e6, time.UTC),
			Status: map[Status][]string{Affected: {
				fw40, fw40 + " installed_on " + hw40, fw80, fw80 + " installed_on " + hw80,
			}},
			Scores: []Score{
				{Version: "3.1", Vector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
					Base: 8.8, Severity: "HIGH", Source: "nvd@nist.gov"},
				{Version: "2.0", Vector: "AV:A/AC:L/Au:N/C:P/I:P/A:P",
					Base: 5.8, Severity: "MEDIUM", Source: "nvd@nist.gov"},
				{Version: "3.1", Vector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H",
					Base: 8.1, Severity: "HIGH", Source: "ics-cert@hq.dhs.gov"},
			},
			References: []Reference{{
				URL:      "https://www.cisa.gov/uscert/ics/advisories/icsma-21-322-01",
				Summary:  "Third Party Advisory, US Government Resource",
				Category: "external",
			}},
		}},
		References: []Reference{{
			URL: "https://nvd.nist.gov/vuln/detail/CVE-2021-32993", Category: "self",
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseNVD mismatch (-want +got):\n%s", diff)
	}
}

func TestParseNVDRanges(t *testing.T) {
	tests := []struct {
		name, file string
		id         string // the product's matchCriteriaId
		want       Product
	}{
		{
			name: "end excluding", file: "nvd/CVE-2022-2119.json",
			id: "06DB814D-2ADD-41EA-A1CF-E2178623D6B3",
			want: Product{
				ID: "06DB814D-2ADD-41EA-A1CF-E2178623D6B3", Vendor: "offis", Name: "dcmtk",
				Range: "vers:generic/<3.6.7", FullName: "offis dcmtk < 3.6.7",
				CPE: "cpe:2.3:a:offis:dcmtk:*:*:*:*:*:*:*:*",
			},
		},
		{
			name: "exact version", file: "nvd/CVE-2020-6961.json",
			id: "28F6C17B-2288-4EA1-B89F-6E1FED96ADD1",
			want: Product{
				ID: "28F6C17B-2288-4EA1-B89F-6E1FED96ADD1", Vendor: "gehealthcare",
				Name:     "carescape central station mai700 firmware",
				Version:  "1.0",
				FullName: "gehealthcare carescape central station mai700 firmware 1.0",
				CPE:      "cpe:2.3:o:gehealthcare:carescape_central_station_mai700_firmware:1.0:*:*:*:*:*:*:*",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := parseOneNVD(t, tt.file)
			got, ok := findProduct(a, tt.id)
			if !ok {
				t.Fatalf("no product %s", tt.id)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("product mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func findProduct(a *Advisory, id string) (Product, bool) {
	for _, p := range a.Products {
		if p.ID == id {
			return p, true
		}
	}
	return Product{}, false
}

func TestParseNVDPairsEveryFirmware(t *testing.T) {
	a := parseOneNVD(t, "nvd/CVE-2020-6961.json")
	var firmware, platforms, pairs int
	for _, p := range a.Products {
		switch {
		case p.Relation == "installed_on":
			pairs++
			if _, ok := findProduct(a, p.Component); !ok {
				t.Errorf("%s: component %s is not a product", p.ID, p.Component)
			}
			if _, ok := findProduct(a, p.Platform); !ok {
				t.Errorf("%s: platform %s is not a product", p.ID, p.Platform)
			}
		case strings.HasPrefix(p.CPE, "cpe:2.3:h:"):
			platforms++
		default:
			firmware++
		}
	}
	// Six devices; mp100d, mp100r and the mp100r telemetry server run two
	// firmware versions each.
	if firmware != 9 || platforms != 6 || pairs != 9 {
		t.Errorf("got %d firmware, %d platforms, %d pairs; want 9, 6, 9", firmware, platforms, pairs)
	}
	if got, want := len(a.Vulns[0].Status[Affected]), firmware+pairs; got != want {
		t.Errorf("got %d affected products, want %d", got, want)
	}
}

func TestParseNVDShapes(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"nvd/CVE-2022-2119.json", []string{"CVE-2022-2119"}},
		{"nvd/wrapped-CVE-2022-2119.json", []string{"CVE-2022-2119"}},
		{"nvd/api-response.json", []string{"CVE-2022-2119", "CVE-2020-6961", "CVE-2021-32993"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			as, err := ParseNVD(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range as {
				got = append(got, a.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("IDs mismatch (-want +got):\n%s", diff)
			}
		})
	}
	as, err := ParseNVD([]byte(`{"resultsPerPage":0,"totalResults":0,"vulnerabilities":[]}`))
	if err != nil || len(as) != 0 {
		t.Errorf("empty response: got %d advisories, %v; want none, no error", len(as), err)
	}
}

func TestParseNVDInvalid(t *testing.T) {
	tests := []struct {
		name, doc string
		want      Problem
	}{
		{"truncated", "{\n  \"id\": \"CVE-1\",\n  \"descriptions\": [", Problem{
			Path: "line 3, column 19", Reason: "malformed JSON: unexpected end of JSON input"}},
		{"wrong type", `{"id": "CVE-2020-1", "published": 12}`, Problem{
			Path: "/published", Reason: "got JSON number, want string"}},
		{"no record", `{"foo": 1}`, Problem{
			Reason: `no CVE record: want a cve object, {"cve": ...} or an API response`}},
		{"not a CVE ID", `{"cve": {"id": "GHSA-1"}}`, Problem{
			Path: "/cve", Reason: `id "GHSA-1" is not a CVE ID`}},
		{"bad time", `{"vulnerabilities": [{"cve": {"id": "CVE-2020-1", "published": "yesterday"}}]}`,
			Problem{Path: "/vulnerabilities/0/cve",
				Reason: `CVE-2020-1: published: time "yesterday" is not RFC 3339 or a date`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseNVD([]byte(tt.doc))
			var inv *InvalidError
			if !errors.As(err, &inv) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got error %v, want an *InvalidError", err)
			}
			if diff := cmp.Diff([]Problem{tt.want}, inv.Problems); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNVDProductCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"id":"CVE-2020-1","configurations":[{"operator":"AND","nodes":[{"cpeMatch":[`)
	for i := range 200 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"vulnerable":true,"criteria":"cpe:2.3:o:v:fw` + strings.Repeat("x", i) + `:*"}`)
	}
	b.WriteString(`]},{"cpeMatch":[`)
	for i := range 200 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"vulnerable":false,"criteria":"cpe:2.3:h:v:hw` + strings.Repeat("y", i) + `:-"}`)
	}
	b.WriteString(`]}]}]}`)
	_, err := ParseNVD([]byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "more than 10000 products") {
		t.Errorf("got %v, want the product cap", err)
	}
}

func TestSplitCPE(t *testing.T) {
	tests := []struct {
		in   string
		want cpeName
	}{
		{"cpe:2.3:o:philips:intellibridge_ec40_firmware:*:*:*:*:*:*:*:*",
			cpeName{"o", "philips", "intellibridge_ec40_firmware", "*"}},
		{`cpe:2.3:a:acme:a\:b:1.0\(1\):*:*:*:*:*:*:*`, cpeName{"a", "acme", `a\:b`, `1.0\(1\)`}},
		{"cpe:/h:ge:mac_5500:1.0", cpeName{"h", "ge", "mac_5500", "1.0"}},
		{"cpe:2.3:o", cpeName{part: "o"}},
		{"nonsense", cpeName{}},
	}
	for _, tt := range tests {
		if got := splitCPE(tt.in); got != tt.want {
			t.Errorf("splitCPE(%q): got %+v, want %+v", tt.in, got, tt.want)
		}
	}
	if got, want := cpeWords(`a\:b_c`), "a:b c"; got != want {
		t.Errorf("cpeWords: got %q, want %q", got, want)
	}
}

// ci-fuzz: 50000x
func FuzzParseNVD(f *testing.F) {
	for _, name := range []string{"CVE-2020-6961.json", "CVE-2021-32993.json",
		"CVE-2022-2119.json", "api-response.json", "wrapped-CVE-2022-2119.json"} {
		f.Add(readTestdata(f, "nvd/"+name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		as, err := ParseNVD(data)
		if err != nil {
			if as != nil {
				t.Errorf("got advisories with error %v", err)
			}
			return
		}
		for _, a := range as {
			checkNVDAdvisory(t, a)
		}
	})
}

// checkNVDAdvisory checks the invariants of a parsed record: a CVE ID,
// one vuln, unique product IDs, statuses and relations that name products.
func checkNVDAdvisory(t *testing.T, a *Advisory) {
	t.Helper()
	if !strings.HasPrefix(a.ID, "CVE-") || len(a.Vulns) != 1 || a.Vulns[0].CVE != a.ID {
		t.Fatalf("bad advisory %q with %d vulns", a.ID, len(a.Vulns))
	}
	ids := map[string]bool{}
	for _, p := range a.Products {
		if ids[p.ID] {
			t.Errorf("product %q twice", p.ID)
		}
		ids[p.ID] = true
		if p.Version != "" && p.Range != "" {
			t.Errorf("product %q has both a version and a range", p.ID)
		}
	}
	for _, p := range a.Products {
		if p.Relation != "" && (!ids[p.Component] || !ids[p.Platform]) {
			t.Errorf("relation %q names a missing product", p.ID)
		}
	}
	for _, id := range a.Vulns[0].Status[Affected] {
		if !ids[id] {
			t.Errorf("affected %q is not a product", id)
		}
	}
}

func BenchmarkParseNVD(b *testing.B) {
	data := readTestdata(b, "nvd/api-response.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseNVD(data); err != nil {
			b.Fatal(err)
		}
	}
}
