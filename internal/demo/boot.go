package demo

import (
	"net/netip"
	"strings"
	"time"
)

// boot plays what a host does as it joins the network at t: a DHCP
// exchange for the hosts that lease their address, then an announcement of
// its address and an ARP for its gateway. It returns the time it is ready.
func (w *world) boot(h *host, t time.Time) time.Time {
	if h.core {
		return t // the gateway answers the others
	}
	if h.dhcp {
		t = w.dhcp(h, t)
	}
	return w.announce(h, t)
}

// dhcp plays DISCOVER, OFFER, REQUEST and ACK, the server's answers coming
// through the client's gateway, which relays them for the data centre's
// DHCP server.
func (w *world) dhcp(h *host, t time.Time) time.Time {
	c := dhcpClientOf(h)
	xid := w.rng.Uint32()
	gw := h.site.gateway(h.vlan)
	server := w.t.dc.IP
	client := link{mac: h.MAC, ip: netip.IPv4Unspecified(), vlan: h.vlan, ttl: ttl(h),
		ipid: &h.ipid}
	relay := link{mac: h.site.core.MAC, ip: gw, vlan: h.vlan, ttl: 255, ipid: &h.site.core.ipid}
	bcast := netip.AddrFrom4([4]byte{255, 255, 255, 255})
	turn := w.rtt(h, w.t.dc) + time.Millisecond

	w.c.add(t, udp(&client, macBroadcast, bcast, 68, 67, c.request(dhcpDiscover, xid, h, server)))
	t = t.Add(turn)
	w.c.add(t, udp(&relay, h.MAC, h.IP, 67, 68, reply(dhcpOffer, xid, h, gw, server)))
	t = t.Add(2*time.Millisecond + w.within(10*time.Millisecond))
	w.c.add(t, udp(&client, macBroadcast, bcast, 68, 67, c.request(dhcpRequest, xid, h, server)))
	t = t.Add(turn)
	w.c.add(t, udp(&relay, h.MAC, h.IP, 67, 68, reply(dhcpAck, xid, h, gw, server)))
	return t.Add(5 * time.Millisecond)
}

// dhcpClientOf says how a host's DHCP client fills in its requests.
func dhcpClientOf(h *host) dhcpClient {
	switch {
	case h.windows:
		return dhcpWindows
	case h.role == rolePhone && h.Vendor == "Cisco":
		return dhcpClient{params: []byte{1, 66, 6, 3, 15, 150, 35}, hostname: true,
			vendorClass: "Cisco Systems, Inc. IP Phone " + h.Model}
	case h.role == rolePhone:
		return dhcpClient{params: []byte{1, 3, 6, 15, 42, 43, 66, 150}, hostname: true,
			vendorClass: "Polycom-" + strings.ReplaceAll(h.Model, " ", "")}
	case h.role == roleNurseCall:
		return dhcpClient{params: []byte{1, 3, 6, 12, 15, 28, 42}, hostname: true,
			vendorClass: h.software}
	case h.role == rolePrinter:
		return dhcpClient{params: []byte{1, 3, 6, 12, 15, 28, 44, 46, 47, 69, 81}, hostname: true}
	}
	return dhcpEmbedded
}

// announce plays a host's gratuitous ARP and its ARP for its gateway,
// which the core switch answers.
func (w *world) announce(h *host, t time.Time) time.Time {
	gw := h.site.gateway(h.vlan)
	var zero [6]byte
	w.c.add(t, arp(macBroadcast, h.vlan, arpRequest, h.MAC, h.IP, zero, h.IP))
	t = t.Add(time.Millisecond)
	w.c.add(t, arp(macBroadcast, h.vlan, arpRequest, h.MAC, h.IP, zero, gw))
	t = t.Add(200 * time.Microsecond)
	w.c.add(t, arp(h.MAC, h.vlan, arpReply, h.site.core.MAC, gw, h.MAC, h.IP))
	return t.Add(time.Millisecond)
}

// arpFor plays h asking for a peer on its own subnet, and the answer.
func (w *world) arpFor(h, peer *host, t time.Time) {
	var zero [6]byte
	w.c.add(t, arp(macBroadcast, h.vlan, arpRequest, h.MAC, h.IP, zero, peer.IP))
	w.c.add(t.Add(150*time.Microsecond), arp(h.MAC, h.vlan, arpReply, peer.MAC, peer.IP, h.MAC,
		h.IP))
}
