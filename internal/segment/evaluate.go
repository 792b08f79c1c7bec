package segment

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Decision is the verdict on one flow.
type Decision struct {
	Allowed bool
	Conduit int // index in Policy.Conduits; -1 when none
	// Infrastructure is "dns", "ntp", "dhcp", "icmp-error" or "fhrp" when
	// the policy's infrastructure allows the flow and no conduit does.
	Infrastructure string
	// NotRouted is set for a flow to a broadcast, multicast or link-local
	// address: no router sees it, so no firewall between zones can stop
	// it, and it is allowed.
	NotRouted bool
	Src, Dst  Placement
}

// conduit is a Conduit compiled: its ends by zone index and its services.
type conduit struct {
	from, to   int
	fromC, toC []string // categories of narrowed ends; nil for the whole zone
	services   []service
	bidir      bool
}

// service is a Service compiled.
type service struct {
	any   bool // Proto "any"
	proto uint8
	ports []PortRange
	app   string
}

// candidate is a conduit that may allow flows from one zone to another;
// rev says the flow runs from the conduit's To end to its From end.
type candidate struct {
	c   int32
	rev bool
}

func (e *Evaluator) compileConduits() error {
	n := len(e.zones)
	e.pairs = make([][]candidate, n*n)
	e.conduits = make([]conduit, len(e.p.Conduits))
	for i := range e.p.Conduits {
		c, err := e.compileConduit(&e.p.Conduits[i])
		if err != nil {
			return fmt.Errorf("conduit %d %q (line %d): %w", i+1, e.p.Conduits[i].Name,
				e.p.Conduits[i].Line, err)
		}
		e.conduits[i] = c
		k := c.from*n + c.to
		e.pairs[k] = append(e.pairs[k], candidate{c: int32(i)})
		if c.bidir {
			k = c.to*n + c.from
			e.pairs[k] = append(e.pairs[k], candidate{c: int32(i), rev: true})
		}
	}
	return nil
}

func (e *Evaluator) compileConduit(c *Conduit) (conduit, error) {
	from, ok := e.declared(c.From.Zone)
	if !ok {
		return conduit{}, fmt.Errorf("from: unknown zone %q", c.From.Zone)
	}
	to, ok := e.declared(c.To.Zone)
	if !ok {
		return conduit{}, fmt.Errorf("to: unknown zone %q", c.To.Zone)
	}
	out := conduit{from: from, to: to, bidir: c.Bidirectional,
		fromC: nilIfEmpty(c.From.Categories), toC: nilIfEmpty(c.To.Categories)}
	for j, s := range c.Services {
		cs, err := compileService(s)
		if err != nil {
			return conduit{}, fmt.Errorf("service %d: %w", j+1, err)
		}
		out.services = append(out.services, cs)
	}
	return out, nil
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func compileService(s Service) (service, error) {
	out := service{ports: s.Ports, app: strings.ToLower(s.App)}
	if p := strings.ToLower(strings.TrimSpace(s.Proto)); p == "any" {
		out.any = true
	} else {
		n, err := ParseProto(p)
		if err != nil {
			return service{}, err
		}
		out.proto = n
	}
	for _, r := range s.Ports {
		if r.Lo > r.Hi {
			return service{}, fmt.Errorf("port range %d-%d: low above high", r.Lo, r.Hi)
		}
	}
	return out, nil
}

// matches reports whether the service allows f: the protocol is "any" or
// the flow's, the ports are empty or hold the flow's destination port,
// and the application is "" or the flow's, or else the flow's
// application is unknown and the service lists its port.
func (s *service) matches(f *Flow) bool {
	if !s.any && s.proto != f.Proto {
		return false
	}
	if len(s.ports) > 0 && !inRanges(s.ports, f.DstPort) {
		return false
	}
	if s.app == "" || s.app == f.App {
		return true
	}
	return f.App == "" && len(s.ports) > 0
}

func inRanges(rs []PortRange, p uint16) bool {
	for _, r := range rs {
		if r.Lo <= p && p <= r.Hi {
			return true
		}
	}
	return false
}

// holds reports whether the end of zone z narrowed to cats holds x.
func (e *Evaluator) holds(z int, cats []string, x *end) bool {
	if x.zone != z {
		return false
	}
	if cats == nil {
		return true
	}
	return x.dev >= 0 && e.devs[x.dev].Category != "" &&
		slices.Contains(cats, e.devs[x.dev].Category)
}

// conduitFor returns the first conduit that allows f from src to dst, or
// -1.
func (e *Evaluator) conduitFor(f *Flow, src, dst *end) int {
	for _, k := range e.pairs[src.zone*len(e.zones)+dst.zone] {
		c := &e.conduits[k.c]
		a, b := src, dst
		if k.rev {
			a, b = dst, src
		}
		if !e.holds(c.from, c.fromC, a) || !e.holds(c.to, c.toC, b) {
			continue
		}
		for i := range c.services {
			if c.services[i].matches(f) {
				return int(k.c)
			}
		}
	}
	return -1
}

// Decide gives the verdict on f. A flow is allowed when its destination
// is not routed (limited broadcast 255.255.255.255, multicast or
// link-local: the directed broadcast of a subnet cannot be told from a
// host here), else when a conduit allows it, else when the
// infrastructure does. A conduit allows a flow when its From end holds
// the source and its To end the destination (or, for a bidirectional
// conduit, the other way round) and one of its services matches; a flow
// within one zone needs a conduit from the zone to itself like any other.
// An end narrowed to categories holds only known devices of those
// categories.
func (e *Evaluator) Decide(f *Flow) Decision {
	src := e.placeEnd(f.Src, f.VLAN, f.SrcDevice)
	dst := e.placeEnd(f.Dst, f.VLAN, f.DstDevice)
	return e.decide(f, &src, &dst)
}

func (e *Evaluator) decide(f *Flow, src, dst *end) Decision {
	d := Decision{Conduit: -1, Src: src.pl, Dst: dst.pl}
	switch {
	case notRouted(f.Dst):
		d.Allowed, d.NotRouted = true, true
	default:
		d.Conduit = e.conduitFor(f, src, dst)
		if d.Conduit < 0 {
			d.Infrastructure = e.infra.allows(f, e.public[src.zone])
		}
		d.Allowed = d.Conduit >= 0 || d.Infrastructure != ""
	}
	return d
}

var limitedBroadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// notRouted reports whether no router forwards packets to a.
func notRouted(a netip.Addr) bool {
	a = plain(a)
	return a == limitedBroadcast || a.IsMulticast() || a.IsLinkLocalUnicast()
}

// infra is an Infrastructure compiled.
type infra struct {
	resolvers, ntp, dhcp []netip.Addr // dhcp holds the servers and relays
	fhrpProto            uint8
	fhrpPort             uint16 // 0 for a protocol without ports
	icmpErrors           bool
}

func compileInfra(in *Infrastructure) (infra, error) {
	out := infra{resolvers: unmapAll(in.Resolvers), ntp: unmapAll(in.NTP),
		dhcp:       append(unmapAll(in.DHCPServers), unmapAll(in.DHCPRelays)...),
		icmpErrors: in.ICMPErrors}
	switch strings.ToLower(in.FHRP) {
	case "":
	case "vrrp", "carp":
		out.fhrpProto = 112
	case "hsrp":
		out.fhrpProto, out.fhrpPort = ProtoUDP, 1985
	case "glbp":
		out.fhrpProto, out.fhrpPort = ProtoUDP, 3222
	default:
		return infra{}, fmt.Errorf("infrastructure: unknown fhrp %q (want vrrp, hsrp, glbp or carp)",
			in.FHRP)
	}
	return out, nil
}

func unmapAll(as []netip.Addr) []netip.Addr {
	out := make([]netip.Addr, len(as))
	for i, a := range as {
		out[i] = plain(a)
	}
	return out
}

// allows names the infrastructure service that allows f, or "":
//   - dns: udp or tcp 53 to a resolver;
//   - ntp: udp 123 to a time server;
//   - dhcp: udp 67 or 68 (DHCPv6: 546 or 547) to or from a DHCP server or
//     relay (to the limited broadcast or a multicast group the flow is not
//     routed, and allowed anyway);
//   - icmp-error: ICMP types 3, 11 and 12 or ICMPv6 types 1 to 4, when the
//     flow's DstPort carries the type. The pipeline (internal/observe)
//     records ICMP flows with DstPort 0, since they have no port, so an
//     observed ICMP flow is never taken for an error and needs a conduit;
//   - fhrp: the routers' first-hop redundancy protocol (VRRP and CARP are
//     IP protocol 112, HSRP udp 1985, GLBP udp 3222).
//
// public says the flow comes from a zone that a rule of public addresses
// fills: the trust's resolvers, time and DHCP servers take no query from
// the internet unless a conduit allows it.
func (in *infra) allows(f *Flow, public bool) string {
	dst, src := plain(f.Dst), plain(f.Src)
	switch {
	case public && (f.Proto == ProtoUDP || f.Proto == ProtoTCP) &&
		(f.DstPort == 53 || f.DstPort == 123 || dhcpPort(f.DstPort)):
		// A conduit must allow it, like any other flow.
	case (f.Proto == ProtoUDP || f.Proto == ProtoTCP) && f.DstPort == 53 &&
		slices.Contains(in.resolvers, dst):
		return "dns"
	case f.Proto == ProtoUDP && f.DstPort == 123 && slices.Contains(in.ntp, dst):
		return "ntp"
	case f.Proto == ProtoUDP && dhcpPort(f.DstPort) &&
		(slices.Contains(in.dhcp, dst) || slices.Contains(in.dhcp, src)):
		return "dhcp"
	case in.icmpErrors && icmpError(f.Proto, f.DstPort):
		return "icmp-error"
	case in.fhrpProto != 0 && f.Proto == in.fhrpProto &&
		(in.fhrpPort == 0 || f.DstPort == in.fhrpPort):
		return "fhrp"
	}
	return ""
}

func dhcpPort(p uint16) bool { return p == 67 || p == 68 || p == 546 || p == 547 }

func icmpError(proto uint8, typ uint16) bool {
	switch proto {
	case ProtoICMP:
		return typ == 3 || typ == 11 || typ == 12
	case ProtoICMPv6:
		return typ >= 1 && typ <= 4
	}
	return false
}
