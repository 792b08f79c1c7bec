package match

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wardhq/ward/internal/advisory"
)

// icsmaDir holds a copy of CISA's 144 ICS medical advisories, so that
// these tests run in a clone without ../shared.
const icsmaDir = "testdata/advisories/icsma"

var (
	icsmaOnce sync.Once
	icsmaSet  *advisory.Set
	icsmaErr  error
)

// icsma loads the ICSMA copy once.
func icsma(tb testing.TB) []*advisory.Advisory {
	tb.Helper()
	icsmaOnce.Do(func() {
		icsmaSet, icsmaErr = advisory.Load(context.Background(), icsmaDir, advisory.LoadOptions{})
	})
	if icsmaErr != nil {
		tb.Fatal(icsmaErr)
	}
	if len(icsmaSet.Problems) > 0 {
		tb.Fatalf("loading %s: %d problems, first %s", icsmaDir, len(icsmaSet.Problems),
			icsmaSet.Problems[0])
	}
	return icsmaSet.Advisories
}

// corpusDir is the shared corpus, or "" with the reason it is absent;
// with WARD_REQUIRE_CORPUS=1 its absence fails the test.
func corpusDir(tb testing.TB, sub string) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WARD_REQUIRE_CORPUS") == "1" {
			tb.Fatalf("corpus %s: %v (WARD_REQUIRE_CORPUS=1)", dir, err)
		}
		tb.Skipf("corpus %s absent (%v): skipped", dir, err)
	}
	return dir
}

// fleet builds n devices from the real product names of the advisories,
// as a trust's register of that size might hold them: vendors and models
// written several ways, versions inside and outside the ranges, and a
// third of the fleet other kit that no advisory names.
func fleet(advs []*advisory.Advisory, n int, seed uint64) []Device {
	type named struct{ vendor, name, version string }
	var products []named
	for _, a := range advs {
		for _, p := range a.Products {
			if p.Name != "" {
				products = append(products, named{p.Vendor, p.Name, p.Version + p.Range})
			}
		}
	}
	others := []named{{"Mindray", "BeneView T5", "1.2"}, {"Nihon Kohden", "Life Scope G5", "02-11"},
		{"HP", "LaserJet M607", "2409"}, {"Dell", "OptiPlex 7090", "1.14"},
		{"Draeger", "Infinity Delta XL", "VF10.2"}, {"Fresenius Kabi", "Agilia SP MC", "3.2"},
		{"Zebra", "ZD421", "V84.20"}, {"Cisco", "Catalyst 9300", "17.9.4"}}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	devs := make([]Device, n)
	for i := range devs {
		var p named
		if r.IntN(3) == 0 {
			p = others[r.IntN(len(others))]
		} else {
			p = products[r.IntN(len(products))]
		}
		version := fmt.Sprintf("%d.%d.%d", r.IntN(12), r.IntN(20), r.IntN(30))
		if r.IntN(4) == 0 {
			version = ""
		}
		model := p.name
		switch r.IntN(4) {
		case 0:
			model = strings.ToUpper(model)
		case 1:
			model = "Device - " + model
		}
		devs[i] = Device{ID: fmt.Sprintf("A%06d", i), Vendor: p.vendor, Model: model,
			Version: version}
	}
	return devs
}
