package demo

import (
	"time"
)

// TCP parameters of the simulated stacks.
const (
	mss       = 1460
	tcpWindow = 64240
)

// synOpts are the options of a SYN and a SYN-ACK: MSS 1460, window scale
// 8 and SACK permitted, in the order Windows sends them.
var synOpts = []byte{2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2}

// conn is a TCP connection being played: both ends' addresses and next
// sequence numbers. Frames go to the capture as they are sent.
type conn struct {
	c            *recording
	cl, sv       link // the client and the server
	cport, sport uint16
	cseq, sseq   uint32        // the next sequence number each end sends
	oneWay       time.Duration // half the round trip
}

// dial opens a connection at t with the three-way handshake and returns it
// with the time the client's final ACK reaches the server.
func dial(c *recording, cl, sv link, cport, sport uint16, isn [2]uint32, rtt time.Duration,
	t time.Time) (*conn, time.Time) {
	k := &conn{c: c, cl: cl, sv: sv, cport: cport, sport: sport, cseq: isn[0], sseq: isn[1],
		oneWay: rtt / 2}
	k.emit(t, true, tcpSyn, nil, synOpts)
	t = t.Add(k.oneWay)
	k.emit(t, false, tcpSyn|tcpAck, nil, synOpts)
	t = t.Add(k.oneWay)
	k.emit(t, true, tcpAck, nil, nil)
	return k, t.Add(k.oneWay)
}

// emit sends one segment from the client (fromClient) or the server, and
// moves that end's sequence number past it.
func (k *conn) emit(t time.Time, fromClient bool, flags byte, payload, opts []byte) {
	s := tcpSeg{flags: flags, window: tcpWindow, opts: opts, payload: payload}
	from, to := &k.cl, &k.sv
	seq, ack := &k.cseq, k.sseq
	s.sport, s.dport = k.cport, k.sport
	if !fromClient {
		from, to = &k.sv, &k.cl
		seq, ack = &k.sseq, k.cseq
		s.sport, s.dport = k.sport, k.cport
	}
	s.seq = *seq
	if flags&tcpAck != 0 {
		s.ack = ack
	}
	k.c.add(t, tcp(from, to.ip, &s))
	*seq += uint32(len(payload))
	if flags&(tcpSyn|tcpFin) != 0 {
		*seq++
	}
}

// send sends data from one end in segments of at most mss bytes, starting
// at t; the receiver acknowledges every second segment, as delayed ACKs
// do. It returns the time the last segment reaches the receiver, which
// acknowledges it with its own next segment or with ack.
func (k *conn) send(t time.Time, fromClient bool, data []byte) time.Time {
	for i := 0; len(data) > 0; i++ {
		n := min(len(data), mss)
		flags := byte(tcpAck)
		if n == len(data) {
			flags |= tcpPsh
		}
		k.emit(t, fromClient, flags, data[:n], nil)
		data = data[n:]
		if i%2 == 1 && len(data) > 0 {
			k.emit(t.Add(k.oneWay), !fromClient, tcpAck, nil, nil)
		}
		t = t.Add(wireTime(n))
	}
	return t.Add(k.oneWay)
}

// wireTime is roughly how long n bytes of payload take on a gigabit link
// with their headers, and a little for the stack.
func wireTime(n int) time.Duration {
	return time.Duration(n+78)*8*time.Nanosecond + 15*time.Microsecond
}

// ack sends a bare acknowledgment from one end at t.
func (k *conn) ack(t time.Time, fromClient bool) {
	k.emit(t, fromClient, tcpAck, nil, nil)
}

// exchange sends a request from the client and the server's answer, which
// the client acknowledges; it returns the time that last ACK is sent.
func (k *conn) exchange(t time.Time, req, resp []byte, think time.Duration) time.Time {
	t = k.send(t, true, req).Add(think)
	t = k.send(t, false, resp)
	k.ack(t, true)
	return t
}

// close ends the connection from one end at t: FIN, the other end's FIN,
// and the last ACK. It returns the time of that ACK.
func (k *conn) close(t time.Time, fromClient bool) time.Time {
	k.emit(t, fromClient, tcpFin|tcpAck, nil, nil)
	t = t.Add(k.oneWay)
	k.emit(t, !fromClient, tcpFin|tcpAck, nil, nil)
	t = t.Add(k.oneWay)
	k.emit(t, fromClient, tcpAck, nil, nil)
	return t
}
