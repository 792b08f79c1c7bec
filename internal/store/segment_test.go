package store

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/segment"
)

const policyYAML = `# The ward's first policy.
name: ward7
zones:
  - name: clinical
`

func TestPolicyVersions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		if _, err := db.CurrentPolicy(ctx); !errors.Is(err, ErrNotFound) {
			t.Fatalf("current policy of a new store: got %v, want ErrNotFound", err)
		}
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		first := PolicyVersion{Name: "ward7", YAML: policyYAML, Digest: "sha256:aa", By: "alice",
			Note: "first draft", CreatedAt: at}
		second := PolicyVersion{ID: 99, Name: "ward7", YAML: policyYAML + "  - name: imaging\n",
			Digest: "sha256:bb", By: "cli:bob"}
		var err error
		if first.ID, err = db.SavePolicy(ctx, first); err != nil {
			t.Fatal(err)
		}
		if second.ID, err = db.SavePolicy(ctx, second); err != nil {
			t.Fatal(err)
		}
		if second.ID == 99 || second.ID <= first.ID {
			t.Fatalf("ids %d then %d, want increasing and not the given 99", first.ID, second.ID)
		}
		cur, err := db.CurrentPolicy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur.CreatedAt.IsZero() {
			t.Errorf("current policy has no creation time")
		}
		second.CreatedAt = cur.CreatedAt
		if diff := cmp.Diff(&second, cur); diff != "" {
			t.Errorf("current policy (-want +got):\n%s", diff)
		}
		got, err := db.PolicyVersions(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]PolicyVersion{second, first}, got); diff != "" {
			t.Errorf("versions (-want +got):\n%s", diff)
		}
		if got, _ := db.PolicyVersions(ctx, 1); len(got) != 1 || got[0].ID != second.ID {
			t.Errorf("one version: got %+v, want the latest", got)
		}
		byID, err := db.PolicyVersionByID(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&first, byID); diff != "" {
			t.Errorf("version %d (-want +got):\n%s", first.ID, diff)
		}
		if _, err := db.PolicyVersionByID(ctx, second.ID+1); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown version: got %v, want ErrNotFound", err)
		}
	})
}

func TestSavePolicyInvalid(t *testing.T) {
	good := PolicyVersion{Name: "p", YAML: policyYAML, Digest: "sha256:aa", By: "alice"}
	cases := []struct {
		name string
		edit func(*PolicyVersion)
	}{
		{"no text", func(v *PolicyVersion) { v.YAML = " \n" }},
		{"no digest", func(v *PolicyVersion) { v.Digest = "" }},
		{"no author", func(v *PolicyVersion) { v.By = "\t" }},
		{"NUL in text", func(v *PolicyVersion) { v.YAML += "\x00" }},
		{"bad UTF-8 note", func(v *PolicyVersion) { v.Note = "\xff" }},
		{"time out of range", func(v *PolicyVersion) {
			v.CreatedAt = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
		}},
	}
	eachDB(t, func(t *testing.T, db *DB) {
		id, err := db.SavePolicy(t.Context(), good)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				v := good
				c.edit(&v)
				if _, err := db.SavePolicy(t.Context(), v); !errors.Is(err, ErrInvalid) {
					t.Errorf("save: got %v, want ErrInvalid", err)
				}
				cur, err := db.CurrentPolicy(t.Context())
				if err != nil || cur.ID != id {
					t.Errorf("policy in force: got %+v, %v; want version %d", cur, err, id)
				}
			})
		}
	})
}

func TestSignoffs(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	a1 := segment.Signoff{PolicyDigest: "sha256:aa", By: "carol", At: at,
		Hazard:    "infusion pumps lose the drug library server",
		Reasoning: "libraries are loaded by hand on the ward until the conduit opens",
		Flows:     []string{"10.1.0.5>10.9.0.2/tcp/443@20"}}
	a2 := segment.Signoff{PolicyDigest: "sha256:aa", By: "dave", At: at.Add(time.Hour),
		Hazard: "monitors lose the central station", Reasoning: "the conduit covers it"}
	b1 := segment.Signoff{PolicyDigest: "sha256:bb", By: "carol", At: at.Add(2 * time.Hour),
		Hazard: "h", Reasoning: "r", Flows: []string{}}
	eachDB(t, func(t *testing.T, db *DB) {
		for _, s := range []*segment.Signoff{&a1, &a2, &b1} {
			id, err := db.SaveSignoff(t.Context(), *s)
			if err != nil {
				t.Fatal(err)
			}
			s.ID = id
		}
		want := map[string][]segment.Signoff{
			"":          {b1, a2, a1},
			"sha256:aa": {a2, a1},
			"sha256:bb": {b1},
			"sha256:cc": {},
		}
		want[""][1].Flows, want["sha256:aa"][0].Flows = []string{}, []string{}
		for digest, w := range want {
			got, err := db.Signoffs(t.Context(), digest)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("sign-offs of %q (-want +got):\n%s", digest, diff)
			}
		}
	})
}

func TestSaveSignoffInvalid(t *testing.T) {
	good := segment.Signoff{PolicyDigest: "sha256:aa", By: "carol", Hazard: "h", Reasoning: "r"}
	cases := []struct {
		name string
		edit func(*segment.Signoff)
	}{
		{"no author", func(s *segment.Signoff) { s.By = "" }},
		{"no hazard", func(s *segment.Signoff) { s.Hazard = "  " }},
		{"no reasoning", func(s *segment.Signoff) { s.Reasoning = "\n" }},
		{"no digest", func(s *segment.Signoff) { s.PolicyDigest = "" }},
		{"NUL in hazard", func(s *segment.Signoff) { s.Hazard = "a\x00b" }},
		{"bad UTF-8 flow", func(s *segment.Signoff) { s.Flows = []string{"\xfe"} }},
	}
	eachDB(t, func(t *testing.T, db *DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := good
				c.edit(&s)
				_, err := db.SaveSignoff(t.Context(), s)
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("save: got %v, want ErrInvalid", err)
				}
				if got, _ := db.Signoffs(t.Context(), ""); len(got) != 0 {
					t.Errorf("stored %d sign-offs, want none", len(got))
				}
			})
		}
		id, err := db.SaveSignoff(t.Context(), good)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Signoffs(t.Context(), "")
		if err != nil || len(got) != 1 || got[0].ID != id || got[0].At.IsZero() {
			t.Errorf("good sign-off: got %+v, %v; want it stored with a time", got, err)
		}
	})
}

func TestSegmentDevices(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		in := syntheticInput(3, 1, 0)
		in.Devices[1].IPs = append(in.Devices[1].IPs, "not an address", "fe80::1")
		in.Devices[2].VLANs = []uint16{20, 30}
		mustMerge(t, db, in, File{SHA256: fakeSHA(1)})
		for _, tag := range []string{"theatres", "loaned"} {
			if err := db.TagDevice(t.Context(), in.Devices[0].ID, tag); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.SegmentDevices(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want := make([]segment.Device, 3)
		for i, d := range in.Devices {
			want[i] = segment.Device{ID: d.ID, Name: d.Names[0],
				IPs: []netip.Addr{netip.MustParseAddr(d.IPs[0])}, VLANs: d.VLANs,
				Category: d.Category, Criticality: d.Criticality, Vendor: d.Vendor,
				Model: d.Model}
		}
		want[0].Tags = []string{"loaned", "theatres"}
		want[1].IPs = append(want[1].IPs, netip.MustParseAddr("fe80::1"))
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool {
			return a == b
		})); diff != "" {
			t.Errorf("devices (-want +got):\n%s", diff)
		}
	})
}

func TestSegmentFlows(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		in := syntheticInput(4, 1, 0)
		in.Flows[1].SrcDevice, in.Flows[1].App = "", ""
		mustMerge(t, db, in, File{SHA256: fakeSHA(1)})
		all, err := db.SegmentFlows(t.Context(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]segment.Flow, len(in.Flows))
		for i, f := range in.Flows {
			want[i] = segment.Flow{Src: netip.MustParseAddr(f.Src),
				Dst: netip.MustParseAddr(f.Dst), Proto: f.Proto, DstPort: f.DstPort,
				VLAN: f.VLAN, App: f.App, Packets: f.Packets, Bytes: f.Bytes,
				FirstSeen: f.FirstSeen, LastSeen: f.LastSeen, SrcDevice: f.SrcDevice,
				DstDevice: f.DstDevice}
		}
		opts := cmp.Options{cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
			cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })}
		byKey := func(fs []segment.Flow) map[string]segment.Flow {
			m := map[string]segment.Flow{}
			for _, f := range fs {
				m[f.Key()] = f
			}
			return m
		}
		if diff := cmp.Diff(byKey(want), byKey(all), opts); diff != "" {
			t.Errorf("all flows (-want +got):\n%s", diff)
		}
		since := in.Flows[2].LastSeen
		recent, err := db.SegmentFlows(t.Context(), since)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(byKey(want[2:]), byKey(recent), opts); diff != "" {
			t.Errorf("flows since %s (-want +got):\n%s", since, diff)
		}
	})
}

func TestEachSegmentFlowStops(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		mustMerge(t, db, syntheticInput(5, 1, 0), File{SHA256: fakeSHA(1)})
		stop := errors.New("enough")
		n := 0
		err := db.EachSegmentFlow(t.Context(), time.Time{}, func(*segment.Flow) error {
			n++
			return stop
		})
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("got %v after %d flows, want the callback's error after 1", err, n)
		}
	})
}

func TestSegmentTextKeptAsGiven(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		text := policyYAML + "# 'quotes'; DROP TABLE flows; -- é ✓\n" + strings.Repeat("x", 70000)
		id, err := db.SavePolicy(t.Context(), PolicyVersion{YAML: text, Digest: "d", By: "b"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.PolicyVersionByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if v.YAML != text {
			t.Errorf("text of %d bytes read back as %d bytes, not the same", len(text), len(v.YAML))
		}
	})
}

func TestSegmentFlowHours(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		in := withHours(syntheticInput(90, 1, 0))
		mustMerge(t, db, in, File{SHA256: fakeSHA(1)})
		eight := synthBase.Truncate(time.Hour)
		nine := eight.Add(time.Hour)
		var all, inEight, inNine int
		flows := map[string]Flow{}
		for _, f := range in.Flows {
			flows[f.Src+">"+f.Dst] = f
			for _, h := range f.Hours {
				all++
				if h.Hour.Equal(eight) {
					inEight++
				} else {
					inNine++
				}
			}
		}
		cases := []struct {
			name     string
			from, to time.Time
			want     int
		}{
			{"all", time.Time{}, time.Time{}, all},
			{"from nine", nine, time.Time{}, inNine},
			{"to nine", time.Time{}, nine, inEight},
			{"from a nanosecond past eight", eight.Add(1), time.Time{}, inNine},
			{"within an hour", eight.Add(30 * time.Minute), nine, 0},
			{"eight to ten", eight, nine.Add(time.Hour), all},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := db.SegmentFlowHours(t.Context(), c.from, c.to)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != c.want {
					t.Errorf("got %d hours, want %d", len(got), c.want)
				}
				for i, h := range got {
					checkFlowHour(t, flows, h)
					if i > 0 && h.Hour.Before(got[i-1].Hour) {
						t.Errorf("hour %v after %v, want hour order", h.Hour, got[i-1].Hour)
					}
				}
			})
		}
	})
}

// checkFlowHour compares an hour read back with the flow and hour merged.
func checkFlowHour(t *testing.T, flows map[string]Flow, h segment.FlowHour) {
	t.Helper()
	f, ok := flows[h.Src.String()+">"+h.Dst.String()]
	if !ok {
		t.Errorf("hour of an unknown flow %s", h.Key())
		return
	}
	i := slices.IndexFunc(f.Hours, func(c HourCount) bool { return c.Hour.Equal(h.Hour) })
	if i < 0 {
		t.Errorf("flow %s: hour %v was not merged", h.Key(), h.Hour)
		return
	}
	got := [...]any{h.App, h.SrcDevice, h.DstDevice, h.Packets, h.Bytes, h.Hour.Location()}
	want := [...]any{f.App, f.SrcDevice, f.DstDevice, f.Hours[i].Packets, f.Hours[i].Bytes,
		time.UTC}
	if got != want {
		t.Errorf("flow %s hour %v: got %v, want %v", h.Key(), h.Hour, got, want)
	}
}

// TestSegmentFlowsMany reads more flows than one chunk holds: every flow
// once.
func TestSegmentFlowsMany(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		in := syntheticInput(1200, 0, 0)
		mustMerge(t, db, in, File{SHA256: fakeSHA(1)})
		got, err := db.SegmentFlows(t.Context(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, f := range got {
			seen[f.Src.String()+">"+f.Dst.String()] = true
		}
		if len(got) != len(in.Flows) || len(seen) != len(in.Flows) {
			t.Errorf("got %d flows, %d of them distinct; want %d", len(got), len(seen),
				len(in.Flows))
		}
	})
}

// ci-fuzz: 3000x
func FuzzParseIPs(f *testing.F) {
	for _, s := range []string{`[]`, `["10.0.0.1"]`, `["10.0.0.1","fe80::1%eth0","::ffff:10.1.2.3"]`,
		`["not an address","192.168.1.300",""]`, `[1, 2]`, `{"a": 1}`, `null`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		ips, err := parseIPs(doc)
		if err != nil {
			return
		}
		for _, a := range ips {
			if !a.IsValid() {
				t.Errorf("parseIPs(%q) returned an invalid address", doc)
			}
		}
	})
}
