package store

import (
	"net/netip"
	"testing"

	"github.com/wardhq/ward/internal/segment"
)

func TestReachAddresses(t *testing.T) {
	for _, c := range []struct {
		a    string
		want bool
	}{{"8.8.8.8", true}, {"10.1.2.3", false}, {"192.168.0.1", false}, {"100.64.1.1", false},
		{"169.254.1.1", false}, {"2001:4860::8888", true}, {"fd00::1", false}, {"::ffff:1.1.1.1", true}} {
		if got := segment.Public(netip.MustParseAddr(c.a)); got != c.want {
			t.Errorf("public(%s): got %v, want %v", c.a, got, c.want)
		}
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{{"10.1.2.3", "10.1.2.200", true}, {"10.1.2.3", "10.1.3.3", false},
		{"fd00::1", "fd00::2", true}, {"fd00::1", "fd00:0:0:1::1", false}, {"10.1.2.3", "fd00::1", false}} {
		if got := sameSubnet(netip.MustParseAddr(c.a), netip.MustParseAddr(c.b)); got != c.want {
			t.Errorf("sameSubnet(%s, %s): got %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
