package dhcp

import (
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

func seeds(f *testing.F, prefix string) {
	f.Helper()
	for _, tc := range realCases() {
		if strings.HasPrefix(tc.name, prefix) {
			f.Add(dissecttest.Hex(f, "testdata/"+tc.name+".hex"))
		}
	}
}

func FuzzDissectV4(f *testing.F) {
	seeds(f, "v4_")
	ctx := testCtx("00:01:02:03:04:05", "10.0.0.1", "", "255.255.255.255")
	f.Fuzz(func(t *testing.T, p []byte) {
		checkFacts(t, DissectV4, ctx, p)
	})
}

func FuzzDissectV6(f *testing.F) {
	seeds(f, "v6_")
	ctx := testCtx("00:01:02:03:04:05", "fe80::1", "00:01:02:03:04:06", "fe80::2")
	f.Fuzz(func(t *testing.T, p []byte) {
		checkFacts(t, DissectV6, ctx, p)
	})
}

func BenchmarkDissectV4(b *testing.B) {
	p := dissecttest.Hex(b, "testdata/v4_request_msft.hex")
	ctx := testCtx("28:cf:da:dc:8d:76", "0.0.0.0", "ff:ff:ff:ff:ff:ff", "255.255.255.255")
	out := make([]dissect.Fact, 0, 16)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		out, _ = DissectV4(ctx, p, out[:0])
	}
}

func BenchmarkDissectV6(b *testing.B) {
	p := dissecttest.Hex(b, "testdata/v6_relay_forw.hex")
	ctx := testCtx("00:23:eb:10:2c:29", "2001:8a8:1006:4:223:ebff:fe10:2c29", "", "")
	out := make([]dissect.Fact, 0, 16)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		out, _ = DissectV6(ctx, p, out[:0])
	}
}
