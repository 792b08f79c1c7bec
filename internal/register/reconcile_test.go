package register

import (
	"context"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/inventory"
	"github.com/wardhq/ward/internal/observe"
)

var update = flag.Bool("update", false, "rewrite testdata/ward7-reconcile.golden.json")

const labCapture = "../../testdata/captures/lab/clinical-ward7.pcap"

var lab struct {
	once    sync.Once
	devices []*inventory.Device
	err     error
}

// labDevices is the inventory of the lab's ward 7 segment, built once.
func labDevices(t testing.TB) []*inventory.Device {
	t.Helper()
	lab.once.Do(func() {
		res, err := observe.Run(context.Background(), observe.Config{}, []string{labCapture})
		if err != nil {
			lab.err = err
			return
		}
		lab.devices = inventory.Build(res, inventory.Options{}).Devices
	})
	if lab.err != nil {
		t.Fatalf("read %s: %v", labCapture, lab.err)
	}
	return lab.devices
}

// matchSummary is what a test checks of a match.
type matchSummary struct {
	Row       int
	DeviceID  string
	By        []Field
	Conflicts []Conflict
}

type otherSummary struct {
	Row      int
	DeviceID string // relayed through; "" for register only
	Of       int    // duplicate of
}

func summarise(r *Reconciliation) (m []matchSummary, o []otherSummary, n []NetworkDevice) {
	for _, x := range r.Matched {
		m = append(m, matchSummary{x.Entry.Row, x.DeviceID, x.By, x.Conflicts})
	}
	for _, x := range r.Relayed {
		o = append(o, otherSummary{Row: x.Entry.Row, DeviceID: x.DeviceID})
	}
	for _, x := range r.Duplicates {
		o = append(o, otherSummary{Row: x.Entry.Row, Of: x.Of})
	}
	for _, x := range r.RegisterOnly {
		o = append(o, otherSummary{Row: x.Row})
	}
	return m, o, r.NetworkOnly
}

// TestReconcileLab reconciles the sample register, which is out of date,
// against the devices of the lab capture: the CT's NIC was replaced, the
// workstation's address changed, the HL7 engine was renamed, the switch
// and the PAS were never entered, and most of the ward's equipment is not
// on this segment.
func TestReconcileLab(t *testing.T) {
	reg := readFile(t, csvPath, nil)
	got := Reconcile(reg, labDevices(t))

	wantMatched := []matchSummary{
		{4, "mac:00:09:5c:07:00:31", []Field{MAC, Hostname, IP}, nil},
		{6, "mac:00:12:21:07:00:32", []Field{MAC, Hostname, IP}, nil},
		{10, "mac:88:4b:39:07:00:21", []Field{Serial, Hostname, IP},
			[]Conflict{{MAC, "88:4B:39:07:00:99", "88:4b:39:07:00:21"}}},
		{11, "mac:88:b4:36:07:00:10", []Field{MAC, Hostname, IP}, nil},
		{13, "mac:98:e7:43:07:00:22", []Field{Hostname},
			[]Conflict{{IP, "10.77.7.122", "10.77.7.22"}}},
		{14, "mac:c8:f7:50:07:00:40", []Field{IP},
			[]Conflict{{Hostname, "intengine01", "hl7-engine.ward7.nhs.test"}}},
	}
	wantOthers := []otherSummary{
		{Row: 5, DeviceID: "mac:00:09:5c:07:00:31"}, // the MX800, through PIC iX
		{Row: 7, DeviceID: "mac:00:12:21:07:00:32"}, // the pumps, through their server
		{Row: 8, DeviceID: "mac:00:12:21:07:00:32"},
		{Row: 12, Of: 11},
	}
	for row := 15; row <= 32; row++ {
		wantOthers = append(wantOthers, otherSummary{Row: row})
	}
	wantNetwork := []NetworkDevice{
		{ID: "mac:00:15:5d:07:00:50", MAC: "00:15:5d:07:00:50", IPs: []string{"10.77.7.50"},
			Name: "pas-epr01.ward7.nhs.test", Vendor: "Microsoft",
			Category: "clinical-information-system", Criticality: "supporting"},
		{ID: "mac:00:b1:e3:07:00:01", MAC: "00:b1:e3:07:00:01", IPs: []string{"10.77.7.1"},
			Name: "ward7-sw01", Vendor: "Ward lab", Model: "Ward lab switch", Category: "switch",
			Criticality: "non-clinical"},
	}
	m, o, n := summarise(got)
	if diff := cmp.Diff(wantMatched, m); diff != "" {
		t.Errorf("matched (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantOthers, o); diff != "" {
		t.Errorf("relayed, duplicates, register only (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantNetwork, n); diff != "" {
		t.Errorf("network only (-want +got):\n%s", diff)
	}

	wantFigures := Figures{RegisterEntries: 28, NetworkDevices: 8, Matched: 6,
		RegisterOnly: 18, NetworkOnly: 2, Relayed: 3, Duplicates: 1, WithoutKey: 2,
		WithConflicts: 3, MatchedBy: KeyCounts{MAC: 3, Serial: 1, Hostname: 1, IP: 1},
		Accuracy: 9.0 / 29, InRegister: 6.0 / 8, OnNetwork: 9.0 / 27}
	if diff := cmp.Diff(wantFigures, got.Figures); diff != "" {
		t.Errorf("figures (-want +got):\n%s", diff)
	}
	golden(t, "testdata/ward7-reconcile.golden.json", got)
}

// golden compares v's JSON with the file, or rewrites it under -update.
func golden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to make it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// dev is a device as the inventory gives it, for the rule tests.
func dev(id, mac string, ips, names []string, serials ...string) *inventory.Device {
	d := &inventory.Device{ID: id, MACString: mac, IPs: ips, Names: names}
	for _, s := range serials {
		d.Attributes = append(d.Attributes, inventory.Attribute{Key: "serial", Value: s,
			Source: "lldp"})
	}
	return d
}

func entry(row int, fields map[Field]string) Entry {
	tb := newTableOf(&Register{})
	for _, f := range Fields() {
		tb.cols = append(tb.cols, column{field: f, header: string(f)})
	}
	e := Entry{Row: row, Fields: fields}
	tb.identity(&e)
	return e
}

func TestReconcileRules(t *testing.T) {
	const a, b, c = "mac:00:1b:63:00:00:0a", "mac:00:1b:63:00:00:0b", "mac:00:1b:63:00:00:0c"
	devA := dev(a, "00:1b:63:00:00:0a", []string{"10.0.0.10"}, []string{"pump-a"}, "SA")
	devB := dev(b, "00:1b:63:00:00:0b", []string{"10.0.0.11"}, []string{"mon.ward7.test"})
	devC := dev(c, "00:1b:63:00:00:0c", []string{"10.0.0.12"}, []string{"mon.ward8.test"},
		"S1", "S2")
	behind := dev("ip:10.0.0.10", "", []string{"10.0.0.10"}, nil) // shares A's address
	tests := []struct {
		name    string
		entries []Entry
		devices []*inventory.Device
		matched []matchSummary
		others  []otherSummary
	}{
		{"MAC outranks an earlier row's serial",
			[]Entry{entry(2, map[Field]string{Serial: "SA"}),
				entry(3, map[Field]string{MAC: "00-1B-63-00-00-0A"})},
			[]*inventory.Device{devA},
			[]matchSummary{{3, a, []Field{MAC}, nil}},
			[]otherSummary{{Row: 2, DeviceID: a}}},
		{"a serial among several identifies none",
			[]Entry{entry(2, map[Field]string{Serial: "s1"})},
			[]*inventory.Device{devC},
			nil, []otherSummary{{Row: 2, DeviceID: c}}},
		{"host name of two devices is ambiguous",
			[]Entry{entry(2, map[Field]string{Hostname: "MON"})},
			[]*inventory.Device{devB, devC},
			nil, []otherSummary{{Row: 2}}},
		{"address of two devices is ambiguous",
			[]Entry{entry(2, map[Field]string{IP: "10.0.0.10"})},
			[]*inventory.Device{devA, behind},
			nil, []otherSummary{{Row: 2}}},
		{"addresses of two devices are ambiguous",
			[]Entry{entry(2, map[Field]string{IP: "10.0.0.11, 10.0.0.12, 10.9.9.9"})},
			[]*inventory.Device{devB, devC},
			nil, []otherSummary{{Row: 2}}},
		{"an address no device had does not spoil the match",
			[]Entry{entry(2, map[Field]string{IP: "10.9.9.9; 10.0.0.11"})},
			[]*inventory.Device{devB, devC},
			[]matchSummary{{2, b, []Field{IP}, nil}}, nil},
		{"one device, one entry: the first row wins",
			[]Entry{entry(3, map[Field]string{Hostname: "pump-a"}),
				entry(2, map[Field]string{Hostname: "PUMP-A.ward7.test"})},
			[]*inventory.Device{devA},
			[]matchSummary{{2, a, []Field{Hostname}, nil}},
			[]otherSummary{{Row: 3}}},
		{"condemned but on the network",
			[]Entry{entry(2, map[Field]string{MAC: "001b6300000b", Status: "Condemned 2023"})},
			[]*inventory.Device{devB},
			[]matchSummary{{2, b, []Field{MAC},
				[]Conflict{{Status, "Condemned 2023", "seen on the network"}}}}, nil},
		{"conflicts of maker, model and serial",
			[]Entry{entry(2, map[Field]string{MAC: "00:1b:63:00:00:0a", Manufacturer: "Baxter",
				Model: "Sigma Spectrum", Serial: "SX"})},
			[]*inventory.Device{func() *inventory.Device {
				d := dev(a, "00:1b:63:00:00:0a", nil, nil, "SA")
				d.Vendor, d.Model = "B. Braun", "Infusomat Space"
				return d
			}()},
			[]matchSummary{{2, a, []Field{MAC}, []Conflict{{Serial, "SX", "SA"},
				{Manufacturer, "Baxter", "B. Braun"}, {Model, "Sigma Spectrum", "Infusomat Space"}}}},
			nil},
		{"nothing", nil, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Reconcile(&Register{Entries: tt.entries}, tt.devices)
			m, o, _ := summarise(got)
			if diff := cmp.Diff(tt.matched, m); diff != "" {
				t.Errorf("matched (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.others, o); diff != "" {
				t.Errorf("others (-want +got):\n%s", diff)
			}
			f := got.Figures
			for _, r := range []float64{f.Accuracy, f.InRegister, f.OnNetwork} {
				if math.IsNaN(r) || r < 0 || r > 1 {
					t.Errorf("figures %+v: ratio %v out of [0, 1]", f, r)
				}
			}
			if n := f.Matched + f.Relayed + f.Duplicates + f.RegisterOnly; n != len(tt.entries) {
				t.Errorf("figures %+v: lists hold %d entries, want %d", f, n, len(tt.entries))
			}
		})
	}
}

// TestReconcileOrder checks that the result does not depend on the order
// of the devices or of the entries.
func TestReconcileOrder(t *testing.T) {
	reg := readFile(t, csvPath, nil)
	devices := labDevices(t)
	want := Reconcile(reg, devices)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		d := slices.Clone(devices)
		rng.Shuffle(len(d), func(i, j int) { d[i], d[j] = d[j], d[i] })
		r := *reg
		r.Entries = slices.Clone(reg.Entries)
		rng.Shuffle(len(r.Entries), func(i, j int) {
			r.Entries[i], r.Entries[j] = r.Entries[j], r.Entries[i]
		})
		if diff := cmp.Diff(want, Reconcile(&r, d)); diff != "" {
			t.Fatalf("shuffle %d (-first +shuffled):\n%s", i, diff)
		}
	}
	if reg.Entries[0].Row != 4 {
		t.Errorf("Reconcile reordered its argument's entries")
	}
}
