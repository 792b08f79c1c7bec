package segment

import (
	"bytes"
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wardhq/ward/internal/fingerprint"
)

// The flag is not "-update": other tests of the package may have one.
var updatePolicies = flag.Bool("updatePolicies", false, "rewrite testdata/policies/*.bad.want")

// policyCmp compares policies as Parse and Marshal promise to keep them:
// Line fields aside.
var policyCmp = cmp.Options{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
	cmpopts.IgnoreFields(Zone{}, "Line"),
	cmpopts.IgnoreFields(Rule{}, "Line"),
	cmpopts.IgnoreFields(Conduit{}, "Line"),
}

// policyFiles returns the testdata policies: the good ones, or the bad.
func policyFiles(t testing.TB, bad bool) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "policies", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, ".bad.yaml") == bad {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no policies in testdata/policies (bad %v)", bad)
	}
	return out
}

func readPolicy(t testing.TB, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkRoundTrip checks that p survives Marshal and Parse, that Marshal is
// a fixed point and that the digest does not move.
func checkRoundTrip(t testing.TB, p *Policy) {
	t.Helper()
	out, err := Marshal(p)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := Parse(out, "marshalled")
	if err != nil {
		t.Fatalf("Parse(Marshal(p)): %v\n%s", err, out)
	}
	if diff := cmp.Diff(p, back, policyCmp); diff != "" {
		t.Fatalf("Parse(Marshal(p)) differs (-p +back):\n%s\n%s", diff, out)
	}
	again, err := Marshal(back)
	if err != nil {
		t.Fatalf("Marshal(back): %v", err)
	}
	if !bytes.Equal(out, again) {
		t.Errorf("Marshal is not a fixed point:\n%s\n---\n%s", out, again)
	}
	if got, want := back.Digest(), p.Digest(); got != want {
		t.Errorf("digest after the round trip: got %s, want %s", got, want)
	}
}

func TestParseGoodPolicies(t *testing.T) {
	for _, file := range policyFiles(t, false) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			p, err := Parse(readPolicy(t, file), filepath.Base(file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := p.Validate(); err != nil {
				t.Errorf("Validate of a parsed policy: %v", err)
			}
			checkRoundTrip(t, p)
		})
	}
}

func TestParseBadPolicies(t *testing.T) {
	for _, file := range policyFiles(t, true) {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			_, err := Parse(readPolicy(t, file), name)
			if err == nil {
				t.Fatal("Parse: got no error")
			}
			var pe *PolicyError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("got %T %v, want a *PolicyError that is ErrInvalidPolicy", err, err)
			}
			got := err.Error() + "\n"
			wantFile := strings.TrimSuffix(file, ".yaml") + ".want"
			if *updatePolicies {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := string(readPolicy(t, wantFile))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("errors differ from %s (-want +got):\n%s", wantFile, diff)
			}
		})
	}
}

// TestBadPolicyPairs checks that no expected error is left without its
// policy.
func TestBadPolicyPairs(t *testing.T) {
	wants, err := filepath.Glob(filepath.Join("testdata", "policies", "*.want"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wants {
		if _, err := os.Stat(strings.TrimSuffix(w, ".want") + ".yaml"); err != nil {
			t.Errorf("%s has no policy: %v", w, err)
		}
	}
	if got, want := len(wants), len(policyFiles(t, true)); got != want {
		t.Errorf("got %d .want files for %d bad policies", got, want)
	}
}

func TestParseFull(t *testing.T) {
	p, err := Parse(readPolicy(t, "testdata/policies/full.yaml"), "full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Policy{
		Name:        "St Elsewhere NHS Trust",
		Description: "The main site's segmentation.\nReviewed by the network team every quarter.\n",
		Zones: []Zone{
			{Name: "life-sustaining", Description: "Ventilators, pumps and monitors.",
				SecurityLevel: 3, Medical: true},
			{Name: "imaging", SecurityLevel: 2, Medical: true},
			{Name: "clinical-it"}, {Name: "lab"}, {Name: "guest", SecurityLevel: 1}, {Name: "internet"},
		},
		Rules: []Rule{
			{Zone: "lab", Devices: []string{"mac:00:11:22:33:44:55", "serial:ABC-123"}},
			{Zone: "life-sustaining", Criticality: []string{"life-sustaining"}},
			{Zone: "imaging", Categories: []string{"imaging-ct", "imaging-mr"}},
			{Zone: "imaging", Subnets: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16"),
				netip.MustParsePrefix("2001:db8:20::/48"), netip.MustParsePrefix("10.21.0.9/32")},
				VLANs: []uint16{20, 21}},
			{Zone: "guest", Tags: []string{"guest-wifi"}},
			{Zone: "clinical-it", Subnets: []netip.Prefix{netip.MustParsePrefix("10.30.0.0/16")},
				Categories: []string{"pacs"}},
			{Zone: "internet", Internet: true},
		},
		Conduits: []Conduit{
			{Name: "modalities-to-pacs", Description: "Images to PACS.",
				From: End{Zone: "imaging", Categories: []string{"imaging-ct", "imaging-mr"}},
				To:   End{Zone: "clinical-it", Categories: []string{"pacs"}},
				Services: []Service{{Proto: "tcp",
					Ports: []PortRange{{104, 104}, {11112, 11112}, {4000, 4010}}, App: "dicom"}}},
			{Name: "imaging-to-clinical-it", From: End{Zone: "imaging"}, To: End{Zone: "clinical-it"},
				Bidirectional: true, Services: []Service{
					{Proto: "tcp", Ports: []PortRange{{443, 443}}}, {Proto: "udp", Ports: []PortRange{{5000, 5010}}},
					{Proto: "icmp"}, {Proto: "icmpv6"}, {Proto: "gre"}, {Proto: "udp", Ports: []PortRange{{123, 123}}},
				}},
			{Name: "imaging-to-clinical-it-2", From: End{Zone: "imaging"}, To: End{Zone: "clinical-it"},
				Services: []Service{{Proto: "any"}}},
			{Name: "imaging-to-clinical-it-3", From: End{Zone: "guest"}, To: End{Zone: "internet"},
				Services: []Service{{Proto: "tcp", Ports: []PortRange{{80, 80}}},
					{Proto: "tcp", Ports: []PortRange{{443, 443}}}, {Proto: "sctp", Ports: []PortRange{{2905, 2905}}}}},
			{Name: "lab-to-lab", From: End{Zone: "lab"}, To: End{Zone: "lab"}, Services: []Service{{Proto: "tcp"}}},
		},
		Infrastructure: Infrastructure{
			Resolvers:   []netip.Addr{netip.MustParseAddr("10.0.0.53"), netip.MustParseAddr("2001:db8::53")},
			NTP:         []netip.Addr{netip.MustParseAddr("10.0.0.123")},
			DHCPServers: []netip.Addr{netip.MustParseAddr("10.0.0.67")},
			DHCPRelays:  []netip.Addr{netip.MustParseAddr("10.20.0.1"), netip.MustParseAddr("10.21.0.1")},
			FHRP:        "vrrp",
		},
		Learned: &Learned{From: time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC),
			To: time.Date(2026, 1, 2, 10, 0, 0, 5e8, time.UTC), Flows: 123,
			Sources: []string{"capture.pcap", "store"}},
	}
	if diff := cmp.Diff(want, p, policyCmp); diff != "" {
		t.Errorf("Parse(full.yaml) (-want +got):\n%s", diff)
	}
	lines := []int{p.Zones[1].Line, p.Rules[3].Line, p.Conduits[2].Line}
	if want := []int{12, 27, 54}; !slices.Equal(lines, want) {
		t.Errorf("lines of zones[1], rules[3], conduits[2]: got %v, want %v", lines, want)
	}
}

func TestParseDefaults(t *testing.T) {
	p, err := Parse([]byte("ward_policy: 1\nzones: [{name: a}]\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Infrastructure.ICMPErrors {
		t.Error("ICMPErrors: got false, want true when the file does not say")
	}
	if p.Learned != nil {
		t.Errorf("Learned: got %+v, want nil", p.Learned)
	}
}

func TestParseServices(t *testing.T) {
	tests := []struct {
		in   string
		want Service
	}{
		{"any", Service{Proto: "any"}},
		{"ANY", Service{Proto: "any"}},
		{"tcp", Service{Proto: "tcp"}},
		{"tcp/104", Service{Proto: "tcp", Ports: []PortRange{{104, 104}}}},
		{"udp/5000-5010", Service{Proto: "udp", Ports: []PortRange{{5000, 5010}}}},
		{"17/53", Service{Proto: "udp", Ports: []PortRange{{53, 53}}}},
		{"112", Service{Proto: "vrrp"}},
		{"250", Service{Proto: "250"}},
		{"icmpv6", Service{Proto: "icmpv6"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseService(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseService(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	data := append([]byte("ward_policy: 1\n#"), bytes.Repeat([]byte("x"), MaxPolicySize)...)
	_, err := Parse(data, "big.yaml")
	want := "big.yaml: policy of 8388624 bytes is larger than the limit of 8 MiB"
	if got := errString(err); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseManyProblems(t *testing.T) {
	data := "ward_policy: 1\nzones:\n" + strings.Repeat("  - name: a\n", MaxProblems+6)
	_, err := Parse([]byte(data), "")
	var pe *PolicyError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a *PolicyError", err)
	}
	if got, want := len(pe.Problems), MaxProblems+1; got != want {
		t.Fatalf("problems: got %d, want %d", got, want)
	}
	if got, want := pe.Problems[MaxProblems].Message, "and 5 more problems"; got != want {
		t.Errorf("last problem: got %q, want %q", got, want)
	}
}

func TestConduitNames(t *testing.T) {
	c := func(name, from, to string) Conduit {
		return Conduit{Name: name, From: End{Zone: from}, To: End{Zone: to}}
	}
	cs := []Conduit{c("", "a", "b"), c("", "a", "b"), c("a-to-b-3", "b", "a"), c("", "a", "b"),
		c("", "a", "b-2"), c("mine", "a", "a"), c("", "a", "a")}
	want := []string{"a-to-b", "a-to-b-2", "a-to-b-3", "a-to-b-4", "a-to-b-2-2", "mine", "a-to-a"}
	if got := ConduitNames(cs); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestPolicyErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		file string
		pr   Problem
		want string
	}{
		{"all", "policy.yaml", Problem{12, 7, "conduits[2].to.zone", `unknown zone "imagng"`},
			`policy.yaml:12:7: conduits[2].to.zone: unknown zone "imagng"`},
		{"no column", "policy.yaml", Problem{12, 0, "rules[0]", "m"}, "policy.yaml:12: rules[0]: m"},
		{"no line", "policy.yaml", Problem{0, 7, "zones", "m"}, "policy.yaml: zones: m"},
		{"no file", "", Problem{3, 1, "zones", "m"}, "3:1: zones: m"},
		{"no file nor line", "", Problem{0, 0, "zones", "m"}, "zones: m"},
		{"no key", "p.yaml", Problem{4, 0, "", "yaml: bad"}, "p.yaml:4: yaml: bad"},
		{"only message", "", Problem{Message: "m"}, "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := &PolicyError{File: tt.file, Problems: []Problem{tt.pr}}
			if got := err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	two := &PolicyError{File: "p.yaml", Problems: []Problem{{1, 1, "a", "x"}, {2, 0, "b", "y"}}}
	if got, want := two.Error(), "p.yaml:1:1: a: x\np.yaml:2: b: y"; got != want {
		t.Errorf("two problems: got %q, want %q", got, want)
	}
	if !errors.Is(two, ErrInvalidPolicy) {
		t.Error("errors.Is(PolicyError, ErrInvalidPolicy) is false")
	}
}

func TestValidateGoPolicy(t *testing.T) {
	p := &Policy{
		Zones: []Zone{{Name: "a", Line: 3}, {Name: "b"}},
		Rules: []Rule{
			{Zone: "a", Devices: []string{"d1"}, Line: 12},
			{Zone: "b", Devices: []string{"d1"}, Line: 20},
			{Zone: "c", Subnets: []netip.Prefix{netip.MustParsePrefix("10.20.0.5/16")}},
			{Zone: "a"},
		},
		Conduits: []Conduit{
			{From: End{Zone: "a"}, To: End{Zone: "b"}, Line: 30,
				Services: []Service{{Proto: "TCP", Ports: []PortRange{{80, 80}}}}},
			{From: End{Zone: "a"}, To: End{Zone: "b"},
				Services: []Service{{Proto: "icmp", Ports: []PortRange{{1, 1}}}}},
		},
		Infrastructure: Infrastructure{Resolvers: []netip.Addr{{}}},
	}
	err := p.Validate()
	var pe *PolicyError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a *PolicyError", err)
	}
	want := []Problem{
		{Key: "rules[2].zone", Message: `unknown zone "c"`},
		{Key: "rules[2].subnets[0]", Message: "10.20.0.5/16: host bits set, did you mean 10.20.0.0/16"},
		{Key: "rules[3]", Message: "rule has no condition " +
			"(subnets, vlans, categories, criticality, tags, devices or internet)"},
		{Key: "conduits[1].services[0].ports", Message: "protocol icmp has no ports (only tcp, udp and sctp have)"},
		{Key: "infrastructure.resolvers[0]", Message: "invalid address"},
		{Line: 20, Key: "rules[1].devices[0]",
			Message: `device "d1" is named in zone a (line 12) and zone b (line 20)`},
		{Line: 30, Key: "conduits[0].services[0].proto", Message: `protocol "TCP": write "tcp"`},
	}
	if diff := cmp.Diff(want, pe.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestValidateUnnamedConduits(t *testing.T) {
	p := &Policy{
		Zones: []Zone{{Name: "a"}, {Name: "b"}},
		Conduits: []Conduit{
			{From: End{Zone: "a"}, To: End{Zone: "b"}, Services: []Service{{Proto: "any"}}},
			{Name: "a-to-b-2", From: End{Zone: "b"}, To: End{Zone: "a"}, Services: []Service{{Proto: "any"}}},
			{From: End{Zone: "a"}, To: End{Zone: "b"}, Services: []Service{{Proto: "any"}}},
		},
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := []string{"a-to-b", "a-to-b-2", "a-to-b-3"}
	if got := ConduitNames(p.Conduits); !slices.Equal(got, want) {
		t.Errorf("ConduitNames: got %v, want %v", got, want)
	}
	out, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(out, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range back.Conduits {
		got = append(got, c.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("names after the round trip: got %v", got)
	}
	if back.Digest() != p.Digest() {
		t.Error("a policy and its parsed export have different digests")
	}
}

func TestTemplate(t *testing.T) {
	p := Template()
	if err := p.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	checkRoundTrip(t, p)
	p.Zones[0].Name = "changed"
	p.Rules[1].Categories[0] = "changed"
	p.Conduits[0].Services[0].Ports[0].Lo = 1
	q := Template()
	if q.Zones[0].Name == "changed" || q.Rules[1].Categories[0] == "changed" ||
		q.Conduits[0].Services[0].Ports[0].Lo == 1 {
		t.Error("a change to one Template() shows in the next")
	}
	want := []string{"life-sustaining", "clinical-devices", "imaging", "laboratory", "building-systems",
		"clinical-it", "corporate-it", "guest", "internet"}
	var got []string
	for _, z := range q.Zones {
		got = append(got, z.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("zones: got %v, want %v", got, want)
	}
	if !bytes.Equal(TemplateYAML(), templateYAML) {
		t.Error("TemplateYAML is not the embedded file")
	}
}

// TestTemplatePlacesEveryCategory checks that a device of each category of
// the built-in fingerprint vocabulary (medical.yaml's list among them) is
// placed by a rule of the template, by its category or by the
// criticality the pack gives the category.
func TestTemplatePlacesEveryCategory(t *testing.T) {
	pack, err := fingerprint.Rules()
	if err != nil {
		t.Fatal(err)
	}
	p := Template()
	for _, c := range pack.Categories() {
		crit, _ := pack.CriticalityOf(c)
		if zone := templateZoneOf(p, string(c), string(crit)); zone == "" {
			t.Errorf("category %s (criticality %q): no template rule places it", c, crit)
		}
	}
}

// templateZoneOf returns the zone of the first rule on categories or
// criticality that holds for a device of category cat and criticality
// crit.
func templateZoneOf(p *Policy, cat, crit string) string {
	for _, r := range p.Rules {
		if slices.Contains(r.Categories, cat) || slices.Contains(r.Criticality, crit) {
			return r.Zone
		}
	}
	return ""
}

func TestTemplateZonesOfCategories(t *testing.T) {
	p := Template()
	tests := []struct{ cat, crit, zone string }{
		{"infusion-pump", "life-sustaining", "life-sustaining"},
		{"ventilator", "", "life-sustaining"},
		{"imaging-ct", "diagnostic", "imaging"},
		{"ultrasound", "diagnostic", "imaging"},
		{"pacs", "supporting", "clinical-it"},
		{"worklist-server", "supporting", "clinical-it"},
		{"lab-analyser", "diagnostic", "laboratory"},
		{"ecg", "diagnostic", "clinical-devices"},
		{"ups", "non-clinical", "building-systems"},
		{"workstation", "non-clinical", "corporate-it"},
		{"tv/media", "non-clinical", "guest"},
	}
	for _, tt := range tests {
		t.Run(tt.cat, func(t *testing.T) {
			if got := templateZoneOf(p, tt.cat, tt.crit); got != tt.zone {
				t.Errorf("got %s, want %s", got, tt.zone)
			}
		})
	}
}

func TestMarshalDeterministic(t *testing.T) {
	p := Template()
	first, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		again, err := Marshal(Template())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("Marshal differs between calls:\n%s\n---\n%s", first, again)
		}
	}
	if !bytes.HasPrefix(first, []byte("# Ward segmentation policy")) {
		t.Errorf("Marshal does not start with its header:\n%.200s", first)
	}
}

func TestMarshalInvalidUTF8(t *testing.T) {
	p := &Policy{Name: "bad \xff", Zones: []Zone{{Name: "a"}}}
	if _, err := Marshal(p); err == nil {
		t.Error("Marshal of text that is not UTF-8: got no error")
	}
	if err := p.Validate(); err == nil {
		t.Error("Validate of text that is not UTF-8: got no error")
	}
	if d := p.Digest(); !strings.HasPrefix(d, "sha256:") {
		t.Errorf("Digest: got %q", d)
	}
}

const digestA = `ward_policy: 1
name: Digest test
zones:
  - name: a
    security_level: 2
  - name: b
rules:
  - zone: a
    subnets: [10.0.0.0/8]
conduits:
  - from: a
    to: b
    services: [tcp/443, {proto: udp, ports: [53]}]
`

// digestB is digestA laid out otherwise, with comments and defaults.
const digestB = `# The same policy as A.
name: "Digest test"    # quoted
ward_policy: 0x1
rules:
- {zone: a, subnets: ["10.0.0.0/8"]}
zones:
- {name: a, security_level: 2, medical: false}
- name: b
  description: ""
conduits:
- name: a-to-b
  from: {zone: a}
  to: b
  bidirectional: false
  services:
  - {proto: TCP, ports: ["443"]}
  - udp/53
infrastructure:
  icmp_errors: true
`

func TestDigest(t *testing.T) {
	a, err := Parse([]byte(digestA), "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse([]byte(digestB), "b")
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest() != b.Digest() {
		t.Errorf("equal policies, different digests: %s and %s", a.Digest(), b.Digest())
	}
	if !strings.HasPrefix(a.Digest(), "sha256:") || len(a.Digest()) != len("sha256:")+64 {
		t.Errorf("digest form: got %q", a.Digest())
	}
	b.Learned = &Learned{Flows: 3}
	b.Zones[0].Line = 99
	if a.Digest() != b.Digest() {
		t.Error("the Learned record or a Line field changes the digest")
	}
	changes := map[string]func(p *Policy){
		"port":          func(p *Policy) { p.Conduits[0].Services[0].Ports[0].Hi = 444 },
		"zone level":    func(p *Policy) { p.Zones[0].SecurityLevel = 3 },
		"rule order":    func(p *Policy) { p.Rules = append(p.Rules, Rule{Zone: "b", Internet: true}) },
		"icmp errors":   func(p *Policy) { p.Infrastructure.ICMPErrors = false },
		"bidirectional": func(p *Policy) { p.Conduits[0].Bidirectional = true },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			c := a.policyClone()
			change(c)
			if c.Digest() == a.Digest() {
				t.Errorf("digest unchanged after changing the %s", name)
			}
		})
	}
}

func TestClone(t *testing.T) {
	p, err := Parse(readPolicy(t, "testdata/policies/full.yaml"), "")
	if err != nil {
		t.Fatal(err)
	}
	c := p.policyClone()
	if diff := cmp.Diff(p, c, policyCmp); diff != "" {
		t.Fatalf("clone differs:\n%s", diff)
	}
	c.Rules[0].Devices[0] = "x"
	c.Conduits[0].From.Categories[0] = "x"
	c.Infrastructure.Resolvers[0] = netip.Addr{}
	c.Learned.Sources[0] = "x"
	if p.Rules[0].Devices[0] == "x" || p.Conduits[0].From.Categories[0] == "x" ||
		!p.Infrastructure.Resolvers[0].IsValid() || p.Learned.Sources[0] == "x" {
		t.Error("a change to the clone shows in the original")
	}
}

func BenchmarkParsePolicy(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(templateYAML)))
	for b.Loop() {
		if _, err := Parse(templateYAML, "template.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalPolicy(b *testing.B) {
	p := Template()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(p); err != nil {
			b.Fatal(err)
		}
	}
}
