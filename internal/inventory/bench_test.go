package inventory

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/observe"
)

// BenchmarkBuild resolves 10,000 hosts on one segment behind a router,
// each with a few facts of the kinds a hospital LAN shows.
func BenchmarkBuild(b *testing.B) {
	const hosts = 10000
	gw := mac(0xfe)
	r := &observe.Result{Bindings: []observe.Binding{arp(gw, "10.0.0.1")}}
	for i := range hosts {
		m := dissect.MAC{0x00, 0x1b, 0x63, byte(i >> 16), byte(i >> 8), byte(i)}
		addr := netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
		r.Bindings = append(r.Bindings, src(m, addr.String(), i%60))
		who := dissect.Endpoint{MAC: m, IP: addr}
		r.Observations = append(r.Observations,
			fact(who, "dhcp", dissect.KeyHostname, fmt.Sprintf("ward7-pump-%d", i)),
			fact(who, "dhcp", "vendor_class", "MSFT 5.0"),
			fact(who, "dhcp", "dhcp_fingerprint", "1,3,6,15,31,33,43,44,46,47,119,121,249,252"),
			fact(who, "http", "http_user_agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"))
		if i%4 == 0 {
			r.Bindings = append(r.Bindings, src(gw, fmt.Sprintf("10.9.%d.%d", i>>8&0xff, i&0xff), 0))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		inv := Build(r, Options{})
		if len(inv.Devices) < hosts {
			b.Fatalf("got %d devices, want at least %d", len(inv.Devices), hosts)
		}
	}
}
