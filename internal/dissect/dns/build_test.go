package dns

import (
	"encoding/binary"
	"strings"
)

// msgBuilder writes DNS messages by hand for edge cases. Names are written
// uncompressed; raw bytes can be appended for anything odd.
type msgBuilder struct{ b []byte }

// newMsg starts a message with the given flags and section counts.
func newMsg(flags uint16, qd, an, ns, ar int) *msgBuilder {
	m := &msgBuilder{}
	m.u16(0)
	m.u16(flags)
	for _, n := range []int{qd, an, ns, ar} {
		m.u16(uint16(n))
	}
	return m
}

func (m *msgBuilder) u16(v uint16) *msgBuilder {
	m.b = binary.BigEndian.AppendUint16(m.b, v)
	return m
}

func (m *msgBuilder) raw(b ...byte) *msgBuilder {
	m.b = append(m.b, b...)
	return m
}

// name writes a dotted name as labels; a label may contain no dot.
func (m *msgBuilder) name(s string) *msgBuilder {
	return m.labels(strings.Split(s, ".")...)
}

// labels writes the given labels and the root.
func (m *msgBuilder) labels(ls ...string) *msgBuilder {
	for _, l := range ls {
		if l == "" {
			continue
		}
		m.b = append(m.b, byte(len(l)))
		m.b = append(m.b, l...)
	}
	m.b = append(m.b, 0)
	return m
}

// question writes the type and class of a question after its name.
func (m *msgBuilder) question(typ, class uint16) *msgBuilder {
	return m.u16(typ).u16(class)
}

// rr writes the fixed part of a record and its data, after its name.
func (m *msgBuilder) rr(typ, class uint16, data []byte) *msgBuilder {
	m.u16(typ).u16(class)
	m.b = binary.BigEndian.AppendUint32(m.b, 120)
	m.u16(uint16(len(data)))
	m.b = append(m.b, data...)
	return m
}

// wireName encodes a name uncompressed, for record data.
func wireName(ls ...string) []byte {
	var m msgBuilder
	m.labels(ls...)
	return m.b
}

// txtData encodes character strings.
func txtData(ss ...string) []byte {
	var b []byte
	for _, s := range ss {
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	return b
}
