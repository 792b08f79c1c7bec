package hl7

import (
	"github.com/wardhq/ward/internal/dissect"
)

// text unescapes v and cleans it as dissect.Text would, into d.val. The
// result aliases d.val and holds at most maxValue bytes.
func (d *dissector) text(v []byte, enc *encoding) []byte {
	n := dissect.Clean(d.val[:], d.unescape(v, enc))
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
