package http

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// methods are the request methods Detect accepts, each followed by a space.
var methods = [...]string{
	"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ",
	"TRACE ", "PATCH ", "PROPFIND ", "PROPPATCH ", "MKCOL ", "COPY ",
	"MOVE ", "LOCK ", "UNLOCK ", "SUBSCRIBE ", "UNSUBSCRIBE ", "NOTIFY ",
	"SEARCH ", "REPORT ",
}

// looksLikeRequest reports whether b starts with a known method and a space
// and, when its first line is complete, that line ends in an HTTP/1 version.
// The version check keeps RTSP and SIP requests out.
func looksLikeRequest(b []byte) bool {
	known := false
	for _, m := range methods {
		if hasPrefix(b, m) {
			known = true
			break
		}
	}
	if !known {
		return false
	}
	line, _, ok := nextLine(b, 0)
	if !ok {
		return true
	}
	_, ok = requestLine(line)
	return ok
}

// nextLine returns the line starting at off without its CR LF (or bare LF),
// and the offset after it. ok is false when no line end follows off.
func nextLine(b []byte, off int) (line []byte, next int, ok bool) {
	if off >= len(b) {
		return nil, off, false
	}
	i := bytes.IndexByte(b[off:], '\n')
	if i < 0 {
		return nil, off, false
	}
	line = b[off : off+i]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, off + i + 1, true
}

// requestLine splits "METHOD target HTTP/1.x" and returns the method.
func requestLine(line []byte) (method []byte, ok bool) {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 || !isToken(line[:sp]) {
		return nil, false
	}
	last := bytes.LastIndexByte(line, ' ')
	if last <= sp || !isVersion(line[last+1:]) {
		return nil, false
	}
	return line[:sp], true
}

// statusLine parses "HTTP/1.x NNN reason" and returns the status code.
func statusLine(line []byte) (code int, ok bool) {
	if len(line) < 12 || !isVersion(line[:8]) || line[8] != ' ' {
		return 0, false
	}
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return 0, false
		}
		code = code*10 + int(c-'0')
	}
	if len(line) > 12 && line[12] != ' ' {
		return 0, false
	}
	return code, code >= 100
}

// isVersion reports whether v is "HTTP/1.0" or "HTTP/1.1".
func isVersion(v []byte) bool {
	return len(v) == 8 && string(v[:7]) == "HTTP/1." && (v[7] == '0' || v[7] == '1')
}

// isToken reports whether b is a non-empty method token: upper-case letters,
// digits, '-' or '_' (RFC 9110 allows more; real methods use no others).
func isToken(b []byte) bool {
	if len(b) == 0 || len(b) > 32 {
		return false
	}
	for _, c := range b {
		ok := c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// header reads the header line at off. It returns the field name and value
// and the offset of the next line; done is set when the blank line ending the
// block was read instead, and ok is false when the block is cut short.
// Lines without a colon and obsolete continuation lines yield an empty name.
func header(b []byte, off int) (name, value []byte, next int, done, ok bool) {
	line, next, ok := nextLine(b, off)
	if !ok {
		return nil, nil, off, false, false
	}
	if len(line) == 0 {
		return nil, nil, next, true, true
	}
	if line[0] == ' ' || line[0] == '\t' {
		return nil, nil, next, false, true
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return nil, nil, next, false, true
	}
	return line[:colon], trimSpace(line[colon+1:]), next, false, true
}

// contentLength parses a Content-Length value. ok is false unless it is
// one plain decimal number that fits in an int.
func contentLength(v []byte) (n int, ok bool) {
	if len(v) == 0 || len(v) > 12 {
		return 0, false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// is reports whether the header name equals want, ignoring ASCII case;
// want must be lower case.
func is(name []byte, want string) bool {
	if len(name) != len(want) {
		return false
	}
	for i := range len(want) {
		if lower(name[i]) != want[i] {
			return false
		}
	}
	return true
}

// hasPrefix reports whether b starts with p.
func hasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// trimSpace removes leading and trailing spaces and tabs.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// text turns a header value into a fact value: at most maxValueBytes, valid
// UTF-8, control characters replaced by spaces.
func text(b []byte) string {
	if len(b) > maxValueBytes {
		b = b[:maxValueBytes]
	}
	clean := utf8.Valid(b)
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return string(b)
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
