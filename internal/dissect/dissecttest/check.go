package dissecttest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wardhq/ward/internal/dissect"
)

// CheckFacts fails tb at the first fact without a key or a value, or whose
// Source is not one of sources (not empty, when sources is empty).
func CheckFacts(tb testing.TB, facts []dissect.Fact, sources ...string) {
	tb.Helper()
	for _, f := range facts {
		ok := f.Source != ""
		if len(sources) > 0 {
			ok = slices.Contains(sources, f.Source)
		}
		if f.Key == "" || f.Value == "" || !ok {
			tb.Fatalf("bad fact %v", f)
		}
	}
}

// NoSecret reports an error on tb for every fact whose value contains one
// of the secrets: a password, a token or a user name the dissector saw.
func NoSecret(tb testing.TB, facts []dissect.Fact, secrets ...string) {
	tb.Helper()
	for _, f := range facts {
		for _, s := range secrets {
			if strings.Contains(f.Value, s) {
				tb.Errorf("fact %v carries secret %q", f, s)
			}
		}
	}
}

// Truncations runs fn with ctx on every proper prefix of payload, from
// empty to one byte short. It fails tb when fn returns an error that is not
// a *dissect.Error, or a fact CheckFacts rejects for sources.
func Truncations(tb testing.TB, fn dissect.DatagramFunc, ctx *dissect.Context, payload []byte,
	sources ...string) {
	tb.Helper()
	for n := range len(payload) {
		facts, err := fn(ctx, payload[:n], nil)
		CheckFacts(tb, facts, sources...)
		if err != nil && !errors.As(err, new(*dissect.Error)) {
			tb.Fatalf("cut to %d of %d bytes: got error of type %T, want *dissect.Error",
				n, len(payload), err)
		}
	}
}

// StreamTruncations runs fn with ctx on the two heads, each cut to n bytes,
// for n = 0, step, 2*step… up to the length of the longer one. It fails tb
// when fn returns a fact CheckFacts rejects for sources; errors are
// expected, as the heads end inside a message.
func StreamTruncations(tb testing.TB, fn dissect.StreamFunc, ctx *dissect.Context,
	client, server []byte, step int, sources ...string) {
	tb.Helper()
	for n := 0; n <= max(len(client), len(server)); n += step {
		facts, _ := fn(ctx, client[:min(n, len(client))], server[:min(n, len(server))], nil)
		CheckFacts(tb, facts, sources...)
	}
}

// ErrorAt fails tb unless err is a *dissect.Error from proto at the given
// byte offset; it stops the test when err is not a *dissect.Error at all.
func ErrorAt(tb testing.TB, err error, proto string, offset int) {
	tb.Helper()
	var de *dissect.Error
	if !errors.As(err, &de) {
		tb.Fatalf("got error %v, want a *dissect.Error", err)
	}
	if de.Proto != proto || de.Offset != offset {
		tb.Errorf("got error %v, want proto %q at byte %d", err, proto, offset)
	}
}

// ErrorFrom reports an error on tb unless err is a *dissect.Error from
// proto, wherever it happened.
func ErrorFrom(tb testing.TB, err error, proto string) {
	tb.Helper()
	var de *dissect.Error
	if !errors.As(err, &de) || de.Proto != proto {
		tb.Errorf("got error %v, want a *dissect.Error from %q", err, proto)
	}
}
