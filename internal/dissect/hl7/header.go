package hl7

import (
	"bytes"

	"github.com/wardhq/ward/internal/dissect"
)

// encoding is the delimiters a message declares in MSH-1 and MSH-2.
type encoding struct {
	field, comp, rep, esc, sub byte
	trunc                      byte // v2.7 truncation character; 0 when not declared
}

// msg is the state of the message being read. Its slices alias the head.
type msg struct {
	active  bool // its MSH was read; false before, and after a bad one
	enc     encoding
	code    []byte // MSH-9.1 message code, raw
	event   []byte // MSH-9.2 trigger event, raw
	sendApp []byte // MSH-3, raw
	sendFac []byte // MSH-4, raw
	recvApp []byte // MSH-5, raw
	pcd     bool   // MSH-21 names an IHE PCD profile
	device  bool   // a device field (OBX-18, PRT-10, PRT-16, EQU-1) named a device
	pump    bool   // a device was named like an infusion pump
}

// isHeaderID reports whether id is MSH, FHS or BHS.
func isHeaderID(id []byte) bool {
	switch string(id) {
	case "MSH", "FHS", "BHS":
		return true
	}
	return false
}

// isHeader reports whether segment b is a message or batch header with a
// field separator after its id.
func isHeader(b []byte) bool {
	return len(b) >= 4 && isHeaderID(b[:3])
}

func isAlnum(c byte) bool {
	return ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z')
}

// validFieldSep reports whether c may be MSH-1: anything but a letter, a
// digit, a line end, NUL or an MLLP framing byte.
func validFieldSep(c byte) bool {
	return !isAlnum(c) && c != '\r' && c != '\n' && c != 0 && c != startBlock && c != endBlock
}

// validEncoding reports whether chars are distinct printable ASCII
// punctuation, as MSH-2 must be.
func validEncoding(chars []byte) bool {
	for i, c := range chars {
		if c <= ' ' || c > '~' || isAlnum(c) || bytes.IndexByte(chars[i+1:], c) >= 0 {
			return false
		}
	}
	return true
}

// encoding reads MSH-1 and MSH-2 of a header segment (FHS-1 and 2, BHS-1
// and 2). ok is false for a malformed header, which records an error, and
// for one cut before MSH-2 ends.
func (d *dissector) encoding(g segment, s *side) (enc encoding, ok bool) {
	fs := g.b[3]
	if !validFieldSep(fs) {
		d.fail(s, g.off+3, "field separator is a letter, digit or control byte")
		return enc, false
	}
	chars := g.b[4:]
	if i := bytes.IndexByte(chars, fs); i >= 0 {
		chars = chars[:i]
	} else if g.cut {
		return enc, false
	}
	if len(chars) < 4 || len(chars) > 5 || !validEncoding(chars) {
		d.fail(s, g.off+4, "encoding characters are not 4 or 5 distinct punctuation characters")
		return enc, false
	}
	enc = encoding{field: fs, comp: chars[0], rep: chars[1], esc: chars[2], sub: chars[3]}
	if len(chars) == 5 {
		enc.trunc = chars[4]
	}
	return enc, true
}

// msh reads a message header and starts message m.
func (d *dissector) msh(m *msg, g segment, s *side) {
	*m = msg{}
	enc, ok := d.encoding(g, s)
	if !ok {
		return
	}
	*m = msg{active: true, enc: enc}
	d.any = true
	d.emitString(s.sender, dissect.KeyService, "hl7", dissect.High)
	f := newFields(g, enc.field, 2)
	f.next() // MSH-2
	for f.n < 21 {
		v, ok := f.next()
		if !ok {
			break
		}
		d.mshField(m, f.n, v, s)
	}
	if !g.cut || f.n > 9 {
		d.peerFact(m, s) // not for a header cut before its message type
	}
}

// mshField reads field n of a message header.
func (d *dissector) mshField(m *msg, n int, v []byte, s *side) {
	switch n {
	case 3, 4, 5, 6:
		d.hdField(m, n, v, s)
	case 9:
		m.code, m.event = component(v, m.enc.comp, 1), component(v, m.enc.comp, 2)
		d.emit(s.sender, KeyMessageType, d.messageType(m), dissect.High)
	case 11:
		d.emit(s.sender, KeyProcessingID, d.text(component(v, m.enc.comp, 1), &m.enc), dissect.High)
	case 12:
		d.emit(s.sender, KeyVersion, d.text(component(v, m.enc.comp, 1), &m.enc), dissect.High)
	case 18:
		for rest := v; len(rest) > 0; {
			var r []byte
			r, rest = cut(rest, m.enc.rep)
			d.emit(s.sender, KeyCharset, d.text(r, &m.enc), dissect.High)
		}
	case 21:
		d.profiles(m, v, s)
	}
}

// hdField reads MSH-3 to MSH-6 (or FHS or BHS 3 to 6): hierarchic
// designators naming the sending and receiving application and facility.
func (d *dissector) hdField(m *msg, n int, v []byte, s *side) {
	switch n {
	case 3:
		m.sendApp = v
		d.emit(s.sender, KeySendingApplication, d.hdName(v, &m.enc), dissect.High)
		d.hdEUI64(v, &m.enc, s)
	case 4:
		m.sendFac = v
		d.emit(s.sender, KeySendingFacility, d.hdName(v, &m.enc), dissect.High)
		d.hdEUI64(v, &m.enc, s)
	case 5:
		m.recvApp = v
		d.emit(s.receiver, KeyReceivingApplication, d.hdName(v, &m.enc), dissect.Medium)
	case 6:
		d.emit(s.receiver, KeyReceivingFacility, d.hdName(v, &m.enc), dissect.Medium)
	}
}

// batchHeader reads FHS or BHS: separators, applications and facilities.
// It starts no message; the MSH segments inside the batch do.
func (d *dissector) batchHeader(g segment, s *side) {
	enc, ok := d.encoding(g, s)
	if !ok {
		return
	}
	d.any = true
	d.emitString(s.sender, dissect.KeyService, "hl7", dissect.High)
	m := msg{enc: enc}
	f := newFields(g, enc.field, 2)
	f.next() // FHS-2
	for f.n < 6 {
		v, ok := f.next()
		if !ok {
			break
		}
		d.hdField(&m, f.n, v, s)
	}
}

// hdName returns the name an HD field gives: its namespace id, or its
// universal id when that is empty. The result aliases d.val.
func (d *dissector) hdName(v []byte, enc *encoding) []byte {
	if name := d.text(component(v, enc.comp, 1), enc); len(name) > 0 {
		return name
	}
	return d.text(component(v, enc.comp, 2), enc)
}

// hdEUI64 emits the universal id of an HD field whose type is EUI-64.
func (d *dissector) hdEUI64(v []byte, enc *encoding, s *side) {
	d.eui64(component(v, enc.comp, 2), component(v, enc.comp, 3), enc, s.sender, dissect.High)
}

// eui64 emits id when typ says it is an EUI-64 and it is one: 16 hex
// digits, emitted in upper case.
func (d *dissector) eui64(id, typ []byte, enc *encoding, who dissect.Endpoint, c dissect.Confidence) {
	if !bytes.EqualFold(typ, []byte("EUI-64")) {
		return
	}
	v := d.text(id, enc)
	if len(v) != 16 {
		return
	}
	for i, b := range v {
		switch {
		case 'a' <= b && b <= 'f':
			v[i] = b - 'a' + 'A'
		case ('0' <= b && b <= '9') || ('A' <= b && b <= 'F'):
		default:
			return
		}
	}
	d.emit(who, KeyEUI64, v, c)
}

// messageType builds the hl7_message_type value of m into d.join.
func (d *dissector) messageType(m *msg) []byte {
	v := append(d.join[:0], d.text(m.code, &m.enc)...)
	if len(v) == 0 {
		return v
	}
	if event := d.text(m.event, &m.enc); len(event) > 0 {
		v = append(v, '^')
		v = append(v, event...)
	}
	return v
}

// peerFact emits hl7_peer for message m on both ends, unless the header
// names neither end nor the message type.
func (d *dissector) peerFact(m *msg, s *side) {
	if len(m.sendApp)+len(m.sendFac)+len(m.recvApp)+len(m.code) == 0 {
		return
	}
	p := d.appendName(d.peer[:0], m.sendApp, m.sendFac, &m.enc)
	p = append(p, " -> "...)
	p = d.appendName(p, m.recvApp, nil, &m.enc)
	p = append(p, ' ')
	if t := d.messageType(m); len(t) > 0 {
		p = append(p, t...)
	} else {
		p = append(p, '?')
	}
	link := s.receiver
	if string(m.code) == "ACK" {
		link = dissect.Endpoint{} // an answer, not a flow of its own
	}
	d.emitLink(s.sender, link, KeyPeer, p, dissect.Medium)
	d.emit(s.receiver, KeyPeer, p, dissect.Medium)
}

// appendName appends the name of app, or failing that of fac, or "?".
func (d *dissector) appendName(p, app, fac []byte, enc *encoding) []byte {
	name := d.hdName(app, enc)
	if len(name) == 0 {
		name = d.hdName(fac, enc)
	}
	if len(name) == 0 {
		return append(p, '?')
	}
	return append(p, name...)
}

// pcdOIDArc is the OID arc of the IHE Patient Care Device domain, under
// which its message profiles are registered (PCD-01 DEC
// 1.3.6.1.4.1.19376.1.6.1.1.1, PCD-03 PIV 1.3.6.1.4.1.19376.1.6.1.3.1,
// PCD-10 IPEC 1.3.6.1.4.1.19376.1.6.4.10; ACM is seen under both
// …1.6.1.4.1 and …1.6.4.4).
const pcdOIDArc = "1.3.6.1.4.1.19376.1.6."

// profiles reads MSH-21, the message profile identifiers (EI, repeating).
func (d *dissector) profiles(m *msg, v []byte, s *side) {
	for rest := v; len(rest) > 0; {
		var ei []byte
		ei, rest = cut(rest, m.enc.rep)
		entity, uid := component(ei, m.enc.comp, 1), component(ei, m.enc.comp, 3)
		if dissect.IndexFold(entity, "ihe_pcd") == 0 || bytes.HasPrefix(uid, []byte(pcdOIDArc)) {
			m.pcd = true
		}
		name := d.text(entity, &m.enc)
		if len(name) == 0 {
			name = d.text(uid, &m.enc)
		}
		d.emit(s.sender, KeyProfile, name, dissect.High)
	}
}

// ackCodes are the values of MSA-1 (HL7 table 0008).
var ackCodes = [...]string{"AA", "AE", "AR", "CA", "CE", "CR"}

// ack reads MSA-1 of an acknowledgment.
func (d *dissector) ack(v []byte, s *side) {
	for _, code := range ackCodes {
		if string(v) == code {
			d.emitString(s.sender, KeyAck, code, dissect.High)
		}
	}
}

// component returns component n (from 1) of field v, raw.
func component(v []byte, sep byte, n int) []byte {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(v, sep)
		if j < 0 {
			return nil
		}
		v = v[j+1:]
	}
	c, _ := cut(v, sep)
	return c
}

// cut splits v at its first sep.
func cut(v []byte, sep byte) (before, after []byte) {
	if i := bytes.IndexByte(v, sep); i >= 0 {
		return v[:i], v[i+1:]
	}
	return v, nil
}
