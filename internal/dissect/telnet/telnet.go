// Package telnet reads the start of a Telnet session (RFC 854): the text a
// server shows before its login prompt, and whether the client then typed a
// user name and password, in the clear.
//
// Facts, all with Source "telnet", all about the server:
//
//	insecure_protocol    "telnet", whenever a Telnet session is seen
//	telnet_banner        the first non-empty lines before the login prompt,
//	                     joined by " / ", at most 200 bytes: "OpenBSD/i386 (oof) (ttyp2)"
//	hostname             the name a getty prompt gives: "ward-pi" from "ward-pi login:"
//	cleartext_login      "telnet", when a password was typed at a password prompt
//	default_credentials  the account name ("admin") or "yes", when the pair
//	                     typed is a published default (see package creds)
//
// A login the server then accepts ("Last login", a shell prompt) raises the
// confidence of the last two; one it refuses ("Login incorrect") is not
// reported as default credentials. The user name and password themselves
// are never emitted and not kept once Dissect returns.
package telnet

import (
	"github.com/wardhq/ward/internal/dissect"
)

// Source is the Fact.Source of every fact this package emits.
const Source = "telnet"

// KeyBanner is the key of the server's pre-login text.
const KeyBanner = "telnet_banner"

// Telnet command bytes (RFC 854).
const (
	cmdSE   = 240
	cmdSB   = 250
	cmdWILL = 251
	cmdDONT = 254
	cmdIAC  = 255
)

const (
	maxBanner      = 200 // bytes of banner text emitted
	maxBannerLines = 3
)

// Detect reports whether either head starts with Telnet option negotiation
// (IAC WILL, WONT, DO or DONT).
func Detect(client, server []byte) bool {
	return negotiates(server) || negotiates(client)
}

func negotiates(b []byte) bool {
	return len(b) >= 3 && b[0] == cmdIAC && b[1] >= cmdWILL && b[1] <= cmdDONT
}

// Dissect is a dissect.StreamFunc for Telnet.
func Dissect(ctx *dissect.Context, client, server []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	srvText, srvErr := clean(server, false)
	cliText, cliErr := clean(client, true)
	who := ctx.Dst
	out = append(out, fact(who, dissect.KeyInsecure, "telnet", dissect.High))

	s := session{server: srvText, client: cliText}
	s.run()
	if s.banner != "" {
		out = append(out, fact(who, KeyBanner, s.banner, dissect.Medium))
	}
	if s.hostname != "" {
		out = append(out, fact(who, dissect.KeyHostname, s.hostname, dissect.Medium))
	}
	out = s.loginFacts(who, out)
	if srvErr != nil {
		return out, srvErr
	}
	return out, cliErr
}

func fact(who dissect.Endpoint, key, value string, conf dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: Source, Key: key, Value: value, Confidence: conf}
}

// clean returns the data bytes of a head with Telnet commands removed and
// CR NUL folded to CR. For the client side (typed) it also applies
// backspace (BS, DEL) and turns every line end (CR LF, CR NUL, CR, LF) into
// a single LF. It stops at a command cut short or malformed, with an error.
func clean(head []byte, typed bool) ([]byte, error) {
	out := make([]byte, 0, len(head))
	for i := 0; i < len(head); {
		c := head[i]
		if c == cmdIAC {
			n, err := skipCommand(head, i)
			if err != nil {
				return out, err
			}
			if n == 0 { // IAC IAC: a data byte 255
				out = append(out, cmdIAC)
				i += 2
				continue
			}
			i += n
			continue
		}
		i++
		if typed {
			out = typeByte(out, c, head, i)
			continue
		}
		if c == 0 && len(out) > 0 && out[len(out)-1] == '\r' {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// typeByte applies one typed byte c to the line buffer out; next is the
// index after c, to look at the byte following a CR.
func typeByte(out []byte, c byte, head []byte, next int) []byte {
	switch c {
	case 0x08, 0x7f:
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = out[:len(out)-1]
		}
		return out
	case 0:
		return out
	case '\n':
		if len(out) > 0 && out[len(out)-1] == '\n' && next >= 2 && head[next-2] == '\r' {
			return out // the LF of a CR LF already ended the line
		}
		return append(out, '\n')
	case '\r':
		return append(out, '\n')
	}
	return append(out, c)
}

// skipCommand returns the length of the Telnet command starting at head[i]
// (an IAC), or 0 for IAC IAC. Inside a subnegotiation IAC IAC is data and
// IAC SE ends it; any other command ends it too, leniently.
func skipCommand(head []byte, i int) (int, error) {
	if i+1 >= len(head) {
		return 0, dissect.Errorf(Source, i, "telnet command cut short")
	}
	switch op := head[i+1]; {
	case op == cmdIAC:
		return 0, nil
	case op >= cmdWILL:
		if i+2 >= len(head) {
			return 0, dissect.Errorf(Source, i, "option negotiation cut short")
		}
		return 3, nil
	case op == cmdSB:
		return skipSub(head, i)
	default: // SE, NOP, DM, BRK, IP, AO, AYT, EC, EL, GA
		return 2, nil
	}
}

// skipSub returns the length of IAC SB ... IAC SE starting at head[i].
func skipSub(head []byte, i int) (int, error) {
	for j := i + 2; j+1 < len(head); j++ {
		if head[j] != cmdIAC {
			continue
		}
		switch head[j+1] {
		case cmdIAC:
			j++
		case cmdSE:
			return j + 2 - i, nil
		default:
			return j - i, nil // a new command: the subnegotiation was never closed
		}
	}
	return 0, dissect.Errorf(Source, i, "subnegotiation not closed")
}
