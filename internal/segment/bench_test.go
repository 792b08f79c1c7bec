package segment

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
)

// The benchmark's network: 50 zones, 10,000 devices, 500 conduits.
const (
	benchZones    = 50
	benchDevices  = 10000
	benchConduits = 500
)

var benchCriticality = []string{"life-sustaining", "diagnostic", "supporting", "non-clinical"}

// benchNet is a synthetic trust: its policy, devices and flows.
type benchNet struct {
	p     *Policy
	devs  []Device
	flows []Flow // a third of them violations
	clean []Flow // one in fifty a violation
}

var (
	benchOnce sync.Once
	benchData benchNet
)

// bench returns the synthetic trust, made once: zones placed by rules on
// categories, criticality and subnets, and a million flows between the
// devices and some bare addresses, many allowed, some not.
func bench() *benchNet {
	benchOnce.Do(func() {
		r := rand.New(rand.NewPCG(1, 2))
		benchData.p = benchPolicy(r)
		benchData.devs = benchDevs()
		benchData.flows = benchFlows(r, benchData.p, benchData.devs, 1_000_000, 5)
		benchData.clean = benchFlows(r, benchData.p, benchData.devs, 1_000_000, 100)
	})
	return &benchData
}

// benchSubnet is zone z's subnet, 10.z.0.0/16.
func benchSubnet(z int) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(z), 0, 0}), 16)
}

func benchPolicy(r *rand.Rand) *Policy {
	p := &Policy{Name: "bench", Infrastructure: Infrastructure{ICMPErrors: true,
		Resolvers: []netip.Addr{addr("10.49.0.53")}, NTP: []netip.Addr{addr("10.49.0.123")}}}
	for z := range benchZones {
		p.Zones = append(p.Zones, Zone{Name: fmt.Sprintf("zone-%02d", z), Medical: z < 13})
	}
	for z := range benchZones {
		rule := Rule{Zone: p.Zones[z].Name}
		switch {
		case z < 10: // a category, within a subnet
			rule.Categories = []string{fmt.Sprintf("cat-%d", z)}
			rule.Subnets = []netip.Prefix{benchSubnet(13 + z*3)}
		case z < 13: // a criticality, within a subnet
			rule.Criticality = []string{benchCriticality[z-10]}
			rule.Subnets = []netip.Prefix{benchSubnet(20 + z)}
		default:
			rule.Subnets = []netip.Prefix{benchSubnet(z)}
		}
		p.Rules = append(p.Rules, rule)
	}
	for i := range benchConduits {
		p.Conduits = append(p.Conduits, benchConduit(r, p, i))
	}
	return p
}

var benchPorts = []uint16{22, 80, 104, 443, 445, 2575, 3389, 8080, 11112, 50000}

func benchConduit(r *rand.Rand, p *Policy, i int) Conduit {
	zone := func() string { return p.Zones[r.IntN(benchZones)].Name }
	from, to := End{Zone: zone()}, End{Zone: zone()}
	if r.IntN(4) == 0 {
		from.Categories = []string{fmt.Sprintf("cat-%d", r.IntN(20))}
	}
	var svcs []Service
	for range 1 + r.IntN(3) {
		s := Service{Proto: "tcp", Ports: []PortRange{{benchPorts[r.IntN(len(benchPorts))], 0}}}
		s.Ports[0].Hi = s.Ports[0].Lo
		switch r.IntN(5) {
		case 0:
			s.Proto = "udp"
		case 1:
			s.App = "dicom"
		case 2:
			s.Ports[0].Hi += 100
		}
		svcs = append(svcs, s)
	}
	return Conduit{Name: fmt.Sprintf("c%d", i), From: from, To: to, Services: svcs,
		Bidirectional: r.IntN(5) == 0}
}

func benchDevs() []Device {
	devs := make([]Device, benchDevices)
	for i := range devs {
		z, n := 13+i%37, i/37
		ip := netip.AddrFrom4([4]byte{10, byte(z), byte(n / 250), byte(n%250 + 1)})
		devs[i] = Device{ID: fmt.Sprintf("mac:%06x", i), Name: fmt.Sprintf("dev-%d", i),
			IPs: []netip.Addr{ip}, Category: fmt.Sprintf("cat-%d", i%20),
			Criticality: benchCriticality[i%4]}
	}
	return devs
}

// benchFlows makes n flows: all but one in random along a conduit,
// between devices of its ends on a port of its services, the others at
// random, where nine in ten ends are devices and the others bare
// addresses of the zones' subnets or the internet.
func benchFlows(r *rand.Rand, p *Policy, devs []Device, n, random int) []Flow {
	e, err := Compile(p, devs)
	if err != nil {
		panic(err)
	}
	byZone := map[string][]int{}
	for i := range devs {
		z := e.Place(devs[i].ID).Zone
		byZone[z] = append(byZone[z], i)
	}
	flows := make([]Flow, n)
	for i := range flows {
		f := &flows[i]
		along := r.IntN(random) > 0
		for k := 0; along && k < 20; k++ { // a conduit whose ends hold devices
			if benchAlong(r, f, p, devs, byZone) {
				break
			}
		}
		if f.Packets == 0 {
			benchRandom(r, f, devs)
		}
	}
	return flows
}

// benchAlong makes f a flow a random conduit allows, if its ends hold
// devices.
func benchAlong(r *rand.Rand, f *Flow, p *Policy, devs []Device, byZone map[string][]int) bool {
	c := &p.Conduits[r.IntN(len(p.Conduits))]
	src, dst := benchDevice(r, c.From, devs, byZone), benchDevice(r, c.To, devs, byZone)
	if src == nil || dst == nil {
		return false
	}
	s := c.Services[r.IntN(len(c.Services))]
	f.Src, f.SrcDevice, f.Dst, f.DstDevice = src.IPs[0], src.ID, dst.IPs[0], dst.ID
	ports := s.Ports[0]
	f.Proto, f.App = ProtoTCP, s.App
	f.DstPort = ports.Lo + uint16(r.IntN(int(ports.Hi-ports.Lo)+1))
	if s.Proto == "udp" {
		f.Proto = ProtoUDP
	}
	benchCounts(r, f)
	return true
}

func benchDevice(r *rand.Rand, x End, devs []Device, byZone map[string][]int) *Device {
	in := byZone[x.Zone]
	for range 8 {
		if len(in) == 0 {
			return nil
		}
		d := &devs[in[r.IntN(len(in))]]
		if len(x.Categories) == 0 || x.Categories[0] == d.Category {
			return d
		}
	}
	return nil
}

func benchRandom(r *rand.Rand, f *Flow, devs []Device) {
	end := func() (netip.Addr, string) {
		switch k := r.IntN(20); {
		case k == 0:
			return netip.AddrFrom4([4]byte{198, 51, 100, byte(r.IntN(250))}), ""
		case k == 1:
			return netip.AddrFrom4([4]byte{10, byte(r.IntN(benchZones)), byte(r.IntN(4)),
				byte(r.IntN(250))}), ""
		default:
			d := &devs[r.IntN(len(devs))]
			return d.IPs[0], d.ID
		}
	}
	f.Src, f.SrcDevice = end()
	f.Dst, f.DstDevice = end()
	f.Proto, f.DstPort = ProtoTCP, benchPorts[r.IntN(len(benchPorts))]
	if r.IntN(4) == 0 {
		f.Proto = ProtoUDP
	}
	if f.DstPort == 104 || f.DstPort == 11112 {
		f.App = "dicom"
	}
	benchCounts(r, f)
}

func benchCounts(r *rand.Rand, f *Flow) {
	f.Packets, f.Bytes = uint64(1+r.IntN(1000)), uint64(100+r.IntN(100000))
	f.FirstSeen, f.LastSeen = t0, t0.Add(3600e9)
}

// BenchmarkCheck evaluates a million flows over 10,000 devices against a
// policy of 50 zones and 500 conduits: a third of them violations, most
// of distinct keys, or one in fifty.
func BenchmarkCheck(b *testing.B) {
	n := bench()
	e := compile(b, n.p, n.devs)
	for _, c := range []struct {
		name  string
		flows []Flow
	}{{"violations=many", n.flows}, {"violations=few", n.clean}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var r *Report
			for b.Loop() {
				r = e.Check(c.flows)
			}
			b.ReportMetric(float64(len(c.flows))*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
			b.ReportMetric(float64(len(r.Violations)), "violations")
		})
	}
}

// BenchmarkCompile compiles the policy against 10,000 devices.
func BenchmarkCompile(b *testing.B) {
	n := bench()
	b.ReportAllocs()
	for b.Loop() {
		compile(b, n.p, n.devs)
	}
}

// BenchmarkDecide decides one flow at a time, placing its ends afresh.
func BenchmarkDecide(b *testing.B) {
	n := bench()
	e := compile(b, n.p, n.devs)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Decide(&n.flows[i%len(n.flows)])
		i++
	}
}

// BenchmarkLearn drafts conduits from 100,000 flows.
func BenchmarkLearn(b *testing.B) {
	n := bench()
	base := *n.p
	base.Conduits = nil
	flows := n.flows[:100_000]
	b.ReportAllocs()
	var p *Policy
	for b.Loop() {
		var err error
		if p, err = Learn(&base, n.devs, flows, LearnOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(flows))*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
	b.ReportMetric(float64(len(p.Conduits)), "conduits")
}

// BenchmarkBook computes the address book of 10,000 devices and 500
// conduits.
func BenchmarkBook(b *testing.B) {
	n := bench()
	e := compile(b, n.p, n.devs)
	b.ReportAllocs()
	for b.Loop() {
		e.Book()
	}
}
