package observe

import (
	"net/netip"
	"time"

	"github.com/wardhq/ward/internal/decode"
	"github.com/wardhq/ward/internal/dissect"
)

// worker decodes and dissects its share of the packets. Each worker owns
// its tables and connections; nothing in it is shared.
type worker struct {
	cfg      Config
	p        decode.Packet
	t        tables
	conns    map[connKey]*conn
	lru      lru
	buffered int   // bytes held in stream heads
	lastConn *conn // the connection of the last TCP segment, still in conns
	pool     bufPool
	maxConns int
	facts    []dissect.Fact   // scratch for dissector output
	strs     *dissect.Strings // interns the dissectors' fact values
	recent   recentFacts      // the facts of each pair's last connection
	stats    Stats
	first    int64
	last     int64
	now      int64 // capture time of the packet being handled
	sinceGC  int
}

func newWorker(cfg Config, share int) *worker {
	return &worker{
		cfg:      cfg,
		t:        newTables(),
		conns:    make(map[connKey]*conn),
		maxConns: max(cfg.MaxConns/share, 1),
		strs:     dissect.NewStrings(),
	}
}

// handle processes one frame. wireLen is its length on the wire.
func (w *worker) handle(lt decode.LinkType, frame []byte, ts int64, wireLen int) {
	w.stats.Packets++
	w.stats.Bytes += uint64(len(frame))
	if w.stats.Packets == 1 {
		w.first, w.last = ts, ts
	}
	w.first = min(w.first, ts)
	w.last = max(w.last, ts)
	w.now = ts

	p := &w.p
	err := p.Decode(lt, frame)
	if p.Truncated {
		w.stats.Truncated++
	}
	if err != nil && p.Layer == decode.LayerNone {
		w.stats.Undecoded++
		return
	}
	if p.IPVersion == 0 {
		w.link()
		return
	}
	w.ip(wireLen)
	if w.sinceGC++; w.sinceGC >= 1024 {
		w.sinceGC = 0
		w.expireIdle()
	}
}

func (w *worker) vlan() uint16 {
	if w.p.NumVLAN == 0 {
		return 0
	}
	return w.p.VLANs[w.p.NumVLAN-1]
}

func (w *worker) context() dissect.Context {
	p := &w.p
	ctx := dissect.Context{
		Time:    time.Unix(0, w.now).UTC(),
		SrcPort: p.SrcPort, DstPort: p.DstPort,
		VLAN: w.vlan(), Strings: w.strs,
	}
	if p.HasMAC {
		ctx.Src.MAC, ctx.Dst.MAC = p.SrcMAC, p.DstMAC
	}
	ctx.Src.IP, ctx.Dst.IP = p.SrcIP, p.DstIP
	return ctx
}

// link handles frames without IP: ARP, LLDP, CDP.
func (w *worker) link() {
	p := &w.p
	switch {
	case p.EtherType == decode.EtherTypeARP && p.Layer >= decode.LayerNetwork:
		a := &p.ARP
		if a.SenderIP.IsValid() && !a.SenderIP.IsUnspecified() && a.SenderMAC != [6]byte{} {
			w.t.bind(a.SenderMAC, a.SenderIP, w.vlan(), BindARP, w.now, 0)
		}
	case p.EtherType == decode.EtherTypeLLDP:
		w.datagram(lldpProto, p.L2Payload)
	case p.LLC.Present && p.LLC.SNAPOUI == [3]byte{0, 0, 0x0c} && p.LLC.SNAPType == 0x2000:
		w.datagram(cdpProto, p.L2Payload)
	}
}

// datagram runs a datagram dissector and keeps its facts.
func (w *worker) datagram(d *datagramProto, payload []byte) {
	ctx := w.context()
	var err error
	w.facts, err = d.fn(&ctx, payload, w.facts[:0])
	if err != nil {
		w.dissectError("dissect datagram", d.name, err)
	}
	w.keepFacts(w.now)
}

// Dissector errors are per packet: the first debugErrors of a worker are
// logged, then one in debugEvery, with the count so far.
const (
	debugErrors = 16
	debugEvery  = 1024
)

// dissectError counts a payload a dissector could not fully read and logs
// it at debug level, rate limited. Error texts name offsets and fields,
// never payload bytes.
func (w *worker) dissectError(msg, proto string, err error) {
	w.stats.DissectErrs++
	if n := w.stats.DissectErrs; n <= debugErrors || n%debugEvery == 0 {
		w.cfg.Logger.Debug(msg, "component", "observe", "proto", proto, "err", err,
			"errors_so_far", n)
	}
}

func (w *worker) keepFacts(ts int64) {
	for i := range w.facts {
		f := &w.facts[i]
		if f.Key == "" || f.Value == "" {
			continue
		}
		w.t.addFact(f, ts)
	}
}

func usableSource(ip netip.Addr) bool {
	return ip.IsValid() && !ip.IsUnspecified() && !ip.IsMulticast() &&
		ip != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// ip handles an IP packet: flow accounting, bindings and dissection.
func (w *worker) ip(wireLen int) {
	p := &w.p
	switch {
	case p.Proto == decode.ProtoTCP && p.Layer >= decode.LayerTransport:
		w.tcp(wireLen)
	case p.Proto == decode.ProtoUDP && p.Layer >= decode.LayerTransport:
		w.udp(wireLen)
	default:
		if p.Proto == decode.ProtoICMPv6 && p.Layer >= decode.LayerTransport {
			w.ndp()
		}
		var dport uint16
		f, fwd := w.flow(FlowKey{Src: p.SrcIP, Dst: p.DstIP, Proto: p.Proto, VLAN: w.vlan()},
			dport, dport, false)
		w.count(f, fwd, wireLen)
	}
}

// ndp binds MACs to IPv6 addresses from neighbour discovery, and notes
// routers from their advertisements.
func (w *worker) ndp() {
	n := &w.p.NDP
	p := &w.p
	if n.RouterAdv && p.HasMAC {
		w.facts = append(w.facts[:0], dissect.Fact{
			Who:    dissect.Endpoint{MAC: p.SrcMAC, IP: p.SrcIP},
			Source: "ndp", Key: dissect.KeyRouter, Value: "yes", Confidence: dissect.High,
		})
		w.keepFacts(w.now)
	}
	if !n.HasLink {
		return
	}
	switch {
	case w.p.ICMP.Type == 136 && n.Target.IsValid():
		w.t.bind(n.LinkAddr, n.Target, w.vlan(), BindNDP, w.now, 0)
	case usableSource(p.SrcIP):
		w.t.bind(n.LinkAddr, p.SrcIP, w.vlan(), BindNDP, w.now, 0)
	}
}

// flow finds or creates the flow of the packet whose addresses key holds.
// sport and dport are the packet's ports; reversed says that the service
// is at the packet's source (sport), so that the flow runs the other way.
// It returns the flow and whether the packet goes from the flow's Src to
// its Dst.
func (w *worker) flow(key FlowKey, sport, dport uint16, reversed bool) (*flowAgg, bool) {
	if reversed {
		key.Src, key.Dst = key.Dst, key.Src
		key.DstPort = sport
	} else {
		key.DstPort = dport
	}
	f := w.t.flows[key]
	if f == nil {
		f = &flowAgg{key: key, first: w.now, last: w.now}
		w.t.flows[key] = f
	}
	return f, !reversed
}

// count adds the current packet to f and the sender's binding.
func (w *worker) count(f *flowAgg, fwd bool, wireLen int) {
	p := &w.p
	f.packets++
	f.bytes += uint64(wireLen)
	f.last = max(f.last, w.now)
	f.first = min(f.first, w.now)
	f.countHour(w.now, uint64(wireLen))
	cache := &f.src
	if !fwd {
		f.packetsRev++
		f.bytesRev += uint64(wireLen)
		cache = &f.dst
	}
	if !p.HasMAC {
		return
	}
	if fwd {
		f.srcMAC, f.dstMAC = p.SrcMAC, p.DstMAC
	} else {
		f.srcMAC, f.dstMAC = p.DstMAC, p.SrcMAC
	}
	if usableSource(p.SrcIP) && p.SrcMAC != [6]byte{} {
		w.t.bindCached(cache, p.SrcMAC, p.SrcIP, w.vlan(), w.now, wireLen)
	}
}

// udp accounts the datagram to its flow and runs the dissector of its port.
func (w *worker) udp(wireLen int) {
	p := &w.p
	key := FlowKey{Src: p.SrcIP, Dst: p.DstIP, Proto: p.Proto, VLAN: w.vlan(), DstPort: p.DstPort}
	var f *flowAgg
	fwd := true
	if f = w.t.flows[key]; f == nil {
		rev := FlowKey{Src: p.DstIP, Dst: p.SrcIP, Proto: p.Proto, VLAN: key.VLAN, DstPort: p.SrcPort}
		if f = w.t.flows[rev]; f != nil {
			fwd = false
		} else {
			f, fwd = w.flow(key, p.SrcPort, p.DstPort, servicePortIsSource(p.SrcPort, p.DstPort))
		}
	}
	d := datagramFor(p.SrcPort, p.DstPort)
	if d != nil && f.app == "" {
		f.app = d.name
	}
	w.count(f, fwd, wireLen)
	if d != nil && len(p.Payload) > 0 {
		w.datagram(d, p.Payload)
	}
}

// servicePortIsSource guesses, for the first packet of a UDP or TCP
// conversation, whether its source port is the service's port.
func servicePortIsSource(sport, dport uint16) bool {
	sk, dk := knownPort(sport), knownPort(dport)
	switch {
	case dk && !sk:
		return false
	case sk && !dk:
		return true
	case sk && dk:
		return sport < dport
	}
	return sport < dport && sport < 1024
}

// tcp accounts the segment to its connection and flow, and feeds the
// stream heads.
func (w *worker) tcp(wireLen int) {
	p := &w.p
	key, srcIsLo := makeConnKey(p.SrcIP, p.SrcPort, p.DstIP, p.DstPort)
	c := w.lastConn
	if c == nil || c.key != key {
		c = w.conns[key]
	}
	if c != nil && w.now-c.last > int64(w.cfg.IdleTimeout) {
		// Silent for longer than the idle timeout: a new connection that
		// reuses the addresses and ports, whenever the sweep would have
		// dropped the old one.
		w.evict(c)
		c = nil
	}
	if c == nil {
		c = w.newConn(key, srcIsLo)
	} else {
		w.lru.moveToFront(c)
	}
	c.last = w.now
	w.lastConn = c
	fromClient := srcIsLo == c.clientIsLo
	w.count(c.flow, fromClient, wireLen)
	dir := 0
	if !fromClient {
		dir = 1
	}
	if c.finished {
		if c.proto != nil && c.proto.count != nil && len(p.Payload) > 0 {
			w.countMessages(c, dir, c.heads[dir].past(p.TCP.Seq, p.Payload))
		}
		// The heads are done, but how the connection ends still tells
		// an eviction from a close.
		w.closes(c, dir, p.TCP.Flags)
		return
	}
	w.segment(c, dir)
}

func (w *worker) newConn(key connKey, srcIsLo bool) *conn {
	p := &w.p
	w.stats.Streams++
	if w.lru.n >= w.maxConns {
		w.evict(w.lru.tail)
	}
	// The client is the sender of a SYN, the receiver of a SYN-ACK, the
	// client of a flow already seen (the connection was evicted, or is
	// one of several), and otherwise the side not on the service port.
	vlan := w.vlan()
	fwd := FlowKey{Src: p.SrcIP, Dst: p.DstIP, Proto: decode.ProtoTCP, DstPort: p.DstPort, VLAN: vlan}
	rev := FlowKey{Src: p.DstIP, Dst: p.SrcIP, Proto: decode.ProtoTCP, DstPort: p.SrcPort, VLAN: vlan}
	var srcIsClient bool
	switch {
	case p.TCP.Flags&decode.TCPSyn != 0:
		srcIsClient = p.TCP.Flags&decode.TCPAck == 0
	case w.t.flows[fwd] != nil:
		srcIsClient = true
	case w.t.flows[rev] != nil:
		srcIsClient = false
	default:
		srcIsClient = !servicePortIsSource(p.SrcPort, p.DstPort)
	}
	c := &conn{key: key, first: w.now, last: w.now, vlan: vlan,
		clientIsLo: srcIsLo == srcIsClient}
	src := dissect.Endpoint{IP: p.SrcIP}
	dst := dissect.Endpoint{IP: p.DstIP}
	if p.HasMAC {
		src.MAC, dst.MAC = p.SrcMAC, p.DstMAC
	}
	if srcIsClient {
		c.client, c.server, c.cport, c.sport = src, dst, p.SrcPort, p.DstPort
	} else {
		c.client, c.server, c.cport, c.sport = dst, src, p.DstPort, p.SrcPort
	}
	c.flow, _ = w.flow(FlowKey{Src: c.client.IP, Dst: c.server.IP, Proto: decode.ProtoTCP,
		VLAN: c.vlan}, c.cport, c.sport, false)
	if c.flow.app == "" {
		c.flow.app = streamPortName(c.sport)
	}
	c.flow.conns++
	w.conns[key] = c
	w.lru.pushFront(c)
	return c
}

// segment feeds one TCP segment into direction dir of c.
func (w *worker) segment(c *conn, dir int) {
	p := &w.p
	h := &c.heads[dir]
	flags := p.TCP.Flags
	seq := p.TCP.Seq
	if flags&decode.TCPSyn != 0 {
		c.sawSyn = true
		h.next, h.synced = seq+1, true
		seq++
	}
	if len(p.Payload) > 0 {
		w.buffered += h.add(seq, p.Payload, w.cfg.HeadSize, &w.pool)
	}
	w.closes(c, dir, flags)
	if !w.classify(c) && w.headsComplete(c) {
		w.finish(c)
	}
	for w.buffered > w.cfg.MaxBuffered && w.lru.tail != nil && w.lru.tail != c {
		w.evict(w.lru.tail)
	}
}

// closes notes a FIN or RST in direction dir of c.
func (w *worker) closes(c *conn, dir int, flags uint8) {
	if flags&(decode.TCPFin|decode.TCPRst) == 0 {
		return
	}
	c.heads[dir].closed = true
	if flags&decode.TCPRst != 0 {
		c.heads[1-dir].closed = true
	}
}

func (w *worker) headsComplete(c *conn) bool {
	limit := w.cfg.HeadSize
	done := func(h *half) bool { return h.closed || h.full(limit) }
	return done(&c.heads[0]) && done(&c.heads[1])
}

// classify picks c's stream dissector once both directions have shown
// their first bytes (or one side has said enough alone), and stops
// buffering a connection that no dissector reads. It reports whether c
// was finished.
func (w *worker) classify(c *conn) bool {
	if c.classified {
		return false
	}
	cl, sv := c.heads[0].buf, c.heads[1].buf
	if !(len(cl) > 0 && len(sv) > 0 || len(cl) >= 256 || len(sv) >= 64) {
		return false
	}
	c.classified = true
	c.proto = streamFor(c.cport, c.sport, cl, sv)
	if c.proto == nil {
		w.finish(c)
		return true
	}
	return false
}

// finish runs the stream dissector over c's heads and frees them.
func (w *worker) finish(c *conn) {
	if c.finished {
		return
	}
	c.finished = true
	cl, sv := c.heads[0].buf, c.heads[1].buf
	if len(cl)+len(sv) > 0 {
		s := c.proto
		if !c.classified {
			s = streamFor(c.cport, c.sport, cl, sv)
			c.proto, c.classified = s, true
		}
		if s != nil {
			w.dissectStream(c, s, cl, sv)
			w.countMessages(c, 0, cl)
			w.countMessages(c, 1, sv)
		}
	}
	w.buffered -= c.heads[0].held() + c.heads[1].held()
	c.heads[0].release(&w.pool)
	c.heads[1].release(&w.pool)
}

func (w *worker) dissectStream(c *conn, s *streamProto, cl, sv []byte) {
	c.flow.app = s.name
	ctx := dissect.Context{
		Time: time.Unix(0, c.first).UTC(), Src: c.client, Dst: c.server,
		SrcPort: c.cport, DstPort: c.sport, VLAN: c.vlan, Strings: w.strs,
	}
	var err error
	w.facts, err = s.fn(&ctx, cl, sv, w.facts[:0])
	if err != nil {
		w.dissectError("dissect stream", s.name, err)
	}
	if name := tlsServices[c.sport]; name != "" && s.name == "tls" {
		// The content is encrypted: only the port says what runs inside.
		w.facts = append(w.facts, dissect.Fact{Who: c.server, Source: s.name,
			Key: dissect.KeyService, Value: name, Confidence: dissect.Medium})
	}
	w.recent.keep(&w.t, s, c.client, c.server, w.facts, c.first)
}

// countMessages adds the messages of c's protocol in data, sent in
// direction dir, to c's flow.
func (w *worker) countMessages(c *conn, dir int, data []byte) {
	if c.proto.count == nil || len(data) == 0 {
		return
	}
	n := uint64(c.proto.count(data))
	if dir == 0 {
		c.flow.messages += n
	} else {
		c.flow.messagesRev += n
	}
}

// evict dissects c and removes it from the table.
func (w *worker) evict(c *conn) {
	if c == nil {
		return
	}
	if !c.heads[0].closed || !c.heads[1].closed {
		w.stats.Evicted++
	}
	w.finish(c)
	w.lru.remove(c)
	delete(w.conns, c.key)
	if w.lastConn == c {
		w.lastConn = nil
	}
}

// expireIdle evicts connections silent for longer than the idle timeout.
func (w *worker) expireIdle() {
	limit := w.now - int64(w.cfg.IdleTimeout)
	for c := w.lru.tail; c != nil && c.last < limit; c = w.lru.tail {
		w.evict(c)
	}
}

// flush dissects every connection still open, at the end of input.
func (w *worker) flush() {
	for c := w.lru.tail; c != nil; c = w.lru.tail {
		w.finish(c)
		w.lru.remove(c)
		delete(w.conns, c.key)
	}
	w.lastConn = nil
}
