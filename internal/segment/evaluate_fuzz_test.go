package segment

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// fuzzBytes hands out the bytes of a fuzz input, then zeros.
type fuzzBytes struct {
	b []byte
}

func (r *fuzzBytes) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fuzzBytes) n(k int) int { return int(r.next()) % k }

func (r *fuzzBytes) bit() bool { return r.next()&1 == 1 }

func (r *fuzzBytes) u16() uint16 { return uint16(r.next())<<8 | uint16(r.next()) }

func pick[T any](r *fuzzBytes, xs []T) T { return xs[r.n(len(xs))] }

var (
	fuzzAddrs = []netip.Addr{
		addr("10.0.1.1"), addr("10.0.1.2"), addr("10.0.2.1"), addr("10.1.0.9"),
		addr("192.168.1.1"), addr("203.0.113.5"), addr("198.51.100.7"), addr("100.64.0.1"),
		addr("255.255.255.255"), addr("224.0.0.251"), addr("169.254.0.1"), addr("fe80::1"),
		addr("fe80::2%eth0"), addr("2001:db8::1"), addr("fd00::1"), addr("::ffff:10.0.1.1"),
		addr("ff02::1:2"), addr("0.0.0.0"), {},
	}
	fuzzPrefixes = []netip.Prefix{pfx("10.0.0.0/8"), pfx("10.0.1.0/24"), pfx("192.168.0.0/16"),
		pfx("2001:db8::/32"), pfx("fd00::/8"), pfx("0.0.0.0/0"), pfx("10.0.1.1/32")}
	fuzzCategories  = []string{"imaging-ct", "pacs", "workstation", "tv/media", "Bad Cat", ""}
	fuzzProtos      = []string{"tcp", "udp", "icmp", "icmpv6", "any", "112", "vrrp", "bogus"}
	fuzzApps        = []string{"", "dicom", "hl7", "http", "tls", "Not An App"}
	fuzzFHRPs       = []string{"", "vrrp", "hsrp", "glbp", "carp", "nope"}
	fuzzZoneNames   = []string{"z0", "z1", "z2", "z3", "nowhere", Unassigned}
	fuzzDeviceIDs   = []string{"d0", "d1", "d2", "d3", "d4", ""}
	fuzzProtoNumber = []uint8{ProtoTCP, ProtoUDP, ProtoICMP, ProtoICMPv6, 112, 47, 0}
)

// fuzzPolicy builds a policy, mostly valid, from fuzz bytes.
func fuzzPolicy(r *fuzzBytes) *Policy {
	p := &Policy{Name: "fuzz"}
	for i := range 1 + r.n(4) {
		p.Zones = append(p.Zones, Zone{Name: fmt.Sprintf("z%d", i), Medical: r.bit()})
	}
	for range r.n(8) {
		p.Rules = append(p.Rules, fuzzRule(r))
	}
	for range r.n(6) {
		p.Conduits = append(p.Conduits, fuzzConduit(r))
	}
	in := &p.Infrastructure
	in.Resolvers = fuzzAddrList(r)
	in.NTP = fuzzAddrList(r)
	in.DHCPServers = fuzzAddrList(r)
	in.DHCPRelays = fuzzAddrList(r)
	in.FHRP, in.ICMPErrors = pick(r, fuzzFHRPs), r.bit()
	return p
}

func fuzzRule(r *fuzzBytes) Rule {
	ru := Rule{Zone: pick(r, fuzzZoneNames[:5])}
	switch c := r.next(); {
	case c&1 != 0:
		ru.Subnets = []netip.Prefix{pick(r, fuzzPrefixes)}
		fallthrough
	case c&2 != 0:
		ru.VLANs = []uint16{uint16(1 + r.n(4))}
	case c&4 != 0:
		ru.Categories = []string{pick(r, fuzzCategories[:4])}
	case c&8 != 0:
		ru.Criticality = []string{pick(r, benchCriticality)}
	case c&16 != 0:
		ru.Tags = []string{"t" + fmt.Sprint(r.n(3))}
	case c&32 != 0:
		ru.Devices = []string{pick(r, fuzzDeviceIDs[:5])}
	default:
		ru.Internet = true
	}
	return ru
}

func fuzzConduit(r *fuzzBytes) Conduit {
	c := Conduit{From: End{Zone: pick(r, fuzzZoneNames)}, To: End{Zone: pick(r, fuzzZoneNames)},
		Bidirectional: r.bit()}
	if r.bit() {
		c.From.Categories = []string{pick(r, fuzzCategories[:4])}
	}
	for range 1 + r.n(3) {
		s := Service{Proto: pick(r, fuzzProtos), App: pick(r, fuzzApps[:5])}
		if (s.Proto == "tcp" || s.Proto == "udp") && r.bit() {
			lo := 1 + r.u16()%2000
			s.Ports = []PortRange{{lo, lo + uint16(r.n(3))}}
		}
		c.Services = append(c.Services, s)
	}
	return c
}

func fuzzAddrList(r *fuzzBytes) []netip.Addr {
	var out []netip.Addr
	for range r.n(3) {
		out = append(out, pick(r, fuzzAddrs))
	}
	return out
}

func fuzzDevices(r *fuzzBytes) []Device {
	var out []Device
	for i := range r.n(6) {
		d := Device{ID: fmt.Sprintf("d%d", i), Category: pick(r, fuzzCategories),
			Criticality: pick(r, benchCriticality)}
		if r.n(8) == 0 {
			d.ID = pick(r, fuzzDeviceIDs) // perhaps given twice
		}
		for range r.n(3) {
			d.IPs = append(d.IPs, pick(r, fuzzAddrs))
		}
		if r.bit() {
			d.VLANs = []uint16{uint16(r.n(4))}
		}
		if r.bit() {
			d.Tags = []string{"t" + fmt.Sprint(r.n(3))}
		}
		out = append(out, d)
	}
	return out
}

func fuzzFlows(r *fuzzBytes) []Flow {
	var out []Flow
	for range r.n(24) {
		f := Flow{Src: pick(r, fuzzAddrs), Dst: pick(r, fuzzAddrs),
			Proto: pick(r, fuzzProtoNumber), DstPort: pick(r, []uint16{0, 53, 67, 104, 123, 443,
				547, 1985, 3, 11, 2575, r.u16()}),
			VLAN: uint16(r.n(4)), App: pick(r, fuzzApps), Packets: uint64(r.next()),
			Bytes: uint64(r.u16()), SrcDevice: pick(r, fuzzDeviceIDs),
			DstDevice: pick(r, fuzzDeviceIDs)}
		f.FirstSeen = t0.Add(time.Duration(int8(r.next())) * time.Hour)
		f.LastSeen = t0.Add(time.Duration(int8(r.next())) * time.Hour)
		out = append(out, f)
	}
	return out
}

// FuzzCheck builds policies, devices and flows from the input and runs
// every evaluation on them: none may panic, and a policy learned from
// flows allows them all but those with an end no rule can place.
//
// ci-fuzz: 3000x
func FuzzCheck(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("0000000000018")) // a flow from an invalid address
	// an application a policy cannot name, on a port an application uses
	f.Add([]byte("000010101020000100101010207200A01000000007200A0A"))
	f.Add([]byte("\x03\x05\x01\x02\x04\x08\x10\x20\x40\x03\x01\x01\x02\x03\x04\x05\x06\x07"))
	f.Add([]byte("zones and conduits of a hospital, flows of its devices: dicom, hl7 and dns"))
	f.Add([]byte{2, 4, 1, 0, 0, 4, 1, 32, 1, 2, 1, 0, 1, 3, 2, 1, 1, 0, 9, 2, 7, 5, 4, 3, 2,
		1, 255, 254, 253, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &fuzzBytes{b: data}
		p, devs, flows := fuzzPolicy(r), fuzzDevices(r), fuzzFlows(r)
		hours := make([]FlowHour, len(flows))
		for i, fl := range flows {
			hours[i] = FlowHour{Flow: fl, Hour: fl.FirstSeen.Truncate(time.Hour)}
		}
		e, err := Compile(p, devs)
		if err != nil {
			return
		}
		fuzzEvaluate(e, flows, hours)
		learned, err := Learn(p, devs, flows, LearnOptions{Sources: []string{"fuzz"}})
		if err != nil {
			t.Fatalf("Learn from a valid policy: %v", err)
		}
		le, err := Compile(learned, devs)
		if err != nil {
			t.Fatalf("Compile the learned policy: %v", err)
		}
		for _, v := range le.Check(flows).Violations {
			if !fuzzUnplaceable(le, v.Source) && !fuzzUnplaceable(le, v.Destination) {
				t.Fatalf("the learned policy does not allow %s (%s → %s)", v.Key, v.Source.Zone,
					v.Destination.Zone)
			}
		}
		if _, err := Simulate(p, learned, devs, flows); err != nil {
			t.Fatalf("Simulate: %v", err)
		}
		if _, err := Simulate(nil, learned, devs, flows); err != nil {
			t.Fatalf("Simulate: %v", err)
		}
	})
}

// fuzzEvaluate runs every read of e.
func fuzzEvaluate(e *Evaluator, flows []Flow, hours []FlowHour) {
	e.Check(flows)
	for i := range flows {
		e.Decide(&flows[i])
		e.PlaceAddr(flows[i].Src, flows[i].VLAN, flows[i].SrcDevice)
	}
	e.Weekly(hours)
	e.Devices()
	e.Measures()
	e.Book()
	e.Place("d0")
}

// fuzzUnplaceable reports whether no rule can place the end: an invalid
// address, or a device without a usable address that a rule of the base
// names with conditions it fails (Learn cannot name it again).
func fuzzUnplaceable(e *Evaluator, ep Endpoint) bool {
	if ep.Zone != Unassigned {
		return false
	}
	if ep.Device == "" {
		_, err := netip.ParseAddr(ep.Address)
		return err != nil
	}
	i := e.byID[ep.Device]
	for _, a := range e.devs[i].IPs {
		if plain(a).IsValid() {
			return false
		}
	}
	return true
}
