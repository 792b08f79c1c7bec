// Package hl7 reads HL7 version 2 messages as hospital systems and device
// gateways exchange them over TCP: framed by MLLP (each message between a
// start block 0x0B and an end block 0x1C 0x0D) or, on some links, unframed.
//
// A message is a run of segments, each ended by CR (LF is accepted too).
// The first, MSH, declares the field separator (MSH-1) and the encoding
// characters (MSH-2: component, repetition, escape, subcomponent and, from
// v2.7, truncation) that the rest of the message uses. A batch wraps
// messages in FHS and BHS headers and BTS and FTS trailers.
//
// # Patient data
//
// HL7 carries patient data in most segments (PID, NK1, PV1, the values of
// OBX…). This package reads these fields and no others:
//
//	MSH-1..6, 9, 11, 12, 18, 21   separators, applications and facilities,
//	                              message type, processing id, version,
//	                              character sets, message profiles
//	FHS-1..6, BHS-1..6            separators, applications and facilities
//	MSA-1                         acknowledgment code
//	OBX-18                        equipment instance identifier
//	PRT-10, PRT-16                participation device, its UDI device identifier
//	EQU-1                         equipment instance identifier
//
// It steps over every other segment by looking for its terminator, and
// over the other fields of these segments by looking for separators. No
// other byte reaches a fact or an error: errors give an offset and a reason.
// MSH-10, the message control id, is never emitted.
//
// # Facts
//
// All have Source "hl7". The sender of a message is whichever end sent it,
// the TCP client (usually) or the server; the receiver is the other end.
// The acknowledgment has its own MSH, so a receiver that answers describes
// itself as the sender of that acknowledgment.
//
//	sender    hl7_sending_application    MSH-3 (FHS-3, BHS-3): the HD namespace id,
//	                                     or its universal id when that is empty (High)
//	sender    hl7_sending_facility       MSH-4 (FHS-4, BHS-4), likewise (High)
//	receiver  hl7_receiving_application  MSH-5 (FHS-5, BHS-5): the name the sender
//	                                     gives it (Medium)
//	receiver  hl7_receiving_facility     MSH-6 (FHS-6, BHS-6) (Medium)
//	sender    hl7_message_type           MSH-9 code and trigger event: "ORU^R01",
//	                                     "ACK^A01", or the code alone: "ACK" (High)
//	sender    hl7_processing_id          MSH-11: "P", "T", "D" (High)
//	sender    hl7_version                MSH-12: "2.5.1" (High)
//	sender    hl7_charset                each MSH-18 repetition: "UNICODE UTF-8" (High)
//	sender    hl7_profile                each MSH-21 repetition: its entity id, or its
//	                                     universal id: "IHE_PCD_001" (High)
//	both      hl7_peer                   "SENDAPP -> RECVAPP MSGTYPE", each name as in
//	                                     hl7_sending_application (the facility when the
//	                                     application is empty, "?" when both are) and the
//	                                     type as in hl7_message_type or "?"; the sender's
//	                                     names the receiver as its Peer, the inventory's
//	                                     link from sender to receiver, unless the message
//	                                     is an ACK (Medium)
//	sender    hl7_ack                    MSA-1 of each acknowledgment it sent: "AA",
//	                                     "AE", "AR", "CA", "CE" or "CR" (High)
//	sender    hl7_messages               messages it sent within its head, decimal:
//	                                     "12"; see CountMessages (High)
//	sender    service                    "hl7" (High)
//	sender    hl7_equipment              each OBX-18, PRT-10 or EQU-1 identifier that is
//	                                     not a UDI: its components, unescaped, joined by
//	                                     '^', empty trailing ones dropped:
//	                                     "MX800^Philips^00093AFFFE123456^EUI-64" (Medium)
//	sender    hl7_eui64                  the universal id of an OBX-18, PRT-10 or EQU-1
//	                                     EI (Medium), or of MSH-3 or MSH-4 (High), whose
//	                                     type is "EUI-64": 16 upper-case hex digits
//	sender    udi                        the device identifier of a UDI in those fields
//	                                     or in PRT-16, in its issuer's notation:
//	                                     "(01)00643169001763", "=/A9999XYZ100T0944" (Medium)
//	sender    gtin                       the GTIN of a GS1 UDI: "00643169001763" (Medium)
//	sender    serial                     the serial number of a GS1 (AI 21) or HIBCC UDI
//	                                     (Medium)
//	sender    clinical_role              see below (Medium)
//	server    insecure_protocol          "hl7-cleartext": HL7 went over the connection
//	                                     unencrypted (High)
//
// Facts are not repeated within one call, and at most 128 are emitted.
// hl7_messages counts MLLP frames that start with a header, as
// CountMessages does (a batch in one frame counts once), or MSH segments
// on a link without MLLP.
//
// A UDI's production identifiers other than the serial (lot, dates, and an
// ISBT 128 donation number, which names a donor) are never emitted: udi
// holds the device identifier alone. The serial is kept because it is the
// asset number a hospital tracks a device by; HL7 warns that it can link
// to a patient when the device is implanted. A value that looks like a UDI
// but fails its checks gives nothing, not even hl7_equipment.
//
// # Clinical roles
//
// Each message suggests at most one, on its sender unless said otherwise;
// the first line that applies wins:
//
//	any       integration-engine when MSH-3 or MSH-4 names a known engine:
//	          Rhapsody, Mirth or NextGen Connect, Cloverleaf, Ensemble,
//	          HealthShare, IRIS or InterSystems, Corepoint, Iguana or
//	          Interfaceware, BizTalk, Orion, Qvera, Lyniate
//	ORU^R42   infusion-pump-server: IHE PCD-10, infusion pump events
//	ORU^R01,  with a device (OBX-18, PRT-10, PRT-16, EQU-1) or an IHE PCD
//	ORU^R40   profile in MSH-21 (PCD-01 DEC, PCD-04 ACM): infusion-pump-server
//	          when the device or the sender is named like a pump ("pump",
//	          "infus", Alaris, Plum, Medfusion, Agilia, Volumat, Perfusor,
//	          Sigma, Ivenix, Sapphire); else, with the profile,
//	          patient-monitor-gateway
//	ORU       lis when MSH-3 or MSH-4 has a word that starts with "lab" or is
//	          "lis", "lims", "winpath" or "telepath"
//	ORU^R01,  patient-monitor-gateway with a device
//	ORU^R40
//	RAS       infusion-pump-server with a device or the profile, when named
//	          like a pump
//	RGV       infusion-pump-server on the receiver (the IHE PCD-03 infusion
//	          order consumer), with the profile or a receiver named like a pump
//	RRG       infusion-pump-server (its answer to PCD-03), with the profile or
//	          named like a pump
//	OUL       lis when named like a lab system but not an analyser ("analy…"),
//	          else lab-analyser (IHE LAW: an analyser's results)
//	ORM, OMG, OML  order-placer
//	ADT       pas: a patient administration system, alone or within an EPR
//	MDM       document-system
//
// A device is known by its identifier alone: observation codes (OBX-3) are
// not read, so a pump gateway that names neither its pumps nor itself like
// one is taken for a monitor gateway.
package hl7

import (
	"bytes"
	"strconv"
	"sync"

	"github.com/wardhq/ward/internal/dissect"
)

// Source is the Fact.Source of every fact this package emits.
const Source = "hl7"

// Fact keys specific to HL7.
const (
	KeySendingApplication   = "hl7_sending_application"
	KeySendingFacility      = "hl7_sending_facility"
	KeyReceivingApplication = "hl7_receiving_application"
	KeyReceivingFacility    = "hl7_receiving_facility"
	KeyMessageType          = "hl7_message_type"
	KeyProcessingID         = "hl7_processing_id"
	KeyVersion              = "hl7_version"
	KeyCharset              = "hl7_charset"
	KeyProfile              = "hl7_profile"
	KeyPeer                 = "hl7_peer"
	KeyAck                  = "hl7_ack"
	KeyMessages             = "hl7_messages"
	KeyEquipment            = "hl7_equipment"
	KeyEUI64                = "hl7_eui64"
)

// Values of dissect.KeyClinicalRole this package emits.
const (
	RoleIntegrationEngine = "integration-engine"
	RoleInfusionPumps     = "infusion-pump-server"
	RoleLIS               = "lis"
	RoleMonitorGateway    = "patient-monitor-gateway"
	RoleLabAnalyser       = "lab-analyser"
	RoleOrderPlacer       = "order-placer"
	RolePAS               = "pas"
	RoleDocuments         = "document-system"
)

// InsecureCleartext is the value of dissect.KeyInsecure: clinical messages
// crossed the network unencrypted.
const InsecureCleartext = "hl7-cleartext"

// MLLP framing bytes.
const (
	startBlock = 0x0b
	endBlock   = 0x1c
)

const (
	maxValue = 256 // bytes of one field or component read for a fact
	maxFacts = 128 // facts per call, against a flood of distinct values
)

// Detect reports whether either head starts like HL7: an MLLP start block
// followed by MSH, FHS or BHS and a field separator, or, unframed, "MSH",
// a field separator, four encoding characters and the separator again. It
// reads at most 10 bytes of each head and does not allocate.
func Detect(client, server []byte) bool {
	return detectHead(client) || detectHead(server)
}

func detectHead(b []byte) bool {
	if len(b) >= 5 && b[0] == startBlock {
		return isHeaderID(b[1:4]) && validFieldSep(b[4])
	}
	if len(b) < 9 || string(b[:3]) != "MSH" || !validFieldSep(b[3]) {
		return false
	}
	enc, _, _ := bytes.Cut(b[4:min(len(b), 10)], b[3:4])
	return (len(enc) == 4 || len(enc) == 5) && validEncoding(enc) &&
		len(b) > 4+len(enc) && b[4+len(enc)] == b[3]
}

// CountMessages counts the MLLP message starts in payload, an arbitrary
// segment of a TCP stream: each start block followed by MSH, FHS or BHS. A
// batch in one frame counts once. A start split across two segments (the
// start block at the end of one, the segment id at the start of the next)
// is missed: the count is a lower bound. It does not allocate.
func CountMessages(payload []byte) int {
	n := 0
	for {
		i := bytes.IndexByte(payload, startBlock)
		if i < 0 {
			return n
		}
		payload = payload[i+1:]
		if len(payload) >= 3 && isHeaderID(payload[:3]) {
			n++
		}
	}
}

// Dissect is a dissect.StreamFunc for HL7 v2. It reads every message of
// both heads; a message cut by the end of a head gives the fields that it
// holds whole, and is no error. It returns the first framing or header
// error met, after reading on past it.
func Dissect(ctx *dissect.Context, client, server []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	// The dissector's buffers are a few KiB: it comes from a pool, so
	// that a call costs no allocation of its own.
	d := dissectors.Get().(*dissector)
	d.ctx, d.out, d.first, d.err, d.any = ctx, out, len(out), nil, false
	cs := side{name: "client", sender: ctx.Src, receiver: ctx.Dst}
	ss := side{name: "server", sender: ctx.Dst, receiver: ctx.Src}
	d.head(client, &cs)
	d.head(server, &ss)
	d.conclude(&cs, &ss)
	out, err := d.out, d.err
	d.ctx, d.out, d.err = nil, nil, nil
	dissectors.Put(d)
	return out, err
}

var dissectors = sync.Pool{New: func() any { return new(dissector) }}

// side is one direction of the connection.
type side struct {
	name             string // "client" or "server", for errors
	sender, receiver dissect.Endpoint
	messages         int // messages seen, as hl7_messages counts them
}

// dissector holds the state of one Dissect call. Values are built in its
// buffers, so that a value already emitted costs no allocation.
type dissector struct {
	ctx   *dissect.Context
	out   []dissect.Fact
	first int   // index in out of this call's first fact
	err   error // the first error met
	any   bool  // a message header was read in either head

	raw  [maxValue]byte     // a component, unescaped
	val  [maxValue]byte     // the same, cleaned as dissect.Text cleans
	join [2 * maxValue]byte // a value made of several: a message type, an EI, a UDI's DI
	peer [4 * maxValue]byte // an hl7_peer value
}

// fail records err unless an earlier one was recorded.
func (d *dissector) fail(s *side, off int, format string, args ...any) {
	if d.err == nil {
		d.err = dissect.Errorf(Source, off, s.name+" head: "+format, args...)
	}
}

// emit appends a fact whose value is v, unless this call already emitted
// it; v usually aliases one of d's buffers, and is copied only then.
func (d *dissector) emit(who dissect.Endpoint, key string, v []byte, c dissect.Confidence) {
	d.emitLink(who, dissect.Endpoint{}, key, v, c)
}

// emitLink is emit for a fact about a conversation with peer.
func (d *dissector) emitLink(who, peer dissect.Endpoint, key string, v []byte, c dissect.Confidence) {
	if len(v) == 0 || len(d.out)-d.first >= maxFacts {
		return
	}
	for i := d.first; i < len(d.out); i++ {
		f := &d.out[i]
		if len(f.Value) == len(v) && f.Key == key && f.Value == string(v) && f.Who == who &&
			f.Peer == peer {
			return
		}
	}
	d.out = append(d.out, dissect.Fact{Who: who, Source: Source, Key: key, Value: d.ctx.Strings.Bytes(v),
		Confidence: c, Peer: peer})
}

// emitString is emit for a value that is already a string.
func (d *dissector) emitString(who dissect.Endpoint, key, v string, c dissect.Confidence) {
	if v == "" || len(d.out)-d.first >= maxFacts {
		return
	}
	for i := d.first; i < len(d.out); i++ {
		f := &d.out[i]
		if f.Key == key && f.Value == v && f.Who == who {
			return
		}
	}
	d.out = append(d.out, dissect.Fact{Who: who, Source: Source, Key: key, Value: v, Confidence: c})
}

// conclude emits the facts that need all messages seen.
func (d *dissector) conclude(sides ...*side) {
	for _, s := range sides {
		if s.messages > 0 {
			d.emitString(s.sender, KeyMessages, strconv.Itoa(s.messages), dissect.High)
		}
	}
	if d.any {
		d.emitString(d.ctx.Dst, dissect.KeyInsecure, InsecureCleartext, dissect.High)
	}
}
