package hl7

import (
	"bytes"

	"github.com/wardhq/ward/internal/dissect"
)

// devices reads a field that identifies devices, each repetition an EI:
// OBX-18, PRT-10 and EQU-1, or PRT-16 (diOnly), which holds a UDI device
// identifier and nothing else.
func (d *dissector) devices(m *msg, v []byte, s *side, diOnly bool) {
	for rest := v; len(rest) > 0; {
		var ei []byte
		ei, rest = cut(rest, m.enc.rep)
		d.device(m, ei, s, diOnly)
	}
}

// device reads one EI: entity identifier ^ namespace id ^ universal id ^
// universal id type. An entity identifier that is a UDI gives the UDI
// facts; any other gives hl7_equipment, and hl7_eui64 when its universal
// id is one.
func (d *dissector) device(m *msg, ei []byte, s *side, diOnly bool) {
	entity := d.unescape(component(ei, m.enc.comp, 1), &m.enc)
	if looksLikeUDI(entity, diOnly) {
		if d.udi(entity, s) {
			m.device = true
		}
		return
	}
	if diOnly {
		return
	}
	v := d.joinEI(ei, &m.enc)
	if len(v) == 0 {
		return
	}
	m.device = true
	m.pump = m.pump || pumpLike(v)
	d.emit(s.sender, KeyEquipment, v, dissect.Medium)
	d.eui64(component(ei, m.enc.comp, 3), component(ei, m.enc.comp, 4), &m.enc, s.sender,
		dissect.Medium)
}

// joinEI builds into d.join the hl7_equipment value of an EI: its four
// components unescaped and cleaned, joined by '^', empty trailing ones
// dropped.
func (d *dissector) joinEI(ei []byte, enc *encoding) []byte {
	v, keep := d.join[:0], 0
	for n := 1; n <= 4; n++ {
		if n > 1 {
			v = append(v, '^')
		}
		v = append(v, d.text(component(ei, enc.comp, n), enc)...)
		if len(v) > 0 && v[len(v)-1] != '^' {
			keep = len(v)
		}
	}
	return v[:keep]
}

// looksLikeUDI reports whether an entity identifier is written as a UDI:
// it starts with the mark of an issuer's human readable form ('(' GS1, '+'
// HIBCC, '=' or '&' ICCBBA), a symbology identifier or FNC1, or, where a
// device identifier alone is expected, a digit (a bare GTIN).
func looksLikeUDI(v []byte, digits bool) bool {
	if len(v) == 0 {
		return false
	}
	switch v[0] {
	case '(', '+', '=', '&', ']', gs:
		return true
	}
	return digits && '0' <= v[0] && v[0] <= '9'
}

// udi emits the facts of the UDI in v, an unescaped entity identifier, and
// reports whether it was one. Only the device identifier and the serial
// leave: see the package comment.
func (d *dissector) udi(v []byte, s *side) bool {
	u, ok := parseUDI(v)
	if !ok {
		return false
	}
	d.emit(s.sender, dissect.KeyUDI, appendDeviceID(d.join[:0], u.issuer, u.di), dissect.Medium)
	if u.issuer == IssuerGS1 {
		d.emit(s.sender, dissect.KeyGTIN, u.di, dissect.Medium)
	}
	if len(u.serial) > 0 && u.issuer != IssuerICCBBA {
		n := dissect.Clean(d.val[:], u.serial)
		d.emit(s.sender, dissect.KeySerial, d.val[:n], dissect.Medium)
	}
	return true
}

// pumpWords name infusion pumps, or the makes and models of them.
var pumpWords = []string{"pump", "infus", "alaris", "plum", "medfusion", "agilia",
	"volumat", "perfusor", "sigma", "ivenix", "sapphire"}

// pumpLike reports whether a name suggests an infusion pump.
func pumpLike(v []byte) bool { return containsAnyFold(v, pumpWords) }

// containsAnyFold reports whether v holds one of the lower-case ASCII
// words, ignoring case. It lowers v once into a buffer, so that each word
// is a fast bytes.Contains.
func containsAnyFold(v []byte, words []string) bool {
	var buf [maxValue]byte
	if len(v) > len(buf) {
		for _, w := range words {
			if dissect.IndexFold(v, w) >= 0 {
				return true
			}
		}
		return false
	}
	low := buf[:len(v)]
	for i, c := range v {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	for _, w := range words {
		if bytes.Contains(low, []byte(w)) {
			return true
		}
	}
	return false
}

// engineWords name integration engines (and their makers).
var engineWords = []string{"rhapsody", "mirth", "cloverleaf", "ensemble", "healthshare",
	"intersystems", "corepoint", "iguana", "interfaceware", "biztalk", "orion", "qvera",
	"lyniate"}

// engineLike reports whether an application or facility name is that of an
// integration engine. "IRIS" and "NextGen Connect" need word boundaries:
// NextGen alone is an EPR.
func engineLike(v []byte) bool {
	if containsAnyFold(v, engineWords) {
		return true
	}
	if dissect.IndexFold(v, "nextgen") >= 0 && dissect.IndexFold(v, "connect") >= 0 {
		return true
	}
	return hasWord(v, func(w []byte) bool { return equalFold(w, "iris") })
}

// labLike reports whether a name is that of a laboratory system: a word
// that starts with "lab", or is "lis", "lims", "winpath" or "telepath".
func labLike(v []byte) bool {
	return hasWord(v, func(w []byte) bool {
		return dissect.IndexFold(w, "lab") == 0 || equalFold(w, "lis") ||
			equalFold(w, "lims") || equalFold(w, "winpath") || equalFold(w, "telepath")
	})
}

// hasWord reports whether match holds for a word of v, words being runs of
// letters.
func hasWord(v []byte, match func([]byte) bool) bool {
	for i := 0; i < len(v); {
		if !isLetter(v[i]) {
			i++
			continue
		}
		j := i
		for j < len(v) && isLetter(v[j]) {
			j++
		}
		if match(v[i:j]) {
			return true
		}
		i = j
	}
	return false
}

func isLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// equalFold reports whether w is the lower-case ASCII word, ignoring case.
func equalFold(w []byte, word string) bool {
	return len(w) == len(word) && dissect.IndexFold(w, word) == 0
}
