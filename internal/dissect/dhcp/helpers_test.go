package dhcp

import (
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/dissect"
)

// load reads a payload saved as hex text in testdata.
func load(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".hex"))
	if err != nil {
		tb.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	return b
}

// ep builds an Endpoint from text; either part may be empty.
func ep(mac, ip string) dissect.Endpoint {
	var e dissect.Endpoint
	if mac != "" {
		b, err := hex.DecodeString(strings.ReplaceAll(mac, ":", ""))
		if err != nil || len(b) != 6 {
			panic("bad test mac " + mac)
		}
		e.MAC = dissect.MAC(b)
	}
	if ip != "" {
		e.IP = netip.MustParseAddr(ip)
	}
	return e
}

// testCtx builds a Context from "mac ip" pairs for source and destination.
func testCtx(srcMAC, srcIP, dstMAC, dstIP string) *dissect.Context {
	return &dissect.Context{Src: ep(srcMAC, srcIP), Dst: ep(dstMAC, dstIP)}
}
