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
// returns the change in bytes held.
func (h *half) add(seq uint32, data []byte, limit int) int {
	if !h.synced {
		h.next, h.synced = seq, true
	}
	before := h.held()
	d := int32(seq - h.next)
	switch {
	case d > 0:
		h.hold(seq, data, limit)
	default:
		h.appendInOrder(seq, data, limit)
		h.drain(limit)
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
func (h *half) appendInOrder(seq uint32, data []byte, limit int) {
	skip := int(h.next - seq)
	if skip >= len(data) {
		return
	}
	data = data[skip:]
	if room := limit - len(h.buf); room > 0 {
		n := min(room, len(data))
		if h.buf == nil {
			h.buf = make([]byte, 0, min(limit, max(n, 2048)))
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
func (h *half) drain(limit int) {
	for progress := true; progress && len(h.ooo) > 0; {
		progress = false
		for i := 0; i < len(h.ooo); i++ {
			s := h.ooo[i]
			if int32(s.seq-h.next) > 0 {
				continue
			}
			h.appendInOrder(s.seq, s.data, limit)
			h.ooo = append(h.ooo[:i], h.ooo[i+1:]...)
			i--
			progress = true
		}
	}
	if len(h.ooo) == 0 {
		h.ooo = nil
	}
}

func (h *half) release() {
	h.buf, h.ooo = nil, nil
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
