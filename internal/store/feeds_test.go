package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wardhq/ward/internal/advisory"
)

// readKEV parses a KEV catalogue file.
func readKEV(t testing.TB, path string) *advisory.KEV {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := advisory.ParseKEV(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return k
}

// saveKEVExcerpt saves the KEV excerpt of testdata and returns it.
func saveKEVExcerpt(t *testing.T, db *DB) *advisory.KEV {
	t.Helper()
	k := readKEV(t, filepath.Join("testdata", "advisories", "kev-excerpt.json"))
	if err := db.SaveKEV(t.Context(), k); err != nil {
		t.Fatal(err)
	}
	return k
}

func kevMap(k *advisory.KEV) map[string]advisory.KEVEntry {
	out := map[string]advisory.KEVEntry{}
	for _, e := range k.Entries {
		out[e.CVE] = e
	}
	return out
}

func TestKEV(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		if got, err := db.KEV(ctx); err != nil || len(got) != 0 {
			t.Fatalf("KEV before an import: %d entries (%v)", len(got), err)
		}
		k := saveKEVExcerpt(t, db)
		got, err := db.KEV(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(kevMap(k), got); diff != "" {
			t.Errorf("KEV (-want +got):\n%s", diff)
		}
		if e := got["CVE-2019-0708"]; !e.Ransomware || e.Vendor != "Microsoft" ||
			!e.Added.Equal(time.Date(2021, 11, 3, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("BlueKeep: %+v", e)
		}
		vs, err := db.FeedVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []FeedVersion{{Feed: "kev", Version: "2025.08.25", Released: k.Released, Entries: 5}}
		if diff := cmp.Diff(want, vs, cmpopts.IgnoreFields(FeedVersion{}, "ImportedAt")); diff != "" {
			t.Errorf("feed versions (-want +got):\n%s", diff)
		}

		// A later catalogue replaces the whole table.
		later := &advisory.KEV{Version: "2025.09.01", Released: k.Released.Add(7 * 24 * time.Hour),
			Entries: k.Entries[:2]}
		if err := db.SaveKEV(ctx, later); err != nil {
			t.Fatal(err)
		}
		if got, err = db.KEV(ctx); err != nil || len(got) != 2 {
			t.Errorf("KEV after a smaller catalogue: %d entries (%v), want 2", len(got), err)
		}

		bad := &advisory.KEV{Entries: []advisory.KEVEntry{k.Entries[0], {Vendor: "x"}}}
		if err := db.SaveKEV(ctx, bad); !errors.Is(err, ErrInvalid) ||
			!strings.Contains(err.Error(), "kev entry 1: no cve") {
			t.Errorf("an entry without a CVE: got %v, want ErrInvalid naming entry 1", err)
		}
		if got, _ = db.KEV(ctx); len(got) != 2 {
			t.Errorf("a refused catalogue changed the table: %d entries", len(got))
		}
	})
}

// TestKEVCorpus stores the whole real catalogue and reads it back.
func TestKEVCorpus(t *testing.T) {
	k := readKEV(t, filepath.Join(advisoryCorpus(t), "cisa-kev", "known_exploited_vulnerabilities.json"))
	eachDB(t, func(t *testing.T, db *DB) {
		if err := db.SaveKEV(t.Context(), k); err != nil {
			t.Fatal(err)
		}
		got, err := db.KEV(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1404 {
			t.Errorf("%d entries, want 1404", len(got))
		}
		if diff := cmp.Diff(kevMap(k), got); diff != "" {
			t.Errorf("catalogue read back (-want +got):\n%s", diff)
		}
	})
}

func TestEPSS(t *testing.T) {
	// CVE-2022-2119's scores of 2023-03-06 (model v2) and 2023-03-07
	// (v3), from the corpus's EPSS excerpt.
	day := func(d int) time.Time { return time.Date(2023, 3, d, 0, 0, 0, 0, time.UTC) }
	v2 := &advisory.EPSS{Model: "v2", Date: day(6), Scores: map[string]advisory.EPSSScore{
		"CVE-2022-2119": {Probability: 0.01156, Percentile: 0.6137},
		"CVE-2019-0708": {Probability: 0.97, Percentile: 0.99},
	}}
	v3 := &advisory.EPSS{Model: "v3", Date: day(7), Scores: map[string]advisory.EPSSScore{
		"CVE-2022-2119": {Probability: 0.00188, Percentile: 0.54458},
		"CVE-2020-6961": {Probability: 0.00342, Percentile: 0.68925},
	}}
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		for _, e := range []*advisory.EPSS{v2, v3} {
			if err := db.SaveEPSS(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		all, err := db.EPSS(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(v3.Scores, all); diff != "" {
			t.Errorf("scores after the second day (-want +got):\n%s", diff)
		}
		some, err := db.EPSS(ctx, []string{"CVE-2022-2119", "CVE-2019-0708"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]advisory.EPSSScore{"CVE-2022-2119": v3.Scores["CVE-2022-2119"]}
		if diff := cmp.Diff(want, some); diff != "" {
			t.Errorf("scores of two CVEs, one no longer scored (-want +got):\n%s", diff)
		}
		vs, err := db.FeedVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 1 || vs[0].Feed != "epss" || vs[0].Version != "v3" ||
			!vs[0].Released.Equal(day(7)) || vs[0].Entries != 2 {
			t.Errorf("feed versions %+v, want epss v3 of 2023-03-07 with 2 entries", vs)
		}

		bad := &advisory.EPSS{Scores: map[string]advisory.EPSSScore{"CVE-1": {Probability: 1.5}}}
		if err := db.SaveEPSS(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("a probability of 1.5: got %v, want ErrInvalid", err)
		}
		if all, _ := db.EPSS(ctx, nil); len(all) != 2 {
			t.Errorf("a refused import changed the scores: %d", len(all))
		}
	})
}

// TestEPSSMany asks for more CVEs than one query takes.
func TestEPSSMany(t *testing.T) {
	e := syntheticEPSS(3000)
	eachDB(t, func(t *testing.T, db *DB) {
		if err := db.SaveEPSS(t.Context(), e); err != nil {
			t.Fatal(err)
		}
		var ask []string
		for i := range 1200 {
			ask = append(ask, fmt.Sprintf("CVE-2020-%05d", i*3)) // 1200 of 3000 at 0, 3, 6 …
		}
		got, err := db.EPSS(t.Context(), ask)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1000 || got["CVE-2020-02997"] != e.Scores["CVE-2020-02997"] {
			t.Errorf("got %d scores, want 1000 with CVE-2020-02997's", len(got))
		}
		if got, err := db.EPSS(t.Context(), []string{}); err != nil || len(got) != 0 {
			t.Errorf("scores of no CVEs: %d (%v)", len(got), err)
		}
	})
}

// syntheticEPSS is a day of n made-up scores.
func syntheticEPSS(n int) *advisory.EPSS {
	e := &advisory.EPSS{Model: "v2025.03.14", Date: time.Date(2025, 8, 25, 0, 0, 0, 0, time.UTC),
		Scores: make(map[string]advisory.EPSSScore, n)}
	for i := range n {
		e.Scores[fmt.Sprintf("CVE-2020-%05d", i)] = advisory.EPSSScore{
			Probability: float64(i%1000) / 1000, Percentile: float64(i) / float64(n)}
	}
	return e
}

// gatewaySBOM is an SBOM of a made-up gateway with real components.
func gatewaySBOM(version string) *advisory.SBOM {
	return &advisory.SBOM{Format: advisory.CycloneDX, SpecVersion: "1.5",
		Serial: "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
		Subject: advisory.Component{Type: "device", Vendor: "Northwind Medical Systems",
			Name: "InfuLink Gateway", Version: version},
		Components: []advisory.Component{
			{Ref: "openssl", Type: "library", Vendor: "OpenSSL", Name: "openssl", Version: "1.1.1k",
				PURL: "pkg:generic/openssl@1.1.1k", CPE: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*"},
			{Ref: "busybox", Type: "application", Name: "busybox", Version: "1.31.1",
				PURL: "pkg:generic/busybox@1.31.1"},
		},
		VEX: []advisory.VEXStatement{{Vuln: "CVE-2021-3711",
			Products: []advisory.ProductRef{{ID: "openssl"}}, Status: advisory.NotAffected,
			Justification: "vulnerable_code_not_in_execute_path"}},
	}
}

func TestSBOMs(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		rows := []SBOMRow{
			{VendorKey: "northwind", ModelKey: "infulink gateway", Vendor: "Northwind Medical",
				Model: "InfuLink Gateway", Version: "3.2.0", SBOM: gatewaySBOM("3.2.0"), ImportedAt: at},
			{VendorKey: "northwind", ModelKey: "infulink gateway", Vendor: "Northwind Medical",
				Model: "InfuLink Gateway", Version: " 3.2.1", SBOM: gatewaySBOM("3.2.1"), ImportedAt: at},
		}
		for _, r := range rows {
			if err := db.SaveSBOM(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		// A second SBOM of 3.2.1 replaces the first.
		again := rows[1]
		again.Version, again.SBOM = "3.2.1", gatewaySBOM("3.2.1")
		again.SBOM.Components = again.SBOM.Components[:1]
		if err := db.SaveSBOM(ctx, again); err != nil {
			t.Fatal(err)
		}
		got, err := db.SBOMs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []SBOMRow{rows[0], again}
		opts := cmp.Options{cmpopts.IgnoreFields(SBOMRow{}, "ID"), cmpopts.EquateEmpty()}
		if diff := cmp.Diff(want, got, opts); diff != "" {
			t.Errorf("SBOMs (-want +got):\n%s", diff)
		}
		for _, c := range []struct {
			name string
			row  SBOMRow
		}{
			{"no document", SBOMRow{VendorKey: "a", ModelKey: "b"}},
			{"no vendor key", SBOMRow{ModelKey: "b", SBOM: gatewaySBOM("1")}},
			{"no model key", SBOMRow{VendorKey: "a", ModelKey: " ", SBOM: gatewaySBOM("1")}},
		} {
			if err := db.SaveSBOM(ctx, c.row); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: got %v, want ErrInvalid", c.name, err)
			}
		}
	})
}

func TestVEX(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		v := &advisory.VEX{Format: advisory.OpenVEX, ID: "https://example.nhs.uk/vex/2026-001",
			Author: "Ward Trust EBME", Timestamp: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
			Statements: []advisory.VEXStatement{{Vuln: "CVE-2019-0708",
				Products: []advisory.ProductRef{{ID: "xtr", Name: "Xhibit Telemetry Receiver",
					Version: "96280"}},
				Status: advisory.NotAffected, Justification: "vulnerable_code_not_present",
				Timestamp: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}}
		for range 2 { // the second replaces the first
			if err := db.SaveVEX(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.VEXDocs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*advisory.VEX{v}, got, advisoryOpts); diff != "" {
			t.Errorf("VEX documents (-want +got):\n%s", diff)
		}
		if err := db.SaveVEX(ctx, &advisory.VEX{Format: advisory.OpenVEX}); !errors.Is(err, ErrInvalid) {
			t.Errorf("a document without an ID: got %v, want ErrInvalid", err)
		}
	})
}
