package ftp

import (
	"bytes"

	"github.com/wardhq/ward/internal/dissect"
)

// products are FTP servers whose greeting or SYST reply names them, with
// the spelling emitted. The version, when one follows, is appended.
var products = []struct{ match, name string }{
	{"proftpd", "ProFTPD"},
	{"vsftpd", "vsFTPd"},
	{"pure-ftpd", "Pure-FTPd"},
	{"filezilla server", "FileZilla Server"},
	{"microsoft ftp service", "Microsoft FTP Service"},
	{"serv-u", "Serv-U"},
	{"wu-ftpd", "wu-ftpd"},
	{"netbsd-ftpd", "NetBSD-ftpd"},
	{"linux-ftpd", "Linux-ftpd"},
	{"ws_ftp server", "WS_FTP Server"},
	{"titan ftp server", "Titan FTP Server"},
	{"bftpd", "bftpd"},
	{"crushftp", "CrushFTP"},
	{"mod_ftp", "mod_ftp"},
	{"vxworks", "VxWorks FTP"},
}

// software returns "Product version" for the first known product named in
// raw reply text, or "".
func software(raw []byte) string {
	for _, p := range products {
		i := dissect.IndexFold(raw, p.match)
		if i < 0 {
			continue
		}
		v := version(raw[i+len(p.match):])
		if len(v) == 0 {
			return p.name
		}
		return p.name + " " + string(v)
	}
	return ""
}

// version returns a version that directly follows a product name after at
// most one separator (" ", "/", "-", "_", " v"): "1.3.0a", "20100320".
func version(b []byte) []byte {
	if len(b) > 0 && bytes.IndexByte([]byte(" /-_"), b[0]) >= 0 {
		b = b[1:]
	}
	if len(b) > 1 && (b[0] == 'v' || b[0] == 'V') && isDigit(b[1]) {
		b = b[1:]
	}
	if len(b) == 0 || !isDigit(b[0]) {
		return nil
	}
	n := 0
	for n < len(b) && n < 32 && (isDigit(b[n]) || isAlpha(b[n]) || b[n] == '.') {
		n++
	}
	return bytes.TrimRight(b[:n], ".")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// text returns reply text as a string of printable ASCII, at most maxText
// bytes; other bytes become '?'.
func text(b []byte) string {
	if len(b) > maxText {
		b = b[:maxText]
	}
	out := []byte(string(b))
	for i, c := range out {
		if c < 0x20 || c > 0x7e {
			out[i] = '?'
		}
	}
	return string(bytes.TrimSpace(out))
}

// equalFold reports whether b equals the lower-case ASCII word, ignoring case.
func equalFold(b []byte, word string) bool {
	return len(b) == len(word) && dissect.IndexFold(b, word) == 0
}
