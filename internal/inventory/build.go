package inventory

import (
	"cmp"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/fingerprint"
	"github.com/wardhq/ward/internal/observe"
)

// Options tune how devices are built.
type Options struct {
	// External keeps hosts with public addresses seen only behind a
	// router (servers on the internet, mostly). Off by default: the
	// inventory is of the hospital's devices, and their conversations with
	// the internet are in the flows.
	External bool
}

// Inventory is the devices built from one result, with an index to find
// the device behind an address.
type Inventory struct {
	Devices []*Device
	// Links are the conversations between devices that clinical protocols
	// name, sorted by source, from, to and value.
	Links []Link
	// Cleartext clinical traffic over all flows: HL7 messages (both ways,
	// acknowledgments included) and DICOM associations seen without TLS.
	CleartextHL7Messages, CleartextDICOMAssociations uint64
	byMAC                                            map[dissect.MAC]*Device
	byIP                                             map[netip.Addr][]ipOwner
	routers                                          map[dissect.MAC]bool
}

// ipOwner is a device that used an address during [first, last].
type ipOwner struct {
	dev         *Device
	first, last time.Time
}

// macInfo gathers what the bindings say about one MAC.
type macInfo struct {
	mac    dissect.MAC
	own    map[netip.Addr]*Address // addresses it claimed (ARP, NDP) or used
	src    map[netip.Addr]*Address // source addresses of its IP packets
	vlans  map[uint16]bool
	router bool
	pkts   uint64
	bytes  uint64
	first  time.Time
	last   time.Time
}

// Build resolves the devices in r.
func Build(r *observe.Result, opts Options) *Inventory {
	inv := &Inventory{
		byMAC:   make(map[dissect.MAC]*Device),
		byIP:    make(map[netip.Addr][]ipOwner),
		routers: make(map[dissect.MAC]bool),
	}
	macs := collectMACs(r.Bindings)
	markRouters(macs, r.Observations, r.Flows)
	inv.macDevices(macs)
	inv.hostsBehindRouters(macs, opts)
	inv.attachFacts(r.Observations, opts)
	inv.resolvePeers()
	inv.reportedDevices()
	inv.clinicalFindings(r.Flows)
	finishAll(inv.Devices)
	slices.SortFunc(inv.Devices, func(a, b *Device) int { return cmp.Compare(a.ID, b.ID) })
	return inv
}

// finishAll finishes the devices, spread over the CPUs: each is
// independent of the others.
func finishAll(devs []*Device) {
	n := min(runtime.GOMAXPROCS(0), max(len(devs)/256, 1))
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			for i := w; i < len(devs); i += n {
				devs[i].finish()
			}
		})
	}
	wg.Wait()
}

func validMAC(m dissect.MAC) bool {
	return !m.IsZero() && m[0]&1 == 0 // unicast
}

func collectMACs(bs []observe.Binding) map[dissect.MAC]*macInfo {
	macs := make(map[dissect.MAC]*macInfo)
	for _, b := range bs {
		if !validMAC(b.MAC) || !b.IP.IsValid() {
			continue
		}
		m := macs[b.MAC]
		if m == nil {
			m = &macInfo{mac: b.MAC, own: map[netip.Addr]*Address{},
				src: map[netip.Addr]*Address{}, vlans: map[uint16]bool{}}
			macs[b.MAC] = m
		}
		set := m.src
		if b.Kind != observe.BindIPSource {
			set = m.own
		}
		addAddress(set, b)
		m.vlans[b.VLAN] = true
		m.pkts += b.Packets
		m.bytes += b.Bytes
		m.first, m.last = widen(m.first, m.last, b.First, b.Last)
	}
	return macs
}

func addAddress(set map[netip.Addr]*Address, b observe.Binding) {
	a := set[b.IP]
	if a == nil {
		a = &Address{IP: b.IP.String(), FirstSeen: b.First, LastSeen: b.Last}
		set[b.IP] = a
	}
	a.FirstSeen, a.LastSeen = widen(a.FirstSeen, a.LastSeen, b.First, b.Last)
	a.Packets += b.Packets
	if k := b.Kind.String(); !slices.Contains(a.SeenBy, k) {
		a.SeenBy = append(a.SeenBy, k)
		slices.Sort(a.SeenBy)
	}
}

func widen(first, last, f, l time.Time) (time.Time, time.Time) {
	if first.IsZero() || (!f.IsZero() && f.Before(first)) {
		first = f
	}
	if l.After(last) {
		last = l
	}
	return first, last
}

// markRouters sets router on MACs that announce routing or that forward
// traffic from many addresses off their own subnet.
func markRouters(macs map[dissect.MAC]*macInfo, obs []observe.Observation,
	flows []observe.Flow) {
	routerIPs := map[netip.Addr]bool{}
	for _, o := range obs {
		if o.Key != dissect.KeyRouter || o.Value != "yes" {
			continue
		}
		if m := macs[o.Who.MAC]; m != nil && validMAC(o.Who.MAC) {
			m.router = true
		} else if o.Who.IP.IsValid() {
			routerIPs[o.Who.IP] = true
		}
	}
	for _, m := range macs {
		if m.router {
			continue
		}
		// Each MAC owns few addresses: test those against the routers'
		// rather than every router address against each MAC.
		for ip := range m.own {
			if routerIPs[ip] {
				m.router = true
				break
			}
		}
		if !m.router && forwards(m) {
			m.router = true
		}
	}
	// A public address sending to a private one on the wire came through
	// a router (a NAT gateway, usually): mark the MAC that carried it.
	for _, f := range flows {
		fwd := f.Packets - f.PacketsRev
		switch {
		case public(f.Src) && f.Dst.IsPrivate() && fwd > 0:
			markMAC(macs, f.SrcMAC)
		case f.Src.IsPrivate() && public(f.Dst) && f.PacketsRev > 0:
			markMAC(macs, f.DstMAC)
		}
	}
	// An address named as a router (DHCP option 3) is the router's own
	// even when it was seen only as a source address.
	if len(routerIPs) == 0 {
		return
	}
	for _, m := range macs {
		if !m.router {
			continue
		}
		for ip, a := range m.src {
			if routerIPs[ip] && m.own[ip] == nil {
				m.own[ip] = a
			}
		}
	}
}

func public(ip netip.Addr) bool { return ip.IsGlobalUnicast() && !ip.IsPrivate() }

func markMAC(macs map[dissect.MAC]*macInfo, mac dissect.MAC) {
	if m := macs[mac]; m != nil {
		m.router = true
	}
}

// forwards reports whether the source addresses behind m look like a
// router's: two or more outside the subnet of its own address, or one
// public address behind a MAC whose own address is private. Addresses in
// one IPv6 /64 (privacy addresses) count once.
func forwards(m *macInfo) bool {
	home4, home6 := homePrefixes(m)
	off, public := 0, false
	seen := map[netip.Prefix]bool{}
	for ip := range m.src {
		if ip.IsLinkLocalUnicast() {
			continue
		}
		var home netip.Prefix
		var p netip.Prefix
		if ip.Is4() {
			home, p = home4, netip.PrefixFrom(ip, 32)
		} else {
			home, p = home6, prefix(ip, 64)
		}
		if home.IsValid() && home.Contains(ip) || seen[p] {
			continue
		}
		seen[p] = true
		off++
		if !ip.IsPrivate() && home.IsValid() && home.Addr().IsPrivate() {
			public = true
		}
	}
	return off >= 2 || public
}

// homePrefixes picks the subnet a MAC lives on: that of the address it
// claimed by ARP or NDP, else that of the source address it used most.
func homePrefixes(m *macInfo) (v4, v6 netip.Prefix) {
	// A private address is preferred: a router's own address is
	// usually on the LAN, the public ones behind it are not.
	pick := func(set map[netip.Addr]*Address, want4 bool) (best netip.Addr) {
		var n uint64
		for ip, a := range set {
			if ip.Is4() != want4 || ip.IsLinkLocalUnicast() {
				continue
			}
			if !best.IsValid() || ip.IsPrivate() && !best.IsPrivate() ||
				ip.IsPrivate() == best.IsPrivate() &&
					(a.Packets > n || a.Packets == n && ip.Less(best)) {
				best, n = ip, a.Packets
			}
		}
		return best
	}
	for _, want4 := range []bool{true, false} {
		ip := pick(m.own, want4)
		if !ip.IsValid() {
			ip = pick(m.src, want4)
		}
		if !ip.IsValid() {
			continue
		}
		if want4 {
			v4 = prefix(ip, 24)
		} else {
			v6 = prefix(ip, 64)
		}
	}
	return v4, v6
}

func prefix(ip netip.Addr, bits int) netip.Prefix {
	p, _ := ip.Prefix(bits)
	return p
}

// macDevices makes a device of every MAC. A host owns every address it
// used; a router owns those it claimed, and the source addresses on its
// own subnet that no host uses.
func (inv *Inventory) macDevices(macs map[dissect.MAC]*macInfo) {
	hostIPs := map[netip.Addr]bool{}
	for _, m := range macs {
		if m.router {
			continue
		}
		for ip := range m.src {
			hostIPs[ip] = true
		}
		for ip := range m.own {
			hostIPs[ip] = true
		}
	}
	for mac, m := range macs {
		d := inv.deviceForMAC(mac)
		d.Router = m.router
		d.Packets, d.Bytes = m.pkts, m.bytes
		d.FirstSeen, d.LastSeen = widen(d.FirstSeen, d.LastSeen, m.first, m.last)
		for v := range m.vlans {
			if v != 0 {
				d.VLANs = append(d.VLANs, v)
			}
		}
		owned := map[netip.Addr]*Address{}
		for ip, a := range m.own {
			owned[ip] = mergeAddress(owned[ip], a)
		}
		if m.router {
			inv.routers[mac] = true
		}
		home4, home6 := homePrefixes(m)
		for ip, a := range m.src {
			onHome := (home4.Contains(ip) || home6.Contains(ip)) && !hostIPs[ip]
			if !m.router || owned[ip] != nil || ip.IsLinkLocalUnicast() || onHome {
				owned[ip] = mergeAddress(owned[ip], a)
			}
		}
		for ip, a := range owned {
			inv.own(d, ip, a)
		}
	}
}

func mergeAddress(into, a *Address) *Address {
	if into == nil {
		c := *a
		c.SeenBy = slices.Clone(a.SeenBy)
		return &c
	}
	into.FirstSeen, into.LastSeen = widen(into.FirstSeen, into.LastSeen, a.FirstSeen, a.LastSeen)
	into.Packets += a.Packets
	for _, s := range a.SeenBy {
		if !slices.Contains(into.SeenBy, s) {
			into.SeenBy = append(into.SeenBy, s)
		}
	}
	slices.Sort(into.SeenBy)
	return into
}

func (inv *Inventory) own(d *Device, ip netip.Addr, a *Address) {
	d.Addresses = append(d.Addresses, *a)
	d.ips = append(d.ips, ip)
	inv.byIP[ip] = append(inv.byIP[ip], ipOwner{dev: d, first: a.FirstSeen, last: a.LastSeen})
}

func (inv *Inventory) deviceForMAC(mac dissect.MAC) *Device {
	if d := inv.byMAC[mac]; d != nil {
		return d
	}
	d := &Device{ID: "mac:" + mac.String(), MAC: mac, MACString: mac.String()}
	inv.byMAC[mac] = d
	inv.Devices = append(inv.Devices, d)
	return d
}

func (inv *Inventory) deviceForIP(ip netip.Addr) *Device {
	d := &Device{ID: "ip:" + ip.String()}
	inv.Devices = append(inv.Devices, d)
	return d
}

// hostsBehindRouters makes a device, keyed by IP, of every source address
// seen behind a router that no host on a captured segment owns.
func (inv *Inventory) hostsBehindRouters(macs map[dissect.MAC]*macInfo, opts Options) {
	behind := map[netip.Addr]*Address{}
	vlans := map[netip.Addr]map[uint16]bool{}
	for _, m := range macs {
		if !m.router {
			continue
		}
		for ip, a := range m.src {
			if len(inv.byIP[ip]) > 0 || !keepRemote(ip, opts) {
				continue
			}
			behind[ip] = mergeAddress(behind[ip], a)
			if vlans[ip] == nil {
				vlans[ip] = map[uint16]bool{}
			}
			for v := range m.vlans {
				vlans[ip][v] = true
			}
		}
	}
	for ip, a := range behind {
		d := inv.deviceForIP(ip)
		d.FirstSeen, d.LastSeen = a.FirstSeen, a.LastSeen
		d.Packets = a.Packets
		for v := range vlans[ip] {
			if v != 0 {
				d.VLANs = append(d.VLANs, v)
			}
		}
		inv.own(d, ip, a)
	}
}

// keepRemote reports whether a host seen only behind a router belongs in
// the inventory: local (private, unique-local, shared) addresses always do.
func keepRemote(ip netip.Addr, opts Options) bool {
	if !ip.IsGlobalUnicast() && !ip.IsPrivate() {
		return false
	}
	return opts.External || ip.IsPrivate() || cgnat.Contains(ip)
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Resolve finds the device behind an endpoint seen at time t: by MAC for a
// host on a captured segment, by IP for one behind a router. It returns
// nil when the endpoint is not in the inventory.
func (inv *Inventory) Resolve(ep dissect.Endpoint, t time.Time) *Device {
	if d := inv.byMAC[ep.MAC]; d != nil && validMAC(ep.MAC) {
		if !inv.routers[ep.MAC] || !ep.IP.IsValid() {
			return d
		}
		// From a router's MAC: the router itself only when the address is
		// its own, else a host behind it.
	}
	if ep.IP.IsValid() {
		return inv.ownerAt(ep.IP, t)
	}
	return nil
}

// ownerAt picks, among the devices that used ip, the one using it at t, or
// else the one that used it last before t, or else the first after.
func (inv *Inventory) ownerAt(ip netip.Addr, t time.Time) *Device {
	owners := inv.byIP[ip]
	if len(owners) == 0 {
		return nil
	}
	best := owners[0]
	for _, o := range owners[1:] {
		if better(o, best, t) {
			best = o
		}
	}
	return best.dev
}

func better(a, b ipOwner, t time.Time) bool {
	in := func(o ipOwner) bool { return !t.Before(o.first) && !t.After(o.last) }
	if in(a) != in(b) {
		return in(a)
	}
	if aBefore, bBefore := !a.first.After(t), !b.first.After(t); aBefore != bBefore {
		return aBefore
	}
	if !a.last.Equal(b.last) {
		return a.last.After(b.last)
	}
	return a.dev.ID < b.dev.ID
}

// attachFacts gives each observation to the device it is about.
func (inv *Inventory) attachFacts(obs []observe.Observation, opts Options) {
	for _, o := range obs {
		d := inv.Resolve(o.Who, o.First)
		if d == nil {
			d = inv.adopt(o, opts)
		}
		if d == nil {
			continue
		}
		d.Attributes = append(d.Attributes, Attribute{
			Key: o.Key, Value: o.Value, Source: o.Source, Confidence: o.Confidence,
			FirstSeen: o.First, LastSeen: o.Last, Count: o.Count, peer: o.Peer,
		})
		d.FirstSeen, d.LastSeen = widen(d.FirstSeen, d.LastSeen, o.First, o.Last)
	}
}

// resolvePeers names the device at the other end of each fact about a
// conversation, once every device exists, and lists the links.
func (inv *Inventory) resolvePeers() {
	for _, d := range inv.Devices {
		for i := range d.Attributes {
			a := &d.Attributes[i]
			if !a.peer.IP.IsValid() && a.peer.MAC.IsZero() {
				continue
			}
			if p := inv.Resolve(a.peer, a.FirstSeen); p != nil {
				a.Peer = p.ID
			} else if a.peer.IP.IsValid() {
				a.Peer = "ip:" + a.peer.IP.String()
			} else {
				a.Peer = "mac:" + a.peer.MAC.String()
			}
			inv.Links = append(inv.Links, Link{Source: a.Source, Key: a.Key, Value: a.Value,
				From: d.ID, To: a.Peer, FirstSeen: a.FirstSeen, LastSeen: a.LastSeen,
				Count: a.Count})
		}
	}
	slices.SortFunc(inv.Links, func(a, b Link) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.From, b.From),
			cmp.Compare(a.To, b.To), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Value, b.Value))
	})
	inv.Links = mergeLinks(inv.Links)
}

// mergeLinks folds links that differ only in their peer's endpoint (a
// device seen at two addresses) into one, in place. links is sorted.
func mergeLinks(links []Link) []Link {
	out := links[:0]
	for _, l := range links {
		if n := len(out); n > 0 {
			p := &out[n-1]
			if p.Source == l.Source && p.From == l.From && p.To == l.To && p.Key == l.Key &&
				p.Value == l.Value {
				p.FirstSeen, p.LastSeen = widen(p.FirstSeen, p.LastSeen, l.FirstSeen, l.LastSeen)
				p.Count += l.Count
				continue
			}
		}
		out = append(out, l)
	}
	return out
}

// adopt makes a device for a fact about an endpoint no binding showed: a
// sender of L2 frames only (LLDP, CDP), or a local host named in a reply.
func (inv *Inventory) adopt(o observe.Observation, opts Options) *Device {
	if validMAC(o.Who.MAC) {
		if inv.byMAC[o.Who.MAC] != nil {
			return nil // a router's MAC, with the address of a host not kept
		}
		d := inv.deviceForMAC(o.Who.MAC)
		if o.Who.IP.IsValid() && !o.Who.IP.IsUnspecified() {
			inv.own(d, o.Who.IP, &Address{IP: o.Who.IP.String(), FirstSeen: o.First,
				LastSeen: o.Last, SeenBy: []string{o.Source}})
		}
		return d
	}
	if o.Who.IP.IsValid() && selfStated(o.Key) && keepRemote(o.Who.IP, opts) {
		d := inv.deviceForIP(o.Who.IP)
		inv.own(d, o.Who.IP, &Address{IP: o.Who.IP.String(), FirstSeen: o.First,
			LastSeen: o.Last, SeenBy: []string{o.Source}})
		return d
	}
	return nil
}

// selfStated reports whether a fact about an address is enough to say a
// device exists there: names others give an address (DNS) are not.
func selfStated(key string) bool {
	switch key {
	case dissect.KeyDNSName, "tls_sni", "http_host":
		return false
	}
	return true
}

// singular keys should have one value per device; several are a conflict
// to show.
var singular = map[string]bool{
	dissect.KeyHostname: true, dissect.KeyManufacturer: true, dissect.KeyModel: true,
	dissect.KeySerial: true, dissect.KeyOS: true, dissect.KeyFirmware: true,
	dissect.KeyHardware: true,
}

// finish sorts the device's lists and derives its identity.
func (d *Device) finish() {
	if d.Attributes == nil {
		d.Attributes = []Attribute{}
	}
	if d.Addresses == nil {
		d.Addresses = []Address{}
	}
	slices.SortFunc(d.Attributes, func(a, b Attribute) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(b.Confidence, a.Confidence),
			cmp.Compare(a.Source, b.Source), cmp.Compare(a.Value, b.Value),
			cmp.Compare(a.Peer, b.Peer))
	})
	slices.SortFunc(d.Addresses, func(a, b Address) int {
		return netip.MustParseAddr(a.IP).Compare(netip.MustParseAddr(b.IP))
	})
	slices.SortFunc(d.ips, netip.Addr.Compare)
	d.ips = slices.Compact(d.ips)
	d.IPs = make([]string, len(d.ips))
	for i, ip := range d.ips {
		d.IPs[i] = ip.String()
	}
	slices.Sort(d.VLANs)
	d.VLANs = slices.Compact(d.VLANs)
	d.Names = names(d.Attributes)
	d.Conflicts = conflicts(d.Attributes)
	d.identify()
}

func (d *Device) identify() {
	attrs := make([]fingerprint.Attr, len(d.Attributes))
	for i, a := range d.Attributes {
		attrs[i] = fingerprint.Attr{Source: a.Source, Key: a.Key, Value: a.Value,
			Confidence: a.Confidence}
	}
	id := fingerprint.Identify(d.MAC, attrs)
	d.Identification = Identification{
		Vendor: derivation(id.Vendor), Model: derivation(id.Model),
		Category: derivation(id.Category), OS: derivation(id.OS),
		Software: derivation(id.Software), Criticality: derivation(id.Criticality),
	}
	d.Vendor, d.Model, d.Category = id.Vendor.Value, id.Model.Value, id.Category.Value
	d.OS, d.Software, d.Criticality = id.OS.Value, id.Software.Value, id.Criticality.Value
	if d.Router && d.Category == "" {
		d.Category = "router"
		because := []string{"forwards traffic of other subnets"}
		d.Identification.Category = &Derivation{Value: "router", Confidence: dissect.Medium,
			Rule: "forwarding", Because: because}
		if c, ok := fingerprint.CriticalityOf(fingerprint.CategoryRouter); ok && d.Criticality == "" {
			d.Criticality = string(c)
			d.Identification.Criticality = &Derivation{Value: d.Criticality,
				Confidence: dissect.Medium, Rule: fingerprint.RuleCategory,
				Because: append([]string{"category=router (rule forwarding)"}, because...)}
		}
	}
	d.MACRandomised = id.Randomised
	if !d.MAC.IsZero() {
		if o, ok := fingerprint.LookupMAC(d.MAC); ok {
			d.OUI = &OUI{Prefix: o.Prefix, Bits: o.Bits, Organisation: o.Org}
		}
	}
}

// names lists the names a device is known by, the most trusted first.
func names(attrs []Attribute) []string {
	type cand struct {
		name string
		rank int
		conf dissect.Confidence
	}
	var cs []cand
	for _, a := range attrs {
		rank := -1
		switch a.Key {
		case dissect.KeyHostname:
			rank = 0
		case dissect.KeyFQDN:
			rank = 1
		case dissect.KeyDNSName:
			rank = 2
		}
		if rank >= 0 {
			cs = append(cs, cand{a.Value, rank, a.Confidence})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(b.conf, a.conf),
			cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)),
			cmp.Compare(a.name, b.name))
	})
	out := []string{}
	seen := map[string]bool{}
	for _, c := range cs {
		k := strings.ToLower(c.name)
		if !seen[k] {
			seen[k] = true
			out = append(out, c.name)
		}
	}
	return out
}

func conflicts(attrs []Attribute) []Conflict {
	var out []Conflict
	for i := 0; i < len(attrs); {
		j := i
		vals := []string{}
		for ; j < len(attrs) && attrs[j].Key == attrs[i].Key; j++ {
			if !slices.ContainsFunc(vals, func(v string) bool {
				return strings.EqualFold(v, attrs[j].Value)
			}) {
				vals = append(vals, attrs[j].Value)
			}
		}
		if singular[attrs[i].Key] && len(vals) > 1 {
			slices.Sort(vals)
			out = append(out, Conflict{Key: attrs[i].Key, Values: vals})
		}
		i = j
	}
	return out
}
