package segment

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ExportOptions says how NFTables and Cisco write a policy's rules.
type ExportOptions struct {
	// LogOnly logs (and counts) what the rules would drop and drops
	// nothing: for a first deployment, to see what a policy would break
	// before it breaks it.
	LogOnly bool
	// Digest is the policy's digest (Policy.Digest), written in the header
	// so that loaded rules can be traced to the policy they came from.
	Digest string
	// Generated is written in the header; the zero time omits the line.
	Generated time.Time
	// Table is the name of the nftables table; "" is "ward". Cisco
	// ignores it.
	Table string
}

// exportKind is what places the addresses of an exportClass.
type exportKind int

const (
	exportHosts    exportKind = iota // the known addresses of a zone's devices
	exportSubnet                     // a rule's subnets
	exportInternet                   // a rule of public addresses
)

// exportClass is one step of the classification a firewall applies to an
// address: the first class that holds it gives its zone. Hosts come
// first (they are disjoint), then the rules in policy order.
type exportClass struct {
	zone string
	kind exportKind
	rule int // index in Policy.Rules; -1 for hosts
	// v4 and v6 are the class's addresses, canonical, sorted and without
	// a prefix inside another; a host is a single-address prefix. Both are
	// empty for an internet class.
	v4, v6 []netip.Prefix
}

// prefixes returns the class's prefixes of one family (v6 false: IPv4).
func (c *exportClass) prefixes(v6 bool) []netip.Prefix {
	if v6 {
		return c.v6
	}
	return c.v4
}

// exportEnd is a conduit end narrowed to categories.
type exportEnd struct {
	key    string // End.Key
	zone   string
	v4, v6 []netip.Prefix
}

// exportDir is one direction a conduit allows: from opens flows to to.
type exportDir struct {
	name     string // the conduit's
	line     int
	from, to string // zones
	// fromEnd and toEnd index exportPlan.ends; -1 for the whole zone.
	fromEnd, toEnd int
	reverse        bool // the reverse of a bidirectional conduit
	svcs           []exportSvc
	notes          []string // how applications became ports, for comments
}

// exportSvc is a service as a firewall matches it: a protocol and ports.
type exportSvc struct {
	any   bool  // every protocol
	proto uint8 // when not any
	// ports are the destination ports, merged and sorted; nil is every
	// port (always so for a protocol without ports).
	ports []PortRange
}

// exportInfra is the policy's Infrastructure split by address family.
type exportInfra struct {
	resolvers, ntp, dhcpServers, dhcpRelays exportAddrs
	fhrp                                    string // "", "vrrp", "hsrp", "glbp" or "carp"
	icmpErrors                              bool
}

// exportAddrs are addresses split by family, sorted and without repeats.
type exportAddrs struct{ v4, v6 []netip.Addr }

func (a exportAddrs) empty() bool { return len(a.v4) == 0 && len(a.v6) == 0 }

func (a exportAddrs) family(v6 bool) []netip.Addr {
	if v6 {
		return a.v6
	}
	return a.v4
}

// exportPlan is a policy and its Book resolved into what both exporters
// write: classes of addresses, narrowed ends, conduit directions with
// their services as ports, and the infrastructure.
type exportPlan struct {
	p        *Policy
	o        ExportOptions
	zones    []string // declared, in policy order
	declared map[string]bool
	classes  []exportClass
	ends     []exportEnd // sorted by key
	dirs     []exportDir // policy order; a reverse right after its conduit
	// pairs indexes dirs by "from>to".
	pairs map[string][]int
	infra exportInfra
	// public are the zones a rule of public addresses fills: the
	// infrastructure's servers answer them but take no query from them.
	public   map[string]bool
	notes    []string // Book.Notes
	warnings []string
}

// newExportPlan checks p and b and resolves them. A nil Book places every
// address in Unassigned.
func newExportPlan(p *Policy, b *Book, o ExportOptions) (*exportPlan, error) {
	if p == nil {
		return nil, fmt.Errorf("export: no policy")
	}
	if b == nil {
		b = &Book{}
	}
	x := &exportPlan{p: p, o: o, declared: map[string]bool{}, pairs: map[string][]int{}}
	steps := []func(*Book) error{x.readZones, x.readHosts, x.readSubnets, x.readConduits,
		x.readInfra}
	for _, step := range steps {
		if err := step(b); err != nil {
			return nil, err
		}
	}
	for _, n := range b.Notes {
		x.notes = append(x.notes, exportText(n))
	}
	x.warnEmptyZones()
	x.warnPublicInfra()
	return x, nil
}

// warnPublicInfra finds the zones of public addresses, from which the
// infrastructure's servers take no query, and says so in the header.
func (x *exportPlan) warnPublicInfra() {
	x.public = map[string]bool{}
	for _, r := range x.p.Rules {
		if r.Internet {
			x.public[r.Zone] = true
		}
	}
	in := &x.infra
	if len(x.public) > 0 && (!in.resolvers.empty() || !in.ntp.empty() || !in.dhcpServers.empty()) {
		zs := slices.Sorted(maps.Keys(x.public))
		x.notes = append(x.notes, "DNS, NTP and DHCP to the infrastructure's servers are allowed "+
			"from every zone but "+strings.Join(zs, ", ")+" (public addresses), which need a conduit")
	}
}

func (x *exportPlan) readZones(*Book) error {
	for _, z := range x.p.Zones {
		switch {
		case z.Name == Unassigned:
			return fmt.Errorf("export: zone %q is reserved for addresses no rule places", z.Name)
		case !policyZoneName.MatchString(z.Name):
			return fmt.Errorf("export: zone %q: want 1 to 40 lower-case letters, digits and '-'",
				exportText(z.Name))
		case x.declared[z.Name]:
			return fmt.Errorf("export: zone %q is declared twice", z.Name)
		}
		x.declared[z.Name] = true
		x.zones = append(x.zones, z.Name)
	}
	return nil
}

// known reports whether the Book may name zone z: a declared zone or
// Unassigned.
func (x *exportPlan) known(z string) bool { return z == Unassigned || x.declared[z] }

// readHosts makes a class of each zone's known addresses, in policy order
// of the zones and Unassigned last.
func (x *exportPlan) readHosts(b *Book) error {
	owner := map[netip.Addr]string{}
	for _, z := range slices.Sorted(maps.Keys(b.Hosts)) {
		if !x.known(z) {
			return fmt.Errorf("export: book: hosts of unknown zone %q", exportText(z))
		}
		for _, a := range b.Hosts[z] {
			if !a.IsValid() {
				return fmt.Errorf("export: book: zone %s: invalid host address", z)
			}
			a = a.Unmap().WithZone("")
			if o, dup := owner[a]; dup && o != z {
				return fmt.Errorf("export: book: address %s is a host of zones %s and %s", a, o, z)
			}
			owner[a] = z
		}
	}
	for _, z := range append(slices.Clone(x.zones), Unassigned) {
		v4, v6 := exportSplitAddrs(b.Hosts[z])
		if len(v4)+len(v6) > 0 {
			x.classes = append(x.classes, exportClass{zone: z, kind: exportHosts, rule: -1,
				v4: exportHostPrefixes(v4), v6: exportHostPrefixes(v6)})
		}
	}
	return nil
}

// readSubnets makes a class of each rule of the Book, in its order.
func (x *exportPlan) readSubnets(b *Book) error {
	inet := -1 // the rule of the first internet class
	for _, s := range b.Subnets {
		key := fmt.Sprintf("rules[%d]", s.Rule)
		switch {
		case !x.known(s.Zone):
			return fmt.Errorf("export: book: %s: unknown zone %q", key, exportText(s.Zone))
		case s.Internet && len(s.Prefixes) > 0:
			return fmt.Errorf("export: %s: subnets and internet together cannot be exported", key)
		case s.Internet && inet >= 0:
			x.warn("%s places no address: public addresses are placed by rules[%d]", key, inet)
			continue
		case s.Internet:
			inet = s.Rule
			x.classes = append(x.classes, exportClass{zone: s.Zone, kind: exportInternet, rule: s.Rule})
			continue
		}
		c := exportClass{zone: s.Zone, kind: exportSubnet, rule: s.Rule}
		var err error
		if c.v4, c.v6, err = exportSplitPrefixes(s.Prefixes); err != nil {
			return fmt.Errorf("export: book: %s: %w", key, err)
		}
		if len(c.v4)+len(c.v6) > 0 {
			x.classes = append(x.classes, c)
		}
	}
	return nil
}

// readConduits resolves each conduit into its directions.
func (x *exportPlan) readConduits(b *Book) error {
	names := ConduitNames(x.p.Conduits)
	for i := range x.p.Conduits {
		if err := x.readConduit(b, &x.p.Conduits[i], names[i]); err != nil {
			return fmt.Errorf("export: conduit %q: %w", exportText(names[i]), err)
		}
	}
	return nil
}

func (x *exportPlan) readConduit(b *Book, c *Conduit, name string) error {
	for _, e := range []End{c.From, c.To} {
		if e.Zone == Unassigned || !x.declared[e.Zone] {
			return fmt.Errorf("zone %q is not a declared zone", exportText(e.Zone))
		}
	}
	if len(c.Services) == 0 {
		return fmt.Errorf("no services")
	}
	d := exportDir{name: name, line: c.Line, from: c.From.Zone, to: c.To.Zone,
		fromEnd: x.end(b, c.From, name), toEnd: x.end(b, c.To, name)}
	for j, s := range c.Services {
		svcs, note, err := exportResolveService(s)
		if err != nil {
			return fmt.Errorf("service %d: %w", j+1, err)
		}
		d.svcs = append(d.svcs, svcs...)
		if note != "" {
			d.notes = append(d.notes, note)
		}
	}
	d.svcs = exportMergeSvcs(d.svcs)
	x.addDir(d)
	if c.Bidirectional && (d.from != d.to || d.fromEnd != d.toEnd) {
		r := d
		r.from, r.to, r.fromEnd, r.toEnd, r.reverse = d.to, d.from, d.toEnd, d.fromEnd, true
		x.addDir(r)
	}
	return nil
}

func (x *exportPlan) addDir(d exportDir) {
	k := d.from + ">" + d.to
	x.pairs[k] = append(x.pairs[k], len(x.dirs))
	x.dirs = append(x.dirs, d)
}

// pair returns the directions from zone a to zone b.
func (x *exportPlan) pair(a, b string) []int { return x.pairs[a+">"+b] }

// end returns the index of e's narrowed end, adding it the first time,
// or -1 when e is a whole zone.
func (x *exportPlan) end(b *Book, e End, conduit string) int {
	if len(e.Categories) == 0 {
		return -1
	}
	key := e.Key()
	if i := slices.IndexFunc(x.ends, func(n exportEnd) bool { return n.key == key }); i >= 0 {
		return i
	}
	v4, v6 := exportSplitAddrs(b.Ends[key])
	if len(v4)+len(v6) == 0 {
		x.warn("end %s of conduit %s holds no known device: the conduit allows nothing there",
			exportText(key), exportText(conduit))
	}
	x.ends = append(x.ends, exportEnd{key: key, zone: e.Zone,
		v4: exportHostPrefixes(v4), v6: exportHostPrefixes(v6)})
	return len(x.ends) - 1
}

func (x *exportPlan) readInfra(*Book) error {
	in := x.p.Infrastructure
	x.infra = exportInfra{icmpErrors: in.ICMPErrors, fhrp: strings.ToLower(in.FHRP)}
	lists := []struct {
		name string
		from []netip.Addr
		to   *exportAddrs
	}{
		{"resolvers", in.Resolvers, &x.infra.resolvers},
		{"ntp", in.NTP, &x.infra.ntp},
		{"dhcp servers", in.DHCPServers, &x.infra.dhcpServers},
		{"dhcp relays", in.DHCPRelays, &x.infra.dhcpRelays},
	}
	for _, l := range lists {
		for _, a := range l.from {
			if !a.IsValid() {
				return fmt.Errorf("export: infrastructure: %s: invalid address", l.name)
			}
		}
		l.to.v4, l.to.v6 = exportSplitAddrs(l.from)
	}
	switch x.infra.fhrp {
	case "", "vrrp", "hsrp", "glbp", "carp":
	default:
		return fmt.Errorf("export: infrastructure: unknown fhrp %q (want vrrp, hsrp, glbp or carp)",
			exportText(in.FHRP))
	}
	if x.infra.dhcpServers.empty() && !x.infra.dhcpRelays.empty() {
		x.warn("dhcp relays are given but no dhcp server: relayed requests are not allowed")
	}
	return nil
}

// warnEmptyZones warns of zones with conduits but no address a firewall
// can see.
func (x *exportPlan) warnEmptyZones() {
	for _, z := range x.zones {
		if x.hasClass(z) {
			continue
		}
		for _, d := range x.dirs {
			if d.from == z || d.to == z {
				x.warn("zone %s has no address a firewall can see: its conduits allow nothing", z)
				break
			}
		}
	}
}

// hasClass reports whether some class places addresses in zone z.
func (x *exportPlan) hasClass(z string) bool {
	return slices.ContainsFunc(x.classes, func(c exportClass) bool { return c.zone == z })
}

// zonesWithClasses returns the declared zones that hold addresses, in
// policy order, and Unassigned.
func (x *exportPlan) zonesWithClasses() []string {
	var out []string
	for _, z := range x.zones {
		if x.hasClass(z) {
			out = append(out, z)
		}
	}
	return append(out, Unassigned)
}

// hasV6 reports whether the policy or its Book holds an IPv6 address.
func (x *exportPlan) hasV6() bool {
	for _, c := range x.classes {
		if len(c.v6) > 0 {
			return true
		}
	}
	for _, e := range x.ends {
		if len(e.v6) > 0 {
			return true
		}
	}
	in := x.infra
	return len(in.resolvers.v6)+len(in.ntp.v6)+len(in.dhcpServers.v6)+len(in.dhcpRelays.v6) > 0
}

func (x *exportPlan) warn(format string, args ...any) {
	x.warnings = append(x.warnings, fmt.Sprintf(format, args...))
}

// header returns the lines both formats start with, without their
// comment marker.
func (x *exportPlan) header(title string) []string {
	lines := []string{fmt.Sprintf("Ward firewall rules for %s: policy %q", title, exportText(x.p.Name))}
	if x.o.Digest != "" {
		lines = append(lines, "digest: "+exportText(x.o.Digest))
	}
	if !x.o.Generated.IsZero() {
		lines = append(lines, "generated: "+x.o.Generated.UTC().Format(time.RFC3339))
	}
	if x.o.LogOnly {
		lines = append(lines, "mode: log-only: what the policy would drop is logged, counted and "+
			"let through")
	} else {
		lines = append(lines, "mode: enforcing: what no conduit or infrastructure rule allows is "+
			"logged and dropped")
	}
	for _, n := range x.notes {
		lines = append(lines, "note: "+n)
	}
	for _, w := range x.warnings {
		lines = append(lines, "warning: "+w)
	}
	return lines
}

// dirComment describes a direction for a comment line.
func (x *exportPlan) dirComment(d *exportDir) string {
	s := "conduit " + exportText(d.name)
	if d.line > 0 {
		s += " (line " + strconv.Itoa(d.line) + ")"
	}
	s += ": " + x.endName(d.fromEnd, d.from) + " -> " + x.endName(d.toEnd, d.to)
	if d.reverse {
		s += ", the reverse of a bidirectional conduit"
	}
	for _, n := range d.notes {
		s += "; " + n
	}
	return s
}

func (x *exportPlan) endName(i int, zone string) string {
	if i < 0 {
		return zone
	}
	return exportText(x.ends[i].key)
}

// classComment describes a class for a comment line.
func (x *exportPlan) classComment(c *exportClass) string {
	switch c.kind {
	case exportHosts:
		return "zone " + c.zone + ": the known addresses of its devices"
	case exportInternet:
		return "zone " + c.zone + ": public addresses, " + x.ruleName(c.rule)
	}
	return "zone " + c.zone + ": " + x.ruleName(c.rule)
}

// ruleName is "rules[3] (line 12)", or "rules[3]" for a rule read from no
// file.
func (x *exportPlan) ruleName(i int) string {
	s := "rules[" + strconv.Itoa(i) + "]"
	if i >= 0 && i < len(x.p.Rules) && x.p.Rules[i].Line > 0 {
		s += " (line " + strconv.Itoa(x.p.Rules[i].Line) + ")"
	}
	return s
}

// exportApps are the well-known ports of applications, for a service that
// names an application and no port: a firewall sees ports, not
// applications.
var exportApps = map[string]struct {
	protos []uint8
	ports  []uint16
}{
	"dicom":  {[]uint8{ProtoTCP}, []uint16{104, 11112}},
	"hl7":    {[]uint8{ProtoTCP}, []uint16{2575}},
	"http":   {[]uint8{ProtoTCP}, []uint16{80}},
	"https":  {[]uint8{ProtoTCP}, []uint16{443}},
	"tls":    {[]uint8{ProtoTCP}, []uint16{443}},
	"ssh":    {[]uint8{ProtoTCP}, []uint16{22}},
	"smb":    {[]uint8{ProtoTCP}, []uint16{445}},
	"ftp":    {[]uint8{ProtoTCP}, []uint16{21}},
	"dns":    {[]uint8{ProtoUDP, ProtoTCP}, []uint16{53}},
	"snmp":   {[]uint8{ProtoUDP}, []uint16{161}},
	"syslog": {[]uint8{ProtoUDP}, []uint16{514}},
	"ntp":    {[]uint8{ProtoUDP}, []uint16{123}},
}

// exportResolveService turns a Service into what a firewall matches, and a
// note when an application had to become ports.
func exportResolveService(s Service) ([]exportSvc, string, error) {
	for _, r := range s.Ports {
		if r.Lo > r.Hi {
			return nil, "", fmt.Errorf("port range %s: low port above high port", r)
		}
	}
	proto := strings.ToLower(strings.TrimSpace(s.Proto))
	app := strings.ToLower(strings.TrimSpace(s.App))
	if proto == "any" || proto == "" {
		return exportAnyProto(proto, app, s.Ports)
	}
	n, err := ParseProto(proto)
	if err != nil {
		return nil, "", err
	}
	switch {
	case !HasPorts(n) && len(s.Ports) > 0:
		return nil, "", fmt.Errorf("protocol %s has no ports", ProtoName(n))
	case app == "":
		return []exportSvc{{proto: n, ports: exportMergePorts(s.Ports)}}, "", nil
	case !HasPorts(n):
		return nil, "", fmt.Errorf("application %s over %s: a firewall cannot tell it by port",
			exportText(app), ProtoName(n))
	case len(s.Ports) > 0:
		note := "app " + exportText(app) + " enforced as its ports only"
		return []exportSvc{{proto: n, ports: exportMergePorts(s.Ports)}}, note, nil
	}
	ports, err := exportAppPorts(app)
	if err != nil {
		return nil, "", err
	}
	svc := exportSvc{proto: n, ports: ports}
	return []exportSvc{svc}, exportAppNote(app, []exportSvc{svc}), nil
}

// exportAnyProto resolves a service of every protocol, or of the
// protocols of its application.
func exportAnyProto(proto, app string, ports []PortRange) ([]exportSvc, string, error) {
	switch {
	case app == "" && proto == "":
		return nil, "", fmt.Errorf("no protocol")
	case app == "" && len(ports) > 0:
		return nil, "", fmt.Errorf("ports without a protocol (want tcp, udp or sctp)")
	case app == "":
		return []exportSvc{{any: true}}, "", nil
	}
	a, ok := exportApps[app]
	if !ok {
		return nil, "", fmt.Errorf("application %s: no protocol given and none known for it",
			exportText(app))
	}
	pr := exportMergePorts(ports)
	if len(ports) == 0 {
		pr = exportPortList(a.ports)
	}
	var out []exportSvc
	for _, n := range a.protos {
		out = append(out, exportSvc{proto: n, ports: pr})
	}
	return out, exportAppNote(app, out), nil
}

func exportAppPorts(app string) ([]PortRange, error) {
	a, ok := exportApps[app]
	if !ok {
		return nil, fmt.Errorf("application %s has no well-known port: list its ports",
			exportText(app))
	}
	return exportPortList(a.ports), nil
}

func exportPortList(ps []uint16) []PortRange {
	out := make([]PortRange, len(ps))
	for i, p := range ps {
		out[i] = PortRange{p, p}
	}
	return out
}

// exportAppNote says which ports stand for an application.
func exportAppNote(app string, svcs []exportSvc) string {
	var parts []string
	for _, s := range svcs {
		parts = append(parts, ProtoName(s.proto)+" "+exportPortsText(s.ports))
	}
	return "app " + exportText(app) + " as " + strings.Join(parts, " and ")
}

func exportPortsText(ps []PortRange) string {
	s := make([]string, len(ps))
	for i, r := range ps {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

// exportMergePorts sorts ranges and merges those that overlap or touch;
// nil stays nil (every port).
func exportMergePorts(ps []PortRange) []PortRange {
	if len(ps) == 0 {
		return nil
	}
	s := slices.Clone(ps)
	slices.SortFunc(s, func(a, b PortRange) int { return cmp.Compare(a.Lo, b.Lo) })
	out := s[:1]
	for _, r := range s[1:] {
		last := &out[len(out)-1]
		if uint32(r.Lo) <= uint32(last.Hi)+1 {
			last.Hi = max(last.Hi, r.Hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// exportMergeSvcs merges a direction's services: one entry a protocol,
// every protocol when one service allows any, and every port of a
// protocol when one of its services does.
func exportMergeSvcs(svcs []exportSvc) []exportSvc {
	if slices.ContainsFunc(svcs, func(s exportSvc) bool { return s.any }) {
		return []exportSvc{{any: true}}
	}
	byProto := map[uint8]*exportSvc{}
	var order []uint8
	for _, s := range svcs {
		m, ok := byProto[s.proto]
		switch {
		case !ok:
			c := s
			byProto[s.proto] = &c
			order = append(order, s.proto)
		case m.ports == nil || s.ports == nil:
			m.ports = nil
		default:
			m.ports = exportMergePorts(append(slices.Clone(m.ports), s.ports...))
		}
	}
	slices.Sort(order)
	out := make([]exportSvc, len(order))
	for i, p := range order {
		out[i] = *byProto[p]
	}
	return out
}

// exportSplitAddrs splits addresses by family, unmapped, sorted and
// without repeats. Invalid addresses are left out.
func exportSplitAddrs(as []netip.Addr) (v4, v6 []netip.Addr) {
	for _, a := range as {
		if !a.IsValid() {
			continue
		}
		a = a.Unmap().WithZone("")
		if a.Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	slices.SortFunc(v4, netip.Addr.Compare)
	slices.SortFunc(v6, netip.Addr.Compare)
	return slices.Compact(v4), slices.Compact(v6)
}

func exportHostPrefixes(as []netip.Addr) []netip.Prefix {
	out := make([]netip.Prefix, len(as))
	for i, a := range as {
		out[i] = netip.PrefixFrom(a, a.BitLen())
	}
	return out
}

// exportSplitPrefixes splits prefixes by family, canonical (masked,
// IPv4-mapped ones as IPv4), sorted, and without a prefix inside another.
func exportSplitPrefixes(ps []netip.Prefix) (v4, v6 []netip.Prefix, err error) {
	for _, p := range ps {
		if !p.IsValid() {
			return nil, nil, fmt.Errorf("invalid prefix")
		}
		p = exportCanonical(p)
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	return exportMergePrefixes(v4), exportMergePrefixes(v6), nil
}

func exportCanonical(p netip.Prefix) netip.Prefix {
	a := p.Addr().WithZone("")
	if a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96).Masked()
	}
	return netip.PrefixFrom(a, p.Bits()).Masked()
}

// exportMergePrefixes sorts prefixes of one family and drops those inside
// another.
func exportMergePrefixes(ps []netip.Prefix) []netip.Prefix {
	slices.SortFunc(ps, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return cmp.Compare(a.Bits(), b.Bits())
	})
	var out []netip.Prefix
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].Bits() <= p.Bits() && out[n-1].Contains(p.Addr()) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// exportNonPublic4 and exportNonPublic6 are the ranges of addresses that
// are not public as the evaluator counts them: private, shared (RFC
// 6598), loopback, link-local, multicast, unspecified and the limited
// broadcast, with IPv4-mapped IPv6 addresses (the evaluator reads those
// as IPv4).
var (
	exportNonPublic4 = exportMustPrefixes("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10",
		"127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4",
		"255.255.255.255/32")
	exportNonPublic6 = exportMustPrefixes("::/127", "::ffff:0:0/96", "fc00::/7", "fe80::/10",
		"ff00::/8")
)

func exportMustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func exportNonPublic(v6 bool) []netip.Prefix {
	if v6 {
		return exportNonPublic6
	}
	return exportNonPublic4
}

// exportIntersect returns the prefixes where a and b meet: where two
// prefixes overlap, the longer one is their intersection.
func exportIntersect(a, b []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range a {
		for _, q := range b {
			if p.Overlaps(q) {
				out = append(out, exportLonger(p, q))
			}
		}
	}
	return exportMergePrefixes(out)
}

func exportLonger(p, q netip.Prefix) netip.Prefix {
	if p.Bits() >= q.Bits() {
		return p
	}
	return q
}

// exportOverlaps reports whether a and b share an address.
func exportOverlaps(a, b []netip.Prefix) bool {
	for _, p := range a {
		for _, q := range b {
			if p.Overlaps(q) {
				return true
			}
		}
	}
	return false
}

// exportPublicPart returns the public addresses of ps: ps without the
// non-public ranges.
func exportPublicPart(ps []netip.Prefix, v6 bool) []netip.Prefix {
	out := slices.Clone(ps)
	for _, r := range exportNonPublic(v6) {
		var next []netip.Prefix
		for _, p := range out {
			next = append(next, exportSubtract(p, r)...)
		}
		out = next
	}
	return exportMergePrefixes(out)
}

// exportSubtract returns the prefixes that hold p's addresses without
// q's: none when q holds p, p when they do not meet, else the halves of p
// less q.
func exportSubtract(p, q netip.Prefix) []netip.Prefix {
	switch {
	case !p.Overlaps(q):
		return []netip.Prefix{p}
	case q.Bits() <= p.Bits():
		return nil
	}
	lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
	hi := netip.PrefixFrom(exportSetBit(p.Addr(), p.Bits()), p.Bits()+1)
	return append(exportSubtract(lo, q), exportSubtract(hi, q)...)
}

// exportSetBit returns a with bit i (0 the most significant) set.
func exportSetBit(a netip.Addr, i int) netip.Addr {
	if a.Is4() {
		b := a.As4()
		b[i/8] |= 0x80 >> (i % 8)
		return netip.AddrFrom4(b)
	}
	b := a.As16()
	b[i/8] |= 0x80 >> (i % 8)
	return netip.AddrFrom16(b)
}

// exportText makes s safe for one line of a comment: control characters
// become spaces, and bytes that are not UTF-8 U+FFFD.
func exportText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 || r == 0x85 {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// exportCut cuts s to at most n bytes, at the start of a character.
func exportCut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
