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

func TestParseKEVExcerpt(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	wantFirst := KEVEntry{
		CVE:     "CVE-2025-48384",
		Vendor:  "Git",
		Product: "Git",
		Name:    "Git Link Following Vulnerability",
		Description: "Git contains a link following vulnerability that stems from Git\u2019s " +
			"inconsistent handling of carriage return characters in configuration files.",
		Added: day(2025, 8, 25),
		Due:   day(2025, 9, 15),
		RequiredAction: "Apply mitigations per vendor instructions, follow applicable BOD 22-01 " +
			"guidance for cloud services, or discontinue use of the product if mitigations are unavailable.",
		Notes: "This vulnerability affects a common open-source component, third-party library, " +
			"or a protocol used by different products. For more information, please see: " +
			"https://github.com/git/git/security/advisories/GHSA-vwqx-4fm8-6qc9 ; " +
			"https://access.redhat.com/errata/RHSA-2025:13933 ; " +
			"https://alas.aws.amazon.com/AL2/ALAS2-2025-2941.html ; " +
			"https://linux.oracle.com/errata/ELSA-2025-11534.html ; " +
			"https://msrc.microsoft.com/update-guide/vulnerability/CVE-2025-48384 ; " +
			"https://nvd.nist.gov/vuln/detail/CVE-2025-48384",
		CWEs: []string{"CWE-59", "CWE-436"},
	}
	tests := []struct {
		file     string
		version  string
		released time.Time
	}{
		{"kev/kev-excerpt.json", "2025.08.25", time.Date(2025, 8, 25, 17, 4, 19, 979600000, time.UTC)},
		{"kev/kev-excerpt.csv", "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			k, err := ParseKEV(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if k.Version != tt.version || !k.Released.Equal(tt.released) {
				t.Errorf("got version %q released %v, want %q %v", k.Version, k.Released, tt.version, tt.released)
			}
			if len(k.Entries) != 4 {
				t.Fatalf("got %d entries, want 4", len(k.Entries))
			}
			if diff := cmp.Diff(wantFirst, k.Entries[0]); diff != "" {
				t.Errorf("first entry mismatch (-want +got):\n%s", diff)
			}
			var ransomware []string
			for _, e := range k.Entries {
				if e.Ransomware {
					ransomware = append(ransomware, e.CVE)
				}
			}
			if diff := cmp.Diff([]string{"CVE-2025-49704"}, ransomware); diff != "" {
				t.Errorf("ransomware mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseKEVCorpus reads the whole real catalogue in both its forms.
func TestParseKEVCorpus(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "cisa-kev")
	var forms []*KEV
	for _, ext := range []string{"json", "csv"} {
		name := "known_exploited_vulnerabilities." + ext
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		k, err := ParseKEV(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ransomware := 0
		for _, e := range k.Entries {
			if e.Ransomware {
				ransomware++
			}
		}
		if len(k.Entries) != 1404 || ransomware != 293 {
			t.Errorf("%s: got %d entries, %d ransomware; want 1404, 293", name, len(k.Entries), ransomware)
		}
		forms = append(forms, k)
	}
	if diff := cmp.Diff(forms[0].Entries, forms[1].Entries); diff != "" {
		t.Errorf("JSON and CSV entries differ (-json +csv):\n%s", diff)
	}
}

func TestParseKEVInvalid(t *testing.T) {
	const header = "cveID,vendorProject,product,vulnerabilityName,dateAdded,dueDate\n"
	tests := []struct {
		name, doc string
		want      Problem
	}{
		{"no vulnerabilities", `{"catalogVersion": "1"}`,
			Problem{Path: "/vulnerabilities", Reason: "missing: not a KEV catalogue"}},
		{"count", `{"count": 2, "vulnerabilities": [{"cveID": "CVE-2020-0001", "dateAdded": "2021-11-03"}]}`,
			Problem{Path: "/count", Reason: "says 2 entries, the catalogue has 1"}},
		{"bad CVE", `{"vulnerabilities": [{"cveID": "CVE-20-1", "dateAdded": "2021-11-03"}]}`,
			Problem{Path: "/vulnerabilities/0/cveID", Reason: `"CVE-20-1" is not a CVE ID`}},
		{"bad date", `{"vulnerabilities": [{"cveID": "CVE-2020-0001", "dateAdded": "03/11/2021"}]}`,
			Problem{Path: "/vulnerabilities/0/dateAdded",
				Reason: `CVE-2020-0001: date "03/11/2021" is not YYYY-MM-DD`}},
		{"csv header", "cve,epss,percentile\n", Problem{Path: "line 1",
			Reason: `header has no "cveID" column: not a KEV catalogue`}},
		{"csv field count", header + "CVE-2020-0001,a,b,c,2021-11-03,2021-11-17\nCVE-2020-0002,a\n",
			Problem{Path: "line 3", Reason: "wrong number of fields"}},
		{"csv bad due date", header + "CVE-2020-0001,a,b,c,2021-11-03,soon\n", Problem{Path: "line 2",
			Reason: `dueDate: CVE-2020-0001: date "soon" is not YYYY-MM-DD`}},
		{"empty", "", Problem{Path: "line 1", Reason: "empty file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKEV([]byte(tt.doc))
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("got error %v, want an *InvalidError", err)
			}
			if diff := cmp.Diff([]Problem{tt.want}, inv.Problems); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// ci-fuzz: 50000x
func FuzzParseKEV(f *testing.F) {
	f.Add(readTestdata(f, "kev/kev-excerpt.json"))
	f.Add(readTestdata(f, "kev/kev-excerpt.csv"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKEV(data)
		if err != nil {
			if k != nil {
				t.Errorf("got a catalogue with error %v", err)
			}
			return
		}
		for _, e := range k.Entries {
			if !strings.HasPrefix(e.CVE, "CVE-") || e.Added.IsZero() {
				t.Errorf("entry %q added %v", e.CVE, e.Added)
			}
		}
	})
}

// BenchmarkParseKEV reads the whole real catalogue, in both its forms.
func BenchmarkParseKEV(b *testing.B) {
	dir := filepath.Join(corpusDir(b), "cisa-kev")
	for _, ext := range []string{"json", "csv"} {
		b.Run(ext, func(b *testing.B) {
			data, err := os.ReadFile(filepath.Join(dir, "known_exploited_vulnerabilities."+ext))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := ParseKEV(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
