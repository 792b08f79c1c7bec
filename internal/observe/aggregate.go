package observe

import (
	"cmp"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/wardhq/ward/internal/dissect"
)

// factKey identifies an observation: the same fact from many packets is
// one observation with a count.
type factKey struct {
	who                dissect.Endpoint
	source, key, value string
	peer               dissect.Endpoint
}

type factAgg struct {
	conf        dissect.Confidence
	first, last int64 // unix nanoseconds, capture time
	count       uint64
}

type bindKey struct {
	mac  dissect.MAC
	ip   netip.Addr
	vlan uint16
	kind BindingKind
}

type bindAgg struct {
	bindKey
	first, last    int64
	packets, bytes uint64
}

type flowAgg struct {
	key                   FlowKey
	app                   string
	packets, bytes        uint64
	packetsRev, bytesRev  uint64
	messages, messagesRev uint64 // application messages, where the dissector counts them
	conns                 uint64 // TCP connections
	first, last           int64
	srcMAC, dstMAC        dissect.MAC
	// src and dst cache the bindings of the flow's addresses to the MACs
	// they were last seen with, so that most packets update a binding
	// without a map lookup.
	src, dst *bindAgg
	// hours are the counts per hour, in hour order; lastHour points to the
	// hour of the last packet, which most packets fall in again (nil when
	// hours has changed since). Most flows live in one or two hours, so a
	// short slice serves better than a map, and the first hour is kept in
	// hour0 without an allocation of its own.
	hours    []hourAgg
	lastHour *hourAgg
	hour0    [1]hourAgg
}

// hourNanos is an hour in nanoseconds.
const hourNanos = int64(time.Hour)

// hourAgg is a flow's traffic in the hour that starts at start (unix
// nanoseconds).
type hourAgg struct {
	start          int64
	packets, bytes uint64
}

// hourOf is the start of the hour of ts, both unix nanoseconds.
func hourOf(ts int64) int64 {
	h := ts - ts%hourNanos
	if ts < 0 && h != ts {
		h -= hourNanos
	}
	return h
}

// countHour adds a packet of bytes seen at ts to its hour. It is short
// enough to be inlined for the packets of the last packet's hour.
func (a *flowAgg) countHour(ts int64, bytes uint64) {
	// One unsigned comparison: start <= ts < start + an hour.
	if h := a.lastHour; h != nil && uint64(ts-h.start) < uint64(hourNanos) {
		h.packets++
		h.bytes += bytes
		return
	}
	a.otherHour(ts, bytes)
}

// otherHour adds a packet to an hour other than the last packet's.
func (a *flowAgg) otherHour(ts int64, bytes uint64) {
	if a.hours == nil {
		a.hours = a.hour0[:0]
	}
	start := hourOf(ts)
	i, found := slices.BinarySearchFunc(a.hours, start, func(h hourAgg, s int64) int {
		return cmp.Compare(h.start, s)
	})
	if !found {
		a.hours = slices.Insert(a.hours, i, hourAgg{start: start})
	}
	a.lastHour = &a.hours[i]
	a.lastHour.packets++
	a.lastHour.bytes += bytes
}

// mergeHours adds the hours of b into a, both in hour order.
func mergeHours(a, b []hourAgg) []hourAgg {
	if len(a) == 0 {
		return b
	}
	out := make([]hourAgg, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0].start < b[0].start:
			out, a = append(out, a[0]), a[1:]
		case b[0].start < a[0].start:
			out, b = append(out, b[0]), b[1:]
		default:
			h := a[0]
			h.packets += b[0].packets
			h.bytes += b[0].bytes
			out, a, b = append(out, h), a[1:], b[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
}

// hourCounts appends hours, converted, to *all and returns them: the
// flows of a result share one array.
func hourCounts(all *[]HourCount, hours []hourAgg) []HourCount {
	n := len(*all)
	for _, h := range hours {
		*all = append(*all, HourCount{Hour: nsTime(h.start), Packets: h.packets, Bytes: h.bytes})
	}
	return (*all)[n:len(*all):len(*all)]
}

// tables holds one worker's aggregates. It is not safe for concurrent use.
type tables struct {
	facts    map[factKey]*factAgg
	bindings map[bindKey]*bindAgg
	flows    map[FlowKey]*flowAgg
}

func newTables() tables {
	return tables{
		facts:    make(map[factKey]*factAgg),
		bindings: make(map[bindKey]*bindAgg),
		flows:    make(map[FlowKey]*flowAgg),
	}
}

// addFact counts f, seen at ts, and returns its aggregate.
func (t *tables) addFact(f *dissect.Fact, ts int64) *factAgg {
	k := factKey{who: f.Who, source: f.Source, key: f.Key, value: f.Value, peer: f.Peer}
	a := t.facts[k]
	if a == nil {
		a = &factAgg{conf: f.Confidence, first: ts, last: ts, count: 1}
		t.facts[k] = a
		return a
	}
	a.touch(f.Confidence, ts)
	return a
}

// touch counts one more sighting, at ts with confidence c.
func (a *factAgg) touch(c dissect.Confidence, ts int64) {
	a.count++
	a.conf = max(a.conf, c)
	a.first = min(a.first, ts)
	a.last = max(a.last, ts)
}

// bind records that mac was seen with ip and returns the binding.
func (t *tables) bind(mac dissect.MAC, ip netip.Addr, vlan uint16, kind BindingKind,
	ts int64, bytes int) *bindAgg {
	k := bindKey{mac: mac, ip: ip, vlan: vlan, kind: kind}
	b := t.bindings[k]
	if b == nil {
		b = &bindAgg{bindKey: k, first: ts, last: ts}
		t.bindings[k] = b
	}
	b.touch(ts, bytes)
	return b
}

func (b *bindAgg) touch(ts int64, bytes int) {
	b.packets++
	b.bytes += uint64(bytes)
	b.first = min(b.first, ts)
	b.last = max(b.last, ts)
}

// bindCached updates *cache when it still names mac and vlan, and looks the
// binding up otherwise.
func (t *tables) bindCached(cache **bindAgg, mac dissect.MAC, ip netip.Addr, vlan uint16,
	ts int64, bytes int) {
	if b := *cache; b != nil && b.mac == mac && b.vlan == vlan {
		b.touch(ts, bytes)
		return
	}
	*cache = t.bind(mac, ip, vlan, BindIPSource, ts, bytes)
}

// merge adds o's aggregates into t, the three tables at once.
func (t *tables) merge(o *tables) {
	var wg sync.WaitGroup
	wg.Go(func() { mergeFacts(t.facts, o.facts) })
	wg.Go(func() { mergeBindings(t.bindings, o.bindings) })
	mergeFlows(t.flows, o.flows)
	wg.Wait()
}

func mergeFacts(into, from map[factKey]*factAgg) {
	for k, b := range from {
		a := into[k]
		if a == nil {
			into[k] = b
			continue
		}
		a.count += b.count
		a.conf = max(a.conf, b.conf)
		a.first = min(a.first, b.first)
		a.last = max(a.last, b.last)
	}
}

func mergeBindings(into, from map[bindKey]*bindAgg) {
	for k, b := range from {
		a := into[k]
		if a == nil {
			into[k] = b
			continue
		}
		a.packets += b.packets
		a.bytes += b.bytes
		a.first = min(a.first, b.first)
		a.last = max(a.last, b.last)
	}
}

func mergeFlows(into, from map[FlowKey]*flowAgg) {
	for k, f := range from {
		if a := into[k]; a != nil {
			a.mergeFrom(f)
		} else {
			into[k] = f
		}
	}
}

func (a *flowAgg) mergeFrom(f *flowAgg) {
	a.packets += f.packets
	a.bytes += f.bytes
	a.packetsRev += f.packetsRev
	a.bytesRev += f.bytesRev
	a.messages += f.messages
	a.conns += f.conns
	a.messagesRev += f.messagesRev
	if a.app == "" {
		a.app = f.app
	}
	if f.last > a.last {
		a.srcMAC, a.dstMAC = f.srcMAC, f.dstMAC
	}
	a.first = min(a.first, f.first)
	a.last = max(a.last, f.last)
	a.hours, a.lastHour = mergeHours(a.hours, f.hours), nil
}

func nsTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// result converts the aggregates into a Result's lists (unsorted).
func (t *tables) result(r *Result) {
	r.Observations = make([]Observation, 0, len(t.facts))
	for k, a := range t.facts {
		r.Observations = append(r.Observations, Observation{
			Fact: dissect.Fact{Who: k.who, Source: k.source, Key: k.key, Value: k.value,
				Confidence: a.conf, Peer: k.peer},
			First: nsTime(a.first), Last: nsTime(a.last), Count: a.count,
		})
	}
	r.Bindings = make([]Binding, 0, len(t.bindings))
	for _, b := range t.bindings {
		r.Bindings = append(r.Bindings, Binding{
			MAC: b.mac, IP: b.ip, VLAN: b.vlan, Kind: b.kind,
			First: nsTime(b.first), Last: nsTime(b.last), Packets: b.packets, Bytes: b.bytes,
		})
	}
	r.Flows = make([]Flow, 0, len(t.flows))
	n := 0
	for _, f := range t.flows {
		n += len(f.hours)
	}
	hours := make([]HourCount, 0, n)
	for _, f := range t.flows {
		r.Flows = append(r.Flows, Flow{
			FlowKey: f.key, App: f.app, Packets: f.packets, Bytes: f.bytes,
			PacketsRev: f.packetsRev, BytesRev: f.bytesRev,
			Messages: f.messages, MessagesRev: f.messagesRev, Connections: f.conns,
			First: nsTime(f.first), Last: nsTime(f.last), SrcMAC: f.srcMAC, DstMAC: f.dstMAC,
			Hours: hourCounts(&hours, f.hours),
		})
	}
}
