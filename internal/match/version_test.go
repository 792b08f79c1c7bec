package match

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseVersion(t *testing.T) {
	cases := []struct {
		name, in, want string
		known, wild    bool
	}{
		{"dotted", "2.3.6", "2.3.6", true, false},
		{"v prefix", "v2.3.6", "2.3.6", true, false},
		{"V and space", "V 2.3.6", "2.3.6", true, false},
		{"version word", "Version 2.3.6", "2.3.6", true, false},
		{"version colon", "Version: R8.0.3", "R8.0.3", true, false},
		{"rev dot", "Rev. B.06.18", "B.06.18", true, false},
		{"release", "Release 6.3V1L10", "6.3V1L10", true, false},
		{"firmware", "Firmware A.03.09", "A.03.09", true, false},
		{"build in parentheses", "2.3.6 (build 1234)", "2.3.6 build 1234", true, false},
		{"remark in parentheses", "2.01 (end-of-life Nov 2017)", "2.01", true, false},
		{"wholly in parentheses", "(Release 1.0)", "1.0", true, false},
		{"spaces folded", "  4.1   build\t2301 ", "4.1 build 2301", true, false},
		{"v and a tab", "v\t0", "0", true, false},
		{"leading punctuation", "=A0", "A0", true, false},
		{"punctuation and a no-break space", "!\u00a00", "0", true, false},
		{"word and dash", "version -", "", false, false},
		{"words and punctuation", "Ver!FirmwAre", "", false, false},
		{"word, slash and v", "ver/v0", "0", true, false},
		{"many words", "version version version version rev v 2", "2", true, false},
		{"wildcard", "6.x", "6.x", true, true},
		{"wildcard star", "2.*", "2.*", true, true},
		{"wildcard twice", "12.2.x.x", "12.2.x.x", true, true},
		{"digit wildcard", "C.0x", "C.0x", true, true},
		{"service pack", "SP3", "SP3", true, false},
		{"revision letter", "K", "K", true, false},
		{"date", "2019-08-28", "2019-08-28", true, false},
		{"date words", "august 28", "august 28", true, false},
		{"month and year", "May 2018", "May 2018", true, true},
		{"empty", "", "", false, false},
		{"unknown", "Unknown", "Unknown", false, false},
		{"n/a", "N/A", "N/A", false, false},
		{"dash", "-", "-", false, false},
		{"tbc", "TBC", "TBC", false, false},
		{"question mark", "?", "?", false, false},
		{"word only", "Gemini", "Gemini", false, false},
		{"x alone", "x", "x", false, false},
		{"version alone", "version", "", false, false},
		{"v before a word", "vD25", "vD25", true, false},
		{"revel is no rev", "Revel 2", "Revel 2", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := ParseVersion(c.in)
			got := struct {
				S           string
				Known, Wild bool
			}{v.String(), v.Known(), v.Wildcard()}
			want := struct {
				S           string
				Known, Wild bool
			}{c.want, c.known, c.wild}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseVersion(%q) (-want +got):\n%s", c.in, diff)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	const na = 9 // not comparable: Cmp's ok is false
	cases := []struct {
		name, a, b string
		want       int
	}{
		{"equal", "2.3.6", "2.3.6", 0},
		{"numeric not lexical", "1.10", "1.9", 1},
		{"leading zeros", "B.02.15", "B.2.15", 0},
		{"missing segments are zero", "2.3", "2.3.0", 0},
		{"missing segments zero twice", "2.3", "2.3.0.0", 0},
		{"longer is later", "2.3", "2.3.1", -1},
		{"v prefix ignored", "v2.3.6", "2.3.6", 0},
		{"case of letters", "c.00.04", "C.00.04", 0},
		{"letter scheme", "B.06.18", "C.00.04", -1},
		{"letter scheme by letter first", "B.12", "C.00.04", -1},
		{"lone revision letters", "K", "N", -1},
		{"revision letter and its parts", "N.01", "N", 1},
		{"same prefix", "BT02", "BT06", -1},
		{"same prefix spaced", "HD 16", "HD23", -1},
		{"stream prefixes differ", "U61", "L81", na},
		{"letter against number", "B.02.15", "2.3", na},
		{"digit letter digit", "16D38", "16D40", -1},
		{"digit letter digit against plain", "16D38", "16", 1},
		{"letter suffix", "2.4A", "2.4", 1},
		{"letter suffix order", "2.4A", "2.4B", -1},
		{"letter suffix against number", "2.4A", "2.4.1", na},
		{"pre-release", "1.2.3-beta", "1.2.3", -1},
		{"pre-release against patch", "1.2.3-beta", "1.2.3.1", -1},
		{"rc after beta", "1.2.3-rc1", "1.2.3-beta2", 1},
		{"build after base", "4.1 build 2301", "4.1", 1},
		{"build before next", "4.1 build 2301", "4.1.1", -1},
		{"builds", "4.1 build 2301", "4.1 build 2400", -1},
		{"build underscores", "2023.3_Build_9342", "2023.3 build 9000", 1},
		{"service packs", "7 SP2", "7 SP1", 1},
		{"service pack after base", "7 SP1", "7", 1},
		{"service pack words", "1.8.4 Service Pack 01", "1.8.4 SP1", 0},
		{"service release", "4.20 SR1", "4.20", 1},
		{"different markers", "1.1.3 MR Build 11", "1.1.3 Build 10", na},
		{"long numbers", "4107600010.23", "4107600010.3", 1},
		{"huge numbers", "123456789012345678901234567890", "123456789012345678901234567891", -1},
		{"dates", "2019-08-28", "august 28 2019", 0},
		{"dates ordered", "July 1 2017", "2017-06-30", 1},
		{"day and month", "august 28", "august 29", -1},
		{"day and month against date", "august 28", "2017-08-28", na},
		{"date against number", "2019-08-28", "2019.08", na},
		{"slashed date", "8/30/2024", "2024-08-30", 0},
		{"day first slashed date", "30/8/2024", "2024-08-30", 0},
		{"wildcard covers", "2.x", "2.3", 0},
		{"wildcard before", "2.x", "3.0", -1},
		{"wildcard after", "2.x", "1.9.9", 1},
		{"digit wildcard covers", "C.0x", "C.03", 0},
		{"digit wildcard before", "C.0x", "C.10", -1},
		{"unknown", "unknown", "2.3", na},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := ParseVersion(c.a), ParseVersion(c.b)
			got, ok := a.Cmp(b)
			if !ok {
				got = na
			}
			if got != c.want {
				t.Errorf("%q.Cmp(%q) = %d, %v; want %d", c.a, c.b, got, ok, c.want)
			}
			if x, y := a.Compare(b), b.Compare(a); x != -y {
				t.Errorf("Compare not antisymmetric: %q vs %q gives %d and %d", c.a, c.b, x, y)
			}
			if ok && a.Compare(b) != got {
				t.Errorf("Compare(%q, %q) = %d, Cmp says %d", c.a, c.b, a.Compare(b), got)
			}
		})
	}
}

// versionSeeds are versions for the fuzz targets and benchmarks, as
// registers and advisories write them.
var versionSeeds = []string{
	"2.3.6", "v2.3.6", "V 2.3.6", "B.06.18", "Rev. B.06.18", "2.3.6 (build 1234)", "6.x",
	"SP3", "unknown", "N/A", "-", "", "16D38", "12.2.x.x", "C.0x", "7 SP2",
	"1.8.4 Service Pack 01", "1.2.3-beta", "4.1 build 2301", "4.1.0.2301", "august 28",
	"2019-08-28", "8/30/2024", "May 2018", "K", "U61", "L81", "HD 16", "2023.3_Build_9342",
	"5.17.1-754993421", "1.4.2.0-9d9eff4", "(Release 1.3.2)", "v22D28", "vD25", "2.4A",
	"123456789012345678901234567890", "1.1.3 MR Build 11",
}

func FuzzParseVersion(f *testing.F) {
	for i, a := range versionSeeds {
		f.Add(a, versionSeeds[(i*7+3)%len(versionSeeds)])
	}
	for _, s := range goldenNames(f) {
		f.Add(s, "2.3.6")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, vb := ParseVersion(a), ParseVersion(b)
		if x, y := va.Compare(vb), vb.Compare(va); x != -y {
			t.Errorf("Compare(%q, %q) = %d, reversed %d", a, b, x, y)
		}
		if c := va.Compare(va); c != 0 {
			t.Errorf("Compare(%q, itself) = %d", a, c)
		}
		x, okx := va.Cmp(vb)
		y, oky := vb.Cmp(va)
		if okx != oky || x != -y {
			t.Errorf("Cmp(%q, %q) = %d, %v; reversed %d, %v", a, b, x, okx, y, oky)
		}
		again := ParseVersion(va.String())
		if again.String() != va.String() || again.Known() != va.Known() {
			t.Errorf("ParseVersion(%q) = %q, and again %q", a, va, again)
		}
		if c, ok := again.Cmp(va); va.Known() && (!ok || c != 0) {
			t.Errorf("%q re-parsed compares %d, %v with itself", a, c, ok)
		}
	})
}

func BenchmarkParseVersion(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ParseVersion(versionSeeds[i%len(versionSeeds)])
	}
}

func BenchmarkCompare(b *testing.B) {
	x, y := ParseVersion("12.2.8.410"), ParseVersion("12.2.8.409")
	b.ReportAllocs()
	for b.Loop() {
		x.Compare(y)
	}
}
