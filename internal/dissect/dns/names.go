package dns

import (
	"bytes"
	"net/netip"

	"github.com/wardhq/ward/internal/dissect"
)

// nameBuf holds one decoded name and the fact value made from it, so that
// a name repeated in many records becomes a string only once.
type nameBuf struct {
	b   [MaxNameLen]byte
	n   int
	str string
}

// bytes returns the decoded name.
func (nb *nameBuf) bytes() []byte { return nb.b[:nb.n] }

// set decodes name into nb, lowercased when lower is true.
func (nb *nameBuf) set(name Name, lower bool) error {
	old := nb.b // a copy, to tell whether the name changed
	oldN := nb.n
	out, err := name.Append(nb.b[:0])
	if len(out) > len(nb.b) { // cannot happen: labels are bounded
		out = out[:len(nb.b)]
	}
	nb.n = copy(nb.b[:], out)
	if lower {
		lowerASCII(nb.b[:nb.n])
	}
	if oldN != nb.n || !bytes.Equal(old[:oldN], nb.b[:nb.n]) {
		nb.str = ""
	}
	return err
}

// value returns the decoded name as a fact value.
func (nb *nameBuf) value() string {
	if nb.str == "" && nb.n > 0 {
		nb.str = dissect.Text(nb.b[:nb.n])
	}
	return nb.str
}

// lowerASCII lowers the ASCII letters of b in place.
func lowerASCII(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

// hasSuffixFold reports whether b ends with the lowercase suffix s,
// ignoring ASCII case.
func hasSuffixFold(b []byte, s string) bool {
	if len(b) < len(s) {
		return false
	}
	b = b[len(b)-len(s):]
	for i := range len(s) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// reverseAddr decodes a reverse-lookup name, "4.3.2.1.in-addr.arpa" or 32
// nibbles then "ip6.arpa", into the address it stands for.
func reverseAddr(name []byte) (netip.Addr, bool) {
	switch {
	case hasSuffixFold(name, ".in-addr.arpa"):
		return reverse4(name[:len(name)-len(".in-addr.arpa")])
	case hasSuffixFold(name, ".ip6.arpa"):
		return reverse6(name[:len(name)-len(".ip6.arpa")])
	}
	return netip.Addr{}, false
}

// reverse4 parses "d.c.b.a" into the address a.b.c.d.
func reverse4(s []byte) (netip.Addr, bool) {
	var a [4]byte
	for i := 3; i >= 0; i-- {
		v, n := 0, 0
		for n < len(s) && s[n] != '.' {
			if s[n] < '0' || s[n] > '9' || n == 3 {
				return netip.Addr{}, false
			}
			v = v*10 + int(s[n]-'0')
			n++
		}
		if n == 0 || v > 255 || (n > 1 && s[0] == '0') {
			return netip.Addr{}, false
		}
		a[i] = byte(v)
		s = s[n:]
		if i > 0 {
			if len(s) == 0 {
				return netip.Addr{}, false
			}
			s = s[1:]
		}
	}
	if len(s) != 0 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(a), true
}

// reverse6 parses 32 dot-separated nibbles, least significant first.
func reverse6(s []byte) (netip.Addr, bool) {
	var a [16]byte
	if len(s) != 63 {
		return netip.Addr{}, false
	}
	for i := range 32 {
		v, ok := unhex(s[2*i])
		if !ok || (i < 31 && s[2*i+1] != '.') {
			return netip.Addr{}, false
		}
		pos := 31 - i // nibble index, most significant first
		if pos%2 == 0 {
			a[pos/2] |= v << 4
		} else {
			a[pos/2] |= v
		}
	}
	return netip.AddrFrom16(a), true
}

// unhex decodes one hexadecimal digit.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// usable reports whether addr can name a device on the network: loopback,
// unspecified and multicast addresses name none.
func usable(addr netip.Addr) bool {
	return addr.IsValid() && !addr.IsLoopback() && !addr.IsUnspecified() && !addr.IsMulticast()
}

// appendUnique appends f to out unless its value is empty (a name made
// only of spaces or NULs) or out[start:] already holds it.
func appendUnique(out []dissect.Fact, start int, f dissect.Fact) []dissect.Fact {
	if f.Value == "" {
		return out
	}
	for _, g := range out[start:] {
		if g == f {
			return out
		}
	}
	return append(out, f)
}
