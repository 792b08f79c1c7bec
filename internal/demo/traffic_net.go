package demo

import (
	"fmt"
	"net/netip"
	"time"
)

// Periods of the announcements, as the protocols' defaults have them.
const (
	lldpPeriod    = 30 * time.Second
	cdpPeriod     = 60 * time.Second
	mdnsPeriod    = 20 * time.Minute
	browserPeriod = 12 * time.Minute
)

// switchTraffic plays a switch's LLDP and CDP on its uplink.
func (w *world) switchTraffic(h *host, t time.Time) {
	port, desc := "Te1/1/1", "TenGigabitEthernet1/1/1"
	if h.core {
		port, desc = "Hu1/0/1", "HundredGigE1/0/1"
	}
	lldp := lldpFrame(h.MAC, switchLLDP(h, port, desc))
	cdp := switchCDP(h, desc)
	w.every(t.Add(w.within(lldpPeriod)), lldpPeriod, 0, func(t time.Time) {
		w.c.add(t, lldp)
	})
	w.every(t.Add(w.within(cdpPeriod)), cdpPeriod, 0, func(t time.Time) {
		w.c.add(t, cdp)
	})
}

// phoneTraffic plays an IP phone's LLDP-MED and, for a Cisco phone, CDP.
func (w *world) phoneTraffic(h *host, t time.Time) {
	cisco := h.Vendor == "Cisco"
	lldp := lldpFrame(h.MAC, phoneLLDP(h, cisco))
	w.every(t.Add(time.Second), lldpPeriod, 0, func(t time.Time) { w.c.add(t, lldp) })
	if cisco {
		cdp := phoneCDP(h)
		w.every(t.Add(2*time.Second), cdpPeriod, 0, func(t time.Time) { w.c.add(t, cdp) })
	}
}

// printerTraffic plays a printer's mDNS announcements: three as it
// starts (RFC 6762 8.3), then again now and then.
func (w *world) printerTraffic(h *host, t time.Time) {
	instance := h.Model
	if h.Vendor == "HP" {
		instance = fmt.Sprintf("%s [%02X%02X%02X]", h.Model, h.MAC[3], h.MAC[4], h.MAC[5])
	}
	msg := printerAnnouncement(h, h.Name, instance)
	for _, d := range []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond,
		3500 * time.Millisecond} {
		w.multicast(t.Add(d), h, mdnsGroup, 5353, 5353, msg)
	}
	w.every(t.Add(w.around(mdnsPeriod, 0.5)), mdnsPeriod, 0, func(t time.Time) {
		w.multicast(t, h, mdnsGroup, 5353, 5353, msg)
	})
}

// nbNames are the NetBIOS names a Windows host registers: its own, its
// file server's and its domain's, plus a domain controller's.
func nbNames(h *host) []nbEntry {
	names := []nbEntry{{h.Name, nbWorkstation, false}, {h.Name, nbServer, false},
		{netbiosDom, nbWorkstation, true}}
	if h.role == roleDC {
		names = append(names, nbEntry{netbiosDom, nbDomainCtrl, true},
			nbEntry{netbiosDom, nbDomainMB, false})
	}
	return names
}

// nbEntry is one NetBIOS name: the name, its suffix and whether it is a
// group name.
type nbEntry struct {
	name   string
	suffix byte
	group  bool
}

// registerNames broadcasts a Windows host's name registrations.
func (w *world) registerNames(h *host, t time.Time) {
	for i, n := range nbNames(h) {
		id := uint16(w.rng.IntN(1 << 16))
		w.broadcast(t.Add(time.Duration(i)*3*time.Millisecond), h, 137,
			nbRegistration(id, n.name, n.suffix, n.group, h.IP))
	}
}

// Browser server types (MS-RAP SV_TYPE_*): a domain controller that is
// the domain master browser, and a member server.
const (
	svDomainController = 0x000c902b
	svMemberServer     = 0x00009003
)

// windowsServer plays a Windows server's name registrations and, since
// these two still run the Computer Browser service, its host
// announcements.
func (w *world) windowsServer(h *host, t time.Time) {
	w.registerNames(h, t.Add(500*time.Millisecond))
	kind, comment := uint32(svMemberServer), h.Model
	if h.role == roleDC {
		kind, comment = svDomainController, ""
	}
	w.every(t.Add(time.Minute+w.within(time.Minute)), browserPeriod, 0, func(t time.Time) {
		id := uint16(w.rng.IntN(1 << 16))
		w.broadcast(t, h, 138, hostAnnouncement(h.Name, comment, kind, h.IP, id))
	})
}

// nurseCallTraffic plays a nurse call controller's heartbeat to the other
// controllers of its site, an opaque multicast datagram every minute.
func (w *world) nurseCallTraffic(h *host, t time.Time) {
	group := netip.AddrFrom4([4]byte{239, 192, 150, h.site.octet})
	w.every(t.Add(w.within(time.Minute)), time.Minute, 0, func(t time.Time) {
		w.multicast(t, h, group, portNurseCall, portNurseCall, opaque(w, 64))
	})
}

// opaque is n bytes standing for a vendor's own protocol: a made-up
// header (a byte no protocol Ward reads starts with, "WVT" and the length)
// and random bytes.
func opaque(w *world, n int) []byte {
	b := randBytes(w.rng, max(n, 6))
	copy(b, "\xc3WVT")
	b[4], b[5] = byte(len(b)>>8), byte(len(b))
	return b
}

// site443 is a web site the PCs use over HTTPS: on one of the trust's
// servers, or outside the trust.
type site443 struct {
	name string
	host *host      // nil for a host outside the trust
	ip   netip.Addr // its address when outside
}

// webSites are the sites the trust's PCs use over HTTPS, the PAS twice
// because it is used the most. Addresses outside the trust are of the
// documentation ranges (RFC 5737).
func (w *world) webSites() []site443 {
	out := func(name string, a, b, c, d byte) site443 {
		return site443{name: name, ip: netip.AddrFrom4([4]byte{a, b, c, d})}
	}
	return []site443{
		{name: "pas." + trustDomain, host: w.t.pas},
		{name: "pas." + trustDomain, host: w.t.pas},
		{name: "pacs." + trustDomain, host: w.t.pacs},
		out("outlook.office365.com", 203, 0, 113, 10),
		out("login.microsoftonline.com", 203, 0, 113, 20),
		out("portal.spineservices.nhs.uk", 198, 51, 100, 30),
		out("www.nhs.uk", 198, 51, 100, 40),
	}
}

// pcTraffic plays a ward PC: its names, then a visit to a web site every
// few minutes.
func (w *world) pcTraffic(h *host, t time.Time) {
	w.registerNames(h, t.Add(time.Second))
	sites := w.webSites()
	w.every(t.Add(5*time.Second+w.within(5*time.Minute)), 5*time.Minute, time.Minute,
		func(t time.Time) {
			w.visit(h, sites[w.rng.IntN(len(sites))], t.Add(w.within(time.Minute)))
		})
}

// cabinetTraffic plays a medication cabinet: its names, and its sync with
// the Pyxis server every ten minutes.
func (w *world) cabinetTraffic(h *host, t time.Time) {
	w.registerNames(h, t.Add(time.Second))
	s := site443{name: "pyxis." + trustDomain, host: w.t.pyxis}
	w.every(t.Add(10*time.Second+w.within(10*time.Minute)), 10*time.Minute, time.Minute,
		func(t time.Time) { w.visit(h, s, t) })
}

// visit plays h looking a web site up and fetching a page over TLS.
func (w *world) visit(h *host, s site443, t time.Time) {
	ip := s.ip
	if s.host != nil {
		ip = s.host.IP
	}
	t = w.lookup(h, s.name, ip, t)
	var k *conn
	if s.host != nil {
		k, t = w.dial(t, h, s.host, 443)
	} else {
		k, t = w.dialOut(t, h, ip, 443)
	}
	t = k.send(t, true, clientHello(w.rng, s.name))
	t = k.send(t.Add(time.Millisecond), false, serverHello(w.rng, 1200+w.rng.IntN(800)))
	fin := tlsRecord(nil, recChangeCipher, []byte{1})
	fin = append(fin, appData(w.rng, 53)...)
	t = k.send(t, true, append(fin, appData(w.rng, 350+w.rng.IntN(600))...))
	t = k.send(t.Add(w.within(30*time.Millisecond)), false, appData(w.rng, 600+w.rng.IntN(4000)))
	k.ack(t, true)
	k.close(t.Add(time.Second+w.within(10*time.Second)), true)
}

// lookup plays a DNS query to the domain controller and its answer.
func (w *world) lookup(h *host, name string, ip netip.Addr, t time.Time) time.Time {
	dc := w.t.dc
	id, port := uint16(w.rng.IntN(1<<16)), h.ephemeral()
	w.udpTo(t, h, dc, port, 53, dnsQuery(id, name))
	t = t.Add(w.rtt(h, dc) + 200*time.Microsecond)
	w.udpTo(t, dc, h, 53, port, dnsAnswer(id, name, ip))
	return t.Add(100 * time.Microsecond)
}
