package observe

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardhq/ward/internal/capture"
)

// FuzzPipeline feeds arbitrary bytes, read as a capture, through decoding,
// reassembly and every dissector: nothing may panic, and the counts must
// add up. Its seeds are whole captures: run it with -fuzzminimizetime=0
// (as scripts/fuzz does), or minimising each new input takes most of the
// time.
func FuzzPipeline(f *testing.F) {
	seeds, _ := filepath.Glob("../../testdata/captures/golden/*.pcap")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 32<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := capture.NewReader(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		pl := New(Config{Workers: 1, MaxConns: 8, HeadSize: 512})
		pl.Read(context.Background(), Source{Name: "fuzz", Reader: rd})
		r, _ := pl.Finish()
		for _, o := range r.Observations {
			if o.Key == "" || o.Source == "" || o.Value == "" || o.Count == 0 {
				t.Fatalf("bad observation %+v", o)
			}
		}
		for _, fl := range r.Flows {
			if fl.PacketsRev > fl.Packets || fl.Packets > r.Stats.Packets {
				t.Fatalf("flow counts do not add up: %+v of %d packets", fl, r.Stats.Packets)
			}
		}
	})
}
