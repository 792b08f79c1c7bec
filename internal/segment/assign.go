package segment

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Evaluator is a policy compiled against the known devices: every device
// placed in its zone, the rules that can place a bare address, and an
// index of the conduits by pair of zones. It is not changed after
// Compile, so it is safe for concurrent reads.
type Evaluator struct {
	p     *Policy
	zones []string // by index; the last is Unassigned
	zone  map[string]int
	// medical marks the zones of Zone.Medical, by index.
	medical []bool
	// public marks the zones that a rule of public addresses fills, by
	// index: the infrastructure's servers take no query from them.
	public []bool

	devs   []Device
	byID   map[string]int         // device index by id
	placed []end                  // of each device, by index
	owners map[netip.Addr][]int32 // device indices by address
	// host is the device an address stands for when a flow end gives no
	// device: the first of its owners, when they all are in one zone.
	host map[netip.Addr]int32

	addrRules []int // indices in p.Rules of the rules that can place an address
	conduits  []conduit
	pairs     [][]candidate // by src zone * len(zones) + dst zone
	infra     infra
}

// Placement is where a device or address is and why.
type Placement struct {
	Zone string `json:"zone"`
	Rule int    `json:"rule"` // index in Policy.Rules; -1 when Unassigned
	// Reason says which rule placed it, numbering rules from 1 as a reader
	// counts them, and what matched: "rule 3 (line 40): subnet
	// 10.20.0.0/16"; "no rule matches" when Unassigned.
	Reason string `json:"reason"`
}

// DevicePlacement is a known device with its placement.
type DevicePlacement struct {
	Device    Device    `json:"device"`
	Placement Placement `json:"placement"`
}

// end is a placed flow end or device: its zone by index, the device it
// is (-1 when a bare address) and the placement to report.
type end struct {
	zone int
	dev  int32
	pl   Placement
}

// Compile checks p (Validate, and against devs) and compiles it. It
// returns an error, never panics, for a policy that Validate refuses, that
// names an unknown zone, has a rule with no condition or a service it
// cannot read, or names one device in rules of two zones.
//
// A device is placed by the first rule whose Devices name it, if any, and
// else by the first rule in order whose every condition holds: Subnets
// (any of its addresses in any prefix), VLANs (any of its VLANs),
// Categories, Criticality, Tags (any of its tags), Devices and Internet.
// A device is on the internet only when one of its own addresses is
// public (global unicast, not private nor shared address space). A device
// no rule matches is in Unassigned, so that each device is in exactly one
// zone.
func Compile(p *Policy, devs []Device) (*Evaluator, error) {
	if p == nil {
		return nil, fmt.Errorf("compile policy: no policy")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	e := &Evaluator{p: p}
	if err := e.compileZones(); err != nil {
		return nil, err
	}
	if err := e.compileRules(); err != nil {
		return nil, err
	}
	if err := e.compileDevices(devs); err != nil {
		return nil, err
	}
	if err := e.compileConduits(); err != nil {
		return nil, err
	}
	in, err := compileInfra(&p.Infrastructure)
	if err != nil {
		return nil, err
	}
	e.infra = in
	return e, nil
}

// Policy returns the policy e was compiled from. Callers must not change
// it.
func (e *Evaluator) Policy() *Policy { return e.p }

func (e *Evaluator) compileZones() error {
	e.zone = make(map[string]int, len(e.p.Zones)+1)
	for _, z := range e.p.Zones {
		switch {
		case z.Name == "":
			return fmt.Errorf("zone at line %d: no name", z.Line)
		case z.Name == Unassigned:
			return fmt.Errorf("zone %q: the name is reserved for devices no rule places", z.Name)
		}
		if _, dup := e.zone[z.Name]; dup {
			return fmt.Errorf("zone %q: declared twice", z.Name)
		}
		e.zone[z.Name] = len(e.zones)
		e.zones = append(e.zones, z.Name)
		e.medical = append(e.medical, z.Medical)
	}
	e.zone[Unassigned] = len(e.zones)
	e.zones = append(e.zones, Unassigned)
	e.medical = append(e.medical, false)
	e.public = make([]bool, len(e.zones))
	for _, r := range e.p.Rules {
		if i, ok := e.zone[r.Zone]; ok && r.Internet {
			e.public[i] = true
		}
	}
	return nil
}

// unassigned is the index of Unassigned.
func (e *Evaluator) unassigned() int { return len(e.zones) - 1 }

// declared returns the index of the zone a rule or conduit names, which
// must be declared (Unassigned is not).
func (e *Evaluator) declared(name string) (int, bool) {
	i, ok := e.zone[name]
	return i, ok && i != e.unassigned()
}

func (e *Evaluator) compileRules() error {
	for i := range e.p.Rules {
		r := &e.p.Rules[i]
		if _, ok := e.declared(r.Zone); !ok {
			return fmt.Errorf("rule %d (line %d): unknown zone %q", i+1, r.Line, r.Zone)
		}
		if !r.hasCondition() {
			return fmt.Errorf("rule %d (line %d): no condition", i+1, r.Line)
		}
		if r.addressOnly() {
			e.addrRules = append(e.addrRules, i)
		}
	}
	return nil
}

func (r *Rule) hasCondition() bool {
	return len(r.Subnets) > 0 || len(r.VLANs) > 0 || len(r.Categories) > 0 ||
		len(r.Criticality) > 0 || len(r.Tags) > 0 || len(r.Devices) > 0 || r.Internet
}

// addressOnly reports whether r can place a bare address: it gives no
// condition that only a device has.
func (r *Rule) addressOnly() bool {
	return len(r.Categories) == 0 && len(r.Criticality) == 0 && len(r.Tags) == 0 &&
		len(r.Devices) == 0
}

func (e *Evaluator) compileDevices(devs []Device) error {
	e.devs = devs
	e.byID = make(map[string]int, len(devs))
	e.owners = make(map[netip.Addr][]int32, len(devs))
	for i := range devs {
		d := &devs[i]
		if _, dup := e.byID[d.ID]; dup {
			return fmt.Errorf("device %q: given twice", d.ID)
		}
		e.byID[d.ID] = i
		for _, a := range d.IPs {
			a = plain(a)
			if o := e.owners[a]; !slices.Contains(o, int32(i)) {
				e.owners[a] = append(o, int32(i))
			}
		}
	}
	named, err := e.namedDevices()
	if err != nil {
		return err
	}
	e.placed = make([]end, len(devs))
	for i := range devs {
		e.placed[i] = e.placeDevice(int32(i), named[devs[i].ID])
	}
	e.hosts()
	return nil
}

// namedDevices returns, for each device id a rule names, the indices of
// the rules that name it; it is an error for rules of two zones to name
// one device.
func (e *Evaluator) namedDevices() (map[string][]int, error) {
	named := map[string][]int{}
	for i := range e.p.Rules {
		r := &e.p.Rules[i]
		for _, id := range r.Devices {
			if prev := named[id]; len(prev) > 0 && e.p.Rules[prev[0]].Zone != r.Zone {
				return nil, fmt.Errorf("device %q: named by rule %d (zone %s) and rule %d (zone %s)",
					id, prev[0]+1, e.p.Rules[prev[0]].Zone, i+1, r.Zone)
			}
			if !slices.Contains(named[id], i) {
				named[id] = append(named[id], i)
			}
		}
	}
	return named, nil
}

// placeDevice places device i: first by the rules naming it, then by the
// rules that name no device, in order.
func (e *Evaluator) placeDevice(i int32, naming []int) end {
	d := &e.devs[i]
	for _, ri := range naming {
		if why, ok := e.matchDevice(&e.p.Rules[ri], d); ok {
			return e.ruleEnd(ri, i, why)
		}
	}
	for ri := range e.p.Rules {
		r := &e.p.Rules[ri]
		if len(r.Devices) > 0 {
			continue // a rule naming devices matches only them, tried above
		}
		if why, ok := e.matchDevice(r, d); ok {
			return e.ruleEnd(ri, i, why)
		}
	}
	return end{zone: e.unassigned(), dev: i, pl: unplaced()}
}

func unplaced() Placement {
	return Placement{Zone: Unassigned, Rule: -1, Reason: "no rule matches"}
}

func (e *Evaluator) ruleEnd(ri int, dev int32, why []string) end {
	r := &e.p.Rules[ri]
	return end{zone: e.zone[r.Zone], dev: dev,
		pl: Placement{Zone: r.Zone, Rule: ri, Reason: ruleName(ri, r) + ": " + strings.Join(why, ", ")}}
}

// matchDevice reports whether every condition of r holds for d, and what
// matched.
func (e *Evaluator) matchDevice(r *Rule, d *Device) ([]string, bool) {
	var why []string
	if len(r.Devices) > 0 {
		if !slices.Contains(r.Devices, d.ID) {
			return nil, false
		}
		why = append(why, "device "+d.ID)
	}
	if len(r.Subnets) > 0 {
		p, ok := deviceSubnet(r.Subnets, d.IPs)
		if !ok {
			return nil, false
		}
		why = append(why, "subnet "+p.String())
	}
	if len(r.VLANs) > 0 {
		v, ok := anyOf(r.VLANs, d.VLANs)
		if !ok {
			return nil, false
		}
		why = append(why, "vlan "+strconv.Itoa(int(v)))
	}
	return matchAttrs(r, d, why)
}

// matchAttrs goes on from matchDevice with the conditions on what the
// device is.
func matchAttrs(r *Rule, d *Device, why []string) ([]string, bool) {
	if len(r.Categories) > 0 {
		if d.Category == "" || !slices.Contains(r.Categories, d.Category) {
			return nil, false
		}
		why = append(why, "category "+d.Category)
	}
	if len(r.Criticality) > 0 {
		if d.Criticality == "" || !slices.Contains(r.Criticality, d.Criticality) {
			return nil, false
		}
		why = append(why, "criticality "+d.Criticality)
	}
	if len(r.Tags) > 0 {
		t, ok := anyOf(r.Tags, d.Tags)
		if !ok {
			return nil, false
		}
		why = append(why, "tag "+t)
	}
	if r.Internet {
		a, ok := firstPublic(d.IPs)
		if !ok {
			return nil, false
		}
		why = append(why, "internet address "+a.String())
	}
	return why, true
}

func deviceSubnet(ps []netip.Prefix, ips []netip.Addr) (netip.Prefix, bool) {
	for _, a := range ips {
		a = plain(a)
		for _, p := range ps {
			if p.Contains(a) {
				return p, true
			}
		}
	}
	return netip.Prefix{}, false
}

func anyOf[T comparable](want, have []T) (T, bool) {
	for _, h := range have {
		if slices.Contains(want, h) {
			return h, true
		}
	}
	var zero T
	return zero, false
}

func firstPublic(ips []netip.Addr) (netip.Addr, bool) {
	for _, a := range ips {
		if Public(a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// plain is a as rules and the address book see it: an IPv4 address
// mapped into IPv6 as IPv4, without an IPv6 zone.
func plain(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

// Public reports whether a is a public address: global unicast, and
// neither private nor shared address space (RFC 6598).
func Public(a netip.Addr) bool {
	a = plain(a)
	return a.IsGlobalUnicast() && !a.IsPrivate() && !sharedSpace.Contains(a)
}

// hosts fills e.host: an address that devices use stands for the first
// of them when they all are in one zone, so that a flow end giving no
// device is placed as a firewall would place it (Book.Hosts).
func (e *Evaluator) hosts() {
	e.host = make(map[netip.Addr]int32, len(e.owners))
	for a, o := range e.owners {
		if e.oneZone(o) {
			e.host[a] = o[0]
		}
	}
}

func (e *Evaluator) oneZone(devs []int32) bool {
	for _, i := range devs[1:] {
		if e.placed[i].zone != e.placed[devs[0]].zone {
			return false
		}
	}
	return true
}

// Place returns the placement of the known device with the given id; an
// unknown id is Unassigned.
func (e *Evaluator) Place(deviceID string) Placement {
	if i, ok := e.byID[deviceID]; ok {
		return e.placed[i].pl
	}
	return Placement{Zone: Unassigned, Rule: -1, Reason: "unknown device " + deviceID}
}

// PlaceAddr returns the placement of a flow end: the known device
// deviceID as Place does; else, when deviceID is empty or unknown, the
// device whose address a is (when every device using a is in one zone,
// as Book.Hosts has it); else the address itself, seen on vlan, by the
// first rule in order that gives only address conditions (Subnets,
// VLANs, Internet). A rule on categories, criticality, tags or devices
// never places a bare address, and Internet holds only for a public
// address that no known device uses.
func (e *Evaluator) PlaceAddr(a netip.Addr, vlan uint16, deviceID string) Placement {
	return e.placeEnd(a, vlan, deviceID).pl
}

func (e *Evaluator) placeEnd(a netip.Addr, vlan uint16, deviceID string) end {
	if deviceID != "" {
		if i, ok := e.byID[deviceID]; ok {
			return e.placed[i]
		}
	}
	a = plain(a)
	if i, ok := e.host[a]; ok {
		p := e.placed[i]
		p.pl.Reason = "address of " + e.devName(i) + ": " + p.pl.Reason
		return p
	}
	return e.placeAddr(a, vlan)
}

func (e *Evaluator) devName(i int32) string {
	if d := &e.devs[i]; d.Name != "" {
		return d.Name
	}
	return e.devs[i].ID
}

// placeAddr places a bare address by the address rules.
func (e *Evaluator) placeAddr(a netip.Addr, vlan uint16) end {
	for _, ri := range e.addrRules {
		if why, ok := e.matchAddr(&e.p.Rules[ri], a, vlan); ok {
			return e.ruleEnd(ri, -1, why)
		}
	}
	return end{zone: e.unassigned(), dev: -1, pl: unplaced()}
}

func (e *Evaluator) matchAddr(r *Rule, a netip.Addr, vlan uint16) ([]string, bool) {
	var why []string
	if len(r.Subnets) > 0 {
		i := slices.IndexFunc(r.Subnets, func(p netip.Prefix) bool { return p.Contains(a) })
		if i < 0 {
			return nil, false
		}
		why = append(why, "subnet "+r.Subnets[i].String())
	}
	if len(r.VLANs) > 0 {
		if !slices.Contains(r.VLANs, vlan) {
			return nil, false
		}
		why = append(why, "vlan "+strconv.Itoa(int(vlan)))
	}
	if r.Internet {
		if !Public(a) || len(e.owners[a]) > 0 {
			return nil, false
		}
		why = append(why, "internet address")
	}
	return why, true
}

// Devices returns every known device with its placement, by zone in the
// policy's order (Unassigned last), then by name and id.
func (e *Evaluator) Devices() []DevicePlacement {
	order := make([]int, len(e.devs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		da, db := &e.devs[a], &e.devs[b]
		return cmp.Or(cmp.Compare(e.placed[a].zone, e.placed[b].zone),
			cmp.Compare(da.Name, db.Name), cmp.Compare(da.ID, db.ID))
	})
	out := make([]DevicePlacement, len(order))
	for i, d := range order {
		out[i] = DevicePlacement{Device: e.devs[d], Placement: e.placed[d].pl}
	}
	return out
}
