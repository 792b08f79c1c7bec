package tls

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/dissect"
)

// Extension types (IANA TLS ExtensionType registry).
const (
	extServerName        = 0
	extSupportedGroups   = 10
	extPointFormats      = 11
	extSignatureAlgs     = 13
	extALPN              = 16
	extSupportedVersions = 43
)

var (
	errShort      = errors.New("message cut short")
	errExtensions = errors.New("extension list overruns its length")
)

// cursor reads big-endian fields from a message. A read past the end sets
// bad and returns zeros, so parsers check once at the end.
type cursor struct {
	b   []byte
	bad bool
}

func (c *cursor) take(n int) []byte {
	if c.bad || n > len(c.b) {
		c.bad = true
		return nil
	}
	v := c.b[:n]
	c.b = c.b[n:]
	return v
}

func (c *cursor) u8() int {
	v := c.take(1)
	if v == nil {
		return 0
	}
	return int(v[0])
}

func (c *cursor) u16() int {
	v := c.take(2)
	if v == nil {
		return 0
	}
	return int(v[0])<<8 | int(v[1])
}

// vec8 and vec16 read a vector with a one- or two-byte length prefix.
func (c *cursor) vec8() []byte  { return c.take(c.u8()) }
func (c *cursor) vec16() []byte { return c.take(c.u16()) }

// clientHello holds the fields of a ClientHello that identify the client.
// Its slices alias the handshake message.
type clientHello struct {
	version    uint16 // legacy_version
	ciphers    []byte // cipher suites, two bytes each
	extensions []byte // the extension block, validated by parse
}

// parse reads a ClientHello body (RFC 8446 section 4.1.2).
func (h *clientHello) parse(body []byte) error {
	c := cursor{b: body}
	h.version = uint16(c.u16())
	c.take(32) // random
	c.vec8()   // legacy_session_id
	h.ciphers = c.vec16()
	c.vec8() // legacy_compression_methods
	if c.bad {
		return errShort
	}
	if len(h.ciphers)%2 != 0 {
		return errors.New("odd cipher suite list length")
	}
	if len(c.b) == 0 {
		return nil // no extensions: allowed before TLS 1.3
	}
	h.extensions = c.vec16()
	if c.bad {
		return errExtensions
	}
	return validExtensions(h.extensions)
}

// validExtensions checks that an extension block splits exactly into
// extensions.
func validExtensions(b []byte) error {
	for len(b) > 0 {
		var ok bool
		if _, _, b, ok = nextExtension(b); !ok {
			return errExtensions
		}
	}
	return nil
}

// nextExtension splits the first extension off an extension block.
func nextExtension(b []byte) (typ uint16, data, rest []byte, ok bool) {
	if len(b) < 4 {
		return 0, nil, nil, false
	}
	n := int(b[2])<<8 | int(b[3])
	if len(b)-4 < n {
		return 0, nil, nil, false
	}
	return uint16(b[0])<<8 | uint16(b[1]), b[4 : 4+n], b[4+n:], true
}

// extension returns the data of the first extension of type typ.
func extension(block []byte, typ uint16) (data []byte, found bool) {
	for len(block) > 0 {
		t, d, rest, ok := nextExtension(block)
		if !ok {
			return nil, false
		}
		if t == typ {
			return d, true
		}
		block = rest
	}
	return nil, false
}

// facts returns out with the client's facts appended: the server name it
// asked for, the versions it offers and its fingerprints.
func (h *clientHello) facts(ctx *dissect.Context, out []dissect.Fact) []dissect.Fact {
	if sni := h.serverName(); sni != "" {
		out = append(out, fact(ctx.Dst, KeySNI, sni, dissect.Medium))
	}
	if v := h.offeredVersions(); v != "" {
		out = append(out, fact(ctx.Src, KeyVersions, v, dissect.High))
	}
	out = append(out, fact(ctx.Src, KeyJA3, h.ja3(), dissect.High))
	return append(out, fact(ctx.Src, KeyJA4, h.ja4(), dissect.High))
}

// serverName returns the first host_name of the server_name extension
// (RFC 6066 section 3), or "" when there is none or it is not a plain name.
func (h *clientHello) serverName() string {
	data, ok := extension(h.extensions, extServerName)
	if !ok {
		return ""
	}
	c := cursor{b: data}
	list := cursor{b: c.vec16()}
	for !list.bad && len(list.b) > 0 {
		kind := list.u8()
		name := list.vec16()
		if kind == 0 && !list.bad {
			return hostName(name)
		}
	}
	return ""
}

// hostName returns name as a string when it is printable ASCII, "" if not.
func hostName(name []byte) string {
	if len(name) == 0 || len(name) > 255 {
		return ""
	}
	for _, c := range name {
		if c <= ' ' || c >= 0x7f {
			return ""
		}
	}
	return strings.ToLower(string(name))
}

// offeredVersions lists the versions of the supported_versions extension
// in the order offered, or the legacy version when it is absent.
func (h *clientHello) offeredVersions() string {
	data, ok := extension(h.extensions, extSupportedVersions)
	if !ok {
		return versionName(h.version)
	}
	c := cursor{b: data}
	list := c.vec8()
	var sb strings.Builder
	for i := 0; i+1 < len(list); i += 2 {
		v := uint16(list[i])<<8 | uint16(list[i+1])
		if isGREASE(v) {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(versionName(v))
	}
	return sb.String()
}

// serverHello holds what a ServerHello says.
type serverHello struct {
	version uint16 // the version chosen: supported_versions, else legacy_version
	cipher  uint16
}

// parse reads a ServerHello body (RFC 8446 section 4.1.3).
func (h *serverHello) parse(body []byte) error {
	c := cursor{b: body}
	h.version = uint16(c.u16())
	c.take(32) // random
	c.vec8()   // legacy_session_id_echo
	h.cipher = uint16(c.u16())
	c.u8() // legacy_compression_method
	if c.bad {
		return errShort
	}
	if len(c.b) == 0 {
		return nil
	}
	block := c.vec16()
	if c.bad || validExtensions(block) != nil {
		return errExtensions
	}
	if v, ok := extension(block, extSupportedVersions); ok && len(v) == 2 {
		h.version = uint16(v[0])<<8 | uint16(v[1])
	}
	return nil
}

// facts returns out with the server's facts appended.
func (h *serverHello) facts(ctx *dissect.Context, out []dissect.Fact) []dissect.Fact {
	out = append(out, fact(ctx.Dst, KeyVersion, versionName(h.version), dissect.High))
	out = append(out, fact(ctx.Dst, KeyCipher, hex4(h.cipher), dissect.High))
	if old := insecureName(h.version); old != "" {
		out = append(out, fact(ctx.Dst, dissect.KeyInsecure, old, dissect.High))
	}
	return out
}

// versionName names a protocol version.
func versionName(v uint16) string {
	switch {
	case v == 0x0300:
		return "ssl3"
	case v >= 0x0301 && v <= 0x0304:
		return "1." + strconv.Itoa(int(v-0x0301))
	case v>>8 == 0x7f:
		return "1.3-draft" + strconv.Itoa(int(v&0xff))
	}
	return hex4(v)
}

// insecureName names a chosen version that is no longer safe, "" if none.
func insecureName(v uint16) string {
	switch v {
	case 0x0300:
		return "ssl3"
	case 0x0301:
		return "tls1.0"
	case 0x0302:
		return "tls1.1"
	}
	return ""
}

// hex4 formats v as "0x" and four lower-case hex digits.
func hex4(v uint16) string {
	const digits = "0123456789abcdef"
	b := [6]byte{'0', 'x', digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf]}
	return string(b[:])
}

// isGREASE reports whether v is one of the reserved GREASE values
// 0x0a0a, 0x1a1a, … 0xfafa (RFC 8701).
func isGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
