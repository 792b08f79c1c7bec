package tls

import (
	"bufio"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wardhq/ward/internal/dissect"
)

// Endpoints of the test connections.
var (
	client  = dissect.Endpoint{MAC: dissect.MAC{2, 0, 0, 0, 0, 1}, IP: netip.MustParseAddr("10.0.0.1")}
	server  = dissect.Endpoint{MAC: dissect.MAC{2, 0, 0, 0, 0, 2}, IP: netip.MustParseAddr("10.0.0.2")}
	testCtx = &dissect.Context{Src: client, Dst: server, SrcPort: 50000, DstPort: 80}
)

// equateAddr lets go-cmp compare facts, whose endpoints hold netip.Addr.
var equateAddr = cmpopts.EquateComparable(netip.Addr{})

// loadHeads reads testdata/NAME.txt, written by testdata/heads.py: one
// "client HEX" or "server HEX" line per segment, in order.
func loadHeads(tb testing.TB, name string) (c, s []byte) {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		side, data, ok := strings.Cut(sc.Text(), " ")
		if !ok || side == "#" {
			continue
		}
		b, err := hex.DecodeString(data)
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		switch side {
		case "client":
			c = append(c, b...)
		case "server":
			s = append(s, b...)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return c, s
}

// headFiles lists the stream heads in testdata.
func headFiles(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".txt"))
	}
	return names
}
