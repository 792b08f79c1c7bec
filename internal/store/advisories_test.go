package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wardhq/ward/internal/advisory"
)

// advisoryFiles are the real ICSMA advisories in testdata/advisories.
var advisoryFiles = []string{"icsma-17-009-01a.json", "icsma-20-049-01.json",
	"icsma-20-170-01.json", "icsma-21-187-01.json"}

// readAdvisories parses the ICSMA advisories of testdata.
func readAdvisories(t testing.TB) []*advisory.Advisory {
	t.Helper()
	var out []*advisory.Advisory
	for _, name := range advisoryFiles {
		b, err := os.ReadFile(filepath.Join("testdata", "advisories", name))
		if err != nil {
			t.Fatal(err)
		}
		a, err := advisory.ParseCSAF(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, a)
	}
	return out
}

// advisoryCorpus is the folder of the shared advisory corpus. It skips
// the test when the folder is absent, or fails it with
// WARD_REQUIRE_CORPUS=1.
func advisoryCorpus(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "advisories")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WARD_REQUIRE_CORPUS") == "1" {
			t.Fatalf("corpus required (WARD_REQUIRE_CORPUS=1) but unreadable: %v", err)
		}
		t.Skipf("no corpus at %s (%v): set WARD_REQUIRE_CORPUS=1 to fail instead", dir, err)
	}
	return dir
}

// advisoryOpts compare advisories decoded from the store with parsed
// ones.
var advisoryOpts = cmp.Options{cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })}

// byID returns the advisory of that ID among advs.
func byID(t testing.TB, advs []*advisory.Advisory, id string) *advisory.Advisory {
	t.Helper()
	for _, a := range advs {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no advisory %s", id)
	return nil
}

func TestSaveAdvisories(t *testing.T) {
	advs := readAdvisories(t)
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		src := FeedSource{Name: "icsma.zip", SHA256: fakeSHA(1), At: at}
		res, err := db.SaveAdvisories(ctx, advs, src)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{"ICSMA-17-009-01A", "ICSMA-20-049-01", "ICSMA-20-170-01", "ICSMA-21-187-01"}
		if diff := cmp.Diff(FeedResult{Added: 4, Changed: ids}, res); diff != "" {
			t.Errorf("first import (-want +got):\n%s", diff)
		}

		all, err := db.AllAdvisories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(advs, all, advisoryOpts); diff != "" {
			t.Errorf("all advisories (-want +got):\n%s", diff)
		}
		a, imported, err := db.Advisory(ctx, "ICSMA-21-187-01")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(byID(t, advs, "ICSMA-21-187-01"), a, advisoryOpts); diff != "" {
			t.Errorf("advisory (-want +got):\n%s", diff)
		}
		if !imported.Equal(at) {
			t.Errorf("imported at %v, want %v", imported, at)
		}
		if _, _, err := db.Advisory(ctx, "ICSMA-99-999-99"); !errors.Is(err, ErrNotFound) {
			t.Errorf("an unknown advisory: got %v, want ErrNotFound", err)
		}

		res, err = db.SaveAdvisories(ctx, advs, FeedSource{Name: "again.zip"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(FeedResult{Unchanged: 4}, res); diff != "" {
			t.Errorf("the same import again (-want +got):\n%s", diff)
		}
		if got := listIDs(t, db, AdvisoryQuery{Limit: 1}); got[0] != "ICSMA-21-187-01" {
			t.Errorf("newest advisory %v, want ICSMA-21-187-01", got)
		}
		s := summary(t, db, "ICSMA-21-187-01")
		if s.Source != "icsma.zip" || s.SHA256 != fakeSHA(1) || !s.ImportedAt.Equal(at) {
			t.Errorf("an unchanged advisory's source changed: %+v", s)
		}
	})
}

func TestListAdvisories(t *testing.T) {
	advs := readAdvisories(t)
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		if _, err := db.SaveAdvisories(ctx, advs, FeedSource{Name: "icsma"}); err != nil {
			t.Fatal(err)
		}
		saveKEVExcerpt(t, db)
		// Newest first: updated 2022-04-05, 2020-06-23, 2020-02-18, 2017-02-06.
		want := []string{"ICSMA-21-187-01", "ICSMA-20-170-01", "ICSMA-20-049-01", "ICSMA-17-009-01A"}
		if diff := cmp.Diff(want, listIDs(t, db, AdvisoryQuery{})); diff != "" {
			t.Errorf("advisories (-want +got):\n%s", diff)
		}
		var paged []string
		for after := ""; ; {
			page := listIDs(t, db, AdvisoryQuery{Limit: 3, After: after})
			paged = append(paged, page...)
			if len(page) < 3 {
				break
			}
			after = page[len(page)-1]
		}
		if diff := cmp.Diff(want, paged); diff != "" {
			t.Errorf("advisories by pages of 3 (-want +got):\n%s", diff)
		}
		for _, c := range []struct{ search, want string }{
			{"vue pacs", "ICSMA-21-187-01"}, {"cve-2019-0708", "ICSMA-20-049-01"},
			{"icsma-17", "ICSMA-17-009-01A"}, {"100%", ""},
		} {
			got := strings.Join(listIDs(t, db, AdvisoryQuery{Search: c.search}), " ")
			if got != c.want {
				t.Errorf("search %q: got %q, want %q", c.search, got, c.want)
			}
		}

		s := summary(t, db, "ICSMA-20-049-01")
		want049 := AdvisorySummary{ID: "ICSMA-20-049-01", Format: advisory.CSAF,
			Title: "Spacelabs Xhibit Telemetry Receiver (XTR)", Publisher: "CISA", Revision: "1",
			Status: "final", CVEs: []string{"CVE-2019-0708"}, CVSS: 9.8, Severity: "CRITICAL",
			KEV: true, Source: "icsma"}
		opts := cmpopts.IgnoreFields(AdvisorySummary{}, "Released", "Updated", "ImportedAt")
		if diff := cmp.Diff(want049, s, opts); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		if s := summary(t, db, "ICSMA-21-187-01"); len(s.CVEs) != 16 || s.CVEs[0] != "CVE-2020-1938" {
			t.Errorf("ICSMA-21-187-01 lists CVEs %v, want 16 from CVE-2020-1938", s.CVEs)
		}
		if s := summary(t, db, "ICSMA-20-170-01"); !s.KEV { // CVE-2017-0143, EternalBlue
			t.Errorf("ICSMA-20-170-01 is not in KEV")
		}
		if s := summary(t, db, "ICSMA-17-009-01A"); s.KEV {
			t.Errorf("ICSMA-17-009-01A is in KEV")
		}
	})
}

// listIDs lists the IDs of a page of advisories.
func listIDs(t *testing.T, db *DB, q AdvisoryQuery) []string {
	t.Helper()
	page, err := db.ListAdvisories(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, s := range page {
		ids = append(ids, s.ID)
	}
	return ids
}

// summary is the summary of one advisory.
func summary(t *testing.T, db *DB, id string) AdvisorySummary {
	t.Helper()
	page, err := db.ListAdvisories(t.Context(), AdvisoryQuery{Search: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range page {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no summary of %s", id)
	return AdvisorySummary{}
}

// revised is a copy of a as another revision, updated shift from a.
func revised(a *advisory.Advisory, revision string, shift time.Duration) *advisory.Advisory {
	r := *a
	r.Revision, r.Updated = revision, a.Updated.Add(shift)
	r.Title = a.Title + " (revision " + revision + ")"
	return &r
}

func TestAdvisoryRevisions(t *testing.T) {
	advs := readAdvisories(t)
	pacs := byID(t, advs, "ICSMA-21-187-01") // revision 3
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		if _, err := db.SaveAdvisories(ctx, advs, FeedSource{Name: "icsma"}); err != nil {
			t.Fatal(err)
		}
		ruling := DecisionRow{Vuln: "CVE-2020-1938", VendorKey: "philips", ModelKey: "vue pacs",
			Version: "12.2.1.5", Status: StatusNotAffected,
			Justification: "vulnerable_code_not_in_execute_path", Actor: "alice",
			AdvisoryID: pacs.ID, ProductID: "CSAFPID-0001", ProductRange: "<= 12.2.1.5"}
		if err := db.SaveDecision(ctx, ruling); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			adv  *advisory.Advisory
			want FeedResult
			// title is the title stored after the import.
			title string
		}{
			{"older revision", revised(pacs, "2", -24*time.Hour), FeedResult{Unchanged: 1}, pacs.Title},
			{"same date, lower revision", revised(pacs, "2.9", 0), FeedResult{Unchanged: 1}, pacs.Title},
			{"same date, higher revision", revised(pacs, "3.1", 0),
				FeedResult{Updated: 1, Changed: []string{pacs.ID}}, pacs.Title + " (revision 3.1)"},
			{"same date, revision 10 after 3.1", revised(pacs, "10", 0),
				FeedResult{Updated: 1, Changed: []string{pacs.ID}}, pacs.Title + " (revision 10)"},
			{"later, lower revision", revised(pacs, "4", time.Hour),
				FeedResult{Updated: 1, Changed: []string{pacs.ID}}, pacs.Title + " (revision 4)"},
			{"the same again", revised(pacs, "4", time.Hour), FeedResult{Unchanged: 1},
				pacs.Title + " (revision 4)"},
		} {
			res, err := db.SaveAdvisories(ctx, []*advisory.Advisory{c.adv}, FeedSource{Name: c.name})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, res); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, diff)
			}
			got, _, err := db.Advisory(ctx, pacs.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != c.title {
				t.Errorf("%s: title %q, want %q", c.name, got.Title, c.title)
			}
		}
		ds, err := db.Decisions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Vuln != ruling.Vuln || ds[0].AdvisoryID != pacs.ID {
			t.Errorf("rulings after new revisions: %+v, want the one made", ds)
		}
		if n := len(summary(t, db, pacs.ID).CVEs); n != 16 {
			t.Errorf("a new revision lists %d CVEs, want 16", n)
		}
	})
}

func TestCompareRevisions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1", "1", 0}, {"1", "2", -1}, {"10", "9", 1}, {"1.0", "1", 0}, {"1.0.1", "1", 1},
		{"2.1", "2.10", -1}, {"007", "7", 0}, {"99999999999999999999", "100000000000000000000", -1},
		{"1.a", "1.b", -1}, {"", "0", 0}, {"1..2", "1.0.2", 0}, {" 3 ", "3", 0},
	} {
		if got := compareRevisions(c.a, c.b); got != c.want {
			t.Errorf("compareRevisions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := compareRevisions(c.b, c.a); got != -c.want {
			t.Errorf("compareRevisions(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

func TestSaveAdvisoriesInvalid(t *testing.T) {
	advs := readAdvisories(t)
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		badTitle := *advs[1]
		badTitle.Title = "Spacelabs \xff"
		for _, c := range []struct {
			name string
			advs []*advisory.Advisory
			src  FeedSource
			want string
		}{
			{"nil advisory", []*advisory.Advisory{advs[0], nil}, FeedSource{}, "nil advisory"},
			{"no id", []*advisory.Advisory{advs[0], {Format: advisory.CSAF}}, FeedSource{}, "no id"},
			{"no format", []*advisory.Advisory{{ID: "X"}}, FeedSource{}, "no format"},
			{"bad title", []*advisory.Advisory{advs[0], &badTitle}, FeedSource{},
				"title is not valid UTF-8"},
			{"bad sha256", advs[:1], FeedSource{SHA256: "abc"}, "source sha256"},
		} {
			_, err := db.SaveAdvisories(ctx, c.advs, c.src)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: got %v, want ErrInvalid saying %q", c.name, err, c.want)
			}
		}
		if all, err := db.AllAdvisories(ctx); err != nil || len(all) != 0 {
			t.Errorf("refused imports stored %d advisories (%v)", len(all), err)
		}
	})
}

// TestAdvisoryCorpus imports every ICSMA advisory of the corpus and reads
// them back unchanged.
func TestAdvisoryCorpus(t *testing.T) {
	dir := filepath.Join(advisoryCorpus(t), "cisa-csaf-icsma")
	names, err := filepath.Glob(filepath.Join(dir, "icsma-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var advs []*advisory.Advisory
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		a, err := advisory.ParseCSAF(b)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(name), err)
		}
		advs = append(advs, a)
	}
	if len(advs) != 144 {
		t.Fatalf("read %d advisories, want 144", len(advs))
	}
	slices.SortFunc(advs, func(a, b *advisory.Advisory) int { return strings.Compare(a.ID, b.ID) })
	eachDB(t, func(t *testing.T, db *DB) {
		res, err := db.SaveAdvisories(t.Context(), advs, FeedSource{Name: "cisa-csaf-icsma"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 144 {
			t.Errorf("added %d, want 144", res.Added)
		}
		all, err := db.AllAdvisories(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(advs, all, advisoryOpts); diff != "" {
			t.Errorf("corpus read back (-want +got):\n%s", diff)
		}
	})
}
