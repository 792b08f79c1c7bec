package segment

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/demo"
	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/observe"
)

func TestLearn(t *testing.T) {
	base := hospital()
	base.Conduits, base.Infrastructure = nil, Infrastructure{ICMPErrors: true}
	devs := hospitalDevices()
	with := func(f Flow, app string, at time.Duration) Flow {
		f.App, f.FirstSeen, f.LastSeen = app, t0.Add(at), t0.Add(at+time.Minute)
		return f
	}
	flows := []Flow{
		with(flow("10.0.130.10", "10.0.200.10", ProtoTCP, 104), "dicom", 0),
		with(flow("10.0.130.10", "10.0.200.10", ProtoTCP, 104), "", time.Hour), // dicom lists 104
		with(flow("10.0.130.11", "10.0.200.10", ProtoTCP, 104), "dicom", 0),
		with(flow("10.0.20.100", "10.0.200.50", ProtoTCP, 443), "tls", 0),
		with(flow("10.0.20.100", "10.0.200.50", ProtoTCP, 444), "tls", 0),
		with(flow("10.0.20.100", "10.0.200.50", ProtoTCP, 445), "", 0),
		with(flow("10.0.20.100", "198.51.100.1", ProtoTCP, 443), "", -time.Hour),
		with(flow("10.0.20.100", "10.0.200.53", ProtoUDP, 53), "dns", 0),
		with(flow("10.0.20.100", "224.0.0.251", ProtoUDP, 5353), "mdns", 0),
		with(flow("192.168.9.9", "10.0.200.10", ProtoTCP, 80), "", 0),
		with(flow("10.0.120.10", "10.0.20.100", ProtoICMP, 0), "", 0),
	}
	got, err := Learn(base, devs, flows, LearnOptions{Sources: []string{"a.pcap"}})
	if err != nil {
		t.Fatal(err)
	}
	tcp := func(app string, ports ...PortRange) Service {
		return Service{Proto: "tcp", App: app, Ports: ports}
	}
	want := []Conduit{
		{Name: "clinical-workstation-to-internet",
			From: End{Zone: "clinical", Categories: []string{"workstation"}}, To: End{Zone: "internet"},
			Services: []Service{tcp("", PortRange{443, 443})}},
		{Name: "clinical-workstation-to-servers",
			From: End{Zone: "clinical", Categories: []string{"workstation"}}, To: End{Zone: "servers"},
			Services: []Service{tcp("", PortRange{445, 445}), tcp("tls", PortRange{443, 444})}},
		{Name: "imaging-ct-mr-to-servers-pacs",
			From:     End{Zone: "imaging", Categories: []string{"imaging-ct", "imaging-mr"}},
			To:       End{Zone: "servers", Categories: []string{"pacs"}},
			Services: []Service{tcp("dicom", PortRange{104, 104})}},
		{Name: "monitoring-to-clinical-workstation", From: End{Zone: "monitoring"},
			To:       End{Zone: "clinical", Categories: []string{"workstation"}},
			Services: []Service{{Proto: "icmp"}}},
		{Name: "unplaced-to-servers-pacs", From: End{Zone: "unplaced"},
			To:       End{Zone: "servers", Categories: []string{"pacs"}},
			Services: []Service{tcp("", PortRange{80, 80})}},
	}
	if diff := cmp.Diff(want, withoutDescriptions(got.Conduits), learnCmp()); diff != "" {
		t.Errorf("conduits (-want +got):\n%s", diff)
	}
	if d := got.Conduits[2].Description; d != "learned from 3 flows (30 packets) seen "+
		"2026-03-02 09:00 UTC to 2026-03-02 10:01 UTC" {
		t.Errorf("description %q", d)
	}
	if d := got.Conduits[0].Description; d != "learned from 1 flow (10 packets) seen "+
		"2026-03-02 08:00 UTC to 2026-03-02 08:01 UTC" {
		t.Errorf("description %q", d)
	}
	wantLearned := &Learned{From: t0.Add(-time.Hour), To: t0.Add(time.Hour + time.Minute),
		Flows: len(flows), Sources: []string{"a.pcap"}}
	if diff := cmp.Diff(wantLearned, got.Learned); diff != "" {
		t.Errorf("learned (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(addrs("10.0.200.53"), got.Infrastructure.Resolvers, addrEqual); diff != "" {
		t.Errorf("resolvers (-want +got):\n%s", diff)
	}
	zones := []string{}
	for _, z := range got.Zones {
		zones = append(zones, z.Name)
	}
	if diff := cmp.Diff([]string{"imaging", "monitoring", "servers", "clinical", "internet",
		"unplaced"}, zones); diff != "" {
		t.Errorf("zones (-want +got):\n%s", diff)
	}
	if len(base.Zones) != 5 || base.Learned != nil || len(base.Infrastructure.Resolvers) != 0 {
		t.Error("Learn changed its base")
	}
	checkLearned(t, got, devs, flows)
}

func withoutDescriptions(cs []Conduit) []Conduit {
	out := slices.Clone(cs)
	for i := range out {
		out[i].Description = ""
	}
	return out
}

// learnCmp compares policies' parts, empty and nil slices alike.
func learnCmp() cmp.Option {
	return cmp.Options{addrEqual, prefixEqual, cmp.Comparer(func(a, b []PortRange) bool {
		return slices.Equal(a, b)
	})}
}

// checkLearned fails t unless p is valid and allows every flow.
func checkLearned(t *testing.T, p *Policy, devs []Device, flows []Flow) {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatalf("learned policy: %v", err)
	}
	e := compile(t, p, devs)
	r := e.Check(flows)
	if r.Violating != 0 {
		for _, v := range r.Violations[:min(len(r.Violations), 10)] {
			t.Errorf("violation %s (%s → %s, app %q)", v.Key, v.Source.Zone, v.Destination.Zone,
				v.Application)
		}
		t.Fatalf("learned policy: %d of %d flows violate it, want 0", r.Violating, r.Flows)
	}
}

func TestLearnAddsZones(t *testing.T) {
	base := &Policy{Name: "lan", Zones: []Zone{{Name: "lan"}, {Name: "unplaced"}},
		Rules: []Rule{{Zone: "lan", Subnets: []netip.Prefix{pfx("10.0.0.0/8")}},
			{Zone: "unplaced", Tags: []string{"x"}}}}
	devs := []Device{{ID: "far", IPs: addrs("172.16.0.9"), Category: "server"},
		{ID: "nameless"}}
	flows := []Flow{
		flow("10.1.1.1", "198.51.100.10", ProtoTCP, 443),
		flow("10.1.1.1", "192.168.1.1", ProtoTCP, 22),
		flow("10.1.1.1", "172.16.0.9", ProtoTCP, 8080),
		flow("10.1.1.1", "10.1.1.2", ProtoUDP, 0), // a port a policy cannot name
	}
	flows[2].DstDevice = "far"
	flows = append(flows, flow("10.1.1.1", "10.9.9.9", ProtoTCP, 23))
	flows[4].DstDevice = "nameless"
	got, err := Learn(base, devs, flows, LearnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantRules := []Rule{
		base.Rules[0], base.Rules[1],
		{Zone: "internet", Internet: true},
		{Zone: "unplaced-2", Devices: []string{"far", "nameless"}},
		{Zone: "unplaced-2", Subnets: []netip.Prefix{pfx("0.0.0.0/0"), pfx("::/0")}},
	}
	if diff := cmp.Diff(wantRules, got.Rules, learnCmp()); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	var ends []string
	for _, c := range got.Conduits {
		ends = append(ends, c.From.Key()+">"+c.To.Key())
	}
	// far is narrowed to its category: nameless is in its zone too
	want := []string{"lan>internet", "lan>lan", "lan>unplaced-2", "lan>unplaced-2:server"}
	if diff := cmp.Diff(want, ends); diff != "" {
		t.Errorf("conduits (-want +got):\n%s", diff)
	}
	if s := got.Conduits[1].Services; len(s) != 1 || s[0].Proto != "udp" || len(s[0].Ports) != 0 {
		t.Errorf("port 0: got services %+v, want udp on any port", s)
	}
	checkLearned(t, got, devs, flows)
}

func TestLearnTemplate(t *testing.T) {
	devs, flows := hospitalDevices(), simulationFlows()
	p, err := Learn(nil, devs, flows, LearnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := Template()
	if diff := cmp.Diff(tmpl.Zones, p.Zones[:len(tmpl.Zones)]); diff != "" {
		t.Errorf("zones of the template (-want +got):\n%s", diff)
	}
	checkLearned(t, p, devs, flows)
}

func TestLearnBadBase(t *testing.T) {
	bad := hospital()
	bad.Rules[0].Zone = "nowhere"
	if _, err := Learn(bad, nil, nil, LearnOptions{}); err == nil {
		t.Error("Learn(invalid base): got no error")
	}
}

func TestPortRanges(t *testing.T) {
	tests := []struct {
		ports []uint16
		want  []PortRange
	}{
		{[]uint16{104}, []PortRange{{104, 104}}},
		{[]uint16{8002, 8000, 8001, 8001, 9000, 80}, []PortRange{{80, 80}, {8000, 8002}, {9000, 9000}}},
		{[]uint16{65534, 65535}, []PortRange{{65534, 65535}}},
		{[]uint16{1, 0}, nil},
	}
	for _, tt := range tests {
		if got := portRanges(ProtoTCP, tt.ports); !slices.Equal(got, tt.want) {
			t.Errorf("portRanges(%v) = %v, want %v", tt.ports, got, tt.want)
		}
	}
	if got := portRanges(ProtoICMP, []uint16{0}); got != nil {
		t.Errorf("icmp: got %v, want no ports", got)
	}
}

func TestConduitNameLong(t *testing.T) {
	long := End{Zone: strings.Repeat("z", 40), Categories: []string{strings.Repeat("a", 60),
		strings.Repeat("b", 60)}}
	taken := map[string]bool{}
	first, second := conduitName(long, long, taken), conduitName(long, long, taken)
	if len(first) > maxName || strings.HasSuffix(first, "-") || second != first+"-2" {
		t.Errorf("got %q and %q, want at most %d characters, then the same with -2", first,
			second, maxName)
	}
}

func TestEndName(t *testing.T) {
	tests := []struct {
		e    End
		want string
	}{
		{End{Zone: "imaging"}, "imaging"},
		{End{Zone: "imaging", Categories: []string{"imaging-ct"}}, "imaging-ct"},
		{End{Zone: "clinical-it", Categories: []string{"pacs"}}, "clinical-it-pacs"},
		{End{Zone: "home", Categories: []string{"tv/media"}}, "home-tv-media"},
		{End{Zone: "z", Categories: []string{"d", "c", "b", "a"}}, "z-a-b-and-2-more"},
	}
	for _, tt := range tests {
		if got := endName(tt.e); got != tt.want {
			t.Errorf("endName(%v) = %q, want %q", tt.e, got, tt.want)
		}
	}
}

// corpusDir returns the shared corpus of captures, or skips the test when
// it is absent; WARD_REQUIRE_CORPUS makes that a failure.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "pcaps")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WARD_REQUIRE_CORPUS") != "" {
			t.Fatalf("shared corpus required but absent: %v", err)
		}
		t.Skipf("shared corpus not found at %s: skipping", dir)
	}
	return dir
}

// pipeline runs Ward's pipeline over captures as "ward analyze" does, and
// gives its devices and flows as segmentation sees them.
func pipeline(t testing.TB, paths []string) ([]Device, []Flow) {
	t.Helper()
	res, err := observe.Run(context.Background(), observe.Config{}, paths)
	if res == nil {
		t.Fatalf("observe.Run: %v", err)
	}
	return fromResult(res)
}

// fromResult converts a pipeline result to segmentation's devices and
// flows, with each flow's ends resolved to devices as the store does.
func fromResult(res *observe.Result) ([]Device, []Flow) {
	inv := inventory.Build(res, inventory.Options{})
	devs := make([]Device, 0, len(inv.Devices))
	for _, d := range inv.Devices {
		devs = append(devs, segmentDevice(d))
	}
	flows := make([]Flow, len(res.Flows))
	for i := range res.Flows {
		f := &res.Flows[i]
		flows[i] = Flow{Src: f.Src, Dst: f.Dst, Proto: f.Proto, DstPort: f.DstPort, VLAN: f.VLAN,
			App: f.App, Packets: f.Packets, Bytes: f.Bytes, FirstSeen: f.First, LastSeen: f.Last}
		if src, dst := inv.FlowEnds(f); src != nil || dst != nil {
			flows[i].SrcDevice, flows[i].DstDevice = idOr(src), idOr(dst)
		}
	}
	return devs, flows
}

func segmentDevice(d *inventory.Device) Device {
	out := Device{ID: d.ID, VLANs: d.VLANs, Category: d.Category, Criticality: d.Criticality,
		Vendor: d.Vendor, Model: d.Model}
	if len(d.Names) > 0 {
		out.Name = d.Names[0]
	}
	for _, s := range d.IPs {
		if a, err := netip.ParseAddr(s); err == nil {
			out.IPs = append(out.IPs, a)
		}
	}
	return out
}

func idOr(d *inventory.Device) string {
	if d == nil {
		return ""
	}
	return d.ID
}

// corpusBase is a policy for any network: devices by what they are,
// other addresses private or public.
func corpusBase() *Policy {
	return &Policy{Name: "corpus", Zones: []Zone{
		{Name: "medical", Medical: true}, {Name: "network"}, {Name: "servers"}, {Name: "users"},
		{Name: "private"}, {Name: "internet"},
	}, Rules: []Rule{
		{Zone: "medical", Criticality: []string{"life-sustaining", "diagnostic", "supporting"}},
		{Zone: "network", Categories: []string{"router", "switch", "firewall", "wireless-ap",
			"network-infrastructure"}},
		{Zone: "servers", Categories: []string{"server", "nas", "hypervisor"}},
		{Zone: "users", Categories: []string{"workstation", "laptop", "mobile", "tablet"}},
		{Zone: "private", Subnets: []netip.Prefix{pfx("10.0.0.0/8"), pfx("172.16.0.0/12"),
			pfx("192.168.0.0/16"), pfx("fc00::/7")}},
		{Zone: "internet", Internet: true},
	}, Infrastructure: Infrastructure{ICMPErrors: true}}
}

// corpusCaptures lists the captures of the corpus, the malformed ones
// too when asked.
func corpusCaptures(t *testing.T, malformed bool) []string {
	dir := corpusDir(t)
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "malformed" && !malformed || strings.HasPrefix(d.Name(), "_")) {
			return filepath.SkipDir
		}
		n := strings.TrimSuffix(d.Name(), ".gz")
		if !d.IsDir() && (strings.HasSuffix(n, ".pcap") || strings.HasSuffix(n, ".pcapng")) {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

// TestLearnCorpus learns a policy from the public captures of the
// corpus, each source tree at once, and checks the same flows against
// it: no violation.
func TestLearnCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the corpus in -short mode")
	}
	by := map[string][]string{}
	dir := corpusDir(t)
	for _, p := range corpusCaptures(t, false) {
		rel, _ := filepath.Rel(dir, p)
		tree, _, _ := strings.Cut(rel, string(filepath.Separator))
		by[tree] = append(by[tree], p)
	}
	for tree, paths := range by {
		t.Run(tree, func(t *testing.T) {
			devs, flows := pipeline(t, paths)
			p, err := Learn(corpusBase(), devs, flows, LearnOptions{Sources: []string{tree}})
			if err != nil {
				t.Fatal(err)
			}
			checkLearned(t, p, devs, flows)
			t.Logf("%d captures, %d devices, %d flows: %d conduits", len(paths), len(devs),
				len(flows), len(p.Conduits))
			if p, err = Learn(nil, devs, flows, LearnOptions{}); err != nil {
				t.Fatalf("from the template: %v", err)
			}
			checkLearned(t, p, devs, flows)
		})
	}
}

// TestLearnCorpusEach learns a policy from each capture of the corpus
// alone, malformed ones too, and checks the capture against it.
func TestLearnCorpusEach(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the corpus in -short mode")
	}
	n := 0
	for _, path := range corpusCaptures(t, true) {
		res, _ := observe.Run(context.Background(), observe.Config{Workers: 1}, []string{path})
		if res == nil || len(res.Flows) == 0 {
			continue
		}
		devs, flows := fromResult(res)
		p, err := Learn(corpusBase(), devs, flows, LearnOptions{Sources: []string{path}})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		e, err := Compile(p, devs)
		if err != nil {
			t.Errorf("%s: compile the learned policy: %v", path, err)
			continue
		}
		if r := e.Check(flows); r.Violating != 0 {
			t.Errorf("%s: %d of %d flows violate the policy learned from them, first %s",
				path, r.Violating, r.Flows, r.Violations[0].Key)
		}
		n++
	}
	t.Logf("%d captures with flows learned and checked", n)
	if n < 500 {
		t.Errorf("%d captures with flows, want the corpus's (over 500)", n)
	}
}

// demoBase is the demo trust's VLAN plan as zones.
func demoBase() *Policy {
	p := &Policy{Name: "ward-valley", Infrastructure: Infrastructure{ICMPErrors: true}}
	for _, z := range []struct {
		name    string
		vlan    uint16
		medical bool
	}{
		{"management", 10, false}, {"clinical-pc", 20, false}, {"voice", 30, false},
		{"print", 40, false}, {"pumps", 110, true}, {"monitoring", 120, true},
		{"imaging", 130, true}, {"lab", 140, true}, {"nurse-call", 150, true},
		{"pharmacy", 160, false}, {"datacentre", 200, false},
	} {
		p.Zones = append(p.Zones, Zone{Name: z.name, Medical: z.medical})
		p.Rules = append(p.Rules, Rule{Zone: z.name, VLANs: []uint16{z.vlan}})
	}
	p.Zones = append(p.Zones, Zone{Name: "internet"})
	p.Rules = append(p.Rules, Rule{Zone: "internet", Internet: true})
	return p
}

// demoCapture writes the demo trust's capture and runs the pipeline on
// it.
func demoCapture(t testing.TB) ([]Device, []Flow) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = demo.Write(f, demo.Options{Seed: 1})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return pipeline(t, []string{path})
}

// TestLearnDemo learns the demo trust's policy from its capture, checks
// it allows every flow, then takes imaging's conduits away: the
// simulation blocks the modalities' DICOM stores, which need a sign-off.
func TestLearnDemo(t *testing.T) {
	devs, flows := demoCapture(t)
	p, err := Learn(demoBase(), devs, flows, LearnOptions{Sources: []string{"demo"}})
	if err != nil {
		t.Fatal(err)
	}
	checkLearned(t, p, devs, flows)
	t.Logf("%d devices, %d flows: %d conduits", len(devs), len(flows), len(p.Conduits))
	fromTemplate, err := Learn(nil, devs, flows, LearnOptions{Sources: []string{"demo"}})
	if err != nil {
		t.Fatalf("from the template: %v", err)
	}
	checkLearned(t, fromTemplate, devs, flows)

	cut := *p
	cut.Conduits = slices.DeleteFunc(slices.Clone(p.Conduits), func(c Conduit) bool {
		return c.From.Zone == "imaging"
	})
	s, err := Simulate(p, &cut, devs, flows)
	if err != nil {
		t.Fatal(err)
	}
	if !s.NeedsSignoff || len(s.Blocked) == 0 || !s.Blocked[0].Critical {
		t.Fatalf("blocking imaging: got %d blocked, needs sign-off %v", len(s.Blocked), s.NeedsSignoff)
	}
	i := slices.IndexFunc(s.Workflows, func(w WorkflowCount) bool {
		return w.Workflow == "dicom-store"
	})
	if i < 0 || s.Workflows[i].Critical == 0 {
		t.Errorf("blocking imaging: workflows %+v, want critical dicom-store flows", s.Workflows)
	}
	if len(s.Unblocked) != 0 {
		t.Errorf("taking conduits away unblocks %d flows", len(s.Unblocked))
	}
	so := []Signoff{{ID: 1, PolicyDigest: cut.Digest(), By: "cso", At: t0, Flows: s.Critical}}
	if _, ok := s.SignedOff(cut.Digest(), so); !ok {
		t.Error("a sign-off of every critical flow does not count")
	}
	if _, ok := s.SignedOff(p.Digest(), so); ok {
		t.Error("a sign-off of another policy counts")
	}
}
