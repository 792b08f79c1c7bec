package snmp

import (
	"strconv"

	"github.com/wardhq/ward/internal/dissect"
)

// BER tags (X.690 and RFC 1157/3416 application tags) that SNMP uses.
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagNull        = 0x05
	tagOID         = 0x06
	tagSequence    = 0x30
	tagIPAddress   = 0x40
	tagTimeTicks   = 0x43
)

// Limits that keep decoding bounded.
const (
	maxLengthBytes = 4   // long-form length octets
	maxIntBytes    = 8   // INTEGER content octets
	maxSubIDs      = 128 // OID sub-identifiers (RFC 2578 clause 3.5)
)

// elem is one BER element. Offsets index the whole UDP payload, so that
// errors can say where they happened.
type elem struct {
	tag        byte
	off        int // the tag byte
	start, end int // the content
}

// parse reads the element at off, which must end by limit. Only the
// definite length forms and single-byte tags that SNMP uses are accepted.
func parse(p []byte, off, limit int) (elem, error) {
	if limit-off < 2 {
		return elem{}, dissect.Errorf(Source, off, "ber element cut short")
	}
	e := elem{tag: p[off], off: off}
	if e.tag&0x1f == 0x1f {
		return e, dissect.Errorf(Source, off, "multi-byte ber tag %#02x", e.tag)
	}
	n, i := int(p[off+1]), off+2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > maxLengthBytes {
			return e, dissect.Errorf(Source, off+1, "unsupported ber length form %#02x", n)
		}
		if limit-i < k {
			return e, dissect.Errorf(Source, off+1, "ber length cut short")
		}
		n = 0
		for _, b := range p[i : i+k] {
			n = n<<8 | int(b)
		}
		i += k
	}
	if n > limit-i {
		return e, dissect.Errorf(Source, off, "ber length %d exceeds the %d bytes left", n, limit-i)
	}
	e.start, e.end = i, i+n
	return e, nil
}

// cursor walks the elements inside a constructed element.
type cursor struct {
	p        []byte
	off, end int
}

// inside returns a cursor over the content of e.
func inside(p []byte, e elem) cursor { return cursor{p: p, off: e.start, end: e.end} }

// more reports whether elements remain.
func (c *cursor) more() bool { return c.off < c.end }

// peek returns the tag of the next element, or 0 when none remains.
func (c *cursor) peek() byte {
	if c.off >= c.end {
		return 0
	}
	return c.p[c.off]
}

// next reads the next element.
func (c *cursor) next() (elem, error) {
	e, err := parse(c.p, c.off, c.end)
	if err != nil {
		return e, err
	}
	c.off = e.end
	return e, nil
}

// expect reads the next element and checks its tag; what names it in errors.
func (c *cursor) expect(tag byte, what string) (elem, error) {
	if !c.more() {
		return elem{}, dissect.Errorf(Source, c.off, "%s missing", what)
	}
	e, err := c.next()
	if err != nil {
		return e, err
	}
	if e.tag != tag {
		return e, dissect.Errorf(Source, e.off, "%s has tag %#02x, want %#02x", what, e.tag, tag)
	}
	return e, nil
}

// integer reads an INTEGER element.
func (c *cursor) integer(what string) (int64, error) {
	e, err := c.expect(tagInteger, what)
	if err != nil {
		return 0, err
	}
	n := e.end - e.start
	if n == 0 || n > maxIntBytes {
		return 0, dissect.Errorf(Source, e.off, "%s: integer of %d bytes", what, n)
	}
	v := int64(int8(c.p[e.start])) // sign-extend the first octet
	for _, b := range c.p[e.start+1 : e.end] {
		v = v<<8 | int64(b)
	}
	return v, nil
}

// octets reads an OCTET STRING element and returns its content.
func (c *cursor) octets(what string) ([]byte, error) {
	e, err := c.expect(tagOctetString, what)
	if err != nil {
		return nil, err
	}
	return c.p[e.start:e.end], nil
}

// checkOID validates the content of an OBJECT IDENTIFIER at payload offset
// off: at least one sub-identifier, each in minimal base-128 form, fitting
// 32 bits, at most maxSubIDs of them. It allocates nothing.
func checkOID(b []byte, off int) error {
	if len(b) == 0 {
		return dissect.Errorf(Source, off, "empty object identifier")
	}
	count, v, started := 1, uint64(0), false // the first sub-identifier holds two arcs
	limit := uint64(1<<32 - 1 + 80)          // 40*2 + a 32-bit second arc
	for i, c := range b {
		if !started && c == 0x80 {
			return dissect.Errorf(Source, off+i, "object identifier sub-identifier not minimal")
		}
		started = true
		v = v<<7 | uint64(c&0x7f)
		if v > limit {
			return dissect.Errorf(Source, off+i, "object identifier sub-identifier too long")
		}
		if c&0x80 == 0 {
			count++
			v, started, limit = 0, false, 1<<32-1
		}
	}
	if started {
		return dissect.Errorf(Source, off+len(b)-1, "object identifier ends inside a sub-identifier")
	}
	if count > maxSubIDs {
		return dissect.Errorf(Source, off, "object identifier has %d sub-identifiers, limit %d", count, maxSubIDs)
	}
	return nil
}

// formatOID formats OID content that checkOID accepted, dotted: "1.3.6.1".
func formatOID(b []byte) string {
	buf := make([]byte, 0, 4*len(b))
	var v uint64
	first := true
	for _, c := range b {
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			continue
		}
		if first {
			x := min(v/40, 2)
			buf = strconv.AppendUint(buf, x, 10)
			buf = append(buf, '.')
			buf = strconv.AppendUint(buf, v-40*x, 10)
			first = false
		} else {
			buf = append(buf, '.')
			buf = strconv.AppendUint(buf, v, 10)
		}
		v = 0
	}
	return string(buf)
}
