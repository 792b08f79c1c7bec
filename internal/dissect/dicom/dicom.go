// Package dicom reads the DICOM upper layer protocol (PS3.8) at the start
// of an association: the A-ASSOCIATE request and its answer, the commands
// of the P-DATA-TF messages that follow (PS3.7), and the release or abort
// that ends them. The client is the association requestor, the server the
// acceptor.
//
// Facts, all with Source "dicom":
//
//	client  dicom_ae_title        the calling AE title, "CT_SCANNER_1"
//	server  dicom_ae_title        the called AE title, "PACS_MAIN"
//	both    dicom_peer            "CALLING -> CALLED", so that the AE map can be drawn
//	client  dicom_application_context  the application context name, only when it is not
//	                              the DICOM one (1.2.840.10008.3.1.1.1)
//	both    dicom_implementation_class_uid  as sent in the user information,
//	                              "1.2.276.0.7230010.3.0.3.6.7"
//	both    dicom_implementation_version    its version name, "OFFIS_DCMTK_367"
//	both    software              the toolkit the class UID's root names, with the
//	                              version when known: "DCMTK 3.6.7" (Medium)
//	both    manufacturer          the manufacturer the class UID's root names:
//	                              "Siemens Healthineers" (Medium)
//	both    dicom_max_pdu         the maximum PDU length it receives, bytes: "16384" ("0": no limit)
//	both    dicom_async_window    operations invoked/performed: "1/1" ("0": no limit)
//	client  dicom_sop_class       each abstract syntax proposed: "CT Image Storage" (Medium)
//	server  dicom_sop_class       each abstract syntax accepted
//	both    dicom_contexts        for a broad offer (below): "128 proposed, 128 accepted"
//	both    dicom_transfer_syntax each transfer syntax accepted: "Explicit VR Little Endian"
//	both    service               "dicom:" plus the SOP Class and the role its side plays
//	                              in each accepted context: "dicom:CT Image Storage SCP"
//	server  service               "dicom": High when the server answers, Medium when
//	                              only the request was seen
//	both    dicom_command         each command sent, once: "C-STORE-RQ CT Image Storage",
//	                              "C-STORE-RSP status 0x0000"
//	server  dicom_rejected        an A-ASSOCIATE-RJ: "rejected-permanent, service-user,
//	                              called-AE-title-not-recognized"
//	both    dicom_abort           an A-ABORT it sent: "service-user",
//	                              "service-provider: unexpected-PDU"
//	server  cleartext_login       "dicom", when the client sent a user name and
//	                              password (user identity negotiation) in clear
//	both    clinical_role         see below (Medium, or Low)
//	client  modality              see below (Medium)
//
// The client's dicom_peer and its requests (dicom_command) carry the server
// as their Peer: the inventory makes of them the AE map, which AE title
// calls which, with which services.
//
// Confidence is High unless noted. AE titles and dicom_peer are High once
// the server accepts the association and Medium otherwise; the server's AE
// title and dicom_peer are left out when it rejects the association
// because it does not recognise the called AE title.
//
// A broad offer, one that proposes more than maxListed abstract syntaxes
// (storescu proposes some 130 "just in case"), says little about what a
// node does: for it, dicom_sop_class and the per-class service facts name
// only the SOP Classes that commands in the heads used, and
// dicom_contexts gives the counts.
//
// Names are those of the PS3.6 registry without " SOP Class"; an unknown
// UID is given as the UID. Roles follow SCP/SCU role selection (PS3.7
// D.3.3.4): by default the client is SCU and the server SCP.
//
// Clinical roles are derived, not stated, and are Medium unless noted:
//
//   - a client that sends C-FIND, C-MOVE or C-GET of a Query/Retrieve
//     information model is a "workstation";
//   - a client that sends C-FIND of the Modality Worklist information
//     model, or N-CREATE or N-SET of Modality Performed Procedure Step,
//     is a "modality";
//   - a client that sends C-STORE of a SOP Class made by acquisition
//     devices (CT, MR, US, CR, DX, MG, XA, NM, PT, ES, OP…; not secondary
//     capture, SR, presentation states, key objects or RT plans) is a
//     "modality" unless it also queried as above, and its modality is the
//     Modality that SOP Class's IOD carries, when the IOD fixes one;
//   - but a client whose C-STOREs carry a Move Originator AE Title sends
//     them on behalf of a C-MOVE: it is the archive, a "pacs";
//   - a server that accepts, as SCP, a Query/Retrieve information model or
//     Storage Commitment is a "pacs"; one that accepts only storage is a
//     "storage-scp" at Low confidence (an archive, or a workstation or
//     router that receives images);
//   - a server that accepts the Modality Worklist information model is a
//     "worklist", Modality Performed Procedure Step an "mpps", and Print
//     Management a "dicom-printer".
//
// Data set fragments of P-DATA-TF, which hold the patient's data, are
// skipped by their length: never read, copied or emitted. The user
// identity sub-item is read for its type only, never for the name or
// password it carries. Errors give an offset and a reason, never bytes of
// the input.
//
// A head Ward cut at its limit (16 KiB) ends wherever it ends: a PDU cut
// there is not an error. A shorter head that ends inside a PDU is one,
// unless what is cut is a data set.
//
// UID roots of toolkits and manufacturers are recognised only when a
// public source confirms them (see impl.go); Carestream, Konica Minolta,
// Samsung Medison, Mindray, Esaote, Elekta, Sectra, ClearCanvas, Conquest
// and Orthanc (which sends DCMTK's) are not yet among them.
package dicom

import (
	"encoding/binary"

	"github.com/wardhq/ward/internal/dissect"
)

// Source is the Fact.Source of every fact this package emits.
const Source = "dicom"

// Fact keys specific to DICOM.
const (
	KeyAETitle        = "dicom_ae_title"
	KeyPeer           = "dicom_peer"
	KeyAppContext     = "dicom_application_context"
	KeyImplClassUID   = "dicom_implementation_class_uid"
	KeyImplVersion    = "dicom_implementation_version"
	KeyMaxPDU         = "dicom_max_pdu"
	KeyAsyncWindow    = "dicom_async_window"
	KeySOPClass       = "dicom_sop_class"
	KeyTransferSyntax = "dicom_transfer_syntax"
	KeyCommand        = "dicom_command"
	KeyRejected       = "dicom_rejected"
	KeyAbort          = "dicom_abort"
	KeyContexts       = "dicom_contexts"
)

// maxListed is the most abstract syntaxes an offer may propose for each to
// be listed in facts; past it the offer is broad.
const maxListed = 16

// PDU types (PS3.8 section 9.3).
const (
	pduAssociateRQ = 0x01
	pduAssociateAC = 0x02
	pduAssociateRJ = 0x03
	pduData        = 0x04
	pduReleaseRQ   = 0x05
	pduReleaseRP   = 0x06
	pduAbort       = 0x07
)

const (
	headerLen    = 6         // PDU type, reserved, 4-byte big-endian length
	assocFixed   = 68        // A-ASSOCIATE-RQ/AC fields before the items
	maxAssocLen  = 1 << 20   // longest A-ASSOCIATE Detect believes, bytes
	maxPDULen    = 1<<31 - 1 // longest PDU Dissect walks past, bytes
	headLimit    = 16 << 10  // a head this long was cut by Ward, not by the peer
	maxContexts  = 128       // presentation context IDs are odd, 1 to 255
	maxRoles     = 128       // SCP/SCU role selection sub-items kept per side
	maxCommands  = 32        // distinct commands kept per side
	maxCommand   = 4096      // longest command set reassembled, bytes
	maxUID       = 64        // PS3.5 section 9: a UID is at most 64 bytes
	maxSOPs      = 512       // room in the dedup bit sets for sopClasses
	maxTSs       = 128       // and for transferSyntaxes
	protocolVer1 = 0x0001    // protocol version bit 0 (PS3.8 9.3.2)
)

// Detect reports whether the client's head starts with an A-ASSOCIATE-RQ
// or the server's with an A-ASSOCIATE-AC or -RJ: the PDU type, a zero
// reserved byte, a length that fits the PDU and, for RQ and AC, protocol
// version 1. It looks at the first ten bytes of each head only.
func Detect(client, server []byte) bool {
	return isAssociate(client, pduAssociateRQ) || isAssociate(server, pduAssociateAC) ||
		isReject(server)
}

func isAssociate(b []byte, typ byte) bool {
	if len(b) < headerLen+2 || b[0] != typ || b[1] != 0 {
		return false
	}
	n := binary.BigEndian.Uint32(b[2:])
	return n >= assocFixed && n <= maxAssocLen && binary.BigEndian.Uint16(b[6:]) == protocolVer1
}

func isReject(b []byte) bool {
	return len(b) >= headerLen+4 && b[0] == pduAssociateRJ && b[1] == 0 &&
		binary.BigEndian.Uint32(b[2:]) == 4 && (b[7] == 1 || b[7] == 2) && b[8] >= 1 && b[8] <= 3
}

// Dissect is a dissect.StreamFunc for DICOM. It reads both heads, then
// emits what they say together: roles and confidences need both sides.
func Dissect(ctx *dissect.Context, client, server []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	var d dissector
	d.ctx, d.out, d.first = ctx, out, len(out)
	cliErr := d.head(client, true)
	srvErr := d.head(server, false)
	d.conclude()
	if cliErr != nil {
		return d.out, cliErr
	}
	return d.out, srvErr
}

// dissector holds the state of one Dissect call. Its slices alias the
// heads; nothing is allocated until facts are emitted.
type dissector struct {
	ctx   *dissect.Context
	out   []dissect.Fact
	first int // index in out of the first fact of this call

	client, server peer

	// From the A-ASSOCIATE-RQ, or the AC when the client's head has none.
	called, calling []byte
	appContext      []byte
	rq, ac, rj      bool
	rqWhole         bool // the A-ASSOCIATE-RQ was not cut short
	acWhole         bool // nor the AC
	rjResult        byte
	rjSource        byte
	rjReason        byte
	contexts        [maxContexts]pcontext // by context ID / 2
	isBroad         bool                  // more than maxListed abstract syntaxes proposed

	cmd commandBuf // the command set being reassembled, for the head being read
}

// peer is what one side of the association said about itself.
type peer struct {
	user    userInfo
	spoke   bool // it sent at least one well-formed PDU
	aborted bool
	abort   [2]byte // A-ABORT source and reason
	cmds    [maxCommands]command
	ncmds   int
	moveSub bool // it sent C-STOREs as sub-operations of a C-MOVE
}

// userInfo is the User Information item of an A-ASSOCIATE-RQ or -AC.
type userInfo struct {
	maxPDU             uint32
	hasMaxPDU          bool
	implUID, implVer   []byte
	invoked, performed uint16
	hasAsync           bool
	identity           byte // user identity type the requestor proposed, 0 for none
	seen               bool // the item was read
	roles              [maxRoles]roleItem
	nroles             int
}

// roleItem is an SCP/SCU Role Selection sub-item.
type roleItem struct {
	uid      []byte
	scu, scp bool
}

// role returns the role selection sub-item for abstract syntax as, or nil.
func (u *userInfo) role(as []byte) *roleItem {
	for i := range u.roles[:u.nroles] {
		if string(u.roles[i].uid) == string(as) {
			return &u.roles[i]
		}
	}
	return nil
}

// pcontext is one presentation context: proposed in the RQ, answered in
// the AC.
type pcontext struct {
	id       byte
	proposed bool
	answered bool
	result   byte   // 0 acceptance; 1 to 4 rejections (PS3.8 9.3.3.2)
	abstract []byte // the abstract syntax (SOP Class UID), from the RQ
	sop      int16  // its index in sopClasses, -1 when unknown
	ts       []byte // the transfer syntax the AC chose
	tsi      int16  // its index in transferSyntaxes, -1 when unknown

	// Set by markFirsts: the first context to propose, or to accept, its
	// abstract syntax.
	firstProposed, firstAccepted bool
}

func (c *pcontext) accepted() bool { return c.proposed && c.answered && c.result == 0 }

// side names a direction in errors.
func side(fromClient bool) string {
	if fromClient {
		return "client"
	}
	return "server"
}

// peer returns the side that sent a head.
func (d *dissector) peer(fromClient bool) *peer {
	if fromClient {
		return &d.client
	}
	return &d.server
}

// who returns the endpoint of a side.
func (d *dissector) who(fromClient bool) dissect.Endpoint {
	if fromClient {
		return d.ctx.Src
	}
	return d.ctx.Dst
}

// emit appends a fact; callers make sure it is new.
func (d *dissector) emit(who dissect.Endpoint, key, value string, c dissect.Confidence) {
	if value == "" {
		return
	}
	d.out = append(d.out, dissect.Fact{Who: who, Source: Source, Key: key, Value: value, Confidence: c})
}

// emitOnce appends a fact unless this call already emitted it.
func (d *dissector) emitOnce(who dissect.Endpoint, key, value string, c dissect.Confidence) {
	for _, f := range d.out[d.first:] {
		if f.Key == key && f.Value == value && f.Who == who {
			return
		}
	}
	d.emit(who, key, value, c)
}
