package demo

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"
)

// trafficSalt separates the traffic's random stream from the plan's.
const trafficSalt = 0x57415244_54524146 // "WARDTRAF"

// world plays the trust's traffic into a capture. Frames are captured as
// they leave their sender, on the sender's VLAN: a frame to another subnet
// goes to the site's core switch, and a reply comes back from the server's
// own VLAN. Each frame appears once.
type world struct {
	t          *trust
	c          *recording
	rng        *rand.Rand
	start, end time.Time
	control    int    // the last HL7 message control id
	outIPID    uint16 // IP identification of hosts outside the trust
}

// simulate boots every host and plays its traffic until the capture ends.
func simulate(t *trust, c *recording, seed int64) {
	w := &world{t: t, c: c, rng: rand.New(rand.NewPCG(uint64(seed), trafficSalt)),
		start: c.start, end: c.end}
	ups := make([]time.Time, len(t.hosts))
	for i, h := range t.hosts {
		ups[i] = w.bootTime(h)
	}
	for i, h := range t.hosts {
		ups[i] = w.boot(h, ups[i])
	}
	for i, h := range t.hosts {
		w.play(h, ups[i])
	}
}

// bootTime is when a host joins the capture: infrastructure within the
// first seconds, DHCP clients over the first two and a half minutes.
func (w *world) bootTime(h *host) time.Time {
	if !h.dhcp {
		return w.start.Add(w.within(5 * time.Second))
	}
	return w.start.Add(2*time.Second + w.within(150*time.Second))
}

// play starts the traffic of a host's role from t, when it is up.
func (w *world) play(h *host, t time.Time) {
	switch h.role {
	case roleSwitch:
		w.switchTraffic(h, t)
	case rolePhone:
		w.phoneTraffic(h, t)
	case rolePrinter:
		w.printerTraffic(h, t)
	case rolePC:
		w.pcTraffic(h, t)
	case roleCabinet:
		w.cabinetTraffic(h, t)
	case roleDC, roleWinServer:
		w.windowsServer(h, t)
	case roleNurseCall:
		w.nurseCallTraffic(h, t)
	case rolePump:
		w.pumpTraffic(h, t)
	case roleMonitor:
		w.monitorTraffic(h, t)
	case roleGateway, rolePumpServer:
		w.deviceGatewayHL7(h, t)
	case roleAnalyser:
		w.analyserHL7(h, t)
	case roleLIS:
		w.lisHL7(h, t)
	case rolePAS:
		w.pasHL7(h, t)
	case roleEngine:
		w.engineHL7(h, t)
	case roleModality:
		w.modalityDICOM(h, t)
	case roleDicomWS:
		w.workstationDICOM(h, t)
	}
}

// within returns a random duration in [0, d).
func (w *world) within(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(w.rng.Int64N(int64(d)))
}

// around returns d varied by up to a fraction f either way.
func (w *world) around(d time.Duration, f float64) time.Duration {
	return d + time.Duration((w.rng.Float64()*2-1)*f*float64(d))
}

// every calls fn at first and then every period (varied by a tenth) until
// the capture ends, leaving margin before the end for fn to finish.
func (w *world) every(first time.Time, period, margin time.Duration, fn func(time.Time)) {
	for t := first; t.Before(w.end.Add(-margin)); t = t.Add(w.around(period, 0.1)) {
		fn(t)
	}
}

// tick is every with an exact period, for rounds of messages that must
// not overlap on one connection.
func (w *world) tick(first time.Time, period, margin time.Duration, fn func(time.Time)) {
	for t := first; t.Before(w.end.Add(-margin)); t = t.Add(period) {
		fn(t)
	}
}

// ttl is the initial IP TTL of a host's stack.
func ttl(h *host) uint8 {
	if h.windows {
		return 128
	}
	return 64
}

// link is a's end of a conversation with b.
func (w *world) link(a, b *host) link {
	next := a.site.core.MAC
	if a.site == b.site && a.vlan == b.vlan {
		next = b.MAC
	}
	return link{mac: a.MAC, ip: a.IP, next: next, vlan: a.vlan, ttl: ttl(a), ipid: &a.ipid}
}

// outward is h's end of a conversation with a host outside the trust, and
// inward is that host's, as its frames reach h's VLAN from the core.
func (w *world) outward(h *host) link {
	return link{mac: h.MAC, ip: h.IP, next: h.site.core.MAC, vlan: h.vlan, ttl: ttl(h),
		ipid: &h.ipid}
}

func (w *world) inward(h *host, ip netip.Addr) link {
	return link{mac: h.site.core.MAC, ip: ip, next: h.MAC, vlan: h.vlan, ttl: 116,
		ipid: &w.outIPID}
}

// rtt is the round trip between two hosts: a LAN's within a site, the
// WAN's between sites.
func (w *world) rtt(a, b *host) time.Duration {
	if a.site == b.site {
		return 300*time.Microsecond + w.within(300*time.Microsecond)
	}
	return 4*time.Millisecond + w.within(4*time.Millisecond)
}

// ephemeral returns the next ephemeral port of h.
func (h *host) ephemeral() uint16 {
	h.port++
	if h.port < 49152 {
		h.port = 49152
	}
	return h.port
}

// dial opens a TCP connection from cl to sv's port at t.
func (w *world) dial(t time.Time, cl, sv *host, port uint16) (*conn, time.Time) {
	isn := [2]uint32{w.rng.Uint32(), w.rng.Uint32()}
	return dial(w.c, w.link(cl, sv), w.link(sv, cl), cl.ephemeral(), port, isn, w.rtt(cl, sv), t)
}

// dialOut opens a TCP connection from h to a host outside the trust.
func (w *world) dialOut(t time.Time, h *host, ip netip.Addr, port uint16) (*conn, time.Time) {
	isn := [2]uint32{w.rng.Uint32(), w.rng.Uint32()}
	rtt := 12*time.Millisecond + w.within(8*time.Millisecond)
	return dial(w.c, w.outward(h), w.inward(h, ip), h.ephemeral(), port, isn, rtt, t)
}

// udpTo sends a datagram from a to b, which answers nothing.
func (w *world) udpTo(t time.Time, a, b *host, sport, dport uint16, payload []byte) {
	l := w.link(a, b)
	w.c.add(t, udp(&l, l.next, b.IP, sport, dport, payload))
}

// broadcast sends a datagram from h to its subnet's broadcast address.
func (w *world) broadcast(t time.Time, h *host, port uint16, payload []byte) {
	l := w.outward(h)
	a := h.IP.As4()
	a[3] = 255
	w.c.add(t, udp(&l, macBroadcast, netip.AddrFrom4(a), port, port, payload))
}

// multicast sends a datagram from h to a group.
func (w *world) multicast(t time.Time, h *host, group netip.Addr, sport, dport uint16,
	payload []byte) {
	l := w.outward(h)
	l.ttl = 1
	if group == mdnsGroup {
		l.ttl = 255
	}
	w.c.add(t, udp(&l, multicastMAC(group), group, sport, dport, payload))
}

// mdnsGroup is the mDNS group (RFC 6762).
var mdnsGroup = netip.AddrFrom4([4]byte{224, 0, 0, 251})

// nextControl returns a fresh HL7 message control id.
func (w *world) nextControl() string {
	w.control++
	return fmt.Sprintf("WVT%08d", w.control)
}
