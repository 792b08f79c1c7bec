package snmp

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/wardhq/ward/internal/dissect"
)

// BER content of the MIB-II system group OIDs we read, instance 0.
const (
	oidSysDescr    = "\x2b\x06\x01\x02\x01\x01\x01\x00" // 1.3.6.1.2.1.1.1.0
	oidSysObjectID = "\x2b\x06\x01\x02\x01\x01\x02\x00" // 1.3.6.1.2.1.1.2.0
	oidSysName     = "\x2b\x06\x01\x02\x01\x01\x05\x00" // 1.3.6.1.2.1.1.5.0
	oidSysLocation = "\x2b\x06\x01\x02\x01\x01\x06\x00" // 1.3.6.1.2.1.1.6.0
	oidEnterprises = "\x2b\x06\x01\x04\x01"             // 1.3.6.1.4.1
)

// pdu decodes the PDU that ends a message (or a scoped PDU).
func (d *dissector) pdu(c *cursor) error {
	if !c.more() {
		return dissect.Errorf(Source, c.off, "pdu missing")
	}
	e, err := c.next()
	if err != nil {
		return err
	}
	body := inside(d.p, e)
	switch e.tag {
	case tagTrap:
		return d.trapV1(&body)
	case tagGet, tagGetNext, tagResponse, tagSet, tagGetBulk, tagInform, tagTrapV2, tagReport:
		for _, what := range [...]string{"request id", "error status", "error index"} {
			if _, err := body.integer(what); err != nil {
				return err
			}
		}
		read := d.fromAgent && (e.tag == tagResponse || e.tag == tagTrapV2 || e.tag == tagInform)
		return d.varbinds(&body, read)
	}
	return dissect.Errorf(Source, e.off, "unknown pdu tag %#02x", e.tag)
}

// trapV1 decodes an SNMPv1 Trap-PDU: enterprise, agent-addr, generic and
// specific trap numbers, time stamp, then the varbinds.
func (d *dissector) trapV1(c *cursor) error {
	ent, err := c.expect(tagOID, "trap enterprise")
	if err != nil {
		return err
	}
	oid := d.p[ent.start:ent.end]
	if err := checkOID(oid, ent.start); err != nil {
		return err
	}
	d.emit(KeyTrapEnterprise, formatOID(oid), dissect.Medium)
	d.emit(KeyEnterprise, enterprise(oid), dissect.Medium)

	addr, err := c.expect(tagIPAddress, "trap agent address")
	if err != nil {
		return err
	}
	if a, ok := addrOf(d.p[addr.start:addr.end]); ok {
		d.emit(dissect.KeyMgmtAddress, a.String(), dissect.Medium)
	}
	for _, what := range [...]string{"generic trap", "specific trap"} {
		if _, err := c.integer(what); err != nil {
			return err
		}
	}
	if _, err := c.expect(tagTimeTicks, "trap time stamp"); err != nil {
		return err
	}
	return d.varbinds(c, d.fromAgent)
}

// varbinds walks a VarBindList, checking each name, and when read is set
// emits the values of the system group OIDs we know.
func (d *dissector) varbinds(c *cursor, read bool) error {
	list, err := c.expect(tagSequence, "varbind list")
	if err != nil {
		return err
	}
	l := inside(d.p, list)
	for l.more() {
		vb, err := l.expect(tagSequence, "varbind")
		if err != nil {
			return err
		}
		v := inside(d.p, vb)
		name, err := v.expect(tagOID, "varbind name")
		if err != nil {
			return err
		}
		if err := checkOID(d.p[name.start:name.end], name.start); err != nil {
			return err
		}
		if !v.more() {
			return dissect.Errorf(Source, v.off, "varbind value missing")
		}
		val, err := v.next()
		if err != nil {
			return err
		}
		if read {
			d.value(d.p[name.start:name.end], val)
		}
	}
	return nil
}

// value emits the value of one varbind whose name we keep. Values of the
// wrong type (noSuchObject and the like) are ignored.
func (d *dissector) value(name []byte, val elem) {
	content := d.p[val.start:val.end]
	switch string(name) {
	case oidSysDescr:
		if val.tag == tagOctetString {
			d.emit(dissect.KeyDescription, dissect.Text(content), dissect.High)
		}
	case oidSysName:
		if val.tag == tagOctetString {
			d.emit(dissect.KeyHostname, dissect.Text(content), dissect.High)
		}
	case oidSysLocation:
		if val.tag == tagOctetString {
			d.emit(KeySysLocation, dissect.Text(content), dissect.High)
		}
	case oidSysObjectID:
		if val.tag == tagOID && checkOID(content, val.start) == nil {
			d.emit(KeySysObjectID, formatOID(content), dissect.High)
			d.emit(KeyEnterprise, enterprise(content), dissect.High)
		}
	}
}

// enterprise returns the private enterprise number of an OID (BER content)
// under 1.3.6.1.4.1, or "". The OID must have passed checkOID.
func enterprise(oid []byte) string {
	if len(oid) <= len(oidEnterprises) || string(oid[:len(oidEnterprises)]) != oidEnterprises {
		return ""
	}
	var v uint64
	for _, c := range oid[len(oidEnterprises):] {
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 == 0 {
			break
		}
	}
	return strconv.FormatUint(v, 10)
}

// v3 decodes the rest of an SNMPv3 message: msgGlobalData,
// msgSecurityParameters and msgData, a plaintext scoped PDU or an
// encrypted one.
func (d *dissector) v3(c *cursor) error {
	flags, model, err := d.globalData(c)
	if err != nil {
		return err
	}
	sp, err := c.expect(tagOctetString, "msgSecurityParameters")
	if err != nil {
		return err
	}
	var engine []byte
	if model == 3 { // user-based security model
		if engine, err = d.usmEngine(sp); err != nil {
			return err
		}
	}
	scoped, pduTag, err := d.msgData(c)
	if err != nil {
		return err
	}
	d.findAgent(pduTag)
	d.emit(KeyVersion, "v3", dissect.High)
	if len(engine) > 0 && pduTag != tagReport {
		if level := securityLevel(flags); level != "" {
			d.emit(KeySecurity, level, dissect.High)
		}
	}
	d.engineFacts(engine, pduTag)
	if scoped.p == nil {
		return nil // encrypted
	}
	return d.pdu(&scoped)
}

// globalData decodes msgGlobalData: msgID, msgMaxSize, msgFlags (one octet)
// and msgSecurityModel.
func (d *dissector) globalData(c *cursor) (flags byte, model int64, err error) {
	g, err := c.expect(tagSequence, "msgGlobalData")
	if err != nil {
		return 0, 0, err
	}
	gc := inside(d.p, g)
	for _, what := range [...]string{"msgID", "msgMaxSize"} {
		if _, err := gc.integer(what); err != nil {
			return 0, 0, err
		}
	}
	f, err := gc.octets("msgFlags")
	if err != nil {
		return 0, 0, err
	}
	if len(f) != 1 {
		return 0, 0, dissect.Errorf(Source, gc.off-len(f), "msgFlags of %d bytes, want 1", len(f))
	}
	model, err = gc.integer("msgSecurityModel")
	return f[0], model, err
}

// usmEngine returns msgAuthoritativeEngineID, the first field of the USM
// security parameters held in the octet string sp. The user name that
// follows is never read.
func (d *dissector) usmEngine(sp elem) ([]byte, error) {
	c := inside(d.p, sp)
	seq, err := c.expect(tagSequence, "usm security parameters")
	if err != nil {
		return nil, err
	}
	u := inside(d.p, seq)
	return u.octets("msgAuthoritativeEngineID")
}

// msgData reads msgData. For a plaintext scoped PDU it returns a cursor
// placed on the PDU and the PDU's tag; for an encrypted one, a zero cursor
// and tag 0.
func (d *dissector) msgData(c *cursor) (cursor, byte, error) {
	if c.peek() == tagOctetString {
		_, err := c.next()
		return cursor{}, 0, err
	}
	s, err := c.expect(tagSequence, "scoped pdu")
	if err != nil {
		return cursor{}, 0, err
	}
	sc := inside(d.p, s)
	for _, what := range [...]string{"contextEngineID", "contextName"} {
		if _, err := sc.octets(what); err != nil {
			return cursor{}, 0, err
		}
	}
	if !sc.more() {
		return cursor{}, 0, dissect.Errorf(Source, sc.off, "pdu missing")
	}
	return sc, sc.peek(), nil
}

// securityLevel names the auth (bit 0) and priv (bit 1) msgFlags; privacy
// without authentication is invalid and gives "".
func securityLevel(flags byte) string {
	switch flags & 0x03 {
	case 0:
		return "noAuthNoPriv"
	case 1:
		return "authNoPriv"
	case 3:
		return "authPriv"
	}
	return ""
}

// engineFacts emits the authoritative engine id, and the enterprise number
// in its first four octets (RFC 3411: top bit set, or the older 12-octet
// form; other ids may hold anything there), when the agent is that
// engine: traffic on port 161 other than an inform, or an SNMPv2-Trap.
// Engine ids longer than 32 octets are invalid and ignored.
func (d *dissector) engineFacts(engine []byte, pduTag byte) {
	onAgentPort := d.ctx.SrcPort == portAgent || d.ctx.DstPort == portAgent
	if len(engine) == 0 || len(engine) > 32 || pduTag == tagInform ||
		!(onAgentPort || pduTag == tagTrapV2) {
		return
	}
	d.emit(KeyEngineID, hex.EncodeToString(engine), dissect.High)
	if (len(engine) >= 5 && engine[0]&0x80 != 0) || len(engine) == 12 {
		if pen := binary.BigEndian.Uint32(engine) &^ (1 << 31); pen != 0 {
			d.emit(KeyEnterprise, strconv.FormatUint(uint64(pen), 10), dissect.Medium)
		}
	}
}
