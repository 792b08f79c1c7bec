package store

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// editView is what TestDeviceEdits checks of a device after each edit.
type editView struct {
	Vendor, Category, Criticality string
	UserSet                       []string
	Notes                         []string // the values of user attributes "notes"
	Location                      []string // the path of names
	Owner                         string
	Tags                          []string
}

func viewOf(t *testing.T, db *DB, id string) editView {
	t.Helper()
	d := mustDevice(t, db, id)
	v := editView{Vendor: d.Vendor, Category: d.Category, Criticality: d.Criticality,
		UserSet: d.UserSet, Tags: d.Tags}
	for _, a := range d.Attributes {
		if a.Source == SourceUser && a.Key == "notes" {
			v.Notes = append(v.Notes, a.Value)
		}
	}
	for _, l := range d.Location {
		v.Location = append(v.Location, l.Name)
	}
	if d.Owner != nil {
		v.Owner = d.Owner.Name
	}
	return v
}

func TestDeviceEdits(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		mustMerge(t, db, syntheticInput(3, 0, 0), File{SHA256: fakeSHA(1)})
		id := "mac:" + synthMAC(0) // Baxter, an infusion pump
		site, _ := db.AddLocation(ctx, Location{Kind: Site, Name: "Royal Infirmary"})
		room, _ := db.AddLocation(ctx, Location{Kind: Room, Name: "Bay 3", ParentID: site.ID})
		owner, _ := db.OwnerNamed(ctx, "Renal EBME")
		merged := 1
		merge := func() error {
			merged++
			_, err := db.MergeInventory(ctx, syntheticInput(3, 0, merged), File{SHA256: fakeSHA(merged)})
			return err
		}
		steps := []struct {
			name string
			edit func() error
			want editView
		}{
			{"as analysed", func() error { return nil },
				editView{Vendor: "Baxter", Category: "infusion-pump", Criticality: "life-sustaining"}},
			{"a person sets the vendor, category and notes", func() error {
				return errors.Join(db.SetUserAttribute(ctx, id, "vendor", "B. Braun"),
					db.SetUserAttribute(ctx, id, "category", "imaging"),
					db.SetUserAttribute(ctx, id, "notes", "on loan from ward 9"))
			}, editView{Vendor: "B. Braun", Category: "imaging", Criticality: "life-sustaining",
				UserSet: []string{"vendor", "category"}, Notes: []string{"on loan from ward 9"}}},
			{"and places it, gives it an owner and tags", func() error {
				return errors.Join(db.SetDeviceLocation(ctx, id, room.ID),
					db.SetDeviceOwner(ctx, id, owner.ID), db.TagDevice(ctx, id, "loan"),
					db.TagDevice(ctx, id, "renal"))
			}, editView{Vendor: "B. Braun", Category: "imaging", Criticality: "life-sustaining",
				UserSet: []string{"vendor", "category"}, Notes: []string{"on loan from ward 9"},
				Location: []string{"Royal Infirmary", "Bay 3"}, Owner: "Renal EBME",
				Tags: []string{"loan", "renal"}}},
			{"a merge keeps it all", merge,
				editView{Vendor: "B. Braun", Category: "imaging", Criticality: "life-sustaining",
					UserSet: []string{"vendor", "category"}, Notes: []string{"on loan from ward 9"},
					Location: []string{"Royal Infirmary", "Bay 3"}, Owner: "Renal EBME",
					Tags: []string{"loan", "renal"}}},
			{"the person clears what they set", func() error {
				return errors.Join(db.DeleteUserAttribute(ctx, id, "vendor"),
					db.DeleteUserAttribute(ctx, id, "category"),
					db.DeleteUserAttribute(ctx, id, "notes"), db.SetDeviceLocation(ctx, id, 0),
					db.SetDeviceOwner(ctx, id, 0), db.UntagDevice(ctx, id, "loan"))
			}, editView{Vendor: "", Category: "infusion-pump", Criticality: "life-sustaining",
				Tags: []string{"renal"}}}, // the analysis derived no vendor, so none is left
			{"the next merge derives the vendor again", merge,
				editView{Vendor: "Baxter", Category: "infusion-pump", Criticality: "life-sustaining",
					Tags: []string{"renal"}}},
		}
		for _, s := range steps {
			if err := s.edit(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if diff := cmp.Diff(s.want, viewOf(t, db, id), cmpOpts); diff != "" {
				t.Errorf("%s (-want +got):\n%s", s.name, diff)
			}
		}
		if err := db.DeleteUserAttribute(ctx, "mac:none", "vendor"); !errors.Is(err, ErrNotFound) {
			t.Errorf("clear the vendor of no device: got %v, want ErrNotFound", err)
		}
		if err := db.DeleteUserAttribute(ctx, id, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("clear no key: got %v, want ErrInvalid", err)
		}
	})
}

// TestEditsSearch checks that a search finds a device by what a person
// set, and no longer by what they replaced.
func TestEditsSearch(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		mustMerge(t, db, syntheticInput(3, 0, 0), File{SHA256: fakeSHA(1)})
		id := "mac:" + synthMAC(0)
		found := func(search string) bool {
			t.Helper()
			ids := listAll(t, db, DeviceQuery{DeviceFilter: DeviceFilter{Search: search}})
			return slices.Contains(ids, id)
		}
		if err := db.SetUserAttribute(ctx, id, "model", "Space Infusomat"); err != nil {
			t.Fatal(err)
		}
		for search, want := range map[string]bool{"infusomat": true, "model 0": false} {
			if got := found(search); got != want {
				t.Errorf("search %q after the model was set: found %v, want %v", search, got, want)
			}
		}
		if err := db.DeleteUserAttribute(ctx, id, "model"); err != nil {
			t.Fatal(err)
		}
		if found("infusomat") {
			t.Errorf("search infusomat after the model was cleared: found")
		}
	})
}
