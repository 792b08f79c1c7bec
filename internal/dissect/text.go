package dissect

import (
	"strings"
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
	var sb strings.Builder
	sb.Grow(len(b))
	space := false
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case r < 0x20 || r == 0x7f || r == ' ':
			space = true
			continue
		case r == utf8.RuneError && size == 1, !unicode.IsPrint(r):
			r = '?'
		}
		if space && sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		space = false
		sb.WriteRune(r)
	}
	return sb.String()
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
