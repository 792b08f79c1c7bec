package ftp

import (
	"bufio"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// factCmp lets cmp compare Facts, whose Endpoint holds a netip.Addr.
var factCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

// loadHeads reads a testdata file of stream heads: lines "c HEX" (client to
// server) and "s HEX" (server to client), in order; '#' starts a comment.
// The files are made from `tshark -q -z follow,tcp,raw,N`; see SOURCE.md.
func loadHeads(t testing.TB, name string) (client, server []byte) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		side, text, ok := strings.Cut(line, " ")
		b, err := hex.DecodeString(text)
		if !ok || err != nil || (side != "c" && side != "s") {
			t.Fatalf("%s:%d: want \"c HEX\" or \"s HEX\"", name, n)
		}
		if side == "c" {
			client = append(client, b...)
		} else {
			server = append(server, b...)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return client, server
}
