package dissect

import (
	"unicode"
	"unicode/utf8"
)

// Text turns a string field into a fact value: NULs and spaces are trimmed
// from both ends, each run of whitespace or control bytes (CR, LF, TAB…)
// becomes one space, and bytes that are not valid, printable UTF-8 become
// '?'. Plain printable ASCII, the usual case, costs one allocation.
func Text(b []byte) string {
	b = trim(b)
	if plainASCII(b) {
		return string(b)
	}
	// Cleaning never lengthens: a run collapses to one byte, a rune that
	// is not printable to one '?'.
	buf := make([]byte, len(b))
	return string(buf[:Clean(buf, b)])
}

// Clean writes src into dst as Text turns it into a value, and returns the
// number of bytes written. A rune that does not fit in dst ends the value;
// a dst as long as src always holds it whole. It serves dissectors that
// compare a value with those they have seen before building a string.
func Clean(dst, src []byte) int {
	src = trim(src)
	if len(src) <= len(dst) && plainASCII(src) {
		return copy(dst, src)
	}
	n, space := 0, false
	for len(src) > 0 {
		r, size := rune(src[0]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(src)
		}
		src = src[size:]
		switch {
		case r < 0x20 || r == 0x7f || r == ' ':
			space = true
			continue
		case r == utf8.RuneError && size == 1, !unicode.IsPrint(r):
			r = '?'
		}
		gap := 0
		if space && n > 0 {
			gap = 1
		}
		if n+gap+utf8.RuneLen(r) > len(dst) {
			break
		}
		if gap > 0 {
			dst[n] = ' '
			n++
		}
		space = false
		n += utf8.EncodeRune(dst[n:], r)
	}
	return n
}

// trim removes NULs and spaces from both ends of b.
func trim(b []byte) []byte {
	for len(b) > 0 && (b[0] == 0 || b[0] == ' ') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == 0 || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// plainASCII reports whether b is printable ASCII with no double spaces,
// so that Text can return it unchanged.
func plainASCII(b []byte) bool {
	for i, c := range b {
		if c < 0x20 || c > 0x7e || (c == ' ' && i > 0 && b[i-1] == ' ') {
			return false
		}
	}
	return true
}
