package observe

import (
	"net/netip"

	"github.com/wardhq/ward/internal/dissect"
)

// connKey names a TCP connection independently of direction: lo is the
// smaller (address, port) pair.
type connKey struct {
	loIP, hiIP     netip.Addr
	loPort, hiPort uint16
}

func makeConnKey(a netip.Addr, ap uint16, b netip.Addr, bp uint16) (k connKey, aIsLo bool) {
	c := a.Compare(b)
	if c < 0 || (c == 0 && ap <= bp) {
		return connKey{loIP: a, hiIP: b, loPort: ap, hiPort: bp}, true
	}
	return connKey{loIP: b, hiIP: a, loPort: bp, hiPort: ap}, false
}

// segment is an out-of-order TCP segment held until the gap before it fills.
type segment struct {
	seq  uint32
	data []byte // a copy
}

// half is one direction of a connection: its stream head.
type half struct {
	next   uint32 // next expected sequence number; valid when synced
	synced bool
	closed bool // FIN or RST seen
	buf    []byte
	ooo    []segment
}

// maxOutOfOrder bounds the segments held per direction while waiting for
// a gap to fill.
const maxOutOfOrder = 16

// add places data at seq into the head, keeping at most limit bytes. It
// returns the change in bytes held. Buffers come from pool (nil: the heap).
func (h *half) add(seq uint32, data []byte, limit int, pool *bufPool) int {
	if !h.synced {
		h.next, h.synced = seq, true
	}
	before := h.held()
	d := int32(seq - h.next)
	switch {
	case d > 0:
		h.hold(seq, data, limit)
	default:
		h.appendInOrder(seq, data, limit, pool)
		h.drain(limit, pool)
	}
	return h.held() - before
}

func (h *half) held() int {
	n := cap(h.buf)
	for _, s := range h.ooo {
		n += cap(s.data)
	}
	return n
}

func (h *half) full(limit int) bool { return len(h.buf) >= limit }

// appendInOrder appends the part of data at seq that is past h.next; data
// before it is a retransmission.
func (h *half) appendInOrder(seq uint32, data []byte, limit int, pool *bufPool) {
	skip := int(h.next - seq)
	if skip >= len(data) {
		return
	}
	data = data[skip:]
	if room := limit - len(h.buf); room > 0 {
		n := min(room, len(data))
		if len(h.buf)+n > cap(h.buf) {
			h.buf = pool.grow(h.buf, len(h.buf)+n, limit)
		}
		h.buf = append(h.buf, data[:n]...)
	}
	h.next += uint32(len(data))
}

func (h *half) hold(seq uint32, data []byte, limit int) {
	if h.full(limit) || len(h.ooo) >= maxOutOfOrder || int(seq-h.next) >= limit {
		return
	}
	for _, s := range h.ooo {
		if s.seq == seq && len(s.data) >= len(data) {
			return
		}
	}
	n := min(len(data), limit)
	h.ooo = append(h.ooo, segment{seq: seq, data: append([]byte(nil), data[:n]...)})
}

// drain applies held segments that the in-order data has reached.
func (h *half) drain(limit int, pool *bufPool) {
	for progress := true; progress && len(h.ooo) > 0; {
		progress = false
		for i := 0; i < len(h.ooo); i++ {
			s := h.ooo[i]
			if int32(s.seq-h.next) > 0 {
				continue
			}
			h.appendInOrder(s.seq, s.data, limit, pool)
			h.ooo = append(h.ooo[:i], h.ooo[i+1:]...)
			i--
			progress = true
		}
	}
	if len(h.ooo) == 0 {
		h.ooo = nil
	}
}

// past returns the part of a segment at seq that lies past everything this
// direction has carried so far, and moves the direction's end past it. It
// serves connections whose heads are done: a retransmission returns
// nothing, a segment after a gap is taken whole.
func (h *half) past(seq uint32, data []byte) []byte {
	if !h.synced {
		h.next, h.synced = seq, true
	}
	if d := int32(seq - h.next); d < 0 {
		skip := -int(d)
		if skip >= len(data) {
			return nil
		}
		data = data[skip:]
		seq = h.next
	}
	h.next = seq + uint32(len(data))
	return data
}

func (h *half) release(pool *bufPool) {
	pool.put(h.buf)
	h.buf, h.ooo = nil, nil
}

// Stream-head buffers come in two sizes: a small one for the many heads
// that stay short, and one of the head limit for those that grow past it.
const smallHead = 2 << 10

// bufPool keeps stream-head buffers for reuse, so that heads neither grow
// by repeated copying nor churn the collector. Not safe for concurrent
// use: each worker has its own.
type bufPool struct {
	small, large [][]byte
}

// maxPooled bounds the buffers of each size kept for reuse.
const maxPooled = 256

// grow returns a buffer holding b's bytes with room for need bytes (at
// most limit), and recycles b.
func (p *bufPool) grow(b []byte, need, limit int) []byte {
	size := limit
	if need <= smallHead && limit >= smallHead {
		size = smallHead
	}
	var nb []byte
	switch {
	case p == nil:
		nb = make([]byte, 0, size)
	case size == smallHead:
		nb = p.take(&p.small, size)
	default:
		nb = p.take(&p.large, size)
	}
	nb = append(nb[:0], b...)
	p.put(b)
	return nb
}

func (p *bufPool) take(list *[][]byte, size int) []byte {
	if len(*list) > 0 {
		b := (*list)[len(*list)-1]
		*list = (*list)[:len(*list)-1]
		if cap(b) >= size {
			return b[:0]
		}
	}
	return make([]byte, 0, size)
}

func (p *bufPool) put(b []byte) {
	switch {
	case p == nil || b == nil:
	case cap(b) == smallHead && len(p.small) < maxPooled:
		p.small = append(p.small, b[:0])
	case cap(b) > smallHead && len(p.large) < maxPooled:
		p.large = append(p.large, b[:0])
	}
}

// conn is one TCP connection in the table. It is an element of the
// worker's LRU list: prev is more recently used, next less.
type conn struct {
	key            connKey
	prev, next     *conn
	client, server dissect.Endpoint
	cport, sport   uint16
	vlan           uint16
	heads          [2]half // 0: client to server, 1: server to client
	first, last    int64
	flow           *flowAgg
	clientIsLo     bool
	sawSyn         bool
	classified     bool         // proto is decided
	proto          *streamProto // the dissector for its content; nil for none
	finished       bool         // dissected, or given up; nothing more is buffered
}

// lru is a doubly linked list of connections, most recent first.
type lru struct {
	head, tail *conn
	n          int
}

func (l *lru) pushFront(c *conn) {
	c.prev, c.next = nil, l.head
	if l.head != nil {
		l.head.prev = c
	}
	l.head = c
	if l.tail == nil {
		l.tail = c
	}
	l.n++
}

func (l *lru) remove(c *conn) {
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		l.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		l.tail = c.prev
	}
	c.prev, c.next = nil, nil
	l.n--
}

func (l *lru) moveToFront(c *conn) {
	if l.head == c {
		return
	}
	l.remove(c)
	l.pushFront(c)
}
