package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wardhq/ward/internal/register"
)

// registerCSV is a register of two assets, one of them device 0 of a
// synthetic input, with cells the store must not keep (an owner, notes, a
// location) and two problems: a MAC that is none, and a row of notes.
const registerCSV = `Asset No,Description,Manufacturer,Model,Serial No,MAC Address,IP Address,Owner,Notes,Location
A001,Infusion pump,Baxter,Model 0,SN1,02:00:00:00:00:00,10.0.0.0,Dr Jane Smith,lent to ward 9,Bay 3
A002,Monitor,Philips,MX450,SN2,zz:zz,,Sister Ann Jones,needs testing,Bay 4
,,,,,,,,ask Dr Jane Smith about A003,
`

// readRegister reads and reconciles registerCSV with three synthetic
// devices.
func readRegister(t *testing.T) (*register.Register, *register.Reconciliation) {
	t.Helper()
	reg, err := register.Read(strings.NewReader(registerCSV), "register.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	return reg, register.Reconcile(reg, syntheticInput(3, 0, 0).Devices)
}

func TestRegisterImports(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		if _, err := db.LatestRegisterImport(ctx); !errors.Is(err, ErrNotFound) {
			t.Fatalf("latest of none: got %v, want ErrNotFound", err)
		}
		reg, rec := readRegister(t)
		if rec.Figures.Matched != 1 || rec.Figures.RegisterOnly != 1 || len(reg.Problems) != 2 {
			t.Fatalf("the register reads %+v with problems %+v", rec.Figures, reg.Problems)
		}
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		ri := RegisterImport{Name: "register.csv", SHA256: fakeSHA(1), ImportedAt: at,
			Actor: "alice", Mapping: reg.Mapping, Figures: rec.Figures, Reconciliation: rec,
			Problems: reg.Problems}
		first, err := db.SaveRegisterImport(ctx, ri)
		if err != nil {
			t.Fatal(err)
		}
		ri.ImportedAt, ri.SHA256 = at.Add(time.Hour), fakeSHA(2)
		second, err := db.SaveRegisterImport(ctx, ri)
		if err != nil {
			t.Fatal(err)
		}

		got, err := db.LatestRegisterImport(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := ri
		want.ID, want.Reconciliation, want.Problems = second, keptRegister(rec), reg.Problems
		want.Problems[1].Value = "" // the row of notes
		if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("latest import (-want +got):\n%s", diff)
		}
		for _, cell := range []string{"Jane Smith", "Ann Jones", "lent to ward", "Bay 3"} {
			var n int
			err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM register_imports WHERE "+
				fmt.Sprintf(db.dialect.contains, "reconciliation", "$1"), cell).Scan(&n)
			if err == nil && n > 0 {
				t.Errorf("the store kept the register's %q", cell)
			}
			if err != nil {
				t.Fatal(err)
			}
		}

		list, err := db.RegisterImports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, s := range list {
			if s.Reconciliation != nil || s.Figures != rec.Figures {
				t.Errorf("summary %d: reconciliation %v, figures %+v", s.ID, s.Reconciliation, s.Figures)
			}
			ids = append(ids, s.ID)
		}
		if diff := cmp.Diff([]int64{second, first}, ids); diff != "" {
			t.Errorf("imports, newest first (-want +got):\n%s", diff)
		}
		if _, err := db.SaveRegisterImport(ctx, RegisterImport{Name: "x"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("save an import of nothing: got %v, want ErrInvalid", err)
		}
	})
}

// keptRegister is rec with only the cells the store keeps.
func keptRegister(rec *register.Reconciliation) *register.Reconciliation {
	out := keepCells(rec)
	for _, e := range append([]register.Entry{out.Matched[0].Entry}, out.RegisterOnly...) {
		for f := range e.Fields {
			switch f {
			case register.Owner, register.Notes, register.Location:
				panic("kept " + string(f))
			}
		}
	}
	return out
}

func TestKeepCells(t *testing.T) {
	_, rec := readRegister(t)
	got := keepCells(rec)
	want := map[register.Field]string{register.AssetID: "A001", register.Description: "Infusion pump",
		register.Manufacturer: "Baxter", register.Model: "Model 0", register.Serial: "SN1",
		register.MAC: "02:00:00:00:00:00", register.IP: "10.0.0.0"}
	if diff := cmp.Diff(want, got.Matched[0].Entry.Fields); diff != "" {
		t.Errorf("kept cells (-want +got):\n%s", diff)
	}
	if rec.Matched[0].Entry.Fields[register.Owner] == "" {
		t.Errorf("keepCells changed its argument")
	}
}

func TestMappings(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		cmms := register.Mapping{Columns: map[register.Field]string{register.AssetID: "Equipment No",
			register.MAC: "MAC"}, HeaderRow: 2, Delimiter: ";"}
		for _, m := range []register.Mapping{{}, cmms} { // the second replaces the first
			if err := db.SaveMapping(ctx, "cmms", m); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SaveMapping(ctx, "by hand", register.Mapping{}); err != nil {
			t.Fatal(err)
		}
		got, err := db.Mapping(ctx, "cmms")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(cmms, got); diff != "" {
			t.Errorf("mapping (-want +got):\n%s", diff)
		}
		names, err := db.Mappings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"by hand", "cmms"}, names); diff != "" {
			t.Errorf("names (-want +got):\n%s", diff)
		}
		if _, err := db.Mapping(ctx, "none"); !errors.Is(err, ErrNotFound) {
			t.Errorf("mapping none: got %v, want ErrNotFound", err)
		}
		bad := []struct {
			name string
			m    register.Mapping
		}{
			{"cmms", register.Mapping{Columns: map[register.Field]string{"colour": "Colour"}}},
			{"", register.Mapping{}},
			{"\xff", register.Mapping{}},
		}
		for _, b := range bad {
			if err := db.SaveMapping(ctx, b.name, b.m); !errors.Is(err, ErrInvalid) {
				t.Errorf("save %q %+v: got %v, want ErrInvalid", b.name, b.m, err)
			}
		}
	})
}
