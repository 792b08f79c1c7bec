package tls

import "testing"

// helloSpec describes a ClientHello for tests.
type helloSpec struct {
	version uint16
	ciphers []uint16
	exts    []extSpec
	extRaw  []byte // an extension block used as is, instead of exts
}

type extSpec struct {
	typ  uint16
	data []byte
}

func u16(b []byte, v int) []byte { return append(b, byte(v>>8), byte(v)) }

// body returns the ClientHello handshake body.
func (h helloSpec) body() []byte {
	b := u16(nil, int(h.version))
	b = append(b, make([]byte, 32)...) // random
	b = append(b, 0)                   // session id
	b = u16(b, 2*len(h.ciphers))
	for _, c := range h.ciphers {
		b = u16(b, int(c))
	}
	b = append(b, 1, 0) // null compression
	block := h.extRaw
	for _, e := range h.exts {
		block = u16(block, int(e.typ))
		block = u16(block, len(e.data))
		block = append(block, e.data...)
	}
	if block != nil {
		b = u16(b, len(block))
		b = append(b, block...)
	}
	return b
}

// record wraps the hello in a handshake message and one record.
func (h helloSpec) record() []byte {
	return handshakeRecord(typeClientHello, h.body())
}

func handshakeRecord(typ byte, body []byte) []byte {
	msg := append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	rec := []byte{recordHandshake, 3, 1}
	rec = u16(rec, len(msg))
	return append(rec, msg...)
}

// serverHelloRecord builds a minimal ServerHello record choosing version.
func serverHelloRecord(version uint16) []byte {
	b := u16(nil, int(version))
	b = append(b, make([]byte, 32)...)
	b = append(b, 0)
	b = u16(b, 0xc02f)
	b = append(b, 0)
	return handshakeRecord(typeServerHello, b)
}

func sniData(name string) []byte {
	b := u16(nil, len(name)+3)
	b = append(b, 0)
	b = u16(b, len(name))
	return append(b, name...)
}

func alpnData(protos ...string) []byte {
	var list []byte
	for _, p := range protos {
		list = append(list, byte(len(p)))
		list = append(list, p...)
	}
	return append(u16(nil, len(list)), list...)
}

// refragment re-cuts the leading handshake records of head into records
// of at most size bytes of payload; what follows them is kept as is.
func refragment(tb testing.TB, head []byte, size int) []byte {
	tb.Helper()
	var payload, out []byte
	off := 0
	for off+5 <= len(head) && head[off] == recordHandshake {
		n := int(head[off+3])<<8 | int(head[off+4])
		if off+5+n > len(head) {
			break
		}
		payload = append(payload, head[off+5:off+5+n]...)
		off += 5 + n
	}
	for len(payload) > 0 {
		k := min(size, len(payload))
		out = append(out, recordHandshake, 3, 3, byte(k>>8), byte(k))
		out = append(out, payload[:k]...)
		payload = payload[k:]
	}
	return append(out, head[off:]...)
}
