// Package ftp reads the control connection of an FTP session (RFC 959): the
// server's greeting and SYST reply, and whether a login went over it in
// the clear.
//
// Facts, all with Source "ftp", all about the server:
//
//	insecure_protocol    "ftp", unless the server accepted AUTH TLS/SSL (reply 234)
//	ftp_banner           first line of the 220 greeting, code and decoration removed:
//	                     "ProFTPD 1.3.0a Server (ProFTPD Anonymous Server) [192.168.1.231]"
//	software             when the greeting or SYST names a known server: "vsFTPd 3.0.3"
//	ftp_syst             the SYST reply text: "UNIX Type: L8"
//	ftp_tls              "yes" when the client asked for AUTH TLS or SSL
//	ftp_anonymous        "yes" when a USER anonymous or ftp login was not refused
//	cleartext_login      "ftp", when PASS was sent in the clear (not for anonymous)
//	default_credentials  the account name ("admin") or "yes", for a published
//	                     default pair that the server did not refuse (package creds)
//
// Commands and replies are paired in order, as the protocol is strictly
// request and response: reply 230 to PASS (or to USER) is a login accepted
// (High), 530 refused. User names and passwords are never emitted.
package ftp

import (
	"bytes"

	"github.com/wardhq/ward/internal/dissect"
)

// Source is the Fact.Source of every fact this package emits.
const Source = "ftp"

// Fact keys specific to FTP.
const (
	KeyBanner    = "ftp_banner"
	KeySyst      = "ftp_syst"
	KeyTLS       = "ftp_tls"
	KeyAnonymous = "ftp_anonymous"
)

const maxText = 200 // bytes of reply text emitted

// Detect reports whether the server's head starts with an FTP greeting
// (120 or 220, but not an SMTP one) or the client's with USER or AUTH.
func Detect(client, server []byte) bool {
	if hasVerb(client, "user") || hasVerb(client, "auth") {
		return true
	}
	if len(server) < 4 || (server[3] != ' ' && server[3] != '-') {
		return false
	}
	if string(server[:3]) != "220" && string(server[:3]) != "120" {
		return false
	}
	first, _, _ := bytes.Cut(server[:min(len(server), 512)], []byte{'\n'})
	return dissect.IndexFold(first, "smtp") < 0 &&
		!hasVerb(client, "ehlo") && !hasVerb(client, "helo")
}

// hasVerb reports whether b starts with the lower-case verb (in any case)
// followed by a space or line end.
func hasVerb(b []byte, verb string) bool {
	if len(b) <= len(verb) || dissect.IndexFold(b[:len(verb)], verb) != 0 {
		return false
	}
	c := b[len(verb)]
	return c == ' ' || c == '\r' || c == '\n'
}

// Dissect is a dissect.StreamFunc for FTP.
func Dissect(ctx *dissect.Context, client, server []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	s := session{replies: replyReader{buf: server}, commands: client}
	err := s.run()
	return s.facts(ctx.Dst, out), err
}

func fact(who dissect.Endpoint, key, value string, conf dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: Source, Key: key, Value: value, Confidence: conf}
}

// reply is one complete server reply; text spans its lines, code removed
// from the first.
type reply struct {
	code  int
	first []byte // text of the first line
	all   []byte // every line, raw, for software search
}

// replyReader reads replies from the server head.
type replyReader struct {
	buf []byte
	off int
}

// next returns the next reply. ok is false at the end of the head or at a
// reply cut short; err is set when the head holds something not a reply.
func (r *replyReader) next() (rep reply, ok bool, err error) {
	start := r.off
	line, ok := r.line()
	if !ok {
		return reply{}, false, nil
	}
	code, multi, ok := replyCode(line)
	if !ok {
		return reply{}, false, dissect.Errorf(Source, start, "reply line without a 3-digit code")
	}
	rep = reply{code: code, first: trimText(line[min(4, len(line)):])}
	for multi {
		l, ok := r.line()
		if !ok {
			return reply{}, false, nil // cut inside a multi-line reply
		}
		multi = !(len(l) >= 4 && bytes.Equal(l[:3], line[:3]) && l[3] == ' ') &&
			!(len(l) == 3 && bytes.Equal(l, line[:3]))
	}
	rep.all = r.buf[start:r.off]
	return rep, true, nil
}

// line returns the next complete line without its CR LF.
func (r *replyReader) line() ([]byte, bool) {
	rest := r.buf[r.off:]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		return nil, false
	}
	r.off += i + 1
	return bytes.TrimRight(rest[:i], "\r"), true
}

// replyCode parses "DDD " or "DDD-" (or a bare "DDD").
func replyCode(line []byte) (code int, multi, ok bool) {
	if len(line) < 3 {
		return 0, false, false
	}
	for _, c := range line[:3] {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		code = code*10 + int(c-'0')
	}
	if len(line) == 3 {
		return code, false, true
	}
	switch line[3] {
	case ' ':
		return code, false, true
	case '-':
		return code, true, true
	}
	return 0, false, false
}

// trimText trims spaces and banner decoration ("-----", "***", "===").
func trimText(b []byte) []byte {
	return bytes.Trim(b, " \t-*=#")
}
