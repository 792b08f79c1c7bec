package ssdp

import (
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wardhq/ward/internal/dissect"
)

// addrCmp lets go-cmp compare netip.Addr values.
var addrCmp = cmpopts.EquateComparable(netip.Addr{})

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

// sender builds a Context whose source is mac and ip.
func sender(mac, ip string) *dissect.Context {
	b, err := hex.DecodeString(strings.ReplaceAll(mac, ":", ""))
	if err != nil || len(b) != 6 {
		panic("bad test mac " + mac)
	}
	return &dissect.Context{Src: dissect.Endpoint{MAC: dissect.MAC(b),
		IP: netip.MustParseAddr(ip)}, SrcPort: 1900, DstPort: 1900}
}
