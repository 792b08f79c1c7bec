package segment

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LearnOptions tune Learn.
type LearnOptions struct {
	// Sources name what the flows were read from (captures, or "store"),
	// for the drafted policy's Learned record.
	Sources []string
}

// Zones Learn adds when the base places no zone at an end of a flow.
const (
	learnInternet = "internet"
	learnUnplaced = "unplaced"
)

// Learn drafts a least-privilege policy that allows exactly the observed
// flows, for a person to review and accept. The draft keeps base's zones,
// rules and infrastructure, fills the infrastructure's resolvers, time
// servers and DHCP servers from the flows when base lists none, replaces
// the conduits and sets Learned.
//
// The flows that neither the infrastructure allows nor are left unrouted
// are grouped by source zone and category, destination zone and category,
// and service (protocol, port and application). Each group becomes a
// conduit between its zones with exactly the services seen: the ports of
// one protocol and application in one service, adjacent ports as ranges,
// and no port-only service for a port that a service of an application
// already lists (a flow whose application was not recognised matches
// that). An end is narrowed to the devices' categories when they all have
// one and the zone holds devices of other categories too; else, and for
// ends that are no known device, it is the whole zone. Categories of one
// zone whose conduits would be the same are merged into one end.
//
// A flow end the base places nowhere gets a zone of its own so that the
// draft allows it: a public address "internet" (a rule on Internet), any
// other "unplaced" (a rule on every address, and one naming the unplaced
// devices), both after base's rules. Only a flow with an end that no
// rule can place (an invalid address, or a device without an address that
// a rule of base names with conditions it fails) is left out, and
// Learned.Flows does not count it.
//
// A nil base is the hospital Template.
func Learn(base *Policy, devs []Device, flows []Flow, o LearnOptions) (*Policy, error) {
	if base == nil {
		base = Template()
	}
	p := base.policyClone()
	p.Conduits = nil
	fillInfra(&p.Infrastructure, flows)
	e, err := Compile(p, devs)
	if err != nil {
		return nil, fmt.Errorf("learn: base policy: %w", err)
	}
	if addZones(p, e, flows) {
		if e, err = Compile(p, devs); err != nil {
			return nil, fmt.Errorf("learn: %w", err)
		}
	}
	var left int
	p.Conduits, left = e.learnConduits(flows)
	p.Learned = learned(flows, o)
	p.Learned.Flows -= left
	p.Name = draftName(base.Name)
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("learn: draft policy: %w", err)
	}
	return p, nil
}

// draftName marks a drafted policy as such, once.
func draftName(base string) string {
	const mark = " (learned draft)"
	if strings.HasSuffix(base, mark) {
		return base
	}
	if base == "" {
		return strings.TrimSpace(mark)
	}
	return base + mark
}

func learned(flows []Flow, o LearnOptions) *Learned {
	l := &Learned{Flows: len(flows)}
	for _, s := range o.Sources {
		if strings.TrimSpace(s) != "" {
			l.Sources = append(l.Sources, s)
		}
	}
	for i := range flows {
		f := &flows[i]
		if !f.FirstSeen.IsZero() && (l.From.IsZero() || f.FirstSeen.Before(l.From)) {
			l.From = f.FirstSeen
		}
		l.To = maxTime(l.To, maxTime(f.FirstSeen, f.LastSeen))
	}
	l.From, l.To = l.From.UTC(), l.To.UTC()
	return l
}

// fillInfra fills the lists of in that are empty with the servers the
// flows reached: resolvers (udp or tcp 53), time servers (udp 123) and
// DHCP servers (udp 67, DHCPv6 547), leaving out unrouted destinations.
func fillInfra(in *Infrastructure, flows []Flow) {
	var dns, ntp, dhcp []netip.Addr
	for i := range flows {
		f := &flows[i]
		a := f.Dst.Unmap()
		if notRouted(a) || !a.IsValid() || a.IsUnspecified() || a.Zone() != "" {
			continue
		}
		switch {
		case f.DstPort == 53 && (f.Proto == ProtoUDP || f.Proto == ProtoTCP):
			dns = append(dns, a)
		case f.DstPort == 123 && f.Proto == ProtoUDP:
			ntp = append(ntp, a)
		case (f.DstPort == 67 || f.DstPort == 547) && f.Proto == ProtoUDP:
			dhcp = append(dhcp, a)
		}
	}
	if len(in.Resolvers) == 0 {
		in.Resolvers = sortedAddrs(dns)
	}
	if len(in.NTP) == 0 {
		in.NTP = sortedAddrs(ntp)
	}
	if len(in.DHCPServers) == 0 {
		in.DHCPServers = sortedAddrs(dhcp)
	}
}

func sortedAddrs(as []netip.Addr) []netip.Addr {
	slices.SortFunc(as, netip.Addr.Compare)
	return slices.Compact(as)
}

// addZones adds zones for the flow ends that e places nowhere and that a
// conduit must allow, and reports whether it added any.
func addZones(p *Policy, e *Evaluator, flows []Flow) bool {
	pl := e.newPlacer()
	var internet, other bool
	devices := map[string]bool{}
	for i := range flows {
		f := &flows[i]
		d, src, dst := pl.decide(f)
		if d.Allowed {
			continue
		}
		for _, x := range []struct {
			a   netip.Addr
			end *end
		}{{f.Src, src}, {f.Dst, dst}} {
			switch {
			case x.end.zone != e.unassigned():
			case x.end.dev >= 0:
				other = true
				devices[e.devs[x.end.dev].ID] = true
			case Public(x.a) && len(e.owners[plain(x.a)]) == 0: // as the Internet rule has it
				internet = true
			default:
				other = true
			}
		}
	}
	if internet {
		addInternet(p)
	}
	if other {
		addUnplaced(p, named(p), devices)
	}
	return internet || other
}

func addInternet(p *Policy) {
	z := freeZone(p, learnInternet)
	p.Zones = append(p.Zones, Zone{Name: z,
		Description: "public addresses the learned flows reached; added by learn"})
	p.Rules = append(p.Rules, Rule{Zone: z, Internet: true})
}

func addUnplaced(p *Policy, named map[string]bool, devices map[string]bool) {
	z := freeZone(p, learnUnplaced)
	p.Zones = append(p.Zones, Zone{Name: z, Description: "devices and addresses that no rule " +
		"placed; added by learn: place them in their zones"})
	var ids []string
	for id := range devices {
		if !named[id] && strings.TrimSpace(id) != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(ids) > 0 {
		p.Rules = append(p.Rules, Rule{Zone: z, Devices: ids})
	}
	p.Rules = append(p.Rules, Rule{Zone: z, Subnets: []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}})
}

// named returns the device ids p's rules name.
func named(p *Policy) map[string]bool {
	out := map[string]bool{}
	for _, r := range p.Rules {
		for _, id := range r.Devices {
			out[id] = true
		}
	}
	return out
}

// freeZone returns name, or name and "-2", "-3"... when p has it.
func freeZone(p *Policy, name string) string {
	has := func(n string) bool {
		return slices.ContainsFunc(p.Zones, func(z Zone) bool { return z.Name == n })
	}
	n := name
	for k := 2; has(n); k++ {
		n = name + "-" + strconv.Itoa(k)
	}
	return n
}

// learnKey is a group of learned flows: the ends by zone and category
// ("" when no device or none) and a service.
type learnKey struct {
	src, dst   int
	srcC, dstC string
}

// svcKey is a service as observed: ports only for protocols with ports.
// odd marks an application a policy cannot name, so app is "": a service
// of any application must allow the port.
type svcKey struct {
	proto uint8
	port  uint16
	app   string
	odd   bool
}

// learnGroup is the flows of the ends of a draft conduit.
type learnGroup struct {
	from, to End
	svcs     map[svcKey]struct{}
	svcText  string // servicesText, once known
	flows    int
	packets  uint64
	first    time.Time
	last     time.Time
}

func (g *learnGroup) add(f *Flow, s svcKey) {
	g.svcs[s] = struct{}{}
	g.flows++
	g.packets += f.Packets
	if !f.FirstSeen.IsZero() && (g.first.IsZero() || f.FirstSeen.Before(g.first)) {
		g.first = f.FirstSeen
	}
	g.last = maxTime(g.last, f.LastSeen)
}

// servicesText is the group's services as a policy writes them, for
// comparing groups; it is kept, since merged groups have the same.
func (g *learnGroup) servicesText() string {
	if g.svcText == "" {
		var b strings.Builder
		for _, s := range services(g.svcs) {
			b.WriteString(s.Proto + "/" + s.App + "/")
			for _, r := range s.Ports {
				b.WriteString(r.String() + ",")
			}
			b.WriteByte(';')
		}
		g.svcText = b.String()
	}
	return g.svcText
}

func (g *learnGroup) merge(o *learnGroup) {
	for s := range o.svcs {
		g.svcs[s] = struct{}{}
	}
	g.flows += o.flows
	g.packets += o.packets
	if !o.first.IsZero() && (g.first.IsZero() || o.first.Before(g.first)) {
		g.first = o.first
	}
	g.last = maxTime(g.last, o.last)
}

// learnConduits drafts the conduits that allow the flows e does not,
// and counts the flows left out: those with an end no rule places.
func (e *Evaluator) learnConduits(flows []Flow) ([]Conduit, int) {
	byEnds, left := e.learnGroups(flows)
	groups := mergeCategories(byEnds, true)
	groups = mergeCategories(groups, false)
	type keyed struct {
		from, to string
		g        *learnGroup
	}
	sorted := make([]keyed, len(groups))
	for i, g := range groups {
		sorted[i] = keyed{g.from.Key(), g.to.Key(), g}
	}
	slices.SortFunc(sorted, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to))
	})
	for i := range sorted {
		groups[i] = sorted[i].g
	}
	out := make([]Conduit, len(groups))
	taken := map[string]bool{}
	for i, g := range groups {
		out[i] = Conduit{Name: conduitName(g.from, g.to, taken), From: g.from, To: g.to,
			Services: services(g.svcs), Description: g.describe()}
	}
	return out, left
}

// learnGroups groups the flows e does not allow by their conduit ends,
// and counts those it leaves out, with an end in Unassigned.
func (e *Evaluator) learnGroups(flows []Flow) ([]*learnGroup, int) {
	pl := e.newPlacer()
	cats := e.learnCategories()
	others := e.zoneCategories(cats)
	byKey := map[learnKey]*learnGroup{}
	byEnds := map[[2]string]*learnGroup{}
	var order []*learnGroup
	left := 0
	for i := range flows {
		f := &flows[i]
		d, src, dst := pl.decide(f)
		if d.Allowed {
			continue
		}
		if src.zone == e.unassigned() || dst.zone == e.unassigned() {
			left++
			continue
		}
		k := learnKey{src: src.zone, dst: dst.zone, srcC: categoryOf(src, cats),
			dstC: categoryOf(dst, cats)}
		g := byKey[k]
		if g == nil {
			from, to := e.learnEnd(k.src, k.srcC, others), e.learnEnd(k.dst, k.dstC, others)
			ends := [2]string{from.Key(), to.Key()}
			if g = byEnds[ends]; g == nil {
				g = &learnGroup{from: from, to: to, svcs: map[svcKey]struct{}{}}
				byEnds[ends] = g
				order = append(order, g)
			}
			byKey[k] = g
		}
		g.add(f, observedService(f))
	}
	return order, left
}

func observedService(f *Flow) svcKey {
	s := svcKey{proto: f.Proto, app: f.App}
	if s.app != "" && !policyApp.MatchString(s.app) {
		s.app, s.odd = "", true
	}
	if HasPorts(f.Proto) {
		s.port = f.DstPort
	}
	return s
}

// learnCategories are the categories each device's end may be narrowed
// to: its own, or "" when a policy cannot write it.
func (e *Evaluator) learnCategories() []string {
	out := make([]string, len(e.devs))
	for i := range e.devs {
		if c := e.devs[i].Category; policyCategory.MatchString(c) {
			out[i] = c
		}
	}
	return out
}

// categoryOf is the category end x may be narrowed to, "" for a bare
// address.
func categoryOf(x *end, cats []string) string {
	if x.dev < 0 {
		return ""
	}
	return cats[x.dev]
}

// zoneCategories returns, by zone, the categories of the zone's devices,
// "" standing for devices without one.
func (e *Evaluator) zoneCategories(cats []string) []map[string]bool {
	out := make([]map[string]bool, len(e.zones))
	for i := range out {
		out[i] = map[string]bool{}
	}
	for i := range e.placed {
		out[e.placed[i].zone][cats[i]] = true
	}
	return out
}

// learnEnd is the end of zone z for devices of category c: narrowed to c
// when the zone holds devices of other categories, else the whole zone.
func (e *Evaluator) learnEnd(z int, c string, cats []map[string]bool) End {
	x := End{Zone: e.zones[z]}
	if c == "" {
		return x
	}
	for other := range cats[z] {
		if other != c {
			x.Categories = []string{c}
			break
		}
	}
	return x
}

// mergeCategories merges the groups of narrowed ends of one zone whose
// other end and services are the same into one end of their categories:
// the From ends when src is set, else the To ends.
func mergeCategories(groups []*learnGroup, src bool) []*learnGroup {
	type mkey struct{ zone, other, svcs string }
	byKey := map[mkey]*learnGroup{}
	var out []*learnGroup
	for _, g := range groups {
		mine, other := &g.from, g.to
		if !src {
			mine, other = &g.to, g.from
		}
		if len(mine.Categories) == 0 {
			out = append(out, g)
			continue
		}
		k := mkey{zone: mine.Zone, other: other.Key(), svcs: g.servicesText()}
		m := byKey[k]
		if m == nil {
			byKey[k] = g
			out = append(out, g)
			continue
		}
		into := &m.from
		if !src {
			into = &m.to
		}
		into.Categories = append(into.Categories, mine.Categories...)
		slices.Sort(into.Categories)
		into.Categories = slices.Compact(into.Categories)
		m.merge(g)
	}
	return out
}

// services writes observed services as Services: one per protocol and
// application with its ports, adjacent ports as one range.
func services(svcs map[svcKey]struct{}) []Service {
	type pa struct {
		proto uint8
		app   string
	}
	ports := map[pa][]uint16{}
	byApp := map[uint8]map[uint16]bool{} // ports an application's service lists
	odd := map[pa]map[uint16]bool{}      // ports of applications a policy cannot name
	for s := range svcs {
		k := pa{s.proto, s.app}
		ports[k] = append(ports[k], s.port)
		if s.odd {
			if odd[k] == nil {
				odd[k] = map[uint16]bool{}
			}
			odd[k][s.port] = true
		}
		if s.app != "" && HasPorts(s.proto) && s.port != 0 {
			if byApp[s.proto] == nil {
				byApp[s.proto] = map[uint16]bool{}
			}
			byApp[s.proto][s.port] = true
		}
	}
	var out []Service
	for k, ps := range ports {
		if k.app == "" {
			ps = slices.DeleteFunc(ps, func(p uint16) bool { return byApp[k.proto][p] && !odd[k][p] })
			if len(ps) == 0 {
				continue
			}
		}
		out = append(out, Service{Proto: ProtoName(k.proto), App: k.app, Ports: portRanges(k.proto, ps)})
	}
	slices.SortFunc(out, func(a, b Service) int {
		return cmp.Or(cmp.Compare(a.Proto, b.Proto), cmp.Compare(a.App, b.App),
			cmp.Compare(firstPort(a), firstPort(b)))
	})
	return out
}

func firstPort(s Service) uint16 {
	if len(s.Ports) == 0 {
		return 0
	}
	return s.Ports[0].Lo
}

// portRanges sorts ports into ranges. A protocol without ports, or a flow
// to port 0 (which a policy cannot name), gives no ports: any.
func portRanges(proto uint8, ps []uint16) []PortRange {
	if !HasPorts(proto) || slices.Contains(ps, 0) {
		return nil
	}
	slices.Sort(ps)
	ps = slices.Compact(ps)
	var out []PortRange
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].Hi+1 == p {
			out[n-1].Hi = p
			continue
		}
		out = append(out, PortRange{Lo: p, Hi: p})
	}
	return out
}

func (g *learnGroup) describe() string {
	return fmt.Sprintf("learned from %s (%s) seen %s to %s", plural(uint64(g.flows), "flow"),
		plural(g.packets, "packet"), g.first.UTC().Format(learnTime),
		g.last.UTC().Format(learnTime))
}

func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.FormatUint(n, 10) + " " + what + "s"
}

const learnTime = "2006-01-02 15:04 MST"

// maxName bounds a drafted conduit's name before its "-2" suffix, under
// the 100 characters a policy allows.
const maxName = 90

// conduitName names a drafted conduit from its ends, "imaging-ct-to-
// clinical-it-pacs", unique among taken.
func conduitName(from, to End, taken map[string]bool) string {
	base := endName(from) + "-to-" + endName(to)
	if len(base) > maxName { // at a word's end
		cut := strings.LastIndexByte(base[:maxName+1], '-')
		if cut <= 0 {
			cut = maxName
		}
		base = base[:cut]
	}
	n := base
	for k := 2; taken[n]; k++ {
		n = base + "-" + strconv.Itoa(k)
	}
	taken[n] = true
	return n
}

// endName is a zone, and its categories when narrowed, each without the
// zone's name when it starts with it ("imaging" and "imaging-ct" give
// "imaging-ct").
func endName(x End) string {
	if len(x.Categories) == 0 {
		return x.Zone
	}
	parts := []string{x.Zone}
	cats := slices.Sorted(slices.Values(x.Categories))
	for i, c := range cats {
		if i == 2 && len(cats) > 3 {
			parts = append(parts, "and", strconv.Itoa(len(cats)-2), "more")
			break
		}
		parts = append(parts, strings.TrimPrefix(c, x.Zone+"-"))
	}
	return nameWord(strings.Join(parts, "-"))
}

// nameWord keeps the lower-case letters and digits of s, other runs of
// characters becoming one '-'.
func nameWord(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}
