package tls

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
)

// ja3 returns the JA3 fingerprint of the hello: the MD5, in hex, of
// "version,ciphers,extensions,groups,point formats", each list in decimal
// joined by '-', in the order sent, GREASE values left out.
func (h *clientHello) ja3() string {
	var buf [1024]byte
	sum := md5.Sum(h.appendJA3(buf[:0]))
	return hex.EncodeToString(sum[:])
}

// appendJA3 appends the JA3 string, before hashing, to s.
func (h *clientHello) appendJA3(s []byte) []byte {
	s = strconv.AppendUint(s, uint64(h.version), 10)
	s = append(s, ',')
	s = appendDecimals(s, h.ciphers, 2)
	s = append(s, ',')
	first := true
	for block := h.extensions; len(block) > 0; {
		typ, _, rest, _ := nextExtension(block)
		block = rest
		if isGREASE(typ) {
			continue
		}
		if !first {
			s = append(s, '-')
		}
		first = false
		s = strconv.AppendUint(s, uint64(typ), 10)
	}
	s = append(s, ',')
	groups, _ := extension(h.extensions, extSupportedGroups)
	s = appendDecimals(s, vector16(groups), 2)
	s = append(s, ',')
	formats, _ := extension(h.extensions, extPointFormats)
	return appendDecimals(s, vector8(formats), 1)
}

// appendDecimals appends the width-byte big-endian values of list in
// decimal, joined by '-', GREASE values left out.
func appendDecimals(s, list []byte, width int) []byte {
	first := true
	for i := 0; i+width <= len(list); i += width {
		v := uint16(list[i])
		if width == 2 {
			v = v<<8 | uint16(list[i+1])
			if isGREASE(v) {
				continue
			}
		}
		if !first {
			s = append(s, '-')
		}
		first = false
		s = strconv.AppendUint(s, uint64(v), 10)
	}
	return s
}

// vector16 and vector8 return the contents of extension data that is one
// vector with a two- or one-byte length, nil when it is not.
func vector16(data []byte) []byte {
	c := cursor{b: data}
	return c.vec16()
}

func vector8(data []byte) []byte {
	c := cursor{b: data}
	return c.vec8()
}

// ja4 returns the JA4 client fingerprint of the hello (FoxIO JA4
// specification): "t", version, SNI flag, cipher and extension counts and
// the first ALPN value's ends, then truncated SHA-256 hashes of the sorted
// ciphers and of the sorted extensions followed by the signature algorithms.
func (h *clientHello) ja4() string {
	var ciphers, exts, sigs [128]uint16
	cs := appendValues(ciphers[:0], h.ciphers)
	es, sni, alpn := h.extensionTypes(exts[:0])
	algs, _ := extension(h.extensions, extSignatureAlgs)
	ss := appendValues(sigs[:0], vector16(algs))

	var buf [128]byte
	a := append(buf[:0], 't')
	a = append(a, ja4Version(h.ja4VersionValue())...)
	if sni {
		a = append(a, 'd')
	} else {
		a = append(a, 'i')
	}
	a = appendCount(a, len(cs))
	a = appendCount(a, len(es))
	a = appendALPN(a, alpn)
	a = append(a, '_')

	slices.Sort(cs)
	a = appendHash(a, cs, nil)
	a = append(a, '_')
	es = slices.DeleteFunc(es, func(t uint16) bool { return t == extServerName || t == extALPN })
	slices.Sort(es)
	a = appendHash(a, es, ss)
	return string(a)
}

// extensionTypes appends the non-GREASE extension types to dst and reports
// whether SNI is present and the first ALPN protocol name.
func (h *clientHello) extensionTypes(dst []uint16) (types []uint16, sni bool, alpn []byte) {
	for block := h.extensions; len(block) > 0; {
		typ, data, rest, _ := nextExtension(block)
		block = rest
		if isGREASE(typ) {
			continue
		}
		dst = append(dst, typ)
		switch typ {
		case extServerName:
			sni = true
		case extALPN:
			names := cursor{b: vector16(data)}
			alpn = names.vec8()
		}
	}
	return dst, sni, alpn
}

// ja4VersionValue is the highest non-GREASE supported_versions value, or
// the legacy version when the extension is absent.
func (h *clientHello) ja4VersionValue() uint16 {
	data, ok := extension(h.extensions, extSupportedVersions)
	if !ok {
		return h.version
	}
	var best uint16
	list := vector8(data)
	for i := 0; i+1 < len(list); i += 2 {
		v := uint16(list[i])<<8 | uint16(list[i+1])
		if !isGREASE(v) && v > best {
			best = v
		}
	}
	return best
}

// ja4Version gives the two characters JA4 uses for a version.
func ja4Version(v uint16) string {
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0200:
		return "s2"
	case 0x0100:
		return "s1"
	}
	return "00"
}

// appendValues appends the big-endian uint16 values of list, GREASE left out.
func appendValues(dst []uint16, list []byte) []uint16 {
	for i := 0; i+1 < len(list); i += 2 {
		if v := uint16(list[i])<<8 | uint16(list[i+1]); !isGREASE(v) {
			dst = append(dst, v)
		}
	}
	return dst
}

// appendCount appends n as two decimal digits, capped at 99.
func appendCount(a []byte, n int) []byte {
	n = min(n, 99)
	return append(a, byte('0'+n/10), byte('0'+n%10))
}

// appendALPN appends the first and last characters of the first ALPN
// value, "00" when there is none, or the first and last hex digits of the
// value when either end is not an ASCII letter or digit.
func appendALPN(a, alpn []byte) []byte {
	if len(alpn) == 0 {
		return append(a, '0', '0')
	}
	first, last := alpn[0], alpn[len(alpn)-1]
	if isAlnum(first) && isAlnum(last) {
		return append(a, first, last)
	}
	const digits = "0123456789abcdef"
	return append(a, digits[first>>4], digits[last&0xf])
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// appendHash appends the first 12 hex digits of the SHA-256 of list, as
// comma-joined four-digit hex values, followed by '_' and second when second
// is not empty; "000000000000" when both are empty.
func appendHash(a []byte, list, second []uint16) []byte {
	if len(list) == 0 && len(second) == 0 {
		return append(a, "000000000000"...)
	}
	var buf [1024]byte
	s := appendHexList(buf[:0], list)
	if len(second) > 0 {
		s = append(s, '_')
		s = appendHexList(s, second)
	}
	sum := sha256.Sum256(s)
	return hex.AppendEncode(a, sum[:6])
}

// appendHexList appends values as four lower-case hex digits, comma joined.
func appendHexList(s []byte, values []uint16) []byte {
	const digits = "0123456789abcdef"
	for i, v := range values {
		if i > 0 {
			s = append(s, ',')
		}
		s = append(s, digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf])
	}
	return s
}
