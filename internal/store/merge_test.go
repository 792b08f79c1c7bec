package store

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/inventory"
)

// TestMergeLab stores the inventory of a real capture and reads every
// device back as the analysis described it.
func TestMergeLab(t *testing.T) {
	a := analyse(t, labCapture)
	if len(a.inv.Devices) == 0 || len(a.res.Flows) == 0 {
		t.Fatalf("the lab capture gave %d devices and %d flows", len(a.inv.Devices), len(a.res.Flows))
	}
	eachDB(t, func(t *testing.T, db *DB) {
		m := mustMerge(t, db, a.input(), a.file(labCapture))
		if m.Devices != len(a.inv.Devices) || m.NewDevices != m.Devices {
			t.Errorf("merged %d devices (%d new), want %d", m.Devices, m.NewDevices,
				len(a.inv.Devices))
		}
		if m.Flows != len(a.res.Flows) || m.Links != len(a.inv.Links) {
			t.Errorf("merged %d flows and %d links, want %d and %d", m.Flows, m.Links,
				len(a.res.Flows), len(a.inv.Links))
		}
		for _, want := range a.inv.Devices {
			got := mustDevice(t, db, want.ID)
			checkDevice(t, got, want)
		}
		files, err := db.Files(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 1 || files[0].SHA256 != a.sha || files[0].Merged != m ||
			files[0].Packets != a.res.Stats.Packets {
			t.Errorf("files %+v, want the lab capture with %+v", files, m)
		}
		if ok, err := db.Ingested(t.Context(), a.sha); !ok || err != nil {
			t.Errorf("Ingested(lab) = %v, %v; want true", ok, err)
		}
	})
}

// checkDevice compares a stored device with the analysed one.
func checkDevice(t *testing.T, got *DeviceDetail, want *inventory.Device) {
	t.Helper()
	gotID := struct {
		MAC, Vendor, Model, Category, Criticality, OS, Software string
		Names                                                   []string
		Identification                                          inventory.Identification
		OUI                                                     *inventory.OUI
		VLANs                                                   []uint16
		First, Last                                             time.Time
		Packets, Bytes                                          uint64
		Router, Randomised                                      bool
	}{got.MAC, got.Vendor, got.Model, got.Category, got.Criticality, got.OS, got.Software,
		got.Names, got.Identification, got.OUI, got.VLANs, got.FirstSeen, got.LastSeen,
		got.Packets, got.Bytes, got.Router, got.MACRandomised}
	wantID := gotID
	wantID.MAC, wantID.Vendor, wantID.Model = want.MACString, want.Vendor, want.Model
	wantID.Category, wantID.Criticality, wantID.OS = want.Category, want.Criticality, want.OS
	wantID.Software, wantID.Names, wantID.Identification = want.Software, want.Names,
		want.Identification
	wantID.OUI, wantID.VLANs, wantID.First, wantID.Last = want.OUI, want.VLANs, want.FirstSeen,
		want.LastSeen
	wantID.Packets, wantID.Bytes, wantID.Router, wantID.Randomised = want.Packets, want.Bytes,
		want.Router, want.MACRandomised
	if diff := cmp.Diff(wantID, gotID, cmpOpts); diff != "" {
		t.Errorf("device %s (-analysed +stored):\n%s", want.ID, diff)
	}
	if diff := cmp.Diff(compact(want.Attributes), got.Attributes, cmpOpts); diff != "" {
		t.Errorf("device %s attributes (-analysed +stored):\n%s", want.ID, diff)
	}
	if diff := cmp.Diff(want.Findings, got.Findings, cmpOpts); diff != "" {
		t.Errorf("device %s findings (-analysed +stored):\n%s", want.ID, diff)
	}
	var ips []string
	for _, i := range got.Identifiers {
		if i.Kind == "ip" {
			ips = append(ips, i.Value)
		}
	}
	if diff := cmp.Diff(want.IPs, ips, cmpOpts); diff != "" {
		t.Errorf("device %s addresses (-analysed +stored):\n%s", want.ID, diff)
	}
}

// compact folds attributes that differ only in what the inventory keeps
// unexported (the peer's endpoint), as the store does.
func compact(as []inventory.Attribute) []inventory.Attribute {
	var out []inventory.Attribute
	for _, a := range as {
		i := slices.IndexFunc(out, func(b inventory.Attribute) bool {
			return a.Source == b.Source && a.Key == b.Key && a.Value == b.Value && a.Peer == b.Peer
		})
		if i < 0 {
			out = append(out, a)
			continue
		}
		b := &out[i]
		b.Count += a.Count
		b.Confidence = max(b.Confidence, a.Confidence)
		if a.FirstSeen.Before(b.FirstSeen) {
			b.FirstSeen = a.FirstSeen
		}
		if a.LastSeen.After(b.LastSeen) {
			b.LastSeen = a.LastSeen
		}
	}
	return out
}

func TestReingestIdenticalFile(t *testing.T) {
	a := analyse(t, labCapture)
	eachDB(t, func(t *testing.T, db *DB) {
		mustMerge(t, db, a.input(), a.file(labCapture))
		before := tableCounts(t, db)
		attrCount := sumColumn(t, db, "attributes", "count")
		flowPackets := sumColumn(t, db, "flows", "packets")

		m, err := db.MergeInventory(t.Context(), a.input(), a.file(labCapture))
		if !errors.Is(err, ErrAlreadyIngested) {
			t.Fatalf("merge the same file again: got %v, want ErrAlreadyIngested", err)
		}
		if m != (Merged{}) {
			t.Errorf("merge the same file again wrote %+v", m)
		}
		if got := tableCounts(t, db); !cmp.Equal(got, before) {
			t.Errorf("row counts changed (-before +after):\n%s", cmp.Diff(before, got))
		}
		if n := sumColumn(t, db, "attributes", "count"); n != attrCount {
			t.Errorf("attribute counts add up to %d, want %d as before", n, attrCount)
		}
		if n := sumColumn(t, db, "flows", "packets"); n != flowPackets {
			t.Errorf("flow packets add up to %d, want %d as before", n, flowPackets)
		}
	})
}

// TestSecondFileMerges merges a second file that saw the same devices:
// counts add up and times widen, without a row more.
func TestSecondFileMerges(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		mustMerge(t, db, syntheticInput(6, 3, 0), File{SHA256: fakeSHA(1)})
		before := tableCounts(t, db)
		m := mustMerge(t, db, syntheticInput(6, 3, 2), File{SHA256: fakeSHA(2)})
		if m.NewDevices != 0 || m.Devices != 6 {
			t.Errorf("merged %+v, want 6 devices, none new", m)
		}
		after := tableCounts(t, db)
		before["ingested_files"]++
		if !cmp.Equal(after, before) {
			t.Errorf("row counts (-want +got):\n%s", cmp.Diff(before, after))
		}

		first := synth{devices: 6, attrs: 3}.device(2)
		second := synth{devices: 6, attrs: 3, shift: 2 * time.Hour}.device(2)
		d := mustDevice(t, db, first.ID)
		if !d.FirstSeen.Equal(first.FirstSeen) || !d.LastSeen.Equal(second.LastSeen) {
			t.Errorf("device seen %v to %v, want %v to %v", d.FirstSeen, d.LastSeen,
				first.FirstSeen, second.LastSeen)
		}
		if d.Packets != 200 {
			t.Errorf("device sent %d packets, want 200", d.Packets)
		}
		a := d.Attributes[0]
		if a.Count != 6 || !a.FirstSeen.Equal(first.FirstSeen) || !a.LastSeen.Equal(second.LastSeen) {
			t.Errorf("attribute %+v, want count 6 seen %v to %v", a, first.FirstSeen,
				second.LastSeen)
		}
		if i := d.Identifiers[1]; i.Packets != 200 || !i.LastSeen.Equal(second.LastSeen) {
			t.Errorf("address %+v, want 200 packets last seen %v", i, second.LastSeen)
		}
		if f := d.Findings; len(f) != 0 {
			t.Errorf("device 2 has findings %+v", f)
		}
		if f := mustDevice(t, db, "mac:"+synthMAC(4)).Findings; len(f) != 1 ||
			f[0].Messages != 10 || f[0].Connections != 2 || f[0].Peers != 1 {
			t.Errorf("device 4 findings %+v, want 10 messages over 2 connections, 1 peer", f)
		}
		flows, err := db.DeviceFlows(t.Context(), first.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(flows) != 2 || flows[0].Packets != 20 || flows[0].Connections != 2 {
			t.Errorf("flows %+v, want 2 of 20 packets over 2 connections", flows)
		}
		if n := sumColumn(t, db, "links", "count"); n != 5*2*2 {
			t.Errorf("link counts add up to %d, want 20", n)
		}
	})
}

// TestMergeNewFacts merges a file with a new name, a new address and a new
// attribute for a known device, and one that knows less.
func TestMergeNewFacts(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		in := syntheticInput(1, 1, 0)
		mustMerge(t, db, in, File{SHA256: fakeSHA(1)})

		next := syntheticInput(1, 1, 1)
		d := next.Devices[0]
		d.Names = []string{"ward7-pump"}
		d.IPs = []string{"10.9.9.9"}
		d.Addresses = []inventory.Address{{IP: "10.9.9.9", FirstSeen: d.FirstSeen,
			LastSeen: d.LastSeen, SeenBy: []string{"ip"}}}
		d.Attributes = append(d.Attributes, inventory.Attribute{Key: "hostname",
			Value: "ward7-pump", Source: "dhcp", Confidence: 90, FirstSeen: d.FirstSeen,
			LastSeen: d.LastSeen, Count: 1})
		d.Vendor, d.Model, d.Identification = "", "", inventory.Identification{}
		mustMerge(t, db, next, File{SHA256: fakeSHA(2)})

		got := mustDevice(t, db, d.ID)
		if want := []string{"ward7-pump", "dev-00000"}; !slices.Equal(got.Names, want) ||
			got.Name != want[0] {
			t.Errorf("names %q (name %q), want %q", got.Names, got.Name, want)
		}
		if got.Vendor != "Baxter" || got.Model != "Model 0" || got.Identification.Category == nil {
			t.Errorf("identity %q %q %+v: a file that knows less must not erase it",
				got.Vendor, got.Model, got.Identification)
		}
		if want := []string{"10.9.9.9", "10.0.0.0"}; !slices.Equal(got.IPs, want) {
			t.Errorf("IPs %q, want %q (most recent first)", got.IPs, want)
		}
		if len(got.Attributes) != 2 || got.Attributes[0].Key != "hostname" {
			t.Errorf("attributes %+v, want hostname and key00", got.Attributes)
		}
	})
}

func TestUserAttributesSurviveIngestion(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		mustMerge(t, db, syntheticInput(2, 2, 0), File{SHA256: fakeSHA(1)})
		id := "mac:" + synthMAC(1)
		for _, kv := range [][2]string{{"model", "Alaris GP"}, {"model", "Alaris GP Plus"},
			{"asset_tag", "EBME-00417"}, {"key00", "set by hand"}} {
			if err := db.SetUserAttribute(ctx, id, kv[0], kv[1]); err != nil {
				t.Fatal(err)
			}
		}
		next := syntheticInput(2, 2, 1)
		next.Devices[1].Model = "Model X"
		next.Devices[1].Vendor = "Becton Dickinson"
		next.Devices[1].Identification.Model = &inventory.Derivation{Value: "Model X", Rule: "r"}
		mustMerge(t, db, next, File{SHA256: fakeSHA(2)})

		d := mustDevice(t, db, id)
		if d.Model != "Alaris GP Plus" || d.Vendor != "Becton Dickinson" {
			t.Errorf("model %q, vendor %q; want the user's model and the analysis's vendor",
				d.Model, d.Vendor)
		}
		if !slices.Equal(d.UserSet, []string{"model"}) {
			t.Errorf("user set %q, want [model]", d.UserSet)
		}
		var user []string
		for _, a := range d.Attributes {
			if a.Source == SourceUser {
				user = append(user, a.Key+"="+a.Value)
				if a.Count != 1 || a.Confidence != userConfidence {
					t.Errorf("user attribute %+v changed", a)
				}
			}
		}
		want := []string{"asset_tag=EBME-00417", "key00=set by hand", "model=Alaris GP Plus"}
		if !slices.Equal(user, want) {
			t.Errorf("user attributes %q, want %q", user, want)
		}

		bad := syntheticInput(1, 0, 3)
		bad.Devices[0].Attributes = []inventory.Attribute{{Key: "model", Value: "forged",
			Source: SourceUser}}
		_, err := db.MergeInventory(ctx, bad, File{SHA256: fakeSHA(3)})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `source "user"`) {
			t.Errorf("merge an attribute of source user: got %v, want ErrInvalid", err)
		}
		if err := db.SetUserAttribute(ctx, "mac:none", "model", "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("set an attribute of no device: got %v, want ErrNotFound", err)
		}
	})
}

// TestMergeRollsBack fails a merge part way and finds the store as it was.
func TestMergeRollsBack(t *testing.T) {
	a := analyse(t, labCapture)
	injected := errors.New("injected failure")
	for _, step := range []string{"devices", "attributes", "flows"} {
		t.Run(step, func(t *testing.T) {
			eachDB(t, func(t *testing.T, db *DB) {
				mustMerge(t, db, syntheticInput(3, 2, 0), File{SHA256: fakeSHA(1)})
				id := "mac:" + synthMAC(1)
				before, beforeDev := tableCounts(t, db), mustDevice(t, db, id)

				db.hook = func(s string) error {
					if s == step {
						return injected
					}
					return nil
				}
				in := a.input()
				in.Devices = append(in.Devices, syntheticInput(3, 2, 1).Devices...)
				_, err := db.MergeInventory(t.Context(), in, a.file(labCapture))
				if !errors.Is(err, injected) || !strings.Contains(err.Error(), "write "+step) {
					t.Fatalf("got %v, want the injected failure in %s", err, step)
				}
				if got := tableCounts(t, db); !cmp.Equal(got, before) {
					t.Errorf("rows after a failed merge (-before +after):\n%s", cmp.Diff(before, got))
				}
				if diff := cmp.Diff(beforeDev, mustDevice(t, db, id), cmpOpts); diff != "" {
					t.Errorf("device after a failed merge (-before +after):\n%s", diff)
				}
				if ok, _ := db.Ingested(t.Context(), a.sha); ok {
					t.Error("the file of a failed merge is recorded as ingested")
				}

				db.hook = nil
				mustMerge(t, db, in, a.file(labCapture))
			})
		})
	}
}

func TestTextStoredAsWritten(t *testing.T) {
	texts := []string{
		"O'Brien", `'); DROP TABLE devices;--`, "<script>alert(1)</script>",
		`"quoted" \back\slash 100% _under_`, "Ünïcødé ☃ 𝄞 日本語", "tab\there\nnewline",
	}
	eachDB(t, func(t *testing.T, db *DB) {
		in := syntheticInput(len(texts), 0, 0)
		for i, s := range texts {
			d := in.Devices[i]
			d.Vendor, d.Model, d.Names = s, s+" model", []string{s}
			d.Attributes = []inventory.Attribute{{Key: "hostname", Value: s, Source: "dhcp",
				Peer: s, Count: 1}}
		}
		mustMerge(t, db, in, File{SHA256: fakeSHA(1), Name: texts[1]})
		for i, s := range texts {
			d := mustDevice(t, db, in.Devices[i].ID)
			if d.Vendor != s || d.Model != s+" model" || d.Name != s ||
				d.Attributes[0].Value != s || d.Attributes[0].Peer != s {
				t.Errorf("stored %q as vendor %q, model %q, name %q, attribute %q, peer %q",
					s, d.Vendor, d.Model, d.Name, d.Attributes[0].Value, d.Attributes[0].Peer)
			}
			page, err := db.ListDevices(t.Context(), DeviceQuery{DeviceFilter: DeviceFilter{
				Search: strings.ToUpper(s)}})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Devices) == 0 || page.Devices[0].ID != d.ID {
				t.Errorf("search %q found %d devices, want %s", s, len(page.Devices), d.ID)
			}
			if err := db.TagDevice(t.Context(), d.ID, s); err != nil {
				t.Fatal(err)
			}
			if d := mustDevice(t, db, d.ID); !slices.Equal(d.Tags, []string{s}) {
				t.Errorf("tags %q, want %q", d.Tags, s)
			}
		}
		if n := tableCounts(t, db)["devices"]; n != len(texts) {
			t.Errorf("%d devices, want %d", n, len(texts))
		}
		files, _ := db.Files(t.Context())
		if len(files) != 1 || files[0].Name != texts[1] {
			t.Errorf("files %+v, want one named %q", files, texts[1])
		}
	})
}

// TestInvalidTextRefused: the store refuses text that is not UTF-8 or
// holds NUL bytes, saying where, and writes nothing.
func TestInvalidTextRefused(t *testing.T) {
	cases := []struct {
		name   string
		change func(in *Input)
		want   string
	}{
		{"attribute value", func(in *Input) { in.Devices[0].Attributes[0].Value = "bad \xff" },
			`device "mac:02:00:00:00:00:00" attribute: value is not valid UTF-8`},
		{"vendor", func(in *Input) { in.Devices[1].Vendor = "\xc3\x28" },
			`device "mac:02:00:00:00:00:01": vendor is not valid UTF-8`},
		{"name", func(in *Input) { in.Devices[0].Names = []string{"a\x00b"} },
			`device "mac:02:00:00:00:00:00": name holds a NUL byte`},
		{"because", func(in *Input) {
			in.Devices[0].Identification.Category.Because = []string{"\xfe"}
		}, "identification: reason is not valid UTF-8"},
		{"link", func(in *Input) { in.Links[0].Value = "\xff" }, "value is not valid UTF-8"},
		{"flow", func(in *Input) { in.Flows[0].App = "\xff" }, "app is not valid UTF-8"},
		{"flow device", func(in *Input) { in.Flows[0].SrcDevice = "mac:elsewhere" },
			`device "mac:elsewhere" is not in the input`},
		{"sha", func(in *Input) {}, "is not 64 lower-case hex digits"},
	}
	eachDB(t, func(t *testing.T, db *DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := syntheticInput(2, 1, 0)
				c.change(in)
				sha := fakeSHA(1)
				if c.name == "sha" {
					sha = strings.ToUpper(sha)
				}
				_, err := db.MergeInventory(t.Context(), in, File{SHA256: sha})
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
					t.Errorf("got %v, want ErrInvalid saying %s", err, c.want)
				}
				if n := tableCounts(t, db)["devices"]; n != 0 {
					t.Errorf("%d devices stored from refused input", n)
				}
			})
		}
		if err := db.SetUserAttribute(t.Context(), "x", "model", "\xff"); !errors.Is(err, ErrInvalid) {
			t.Errorf("user attribute of invalid UTF-8: got %v, want ErrInvalid", err)
		}
	})
}

// TestConcurrentMerges merges files from several goroutines at once: each
// merge is whole, none is lost, and a file merged twice at once is merged
// once.
func TestConcurrentMerges(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		const files = 4
		errs := make(chan error, 2*files)
		for i := range files {
			in := syntheticInput(20, 5, i) // the same devices in every file
			for range 2 {
				go func() {
					_, err := db.MergeInventory(t.Context(), in, File{SHA256: fakeSHA(i)})
					errs <- err
				}()
			}
		}
		already := 0
		for range 2 * files {
			switch err := <-errs; {
			case errors.Is(err, ErrAlreadyIngested):
				already++
			case err != nil:
				t.Error(err)
			}
		}
		if already != files {
			t.Errorf("%d merges found their file already ingested, want %d", already, files)
		}
		if n := sumColumn(t, db, "attributes", "count"); n != files*20*5*3 {
			t.Errorf("attribute counts add up to %d, want %d", n, files*20*5*3)
		}
		if n := sumColumn(t, db, "devices", "packets"); n != files*20*100 {
			t.Errorf("device packets add up to %d, want %d", n, files*20*100)
		}
	})
}

// TestOverlappingCaptures merges the same traffic twice under different
// hashes (a capture and a copy of it in another format, two sensors on
// one SPAN): the counts do not double. Captures of other times add, in
// whatever order they come.
func TestOverlappingCaptures(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		merge := func(variant, sha int) Merged {
			t.Helper()
			m, err := db.MergeInventory(t.Context(), syntheticInput(20, 5, variant), File{SHA256: fakeSHA(sha)})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		counts := func() [3]int64 {
			return [3]int64{sumColumn(t, db, "attributes", "count"), sumColumn(t, db, "devices", "packets"),
				sumColumn(t, db, "flows", "packets")}
		}
		if m := merge(0, 1); m.Overlapping {
			t.Error("the first capture overlaps nothing, but was merged as overlapping")
		}
		once := counts()
		if m := merge(0, 2); !m.Overlapping {
			t.Error("the same traffic again was not seen to overlap")
		}
		if got := counts(); got != once {
			t.Errorf("the same traffic merged twice: counts %v, want %v as after once", got, once)
		}
		// Later, earlier, then between: each its own time, each adding.
		for i, variant := range []int{5, 2, 3} {
			if m := merge(variant, 10+i); m.Overlapping {
				t.Errorf("capture of hour %d overlaps another's time, want apart", variant)
			}
		}
		if got, want := counts(), [3]int64{4 * once[0], 4 * once[1], 4 * once[2]}; got != want {
			t.Errorf("four captures of different hours: counts %v, want %v", got, want)
		}
	})
}

// withHours gives each flow of in hourly counts that add up to its own: a
// packet of 100 bytes in each hour after the first, the rest in the first.
func withHours(in *Input) *Input {
	for i := range in.Flows {
		f := &in.Flows[i]
		f.Hours = nil
		for h := f.FirstSeen.Truncate(time.Hour); !h.After(f.LastSeen); h = h.Add(time.Hour) {
			f.Hours = append(f.Hours, HourCount{Hour: h, Packets: 1, Bytes: 100})
		}
		f.Hours[0].Packets = f.Packets - uint64(len(f.Hours)-1)
		f.Hours[0].Bytes = f.Bytes - 100*uint64(len(f.Hours)-1)
	}
	return in
}

// hourRows reads flow_hours as "src>dst/hour" → packets, bytes.
func hourRows(t *testing.T, db *DB) map[string][2]int64 {
	t.Helper()
	rows, err := db.sql.QueryContext(t.Context(),
		"SELECT src, dst, hour, packets, bytes FROM flow_hours")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][2]int64{}
	for rows.Next() {
		var src, dst string
		var hour, packets, bytes int64
		if err := rows.Scan(&src, &dst, &hour, &packets, &bytes); err != nil {
			t.Fatal(err)
		}
		out[src+">"+dst+"/"+time.Unix(hour, 0).UTC().Format("15")] = [2]int64{packets, bytes}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFlowHours merges captures with hourly counts: captures of other
// hours add rows, a capture of the same hours adds to them, an
// overlapping one keeps the greater count of each hour, and the same file
// again changes nothing.
func TestFlowHours(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		mustMerge(t, db, withHours(syntheticInput(90, 1, 0)), File{SHA256: fakeSHA(1)})
		once := hourRows(t, db)
		if got, want := sumColumn(t, db, "flow_hours", "packets"),
			sumColumn(t, db, "flows", "packets"); got != want || want == 0 {
			t.Errorf("flow_hours hold %d packets, want the flows' %d", got, want)
		}
		if n := len(once); n <= 89 {
			t.Errorf("%d hour rows for 89 flows, want some flows of two hours", n)
		}

		bigger := withHours(syntheticInput(90, 1, 0))
		f := &bigger.Flows[0]
		f.Packets, f.Hours[0].Packets = f.Packets+50, f.Hours[0].Packets+50
		if m := mustMerge(t, db, bigger, File{SHA256: fakeSHA(2)}); !m.Overlapping {
			t.Fatal("the same hours again were not merged as overlapping")
		}
		want := maps.Clone(once)
		k := f.Src + ">" + f.Dst + "/" + f.Hours[0].Hour.Format("15")
		want[k] = [2]int64{want[k][0] + 50, want[k][1]}
		if diff := cmp.Diff(want, hourRows(t, db)); diff != "" {
			t.Errorf("after an overlapping capture (-want +got):\n%s", diff)
		}

		_, err := db.MergeInventory(t.Context(), bigger, File{SHA256: fakeSHA(2)})
		if !errors.Is(err, ErrAlreadyIngested) {
			t.Fatalf("the same file again: got %v, want ErrAlreadyIngested", err)
		}
		if diff := cmp.Diff(want, hourRows(t, db)); diff != "" {
			t.Errorf("after the same file again (-want +got):\n%s", diff)
		}

		mustMerge(t, db, withHours(syntheticInput(90, 1, 5)), File{SHA256: fakeSHA(3)})
		if got := len(hourRows(t, db)); got != 2*len(once) {
			t.Errorf("after a capture five hours later: %d hour rows, want %d", got, 2*len(once))
		}
	})
}

// TestFlowHoursAdd merges two captures of the same flows in the same
// hours that do not overlap in time (one in the first half of each hour,
// one in the second): the counts of each hour add up.
func TestFlowHoursAdd(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		early := withHours(syntheticInput(2, 1, 0))
		late := withHours(syntheticInput(2, 1, 0))
		for i := range late.Flows {
			f := &late.Flows[i]
			f.FirstSeen, f.LastSeen = f.LastSeen.Add(time.Minute), f.LastSeen.Add(2*time.Minute)
		}
		for i := range late.Devices {
			late.Devices[i].FirstSeen = late.Flows[0].FirstSeen
			late.Devices[i].LastSeen = late.Flows[0].LastSeen
		}
		in := late.Flows[0]
		late.Flows[0].Hours = []HourCount{{Hour: in.FirstSeen.Truncate(time.Hour), Packets: 10,
			Bytes: 1000}}
		mustMerge(t, db, early, File{SHA256: fakeSHA(1)})
		if m := mustMerge(t, db, late, File{SHA256: fakeSHA(2)}); m.Overlapping {
			t.Fatal("captures apart in time were merged as overlapping")
		}
		f := early.Flows[0]
		k := f.Src + ">" + f.Dst + "/" + f.Hours[0].Hour.Format("15")
		if got, want := hourRows(t, db)[k], [2]int64{20, 2000}; got != want {
			t.Errorf("hour %s: got %v, want %v", k, got, want)
		}
	})
}

// TestFlowHoursLab merges a real capture: the flows' hours hold all their
// packets and bytes.
func TestFlowHoursLab(t *testing.T) {
	a := analyse(t, labCapture)
	eachDB(t, func(t *testing.T, db *DB) {
		mustMerge(t, db, a.input(), a.file(labCapture))
		for _, col := range []string{"packets", "bytes"} {
			got, want := sumColumn(t, db, "flow_hours", col), sumColumn(t, db, "flows", col)
			if got != want || want == 0 {
				t.Errorf("flow_hours hold %d %s, want the flows' %d", got, col, want)
			}
		}
	})
}

// TestFlowHoursInvalid refuses hourly counts that are not whole hours in
// order within the flow's time, before anything is written.
func TestFlowHoursInvalid(t *testing.T) {
	cases := []struct {
		name string
		edit func(f *Flow)
		want string
	}{
		{"not an hour's start", func(f *Flow) {
			f.Hours[0].Hour = f.Hours[0].Hour.Add(time.Minute)
		}, "not the start of an hour"},
		{"out of order", func(f *Flow) {
			f.Hours = []HourCount{f.Hours[0], f.Hours[0]}
		}, "not after the hour before"},
		{"before the flow", func(f *Flow) { f.Hours[0].Hour = f.Hours[0].Hour.Add(-time.Hour) },
			"before the flow's first packet"},
		{"after the flow", func(f *Flow) {
			next := f.LastSeen.Truncate(time.Hour).Add(time.Hour)
			f.Hours = append(f.Hours, HourCount{Hour: next})
		}, "after the flow's last packet"},
		{"zero hour", func(f *Flow) { f.Hours[0].Hour = time.Time{} }, "out of range"},
	}
	eachDB(t, func(t *testing.T, db *DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := withHours(syntheticInput(3, 1, 0))
				c.edit(&in.Flows[0])
				_, err := db.MergeInventory(t.Context(), in, File{SHA256: fakeSHA(1)})
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
					t.Errorf("got %v, want ErrInvalid saying %q", err, c.want)
				}
				if n := tableCounts(t, db)["flows"]; n != 0 {
					t.Errorf("%d flows stored after a refused merge, want 0", n)
				}
			})
		}
	})
}

// TestFlowHoursFollowFlows deletes a device and then a flow: the flow's
// hours stay with it, without the device, and go with it.
func TestFlowHoursFollowFlows(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		in := withHours(syntheticInput(3, 1, 0))
		mustMerge(t, db, in, File{SHA256: fakeSHA(1)})
		f := in.Flows[0]
		before := len(hourRows(t, db))
		if _, err := db.sql.ExecContext(t.Context(), "DELETE FROM devices WHERE id = $1",
			f.SrcDevice); err != nil {
			t.Fatal(err)
		}
		if got := len(hourRows(t, db)); got != before {
			t.Errorf("after deleting a device: %d hour rows, want %d", got, before)
		}
		hours, err := db.SegmentFlowHours(t.Context(), time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hours {
			if h.Src.String() == f.Src && h.SrcDevice != "" {
				t.Errorf("hour of a deleted device's flow names device %q", h.SrcDevice)
			}
		}
		if _, err := db.sql.ExecContext(t.Context(), "DELETE FROM flows WHERE src = $1 AND "+
			"dst = $2", f.Src, f.Dst); err != nil {
			t.Fatal(err)
		}
		if got, want := len(hourRows(t, db)), before-len(f.Hours); got != want {
			t.Errorf("after deleting a flow: %d hour rows, want %d", got, want)
		}
	})
}
