package match

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNameWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"IntelliVue MX40 Patient Worn Monitor (WLAN only)",
			[]string{"intellivue", "mx40", "patient", "worn", "monitor", "wlan", "only"}},
		{"MX 40", []string{"mx", "40"}},
		{"Patient Information Centre", []string{"patient", "information", "center"}},
		{"Spot 4400", []string{"spot", "4400"}},
		{"MiniMed Paradigm 512/712 pumps", []string{"minimed", "paradigm", "512", "712", "pump"}},
		{"N'Vision", []string{"nvision"}},
		{"Dräger Infinity Delta", []string{"drager", "infinity", "delta"}},
	} {
		if diff := cmp.Diff(c.want, nameWords(c.in)); diff != "" {
			t.Errorf("nameWords(%q) (-want +got):\n%s", c.in, diff)
		}
	}
}

func TestSimilarity(t *testing.T) {
	w := newWeights()
	names := []string{"IntelliVue MX40 Patient Worn Monitor", "IntelliVue MX450",
		"IntelliVue Information Center iX", "Alaris PC Unit Model 8015", "Alaris Gateway Workstation",
		"Alaris Syringe Module 8110", "Spot Vital Signs 4400"}
	vi := &vendorIndex{vocab: map[string]bool{}, df: map[string]int{}, names: map[string]bool{}}
	for _, n := range names {
		w.count(nameWords(n))
		vi.names[n] = true
		for x := range wordSet(nameWords(n)) {
			vi.vocab[x] = true
			vi.df[x]++
		}
	}
	for _, c := range []struct {
		product, device string
		atLeast         float64 // 0: must not match
	}{
		{"IntelliVue MX40 Patient Worn Monitor", "IntelliVue MX40", 0.7},
		{"IntelliVue MX40 Patient Worn Monitor", "MX40 patient worn monitor", 0.8},
		{"IntelliVue MX40 Patient Worn Monitor", "IntelliVue MX450", 0},
		{"IntelliVue Information Center iX", "IntelliVue MX40", 0},
		{"Alaris PC Unit Model 8015", "Alaris 8015 PC Unit", 0.8},
		{"Alaris PC Unit Model 8015", "Infusion Pump - Alaris 8015", 0.6},
		{"Alaris Gateway Workstation", "Alaris 8015 PC Unit", 0},
		{"Spot Vital Signs 4400", "Spot 4300", 0},
		{"Alaris Syringe Module 8110", "syringe pump", 0},
	} {
		s, distinct := w.similarity(nameWords(c.product), nameWords(c.device), vi)
		switch {
		case c.atLeast == 0 && distinct && s >= minScore+0.2:
			t.Errorf("%q ~ %q: got %.2f, want no match", c.device, c.product, s)
		case c.atLeast > 0 && (!distinct || s < c.atLeast):
			t.Errorf("%q ~ %q: got %.2f (distinct %v), want at least %.2f", c.device,
				c.product, s, distinct, c.atLeast)
		}
	}
}
