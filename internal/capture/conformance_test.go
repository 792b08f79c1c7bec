package capture

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTsharkGolden reads every capture in testdata, among them the whole
// pcapng test suite (little- and big-endian), and compares every packet
// with tshark's view of the file, kept as golden text in testdata/tshark.
func TestTsharkGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/pcap*/*.*")
	if err != nil || len(files) < 58 {
		t.Fatalf("testdata captures: got %d (%v), want at least 58", len(files), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			recs, errs := readBytes(t, readFile(t, filepath.Join(filepath.Base(filepath.Dir(f)), name)))
			var got []string
			for _, r := range recs {
				got = append(got, fmt.Sprintf("%s\t%d\t%d\t%d", epoch(r.Time), r.OrigLen,
					len(r.Data), r.Interface))
			}
			if diff := cmp.Diff(tsharkGolden(t, name), got); diff != "" {
				t.Errorf("packets (-tshark +ours):\n%s", diff)
			}
			checkConformanceErrors(t, name, errs)
		})
	}
}

// tsharkGolden returns tshark's packets for name without the frame number.
// For pcap, tshark leaves the interface empty; it is 0. For pcapng, tshark
// also lists custom blocks, as frames without an interface; those carry no
// packet and are dropped.
func tsharkGolden(t *testing.T, name string) []string {
	t.Helper()
	var want []string
	for line := range strings.Lines(string(readFile(t, "tshark/"+name+".txt"))) {
		f := strings.Split(strings.TrimRight(line, "\n"), "\t")
		if len(f) != 5 {
			t.Fatalf("golden line %q: got %d fields, want 5", line, len(f))
		}
		if f[4] == "" {
			if strings.HasSuffix(name, ".pcapng") {
				continue
			}
			f[4] = "0"
		}
		want = append(want, strings.Join(f[1:], "\t"))
	}
	return want
}

// checkConformanceErrors expects no error except in test901, whose second
// section claims pcapng version 2.0, which tshark also refuses.
func checkConformanceErrors(t *testing.T, name string, errs []*Error) {
	t.Helper()
	if !strings.HasSuffix(name, "test901.pcapng") {
		if len(errs) != 0 {
			t.Errorf("got errors %v, want none", errs)
		}
		return
	}
	if len(errs) != 1 || errs[0].Resumable ||
		!strings.Contains(errs[0].Reason, "unsupported pcapng version 2.0") {
		t.Errorf("got errors %v, want one fatal unsupported version error", errs)
	}
}
