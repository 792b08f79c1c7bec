package segment

import (
	"cmp"
	"net/netip"
	"slices"
	"time"
)

// Report is the verdict on a set of observed flows. Its JSON form is the
// output of "ward segment check": change it only compatibly.
type Report struct {
	// Violations are the flows no conduit nor the infrastructure allows,
	// one per Key (flows of one key are added up), sorted by packets
	// descending, then by Key.
	Violations []Violation `json:"violations"`
	// Pairs has every (from zone, to zone) a flow went, sorted by from and
	// to.
	Pairs []PairCount `json:"pairs"`
	// Zones has every zone of the policy, in its order, then Unassigned.
	Zones []ZoneCount `json:"zones"`
	// Flows counts the flows checked: each is counted once in Allowed (a
	// conduit allows it), Infrastructure, NotRouted or Violating.
	Flows          int `json:"flows"`
	Allowed        int `json:"allowed"`
	Infrastructure int `json:"infrastructure"`
	NotRouted      int `json:"not_routed"`
	Violating      int `json:"violating"`
	// From and To are the earliest first seen and the latest last seen of
	// the flows.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// PairCount is the traffic from one zone to another (or within one).
type PairCount struct {
	From             string `json:"from"`
	To               string `json:"to"`
	Flows            int    `json:"flows"`
	Violations       int    `json:"violations"` // of Flows, those the policy does not allow
	Packets          uint64 `json:"packets"`
	ViolatingPackets uint64 `json:"violating_packets"`
	Bytes            uint64 `json:"bytes"`
}

// ZoneCount is a zone with the known devices it holds and the flows
// that left (FlowsOut) and reached it (FlowsIn).
type ZoneCount struct {
	Zone     string `json:"zone"`
	Devices  int    `json:"devices"`
	Medical  bool   `json:"medical"`
	FlowsIn  int    `json:"flows_in"`
	FlowsOut int    `json:"flows_out"`
}

// Week is the violations of one ISO week.
type Week struct {
	Start   time.Time `json:"start"` // Monday 00:00 UTC
	Flows   int       `json:"flows"` // distinct violating flows (by Key)
	Packets uint64    `json:"packets"`
}

// flowID is a flow's Key as a value.
type flowID struct {
	src, dst netip.Addr
	proto    uint8
	port     uint16
	vlan     uint16
}

func idOf(f *Flow) flowID {
	return flowID{src: f.Src.Unmap(), dst: f.Dst.Unmap(), proto: f.Proto, port: f.DstPort,
		vlan: f.VLAN}
}

// placer places flow ends for many flows, remembering each bare address
// (with its VLAN) it placed. It is not safe for concurrent use.
type placer struct {
	e     *Evaluator
	ends  []end
	addrs map[addrKey]int32 // in ends
}

type addrKey struct {
	a    netip.Addr
	vlan uint16
}

func (e *Evaluator) newPlacer() *placer {
	return &placer{e: e, addrs: make(map[addrKey]int32)}
}

// place is placeEnd with the bare addresses cached. The end returned
// must not be changed.
func (pl *placer) place(a netip.Addr, vlan uint16, deviceID string) *end {
	if deviceID != "" {
		if i, ok := pl.e.byID[deviceID]; ok {
			return &pl.e.placed[i]
		}
	}
	k := addrKey{a.Unmap(), vlan}
	if i, ok := pl.addrs[k]; ok {
		return &pl.ends[i]
	}
	pl.ends = append(pl.ends, pl.e.placeEnd(k.a, vlan, ""))
	pl.addrs[k] = int32(len(pl.ends) - 1)
	return &pl.ends[len(pl.ends)-1]
}

func (pl *placer) decide(f *Flow) (Decision, *end, *end) {
	src := pl.place(f.Src, f.VLAN, f.SrcDevice)
	dst := pl.place(f.Dst, f.VLAN, f.DstDevice)
	return pl.e.decide(f, src, dst), src, dst
}

// Check evaluates flows against the policy.
func (e *Evaluator) Check(flows []Flow) *Report {
	t := e.newTally()
	pl := e.newPlacer()
	for i := range flows {
		f := &flows[i]
		d, src, dst := pl.decide(f)
		t.add(f, &d, src, dst)
	}
	return t.report()
}

// tally adds up the flows of a Report.
type tally struct {
	e      *Evaluator
	r      Report
	pairs  []PairCount // by src zone * len(zones) + dst zone
	in     []int
	out    []int
	viol   map[flowID]int // index in r.Violations
	latest time.Time
}

func (e *Evaluator) newTally() *tally {
	n := len(e.zones)
	return &tally{e: e, pairs: make([]PairCount, n*n), in: make([]int, n), out: make([]int, n),
		viol: map[flowID]int{}}
}

func (t *tally) add(f *Flow, d *Decision, src, dst *end) {
	r := &t.r
	r.Flows++
	switch {
	case d.NotRouted:
		r.NotRouted++
	case d.Conduit >= 0:
		r.Allowed++
	case d.Infrastructure != "":
		r.Infrastructure++
	default:
		r.Violating++
	}
	t.window(f)
	p := &t.pairs[src.zone*len(t.e.zones)+dst.zone]
	p.Flows++
	p.Packets += f.Packets
	p.Bytes += f.Bytes
	t.out[src.zone]++
	t.in[dst.zone]++
	if !d.Allowed {
		p.Violations++
		p.ViolatingPackets += f.Packets
		t.violation(f, src, dst)
	}
}

func (t *tally) window(f *Flow) {
	if !f.FirstSeen.IsZero() && (t.r.From.IsZero() || f.FirstSeen.Before(t.r.From)) {
		t.r.From = f.FirstSeen
	}
	if f.LastSeen.After(t.r.To) {
		t.r.To = f.LastSeen
	}
}

// violation adds f to the violation of its key.
func (t *tally) violation(f *Flow, src, dst *end) {
	id := idOf(f)
	if i, ok := t.viol[id]; ok {
		mergeViolation(&t.r.Violations[i], f)
		return
	}
	t.viol[id] = len(t.r.Violations)
	t.r.Violations = append(t.r.Violations, t.e.violationOf(f, src, dst))
}

func mergeViolation(v *Violation, f *Flow) {
	v.Packets += f.Packets
	v.Bytes += f.Bytes
	if !f.FirstSeen.IsZero() && (v.FirstSeen.IsZero() || f.FirstSeen.Before(v.FirstSeen)) {
		v.FirstSeen = f.FirstSeen
	}
	if f.LastSeen.After(v.LastSeen) {
		v.LastSeen = f.LastSeen
	}
	if v.Application == "" {
		v.Application = f.App
	}
}

// violationOf describes f, placed from src to dst, as a Violation.
func (e *Evaluator) violationOf(f *Flow, src, dst *end) Violation {
	v := Violation{
		Source: e.endpoint(f.Src, src), Destination: e.endpoint(f.Dst, dst),
		Protocol: ProtoName(f.Proto), Port: f.DstPort, Application: f.App, VLAN: f.VLAN,
		Packets: f.Packets, Bytes: f.Bytes, FirstSeen: f.FirstSeen, LastSeen: f.LastSeen,
		Key: f.Key(),
	}
	v.Workflow = WorkflowOf(f, e.device(src), e.device(dst))
	return v
}

func (e *Evaluator) device(x *end) *Device {
	if x.dev < 0 {
		return nil
	}
	return &e.devs[x.dev]
}

func (e *Evaluator) endpoint(a netip.Addr, x *end) Endpoint {
	ep := Endpoint{Address: a.Unmap().String(), Zone: x.pl.Zone}
	if d := e.device(x); d != nil {
		ep.Device, ep.Name, ep.Category, ep.Criticality = d.ID, d.Name, d.Category, d.Criticality
	}
	return ep
}

func (t *tally) report() *Report {
	r := &t.r
	slices.SortFunc(r.Violations, byPackets)
	n := len(t.e.zones)
	for i := range t.pairs {
		if p := t.pairs[i]; p.Flows > 0 {
			p.From, p.To = t.e.zones[i/n], t.e.zones[i%n]
			r.Pairs = append(r.Pairs, p)
		}
	}
	slices.SortFunc(r.Pairs, func(a, b PairCount) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	r.Zones = t.e.zoneCounts()
	for i := range r.Zones {
		r.Zones[i].FlowsIn, r.Zones[i].FlowsOut = t.in[i], t.out[i]
	}
	return r
}

func byPackets(a, b Violation) int {
	return cmp.Or(cmp.Compare(b.Packets, a.Packets), cmp.Compare(a.Key, b.Key))
}

// zoneCounts lists the zones, Unassigned last, with their devices.
func (e *Evaluator) zoneCounts() []ZoneCount {
	out := make([]ZoneCount, len(e.zones))
	for i, z := range e.zones {
		out[i] = ZoneCount{Zone: z, Medical: e.medical[i]}
	}
	for i := range e.placed {
		out[e.placed[i].zone].Devices++
	}
	return out
}

// Weekly counts the violations of each ISO week (from Monday 00:00 UTC)
// from hourly counts: the distinct violating flows and their packets. It
// lists every week from the first hour's to the last's, those without a
// violation too, so that a trend can be drawn (only those with violations
// when the hours span more than maxWeeks weeks).
func (e *Evaluator) Weekly(hours []FlowHour) []Week {
	if len(hours) == 0 {
		return nil
	}
	pl := e.newPlacer()
	type week struct {
		flows   map[flowID]struct{}
		packets uint64
	}
	weeks := map[time.Time]*week{}
	first, last := weekOf(hours[0].Hour), weekOf(hours[0].Hour)
	for i := range hours {
		h := &hours[i]
		start := weekOf(h.Hour)
		first, last = minTime(first, start), maxTime(last, start)
		if d, _, _ := pl.decide(&h.Flow); d.Allowed {
			continue
		}
		w := weeks[start]
		if w == nil {
			w = &week{flows: map[flowID]struct{}{}}
			weeks[start] = w
		}
		w.flows[idOf(&h.Flow)] = struct{}{}
		w.packets += h.Packets
	}
	var starts []time.Time
	if last.Sub(first) <= maxWeeks*7*24*time.Hour {
		for s := first; !s.After(last); s = s.AddDate(0, 0, 7) {
			starts = append(starts, s)
		}
	} else { // hours far apart: only the weeks with violations
		for s := range weeks {
			starts = append(starts, s)
		}
		slices.SortFunc(starts, time.Time.Compare)
	}
	out := make([]Week, len(starts))
	for i, s := range starts {
		out[i].Start = s
		if w := weeks[s]; w != nil {
			out[i].Flows, out[i].Packets = len(w.flows), w.packets
		}
	}
	return out
}

// maxWeeks bounds the weeks Weekly lists without a violation.
const maxWeeks = 1000

// weekOf returns the start of t's ISO week: Monday 00:00 UTC.
func weekOf(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
