package register

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ErrInvalidMAC is wrapped by NormaliseMAC's errors.
var ErrInvalidMAC = errors.New("invalid MAC address")

// NormaliseMAC returns a MAC address in lower-case colon form
// (00:1b:63:84:45:e6). It accepts the forms registers use: colon or hyphen
// separated (with or without leading zeros: 0:1b:63:84:45:e6), Cisco's dotted
// 001b.6384.45e6, space separated, and 12 bare hex digits, in any case. The
// all-zero and broadcast addresses are placeholders, not MACs, and are
// rejected.
func NormaliseMAC(s string) (string, error) {
	if canonicalMAC(s) {
		return s, nil
	}
	s = strings.TrimSpace(s)
	var b [6]byte
	var err error
	switch {
	case strings.ContainsAny(s, ":-"):
		err = macGroups(&b, s)
	case strings.Contains(s, "."):
		err = macDotted(&b, s)
	case strings.Contains(s, " "):
		err = macGroups(&b, strings.Join(strings.Fields(s), ":"))
	default:
		err = macBare(&b, s)
	}
	if err != nil {
		return "", err
	}
	if b == [6]byte{} {
		return "", fmt.Errorf("%w: all zeros, a placeholder", ErrInvalidMAC)
	}
	if b == [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff} {
		return "", fmt.Errorf("%w: the broadcast address", ErrInvalidMAC)
	}
	const hex = "0123456789abcdef"
	var out [17]byte
	for i, x := range b {
		if i > 0 {
			out[3*i-1] = ':'
		}
		out[3*i], out[3*i+1] = hex[x>>4], hex[x&0xf]
	}
	return string(out[:]), nil
}

// canonicalMAC reports whether s is already in NormaliseMAC's form, as the
// inventory's MACs are.
func canonicalMAC(s string) bool {
	if len(s) != 17 || s == "00:00:00:00:00:00" || s == "ff:ff:ff:ff:ff:ff" {
		return false
	}
	for i := 0; i < 17; i++ {
		c := s[i]
		if i%3 == 2 {
			if c != ':' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// macGroups reads six groups of one or two hex digits, all separated by ':'
// or all by '-'.
func macGroups(b *[6]byte, s string) error {
	sep := ":"
	if strings.Contains(s, "-") {
		sep = "-"
	}
	if strings.Contains(s, ":") && sep == "-" {
		return fmt.Errorf("%w: mixes ':' and '-'", ErrInvalidMAC)
	}
	groups := strings.Split(s, sep)
	if len(groups) != 6 {
		return fmt.Errorf("%w: %d groups, want 6", ErrInvalidMAC, len(groups))
	}
	for i, g := range groups {
		if len(g) < 1 || len(g) > 2 {
			return fmt.Errorf("%w: group %q is not one or two hex digits", ErrInvalidMAC, g)
		}
		v, err := hexByte(g)
		if err != nil {
			return err
		}
		b[i] = v
	}
	return nil
}

// macDotted reads Cisco's three groups of four hex digits.
func macDotted(b *[6]byte, s string) error {
	groups := strings.Split(s, ".")
	if len(groups) != 3 {
		return fmt.Errorf("%w: %d dotted groups, want 3 of 4 hex digits", ErrInvalidMAC,
			len(groups))
	}
	for i, g := range groups {
		if len(g) != 4 {
			return fmt.Errorf("%w: group %q is not four hex digits", ErrInvalidMAC, g)
		}
		hi, err := hexByte(g[:2])
		if err != nil {
			return err
		}
		lo, err := hexByte(g[2:])
		if err != nil {
			return err
		}
		b[2*i], b[2*i+1] = hi, lo
	}
	return nil
}

func macBare(b *[6]byte, s string) error {
	if len(s) != 12 {
		return fmt.Errorf("%w: %d characters, want 12 hex digits", ErrInvalidMAC, len(s))
	}
	for i := range b {
		v, err := hexByte(s[2*i : 2*i+2])
		if err != nil {
			return err
		}
		b[i] = v
	}
	return nil
}

func hexByte(g string) (byte, error) {
	var v byte
	for i := 0; i < len(g); i++ {
		c := g[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, fmt.Errorf("%w: %q is not a hex digit", ErrInvalidMAC, quoteByte(g[i:]))
		}
		v = v<<4 | c
	}
	return v, nil
}

// quoteByte is the first character of s, whole if it is multi-byte.
func quoteByte(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// placeholders are the cell values that mean "no value" in registers.
var placeholders = map[string]bool{
	"-": true, "--": true, "---": true, "?": true, "x": true, "0": true,
	"n/a": true, "na": true, "n.a.": true, "none": true, "nil": true, "null": true,
	"unknown": true, "unk": true, "not known": true, "not applicable": true,
	"tbc": true, "tba": true, "tbd": true, "various": true, "dhcp": true, "dynamic": true,
}

func placeholder(v string) bool {
	return len(v) <= 16 && placeholders[strings.ToLower(v)]
}

// splitList splits a cell that may hold several values, trimming each.
func splitList(v string, seps string) []string {
	if !strings.ContainsAny(v, seps) {
		return []string{strings.TrimSpace(v)} // the common case, kept cheap
	}
	var out []string
	for _, tok := range strings.FieldsFunc(v, func(r rune) bool {
		return strings.ContainsRune(seps, r)
	}) {
		if tok = strings.TrimSpace(tok); tok != "" {
			out = append(out, tok)
		}
	}
	return out
}

// parseIP reads one address as registers write it: plain, with a prefix
// length (10.1.2.3/24), or with zero-padded octets (010.001.002.003).
func parseIP(s string) (netip.Addr, bool) {
	if !maybeIP(s) {
		return netip.Addr{}, false // a host name: spare netip's errors
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Addr().Unmap(), true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		if len(p) == 0 || len(p) > 3 {
			return netip.Addr{}, false
		}
		v, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
	}
	return netip.AddrFrom4(b), true
}

// maybeIP reports whether s has only the characters of an address, up to
// any zone.
func maybeIP(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F',
			c == ':', c == '.', c == '/':
		case c == '%' && i > 0:
			return true
		default:
			return false
		}
	}
	return s != ""
}

// hostKey is the part of a host name that matching compares: lower case,
// without domain, UNC prefix or trailing dot. It is "" for an address.
func hostKey(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), `\\`)
	s = strings.TrimSuffix(s, ".")
	if _, ok := parseIP(s); ok {
		return ""
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	return strings.ToLower(s)
}

// serialKey is a serial number as matching compares it: upper case, without
// spaces.
func serialKey(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, " \t") {
		s = strings.Join(strings.Fields(s), "")
	}
	return strings.ToUpper(s)
}
