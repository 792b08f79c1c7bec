package observe

import (
	"context"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wardhq/ward/internal/capture"
)

const demo = "../../testdata/captures/demo.pcapng"

// corpusDir returns the shared corpus of captures, or skips the test when
// it is absent (a user's clone has none); CI sets WARD_REQUIRE_CORPUS so
// that it fails instead.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "pcaps")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WARD_REQUIRE_CORPUS") != "" {
			t.Fatalf("shared corpus required but absent: %v", err)
		}
		t.Skipf("shared corpus not found at %s: skipping", dir)
	}
	return dir
}

func TestRunDemo(t *testing.T) {
	r, err := Run(context.Background(), Config{Workers: 1}, []string{demo})
	if err != nil {
		t.Fatal(err)
	}
	// capinfos testdata/captures/demo.pcapng: 1482 packets.
	if r.Stats.Packets != 1482 {
		t.Errorf("got %d packets, want 1482", r.Stats.Packets)
	}
	if len(r.Observations) == 0 || len(r.Flows) == 0 || len(r.Bindings) == 0 {
		t.Fatalf("got %d observations, %d flows, %d bindings; want some of each",
			len(r.Observations), len(r.Flows), len(r.Bindings))
	}
	sources := map[string]bool{}
	for _, o := range r.Observations {
		sources[o.Source] = true
	}
	for _, s := range []string{"lldp", "cdp", "dhcp", "snmp", "ftp"} {
		if !sources[s] {
			t.Errorf("no observation from %s", s)
		}
	}
}

// TestWorkersAgree checks that sharing packets among workers changes
// nothing in the result.
func TestWorkersAgree(t *testing.T) {
	one, err := Run(context.Background(), Config{Workers: 1}, []string{demo})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{2, 3, 8} {
		many, err := Run(context.Background(), Config{Workers: n}, []string{demo})
		if err != nil {
			t.Fatal(err)
		}
		opt := cmpopts.IgnoreFields(Stats{}, "Evicted")
		if diff := cmp.Diff(one, many, opt, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
			t.Errorf("%d workers differ from 1 (-1 +%d):\n%s", n, n, diff)
		}
	}
}

// TestConnectionTableBounded runs a capture with more connections than the
// table may hold: connections are evicted, and their facts still kept.
func TestConnectionTableBounded(t *testing.T) {
	ref, err := Run(context.Background(), Config{Workers: 1}, []string{demo})
	if err != nil {
		t.Fatal(err)
	}
	pl := New(Config{Workers: 1, MaxConns: 2})
	if err := readPath(context.Background(), pl, demo); err != nil {
		t.Fatal(err)
	}
	w := pl.workers[0]
	if w.lru.n > w.maxConns {
		t.Errorf("table holds %d connections, bound is %d", w.lru.n, w.maxConns)
	}
	r, _ := pl.Finish()
	if r.Stats.Evicted == 0 {
		t.Errorf("no connection evicted with a table of %d", w.maxConns)
	}
	if got, want := len(r.Flows), len(ref.Flows); got != want {
		t.Errorf("got %d flows with a small table, want %d as with a large one", got, want)
	}
}

func TestNothingRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.pcap")
	if err := os.WriteFile(path, []byte("not a capture at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Config{}, []string{path})
	if err == nil || !strings.Contains(err.Error(), "empty.pcap") {
		t.Errorf("got error %v, want one naming the file", err)
	}
}

// TestCorpus runs every capture of the shared corpus, malformed ones too,
// through the whole pipeline: nothing may panic, and the heap stays small.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	if testing.Short() {
		t.Skip("skipping the whole corpus in -short mode")
	}
	var peak uint64
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isCapture(path) {
			return err
		}
		n++
		r, err := Run(context.Background(), Config{Workers: 2}, []string{path})
		if r == nil {
			t.Errorf("%s: no result: %v", path, err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 1000 {
		t.Errorf("ran %d captures, want the whole corpus (over 1000)", n)
	}
	if peak > 256<<20 {
		t.Errorf("heap in use peaked at %d MiB, want under 256", peak>>20)
	}
	t.Logf("%d captures, heap in use peaked at %d MiB", n, peak>>20)
}

func isCapture(path string) bool {
	for _, ext := range []string{".pcap", ".pcapng", ".cap", ".gz", ".pcap.gz", ".trace"} {
		if strings.HasSuffix(path, ext) {
			return true
		}
	}
	return false
}

// TestBufferBudget runs the demo with a stream-head budget of a few
// kilobytes: connections are dissected early to stay within it, and the
// facts of the short ones are still found.
func TestBufferBudget(t *testing.T) {
	pl := New(Config{Workers: 1, MaxBuffered: 8 << 10})
	var peak int
	rd, err := capture.Open(demo)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	w := pl.workers[0]
	var p capture.Packet
	for rd.Next(&p) == nil {
		pl.dispatch(&p, false)
		peak = max(peak, w.buffered)
	}
	// One segment may be added before the budget is enforced.
	if limit := 8<<10 + w.cfg.HeadSize; peak > limit {
		t.Errorf("stream heads held %d bytes, budget 8 KiB (+ one head, %d)", peak, limit)
	}
	r, _ := pl.Finish()
	found := false
	for _, o := range r.Observations {
		found = found || o.Source == "ftp"
	}
	if !found {
		t.Error("no FTP facts with a small buffer budget")
	}
}
