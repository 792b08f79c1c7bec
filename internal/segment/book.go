package segment

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// maxNoted bounds the addresses a Book note lists by name.
const maxNoted = 10

// Book computes where the policy's zones are on the network, as a
// firewall that sees only addresses must tell them apart:
//   - Hosts: the addresses of the known devices by the zone each device is
//     placed in, Unassigned included (a firewall must not take such a
//     device for its subnet's zone). An address that devices of two zones
//     use is in no list, and a note says so: a firewall classifies it by
//     the subnets.
//   - Subnets: the rules that give Subnets or Internet and no condition on
//     what a device is, in policy order. A rule's VLAN condition is not
//     kept (a note says so), since a firewall sees addresses.
//   - Ends: for each conduit end narrowed to categories, the addresses of
//     Hosts whose every device is of the end's zone and categories.
func (e *Evaluator) Book() *Book {
	b := &Book{Hosts: map[string][]netip.Addr{}, Ends: map[string][]netip.Addr{}}
	e.bookHosts(b)
	e.bookSubnets(b)
	e.bookEnds(b)
	return b
}

func (e *Evaluator) bookHosts(b *Book) {
	var mixed []netip.Addr
	for a, o := range e.owners {
		if i, ok := e.host[a]; ok {
			z := e.zones[e.placed[i].zone]
			b.Hosts[z] = append(b.Hosts[z], a)
			continue
		}
		if len(o) > 0 {
			mixed = append(mixed, a)
		}
	}
	for z := range b.Hosts {
		slices.SortFunc(b.Hosts[z], netip.Addr.Compare)
	}
	if len(mixed) == 0 {
		return
	}
	slices.SortFunc(mixed, netip.Addr.Compare)
	b.Notes = append(b.Notes, fmt.Sprintf("%s used by devices of different zones: "+
		"classified by the subnets", listAddrs(mixed)))
}

func listAddrs(as []netip.Addr) string {
	n := min(len(as), maxNoted)
	s := make([]string, n)
	for i := range n {
		s[i] = as[i].String()
	}
	out := strings.Join(s, ", ")
	if len(as) > n {
		out += " and " + strconv.Itoa(len(as)-n) + " more"
	}
	if len(as) == 1 {
		return "address " + out + " is"
	}
	return "addresses " + out + " are"
}

func (e *Evaluator) bookSubnets(b *Book) {
	for i := range e.p.Rules {
		r := &e.p.Rules[i]
		name := ruleName(i, r)
		switch {
		case !r.addressOnly():
			b.Notes = append(b.Notes, name+" places devices by what they are: a firewall "+
				"knows only the devices known now (hosts)")
		case len(r.Subnets) == 0 && !r.Internet:
			b.Notes = append(b.Notes, name+" places by VLAN only: a firewall knows only "+
				"the devices known now (hosts)")
		default:
			if len(r.VLANs) > 0 {
				b.Notes = append(b.Notes, name+": its VLAN condition is not enforced, its "+
					"subnets hold on every VLAN")
			}
			b.Subnets = append(b.Subnets, ZoneSubnet{Zone: r.Zone, Rule: i,
				Prefixes: slices.Clone(r.Subnets), Internet: r.Internet})
		}
	}
}

func ruleName(i int, r *Rule) string {
	s := "rule " + strconv.Itoa(i+1)
	if r.Line > 0 {
		s += " (line " + strconv.Itoa(r.Line) + ")"
	}
	return s
}

// bookEnds fills b.Ends from the hosts.
func (e *Evaluator) bookEnds(b *Book) {
	type narrowed struct {
		key  string
		cats []string
	}
	byZone := map[int][]narrowed{}
	for i := range e.p.Conduits {
		c := &e.p.Conduits[i]
		for _, x := range []End{c.From, c.To} {
			z, ok := e.declared(x.Zone)
			if !ok || len(x.Categories) == 0 {
				continue
			}
			k := x.Key()
			if _, seen := b.Ends[k]; !seen {
				b.Ends[k] = []netip.Addr{}
				byZone[z] = append(byZone[z], narrowed{key: k, cats: x.Categories})
			}
		}
	}
	for a, i := range e.host {
		for _, n := range byZone[e.placed[i].zone] {
			if e.allOf(e.owners[a], n.cats) {
				b.Ends[n.key] = append(b.Ends[n.key], a)
			}
		}
	}
	for k := range b.Ends {
		slices.SortFunc(b.Ends[k], netip.Addr.Compare)
	}
}

// allOf reports whether every device of devs is of one of cats.
func (e *Evaluator) allOf(devs []int32, cats []string) bool {
	for _, i := range devs {
		if c := e.devs[i].Category; c == "" || !slices.Contains(cats, c) {
			return false
		}
	}
	return true
}
