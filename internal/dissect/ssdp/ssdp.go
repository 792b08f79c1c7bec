// Package ssdp dissects the Simple Service Discovery Protocol of UPnP
// (UPnP Device Architecture 2.0, section 1): HTTP-like messages over UDP
// port 1900. Devices announce themselves with NOTIFY and answer searches
// with HTTP/1.1 200 OK; control points search with M-SEARCH.
//
// Facts have Source "ssdp" and are about the sender. Announcements and
// search responses give the keys KeyServer, KeyUSN and KeyLocation, the
// shared dissect.KeyService (the device or service type announced) and
// dissect.KeyOS (when the SERVER header starts with an operating system).
// Searches give KeySearch and, when present, KeyUserAgent.
package ssdp

import (
	"bytes"
	"strings"

	"github.com/wardhq/ward/internal/dissect"
)

const proto = "ssdp"

// Fact keys of this package, besides the shared ones.
const (
	// KeyServer is the SERVER header of an announcement or search response,
	// "OS/version UPnP/version product/version" by the specification.
	KeyServer = "ssdp_server"
	// KeyUSN is the unique service name: the device UUID, often followed by
	// "::" and the type announced.
	KeyUSN = "ssdp_usn"
	// KeyLocation is the URL of the device description, without any user
	// information, query or fragment.
	KeyLocation = "ssdp_location"
	// KeySearch is the search target (ST) of an M-SEARCH.
	KeySearch = "ssdp_search"
	// KeyUserAgent is the USER-AGENT header of an M-SEARCH (UPnP 1.1 and
	// later), in the same form as SERVER.
	KeyUserAgent = "ssdp_user_agent"
)

// maxValue bounds the length of a header value taken as a fact value.
const maxValue = 255

// kind is the kind of SSDP message.
type kind uint8

const (
	kindNotify kind = iota + 1
	kindSearch
	kindResponse
)

// headers holds the headers this package reads; slices alias the payload.
type headers struct {
	server, usn, location, nt, st, userAgent []byte
}

// Dissect dissects one SSDP message, the payload of a UDP datagram to or
// from port 1900.
func Dissect(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	line, rest, next := cutLine(payload)
	k := startKind(line)
	if k == 0 {
		return out, dissect.Errorf(proto, 0, "start line is not NOTIFY, M-SEARCH or HTTP/1.x 200")
	}
	var h headers
	err := h.parse(rest, next)
	who := ctx.Src
	if k == kindSearch {
		out = appendValue(out, who, KeySearch, h.st, dissect.Medium)
		out = appendValue(out, who, KeyUserAgent, h.userAgent, dissect.High)
		return appendOS(out, who, h.userAgent), err
	}
	out = appendValue(out, who, KeyServer, h.server, dissect.High)
	out = appendOS(out, who, h.server)
	out = appendValue(out, who, KeyUSN, h.usn, dissect.High)
	if loc := location(h.location); loc != "" {
		out = append(out, fact(who, KeyLocation, loc, dissect.High))
	}
	target := h.nt
	if k == kindResponse {
		target = h.st
	}
	if isType(target) {
		out = appendValue(out, who, dissect.KeyService, target, dissect.High)
	}
	return out, err
}

// startKind tells the kind of message from its start line, 0 if none.
func startKind(line []byte) kind {
	switch {
	case bytes.HasPrefix(line, []byte("NOTIFY ")):
		return kindNotify
	case bytes.HasPrefix(line, []byte("M-SEARCH ")):
		return kindSearch
	case len(line) >= 12 && bytes.HasPrefix(line, []byte("HTTP/1.")) &&
		bytes.HasPrefix(line[8:], []byte(" 200")):
		return kindResponse
	}
	return 0
}

// parse reads header lines from b, which starts at offset base of the
// payload, up to the blank line that ends them or the end of b.
func (h *headers) parse(b []byte, base int) error {
	for len(b) > 0 {
		line, rest, n := cutLine(b)
		if len(line) == 0 {
			return nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return dissect.Errorf(proto, base, "header line of %d bytes has no colon", len(line))
		}
		h.set(bytes.TrimSpace(name), bytes.TrimSpace(value))
		b, base = rest, base+n
	}
	return nil
}

// set records a header value, the first time its name is seen.
func (h *headers) set(name, value []byte) {
	var p *[]byte
	switch {
	case bytes.EqualFold(name, []byte("SERVER")):
		p = &h.server
	case bytes.EqualFold(name, []byte("USN")):
		p = &h.usn
	case bytes.EqualFold(name, []byte("LOCATION")):
		p = &h.location
	case bytes.EqualFold(name, []byte("NT")):
		p = &h.nt
	case bytes.EqualFold(name, []byte("ST")):
		p = &h.st
	case bytes.EqualFold(name, []byte("USER-AGENT")):
		p = &h.userAgent
	default:
		return
	}
	if *p == nil {
		*p = value
	}
}

// cutLine splits b at the first line end (CRLF or a bare LF). n is the
// length of line and its line end.
func cutLine(b []byte) (line, rest []byte, n int) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil, len(b)
	}
	line = b[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, b[i+1:], i + 1
}

// isType reports whether an NT or ST value is a device or service type,
// "urn:domain:device:type:version" or "urn:domain:service:type:version".
func isType(v []byte) bool {
	if !bytes.HasPrefix(v, []byte("urn:")) {
		return false
	}
	return bytes.Contains(v, []byte(":device:")) || bytes.Contains(v, []byte(":service:"))
}

// osNames are the products that, first in a SERVER or USER-AGENT header,
// name an operating system. Lower case.
var osNames = []string{
	"linux", "windows", "microsoft-windows", "microsoft-windows-nt", "windows-nt",
	"darwin", "macos", "mac os x", "freebsd", "netbsd", "openbsd", "sunos", "solaris",
	"vxworks", "qnx", "android", "ios", "tizen", "webos", "threadx", "ecos",
	"freertos", "nucleus", "integrity", "lynxos", "rtems", "zephyr", "unix",
}

// appendOS appends dissect.KeyOS when the first product of a SERVER or
// USER-AGENT value names an operating system: "Linux/3.14", "Windows/6.1".
func appendOS(out []dissect.Fact, who dissect.Endpoint, v []byte) []dissect.Fact {
	tok := v
	if i := bytes.IndexAny(tok, " ,;"); i >= 0 {
		tok = tok[:i]
	}
	name, _, _ := bytes.Cut(tok, []byte("/"))
	for _, os := range osNames {
		if bytes.EqualFold(name, []byte(os)) {
			return appendValue(out, who, dissect.KeyOS, tok, dissect.Medium)
		}
	}
	return out
}

// location returns a LOCATION URL without user information, query or
// fragment, which could carry credentials or tokens.
func location(v []byte) string {
	s := text(v)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		host, path := rest, ""
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			host, path = rest[:i], rest[i:]
		}
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			s = scheme + "://" + host[i+1:] + path
		}
	}
	return s
}

// appendValue appends a fact when v holds some text.
func appendValue(out []dissect.Fact, who dissect.Endpoint, key string, v []byte,
	c dissect.Confidence) []dissect.Fact {
	if s := text(v); s != "" {
		out = append(out, fact(who, key, s, c))
	}
	return out
}

func fact(who dissect.Endpoint, key, value string, c dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: proto, Key: key, Value: value, Confidence: c}
}

// text turns a header value into a fact value: quotes around it are
// dropped, control characters and invalid UTF-8 become '?', and it is cut
// to maxValue bytes.
func text(v []byte) string {
	v = bytes.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = bytes.TrimSpace(v[1 : len(v)-1])
	}
	if len(v) > maxValue {
		v = v[:maxValue]
	}
	for _, c := range v {
		if c < 0x20 || c >= 0x7f {
			return strings.Map(func(r rune) rune {
				if r < 0x20 || r == 0x7f || r == '\uFFFD' {
					return '?'
				}
				return r
			}, strings.ToValidUTF8(string(v), "?"))
		}
	}
	return string(v)
}
