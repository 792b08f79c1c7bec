package segment

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// The access lists Cisco writes, for IOS 15 or later:
//
//   - One extended list a zone, WARD-FROM-<ZONE> (IPv6: WARD6-FROM-<ZONE>),
//     to apply inbound on the zone's interfaces. It judges what enters
//     there: the sources of the zone's addresses, and the addresses of
//     other zones that take precedence inside them (a device a category
//     rule placed away from its subnet's zone, an earlier rule's subnet
//     inside a later one's).
//   - A list is made of sections, one for each class of source addresses
//     (exportClass) in the order a firewall classifies them, and the
//     rule of public addresses last, after denying the sources that are
//     not public. Within a section the destinations are taken in the same
//     order. Where a later class overlaps an earlier one of another zone,
//     a deny of the overlap closes the earlier one (for sources) or comes
//     before the later one's permits (for destinations), so the first
//     match decides as the policy says.
//   - Access lists keep no state: a conduit's return traffic is permitted
//     in the list of the zone that answers (tcp established, udp from the
//     service's port, ICMP echo replies).
//   - The infrastructure comes first in every list, commented; the list
//     ends with "deny ip any any log" (log-only: "permit ip any any log",
//     and every deny becomes a logged permit).
//   - IPv4 addresses of more than one prefix are object groups
//     (object-group network WARD-...), services of more than one port an
//     object-group service; IPv6 lists are written out in full, since not
//     every IOS has IPv6 object groups. Lists and groups are removed first
//     and then written again, in an order IOS accepts.

// Cisco returns Cisco IOS extended access lists that enforce p, the
// addresses placed as b says, with the infrastructure traffic every
// network needs permitted and commented. It returns an error naming the
// conduit or rule it cannot express.
func Cisco(p *Policy, b *Book, o ExportOptions) ([]byte, error) {
	x, err := newExportPlan(p, b, o)
	if err != nil {
		return nil, err
	}
	for i := range x.dirs {
		for _, s := range x.dirs[i].svcs {
			if !s.any && s.proto == 132 && s.ports != nil {
				return nil, fmt.Errorf("export: conduit %q: sctp ports cannot be matched by an IOS "+
					"access list", exportText(x.dirs[i].name))
			}
		}
	}
	g := newIOSGen(x)
	return g.write(), nil
}

// iosShadow is where an earlier class of another zone overlaps a class:
// those addresses are the earlier class's.
type iosShadow struct {
	class  int
	v4, v6 []netip.Prefix
}

func (s *iosShadow) family(v6 bool) []netip.Prefix {
	if v6 {
		return s.v6
	}
	return s.v4
}

// iosAddr is the source or destination of an entry: any, or prefixes
// with the label of their object group.
type iosAddr struct {
	any   bool
	ps    []netip.Prefix
	label string
}

// iosSection is the part of a list that judges one class of sources.
type iosSection struct {
	class int
	src   iosAddr
}

// iosClass is a class as the lists judge it: after the rule of public
// addresses, only the non-public addresses of its prefixes are its own;
// all of them still say where its interfaces are (orig4, orig6).
type iosClass struct {
	exportClass
	orig4, orig6 []netip.Prefix
}

func (c *iosClass) orig(v6 bool) []netip.Prefix {
	if v6 {
		return c.orig6
	}
	return c.orig4
}

// iosGen writes the lists of one policy.
type iosGen struct {
	x       *exportPlan
	classes []iosClass
	shadows [][]iosShadow // by class
	// dstOrder is the order destinations are tried: the classes, with the
	// rule of public addresses last.
	dstOrder []int
	groups   iosGroups
	verb     string // "deny", or "permit" in log-only mode
}

func newIOSGen(x *exportPlan) *iosGen {
	g := &iosGen{x: x, verb: "deny", groups: iosGroups{byContent: map[string]string{},
		taken: map[string]bool{}}}
	if x.o.LogOnly {
		g.verb = "permit"
	}
	g.cutAfterInternet()
	g.dropCovered()
	g.findShadows()
	inet := -1
	for i, c := range g.classes {
		if c.kind == exportInternet {
			inet = i
			continue
		}
		g.dstOrder = append(g.dstOrder, i)
	}
	if inet >= 0 {
		g.dstOrder = append(g.dstOrder, inet)
	}
	return g
}

// cutAfterInternet leaves the classes after the rule of public addresses
// with their non-public addresses only: the public ones are that rule's.
// Then no class overlaps the public rule from behind, and it can be
// tried last.
func (g *iosGen) cutAfterInternet() {
	seen := false
	for _, c := range g.x.classes {
		g.classes = append(g.classes, iosClass{exportClass: c, orig4: c.v4, orig6: c.v6})
	}
	for i := range g.classes {
		c := &g.classes[i]
		if seen {
			c.v4 = exportIntersect(c.v4, exportNonPublic4)
			c.v6 = exportIntersect(c.v6, exportNonPublic6)
		}
		seen = seen || c.kind == exportInternet
	}
}

// dropCovered leaves out the hosts classes that change no address's zone:
// those whose addresses fall, first, in a rule of their own zone (a
// zone's known hosts on its own subnet). Lists are shorter without them
// and judge as before.
func (g *iosGen) dropCovered() {
	idx := newIOSRuleIndex(g.classes)
	g.classes = slices.DeleteFunc(g.classes, func(c iosClass) bool {
		if c.kind != exportHosts {
			return false
		}
		for _, p := range append(slices.Clone(c.v4), c.v6...) {
			if z, ok := idx.first(p.Addr()); !ok || z != c.zone {
				return false
			}
		}
		return true
	})
}

// iosRuleIndex finds the first rule that holds an address without trying
// them all: by the rules' prefix lengths, then a map.
type iosRuleIndex struct {
	lens     []int
	byPrefix map[netip.Prefix]int // prefix → index of the first rule giving it
	rules    []*iosClass
	inet     int // index in rules of the public rule, -1 when none
}

func newIOSRuleIndex(cs []iosClass) *iosRuleIndex {
	x := &iosRuleIndex{byPrefix: map[netip.Prefix]int{}, inet: -1}
	for i := range cs {
		c := &cs[i]
		if c.kind == exportHosts {
			continue
		}
		if c.kind == exportInternet && x.inet < 0 {
			x.inet = len(x.rules)
		}
		for _, p := range append(slices.Clone(c.v4), c.v6...) {
			if _, seen := x.byPrefix[p]; !seen {
				x.byPrefix[p] = len(x.rules)
			}
			if !slices.Contains(x.lens, p.Bits()) {
				x.lens = append(x.lens, p.Bits())
			}
		}
		x.rules = append(x.rules, c)
	}
	return x
}

// first returns the zone of the first rule that holds a.
func (x *iosRuleIndex) first(a netip.Addr) (string, bool) {
	best := -1
	for _, n := range x.lens {
		if n > a.BitLen() {
			continue
		}
		p, _ := a.Prefix(n)
		if i, ok := x.byPrefix[p]; ok && (best < 0 || i < best) {
			best = i
		}
	}
	if x.inet >= 0 && (best < 0 || x.inet < best) && len(exportPublicPart(
		[]netip.Prefix{netip.PrefixFrom(a, a.BitLen())}, a.Is6())) > 0 {
		best = x.inet
	}
	if best < 0 {
		return "", false
	}
	return x.rules[best].zone, true
}

// findShadows finds, for each class, the earlier classes of other zones
// that overlap it. Hosts never overlap hosts.
func (g *iosGen) findShadows() {
	g.shadows = make([][]iosShadow, len(g.classes))
	for k := range g.classes {
		for c := range k {
			a, b := &g.classes[c], &g.classes[k]
			if a.zone == b.zone || a.kind == exportHosts && b.kind == exportHosts {
				continue
			}
			s := iosShadow{class: c, v4: g.overlap(a, b.prefixes(false), b.kind, false),
				v6: g.overlap(a, b.prefixes(true), b.kind, true)}
			if len(s.v4)+len(s.v6) > 0 {
				g.shadows[k] = append(g.shadows[k], s)
			}
		}
	}
}

// overlap returns the addresses of earlier class a that a later class,
// of prefixes ps or public addresses (kind), also holds.
func (g *iosGen) overlap(a *iosClass, ps []netip.Prefix, kind exportKind, v6 bool) []netip.Prefix {
	switch {
	case a.kind == exportInternet && kind == exportInternet:
		return nil
	case a.kind == exportInternet:
		return exportPublicPart(ps, v6)
	case kind == exportInternet:
		return exportPublicPart(a.prefixes(v6), v6)
	}
	return exportIntersect(a.prefixes(v6), ps)
}

func (g *iosGen) write() []byte {
	var acls []iosACL
	for _, z := range g.x.zonesWithClasses() {
		if z == Unassigned {
			continue
		}
		acls = append(acls, iosACL{zone: z, lines: g.list(z, false)})
		if g.x.hasV6() {
			acls = append(acls, iosACL{zone: z, v6: true, lines: g.list(z, true)})
		}
	}
	var w strings.Builder
	g.writeHeader(&w)
	g.writeRemovals(&w, acls)
	g.groups.write(&w)
	for _, a := range acls {
		w.WriteString("!\n")
		w.WriteString(a.command() + "\n")
		for _, l := range a.lines {
			w.WriteString(" " + l + "\n")
		}
	}
	w.WriteString("!\nend\n")
	return []byte(w.String())
}

// iosACL is one list written.
type iosACL struct {
	zone  string
	v6    bool
	lines []string
}

func (a *iosACL) name() string {
	if a.v6 {
		return "WARD6-FROM-" + strings.ToUpper(a.zone)
	}
	return "WARD-FROM-" + strings.ToUpper(a.zone)
}

func (a *iosACL) command() string {
	if a.v6 {
		return "ipv6 access-list " + a.name()
	}
	return "ip access-list extended " + a.name()
}

func (g *iosGen) writeHeader(w *strings.Builder) {
	lines := g.x.header("Cisco IOS")
	lines = append(lines,
		"One extended access list a zone, WARD-FROM-<ZONE> (IPv6: WARD6-FROM-<ZONE>), to apply",
		"inbound on the interfaces (SVIs) of that zone, for example:",
		"  interface Vlan61",
		"   ip access-group WARD-FROM-IMAGING in",
		"   ipv6 traffic-filter WARD6-FROM-IMAGING in",
		"Access lists keep no state: the return traffic of a conduit is permitted in the list of",
		"the zone that answers (tcp established, udp from the service's port).",
		"Object groups need IOS 15 or later. Paste in configuration mode: the lists and groups are",
		"removed and written again; meanwhile an interface whose list is missing permits all.",
		"IOS rate-limits the logging of access lists (ip access-list logging interval).")
	if !g.x.hasV6() {
		lines = append(lines, "The policy holds no IPv6 address: no IPv6 lists.")
	}
	for _, z := range g.x.zones {
		if !g.x.hasClass(z) {
			lines = append(lines, "Zone "+z+" holds no address: no list.")
		}
	}
	for _, l := range lines {
		w.WriteString("! " + exportText(l) + "\n")
	}
}

func (g *iosGen) writeRemovals(w *strings.Builder, acls []iosACL) {
	w.WriteString("!\n! Remove the lists, then the groups they use.\n")
	for _, a := range acls {
		if a.v6 {
			w.WriteString("no ipv6 access-list " + a.name() + "\n")
		} else {
			w.WriteString("no ip access-list extended " + a.name() + "\n")
		}
	}
	for _, n := range g.groups.order {
		w.WriteString("no " + g.groups.kind[n] + " " + n + "\n")
	}
}

// list returns the entries of zone z's list of one family.
func (g *iosGen) list(z string, v6 bool) []string {
	l := &iosList{g: g, v6: v6, seen: map[string]bool{}}
	l.remark(iosSectionRemark, "Ward: what enters from zone "+z+"; apply inbound on its interfaces")
	g.infra(l)
	secs := g.sections(z, v6)
	for i := range secs {
		g.section(l, z, secs, i)
	}
	g.otherQueries(l, secs)
	if g.x.o.LogOnly {
		l.remark(iosSectionRemark, "the rest would be dropped: logged and let through")
	} else {
		l.remark(iosSectionRemark, "the rest: logged and dropped")
	}
	l.add(g.verb + " " + l.ip() + " any any log")
	return l.lines
}

// sections returns the sections of zone z's list: its classes, and the
// parts of earlier classes of other zones that overlap them, in
// classification order with the public rule last.
func (g *iosGen) sections(z string, v6 bool) []iosSection {
	foreign := g.foreign(z, v6)
	var out []iosSection
	var inet *iosSection
	for i, c := range g.classes {
		label := g.classLabel(i)
		switch {
		case c.zone == z && c.kind == exportInternet:
			inet = &iosSection{class: i, src: iosAddr{any: true}}
		case c.kind == exportInternet && len(foreign[i]) > 0:
			out = append(out, iosSection{class: i, src: iosAddr{ps: foreign[i],
				label: "WARD-PUBLIC-IN-" + strings.ToUpper(z)}})
		case c.zone == z && len(c.prefixes(v6)) > 0:
			out = append(out, iosSection{class: i, src: iosAddr{ps: c.prefixes(v6), label: label}})
		case c.zone != z && len(foreign[i]) > 0:
			ps := exportMergePrefixes(foreign[i])
			out = append(out, iosSection{class: i, src: iosAddr{ps: ps, label: label + "-IN-" +
				strings.ToUpper(z)}})
		}
	}
	if inet != nil {
		out = append(out, *inet)
	}
	return out
}

// foreign returns, by class, the addresses of the classes of other
// zones that enter through zone z's interfaces: where an earlier class
// overlaps the prefixes of one of z's classes as the policy gives them.
func (g *iosGen) foreign(z string, v6 bool) map[int][]netip.Prefix {
	out := map[int][]netip.Prefix{}
	for k := range g.classes {
		b := &g.classes[k]
		if b.zone != z {
			continue
		}
		for c := range k {
			a := &g.classes[c]
			if a.zone == z || a.kind == exportHosts && b.kind == exportHosts {
				continue
			}
			out[c] = append(out[c], g.overlap(a, b.orig(v6), b.kind, v6)...)
		}
	}
	for c, ps := range out {
		out[c] = exportMergePrefixes(ps)
	}
	return out
}

// classLabel is the object group label of class i: WARD-<ZONE>-HOSTS or
// WARD-<ZONE>-R<n>.
func (g *iosGen) classLabel(i int) string {
	c := &g.classes[i]
	if c.kind == exportHosts {
		return "WARD-" + strings.ToUpper(c.zone) + "-HOSTS"
	}
	return "WARD-" + strings.ToUpper(c.zone) + "-R" + strconv.Itoa(c.rule)
}

// section writes section i of secs: its permits by destination, and the
// deny that closes it when a later section of another zone overlaps it.
func (g *iosGen) section(l *iosList, z string, secs []iosSection, i int) {
	s := &secs[i]
	c := &g.classes[s.class]
	what := g.x.classComment(&c.exportClass)
	if c.zone != z {
		what += ", where it overlaps this zone's"
	}
	l.remark(iosSectionRemark, "from "+what)
	if len(g.x.public) > 0 && !g.x.public[c.zone] {
		g.queries(l, "permit", s.src)
	}
	if s.src.any {
		for _, r := range exportNonPublic(l.v6) {
			l.add(g.verb + " " + l.ip() + " " + l.addr1(iosAddr{ps: []netip.Prefix{r}}) + " any log")
		}
	}
	for _, k := range g.dstOrder {
		g.destination(l, s, k)
	}
	if g.needsClose(secs, i, l.v6) {
		l.remark(iosGroupRemark, "the rest from "+what)
		l.ace(g.verb, l.ip(), s.src, "", iosAddr{any: true}, "", "log")
	}
}

// needsClose reports whether a later section of another zone overlaps
// section i: then what section i does not permit must be denied there.
func (g *iosGen) needsClose(secs []iosSection, i int, v6 bool) bool {
	s := &secs[i]
	z := g.classes[s.class].zone
	for _, t := range secs[i+1:] {
		if g.classes[t.class].zone == z {
			continue
		}
		if t.src.any && len(exportPublicPart(s.src.ps, v6)) > 0 || s.src.any ||
			exportOverlaps(s.src.ps, t.src.ps) {
			return true
		}
	}
	return false
}

// destination writes the permits from section s to class k: the conduits
// from the section's zone to k's, and the return traffic of those from
// k's zone to the section's. Before them, the parts of k that earlier
// classes of other zones hold are denied.
func (g *iosGen) destination(l *iosList, s *iosSection, k int) {
	from, to := g.classes[s.class].zone, g.classes[k].zone
	fwd, rep := g.x.pair(from, to), g.x.pair(to, from)
	if len(fwd)+len(rep) == 0 {
		return
	}
	dst := g.classAddr(k, l.v6)
	if !dst.any && len(dst.ps) == 0 {
		return
	}
	g.shadowDenies(l, s, k)
	for _, i := range fwd {
		d := &g.x.dirs[i]
		a, b := g.endAddr(d.fromEnd, s.src, l.v6), g.endAddr(d.toEnd, dst, l.v6)
		l.group("conduit "+g.dirName(d), g.forward(l, d, a, b))
	}
	for _, i := range rep {
		d := &g.x.dirs[i]
		a, b := g.endAddr(d.toEnd, s.src, l.v6), g.endAddr(d.fromEnd, dst, l.v6)
		l.group("return traffic of conduit "+g.dirName(d), g.reply(l, d, a, b))
	}
}

func (g *iosGen) dirName(d *exportDir) string {
	s := exportText(d.name) + ": " + g.x.endName(d.fromEnd, d.from) + " -> " +
		g.x.endName(d.toEnd, d.to)
	for _, n := range d.notes {
		s += "; " + n
	}
	return s
}

// shadowDenies denies, from section s, the parts of class k that earlier
// classes of other zones hold, and for the public rule the addresses
// that are not public.
func (g *iosGen) shadowDenies(l *iosList, s *iosSection, k int) {
	var ps []netip.Prefix
	for _, sh := range g.shadows[k] {
		ps = append(ps, sh.family(l.v6)...)
	}
	if g.classes[k].kind == exportInternet {
		ps = append(ps, exportNonPublic(l.v6)...)
	}
	if len(ps) == 0 {
		return
	}
	var lines []string
	for _, p := range exportMergePrefixes(ps) {
		lines = append(lines, l.aceLines(g.verb, l.ip(), s.src, "", iosAddr{ps: []netip.Prefix{p}},
			"", "log")...)
	}
	l.group("to addresses that are not zone "+g.classes[k].zone+"'s", lines)
}

// classAddr is class k's addresses of one family as a destination.
func (g *iosGen) classAddr(k int, v6 bool) iosAddr {
	c := &g.classes[k]
	if c.kind == exportInternet {
		return iosAddr{any: true}
	}
	return iosAddr{ps: c.prefixes(v6), label: g.classLabel(k)}
}

// endAddr is a direction's end as a source or destination within a: the
// whole of a for a whole zone, else the end's addresses that a holds.
func (g *iosGen) endAddr(i int, a iosAddr, v6 bool) iosAddr {
	if i < 0 {
		return a
	}
	e := &g.x.ends[i]
	ps := e.v4
	if v6 {
		ps = e.v6
	}
	if a.any {
		ps = exportPublicPart(ps, v6)
	} else {
		ps = exportIntersect(ps, a.ps)
	}
	return iosAddr{ps: ps, label: "WARD-END" + strconv.Itoa(i+1) + "-" + strings.ToUpper(e.zone)}
}

// iosItem is one protocol and port range of a service.
type iosItem struct {
	any   bool
	proto uint8
	port  *PortRange // nil: every port
}

// items flattens a direction's services for one family: ICMP has no
// place in IPv6 lists, nor ICMPv6 in IPv4 ones.
func iosItems(d *exportDir, v6 bool) []iosItem {
	var out []iosItem
	for _, s := range d.svcs {
		switch {
		case s.any:
			out = append(out, iosItem{any: true})
		case s.proto == ProtoICMP && v6, s.proto == ProtoICMPv6 && !v6:
		case s.ports == nil:
			out = append(out, iosItem{proto: s.proto})
		default:
			for j := range s.ports {
				out = append(out, iosItem{proto: s.proto, port: &s.ports[j]})
			}
		}
	}
	return out
}

// forward returns the entries that permit direction d's flows.
func (g *iosGen) forward(l *iosList, d *exportDir, src, dst iosAddr) []string {
	items := iosItems(d, l.v6)
	if !src.any && len(src.ps) == 0 || !dst.any && len(dst.ps) == 0 || len(items) == 0 {
		return nil
	}
	if len(items) > 1 && !l.v6 && !items[0].any {
		svc := g.groups.service("WARD-SVC-"+strings.ToUpper(d.name), items)
		return l.aceLines("permit", "object-group "+svc, src, "", dst, "", "")
	}
	var out []string
	for _, it := range items {
		out = append(out, l.aceLines("permit", l.proto(it), src, "", dst, iosPort(it.port), "")...)
	}
	return out
}

// reply returns the entries that permit the answers to direction d's
// flows, from src (the servers) to dst (the clients).
func (g *iosGen) reply(l *iosList, d *exportDir, src, dst iosAddr) []string {
	if !src.any && len(src.ps) == 0 || !dst.any && len(dst.ps) == 0 {
		return nil
	}
	var out []string
	for _, it := range iosItems(d, l.v6) {
		tail := ""
		switch {
		case !it.any && it.proto == ProtoTCP:
			tail = "established"
		case !it.any && (it.proto == ProtoICMP || it.proto == ProtoICMPv6):
			tail = "echo-reply"
		}
		out = append(out, l.aceLines("permit", l.proto(it), src, iosPort(it.port), dst, "", tail)...)
	}
	return out
}

func iosPort(r *PortRange) string {
	switch {
	case r == nil:
		return ""
	case r.Lo == r.Hi:
		return "eq " + strconv.Itoa(int(r.Lo))
	}
	return "range " + strconv.Itoa(int(r.Lo)) + " " + strconv.Itoa(int(r.Hi))
}

// iosList collects the entries of one list. An entry already in the list
// is left out: the earlier one matches all it would.
type iosList struct {
	g     *iosGen
	v6    bool
	lines []string
	seen  map[string]bool
	// pending are the remarks to write before the next entry, by level;
	// written are the last ones written.
	pending, written [2]string
}

// The levels of remarks: a section of sources, a group of entries.
const (
	iosSectionRemark = iota
	iosGroupRemark
)

// remark sets the remark of a level, written before the next entry if
// one comes, and only when it differs from the last written at that
// level.
func (l *iosList) remark(level int, s string) {
	s = exportCut(exportText(s), 100)
	l.pending[level] = s
	for k := level + 1; k < len(l.pending); k++ {
		l.pending[k], l.written[k] = "", ""
	}
}

func (l *iosList) flush() {
	for k, s := range l.pending {
		if s != "" && s != l.written[k] {
			l.lines = append(l.lines, "remark "+s)
			l.written[k] = s
		}
		l.pending[k] = ""
	}
}

// add adds an entry unless the list holds it already, and reports whether
// it did.
func (l *iosList) add(s string) bool {
	if l.seen[s] {
		return false
	}
	l.flush()
	l.seen[s] = true
	l.lines = append(l.lines, s)
	return true
}

// group adds entries under a remark, the remark only when one is new.
func (l *iosList) group(remark string, entries []string) {
	var fresh []string
	for _, e := range entries {
		if !l.seen[e] {
			fresh = append(fresh, e)
		}
	}
	if len(fresh) == 0 {
		return
	}
	l.remark(iosGroupRemark, remark)
	for _, e := range fresh {
		l.add(e)
	}
}

func (l *iosList) ace(action, proto string, src iosAddr, sport string, dst iosAddr, dport,
	tail string) {
	for _, s := range l.aceLines(action, proto, src, sport, dst, dport, tail) {
		l.add(s)
	}
}

// aceLines returns the entries of one rule: one in IPv4, where groups
// hold many addresses, and one per pair of prefixes in IPv6.
func (l *iosList) aceLines(action, proto string, src iosAddr, sport string, dst iosAddr, dport,
	tail string) []string {
	var out []string
	for _, s := range l.addrs(src) {
		for _, d := range l.addrs(dst) {
			out = append(out, nftJoin(action, proto, s, sport, d, dport, tail))
		}
	}
	return out
}

// addrs writes a in an entry: "any", "host A", "A WILDCARD" or an object
// group (IPv4); "any", "host A" or "A/N" for each prefix (IPv6).
func (l *iosList) addrs(a iosAddr) []string {
	if a.any {
		return []string{"any"}
	}
	if !l.v6 && len(a.ps) > 1 {
		return []string{"object-group " + l.g.groups.network(a.label, a.ps)}
	}
	out := make([]string, len(a.ps))
	for i, p := range a.ps {
		out[i] = iosPrefix(p)
	}
	return out
}

// addr1 writes an address of one prefix.
func (l *iosList) addr1(a iosAddr) string { return iosPrefix(a.ps[0]) }

func (l *iosList) ip() string {
	if l.v6 {
		return "ipv6"
	}
	return "ip"
}

func (l *iosList) proto(it iosItem) string {
	switch {
	case it.any:
		return l.ip()
	case it.proto == ProtoTCP:
		return "tcp"
	case it.proto == ProtoUDP:
		return "udp"
	case it.proto == ProtoICMP, it.proto == ProtoICMPv6:
		return "icmp"
	}
	return strconv.Itoa(int(it.proto))
}

// iosPrefix writes p as an entry's address: "any" for /0, "host A" for a
// single address, "A WILDCARD" (IPv4) or "A/N" (IPv6) otherwise.
func iosPrefix(p netip.Prefix) string {
	switch {
	case p.Bits() == 0:
		return "any"
	case p.IsSingleIP():
		return "host " + p.Addr().String()
	case p.Addr().Is6():
		return p.String()
	}
	return p.Addr().String() + " " + iosWildcard(p.Bits())
}

// iosWildcard is the wildcard mask of an IPv4 prefix of n bits: the
// inverse of its netmask.
func iosWildcard(n int) string {
	m := ^iosMaskBits(n)
	return iosDotted(m)
}

// iosMask is the netmask of an IPv4 prefix of n bits.
func iosMask(n int) string { return iosDotted(iosMaskBits(n)) }

func iosMaskBits(n int) uint32 {
	if n <= 0 {
		return 0
	}
	return ^uint32(0) << (32 - min(n, 32))
}

func iosDotted(m uint32) string {
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}).String()
}

// infra writes the infrastructure entries of a list.
func (g *iosGen) infra(l *iosList) {
	in := &g.x.infra
	if l.v6 {
		l.group("infrastructure: neighbour discovery (the final deny would drop it)", []string{
			"permit icmp any any nd-na", "permit icmp any any nd-ns",
			"permit icmp any any router-advertisement", "permit icmp any any router-solicitation"})
	}
	if in.icmpErrors {
		errs := []string{"unreachable", "time-exceeded", "parameter-problem"}
		if l.v6 {
			errs = []string{"unreachable", "packet-too-big", "time-exceeded", "parameter-problem"}
		}
		var lines []string
		for _, e := range errs {
			lines = append(lines, "permit icmp any any "+e)
		}
		l.group("infrastructure: ICMP errors", lines)
	}
	g.infraService(l, "DNS to the resolvers and their answers", "WARD-RESOLVERS", in.resolvers,
		[]string{"udp", "tcp"}, 53)
	g.infraService(l, "NTP to the time servers and their answers", "WARD-NTP-SERVERS", in.ntp,
		[]string{"udp"}, 123)
	g.infraDHCP(l)
	l.group("infrastructure: "+strings.ToUpper(in.fhrp)+" between the routers", iosFHRP(in.fhrp, l.v6))
}

// queries writes the DNS, NTP and DHCP queries to the infrastructure's
// servers from src, permitted or denied: when some zone is of public
// addresses, whose queries need a conduit, they are judged by source.
func (g *iosGen) queries(l *iosList, action string, src iosAddr) {
	in := &g.x.infra
	var lines []string
	add := func(servers exportAddrs, label, proto, sport, dport string) {
		ps := exportHostPrefixes(servers.family(l.v6))
		if len(ps) > 0 {
			dst := iosAddr{ps: ps, label: label}
			lines = append(lines, l.aceLines(action, proto, src, sport, dst, dport, "")...)
		}
	}
	add(in.resolvers, "WARD-RESOLVERS", "udp", "", "eq 53")
	add(in.resolvers, "WARD-RESOLVERS", "tcp", "", "eq 53")
	add(in.ntp, "WARD-NTP-SERVERS", "udp", "", "eq 123")
	if l.v6 {
		add(in.dhcpServers, "WARD-DHCP-SERVERS", "udp", "eq 546", "eq 547")
	} else {
		add(in.dhcpServers, "WARD-DHCP-SERVERS", "udp", "eq 68", "eq 67")
	}
	what := "infrastructure: DNS, NTP and DHCP queries to the servers"
	if action != "permit" {
		what = "infrastructure: no DNS, NTP or DHCP query from public addresses without a conduit"
	}
	l.group(what, lines)
}

// otherQueries ends a list, when some zone is of public addresses: the
// sections of public zones send no queries, and the sources of no section
// (addresses no rule places, such as a device not yet known) do.
// Addresses of an earlier section were judged there.
func (g *iosGen) otherQueries(l *iosList, secs []iosSection) {
	if len(g.x.public) == 0 {
		return
	}
	for _, s := range secs {
		if g.x.public[g.classes[s.class].zone] {
			if s.src.any {
				return // every other source is public
			}
			g.queries(l, "deny", s.src)
		}
	}
	// An address no rule places is not public: the rule of public
	// addresses would place it.
	l.remark(iosSectionRemark, "from addresses no rule places")
	g.queries(l, "permit", iosAddr{ps: exportNonPublic(l.v6), label: "WARD-NONPUBLIC"})
}

// infraService permits a service of servers from every zone, and the
// servers' answers.
func (g *iosGen) infraService(l *iosList, what, label string, servers exportAddrs,
	protos []string, port int) {
	ps := exportHostPrefixes(servers.family(l.v6))
	if len(ps) == 0 {
		return
	}
	a := iosAddr{ps: ps, label: label}
	eq := "eq " + strconv.Itoa(port)
	var lines []string
	for _, p := range protos {
		if len(g.x.public) == 0 { // else by source, in the sections (queries)
			lines = append(lines, l.aceLines("permit", p, iosAddr{any: true}, "", a, eq, "")...)
		}
	}
	for _, p := range protos {
		tail := ""
		if p == "tcp" {
			tail = "established"
		}
		lines = append(lines, l.aceLines("permit", p, a, eq, iosAddr{any: true}, "", tail)...)
	}
	l.group("infrastructure: "+what, lines)
}

// infraDHCP permits the clients' broadcasts (relayed by ip
// helper-address) and renewals, the relays' requests to the servers, and
// the servers' answers.
func (g *iosGen) infraDHCP(l *iosList) {
	in := &g.x.infra
	servers := exportHostPrefixes(in.dhcpServers.family(l.v6))
	relays := exportHostPrefixes(in.dhcpRelays.family(l.v6))
	if len(servers) == 0 && len(relays) == 0 {
		return
	}
	client, server, all, name := "eq 68", "eq 67", "host 255.255.255.255", "DHCP"
	if l.v6 {
		client, server, all, name = "eq 546", "eq 547", "host ff02::1:2", "DHCPv6"
	}
	anyAddr := iosAddr{any: true}
	sa := iosAddr{ps: servers, label: "WARD-DHCP-SERVERS"}
	ra := iosAddr{ps: relays, label: "WARD-DHCP-RELAYS"}
	lines := []string{"permit udp any " + client + " " + all + " " + server}
	if len(servers) > 0 {
		if len(g.x.public) == 0 { // else by source, in the sections (queries)
			lines = append(lines, l.aceLines("permit", "udp", anyAddr, client, sa, server, "")...)
		}
		if len(relays) > 0 {
			lines = append(lines, l.aceLines("permit", "udp", ra, "", sa, server, "")...)
		}
		lines = append(lines, l.aceLines("permit", "udp", sa, server, anyAddr, "", "")...)
	}
	l.group("infrastructure: "+name+" from clients and relays to the servers, and answers", lines)
}

// iosFHRP returns the entries of a first-hop redundancy protocol.
func iosFHRP(fhrp string, v6 bool) []string {
	switch {
	case (fhrp == "vrrp" || fhrp == "carp") && v6:
		return []string{"permit 112 any host ff02::12"}
	case fhrp == "vrrp" || fhrp == "carp":
		return []string{"permit 112 any host 224.0.0.18"}
	case fhrp == "hsrp" && v6:
		return []string{"permit udp any host ff02::66 eq 2029"}
	case fhrp == "hsrp":
		return []string{"permit udp any host 224.0.0.2 eq 1985", "permit udp any host 224.0.0.102 eq 1985"}
	case fhrp == "glbp" && !v6:
		return []string{"permit udp any host 224.0.0.102 eq 3222"}
	}
	return nil
}

// iosGroups names object groups by their content, so that a group used
// twice is written once.
type iosGroups struct {
	byContent map[string]string
	taken     map[string]bool
	order     []string
	kind      map[string]string // name → "object-group network" or "object-group service"
	body      map[string][]string
}

// network returns the name of the network group of ps, labelled label.
func (gs *iosGroups) network(label string, ps []netip.Prefix) string {
	var body []string
	for _, p := range ps {
		if p.IsSingleIP() {
			body = append(body, "host "+p.Addr().String())
		} else {
			body = append(body, p.Addr().String()+" "+iosMask(p.Bits()))
		}
	}
	return gs.get("object-group network", label, body)
}

// service returns the name of the service group of items.
func (gs *iosGroups) service(label string, items []iosItem) string {
	var body []string
	for _, it := range items {
		l := &iosList{}
		body = append(body, nftJoin(l.proto(it), iosPort(it.port)))
	}
	return gs.get("object-group service", label, body)
}

func (gs *iosGroups) get(kind, label string, body []string) string {
	key := kind + "\n" + strings.Join(body, "\n")
	if n, ok := gs.byContent[key]; ok {
		return n
	}
	label = iosName(label)
	n := label
	for k := 2; gs.taken[n]; k++ {
		n = label + "-" + strconv.Itoa(k)
	}
	if gs.kind == nil {
		gs.kind, gs.body = map[string]string{}, map[string][]string{}
	}
	gs.taken[n], gs.byContent[key] = true, n
	gs.order = append(gs.order, n)
	gs.kind[n], gs.body[n] = kind, body
	return n
}

// iosName keeps a group's name to the characters and length IOS takes.
func iosName(s string) string {
	b := []byte(strings.ToUpper(s))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '-'
		}
	}
	if len(b) > 60 {
		b = b[:60]
	}
	return strings.TrimRight(string(b), "-_")
}

func (gs *iosGroups) write(w *strings.Builder) {
	for _, n := range gs.order {
		w.WriteString("!\n" + gs.kind[n] + " " + n + "\n")
		for _, l := range gs.body[n] {
			w.WriteString(" " + l + "\n")
		}
	}
}
