// Package snmp dissects SNMP messages (v1, v2c and v3; RFC 1157, 3416,
// 3412, 3414) carried in UDP on ports 161 and 162, with a small, strict,
// bounded BER decoder of its own.
//
// Facts are about the agent: the destination of a request (GetRequest,
// GetNextRequest, GetBulkRequest, SetRequest), the source of a Response,
// Trap, SNMPv2-Trap, InformRequest or Report (except a Response sent from
// port 162, which acknowledges an inform and so comes from the manager).
// When the PDU cannot be read (SNMPv3 with privacy) the ports decide: the
// side on port 161 is the agent, or else the side sending to port 162.
// Every fact has Source "snmp".
//
// Keys, all about the agent:
//
//	snmp_version         "v1", "v2c" or "v3"
//	insecure_protocol    "snmpv1" or "snmpv2c" (dissect.KeyInsecure)
//	snmp_community       "default" or "non-default": the community string is
//	                     compared in memory with well-known defaults and never
//	                     emitted; an empty community counts as default
//	default_credentials  "snmp-community" (dissect.KeyDefaultCreds) when the
//	                     agent answered a default community with a Response
//	snmp_security        SNMPv3 msgFlags: "noAuthNoPriv", "authNoPriv" or
//	                     "authPriv"; not emitted for engine discovery (empty
//	                     authoritative engine id) nor for Reports
//	snmp_engine_id       the authoritative engine id in hex, when the agent
//	                     is that engine (port 161 traffic, SNMPv2-Trap)
//	description          sysDescr.0 (dissect.KeyDescription)
//	sys_object_id        sysObjectID.0, dotted: "1.3.6.1.4.1.8072.3.2.10"
//	enterprise           the IANA private enterprise number from sysObjectID.0,
//	                     a trap's enterprise or the engine id: "8072"
//	hostname             sysName.0 (dissect.KeyHostname)
//	sys_location         sysLocation.0
//	trap_enterprise      the enterprise OID of an SNMPv1 Trap
//	management_address   the agent-addr of an SNMPv1 Trap, unless unspecified
//	                     or loopback; Who stays the sender, since over IP its
//	                     MAC may be a router's
//
// Varbind values are read only from what the agent sends (Response, traps,
// Inform) and only for the OIDs above; sysContact.0 and every other value
// are ignored, and SNMPv3 user names are never emitted.
package snmp

import (
	"net/netip"

	"github.com/wardhq/ward/internal/dissect"
)

// Source is the Fact.Source of every fact this package emits.
const Source = "snmp"

// Keys specific to SNMP, documented in the package comment.
const (
	KeyVersion        = "snmp_version"
	KeyCommunity      = "snmp_community"
	KeySecurity       = "snmp_security"
	KeyEngineID       = "snmp_engine_id"
	KeySysObjectID    = "sys_object_id"
	KeyEnterprise     = "enterprise"
	KeySysLocation    = "sys_location"
	KeyTrapEnterprise = "trap_enterprise"
)

// PDU tags (context-specific, constructed).
const (
	tagGet      = 0xa0
	tagGetNext  = 0xa1
	tagResponse = 0xa2
	tagSet      = 0xa3
	tagTrap     = 0xa4
	tagGetBulk  = 0xa5
	tagInform   = 0xa6
	tagTrapV2   = 0xa7
	tagReport   = 0xa8
)

// Well-known ports.
const (
	portAgent = 161
	portTrap  = 162
)

// Dissect decodes one SNMP message (a UDP payload) and appends facts about
// the agent to out.
func Dissect(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	top, err := parse(payload, 0, len(payload))
	if err != nil {
		return out, err
	}
	if top.tag != tagSequence {
		return out, dissect.Errorf(Source, 0, "message has tag %#02x, want a sequence", top.tag)
	}
	c := inside(payload, top)
	version, err := c.integer("version")
	if err != nil {
		return out, err
	}
	d := dissector{ctx: ctx, p: payload, out: out}
	switch version {
	case 0, 1:
		err = d.community(&c, version)
	case 3:
		err = d.v3(&c)
	default:
		err = dissect.Errorf(Source, top.start, "unsupported version %d", version)
	}
	return d.out, err
}

// dissector holds the state of one Dissect call.
type dissector struct {
	ctx       *dissect.Context
	p         []byte
	out       []dissect.Fact
	agent     dissect.Endpoint
	known     bool // agent is set; nothing is emitted until it is
	fromAgent bool // the agent sent this message
}

// emit appends a fact about the agent, unless value is empty.
func (d *dissector) emit(key, value string, conf dissect.Confidence) {
	d.emitWho(d.agent, key, value, conf)
}

// emitWho appends a fact about who, unless value is empty.
func (d *dissector) emitWho(who dissect.Endpoint, key, value string, conf dissect.Confidence) {
	if value == "" || !d.known {
		return
	}
	d.out = append(d.out, dissect.Fact{Who: who, Source: Source, Key: key, Value: value, Confidence: conf})
}

// findAgent sets the agent from the PDU tag (0 when unknown) and the ports.
// It reports false, and leaves the agent unknown, when neither tells.
func (d *dissector) findAgent(pdu byte) bool {
	switch pdu {
	case tagGet, tagGetNext, tagSet, tagGetBulk:
		d.fromAgent = false
	case tagResponse:
		d.fromAgent = d.ctx.SrcPort != portTrap
	case tagTrap, tagTrapV2, tagInform, tagReport:
		d.fromAgent = true
	default:
		switch {
		case d.ctx.SrcPort == portAgent, d.ctx.DstPort == portTrap:
			d.fromAgent = true
		case d.ctx.DstPort == portAgent, d.ctx.SrcPort == portTrap:
			d.fromAgent = false
		default:
			return false
		}
	}
	d.agent, d.known = d.ctx.Dst, true
	if d.fromAgent {
		d.agent = d.ctx.Src
	}
	return true
}

// community decodes the rest of a v1 or v2c message: the community, then
// the PDU.
func (d *dissector) community(c *cursor, version int64) error {
	comm, err := c.octets("community")
	if err != nil {
		return err
	}
	pdu := c.peek()
	d.findAgent(pdu)
	name, insecure := "v1", "snmpv1"
	if version == 1 {
		name, insecure = "v2c", "snmpv2c"
	}
	d.emit(KeyVersion, name, dissect.High)
	d.emit(dissect.KeyInsecure, insecure, dissect.High)
	_, isDefault := defaultCommunities[string(comm)]
	verdict := "non-default"
	if isDefault {
		verdict = "default"
	}
	d.emit(KeyCommunity, verdict, dissect.High)
	if isDefault && pdu == tagResponse && d.fromAgent {
		d.emit(dissect.KeyDefaultCreds, "snmp-community", dissect.High)
	}
	return d.pdu(c)
}

// defaultCommunities holds factory and widely documented community strings.
// Comparison is case-sensitive, as agents compare them.
var defaultCommunities = map[string]struct{}{
	"": {}, "public": {}, "private": {}, "community": {}, "cisco": {}, "admin": {},
	"manager": {}, "monitor": {}, "secret": {}, "snmp": {}, "snmpd": {}, "write": {},
	"read": {}, "all private": {}, "ILMI": {}, "ilmi": {}, "default": {}, "system": {},
	"test": {}, "password": {}, "security": {}, "router": {}, "switch": {}, "internal": {},
	"tivoli": {}, "openview": {}, "proxy": {}, "rmon": {}, "rmon_admin": {}, "hp_admin": {},
	"PUBLIC": {}, "PRIVATE": {}, "Public": {}, "Private": {}, "apc": {}, "cable-docsis": {},
	"read-only": {}, "read-write": {}, "snmp-trap": {}, "NoGaH$@!": {}, "0392a0": {},
}

// addrOf returns the IPv4 address in b, when it is one worth keeping.
func addrOf(b []byte) (netip.Addr, bool) {
	if len(b) != 4 {
		return netip.Addr{}, false
	}
	a := netip.AddrFrom4([4]byte(b))
	return a, !a.IsUnspecified() && !a.IsLoopback()
}
