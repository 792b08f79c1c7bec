package advisory

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCVSS(t *testing.T) {
	tests := []struct {
		name            string
		version, vector string
		base            float64
		severity        string
		wantVersion     string // "" means version
	}{
		// The scores NVD publishes for these vectors (the corpus's NVD
		// records; CVE-2021-44228 is the 10.0).
		{"3.1 network critical", "3.1",
			"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "CRITICAL", ""},
		{"3.1 scope changed", "",
			"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "CRITICAL", "3.1"},
		{"3.1 adjacent", "3.1", "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8, "HIGH", ""},
		{"3.1 adjacent high complexity", "3.1",
			"CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 7.5, "HIGH", ""},
		{"3.1 no impact", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0, "NONE", ""},
		{"3.1 temporal ignored", "3.1",
			"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R", 9.8, "CRITICAL", ""},
		// ICSMA documents' own baseScores.
		{"icsma-17-009-01a", "3.0",
			"CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:L/I:H/A:H", 8.9, "HIGH", ""},
		{"icsma-19-255-01", "3.0",
			"CVSS:3.0/AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:H", 6.4, "MEDIUM", ""},
		{"icsma-20-163-01", "", "CVSS:3.0/AV:A/AC:H/PR:H/UI:N/S:U/C:L/I:N/A:N", 2.0, "LOW", "3.0"},
		{"icsma-18-219-01", "3.0",
			"CVSS:3.0/AV:A/AC:H/PR:L/UI:N/S:C/C:L/I:L/A:N", 4.4, "MEDIUM", ""},
		{"icsma-19-080-01", "3.0",
			"CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:H", 9.3, "CRITICAL", ""},
		{"icsma-23-194-01", "3.0",
			"CVSS:3.0/AV:A/AC:L/PR:L/UI:R/S:C/C:H/I:L/A:N", 6.9, "MEDIUM", ""},
		// NVD's v2 scores (CVE-2020-6961, CVE-2021-32993), a classic XSS.
		{"2.0 network", "2.0", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "HIGH", ""},
		{"2.0 adjacent", "", "AV:A/AC:L/Au:N/C:P/I:P/A:P", 5.8, "MEDIUM", "2.0"},
		{"2.0 xss", "2", "AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, "MEDIUM", "2.0"},
		{"2.0 complete", "2.0", "AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, "HIGH", ""},
		// Worked by hand from the v2 equations: 0.8.
		{"2.0 local low", "2.0", "AV:L/AC:H/Au:M/C:N/I:N/A:P", 0.8, "LOW", ""},
		{"2.0 prefixed", "", "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "HIGH", "2.0"},
		{"2.0 parenthesised", "2.0", "(AV:N/AC:L/Au:N/C:P/I:P/A:P)", 7.5, "HIGH", ""},
		// CVSS v4.0, FIRST's calculator and the specification's examples.
		{"4.0 high", "4.0",
			"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "CRITICAL", ""},
		{"4.0 all high", "",
			"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10, "CRITICAL", "4.0"},
		{"4.0 none", "4.0",
			"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0, "NONE", ""},
		{"4.0 local", "4",
			"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5, "HIGH", "4.0"},
		{"4.0 attack requirements", "4.0",
			"CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 7.7, "HIGH", ""},
		// The threat metric lowers the CVSS-BT score (9.1), not the base.
		{"4.0 threat ignored", "4.0",
			"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U", 10, "CRITICAL", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCVSS(tt.version, tt.vector)
			if err != nil {
				t.Fatal(err)
			}
			v := tt.wantVersion
			if v == "" {
				v = tt.version
			}
			want := Score{Version: v, Vector: tt.vector, Base: tt.base, Severity: tt.severity}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseCVSS(%q, %q) (-want +got):\n%s", tt.version, tt.vector, diff)
			}
		})
	}
}

func TestParseCVSSErrors(t *testing.T) {
	tests := []struct {
		name, version, vector, want string
	}{
		{"unknown version", "3.2",
			"CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `unknown cvss version "3.2"`},
		{"prefix disagrees", "3.0",
			"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `the vector is version "3.1"`},
		{"bad metric", "3.1",
			"CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "parse cvss 3.1 vector"},
		{"missing metric", "", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "parse cvss 3.1 vector"},
		{"v2 garbage", "2.0", "AV:N/AC:L", "parse cvss 2.0 vector"},
		{"v4 short", "", "CVSS:4.0/AV:N/AC:L", "parse cvss 4.0 vector"},
		{"empty", "", "", "parse cvss 2.0 vector"},
		{"too long", "", "CVSS:3.1/" + strings.Repeat("AV:N/", 200), "over the limit of 512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseCVSS(tt.version, tt.vector)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseCVSS(%q, %q): got %v, %v; want an error containing %q",
					tt.version, tt.vector, s, err, tt.want)
			}
		})
	}
}

func TestScoreString(t *testing.T) {
	s, err := ParseCVSS("", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), "9.8 CRITICAL (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzParseCVSS(f *testing.F) {
	for _, seed := range [][2]string{
		{"3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		{"3.0", "CVSS:3.0/AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:H"},
		{"2.0", "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
		{"", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U"},
		{"", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, version, vector string) {
		s, err := ParseCVSS(version, vector)
		if err != nil {
			return
		}
		if s.Base < 0 || s.Base > 10 {
			t.Errorf("%q: base %v out of 0–10", vector, s.Base)
		}
		switch s.Version {
		case "2.0", "3.0", "3.1", "4.0":
		default:
			t.Errorf("%q: version %q", vector, s.Version)
		}
		if s.Severity != severity(s.Version, s.Base) {
			t.Errorf("%q: severity %q for %v", vector, s.Severity, s.Base)
		}
	})
}

func BenchmarkParseCVSS(b *testing.B) {
	vectors := []string{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:3.0/AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:H",
		"AV:N/AC:L/Au:N/C:P/I:P/A:P",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, v := range vectors {
			if _, err := ParseCVSS("", v); err != nil {
				b.Fatal(err)
			}
		}
	}
}
