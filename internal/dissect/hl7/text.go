package hl7

import (
	"unicode"
	"unicode/utf8"
)

// text unescapes v and cleans it as dissect.Text would, into d.val. The
// result aliases d.val and holds at most maxValue bytes.
func (d *dissector) text(v []byte, enc *encoding) []byte {
	n := clean(d.val[:], d.unescape(v, enc))
	return d.val[:n]
}

// unescape decodes the escape sequences of v into d.raw and returns the
// result, which aliases d.raw and is cut at maxValue bytes.
func (d *dissector) unescape(v []byte, enc *encoding) []byte {
	return d.raw[:unescape(d.raw[:], v, enc)]
}

// unescape writes v into dst with its escape sequences decoded (HL7 v2
// chapter 2.7): \F\ \S\ \T\ \R\ \E\ and, from v2.7, \P\ give the delimiter
// they name, \Xhh…\ the bytes of its hex digits; highlighting, formatting
// and character set sequences (\H\ \N\ \.br\ \C…\ \M…\ \Z…\) give nothing.
// An escape character without its closing one is kept as it is. It returns
// the number of bytes written, which dst bounds.
func unescape(dst, v []byte, enc *encoding) int {
	n := 0
	for i := 0; i < len(v) && n < len(dst); i++ {
		c := v[i]
		if c != enc.esc {
			dst[n] = c
			n++
			continue
		}
		end := -1
		for j := i + 1; j < len(v); j++ {
			if v[j] == enc.esc {
				end = j
				break
			}
		}
		if end < 0 {
			n += copy(dst[n:], v[i:])
			break
		}
		n += escape(dst[n:], v[i+1:end], enc)
		i = end
	}
	return n
}

// escape writes what the escape sequence seq (without its escape
// characters) stands for into dst and returns the number of bytes written.
func escape(dst, seq []byte, enc *encoding) int {
	if len(seq) == 0 || len(dst) == 0 {
		return 0
	}
	var c byte
	switch string(seq) {
	case "F":
		c = enc.field
	case "S":
		c = enc.comp
	case "T":
		c = enc.sub
	case "R":
		c = enc.rep
	case "E":
		c = enc.esc
	case "P":
		c = enc.trunc
	}
	if c != 0 {
		dst[0] = c
		return 1
	}
	if seq[0] != 'X' || len(seq)%2 != 1 {
		return 0
	}
	n := 0
	for i := 1; i+1 < len(seq) && n < len(dst); i += 2 {
		hi, ok1 := unhex(seq[i])
		lo, ok2 := unhex(seq[i+1])
		if !ok1 || !ok2 {
			return n
		}
		dst[n] = hi<<4 | lo
		n++
	}
	return n
}

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

// clean writes src into dst the way dissect.Text turns bytes into a fact
// value: NULs and spaces trimmed from both ends, each run of white space
// or control bytes made one space, bytes that are not valid, printable
// UTF-8 made '?'. It returns the number of bytes written; a rune that does
// not fit in dst ends the value. It exists because dissect.Text allocates,
// and a value must be compared with those already emitted first.
func clean(dst, src []byte) int {
	for len(src) > 0 && (src[0] == 0 || src[0] == ' ') {
		src = src[1:]
	}
	for len(src) > 0 && (src[len(src)-1] == 0 || src[len(src)-1] == ' ') {
		src = src[:len(src)-1]
	}
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

// plainASCII reports whether b is printable ASCII without two spaces in a
// row, which clean copies as it is.
func plainASCII(b []byte) bool {
	for i, c := range b {
		if c < ' ' || c > '~' || (c == ' ' && i > 0 && b[i-1] == ' ') {
			return false
		}
	}
	return true
}
