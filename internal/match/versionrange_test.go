package match

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// updateGolden rewrites golden files instead of comparing with them:
// go test ./internal/match -run TestRangeGolden -update
var updateGolden = flag.Bool("update", false, "rewrite golden files")

const rangeGolden = "testdata/versions/icsma-ranges.golden"

func TestParseRange(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"vers all", "vers:all/*", "all"},
		{"vers none", "vers:none/*", "vers:none/*"},
		{"vers interval", "vers:generic/>=1.0|<2.0", "vers:generic/>=1.0|<2.0"},
		{"vers spaces", "vers:semver/ >= 1.0 | < 2.0 ", "vers:generic/>=1.0|<2.0"},
		{"vers star", "vers:generic/*", "all"},
		{"vers exclusion only", "vers:generic/!=1.0", "vers:generic/!=1.0"},
		{"vers percent", "vers:generic/1.0%7C2", "vers:generic/1.0%7C2"},
		{"vers empty", "vers:generic/", "unknown"},
		{"vers spaced comparator", "vers:0/< =A0", "vers:generic/<A0"},
		{"vers no scheme", "vers:/1.0", "unknown"},
		{"nvd letters", "vers:generic/<=c.00.04", "vers:generic/<=c.00.04"},
		{"le", "<= 2.3.6", "vers:generic/<=2.3.6"},
		{"le glued", "<=2.3.5", "vers:generic/<=2.3.5"},
		{"lt letter scheme", "< B.06.18", "vers:generic/<B.06.18"},
		{"cisa interval", ">= 4.4 | <= 4.12", "vers:generic/>=4.4|<=4.12"},
		{"interval written upper first", "<= 4.12 | >= 4.4", "vers:generic/>=4.4|<=4.12"},
		{"pairs written lower first first", "<7 0<0", "vers:generic/<7|>=0|<=0"},
		{"disjoint bounds stay a union", "<= 1.0 | >= 2.0", "vers:generic/<=1.0|>=2.0"},
		{"wildcard bound", "<= 12.2.x.x", "vers:generic/<=12.2.x.x"},
		{"two streams", "<= U61 |<= L81", "vers:generic/<=U61|<=L81"},
		{"date", "< august 28", "vers:generic/<august 28"},
		{"pipe union", "1.1 | 1.2 | 1.4 | 1.5", "vers:generic/1.1|1.2|1.4|1.5"},
		{"single", "1.1", "vers:generic/1.1"},
		{"wildcard", "5.x.x", "vers:generic/5.x.x"},
		{"trailing model", "v6.x model 35700BAX", "vers:generic/6.x"},
		{"model number is no version", "882390 Gemini GXL 6 Slice", "unknown"},
		{"edition is no version", "2nd Edition", "unknown"},
		{"product name", "Accu-Chek Inform II", "unknown"},
		{"nested remark", "6.x (Wireless Battery Modules (16 | 16D38 | >= 20D29 | <= v20D32)",
			"vers:generic/6.x"},
		{"prior to", "prior to 4.1", "vers:generic/<4.1"},
		{"versions before", "versions before 3.0", "vers:generic/<3.0"},
		{"all versions", "All versions", "all"},
		{"all", "all", "all"},
		{"star with remark", "* (end-of-life 2011)", "all"},
		{"and later", "3.2 and later", "vers:generic/>=3.2"},
		{"or newer", "3.2 or newer", "vers:generic/>=3.2"},
		{"plus", "3.2+", "vers:generic/>=3.2"},
		{"and prior", "3.2 and prior", "vers:generic/<=3.2"},
		{"and prior versions", "Version 9.5 and prior versions", "vers:generic/<=9.5"},
		{"and all prior", "2.0 and all prior versions", "vers:generic/<=2.0"},
		{"and below", "2.3.6 and  below", "vers:generic/<=2.3.6"},
		{"up to", "up to 2.1", "vers:generic/<=2.1"},
		{"up to and including", "up to and including 2.1", "vers:generic/<=2.1"},
		{"earlier than", "earlier than 5", "vers:generic/<5"},
		{"through", "through 5.4", "vers:generic/<=5.4"},
		{"to", "5.0 to 5.4", "vers:generic/>=5.0|<=5.4"},
		{"through interval", "Versions 4.4 through 4.12", "vers:generic/>=4.4|<=4.12"},
		{"through to", "Versions 1.3.4 through to 1.5.3", "vers:generic/>=1.3.4|<=1.5.3"},
		{"between", "between 1.0 and 2.0", "vers:generic/>=1.0|<=2.0"},
		{"from to", "from 1.0 to 2.0", "vers:generic/>=1.0|<=2.0"},
		{"spaced dash", "5.0 - 5.4", "vers:generic/>=5.0|<=5.4"},
		{"backwards interval", "5.4 to 5.0", "vers:generic/>=5.0|<=5.4"},
		{"incomparable interval", "B.01 to 2.0", "unknown"},
		{"versions wildcard", "versions 2.x", "vers:generic/2.x"},
		{"all versions prior to", "all versions prior to v8.2.2", "vers:generic/<8.2.2"},
		{"R and below", "R2.1 and below", "vers:generic/<=R2.1"},
		{"spaced v", "<= V 2.3.6", "vers:generic/<=2.3.6"},
		{"spaced prefix", "HD 16 | HD23", "vers:generic/HD 16|HD23"},
		{"service pack", "< 1.8.4 Service Pack 01", "vers:generic/<1.8.4 Service Pack 01"},
		{"build", "4.1 build 2301", "vers:generic/4.1 build 2301"},
		{"or union", "4.1 or 4.2", "vers:generic/4.1|4.2"},
		{"and union", "1.1.7.333 and 2.1.1.3069", "vers:generic/1.1.7.333|2.1.1.3069"},
		{"comma union", "4.1, 4.2; 4.3", "vers:generic/4.1|4.2|4.3"},
		{"spaced list", "(Release 1.3.2 1.4.0 1.4.1)", "vers:generic/1.3.2|1.4.0|1.4.1"},
		{"revision letters", "Rev B-M", "vers:generic/>=B|<=M"},
		{"cisa to shorthand", "A.01 <= C.0x | 4.0", "vers:generic/>=A.01|<=C.0x|4.0"},
		{"cisa and shorthand", "A10 < A11", "vers:generic/>=A10|<=A11"},
		{"model before version", "<= S4 A.07.107", "vers:generic/<=A.07.107"},
		{"labelled parts", "Version A, Firmware A.03.09, Part #: M8096-67501",
			"vers:generic/A|A.03.09"},
		{"trailing remark", "<=11.2 on Windows 8.1 with IIS 7.5", "vers:generic/<=11.2"},
		{"date with comma", "distributed  < april 1, 2018", "vers:generic/<april 1, 2018"},
		{"except", "all versions except 4.2", "vers:generic/!=4.2"},
		{"and with bounds", ">= 2.0 and < 3.0", "vers:generic/>=2.0|<3.0"},
		{"unknown word", "Windows 10 Professional", "unknown"},
		{"remark only", "with wireless option (shipped 2018)", "unknown"},
		{"empty", "", "unknown"},
		{"n/a", "N/A", "unknown"},
		{"dash", "-", "unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ParseRange(c.in)
			if got := r.String(); got != c.want {
				t.Errorf("ParseRange(%q) = %s, want %s", c.in, got, c.want)
			}
			if r.Known() != (c.want != "unknown") {
				t.Errorf("ParseRange(%q).Known() = %v", c.in, r.Known())
			}
		})
	}
}

func TestContains(t *testing.T) {
	cases := []struct {
		name, rng, ver string
		want           Verdict
	}{
		{"le in", "<= 2.3.6", "2.3.6", VersionIn},
		{"le in below", "<= 2.3.6", "v2.3.5", VersionIn},
		{"le out", "<= 2.3.6", "2.3.7", VersionOut},
		{"le zero padding", "<= 2.3.6", "2.3.6.0", VersionIn},
		{"lt equal is out", "< 2.4.0", "2.4", VersionOut},
		{"lt letter scheme", "< B.06.18", "B.06.17", VersionIn},
		{"lt letter scheme by letter", "< B.06.18", "A.09.99", VersionIn},
		{"lt letter scheme out", "< B.06.18", "C.00.01", VersionOut},
		{"letter against number", "< B.06.18", "2.3", VersionUnknown},
		{"nvd lower case", "vers:generic/<=c.00.04", "C.00.04", VersionIn},
		{"interval in", ">= 4.4 | <= 4.12", "4.10", VersionIn},
		{"interval below", ">= 4.4 | <= 4.12", "4.3", VersionOut},
		{"interval above", ">= 4.4 | <= 4.12", "4.13", VersionOut},
		{"vers interval", "vers:generic/>=1.0|<2.0", "1.9.9", VersionIn},
		{"vers interval end", "vers:generic/>=1.0|<2.0", "2.0", VersionOut},
		{"vers union", "vers:generic/<1.0|>=2.0|<3.0", "2.5", VersionIn},
		{"vers union gap", "vers:generic/<1.0|>=2.0|<3.0", "1.5", VersionOut},
		{"vers exclusion", "vers:generic/>=1.0|<2.0|!=1.5", "1.5", VersionOut},
		{"vers exclusion other", "vers:generic/>=1.0|<2.0|!=1.5", "1.6", VersionIn},
		{"vers none", "vers:none/*", "1.0", VersionOut},
		{"all", "vers:all/*", "7.1", VersionIn},
		{"all with unknown version", "vers:all/*", "unknown", VersionUnknown},
		{"all except", "all versions except 4.2", "4.2", VersionOut},
		{"all except other", "all versions except 4.2", "4.3", VersionIn},
		{"wildcard exact", "2.X", "2.7.1", VersionIn},
		{"wildcard exact out", "2.X", "3.0", VersionOut},
		{"wildcard exact major only", "2.X", "2", VersionIn},
		{"wildcard upper", "<= 12.2.x.x", "12.2.9.410", VersionIn},
		{"wildcard upper out", "<= 12.2.x.x", "12.3", VersionOut},
		{"wildcard strict upper", "< 3.x", "2.9", VersionIn},
		{"wildcard strict upper out", "< 3.x", "3.0.1", VersionOut},
		{"digit wildcard", "A.01 <= C.0x | 4.0", "C.05", VersionIn},
		{"digit wildcard above", "A.01 <= C.0x | 4.0", "C.10", VersionOut},
		{"digit wildcard letter", "A.01 <= C.0x | 4.0", "B.02", VersionIn},
		{"digit wildcard other alternative", "A.01 <= C.0x | 4.0", "4.0", VersionIn},
		{"device wildcard inside", "<= 7", "6.x", VersionIn},
		{"device wildcard outside", "< 6", "6.x", VersionOut},
		{"device wildcard straddles", "<= 6.2", "6.x", VersionUnknown},
		{"device wildcard same", "6.x", "6.x", VersionIn},
		{"revision letter upper", "<=N", "N.01", VersionIn},
		{"revision letter upper below", "<=N", "M", VersionIn},
		{"revision letter upper above", "<=N", "P.01", VersionOut},
		{"revision letters", "Rev J-M", "M.02", VersionIn},
		{"revision letters below", "Rev J-M", "H", VersionOut},
		{"streams in", "<= U61 |<= L81", "L70", VersionIn},
		{"streams out", "<= U61 |<= L81", "L90", VersionOut},
		{"streams out us", "<= U61 |<= L81", "U62", VersionOut},
		{"stream foreign", "<= L81", "U60", VersionUnknown},
		{"same prefix", ">=BT02 | <= BT06", "BT04", VersionIn},
		{"spaced prefix", "HD 16 | HD23", "HD16", VersionIn},
		{"letter suffix", "<= 2.4A", "2.4", VersionIn},
		{"letter suffix above", "<= 2.4A", "2.4B", VersionOut},
		{"letter suffix unordered", "<= 2.4A", "2.4.1", VersionUnknown},
		{"exact unordered is out", "1.1.3 MR Build 11", "1.1.3 Build 10", VersionOut},
		{"exact build", "1.1.3 Build 10", "1.1.3 build 10", VersionIn},
		{"service pack below", "< 1.8.4 Service Pack 01", "1.8.4", VersionIn},
		{"service pack equal", "< 1.8.4 Service Pack 01", "1.8.4 SP1", VersionOut},
		{"build of the bound", "<= 4.1", "4.1 build 2301", VersionIn},
		{"build of the single version", "2.3.6", "2.3.6 build 9", VersionIn},
		{"build after exclusive lower", "> 2.3.6", "2.3.6 build 5", VersionOut},
		{"build of exclusive upper", "< 2.3.6", "2.3.6 build 5", VersionOut},
		{"service pack of the bound", "<= 9.5", "9.5 SP1", VersionUnknown},
		{"service pack of the single version", "1.1.3", "1.1.3 MR Build 11", VersionUnknown},
		{"service pack above lower", ">= 9.5", "9.5 SP1", VersionIn},
		{"build of a later version", "<= 4.1", "4.1.1 build 3", VersionOut},
		{"pre-release", "< 1.2.3", "1.2.3-beta", VersionIn},
		{"date", "< august 28", "august 1", VersionIn},
		{"date against number", "< august 28", "2.3", VersionUnknown},
		{"date against dated", "< august 28", "2017-08-01", VersionUnknown},
		{"dated", "distributed  < april 1, 2018", "2018-03-31", VersionIn},
		{"dated out", "distributed  < april 1, 2018", "4/1/2018", VersionOut},
		{"month", "<May 2018", "2018-04-30", VersionIn},
		{"month out", "<May 2018", "2018-05-02", VersionOut},
		{"trailing model", "v6.x model 35700BAX", "6.2", VersionIn},
		{"unknown range", "882390 Gemini GXL 6 Slice", "6", VersionUnknown},
		{"unknown version", "<= 2.3.6", "N/A", VersionUnknown},
		{"register rev", "< B.06.18", "Rev. B.06.10", VersionIn},
		{"register build", "<= 2.3.6", "2.3.6 (build 1234)", VersionIn},
		{"zero range", "", "1.0", VersionUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ParseRange(c.rng).Contains(ParseVersion(c.ver))
			if got != c.want {
				t.Errorf("ParseRange(%q).Contains(%q) = %v, want %v", c.rng, c.ver, got, c.want)
			}
		})
	}
}

func TestRangeZero(t *testing.T) {
	var r Range
	if r.Known() || r.All() || r.Contains(ParseVersion("1.0")) != VersionUnknown {
		t.Errorf("zero Range: Known %v All %v", r.Known(), r.All())
	}
	if got := r.String(); got != "unknown" {
		t.Errorf("zero Range String() = %q, want unknown", got)
	}
}

func TestExplain(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<= 2.3.6", "versions up to and including 2.3.6"},
		{"< 8.2.2", "versions before 8.2.2"},
		{">= 2.0", "version 2.0 and later"},
		{">= 4.4 | <= 4.12", "versions from 4.4 up to and including 4.12"},
		{">= 1.3.4 | < 1.5.3", "versions from 1.3.4 up to but excluding 1.5.3"},
		{"4.20 | 4.20 SR1 | 4.30", "version 4.20, version 4.20 SR1 or version 4.30"},
		{"5.x.x", "versions 5.x.x"},
		{"vers:all/*", "all versions"},
		{"all versions except 4.2", "all versions except version 4.2"},
		{"2nd Edition", `versions written "2nd Edition", which could not be read`},
	}
	for _, c := range cases {
		if got := ParseRange(c.in).Explain(); got != c.want {
			t.Errorf("ParseRange(%q).Explain() = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestVerdictString(t *testing.T) {
	got := []string{VersionIn.String(), VersionOut.String(), VersionUnknown.String()}
	if diff := cmp.Diff([]string{"in", "out", "unknown"}, got); diff != "" {
		t.Errorf("Verdict strings (-want +got):\n%s", diff)
	}
}

// versionCorpus is the shared corpus folder sub, or skips the test when
// it is absent (fails with WARD_REQUIRE_CORPUS=1).
func versionCorpus(tb testing.TB, sub string) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WARD_REQUIRE_CORPUS") == "1" {
			tb.Fatalf("corpus %s required (WARD_REQUIRE_CORPUS=1): %v", dir, err)
		}
		tb.Skipf("corpus %s absent (%v); set WARD_REQUIRE_CORPUS=1 to fail instead", dir, err)
	}
	return dir
}

// branchName is a product_version or product_version_range branch.
type branchName struct {
	Category, Name string
}

// icsmaVersionNames reads every product_version and product_version_range
// branch name of the ICSMA documents, in document order with repeats.
func icsmaVersionNames(tb testing.TB) []branchName {
	tb.Helper()
	dir := versionCorpus(tb, filepath.Join("advisories", "cisa-csaf-icsma"))
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("list %s: %d files, %v", dir, len(files), err)
	}
	var names []branchName
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var doc struct {
			ProductTree struct {
				Branches []csafBranch `json:"branches"`
			} `json:"product_tree"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			tb.Fatalf("read %s: %v", f, err)
		}
		names = appendVersionNames(names, doc.ProductTree.Branches)
	}
	return names
}

type csafBranch struct {
	Category string       `json:"category"`
	Name     string       `json:"name"`
	Branches []csafBranch `json:"branches"`
}

func appendVersionNames(out []branchName, bs []csafBranch) []branchName {
	for _, b := range bs {
		if b.Category == "product_version" || b.Category == "product_version_range" {
			out = append(out, branchName{b.Category, b.Name})
		}
		out = appendVersionNames(out, b.Branches)
	}
	return out
}

func TestCorpusRanges(t *testing.T) {
	names := icsmaVersionNames(t)
	known := map[string][2]int{} // category: known, total
	for _, n := range names {
		r := ParseRange(n.Name)
		k := known[n.Category]
		if r.Known() {
			k[0]++
		}
		k[1]++
		known[n.Category] = k
		if r.Known() && r.String() != ParseRange(r.String()).String() {
			t.Errorf("%q reads as %s, which reads back as %s", n.Name, r, ParseRange(r.String()))
		}
	}
	for _, c := range []struct {
		category string
		floor    float64
	}{{"product_version_range", 1.0}, {"product_version", 0.85}} {
		k := known[c.category]
		share := float64(k[0]) / float64(k[1])
		t.Logf("%s: %d of %d known (%.1f%%)", c.category, k[0], k[1], 100*share)
		if share < c.floor {
			t.Errorf("%s: %.3f known, want at least %.2f", c.category, share, c.floor)
		}
	}
}

// TestRangeGolden lists every distinct version branch name of the ICSMA
// corpus with its reading, for reviewers: regenerate with -update.
func TestRangeGolden(t *testing.T) {
	names := icsmaVersionNames(t)
	seen := map[branchName]bool{}
	var distinct []branchName
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			distinct = append(distinct, n)
		}
	}
	slices.SortFunc(distinct, func(a, b branchName) int {
		return strings.Compare(a.Category+"\x00"+a.Name, b.Category+"\x00"+b.Name)
	})
	var b strings.Builder
	b.WriteString("# Every distinct product_version and product_version_range branch name of the\n")
	b.WriteString("# 144 ICSMA documents, with ParseRange's String() and Explain().\n")
	b.WriteString("# Regenerate: go test ./internal/match -run TestRangeGolden -update\n")
	for _, n := range distinct {
		r := ParseRange(n.Name)
		fmt.Fprintf(&b, "\n%s %s\n\t%s\n\t%s\n", n.Category, strconv.Quote(n.Name), r, r.Explain())
	}
	got := b.String()
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(rangeGolden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(rangeGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(rangeGolden)
	if err != nil {
		t.Fatalf("read golden (regenerate with -update): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); regenerate with -update if intended:\n%s",
			rangeGolden, diff)
	}
}

// goldenNames reads the branch names listed in the golden file, for
// fuzz seeds that need no corpus.
func goldenNames(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open(rangeGolden)
	if err != nil {
		tb.Fatalf("open %s: %v", rangeGolden, err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "product_version") {
			continue
		}
		_, quoted, _ := strings.Cut(line, " ")
		if s, err := strconv.Unquote(quoted); err == nil {
			out = append(out, s)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// rangeSeeds are range forms beyond the ICSMA corpus.
var rangeSeeds = []string{
	"vers:generic/>=1.0|<2.0", "vers:generic/<=c.00.04", "vers:generic/!=1.0", "vers:none/*",
	"prior to 4.1", "versions before 3.0", "all versions", "3.2 and later", "3.2 and prior",
	"up to 2.1", "earlier than 5", "through 5.4", "5.0 to 5.4", "versions 2.x",
	"all versions prior to v8.2.2", "R2.1 and below", "SP2", "Service Pack 3",
	"4.1 build 2301", "4.1.0.2301", "between 1.0 and 2.0", "all versions except 4.2",
	"3.2+", "5.0 – 5.4", "≤ 2.0", "(((", ")))", "vers:generic/%7C|%zz",
}

// ci-fuzz: 30000x
func FuzzParseRange(f *testing.F) {
	for i, s := range goldenNames(f) {
		f.Add(s, versionSeeds[i%len(versionSeeds)])
	}
	for i, s := range rangeSeeds {
		f.Add(s, versionSeeds[(i*5+1)%len(versionSeeds)])
	}
	f.Fuzz(func(t *testing.T, s, ver string) {
		r := ParseRange(s)
		v := ParseVersion(ver)
		got := r.Contains(v)
		_ = r.Explain()
		if !r.Known() {
			if got != VersionUnknown {
				t.Errorf("unknown range %q says %v of %q", s, got, ver)
			}
			return
		}
		again := ParseRange(r.String())
		if again.String() != r.String() {
			t.Errorf("%q reads as %s, which reads back as %s", s, r, again)
		}
		if g := again.Contains(v); g != got {
			t.Errorf("%q says %v of %q, its String %s says %v", s, got, ver, r, g)
		}
	})
}

func BenchmarkContains(b *testing.B) {
	ranges := []Range{
		ParseRange("<= 2.3.6"), ParseRange(">= 4.4 | <= 4.12"), ParseRange("< B.06.18"),
		ParseRange("1.1 | 1.2 | 1.4 | 1.5"), ParseRange("vers:generic/>=1.0|<2.0"),
		ParseRange("<= 12.2.x.x"), ParseRange("<= U61 |<= L81"), ParseRange("vers:all/*"),
	}
	versions := []Version{
		ParseVersion("2.3.5"), ParseVersion("4.10"), ParseVersion("B.06.17"),
		ParseVersion("1.4"), ParseVersion("1.9.9"), ParseVersion("12.2.8.410"),
		ParseVersion("L70"), ParseVersion("7.1"),
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % len(ranges)
		ranges[k].Contains(versions[k])
	}
}

func BenchmarkParseRange(b *testing.B) {
	in := append(slices.Clone(rangeSeeds), ">= 4.4 | <= 4.12", "<= 2.3.6", "A.01 <= C.0x | 4.0")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ParseRange(in[i%len(in)])
	}
}
