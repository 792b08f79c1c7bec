package segment

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"runtime"
	"slices"
	"strconv"
	"sync"
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

// flowID is a flow's Key as a value: the addresses as 16 bytes (an IPv4
// address mapped), so that it holds no pointer and hashes fast. Two
// addresses that differ only in their IPv6 zone are one.
type flowID struct {
	src, dst [16]byte
	proto    uint8
	port     uint16
	vlan     uint16
}

func idOf(f *Flow) flowID {
	return flowID{src: f.Src.As16(), dst: f.Dst.As16(), proto: f.Proto, port: f.DstPort,
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
	k := addrKey{plain(a), vlan}
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

// Check evaluates flows against the policy. It shares the flows among
// GOMAXPROCS goroutines when they are many.
func (e *Evaluator) Check(flows []Flow) *Report {
	parts := chunks(len(flows), runtime.GOMAXPROCS(0), minChunk)
	tallies := make([]*tally, len(parts))
	var wg sync.WaitGroup
	for i, c := range parts {
		tallies[i] = e.newTally()
		wg.Go(func() { tallies[i].check(flows[c[0]:c[1]]) })
	}
	wg.Wait()
	t := tallies[0]
	for _, o := range tallies[1:] {
		t.merge(o)
	}
	return t.report()
}

// minChunk is the fewest flows Check gives a goroutine of its own.
const minChunk = 1 << 15

// chunks cuts n items into at most k ranges of at least least items, at
// least one range even when n is 0.
func chunks(n, k, least int) [][2]int {
	k = max(1, min(k, n/max(least, 1)))
	out := make([][2]int, k)
	for i := range out {
		out[i] = [2]int{n * i / k, n * (i + 1) / k}
	}
	return out
}

func (t *tally) check(flows []Flow) {
	pl := t.e.newPlacer()
	for i := range flows {
		f := &flows[i]
		d, src, dst := pl.decide(f)
		t.add(f, &d, src, dst)
	}
}

// tally adds up the flows of a Report.
type tally struct {
	e     *Evaluator
	r     Report      // the counts and window
	pairs []PairCount // by src zone * len(zones) + dst zone
	in    []int
	out   []int
	hits  []hit  // the violating flows, in order
	acc   []vacc // the violations, once hits are added up
}

// hit is a violating flow and its ends.
type hit struct {
	f        *Flow
	src, dst *end
}

// vacc is a violation being added up: its first flow and ends, the flows
// that give its window and application, and the sums of its flows. The
// Violation is made once all are added.
type vacc struct {
	hit
	first, last, app *Flow
	packets, bytes   uint64
}

func (e *Evaluator) newTally() *tally {
	n := len(e.zones)
	return &tally{e: e, pairs: make([]PairCount, n*n), in: make([]int, n), out: make([]int, n)}
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
	t.window(f.FirstSeen, f.LastSeen)
	p := &t.pairs[src.zone*len(t.e.zones)+dst.zone]
	p.Flows++
	p.Packets += f.Packets
	p.Bytes += f.Bytes
	t.out[src.zone]++
	t.in[dst.zone]++
	if !d.Allowed {
		p.Violations++
		p.ViolatingPackets += f.Packets
		t.hits = append(t.hits, hit{f: f, src: src, dst: dst})
	}
}

func (t *tally) window(first, last time.Time) {
	if !first.IsZero() && (t.r.From.IsZero() || first.Before(t.r.From)) {
		t.r.From = first
	}
	if last.After(t.r.To) {
		t.r.To = last
	}
}

// addUp adds up the hits of each key into t.acc, in the order of their
// first flows.
func (t *tally) addUp() {
	seen := make(map[flowID]int32, len(t.hits))
	t.acc = make([]vacc, 0, len(t.hits))
	for _, h := range t.hits {
		f, id := h.f, idOf(h.f)
		i, ok := seen[id]
		if !ok {
			seen[id] = int32(len(t.acc))
			t.acc = append(t.acc, vacc{hit: h, first: f, last: f, app: f})
			continue
		}
		v := &t.acc[i]
		v.packets += f.Packets
		v.bytes += f.Bytes
		if !f.FirstSeen.IsZero() && (v.first.FirstSeen.IsZero() ||
			f.FirstSeen.Before(v.first.FirstSeen)) {
			v.first = f
		}
		if f.LastSeen.After(v.last.LastSeen) {
			v.last = f
		}
		if v.app.App == "" {
			v.app = f
		}
	}
	for i := range t.acc {
		v := &t.acc[i]
		v.packets += v.f.Packets
		v.bytes += v.f.Bytes
	}
	t.hits = nil
}

// merge adds the flows o counted, which come after t's, to t's.
func (t *tally) merge(o *tally) {
	r, or := &t.r, &o.r
	r.Flows += or.Flows
	r.Allowed += or.Allowed
	r.Infrastructure += or.Infrastructure
	r.NotRouted += or.NotRouted
	r.Violating += or.Violating
	t.window(or.From, or.To)
	for i := range t.pairs {
		p, q := &t.pairs[i], &o.pairs[i]
		p.Flows += q.Flows
		p.Violations += q.Violations
		p.Packets += q.Packets
		p.ViolatingPackets += q.ViolatingPackets
		p.Bytes += q.Bytes
	}
	for i := range t.in {
		t.in[i] += o.in[i]
		t.out[i] += o.out[i]
	}
	t.hits = append(t.hits, o.hits...)
}

// violations makes the Violations of t, sorted by packets descending,
// then Key: the keys first, then each Violation in its place, sharing the
// work among goroutines.
func (t *tally) violations() []Violation {
	order := make([]rank, len(t.acc))
	t.parallel(func(i int) {
		order[i] = rankOf(t.acc[i].packets, keyOf(t.acc[i].f), int32(i))
	})
	order = sortRanks(order)
	out := make([]Violation, len(t.acc))
	t.parallel(func(i int) {
		a := &t.acc[order[i].i]
		v := &out[i]
		t.e.describe(v, a.f, a.src, a.dst, order[i].key)
		v.Key, v.Application = order[i].key, a.app.App
		v.Packets, v.Bytes = a.packets, a.bytes
		v.FirstSeen, v.LastSeen = a.first.FirstSeen, a.last.LastSeen
	})
	return out
}

// rank is a violation's place in a report: by packets descending, then
// by key, whose first 16 bytes hi and lo hold for a fast comparison.
type rank struct {
	packets uint64
	hi, lo  uint64
	key     string
	i       int32 // in tally.acc
}

func rankOf(packets uint64, key string, i int32) rank {
	var b [16]byte
	copy(b[:], key) // zero padding keeps the order of the strings
	return rank{packets: packets, key: key, i: i,
		hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:])}
}

func compareRanks(a, b rank) int {
	return cmp.Or(cmp.Compare(b.packets, a.packets), cmp.Compare(a.hi, b.hi),
		cmp.Compare(a.lo, b.lo), cmp.Compare(a.key, b.key))
}

// sortRanks sorts rs, halves at once when they are many, then merges
// them.
func sortRanks(rs []rank) []rank {
	if len(rs) < minChunk || runtime.GOMAXPROCS(0) < 2 {
		slices.SortFunc(rs, compareRanks)
		return rs
	}
	a, b := rs[:len(rs)/2], rs[len(rs)/2:]
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(a, compareRanks) })
	slices.SortFunc(b, compareRanks)
	wg.Wait()
	out := make([]rank, 0, len(rs))
	for len(a) > 0 && len(b) > 0 {
		if compareRanks(b[0], a[0]) < 0 {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}

// parallel calls fn for each violation's index, sharing them among
// goroutines.
func (t *tally) parallel(fn func(i int)) {
	var wg sync.WaitGroup
	for _, c := range chunks(len(t.acc), runtime.GOMAXPROCS(0), minChunk/4) {
		wg.Go(func() {
			for i := c[0]; i < c[1]; i++ {
				fn(i)
			}
		})
	}
	wg.Wait()
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
	var v Violation
	v.Application, v.Key = f.App, keyOf(f)
	e.describe(&v, f, src, dst, v.Key)
	v.Packets, v.Bytes, v.FirstSeen, v.LastSeen = f.Packets, f.Bytes, f.FirstSeen, f.LastSeen
	return v
}

// describe fills in what v says of f but for its key and sums: the ends,
// protocol, port, VLAN and workflow. key is f's, whose text the ends'
// addresses share.
func (e *Evaluator) describe(v *Violation, f *Flow, src, dst *end, key string) {
	sa, n := addrText(f.Src, key, 0)
	da, _ := addrText(f.Dst, key, n+1)
	v.Source, v.Destination = e.endpoint(sa, src), e.endpoint(da, dst)
	v.Protocol, v.Port, v.VLAN = ProtoName(f.Proto), f.DstPort, f.VLAN
	v.Workflow = WorkflowOf(f, e.device(src), e.device(dst))
}

// keyOf is f.Key(), made with one allocation.
func keyOf(f *Flow) string {
	var buf [96]byte
	b := appendAddr(buf[:0], f.Src)
	b = append(b, '>')
	b = appendAddr(b, f.Dst)
	b = append(b, '/')
	b = append(b, ProtoName(f.Proto)...)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(f.DstPort), 10)
	if f.VLAN != 0 {
		b = append(b, '@')
		b = strconv.AppendUint(b, uint64(f.VLAN), 10)
	}
	return string(b)
}

// appendAddr appends a's String.
func appendAddr(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(b, "invalid IP"...)
	}
	return a.AppendTo(b)
}

// addrText is a as an Endpoint gives it (an IPv4 address mapped into IPv6
// as IPv4), sharing the text of key from offset at when a's text is
// there; and the length of a's text as the key has it.
func addrText(a netip.Addr, key string, at int) (string, int) {
	var buf [64]byte
	n := len(appendAddr(buf[:0], a))
	switch {
	case a.Is4In6():
		return a.Unmap().String(), n
	case at+n > len(key):
		return a.String(), n
	}
	return key[at : at+n], n
}

func (e *Evaluator) device(x *end) *Device {
	if x.dev < 0 {
		return nil
	}
	return &e.devs[x.dev]
}

func (e *Evaluator) endpoint(address string, x *end) Endpoint {
	ep := Endpoint{Address: address, Zone: x.pl.Zone}
	if d := e.device(x); d != nil {
		ep.Device, ep.Name, ep.Category, ep.Criticality = d.ID, d.Name, d.Category, d.Criticality
	}
	return ep
}

func (t *tally) report() *Report {
	r := &t.r
	t.addUp()
	r.Violations = t.violations()
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

func byPackets(a, b *Violation) int {
	return cmp.Or(cmp.Compare(b.Packets, a.Packets), cmp.Compare(a.Key, b.Key))
}

// sortLarge returns xs sorted by compare, moving indices rather than the
// large values while it sorts.
func sortLarge[T any](xs []T, compare func(a, b *T) int) []T {
	order := make([]int32, len(xs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return compare(&xs[a], &xs[b]) })
	out := make([]T, len(xs))
	for i, j := range order {
		out[i] = xs[j]
	}
	return out
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
	starts := weekStarts(first, last, weeks)
	out := make([]Week, len(starts))
	for i, s := range starts {
		out[i].Start = s
		if w := weeks[s]; w != nil {
			out[i].Flows, out[i].Packets = len(w.flows), w.packets
		}
	}
	return out
}

// week is the violations of a week as Weekly adds them up.
type week struct {
	flows   map[flowID]struct{}
	packets uint64
}

// weekStarts lists the weeks from first to last, or only those of weeks
// when they are more than maxWeeks apart.
func weekStarts(first, last time.Time, weeks map[time.Time]*week) []time.Time {
	var starts []time.Time
	if last.Sub(first) <= maxWeeks*7*24*time.Hour {
		for s := first; !s.After(last); s = s.AddDate(0, 0, 7) {
			starts = append(starts, s)
		}
		return starts
	}
	for s := range weeks {
		starts = append(starts, s)
	}
	slices.SortFunc(starts, time.Time.Compare)
	return starts
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
