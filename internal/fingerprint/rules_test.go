package fingerprint

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuiltinRulesLoad(t *testing.T) {
	p, err := Rules()
	if err != nil {
		t.Fatalf("rules.yaml: %v", err)
	}
	if len(p.Rules()) < 50 {
		t.Errorf("got %d rules, want at least 50", len(p.Rules()))
	}
	for _, r := range p.Rules() {
		if r.Line == 0 || len(r.When) == 0 || len(r.Set) == 0 {
			t.Errorf("rule %q: incomplete: %+v", r.ID, r)
		}
	}
	if got := p.Categories(); !containsCategory(got, "ups") {
		t.Errorf("Categories() = %v, want the pack's own \"ups\" among them", got)
	}
}

func containsCategory(cs []Category, name string) bool {
	for _, c := range cs {
		if c.String() == name {
			return true
		}
	}
	return false
}

// TestBadRules loads each testdata/rules/*.bad.yaml and compares the error
// with the one its first line names ("# error: …").
func TestBadRules(t *testing.T) {
	files, err := filepath.Glob("testdata/rules/*.bad.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedError(t, data)
			_, err = LoadRules(data)
			if err == nil {
				t.Fatalf("LoadRules: got no error, want %q", want)
			}
			if got := err.Error(); got != want {
				t.Errorf("LoadRules error:\n got %q\nwant %q", got, want)
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Errorf("error %T is not a *RuleError", err)
			}
		})
	}
}

func expectedError(t *testing.T, data []byte) string {
	t.Helper()
	line, _, _ := bytes.Cut(data, []byte("\n"))
	want, ok := strings.CutPrefix(string(line), "# error: ")
	if !ok {
		t.Fatalf("fixture does not start with \"# error: \": %q", line)
	}
	return want
}

func TestLoadRulesErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"empty", "", "rules: line 1: empty rule pack"},
		{"list at top", "- a\n", "rules: line 1: want a mapping with a rules list"},
		{"no rules", "version: 1\n", "rules: line 1: want a rules list"},
		{"rule not a mapping", "rules:\n  - x\n", "rules: line 2: rule: want a mapping"},
		{"no when", "rules:\n  - id: a\n    set: {os: x}\n", `rules: line 2: rule "a": when: want a list of one or more conditions`},
		{"no test", "rules:\n  - id: a\n    when: [{key: os}]\n    set: {os: x}\n",
			`rules: line 3: rule "a": condition: want one of equals, prefix, contains or regex`},
		{"empty value", "rules:\n  - id: a\n    when: [{key: os, equals: ''}]\n    set: {os: x}\n",
			`rules: line 3: rule "a": equals: want a non-empty string or list of strings`},
		{"two regexes", "rules:\n  - id: a\n    when: [{key: os, regex: [a, b]}]\n    set: {os: x}\n",
			`rules: line 3: rule "a": regex: want one expression`},
		{"named group missing", "rules:\n  - id: a\n    when: [{key: os, regex: '(?P<v>\\d+)'}]\n    set: {os: '${w}'}\n",
			`rules: line 4: rule "a": set os: the regex has no group named "w"`},
		{"bad category name", "categories: [Infusion Pump]\nrules: []\n",
			`rules: line 1: category "Infusion Pump": want lower-case words joined by - or /`},
		{"source not a list", "rules:\n  - id: a\n    when: [{key: os, source: {a: b}, equals: x}]\n    set: {os: x}\n",
			`rules: line 3: rule "a": source: want a name or a list of names`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadRules([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("LoadRules: got no error, want %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("LoadRules error:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestExtraCategory loads a pack that adds a category, as the medical pack
// will, and uses it with a registry condition.
func TestExtraCategory(t *testing.T) {
	data, err := os.ReadFile("testdata/rules/extra-category.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadRules(data)
	if err != nil {
		t.Fatal(err)
	}
	id := p.Identify(mac(0x9c, 0xc8, 0xae, 1, 2, 3), []Attr{a("lldp", "model", "Alaris 8015 PC Unit")})
	got := summary(id)
	want := map[string]string{
		"category": "infusion-pump|85|bd-alaris",
		"model":    "Alaris 8015|85|bd-alaris",
		"vendor":   "BD|60|oui",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Identify mismatch (-want +got):\n%s", diff)
	}
}

// TestRulesDocumented checks that every rule id in rules.yaml appears once
// and in the order Rules returns.
func TestRulesDocumented(t *testing.T) {
	p, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(append(append([]byte{}, rulesYAML...), medicalYAML...)))
	for sc.Scan() {
		if id, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "- id: "); ok {
			ids = append(ids, id)
		}
	}
	var got []string
	for _, r := range p.Rules() {
		got = append(got, r.ID)
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("rule ids mismatch (-file +loaded):\n%s", diff)
	}
}

// headOfPack returns rules.yaml up to its nth rule.
func headOfPack(n int) []byte {
	rest := rulesYAML
	end := 0
	for i := 0; i <= n; i++ {
		j := bytes.Index(rest[end:], []byte("\n  - id: "))
		if j < 0 {
			return rulesYAML
		}
		end += j + 1
	}
	return rulesYAML[:end]
}

func FuzzLoadRules(f *testing.F) {
	// A few rules of the built-in pack, not all of it: the fuzzer minimises
	// each new input, and that takes minutes on a 30 KB file.
	f.Add(headOfPack(2))
	files, _ := filepath.Glob("testdata/rules/*.yaml")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := LoadRules(data)
		if err != nil {
			if p != nil {
				t.Fatal("LoadRules returned a pack and an error")
			}
			return
		}
		for _, r := range p.Rules() {
			if r.ID == "" || len(r.When) == 0 || len(r.Set) == 0 {
				t.Fatalf("incomplete rule accepted: %+v", r)
			}
		}
		p.Identify(mac(0x00, 0x0c, 0x29, 1, 2, 3), []Attr{a("dhcp", "vendor_class", "MSFT 5.0")})
	})
}

// FuzzIdentify runs the built-in pack over arbitrary facts: it must not
// panic, and every guess it makes must name its rule and its reasons.
func FuzzIdentify(f *testing.F) {
	f.Add([]byte{0x00, 0x0c, 0x29, 1, 2, 3}, "snmp", "description",
		"Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version 12.2(25)SEB4, RELEASE SOFTWARE (fc1)")
	f.Add([]byte{0x42, 0xb4, 0x44, 0xb4, 0xf0, 0xee}, "dhcp", "dhcp_fingerprint", "1,121,3,6,15,108,114,119,252,95,44,46")
	f.Add([]byte{}, "ssh", "ssh_banner", "SSH-2.0-OpenSSH_5.8p1 Debian-1ubuntu3")
	f.Add([]byte{}, "mdns", "mdns_txt", "ty=HP LaserJet;usb_MFG=HP")
	f.Add([]byte{}, "smb", "ntlm_os_version", "10.0.22621")
	f.Fuzz(func(t *testing.T, m []byte, source, key, value string) {
		var hw [6]byte
		copy(hw[:], m)
		id := Identify(hw, []Attr{{Source: source, Key: key, Value: value}, a("mdns", "service", "_ipp._tcp")})
		for _, g := range []Guess{id.Vendor, id.Model, id.Category, id.OS, id.Software} {
			if g.Rule == "" {
				if g.Value != "" {
					t.Fatalf("guess %q without a rule", g.Value)
				}
				continue
			}
			if g.Value == "" || len(g.Because) == 0 || g.Confidence == 0 {
				t.Fatalf("incomplete guess %+v", g)
			}
		}
	})
}

func TestHeadOfPackLoads(t *testing.T) {
	p, err := LoadRules(headOfPack(2))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Rules()); got != 2 {
		t.Errorf("got %d rules, want 2", got)
	}
}
