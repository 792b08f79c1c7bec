package dicom

import (
	"encoding/binary"
	"strings"
)

// Builders of hand-made PDUs for the tests, after PS3.8 9.3 and PS3.7 E.

// pdu frames body as a PDU of type typ.
func pdu(typ byte, body ...[]byte) []byte {
	b := cat(body...)
	h := []byte{typ, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(h[2:], uint32(len(b)))
	return append(h, b...)
}

// item frames v as an item or sub-item of type typ (2-byte length).
func item(typ byte, v ...[]byte) []byte {
	b := cat(v...)
	h := []byte{typ, 0, 0, 0}
	binary.BigEndian.PutUint16(h[2:], uint16(len(b)))
	return append(h, b...)
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// ae pads an AE title to its 16 bytes.
func ae(s string) []byte { return []byte((s + strings.Repeat(" ", 16))[:16]) }

// associate builds an A-ASSOCIATE-RQ or -AC with the given items.
func associate(typ byte, called, calling string, items ...[]byte) []byte {
	fixed := cat([]byte{0, 1, 0, 0}, ae(called), ae(calling), make([]byte, 32))
	return pdu(typ, append([][]byte{fixed}, items...)...)
}

func appContext(uid string) []byte { return item(itemAppContext, []byte(uid)) }

// proposal builds a presentation context item of an A-ASSOCIATE-RQ.
func proposal(id byte, abstract string, ts ...string) []byte {
	parts := [][]byte{{id, 0, 0, 0}, item(subAbstractSyntax, []byte(abstract))}
	for _, t := range ts {
		parts = append(parts, item(subTransferSyntax, []byte(t)))
	}
	return item(itemContextRQ, parts...)
}

// answer builds a presentation context item of an A-ASSOCIATE-AC.
func answer(id, result byte, ts string) []byte {
	return item(itemContextAC, []byte{id, 0, result, 0}, item(subTransferSyntax, []byte(ts)))
}

func userItem(sub ...[]byte) []byte { return item(itemUserInfo, sub...) }

func maxLength(n uint32) []byte {
	return item(subMaxLength, binary.BigEndian.AppendUint32(nil, n))
}

func implUID(uid string) []byte      { return item(subImplClassUID, []byte(uid)) }
func implVersion(name string) []byte { return item(subImplVersion, []byte(name)) }

func asyncWindow(invoked, performed uint16) []byte {
	v := binary.BigEndian.AppendUint16(nil, invoked)
	return item(subAsyncWindow, binary.BigEndian.AppendUint16(v, performed))
}

func roleSelection(uid string, scu, scp byte) []byte {
	n := binary.BigEndian.AppendUint16(nil, uint16(len(uid)))
	return item(subRoleSelection, n, []byte(uid), []byte{scu, scp})
}

// identity is a user identity sub-item: type, no response requested, a
// user name and a passcode.
func identity(typ byte, user, pass string) []byte {
	return item(subUserIdentity, []byte{typ, 0},
		binary.BigEndian.AppendUint16(nil, uint16(len(user))), []byte(user),
		binary.BigEndian.AppendUint16(nil, uint16(len(pass))), []byte(pass))
}

// pdv builds a PDV item: context id, message control header, fragment.
func pdv(id, mch byte, fragment []byte) []byte {
	h := binary.BigEndian.AppendUint32(nil, uint32(len(fragment)+2))
	return cat(h, []byte{id, mch}, fragment)
}

func pdata(pdvs ...[]byte) []byte { return pdu(pduData, pdvs...) }

// element encodes one implicit VR little endian element of group 0000.
func element(elem uint16, v []byte) []byte {
	if len(v)%2 == 1 {
		v = append(v, 0)
	}
	b := binary.LittleEndian.AppendUint16(nil, 0)
	b = binary.LittleEndian.AppendUint16(b, elem)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(v)))
	return append(b, v...)
}

func us(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

// commandSet builds a command set: the SOP Class (affected, or requested
// for N- requests when requested is set), the field and, for responses,
// the status.
func commandSet(sop string, field uint16, status ...uint16) []byte {
	var b []byte
	if sop != "" {
		b = element(tagAffectedSOPClass, []byte(sop))
	}
	b = append(b, element(tagCommandField, us(field))...)
	b = append(b, element(0x0110, us(1))...) // Message ID
	if len(status) > 0 {
		b = append(b, element(tagStatus, us(status[0]))...)
	}
	return b
}

const (
	uidVerification = "1.2.840.10008.1.1"
	uidCT           = "1.2.840.10008.5.1.4.1.1.2"
	uidUS           = "1.2.840.10008.5.1.4.1.1.6.1"
	uidSC           = "1.2.840.10008.5.1.4.1.1.7"
	uidStudyFind    = "1.2.840.10008.5.1.4.1.2.2.1"
	uidStudyMove    = "1.2.840.10008.5.1.4.1.2.2.2"
	uidWorklist     = "1.2.840.10008.5.1.4.31"
	uidMPPS         = "1.2.840.10008.3.1.2.3.3"
	uidCommitment   = "1.2.840.10008.1.20.1"
	uidGrayPrint    = "1.2.840.10008.5.1.1.9"
	tsImplicit      = "1.2.840.10008.1.2"
	tsExplicit      = "1.2.840.10008.1.2.1"
)
