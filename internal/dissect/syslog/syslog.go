// Package syslog dissects syslog messages over UDP port 514, in the BSD
// form (RFC 3164) and the structured form (RFC 5424).
//
// Only the header is read: the PRI, the timestamp (to find what follows it),
// the HOSTNAME, the APP-NAME or TAG, and in RFC 5424 the "origin"
// structured-data element. The message text is never read into a fact: it
// may hold patient data.
//
// Facts have Source "syslog" and are about the sender: dissect.KeyHostname
// (Medium: a relay may forward another host's messages), KeyApp,
// KeyFacility, KeyCiscoFacility and, from an origin element,
// dissect.KeySoftware.
package syslog

import (
	"bytes"

	"github.com/wardhq/ward/internal/dissect"
)

const proto = "syslog"

// Fact keys of this package, besides the shared ones.
const (
	// KeyApp is the RFC 5424 APP-NAME or the RFC 3164 TAG: "sshd", "su".
	KeyApp = "syslog_app"
	// KeyFacility is the facility of the PRI by its usual name: "kern",
	// "daemon", "local4".
	KeyFacility = "syslog_facility"
	// KeyCiscoFacility is the facility of a Cisco message mnemonic
	// (%FACILITY-SEVERITY-MNEMONIC) at the start of the message: "PIX",
	// "ASA", "SYS", "LINK". PIX, ASA and FWSM name the firewall product.
	KeyCiscoFacility = "cisco_facility"
)

// Length limits of RFC 5424 section 6.
const (
	maxHostname = 255
	maxApp      = 48
)

// facilities are the names of the facility codes 0–23 (RFC 5424
// section 6.2.1, named as syslog implementations name them).
var facilities = [24]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

// header is what this package reads of a message; slices alias the payload.
type header struct {
	hostname, app []byte
	software      []byte // origin software, with its version after a space
}

// Dissect dissects one syslog message, the payload of a UDP datagram to
// port 514.
func Dissect(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	pri, n, err := parsePRI(payload)
	if err != nil {
		return out, err
	}
	who := ctx.Src
	out = append(out, fact(who, KeyFacility, facilities[pri>>3], dissect.Low))
	var h header
	rest := payload[n:]
	if len(rest) >= 2 && rest[0] >= '1' && rest[0] <= '9' && rest[1] == ' ' {
		err = h.parse5424(rest, n)
	} else {
		h.parse3164(rest)
	}
	if validHostname(h.hostname) {
		out = append(out, fact(who, dissect.KeyHostname, string(h.hostname), dissect.Medium))
	}
	if validApp(h.app) {
		out = append(out, fact(who, KeyApp, string(h.app), dissect.Medium))
	}
	if len(h.software) > 0 {
		out = append(out, fact(who, dissect.KeySoftware, printable(h.software), dissect.Medium))
	}
	if fac := ciscoFacility(rest); fac != nil {
		out = append(out, fact(who, KeyCiscoFacility, string(fac), dissect.Medium))
	}
	return out, err
}

// parsePRI reads "<PRI>" at the start of b: its value and length.
func parsePRI(b []byte) (pri, n int, err error) {
	if len(b) == 0 || b[0] != '<' {
		return 0, 0, dissect.Errorf(proto, 0, "message does not start with a <pri>")
	}
	for n = 1; n < len(b) && n <= 3 && b[n] != '>'; n++ {
		if b[n] < '0' || b[n] > '9' {
			return 0, 0, dissect.Errorf(proto, n, "pri holds a non-digit")
		}
		pri = pri*10 + int(b[n]-'0')
	}
	if n == 1 || n >= len(b) || b[n] != '>' {
		return 0, 0, dissect.Errorf(proto, n, "pri is not 1 to 3 digits closed by '>'")
	}
	if pri > 191 {
		return 0, 0, dissect.Errorf(proto, 1, "pri %d exceeds 191", pri)
	}
	return pri, n + 1, nil
}

// parse5424 reads the header of an RFC 5424 message: VERSION TIMESTAMP
// HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA, separated by single
// spaces. b starts after the PRI, at offset base of the payload.
func (h *header) parse5424(b []byte, base int) error {
	var fields [6][]byte // version, timestamp, hostname, app, procid, msgid
	i := 0
	for k := range fields {
		j := bytes.IndexByte(b[i:], ' ')
		if j < 0 {
			// A field that the end of b cuts may be cut short: keep only
			// those before it.
			if k > 2 {
				h.hostname = nilValue(fields[2])
			}
			if k > 3 {
				h.app = nilValue(fields[3])
			}
			return dissect.Errorf(proto, base+len(b), "rfc 5424 header ends after %d of 7 fields", k)
		}
		fields[k] = b[i : i+j]
		i += j + 1
	}
	h.hostname, h.app = nilValue(fields[2]), nilValue(fields[3])
	h.software = originSoftware(b[i:])
	return nil
}

// nilValue turns the RFC 5424 NILVALUE "-" into nil.
func nilValue(v []byte) []byte {
	if len(v) == 1 && v[0] == '-' {
		return nil
	}
	return v
}

// parse3164 reads the HEADER of an RFC 3164 message: TIMESTAMP HOSTNAME,
// then the TAG that begins its MSG. A message without a timestamp has no
// header by RFC 3164 section 4.3.3, so nothing is taken from it but a
// Cisco mnemonic. The hostname is taken only when a TAG follows it, so
// that a word of message text is never mistaken for one.
func (h *header) parse3164(b []byte) {
	rest, ok := skipTimestamp(b)
	if !ok {
		return
	}
	tok, after := cutSpace(rest)
	if tag, ok := tagOf(tok); ok { // no HOSTNAME: the TAG comes first
		h.app = tag
		return
	}
	next, _ := cutSpace(after)
	if tag, ok := tagOf(next); ok {
		h.hostname, h.app = tok, tag
	}
}

// tagOf returns the TAG in a token such as "sshd[123]:" or "su:". Sequence
// numbers ("123:", as Cisco sends) are accepted as a TAG but not returned.
func tagOf(tok []byte) (tag []byte, ok bool) {
	end := bytes.IndexAny(tok, "[:")
	if end <= 0 || end > maxApp || (tok[end] == ':' && end != len(tok)-1) {
		return nil, false
	}
	if tok[end] == '[' && (tok[len(tok)-1] != ':' && tok[len(tok)-1] != ']') {
		return nil, false
	}
	digits := true
	for _, c := range tok[:end] {
		if !tagChar(c) {
			return nil, false
		}
		digits = digits && c >= '0' && c <= '9'
	}
	if digits {
		return nil, true
	}
	return tok[:end], true
}

func tagChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '/'
}

// cutSpace splits b at its first space, skipping the spaces that follow.
func cutSpace(b []byte) (tok, rest []byte) {
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return b, nil
	}
	tok, rest = b[:i], b[i+1:]
	for len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	return tok, rest
}

// validHostname reports whether v can be a device's name: letters, digits,
// dots, hyphens and underscores, not only digits, and not an IP address.
func validHostname(v []byte) bool {
	if len(v) == 0 || len(v) > maxHostname {
		return false
	}
	letter := false
	for _, c := range v {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default: // ':' of an IPv6 address among others

			return false
		}
	}
	return letter
}

// validApp reports whether v is a plausible APP-NAME: printable US-ASCII
// without spaces, at most 48 bytes.
func validApp(v []byte) bool {
	if len(v) == 0 || len(v) > maxApp {
		return false
	}
	for _, c := range v {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

func fact(who dissect.Endpoint, key, value string, c dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: proto, Key: key, Value: value, Confidence: c}
}

// printable returns v as a string with bytes outside printable US-ASCII
// replaced by '?'.
func printable(v []byte) string {
	return string(bytes.Map(func(r rune) rune {
		if r < ' ' || r >= 0x7f {
			return '?'
		}
		return r
	}, v))
}
