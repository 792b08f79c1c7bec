package advisory

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const nwm = "Northwind Medical Systems Ltd"

func TestParseCycloneDXComponents(t *testing.T) {
	got, err := ParseCycloneDX(readTestdata(t, "cyclonedx/infulink-gateway-3.2.1.cdx-1.4.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := &SBOM{
		Format:      CycloneDX,
		SpecVersion: "1.4",
		Serial:      "urn:uuid:7c1e4b7a-2f0d-4d0e-9a57-3b8f2c6d9e11",
		Subject: Component{
			Ref: "infulink-gateway-fw@3.2.1", Type: "firmware", Vendor: nwm,
			Name: "InfuLink Gateway firmware", Version: "3.2.1",
			CPE: "cpe:2.3:o:northwind_medical:infulink_gateway_firmware:3.2.1:*:*:*:*:*:*:*",
		},
		Components: []Component{
			{Ref: "linux-kernel@4.19.94", Type: "operating-system", Name: "linux", Version: "4.19.94",
				PURL: "pkg:generic/linux@4.19.94?download_url=https://cdn.kernel.org/pub/linux/kernel/v4.x/linux-4.19.94.tar.xz",
				CPE:  "cpe:2.3:o:linux:linux_kernel:4.19.94:*:*:*:*:*:*:*"},
			{Ref: "openssl@1.1.1k", Type: "library", Vendor: "OpenSSL Software Foundation",
				Name: "openssl", Version: "1.1.1k", PURL: "pkg:generic/openssl@1.1.1k",
				CPE: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*"},
			{Ref: "busybox@1.31.1", Type: "application", Name: "busybox", Version: "1.31.1",
				PURL: "pkg:generic/busybox@1.31.1", CPE: "cpe:2.3:a:busybox:busybox:1.31.1:*:*:*:*:*:*:*"},
			{Ref: "infulink-agent@3.2.1", Type: "application", Vendor: nwm, Name: "infulink-agent",
				Version: "3.2.1", PURL: "pkg:generic/northwind/infulink-agent@3.2.1"},
			{Ref: "zlib@1.2.11", Type: "library", Name: "zlib", Version: "1.2.11",
				PURL: "pkg:generic/zlib@1.2.11", CPE: "cpe:2.3:a:zlib:zlib:1.2.11:*:*:*:*:*:*:*"},
			{Ref: "curl@7.68.0", Type: "library", Name: "curl", Version: "7.68.0",
				PURL: "pkg:generic/curl@7.68.0", CPE: "cpe:2.3:a:haxx:curl:7.68.0:*:*:*:*:*:*:*"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseCycloneDX mismatch (-want +got):\n%s", diff)
	}
}

func TestParseCycloneDXVEX(t *testing.T) {
	got, err := ParseCycloneDX(readTestdata(t, "cyclonedx/infulink-gateway-3.2.1.vex.cdx-1.5.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got.SpecVersion != "1.5" || got.Subject.Vendor != nwm {
		t.Errorf("got spec %q, subject vendor %q; want 1.5, %q", got.SpecVersion, got.Subject.Vendor, nwm)
	}
	openssl := ProductRef{ID: "openssl@1.1.1k", PURL: "pkg:generic/openssl@1.1.1k",
		CPE: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*", Name: "openssl", Version: "1.1.1k"}
	busybox := ProductRef{ID: "busybox@1.31.1", PURL: "pkg:generic/busybox@1.31.1",
		CPE: "cpe:2.3:a:busybox:busybox:1.31.1:*:*:*:*:*:*:*", Name: "busybox", Version: "1.31.1"}
	linux := ProductRef{ID: "linux-kernel@4.19.94", CPE: "cpe:2.3:o:linux:linux_kernel:4.19.94:*:*:*:*:*:*:*",
		Name: "linux", Version: "4.19.94"}
	opensslRange := openssl
	opensslRange.Version, opensslRange.Range = "", "vers:generic/<1.1.1j"
	issued := time.Date(2024, 4, 2, 8, 15, 0, 0, time.UTC)
	fixedAt := time.Date(2021, 6, 30, 12, 0, 0, 0, time.UTC)
	want := []VEXStatement{
		{Vuln: "CVE-2022-0778", Products: []ProductRef{openssl}, Status: Affected,
			Impact: "The gateway parses client certificates presented on the pump network.",
			Action: "Install firmware 3.3.0, which ships OpenSSL 1.1.1w.\nresponse: update", Timestamp: issued},
		{Vuln: "CVE-2021-3711", Products: []ProductRef{openssl}, Status: NotAffected,
			Justification: "vulnerable_code_not_in_execute_path",
			Impact:        "SM2 decryption is never called: the gateway uses RSA and ECDSA P-256 only.",
			Timestamp:     issued},
		{Vuln: "CVE-2022-28391", Products: []ProductRef{busybox}, Status: NotAffected,
			Justification: "vulnerable_code_not_present",
			Impact:        "The netstat applet is not built into the gateway's BusyBox."},
		{Vuln: "CVE-2021-42386", Products: []ProductRef{busybox}, Status: NotAffected,
			Justification: "vulnerable_code_cannot_be_controlled_by_adversary",
			Impact: "requires_configuration: awk is reachable only from the service shell, " +
				"which is disabled in clinical mode."},
		{Vuln: "CVE-2022-0847", Products: []ProductRef{linux}, Status: NotAffected,
			Impact: "false_positive: Introduced in Linux 5.8; the gateway runs 4.19."},
		{Vuln: "CVE-2023-0286", Products: []ProductRef{openssl}, Status: UnderInvestigation},
		{Vuln: "CVE-2021-23840", Aliases: []string{"NWM-2021-004"}, Products: []ProductRef{openssl},
			Status: Fixed, Impact: "Fixed by the move to OpenSSL 1.1.1k in firmware 3.2.0.", Timestamp: fixedAt},
		{Vuln: "CVE-2021-23840", Aliases: []string{"NWM-2021-004"}, Products: []ProductRef{opensslRange},
			Status: Affected, Impact: "Fixed by the move to OpenSSL 1.1.1k in firmware 3.2.0.", Timestamp: fixedAt},
	}
	if diff := cmp.Diff(want, got.VEX); diff != "" {
		t.Errorf("VEX mismatch (-want +got):\n%s", diff)
	}
}

func TestParseCycloneDXXML(t *testing.T) {
	got, err := ParseCycloneDX(readTestdata(t, "cyclonedx/infulink-hub-m2.cdx-1.6.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := &SBOM{
		Format:      CycloneDX,
		SpecVersion: "1.6",
		Serial:      "urn:uuid:e4d1c6b2-58a7-4f0c-b3a9-6a2f1e8d7c45",
		Subject: Component{Ref: "infulink-hub-m2", Type: "device", Vendor: nwm,
			Name: "InfuLink Hub M2", Version: "rev C"},
		Components: []Component{
			{Ref: "infulink-hub-m2-fw@4.0.2", Type: "firmware", Vendor: nwm, Name: "InfuLink Hub firmware",
				Version: "4.0.2", CPE: "cpe:2.3:o:northwind_medical:infulink_hub_firmware:4.0.2:*:*:*:*:*:*:*"},
			{Ref: "linux-kernel@5.15.71", Type: "operating-system", Name: "linux", Version: "5.15.71",
				PURL: "pkg:generic/linux@5.15.71", CPE: "cpe:2.3:o:linux:linux_kernel:5.15.71:*:*:*:*:*:*:*"},
			{Ref: "openssl@3.0.8", Type: "library", Name: "openssl", Version: "3.0.8",
				PURL: "pkg:generic/openssl@3.0.8", CPE: "cpe:2.3:a:openssl:openssl:3.0.8:*:*:*:*:*:*:*"},
			{Ref: "busybox@1.36.0", Type: "application", Name: "busybox", Version: "1.36.0",
				PURL: "pkg:generic/busybox@1.36.0", CPE: "cpe:2.3:a:busybox:busybox:1.36.0:*:*:*:*:*:*:*"},
		},
		VEX: []VEXStatement{{
			Vuln: "CVE-2023-0464",
			Products: []ProductRef{{ID: "openssl@3.0.8", PURL: "pkg:generic/openssl@3.0.8",
				CPE: "cpe:2.3:a:openssl:openssl:3.0.8:*:*:*:*:*:*:*", Name: "openssl", Version: "3.0.8"}},
			Status:        NotAffected,
			Justification: "inline_mitigations_already_exist",
			Impact: "protected_at_perimeter: Policy constraints are never enabled, " +
				"and only the hospital's own CA is trusted.",
			Timestamp: time.Date(2024, 5, 20, 14, 0, 0, 0, time.UTC),
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseCycloneDX mismatch (-want +got):\n%s", diff)
	}
}

func TestParseCycloneDXInvalid(t *testing.T) {
	tests := []struct {
		name, doc string
		want      Problem
	}{
		{"not cyclonedx", `{"bomFormat": "SPDX", "specVersion": "1.5"}`, Problem{Path: "/bomFormat",
			Reason: `got "SPDX", want "CycloneDX": not a CycloneDX BOM`}},
		{"spec version", `{"bomFormat": "CycloneDX", "specVersion": "9.9"}`, Problem{Path: "/specVersion",
			Reason: "unknown CycloneDX spec version"}},
		{"json syntax", `{"bomFormat": "CycloneDX",}`, Problem{Path: "line 1, column 27",
			Reason: "malformed JSON: invalid character '}' looking for beginning of object key string"}},
		{"xml namespace", `<bom xmlns="http://example.com/bom"></bom>`, Problem{Path: "/bom",
			Reason: `namespace "http://example.com/bom" is not CycloneDX's`}},
		{"xml syntax", "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components>\n</bom>",
			Problem{Path: "line 3",
				Reason: "malformed XML: element <components> closed by </bom>"}},
		{"state", `{"bomFormat": "CycloneDX", "specVersion": "1.5",
			"vulnerabilities": [{"id": "CVE-2020-0001", "analysis": {"state": "fine"}}]}`,
			Problem{Path: "/vulnerabilities/0", Reason: `unknown analysis state "fine"`}},
		{"no id", `{"bomFormat": "CycloneDX", "specVersion": "1.5", "vulnerabilities": [{}]}`,
			Problem{Path: "/vulnerabilities/0", Reason: "vulnerability has no id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCycloneDX([]byte(tt.doc))
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

func TestCycloneDXBOMLink(t *testing.T) {
	refs := map[string]Component{"pkg a": {Name: "a", PURL: "pkg:generic/a@1"}}
	got := cdxTarget("urn:cdx:0b5a8d62-93c4-4e1f-8f0e-5d2a7b4c1f30/1#pkg%20a", refs)
	want := ProductRef{ID: "urn:cdx:0b5a8d62-93c4-4e1f-8f0e-5d2a7b4c1f30/1#pkg%20a",
		PURL: "pkg:generic/a@1", Name: "a"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cdxTarget mismatch (-want +got):\n%s", diff)
	}
	if got := cdxTarget("pkg:generic/b@2", refs); got.PURL != "pkg:generic/b@2" {
		t.Errorf("unresolved purl ref: got %+v", got)
	}
}

var cycloneDXFiles = []string{
	"infulink-gateway-3.2.1.cdx-1.4.json",
	"infulink-gateway-3.2.1.vex.cdx-1.5.json",
	"infulink-hub-m2.cdx-1.6.xml",
}

func FuzzParseCycloneDX(f *testing.F) {
	for _, name := range cycloneDXFiles {
		f.Add(readTestdata(f, "cyclonedx/"+name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseCycloneDX(data)
		if err != nil {
			return
		}
		if s.Format != CycloneDX || len(s.Components) > MaxSBOMComponents {
			t.Errorf("got format %q, %d components", s.Format, len(s.Components))
		}
		for _, st := range s.VEX {
			switch st.Status {
			case Affected, NotAffected, Fixed, UnderInvestigation:
			default:
				t.Errorf("statement %q: status %q", st.Vuln, st.Status)
			}
			if st.Vuln == "" {
				t.Error("statement without a vulnerability")
			}
		}
	})
}

func BenchmarkParseCycloneDX(b *testing.B) {
	for _, name := range cycloneDXFiles {
		b.Run(strings.TrimPrefix(name, "infulink-"), func(b *testing.B) {
			data := readTestdata(b, "cyclonedx/"+name)
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := ParseCycloneDX(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
