package segment

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// The nftables ruleset NFTables writes, for "nft -f FILE":
//
//   - It holds one table, inet ward (ExportOptions.Table), and starts
//     with "table inet ward" and "delete table inet ward": nft runs the
//     file as one transaction, so the table is created the first time
//     and replaced whole afterwards, and nothing outside it is touched
//     (no "flush ruleset").
//   - Sets name the addresses: hosts4_<zone> and hosts6_<zone> the known
//     addresses of a zone's devices, net4_r<n> and net6_r<n> the subnets
//     of rule n, end4_<n> and end6_<n> the devices of a conduit end
//     narrowed to categories, nonpublic4 and nonpublic6 what is not
//     public (for rules of public addresses), and resolvers4, ntp4,
//     dhcp_servers4, dhcp_relays4 (and their 6) the infrastructure.
//     Zone names ([a-z0-9-]) are valid in nftables names as they are;
//     '_' separates the parts, so no two pairs of zones share a name.
//   - Chain forward (hook forward, policy accept) judges all forwarded
//     traffic: replies and related traffic of allowed flows pass
//     (conntrack), ICMP errors and the rest of the infrastructure pass,
//     invalid packets are dropped, and then the source address is
//     classified in the order a firewall must keep: known hosts first,
//     then the rules' subnets in policy order, and Unassigned last. Each
//     step is one rule that jumps (goto) to chain from_<zone>, so the
//     first match wins and no set needs intervals that overlap another's.
//   - Chain from_<zone> classifies the destination the same way and goes
//     to chain pair_<source>_<destination>, which holds the conduits
//     between the two zones (a bidirectional conduit is in both pairs)
//     and ends with the rule that counts, logs (at most 10 packets a
//     second for the whole table, the shared limit log_rate, so that
//     logging cannot flood) and drops the rest. In log-only mode it
//     logs "ward would drop" and accepts.
//   - Chain input (hook input, policy accept) accepts, commented, the
//     infrastructure traffic addressed to the router itself (DHCP to a
//     relay, neighbour discovery, first-hop redundancy, ICMP errors) and
//     drops nothing: these rules must never cut a router off its
//     management.
//
// Policy accept in both base chains lets other tables judge what ours
// lets through; a drop in ours is final. Multicast is forwarded only by
// a multicast router; it is judged as any destination is (Unassigned
// unless a rule places the group's addresses).

// nftTableName is the form of a table name NFTables writes unquoted.
var nftTableName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)

// NFTables returns the nftables ruleset that enforces p, the addresses
// placed as b says: one table, replaced atomically by "nft -f", with the
// infrastructure traffic every network needs allowed and commented. It
// returns an error naming the conduit or rule it cannot express.
func NFTables(p *Policy, b *Book, o ExportOptions) ([]byte, error) {
	if o.Table == "" {
		o.Table = "ward"
	}
	if !nftTableName.MatchString(o.Table) {
		return nil, fmt.Errorf("export: table name %q: want a letter, then up to 31 letters, "+
			"digits, '_' or '-'", exportText(o.Table))
	}
	x, err := newExportPlan(p, b, o)
	if err != nil {
		return nil, err
	}
	g := newNFTGen(x)
	g.w.Grow(nftSizeHint(x))
	g.write()
	return []byte(g.w.String()), nil
}

// nftGen writes one ruleset.
type nftGen struct {
	x        *exportPlan
	w        strings.Builder
	set4     []string // by class: the name of its IPv4 set, "" for none
	set6     []string
	inet     bool // a class of public addresses exists
	verb     string
	verdict  string
	setNames map[string]bool
}

func newNFTGen(x *exportPlan) *nftGen {
	g := &nftGen{x: x, verb: "deny", verdict: "drop", setNames: map[string]bool{}}
	if x.o.LogOnly {
		g.verb, g.verdict = "would drop", "accept"
	}
	g.set4 = make([]string, len(x.classes))
	g.set6 = make([]string, len(x.classes))
	for i, c := range x.classes {
		switch c.kind {
		case exportInternet:
			g.inet = true
		case exportHosts:
			g.set4[i], g.set6[i] = g.setName(c.v4, "hosts4_"+c.zone), g.setName(c.v6, "hosts6_"+c.zone)
		case exportSubnet:
			r := strconv.Itoa(c.rule)
			g.set4[i], g.set6[i] = g.setName(c.v4, "net4_r"+r), g.setName(c.v6, "net6_r"+r)
		}
	}
	return g
}

// setName returns a unique set name from base for ps, or "" when ps is
// empty.
func (g *nftGen) setName(ps []netip.Prefix, base string) string {
	if len(ps) == 0 {
		return ""
	}
	n := base
	for k := 2; g.setNames[n]; k++ {
		n = base + "_" + strconv.Itoa(k)
	}
	g.setNames[n] = true
	return n
}

func (g *nftGen) line(indent int, s string) {
	g.w.WriteString(strings.Repeat("\t", indent))
	g.w.WriteString(s)
	g.w.WriteByte('\n')
}

func (g *nftGen) comment(indent int, s string) { g.line(indent, "# "+exportText(s)) }

// nftSizeHint guesses the size of the ruleset, to grow it once.
func nftSizeHint(x *exportPlan) int {
	n := 4096 + 64*len(x.dirs)
	for _, c := range x.classes {
		n += 20*(len(c.v4)+len(c.v6)) + 64*len(x.zones)
	}
	return n + 160*len(x.zones)*len(x.zones)
}

func (g *nftGen) write() {
	g.writeHeader()
	t := "table inet " + g.x.o.Table
	g.line(0, t)
	g.line(0, "delete "+t)
	g.line(0, "")
	g.line(0, t+" {")
	g.comment(1, "Logging is limited to 10 packets a second for the whole table, so that it cannot flood.")
	g.line(1, "limit log_rate {")
	g.line(2, "rate 10/second burst 20 packets")
	g.line(1, "}")
	g.writeSets()
	g.writeForward()
	zones := g.x.zonesWithClasses()
	for _, src := range zones {
		g.writeFrom(src)
	}
	for _, src := range zones {
		for _, dst := range zones {
			g.writePair(src, dst)
		}
	}
	g.writeInput()
	g.line(0, "}")
}

func (g *nftGen) writeHeader() {
	for _, l := range g.x.header("nftables") {
		g.comment(0, l)
	}
	t := "inet " + g.x.o.Table
	for _, l := range []string{
		"Load with: nft -f FILE. It replaces table " + t + " in one transaction and touches",
		"nothing outside it. Forwarded traffic: replies of allowed flows and infrastructure pass;",
		"the source address is placed in a zone (known hosts first, then the policy's rules in",
		"order, unassigned when none holds it), then the destination the same way (chains",
		"from_<zone>); chain pair_<source>_<destination> allows the conduits between them and",
		"logs (prefix \"ward " + g.verb + "\") and counts the rest.",
	} {
		g.comment(0, l)
	}
	g.line(0, "")
}

func (g *nftGen) writeSets() {
	for i, c := range g.x.classes {
		g.writeSet(g.set4[i], "ipv4_addr", c.v4, g.x.classComment(&c))
		g.writeSet(g.set6[i], "ipv6_addr", c.v6, g.x.classComment(&c))
	}
	for i, e := range g.x.ends {
		note := "conduit end " + exportText(e.key) + ": the known addresses of those devices"
		g.writeSet(g.endSet(i, false), "ipv4_addr", e.v4, note)
		g.writeSet(g.endSet(i, true), "ipv6_addr", e.v6, note)
	}
	if g.inet {
		note := "not public: private, shared, loopback, link-local, multicast and the like"
		g.writeSet("nonpublic4", "ipv4_addr", exportNonPublic4, note)
		g.writeSet("nonpublic6", "ipv6_addr", exportNonPublic6, note)
	}
	in := &g.x.infra
	for _, s := range []struct {
		name string
		a    exportAddrs
		note string
	}{
		{"resolvers", in.resolvers, "infrastructure: DNS resolvers"},
		{"ntp", in.ntp, "infrastructure: time servers"},
		{"dhcp_servers", in.dhcpServers, "infrastructure: DHCP servers"},
		{"dhcp_relays", in.dhcpRelays, "infrastructure: DHCP relays"},
	} {
		g.writeSet(s.name+"4", "ipv4_addr", exportHostPrefixes(s.a.v4), s.note)
		g.writeSet(s.name+"6", "ipv6_addr", exportHostPrefixes(s.a.v6), s.note)
	}
}

// endSet names the set of end i of one family, "" when it has no address.
func (g *nftGen) endSet(i int, v6 bool) string {
	e := &g.x.ends[i]
	if v6 && len(e.v6) > 0 {
		return "end6_" + strconv.Itoa(i+1)
	}
	if !v6 && len(e.v4) > 0 {
		return "end4_" + strconv.Itoa(i+1)
	}
	return ""
}

func (g *nftGen) writeSet(name, typ string, ps []netip.Prefix, note string) {
	if name == "" || len(ps) == 0 {
		return
	}
	g.line(0, "")
	g.comment(1, note)
	g.line(1, "set "+name+" {")
	g.line(2, "type "+typ)
	if nftHasRange(ps) {
		g.line(2, "flags interval")
	}
	g.line(2, "elements = {")
	for i, p := range ps {
		sep := ","
		if i == len(ps)-1 {
			sep = ""
		}
		g.line(3, nftPrefix(p)+sep)
	}
	g.line(2, "}")
	g.line(1, "}")
}

func nftHasRange(ps []netip.Prefix) bool {
	for _, p := range ps {
		if !p.IsSingleIP() {
			return true
		}
	}
	return false
}

func nftPrefix(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

func (g *nftGen) writeForward() {
	g.line(0, "")
	g.comment(1, "All forwarded traffic.")
	g.line(1, "chain forward {")
	g.line(2, "type filter hook forward priority filter; policy accept;")
	g.line(2, `ct state established,related accept comment "replies and related traffic of allowed flows"`)
	g.writeICMPErrors()
	g.line(2, "ct state invalid "+g.logStmt("invalid"))
	g.line(2, "ct state invalid "+g.verdict)
	if len(g.x.public) == 0 {
		g.writeForwardInfra("from every zone")
	}
	g.comment(2, "The source's zone: known hosts first, then the policy's rules in order.")
	for i := range g.x.classes {
		for _, m := range g.classMatch(i, "saddr") {
			g.line(2, m+" goto from_"+g.x.classes[i].zone)
		}
	}
	g.line(2, "goto from_"+Unassigned)
	g.line(1, "}")
}

// writeICMPErrors accepts ICMP errors, before invalid packets are
// dropped: an error about a flow conntrack no longer knows is invalid.
func (g *nftGen) writeICMPErrors() {
	if !g.x.infra.icmpErrors {
		return
	}
	g.comment(2, "Infrastructure: ICMP errors (path MTU discovery and failures need them).")
	g.line(2, "icmp type { destination-unreachable, time-exceeded, parameter-problem } accept "+
		`comment "infrastructure: icmp errors"`)
	g.line(2, "icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, "+
		`parameter-problem } accept comment "infrastructure: icmpv6 errors"`)
}

// writeForwardInfra accepts DNS, NTP and DHCP to the servers: in chain
// forward when every zone may send them, else in the chain of each zone
// that is not of public addresses (who says which).
func (g *nftGen) writeForwardInfra(who string) {
	in := &g.x.infra
	for _, v6 := range []bool{false, true} {
		ip, f := "ip", "4"
		if v6 {
			ip, f = "ip6", "6"
		}
		if len(in.resolvers.family(v6)) > 0 {
			g.comment(2, "Infrastructure: DNS to the resolvers, "+who+".")
			for _, p := range []string{"udp", "tcp"} {
				g.line(2, ip+" daddr @resolvers"+f+" "+p+" dport 53 accept "+
					`comment "infrastructure: dns"`)
			}
		}
		if len(in.ntp.family(v6)) > 0 {
			g.comment(2, "Infrastructure: NTP to the time servers, "+who+".")
			g.line(2, ip+" daddr @ntp"+f+` udp dport 123 accept comment "infrastructure: ntp"`)
		}
		g.writeForwardDHCP(v6)
	}
}

func (g *nftGen) writeForwardDHCP(v6 bool) {
	in := &g.x.infra
	if len(in.dhcpServers.family(v6)) == 0 {
		return
	}
	ip, f, client, server, name, title := "ip", "4", "68", "67", "dhcp", "DHCP"
	if v6 {
		ip, f, client, server, name, title = "ip6", "6", "546", "547", "dhcpv6", "DHCPv6"
	}
	g.comment(2, "Infrastructure: "+title+" to the servers: renewals from clients, and requests "+
		"relayed by the relays.")
	g.line(2, ip+" daddr @dhcp_servers"+f+" udp sport "+client+" udp dport "+server+
		` accept comment "infrastructure: `+name+` from clients"`)
	if len(in.dhcpRelays.family(v6)) > 0 {
		g.line(2, ip+" saddr @dhcp_relays"+f+" "+ip+" daddr @dhcp_servers"+f+" udp dport "+
			server+` accept comment "infrastructure: `+name+` relayed"`)
	}
}

// classMatch returns the rules' matches that select class i's addresses
// as source (saddr) or destination (daddr).
func (g *nftGen) classMatch(i int, field string) []string {
	if g.x.classes[i].kind == exportInternet {
		return []string{"ip " + field + " != @nonpublic4", "ip6 " + field + " != @nonpublic6"}
	}
	var out []string
	if s := g.set4[i]; s != "" {
		out = append(out, "ip "+field+" @"+s)
	}
	if s := g.set6[i]; s != "" {
		out = append(out, "ip6 "+field+" @"+s)
	}
	return out
}

func (g *nftGen) writeFrom(src string) {
	g.line(0, "")
	g.comment(1, "From zone "+src+": the destination's zone, in the same order.")
	g.line(1, "chain from_"+src+" {")
	if len(g.x.public) > 0 && !g.x.public[src] {
		g.writeForwardInfra("from this zone")
	}
	for i := range g.x.classes {
		for _, m := range g.classMatch(i, "daddr") {
			g.line(2, m+" goto pair_"+src+"_"+g.x.classes[i].zone)
		}
	}
	g.line(2, "goto pair_"+src+"_"+Unassigned)
	g.line(1, "}")
}

func (g *nftGen) writePair(src, dst string) {
	g.line(0, "")
	g.line(1, "chain pair_"+src+"_"+dst+" {")
	for _, i := range g.x.pair(src, dst) {
		d := &g.x.dirs[i]
		g.comment(2, g.x.dirComment(d))
		rules := g.dirRules(d)
		if len(rules) == 0 {
			g.comment(2, "(allows nothing: a narrowed end holds no known address)")
		}
		for _, r := range rules {
			g.line(2, r)
		}
	}
	g.line(2, g.logStmt(src+"->"+dst))
	g.line(2, g.verdict)
	g.line(1, "}")
}

// logStmt counts every packet, then logs it unless the table's log rate
// is spent.
func (g *nftGen) logStmt(what string) string {
	return `counter limit name "log_rate" log prefix ` + nftQuote("ward "+g.verb+" "+what+" ", 127)
}

// dirRules returns the rules that accept direction d's flows.
func (g *nftGen) dirRules(d *exportDir) []string {
	var out []string
	note := nftQuote("conduit "+d.name, 127)
	for _, f := range g.families(d) {
		for _, s := range d.svcs {
			m, ok := nftSvc(s, f.v6, f.any)
			if !ok {
				continue
			}
			out = append(out, nftJoin(f.src, f.dst, m, "accept comment "+note))
		}
	}
	return out
}

// nftFamily is the address matches of a direction in one family; any is
// set for a direction between whole zones, which needs none.
type nftFamily struct {
	any, v6  bool
	src, dst string
}

func (g *nftGen) families(d *exportDir) []nftFamily {
	if d.fromEnd < 0 && d.toEnd < 0 {
		return []nftFamily{{any: true}}
	}
	var out []nftFamily
	for _, v6 := range []bool{false, true} {
		f := nftFamily{v6: v6}
		ok := true
		f.src, ok = g.endMatch(d.fromEnd, v6, "saddr", ok)
		f.dst, ok = g.endMatch(d.toEnd, v6, "daddr", ok)
		if ok {
			out = append(out, f)
		}
	}
	return out
}

// endMatch returns the match of end i in one family, and ok false when
// the end has no address of that family.
func (g *nftGen) endMatch(i int, v6 bool, field string, ok bool) (string, bool) {
	if i < 0 {
		return "", ok
	}
	s := g.endSet(i, v6)
	if s == "" {
		return "", false
	}
	if v6 {
		return "ip6 " + field + " @" + s, ok
	}
	return "ip " + field + " @" + s, ok
}

// nftSvc returns the match of s, and false when s cannot be in the family
// (ICMP in IPv6, ICMPv6 in IPv4).
func nftSvc(s exportSvc, v6, anyFamily bool) (string, bool) {
	switch {
	case s.any:
		return "", true
	case s.proto == ProtoICMP && v6 && !anyFamily, s.proto == ProtoICMPv6 && !v6 && !anyFamily:
		return "", false
	case HasPorts(s.proto) && s.ports != nil:
		return nftProto(s.proto) + " dport " + nftPorts(s.ports), true
	}
	return "meta l4proto " + nftProto(s.proto), true
}

func nftProto(n uint8) string {
	switch n {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case 132:
		return "sctp"
	case ProtoICMP:
		return "icmp"
	case ProtoICMPv6:
		return "ipv6-icmp"
	}
	return strconv.Itoa(int(n))
}

func nftPorts(ps []PortRange) string {
	if len(ps) == 1 {
		return ps[0].String()
	}
	return "{ " + exportPortsText(ps) + " }"
}

func nftJoin(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// nftQuote quotes s for nft, which has no escapes: characters outside a
// safe set become '_', and s is cut to at most max bytes.
func nftQuote(s string, max int) string {
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte(" -_.:,/>()@+=", c) >= 0
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) > max {
		b = b[:max]
	}
	return `"` + string(b) + `"`
}

func (g *nftGen) writeInput() {
	g.line(0, "")
	g.comment(1, "Traffic to the router itself: infrastructure is accepted here, commented; nothing")
	g.comment(1, "is dropped, so that these rules never cut the router off its management.")
	g.line(1, "chain input {")
	g.line(2, "type filter hook input priority filter; policy accept;")
	g.writeICMPErrors()
	g.line(2, "icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "+
		`nd-neighbor-advert } accept comment "infrastructure: ipv6 neighbour discovery"`)
	in := &g.x.infra
	if !in.dhcpServers.empty() || !in.dhcpRelays.empty() {
		g.comment(2, "Infrastructure: DHCP and DHCPv6 to a relay or server on this router.")
		g.line(2, `udp dport { 67, 68 } accept comment "infrastructure: dhcp"`)
		g.line(2, `udp dport { 546, 547 } accept comment "infrastructure: dhcpv6"`)
	}
	for _, r := range nftFHRP[in.fhrp] {
		g.line(2, r)
	}
	g.line(1, "}")
}

// nftFHRP are the input rules of each first-hop redundancy protocol.
var nftFHRP = map[string][]string{
	"vrrp": {
		"# Infrastructure: VRRP (IP protocol 112) between the routers.",
		`ip protocol vrrp ip daddr 224.0.0.18 accept comment "infrastructure: vrrp"`,
		`meta l4proto vrrp ip6 daddr ff02::12 accept comment "infrastructure: vrrp"`,
	},
	"carp": {
		"# Infrastructure: CARP (IP protocol 112) between the routers.",
		`ip protocol vrrp ip daddr 224.0.0.18 accept comment "infrastructure: carp"`,
		`meta l4proto vrrp ip6 daddr ff02::12 accept comment "infrastructure: carp"`,
	},
	"hsrp": {
		"# Infrastructure: HSRP (udp 1985 to 224.0.0.2 for version 1, 224.0.0.102 for version 2).",
		`ip daddr { 224.0.0.2, 224.0.0.102 } udp dport 1985 accept comment "infrastructure: hsrp"`,
		`ip6 daddr ff02::66 udp dport 2029 accept comment "infrastructure: hsrp"`,
	},
	"glbp": {
		"# Infrastructure: GLBP (udp 3222 to 224.0.0.102).",
		`ip daddr 224.0.0.102 udp dport 3222 accept comment "infrastructure: glbp"`,
	},
}
