package advisory

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseOpenVEX(t *testing.T) {
	const fw = "pkg:generic/northwind/infulink-gateway-firmware@3.2.1"
	const fwCPE = "cpe:2.3:o:northwind_medical:infulink_gateway_firmware:3.2.1:*:*:*:*:*:*:*"
	updated := time.Date(2024, 4, 9, 15, 30, 0, 0, time.UTC)
	tests := []struct {
		file string
		want *VEX
	}{
		{"openvex/infulink-gateway-3.2.1.openvex.json", &VEX{
			Format:    OpenVEX,
			ID:        "https://vex.example.com/northwind/infulink-gateway-3.2.1/2024-04-02",
			Author:    "Northwind Medical Systems Product Security <psirt@example.com>",
			Timestamp: updated,
			Statements: []VEXStatement{
				{Vuln: "CVE-2021-3711",
					Aliases: nil,
					Products: []ProductRef{{ID: fw, PURL: fw, CPE: fwCPE, Subcomponents: []ProductRef{
						{ID: "pkg:generic/openssl@1.1.1k", PURL: "pkg:generic/openssl@1.1.1k"}}}},
					Status:        NotAffected,
					Justification: "vulnerable_code_not_in_execute_path",
					Impact:        "SM2 decryption is never called: the gateway uses RSA and ECDSA P-256 only.",
					Timestamp:     time.Date(2024, 4, 2, 8, 15, 0, 0, time.UTC)},
				{Vuln: "CVE-2022-0778",
					Products: []ProductRef{{ID: fw, PURL: fw}},
					Status:   Affected,
					Action: "Install firmware 3.3.0; until then, accept pump connections only " +
						"from the infusion VLAN.",
					Timestamp: updated},
				{Vuln: "CVE-2021-23840", Aliases: []string{"NWM-2021-004"},
					Products: []ProductRef{{ID: "urn:northwind:infulink-gateway:3.2.1", PURL: fw,
						CPE: "cpe:/o:northwind_medical:infulink_gateway_firmware:3.2.1"}},
					Status:    Fixed,
					Timestamp: updated},
				{Vuln: "CVE-2023-0286",
					Products:  []ProductRef{{ID: fwCPE, CPE: fwCPE}},
					Status:    UnderInvestigation,
					Timestamp: updated},
			},
		}},
		{"openvex/infulink-hub-m2.openvex-v0.0.1.json", &VEX{
			Format:    OpenVEX,
			ID:        "https://vex.example.com/northwind/infulink-hub-m2/VEX-2023-0007",
			Author:    "Northwind Medical Systems Product Security",
			Timestamp: time.Date(2023, 6, 12, 9, 0, 0, 0, time.UTC),
			Statements: []VEXStatement{{
				Vuln: "CVE-2023-0464",
				Products: []ProductRef{{
					ID:   "pkg:generic/northwind/infulink-hub-firmware@4.0.2",
					PURL: "pkg:generic/northwind/infulink-hub-firmware@4.0.2",
					Subcomponents: []ProductRef{
						{ID: "pkg:generic/openssl@3.0.8", PURL: "pkg:generic/openssl@3.0.8"}},
				}},
				Status:        NotAffected,
				Justification: "vulnerable_code_cannot_be_controlled_by_adversary",
				Impact:        "Policy constraints are never enabled in the hub's certificate checks.",
				Timestamp:     time.Date(2023, 6, 12, 9, 0, 0, 0, time.UTC),
			}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseOpenVEX(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseOpenVEX mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseOpenVEXInvalid(t *testing.T) {
	const ctx = `"@context": "https://openvex.dev/ns/v0.2.0", `
	tests := []struct {
		name, doc string
		want      Problem
	}{
		{"not openvex", `{"@context": "https://www.w3.org/ns/csvw", "statements": []}`, Problem{
			Path: "/@context", Reason: `got "https://www.w3.org/ns/csvw", want https://openvex.dev/ns…: ` +
				"not an OpenVEX document"}},
		{"no statements", `{` + ctx + `"@id": "x"}`, Problem{Path: "/statements", Reason: "missing"}},
		{"status", `{` + ctx + `"statements": [{"vulnerability": {"name": "CVE-2020-0001"}, "status": "ok"}]}`,
			Problem{Path: "/statements/0/status", Reason: `unknown status "ok"`}},
		{"no vulnerability", `{` + ctx + `"statements": [{"status": "fixed"}]}`,
			Problem{Path: "/statements/0/vulnerability", Reason: "no name or @id"}},
		{"timestamp", `{` + ctx + `"timestamp": "last week", "statements": []}`, Problem{
			Path: "/timestamp", Reason: `time "last week" is not RFC 3339 or a date`}},
		{"type", `{` + ctx + `"statements": [{"products": [7]}]}`, Problem{
			Path: "/statements/products", Reason: "got JSON number, want object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOpenVEX([]byte(tt.doc))
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

var openVEXFiles = []string{"infulink-gateway-3.2.1.openvex.json", "infulink-hub-m2.openvex-v0.0.1.json"}

func FuzzParseOpenVEX(f *testing.F) {
	for _, name := range openVEXFiles {
		f.Add(readTestdata(f, "openvex/"+name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseOpenVEX(data)
		if err != nil {
			return
		}
		for _, s := range v.Statements {
			if s.Vuln == "" || s.Status == "" {
				t.Errorf("statement %+v lacks a vulnerability or status", s)
			}
		}
	})
}

func BenchmarkParseOpenVEX(b *testing.B) {
	data := readTestdata(b, "openvex/"+openVEXFiles[0])
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseOpenVEX(data); err != nil {
			b.Fatal(err)
		}
	}
}
