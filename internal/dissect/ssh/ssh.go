// Package ssh reads the identification strings that both ends of an SSH
// connection send in clear before key exchange (RFC 4253 section 4.2):
//
//	SSH-protoversion-softwareversion SP comments CR LF
//
// Facts, all with Source "ssh":
//
//	server  ssh_banner         the whole line, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1"
//	server  software           the softwareversion part, "OpenSSH_8.9p1"
//	server  service            "ssh"
//	server  os                 when the comments name it: "Ubuntu", "Debian", "FreeBSD", ...
//	server  insecure_protocol  "ssh1" when it speaks protocol 1.x (1.99 offers both)
//	client  ssh_client         the client's softwareversion part, "PuTTY_Release_0.76"
//	client  os                 when the client's comments name it
//
// The server may send other lines before its identification; those are
// skipped. Lines are at most 255 bytes including CR LF.
package ssh

import (
	"bytes"

	"github.com/wardhq/ward/internal/dissect"
)

// Source is the Fact.Source of every fact this package emits.
const Source = "ssh"

// Fact keys specific to SSH.
const (
	KeyBanner = "ssh_banner" // the server's identification line, CR LF stripped
	KeyClient = "ssh_client" // the client's software version
)

const (
	maxLine   = 255  // RFC 4253: identification line including CR LF
	scanLimit = 8192 // bytes searched for the identification line
)

// ident is a parsed identification line; its slices alias the head.
type ident struct {
	line     []byte // without CR LF
	proto    []byte // "2.0", "1.99", "1.5"
	software []byte
	comments []byte
}

// Detect reports whether either head starts like an SSH identification
// line, or the server's head holds one within its first lines.
func Detect(client, server []byte) bool {
	prefix := []byte("SSH-")
	if bytes.HasPrefix(client, prefix) || bytes.HasPrefix(server, prefix) {
		return true
	}
	head := server[:min(len(server), 1024)]
	return bytes.Contains(head, []byte("\nSSH-"))
}

// Dissect is a dissect.StreamFunc for SSH: it emits facts from the server's
// and the client's identification lines.
func Dissect(ctx *dissect.Context, client, server []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	var srv, cli ident
	var srvErr, cliErr error
	if len(server) > 0 {
		srv, srvErr = findIdent(server, "server")
	}
	if len(client) > 0 {
		cli, cliErr = findIdent(client, "client")
	}
	if srv.line != nil {
		out = serverFacts(ctx, srv, cli, out)
	}
	if cli.line != nil {
		out = clientFacts(ctx, cli, out)
	}
	if srvErr != nil {
		return out, srvErr
	}
	return out, cliErr
}

func serverFacts(ctx *dissect.Context, srv, cli ident, out []dissect.Fact) []dissect.Fact {
	who := ctx.Dst
	out = append(out,
		fact(who, KeyBanner, printable(srv.line), dissect.High),
		fact(who, dissect.KeyService, "ssh", dissect.High))
	if len(srv.software) > 0 {
		out = append(out, fact(who, dissect.KeySoftware, printable(srv.software), dissect.High))
	}
	if os := osName(srv.comments, srv.software); os != "" {
		out = append(out, fact(who, dissect.KeyOS, os, dissect.Medium))
	}
	if conf, ok := ssh1(srv.proto, cli.proto); ok {
		out = append(out, fact(who, dissect.KeyInsecure, "ssh1", conf))
	}
	return out
}

func clientFacts(ctx *dissect.Context, cli ident, out []dissect.Fact) []dissect.Fact {
	who := ctx.Src
	if len(cli.software) > 0 {
		out = append(out, fact(who, KeyClient, printable(cli.software), dissect.High))
	}
	if os := osName(cli.comments, cli.software); os != "" {
		out = append(out, fact(who, dissect.KeyOS, os, dissect.Medium))
	}
	return out
}

// ssh1 says whether the server speaks SSH protocol 1, and how sure that is:
// "1.5" is version 1 only; "1.99" offers both, which is certain to be used
// only when the client asked for 1.x.
func ssh1(server, client []byte) (dissect.Confidence, bool) {
	if !bytes.HasPrefix(server, []byte("1.")) {
		return 0, false
	}
	if string(server) != "1.99" || bytes.HasPrefix(client, []byte("1.")) {
		return dissect.High, true
	}
	return dissect.Medium, true
}

func fact(who dissect.Endpoint, key, value string, conf dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: Source, Key: key, Value: value, Confidence: conf}
}

// findIdent returns the first identification line of one head. side names
// the direction in errors.
func findIdent(head []byte, side string) (ident, error) {
	off := 0
	for off < len(head) && off < scanLimit {
		rest := head[off:]
		nl := bytes.IndexByte(rest[:min(len(rest), scanLimit)], '\n')
		if !bytes.HasPrefix(rest, []byte("SSH-")) {
			if nl < 0 {
				break
			}
			off += nl + 1
			continue
		}
		if nl < 0 || nl >= maxLine {
			if nl < 0 && len(rest) < maxLine {
				return ident{}, dissect.Errorf(Source, off, "%s identification line cut short", side)
			}
			return ident{}, dissect.Errorf(Source, off, "%s identification line longer than %d bytes", side, maxLine)
		}
		return parseIdent(bytes.TrimRight(rest[:nl], "\r"), off, side)
	}
	return ident{}, dissect.Errorf(Source, off, "no identification line in %s head", side)
}

// parseIdent splits "SSH-proto-software comments". off is the line's offset,
// for errors.
func parseIdent(line []byte, off int, side string) (ident, error) {
	body := line[len("SSH-"):]
	dash := bytes.IndexByte(body, '-')
	if dash <= 0 {
		return ident{}, dissect.Errorf(Source, off+4, "%s identification has no protocol version", side)
	}
	id := ident{line: line, proto: body[:dash], software: body[dash+1:]}
	if sp := bytes.IndexByte(id.software, ' '); sp >= 0 {
		id.comments = bytes.TrimSpace(id.software[sp+1:])
		id.software = id.software[:sp]
	}
	return id, nil
}

// osTags maps a word found in the comments (or software) to an OS name. The
// order matters: Ubuntu packages say "Debian-1ubuntu3".
var osTags = []struct{ tag, os string }{
	{"ubuntu", "Ubuntu"},
	{"raspbian", "Raspbian"},
	{"debian", "Debian"},
	{"freebsd", "FreeBSD"},
	{"netbsd", "NetBSD"},
	{"openbsd", "OpenBSD"},
	{"centos", "CentOS"},
	{"windows", "Windows"},
}

// osName returns the operating system the comments (or, failing that, the
// software version) name, or "".
func osName(comments, software []byte) string {
	for _, field := range [][]byte{comments, software} {
		if len(field) == 0 {
			continue
		}
		for _, t := range osTags {
			if dissect.IndexFold(field, t.tag) >= 0 {
				return t.os
			}
		}
	}
	return ""
}

// printable returns b as a string with bytes outside printable ASCII
// replaced by '?', so a hostile banner cannot carry control characters.
func printable(b []byte) string {
	clean := true
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			clean = false
			break
		}
	}
	if clean {
		return string(b)
	}
	s := []byte(string(b))
	for i, c := range s {
		if c < 0x20 || c > 0x7e {
			s[i] = '?'
		}
	}
	return string(s)
}
