package dissect

import (
	"strconv"
	"strings"
)

// Strings interns the strings dissectors make of packet bytes, so that a
// message like one seen before (the same AE titles, the same software,
// the same message type) yields its facts without allocating: the fact
// values are the strings made the first time. A pipeline worker owns one
// and lends it to dissectors through Context.Strings; it is not safe for
// concurrent use. A nil *Strings is valid and interns nothing: each call
// then allocates, as the plain functions do.
type Strings struct {
	m   map[string]string
	buf []byte // scratch for the values built of parts
}

// maxInterned bounds the strings a Strings keeps; past it, the table
// starts again empty, so that a stream of distinct values costs memory
// in proportion to the bound, not to the input.
const maxInterned = 16384

// NewStrings returns an empty intern table.
func NewStrings() *Strings { return &Strings{m: make(map[string]string)} }

// Bytes returns b as a string, interned.
func (s *Strings) Bytes(b []byte) string {
	if s == nil {
		return string(b)
	}
	if v, ok := s.m[string(b)]; ok { // no allocation: the compiler reads b in place
		return v
	}
	return s.keep(string(b))
}

func (s *Strings) keep(v string) string {
	if len(s.m) >= maxInterned {
		clear(s.m)
	}
	s.m[v] = v
	return v
}

// Text returns Text(b), interned: cleaned in scratch space, so that a
// value seen before is found without building it.
func (s *Strings) Text(b []byte) string {
	if s == nil {
		return Text(b)
	}
	b = trim(b)
	if plainASCII(b) {
		return s.Bytes(b)
	}
	if cap(s.buf) < len(b) {
		s.buf = make([]byte, len(b))
	}
	s.buf = s.buf[:len(b)]
	return s.Bytes(s.buf[:Clean(s.buf, b)])
}

// String returns v interned: the copy kept from an earlier call when there
// is one, so that v itself can be dropped.
func (s *Strings) String(v string) string {
	if s == nil {
		return v
	}
	if w, ok := s.m[v]; ok {
		return w
	}
	return s.keep(v)
}

// Concat returns the parts joined, interned.
func (s *Strings) Concat(parts ...string) string {
	if s == nil {
		return strings.Join(parts, "")
	}
	s.buf = s.buf[:0]
	for _, p := range parts {
		s.buf = append(s.buf, p...)
	}
	return s.Bytes(s.buf)
}

// Uint returns v in decimal, interned.
func (s *Strings) Uint(v uint64) string {
	if s == nil {
		return strconv.FormatUint(v, 10)
	}
	s.buf = strconv.AppendUint(s.buf[:0], v, 10)
	return s.Bytes(s.buf)
}
