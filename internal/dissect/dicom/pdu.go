package dicom

import (
	"encoding/binary"

	"github.com/wardhq/ward/internal/dissect"
)

// Item types of the A-ASSOCIATE-RQ and -AC (PS3.8 9.3.2, 9.3.3, and PS3.7
// Annex D for the user information sub-items).
const (
	itemAppContext    = 0x10
	itemContextRQ     = 0x20
	itemContextAC     = 0x21
	subAbstractSyntax = 0x30
	subTransferSyntax = 0x40
	itemUserInfo      = 0x50
	subMaxLength      = 0x51
	subImplClassUID   = 0x52
	subAsyncWindow    = 0x53
	subRoleSelection  = 0x54
	subImplVersion    = 0x55
	subUserIdentity   = 0x58 // carries a user name and password: only its type is read
)

// reader walks one head. Offsets in errors are offsets in the head.
type reader struct {
	d          *dissector
	fromClient bool
	full       bool // the head reached Ward's limit: a PDU cut at its end is not an error
}

func (r *reader) errorf(off int, format string, args ...any) error {
	return dissect.Errorf(Source, off, side(r.fromClient)+": "+format, args...)
}

// cut is the error for a head that ended inside what, at off: none when
// the head was cut at Ward's limit.
func (r *reader) cut(off int, what string) error {
	if r.full {
		return nil
	}
	return r.errorf(off, "%s cut short", what)
}

// head walks the PDUs of one direction's head and records what they say.
func (d *dissector) head(b []byte, fromClient bool) error {
	r := reader{d: d, fromClient: fromClient, full: len(b) >= headLimit}
	d.cmd.reset()
	for off := 0; off < len(b); {
		if len(b)-off < headerLen {
			return r.cut(off, "pdu header")
		}
		typ, n := b[off], binary.BigEndian.Uint32(b[off+2:])
		if n > maxPDULen {
			return r.errorf(off+2, "pdu length over %d bytes", maxPDULen)
		}
		start, end := off+headerLen, off+headerLen+int(n)
		body := b[start:min(end, len(b))]
		if err := r.pdu(typ, body, int(n), start); err != nil {
			return err
		}
		d.peer(fromClient).spoke = true
		off = end
	}
	if d.cmd.n > 0 {
		return r.cut(d.cmd.off, "command set")
	}
	return nil
}

// pdu reads one PDU whose body starts at head offset at. body may be
// shorter than the declared length n when the head ends inside the PDU.
func (r *reader) pdu(typ byte, body []byte, n, at int) error {
	if !r.allowed(typ) {
		if typ == 0 || typ > pduAbort {
			return r.errorf(at-headerLen, "unknown pdu type")
		}
		return r.errorf(at-headerLen, "pdu type not sent by the %s", side(r.fromClient))
	}
	switch typ {
	case pduAssociateRQ, pduAssociateAC:
		return r.associate(typ, body, n, at)
	case pduData:
		return r.data(body, n, at)
	}
	// RJ, release and abort PDUs are four bytes.
	if n != 4 {
		return r.errorf(at-4, "pdu length is not 4")
	}
	if len(body) < n {
		return r.cut(at, "pdu")
	}
	p := r.d.peer(r.fromClient)
	switch typ {
	case pduAssociateRJ:
		r.d.rj, r.d.rjResult, r.d.rjSource, r.d.rjReason = true, body[1], body[2], body[3]
	case pduAbort:
		p.aborted, p.abort = true, [2]byte{body[2], body[3]}
	}
	return nil
}

// allowed reports whether the side this head comes from may send typ.
func (r *reader) allowed(typ byte) bool {
	switch typ {
	case pduData, pduReleaseRQ, pduReleaseRP, pduAbort:
		return true
	case pduAssociateRQ:
		return r.fromClient
	case pduAssociateAC, pduAssociateRJ:
		return !r.fromClient
	}
	return false
}

// associate reads an A-ASSOCIATE-RQ or -AC. Only the first of each kind in
// a head is read: one connection carries one association.
func (r *reader) associate(typ byte, body []byte, n, at int) error {
	d := r.d
	if n < assocFixed {
		return r.errorf(at-4, "a-associate pdu shorter than its fixed fields")
	}
	if len(body) < assocFixed {
		return r.cut(at, "a-associate pdu")
	}
	if (typ == pduAssociateRQ && d.rq) || (typ == pduAssociateAC && d.ac) {
		return nil
	}
	whole := len(body) >= n
	if typ == pduAssociateRQ {
		d.rq, d.rqWhole = true, whole
		d.called, d.calling = body[4:20], body[20:36]
	} else {
		d.ac, d.acWhole = true, whole
		if !d.rq {
			d.called, d.calling = body[4:20], body[20:36]
		}
	}
	return r.items(typ, body, n, at)
}

// items walks the variable items of an A-ASSOCIATE-RQ or -AC.
func (r *reader) items(typ byte, body []byte, n, at int) error {
	for off := assocFixed; off < n; {
		if len(body)-off < 4 {
			return r.cut(at+off, "a-associate item")
		}
		ityp, ilen := body[off], int(binary.BigEndian.Uint16(body[off+2:]))
		start, end := off+4, off+4+ilen
		if end > n {
			return r.errorf(at+off, "a-associate item overruns its pdu")
		}
		if end > len(body) {
			return r.cut(at+off, "a-associate item")
		}
		if err := r.item(typ, ityp, body[start:end], at+start); err != nil {
			return err
		}
		off = end
	}
	return nil
}

// item reads one item of an A-ASSOCIATE PDU of type typ; v is its value,
// at its offset in the head.
func (r *reader) item(typ, ityp byte, v []byte, at int) error {
	switch {
	case ityp == itemAppContext && typ == pduAssociateRQ:
		r.d.appContext = trimUID(v)
	case ityp == itemContextRQ && typ == pduAssociateRQ:
		return r.contextRQ(v, at)
	case ityp == itemContextAC && typ == pduAssociateAC:
		return r.contextAC(v, at)
	case ityp == itemUserInfo:
		return r.userInfo(v, at)
	}
	return nil // unknown items are ignored (PS3.8 9.3.1)
}

// subItems calls fn for each sub-item of an item value v at head offset at.
func (r *reader) subItems(v []byte, at int, fn func(typ byte, sv []byte, at int) error) error {
	for off := 0; off < len(v); {
		if len(v)-off < 4 {
			return r.errorf(at+off, "sub-item header overruns its item")
		}
		typ, n := v[off], int(binary.BigEndian.Uint16(v[off+2:]))
		end := off + 4 + n
		if end > len(v) {
			return r.errorf(at+off, "sub-item overruns its item")
		}
		if err := fn(typ, v[off+4:end], at+off+4); err != nil {
			return err
		}
		off = end
	}
	return nil
}

// contextRQ reads a proposed presentation context: its ID, then one
// abstract syntax and its transfer syntaxes.
func (r *reader) contextRQ(v []byte, at int) error {
	if len(v) < 4 {
		return r.errorf(at, "presentation context item shorter than 4 bytes")
	}
	id := v[0]
	c := &r.d.contexts[id>>1]
	fresh := !c.proposed
	if fresh {
		c.id, c.sop = id, -1
	}
	return r.subItems(v[4:], at+4, func(typ byte, sv []byte, _ int) error {
		if typ == subAbstractSyntax && fresh && !c.proposed {
			c.proposed, c.abstract = true, trimUID(sv)
			c.sop = int16(lookupSOP(c.abstract))
		}
		return nil
	})
}

// contextAC reads the acceptor's answer for one presentation context.
func (r *reader) contextAC(v []byte, at int) error {
	if len(v) < 4 {
		return r.errorf(at, "presentation context item shorter than 4 bytes")
	}
	id := v[0]
	c := &r.d.contexts[id>>1]
	if c.answered || (c.proposed && c.id != id) {
		return nil
	}
	c.id, c.answered, c.result, c.tsi = id, true, v[2], -1
	return r.subItems(v[4:], at+4, func(typ byte, sv []byte, _ int) error {
		if typ == subTransferSyntax && c.ts == nil {
			c.ts = trimUID(sv)
			c.tsi = int16(lookupTS(c.ts))
		}
		return nil
	})
}

// userInfo reads the User Information item of either side.
func (r *reader) userInfo(v []byte, at int) error {
	u := &r.d.peer(r.fromClient).user
	if u.seen {
		return nil // one user information item per PDU and side
	}
	u.seen = true
	return r.subItems(v, at, func(typ byte, sv []byte, at int) error {
		switch typ {
		case subMaxLength:
			if len(sv) != 4 {
				return r.errorf(at, "maximum length sub-item is not 4 bytes")
			}
			u.maxPDU, u.hasMaxPDU = binary.BigEndian.Uint32(sv), true
		case subImplClassUID:
			u.implUID = trimUID(sv)
		case subImplVersion:
			u.implVer = sv
		case subAsyncWindow:
			if len(sv) != 4 {
				return r.errorf(at, "asynchronous operations window sub-item is not 4 bytes")
			}
			u.invoked, u.performed = binary.BigEndian.Uint16(sv), binary.BigEndian.Uint16(sv[2:])
			u.hasAsync = true
		case subRoleSelection:
			return r.role(u, sv, at)
		case subUserIdentity:
			if r.fromClient && len(sv) > 0 {
				u.identity = sv[0] // the type; the rest is secret
			}
		}
		return nil
	})
}

// role reads an SCP/SCU Role Selection sub-item: a 2-byte UID length, the
// SOP Class UID, then the SCU and SCP role bytes.
func (r *reader) role(u *userInfo, sv []byte, at int) error {
	if len(sv) < 2 {
		return r.errorf(at, "role selection sub-item shorter than 2 bytes")
	}
	n := int(binary.BigEndian.Uint16(sv))
	if len(sv) != n+4 {
		return r.errorf(at, "role selection sub-item length does not match its uid length")
	}
	if u.nroles < maxRoles {
		u.roles[u.nroles] = roleItem{uid: trimUID(sv[2 : 2+n]), scu: sv[2+n] == 1, scp: sv[3+n] == 1}
		u.nroles++
	}
	return nil
}

// trimUID removes the NUL padding (PS3.5 9.1) and any spaces around a UID,
// and cuts it to the longest a UID may be.
func trimUID(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == 0 || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	return b[:min(len(b), maxUID)]
}
