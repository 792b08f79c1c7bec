package match

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVendorKeys(t *testing.T) {
	v := DefaultVendors()
	for _, c := range []struct {
		name string
		want []string
	}{
		{"Becton, Dickinson and Company (BD)", []string{"bd"}},
		{"BD", []string{"bd"}},
		{"Becton Dickinson UK Ltd", []string{"bd"}},
		{"CareFusion", []string{"bd"}},
		{"General Electric (GE)", []string{"ge"}},
		{"GE Medical Systems Information Technologies", []string{"ge"}},
		{"GE HealthCare", []string{"ge"}},
		{"Phillips", []string{"philips"}},
		{"Philips Medical Systems Nederland B.V.", []string{"philips"}},
		{"Dräger", []string{"draeger"}},
		{"Drager Medical UK Ltd", []string{"draeger"}},
		{"B. Braun Melsungen AG", []string{"b braun"}},
		{"B Braun", []string{"b braun"}},
		{"St. Jude Medical", []string{"abbott"}},
		{"Welch Allyn", []string{"baxter"}},
		{"Hill-Rom", []string{"baxter"}},
		{"Innokas YhtymÃ¤ Oy", []string{"innokas"}},
		{"Natus Medical, Inc. (Natus)", []string{"natus"}},
		{"Medtronic ", []string{"medtronic"}},
		{"Medtronic MiniMed", []string{"medtronic"}},
		{"ENEA, Green Hills Software, ITRON, IP Infusion, and Wind River",
			[]string{"enea", "green hills", "itron", "ip infusion", "wind river"}},
		{"Hillrom and ELI, Baxter International Inc.", []string{"baxter", "eli"}},
		{"Silex Technology and GE Healthcare", []string{"silex", "ge"}},
		{"BMC Medical, 3B Medical", []string{"bmc"}},
		{"Mindray", []string{"mindray"}},
		{"Nihon Kohden Europe GmbH", []string{"nihon kohden"}},
		{"", nil},
		{"  -- ", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, v.Keys(c.name)); diff != "" {
				t.Errorf("Keys(%q) (-want +got):\n%s", c.name, diff)
			}
		})
	}
}

func TestVendorsAdd(t *testing.T) {
	v := DefaultVendors()
	if err := v.Add([]byte("mindray: [Shenzhen Mindray, Mindray Bio-Medical]\n")); err != nil {
		t.Fatal(err)
	}
	if got := v.Key("Shenzhen Mindray Bio-Medical Electronics"); got != "mindray" {
		t.Errorf("Key after Add: got %q, want mindray", got)
	}
	for _, c := range []struct{ name, doc, want string }{
		{"taken alias", "mindray2: [Philips]\n", `line 1: "Philips" is already an alias of "philips"`},
		{"not a list", "acme: Acme Ltd\n", "line 1: acme: want a list of aliases"},
		{"not a mapping", "- a\n- b\n", "line 1: want a mapping"},
		{"bad yaml", "a: [b\n", "vendor aliases: yaml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := DefaultVendors().Add([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Add(%q): got %v, want an error with %q", c.doc, err, c.want)
			}
		})
	}
}

func TestClose(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"philips", "phlips", true}, {"medtronic", "medtronik", true}, {"baxter", "baxter", true},
		{"ge", "gx", false}, {"siemens", "simens", true}, {"spacelabs", "spacelab", true},
		{"zoll", "zolt", false}, {"stryker", "striker", true}, {"philips", "phoenix", false},
	} {
		if got := close(c.a, c.b); got != c.want {
			t.Errorf("close(%q, %q): got %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
