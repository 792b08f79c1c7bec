package demo

import (
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"strings"
)

// UIDs of the DICOM standard used here (PS3.6 Annex A).
const (
	uidAppContext    = "1.2.840.10008.3.1.1.1"
	uidImplicitLE    = "1.2.840.10008.1.2"
	uidExplicitLE    = "1.2.840.10008.1.2.1"
	uidVerification  = "1.2.840.10008.1.1"
	uidCommitment    = "1.2.840.10008.1.20.1"   // Storage Commitment Push Model
	uidCommitmentIns = "1.2.840.10008.1.20.1.1" // its well-known instance
	uidMPPS          = "1.2.840.10008.3.1.2.3.3"
	uidMWLFind       = "1.2.840.10008.5.1.4.31"
	uidStudyFind     = "1.2.840.10008.5.1.4.1.2.2.1"
	uidStudyMove     = "1.2.840.10008.5.1.4.1.2.2.2"
)

// Command Field values (PS3.7 E.1) and statuses.
const (
	cStore       = 0x0001
	cFind        = 0x0020
	cMove        = 0x0021
	cEcho        = 0x0030
	nSet         = 0x0120
	nAction      = 0x0130
	nCreate      = 0x0140
	rsp          = 0x8000
	noDataSet    = 0x0101
	statusOK     = 0x0000
	statusActive = 0xff00 // pending
)

// maxPDU is the longest PDU every node here receives, bytes.
const maxPDU = 16384

// pctx is a presentation context as proposed: an abstract syntax and the
// transfer syntaxes offered for it.
type pctx struct {
	id       byte
	abstract string
	ts       []string
}

// assoc is what an association's A-ASSOCIATE-RQ and -AC carry.
type assoc struct {
	called, calling string
	contexts        []pctx
	rqImpl, acImpl  [2]string // implementation class UIDs and version names
}

// padUID pads a UID to even length with a NUL (PS3.5 9.1).
func padUID(uid string) []byte {
	b := []byte(uid)
	if len(b)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// padText pads text to even length with a space.
func padText(s string) []byte {
	b := []byte(s)
	if len(b)%2 == 1 {
		b = append(b, ' ')
	}
	return b
}

// ae is an AE title field: 16 bytes, padded with spaces.
func ae(title string) []byte {
	return []byte((title + strings.Repeat(" ", 16))[:16])
}

// item appends a PDU item or sub-item: its type, a reserved byte and a
// 2-byte length.
func item(b []byte, typ byte, body []byte) []byte {
	b = append(b, typ, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

// pdu wraps a body in a PDU header: type, reserved, 4-byte length.
func pdu(typ byte, body []byte) []byte {
	b := make([]byte, 0, 6+len(body))
	b = append(b, typ, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

// userInfo is the User Information item: maximum length, implementation
// class UID and version name.
func userInfo(impl [2]string) []byte {
	var v []byte
	v = item(v, 0x51, binary.BigEndian.AppendUint32(nil, maxPDU))
	v = item(v, 0x52, []byte(impl[0]))
	v = item(v, 0x55, []byte(impl[1]))
	return item(nil, 0x50, v)
}

// fixed builds the fixed fields of an A-ASSOCIATE-RQ or -AC.
func (a *assoc) fixed() []byte {
	b := []byte{0, 1, 0, 0} // protocol version 1, reserved
	b = append(b, ae(a.called)...)
	b = append(b, ae(a.calling)...)
	b = append(b, make([]byte, 32)...)
	return item(b, 0x10, []byte(uidAppContext))
}

// request is the A-ASSOCIATE-RQ.
func (a *assoc) request() []byte {
	b := a.fixed()
	for _, c := range a.contexts {
		v := []byte{c.id, 0, 0, 0}
		v = item(v, 0x30, []byte(c.abstract))
		for _, ts := range c.ts {
			v = item(v, 0x40, []byte(ts))
		}
		b = item(b, 0x20, v)
	}
	return pdu(1, append(b, userInfo(a.rqImpl)...))
}

// accept is the A-ASSOCIATE-AC: every context accepted with explicit VR
// little endian.
func (a *assoc) accept() []byte {
	b := a.fixed()
	for _, c := range a.contexts {
		v := item([]byte{c.id, 0, 0, 0}, 0x40, []byte(uidExplicitLE))
		b = item(b, 0x21, v)
	}
	return pdu(2, append(b, userInfo(a.acImpl)...))
}

// releaseRQ and releaseRP end an association.
func releaseRQ() []byte { return pdu(5, make([]byte, 4)) }
func releaseRP() []byte { return pdu(6, make([]byte, 4)) }

// contexts proposes each abstract syntax in its own context, with explicit
// and implicit VR little endian.
func contexts(abstracts ...string) []pctx {
	out := make([]pctx, len(abstracts))
	for i, as := range abstracts {
		out[i] = pctx{id: byte(2*i + 1), abstract: as, ts: []string{uidExplicitLE, uidImplicitLE}}
	}
	return out
}

// pdata sends a message in context id: the command set in one P-DATA-TF,
// then the data set, if any, in fragments that fit maxPDU.
func pdata(id byte, cmd, ds []byte) []byte {
	b := pdu(4, pdv(nil, id, 0x03, cmd))
	for len(ds) > 0 {
		n := min(len(ds), maxPDU-6)
		last := byte(0)
		if n == len(ds) {
			last = 0x02
		}
		b = append(b, pdu(4, pdv(nil, id, last, ds[:n]))...)
		ds = ds[n:]
	}
	return b
}

// pdv appends a presentation data value item: length, context id, message
// control header and the fragment.
func pdv(b []byte, id, mch byte, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(2+len(data)))
	b = append(b, id, mch)
	return append(b, data...)
}

// dimse is a command set to encode (PS3.7 E.1); zero fields are left out.
type dimse struct {
	affectedSOP, requestedSOP   string
	field                       uint16
	msgID, respondingTo         uint16
	moveDest                    string
	dataSet                     bool
	status                      uint16
	hasStatus                   bool
	affectedInst, requestedInst string
	actionType                  uint16
	remaining, completed        uint16
	hasCounts                   bool
	moveOrigin                  string
	moveOriginID                uint16
}

// encode writes the command set in implicit VR little endian, the group
// length first and every element in tag order.
func (c *dimse) encode() []byte {
	var e []byte
	str := func(el uint16, v []byte) {
		if len(v) > 0 {
			e = cmdElem(e, el, v)
		}
	}
	u16 := func(el, v uint16) { e = cmdElem(e, el, binary.LittleEndian.AppendUint16(nil, v)) }
	str(0x0002, padUID(c.affectedSOP))
	str(0x0003, padUID(c.requestedSOP))
	u16(0x0100, c.field)
	if c.field&rsp == 0 {
		u16(0x0110, c.msgID)
	} else {
		u16(0x0120, c.respondingTo)
	}
	if c.moveDest != "" {
		str(0x0600, ae(c.moveDest))
	}
	if c.field == cStore || c.field == cFind || c.field == cMove {
		u16(0x0700, 0) // medium priority
	}
	ds := uint16(noDataSet)
	if c.dataSet {
		ds = 0x0000
	}
	u16(0x0800, ds)
	if c.hasStatus {
		u16(0x0900, c.status)
	}
	str(0x1000, padUID(c.affectedInst))
	str(0x1001, padUID(c.requestedInst))
	if c.actionType != 0 {
		u16(0x1008, c.actionType)
	}
	if c.hasCounts {
		u16(0x1020, c.remaining)
		u16(0x1021, c.completed)
		u16(0x1022, 0)
		u16(0x1023, 0)
	}
	if c.moveOrigin != "" {
		str(0x1030, padText(c.moveOrigin))
		u16(0x1031, c.moveOriginID)
	}
	return append(cmdElem(nil, 0x0000, binary.LittleEndian.AppendUint32(nil, uint32(len(e)))), e...)
}

// cmdElem appends an implicit VR element of group 0000.
func cmdElem(b []byte, el uint16, v []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint16(b, el)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(v)))
	return append(b, v...)
}

// dataset builds a data set in explicit VR little endian. Callers add
// elements in tag order.
type dataset struct{ b []byte }

// elem adds an element: its tag, VR, length (4 bytes for the VRs that
// have one) and value.
func (d *dataset) elem(group, el uint16, vr string, v []byte) {
	d.b = binary.LittleEndian.AppendUint16(d.b, group)
	d.b = binary.LittleEndian.AppendUint16(d.b, el)
	d.b = append(d.b, vr...)
	switch vr {
	case "OB", "OW", "SQ", "UN", "UT":
		d.b = append(d.b, 0, 0)
		d.b = binary.LittleEndian.AppendUint32(d.b, uint32(len(v)))
	default:
		d.b = binary.LittleEndian.AppendUint16(d.b, uint16(len(v)))
	}
	d.b = append(d.b, v...)
}

func (d *dataset) uid(group, el uint16, uid string) { d.elem(group, el, "UI", padUID(uid)) }

func (d *dataset) text(group, el uint16, vr, s string) { d.elem(group, el, vr, padText(s)) }

func (d *dataset) us(group, el uint16, v uint16) {
	d.elem(group, el, "US", binary.LittleEndian.AppendUint16(nil, v))
}

// seq adds a sequence of items with defined lengths.
func (d *dataset) seq(group, el uint16, items ...*dataset) {
	var v []byte
	for _, it := range items {
		v = binary.LittleEndian.AppendUint16(v, 0xfffe)
		v = binary.LittleEndian.AppendUint16(v, 0xe000)
		v = binary.LittleEndian.AppendUint32(v, uint32(len(it.b)))
		v = append(v, it.b...)
	}
	d.elem(group, el, "SQ", v)
}

// newUID makes a UID under 2.25, the root for UIDs derived from a UUID
// (PS3.5 B.2), from 38 random digits.
func newUID(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("2.25.")
	b.WriteByte(byte('1' + rng.IntN(9)))
	for range 37 {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	return b.String()
}

// image is one instance a modality stores.
type image struct {
	sop, inst, study, series string
	modality, maker          string
	number                   int
	date, time               string
}

// encode builds the image's data set: its identity, the general study
// and series UIDs, a small pixel matrix and an empty patient module
// (Patient's Name and Patient ID present, zero length, as type 2 allows).
func (im *image) encode() []byte {
	rows, cols, bits := uint16(24), uint16(24), uint16(16)
	switch im.modality {
	case "US":
		rows, cols, bits = 24, 32, 8
	case "DX":
		rows, cols = 32, 32
	}
	var d dataset
	d.uid(0x0008, 0x0016, im.sop)
	d.uid(0x0008, 0x0018, im.inst)
	d.text(0x0008, 0x0020, "DA", im.date)
	d.text(0x0008, 0x0030, "TM", im.time)
	d.text(0x0008, 0x0060, "CS", im.modality)
	d.text(0x0008, 0x0070, "LO", im.maker)
	d.elem(0x0010, 0x0010, "PN", nil)
	d.elem(0x0010, 0x0020, "LO", nil)
	d.uid(0x0020, 0x000d, im.study)
	d.uid(0x0020, 0x000e, im.series)
	d.text(0x0020, 0x0013, "IS", strconv.Itoa(im.number))
	d.us(0x0028, 0x0002, 1)
	d.text(0x0028, 0x0004, "CS", "MONOCHROME2")
	d.us(0x0028, 0x0010, rows)
	d.us(0x0028, 0x0011, cols)
	d.us(0x0028, 0x0100, bits)
	d.us(0x0028, 0x0101, min(bits, 12))
	d.us(0x0028, 0x0102, min(bits, 12)-1)
	d.us(0x0028, 0x0103, 0)
	vr := "OW"
	if bits == 8 {
		vr = "OB"
	}
	d.elem(0x7fe0, 0x0010, vr, pixels(int(rows), int(cols), int(bits), im.number))
	return d.b
}

// pixels is a smooth test pattern, different for each instance number.
func pixels(rows, cols, bits, n int) []byte {
	size := bits / 8
	b := make([]byte, rows*cols*size)
	for y := range rows {
		for x := range cols {
			v := (x*x + y*y + 37*n) % (1 << min(bits, 12))
			i := (y*cols + x) * size
			b[i] = byte(v)
			if size == 2 {
				b[i+1] = byte(v >> 8)
			}
		}
	}
	return b
}
