package match

import (
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/advisory"
)

// testAdvisories are two advisories written as CISA writes them: vendor,
// product and version branches, statuses, a vendor fix.
func testAdvisories() []*advisory.Advisory {
	pump := &advisory.Advisory{ID: "ICSMA-99-001-01", Products: []advisory.Product{
		{ID: "P1", Vendor: "Becton, Dickinson and Company (BD)", Name: "Alaris PC Unit Model 8015",
			Range: "<= 9.19"},
		{ID: "P2", Vendor: "Becton, Dickinson and Company (BD)", Name: "Alaris PC Unit Model 8015",
			Version: "9.33"},
		{ID: "P3", Vendor: "Becton, Dickinson and Company (BD)", Name: "Alaris Gateway Workstation",
			Version: "vers:all/*"},
	}, Vulns: []advisory.Vuln{
		{CVE: "CVE-2099-0001", Status: map[advisory.Status][]string{
			advisory.Affected: {"P1", "P3"}, advisory.Fixed: {"P2"}},
			Remediations: []advisory.Remediation{{Category: advisory.VendorFix, Products: []string{"P1"}}}},
		{CVE: "CVE-2099-0002", Status: map[advisory.Status][]string{advisory.Affected: {"P3"}}},
	}}
	monitor := &advisory.Advisory{ID: "ICSMA-99-002-01", Products: []advisory.Product{
		{ID: "M1", Vendor: "Philips", Name: "IntelliVue MX40 Patient Worn Monitor (WLAN only)",
			Range: "< B.06.18"},
		{ID: "M2", Vendor: "Philips", Name: "IntelliVue Information Center iX", Range: "<= C.02"},
	}, Vulns: []advisory.Vuln{{CVE: "CVE-2099-0100", Status: map[advisory.Status][]string{
		advisory.Affected: {"M1", "M2"}}}}}
	nvd := &advisory.Advisory{ID: "CVE-2099-0200", Format: advisory.NVD, Products: []advisory.Product{
		{ID: "F", Vendor: "philips", Name: "intellibridge ec40 firmware",
			CPE: "cpe:2.3:o:philips:intellibridge_ec40_firmware:*:*:*:*:*:*:*:*", Range: "vers:generic/<c.00.04"},
		{ID: "H", Vendor: "philips", Name: "intellibridge ec40",
			CPE: "cpe:2.3:h:philips:intellibridge_ec40:-:*:*:*:*:*:*:*"},
		{ID: "FH", Component: "F", Platform: "H", Relation: "installed_on"},
	}, Vulns: []advisory.Vuln{{CVE: "CVE-2099-0200", Status: map[advisory.Status][]string{
		advisory.Affected: {"FH"}}}}}
	lib := &advisory.Advisory{ID: "CVE-2099-0300", Format: advisory.NVD, Products: []advisory.Product{
		{ID: "O", Vendor: "openssl", Name: "openssl", PURLs: []string{"pkg:generic/openssl"},
			Range: "vers:generic/>=1.0.2|<1.0.2u"},
	}, Vulns: []advisory.Vuln{{CVE: "CVE-2099-0300", Status: map[advisory.Status][]string{
		advisory.Affected: {"O"}}}}}
	return []*advisory.Advisory{pump, monitor, nvd, lib}
}

func TestMatch(t *testing.T) {
	m := New(testAdvisories(), nil)
	for _, c := range []struct {
		name     string
		dev      Device
		advisory string // "" for no candidate at or above the threshold
		status   Status
		kind     Kind
		cves     string
	}{
		{"in range", Device{Vendor: "BD", Model: "Alaris 8015 PC Unit", Version: "9.12"},
			"ICSMA-99-001-01", Affected, VendorModelVersion, "CVE-2099-0001"},
		{"vendor alias and register words", Device{Vendor: "CareFusion",
			Model: "Infusion pump - Alaris PC unit 8015", Version: "v9.19"},
			"ICSMA-99-001-01", Affected, VendorModelVersion, "CVE-2099-0001"},
		{"fixed version", Device{Vendor: "Becton Dickinson", Model: "Alaris PC Unit 8015",
			Version: "9.33"}, "ICSMA-99-001-01", Fixed, VendorModelVersion, "CVE-2099-0001"},
		{"above the range with a vendor fix", Device{Vendor: "BD", Model: "Alaris PC Unit 8015",
			Version: "12.1"}, "ICSMA-99-001-01", Fixed, VendorModelVersion, "CVE-2099-0001"},
		{"version unknown", Device{Vendor: "BD", Model: "Alaris PC Unit 8015"},
			"ICSMA-99-001-01", Affected, VendorModel, "CVE-2099-0001"},
		{"all versions", Device{Vendor: "BD", Model: "Alaris Gateway Workstation", Version: "1.6"},
			"ICSMA-99-001-01", Affected, VendorModel, "CVE-2099-0001 CVE-2099-0002"},
		{"letter scheme in range", Device{Vendor: "Phillips", Model: "IntelliVue MX40",
			Version: "B.06.12"}, "ICSMA-99-002-01", Affected, VendorModelVersion, "CVE-2099-0100"},
		{"letter scheme at the fix", Device{Vendor: "Philips Healthcare", Model: "MX40",
			Version: "B.06.18"}, "ICSMA-99-002-01", NotAffected, VendorModelVersion, "CVE-2099-0100"},
		{"other model number", Device{Vendor: "Philips", Model: "IntelliVue MX450", Version: "B.06.12"},
			"", "", 0, ""},
		{"other vendor, same words", Device{Vendor: "Mindray", Model: "Alaris 8015 PC Unit",
			Version: "9.1"}, "", "", 0, ""},
		{"generic words only", Device{Vendor: "BD", Model: "Infusion pump", Version: "9.1"},
			"", "", 0, ""},
		{"relationship: platform name, firmware range", Device{Vendor: "Philips",
			Model: "IntelliBridge EC40", Version: "D.01.00"}, "CVE-2099-0200", NotAffected,
			VendorModelVersion, "CVE-2099-0200"},
		{"relationship in range", Device{Vendor: "Philips", Model: "IntelliBridge EC40",
			Version: "C.00.03"}, "CVE-2099-0200", Affected, VendorModelVersion, "CVE-2099-0200"},
		{"CPE identifier", Device{CPEs: []string{"cpe:2.3:o:philips:intellibridge_ec40_firmware:c.00.01:*:*:*:*:*:*:*"}},
			"CVE-2099-0200", Affected, Identifier, "CVE-2099-0200"},
		{"SBOM component by package URL", Device{Vendor: "Acme", Model: "Gateway 3",
			Components: []advisory.Component{{Name: "openssl", Version: "1.0.2k",
				PURL: "pkg:generic/openssl@1.0.2k"}}},
			"CVE-2099-0300", Affected, Identifier, "CVE-2099-0300"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.dev.ID = "dev"
			var got *Candidate
			for _, x := range m.Match(c.dev) {
				if x.Confidence >= DefaultThreshold {
					got = &x
					break
				}
			}
			switch {
			case c.advisory == "" && got != nil:
				t.Fatalf("got %s %s %.2f (%s), want no match", got.Advisory, got.Status,
					got.Confidence, got.Reason)
			case c.advisory == "":
				return
			case got == nil:
				t.Fatalf("got no match, want %s; all candidates %+v", c.advisory, m.Match(c.dev))
			}
			if got.Advisory != c.advisory || got.Status != c.status || got.Kind != c.kind ||
				strings.Join(got.CVEs, " ") != c.cves || got.Device != "dev" {
				t.Errorf("got %s %s %s %q (%s), want %s %s %s %q", got.Advisory, got.Status,
					got.Kind, got.CVEs, got.Reason, c.advisory, c.status, c.kind, c.cves)
			}
			if got.Reason == "" || got.Confidence > 1 {
				t.Errorf("candidate %+v: want a reason and a confidence of at most 1", got)
			}
		})
	}
}

func TestMatchAdvisoryAndRevision(t *testing.T) {
	advs := testAdvisories()
	m := New(advs[1:], nil)
	devs := []Device{{ID: "a", Vendor: "BD", Model: "Alaris PC Unit 8015", Version: "9.1"},
		{ID: "b", Vendor: "Philips", Model: "MX40", Version: "B.06.01"}}
	if got := m.MatchAdvisory(advs[0].ID, devs); len(got) != 0 {
		t.Fatalf("before Add: got %d candidates of an advisory not indexed", len(got))
	}
	m.Add(advs[0])
	got := m.MatchAdvisory(advs[0].ID, devs)
	if len(got) != 1 || got[0].Device != "a" || got[0].Status != Affected {
		t.Fatalf("after Add: got %+v, want device a affected", got)
	}
	// A revision narrows the range: device a, at 9.1, is no longer in it.
	rev := *advs[0]
	rev.Products = append([]advisory.Product(nil), rev.Products...)
	rev.Products[0].Range = "<= 9.0"
	m.Add(&rev)
	if n := m.Advisories(); n != 4 {
		t.Errorf("advisories after a revision: got %d, want 4", n)
	}
	got = m.MatchAdvisory(rev.ID, devs)
	if len(got) != 1 || got[0].Status != Fixed {
		t.Fatalf("after the revision: got %+v, want device a fixed", got)
	}
}

func TestFindingsDecisions(t *testing.T) {
	m := New(testAdvisories(), nil)
	dev := Device{ID: "g", Vendor: "BD", Model: "Alaris Gateway Workstation", Version: "1.6"}
	cs := m.Match(dev)
	if len(cs) == 0 {
		t.Fatal("no candidate")
	}
	ds := NewDecisions(nil)
	ds.Add(Decision{Vuln: "cve-2099-0002", Vendor: "Becton Dickinson", Model: "alaris gateway workstation",
		Version: "1.6", Status: NotAffected, Justification: "vulnerable_code_not_in_execute_path",
		Advisory: cs[0].Advisory, Product: cs[0].ProductID, Range: cs[0].Range})
	fs := Findings(cs[0], dev, ds)
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want one per CVE (2)", len(fs))
	}
	for _, f := range fs {
		want := Affected
		if f.CVE == "CVE-2099-0002" {
			want = NotAffected
		}
		if f.Status != want {
			t.Errorf("%s: got %s, want %s", f.CVE, f.Status, want)
		}
	}
	// The same ruling made on another range is shown but reopened.
	ds.Add(Decision{Vuln: "CVE-2099-0002", Vendor: "BD", Model: "Alaris Gateway Workstation",
		Version: "1.6", Status: NotAffected, Advisory: cs[0].Advisory, Product: cs[0].ProductID,
		Range: "<= 1.0"})
	for _, f := range Findings(cs[0], dev, ds) {
		if f.CVE == "CVE-2099-0002" && (!f.Reopened || f.Status != Affected || f.Decision == nil) {
			t.Errorf("ruling on an old range: got reopened %v status %s, want reopened, affected",
				f.Reopened, f.Status)
		}
	}
	// Another version of the model is not covered by the ruling.
	other := dev
	other.Version = "1.7"
	for _, f := range Findings(cs[0], other, ds) {
		if f.Decision != nil {
			t.Errorf("version 1.7: a ruling on 1.6 applied")
		}
	}
}
