package dicom

import (
	"github.com/wardhq/ward/internal/dissect"
)

// Clinical roles this package derives (dissect.KeyClinicalRole values).
const (
	roleModality    = "modality"
	roleWorkstation = "workstation"
	rolePACS        = "pacs"
	roleStorage     = "storage-scp"
	roleWorklist    = "worklist"
	roleMPPS        = "mpps"
	rolePrinter     = "dicom-printer"
)

// Indexes into the two KeyService values of a SOP Class.
const (
	asSCU = 0
	asSCP = 1
)

// conclude emits the facts of both heads, once both are read.
func (d *dissector) conclude() {
	if !d.rq && !d.client.spoke && !d.server.spoke {
		return
	}
	d.markFirsts()
	// A request cut short may be a broad offer: without the rest of it,
	// list only what commands used.
	d.isBroad = d.countProposed() > maxListed || !d.rqWhole
	st := d.ctx.Strings
	calling, called := st.Text(d.calling), st.Text(d.called)
	var peer string
	if calling != "" && called != "" {
		peer = st.Concat(calling, " -> ", called)
	}
	d.clientFacts(calling, peer)
	d.serverFacts(called, peer)
}

// aeConfidence is how sure the AE titles are: the server accepting the
// association confirms the titles the client used.
func (d *dissector) aeConfidence() dissect.Confidence {
	if d.rq && d.ac {
		return dissect.High
	}
	return dissect.Medium
}

func (d *dissector) clientFacts(calling, peer string) {
	who := d.ctx.Src
	if d.rq || d.ac {
		d.emit(who, KeyAETitle, calling, d.aeConfidence())
		// The calling side's dicom_peer names the server as its Peer: the
		// inventory's link from caller to called.
		if peer != "" {
			d.out = append(d.out, dissect.Fact{Who: who, Source: Source, Key: KeyPeer,
				Value: peer, Confidence: d.aeConfidence(), Peer: d.ctx.Dst})
		}
	}
	if len(d.appContext) > 0 && string(d.appContext) != applicationContext {
		d.emit(who, KeyAppContext, d.ctx.Strings.Text(d.appContext), dissect.Medium)
	}
	d.userFacts(who, &d.client.user)
	for i := range d.contexts {
		if c := &d.contexts[i]; c.firstProposed && d.listed(c) {
			d.emit(who, KeySOPClass, sopName(d.ctx.Strings, c), dissect.Medium)
		}
	}
	if d.broad() && d.rqWhole && d.acWhole {
		d.emit(who, KeyContexts, d.contextCounts(), dissect.High)
	}
	d.transferSyntaxFacts(who)
	d.serviceFacts(who, true)
	d.commandFacts(who, &d.client)
	d.clientRoles(who)
	d.abortFacts(who, &d.client)
}

func (d *dissector) serverFacts(called, peer string) {
	who := d.ctx.Dst
	switch {
	case d.ac || d.rj || d.server.spoke:
		d.emit(who, dissect.KeyService, "dicom", dissect.High)
	case d.rq:
		d.emit(who, dissect.KeyService, "dicom", dissect.Medium)
	}
	calledUnknown := d.rj && d.rjSource == 1 && d.rjReason == 7
	if (d.rq || d.ac) && !calledUnknown {
		d.emit(who, KeyAETitle, called, d.aeConfidence())
		d.emit(who, KeyPeer, peer, d.aeConfidence())
	}
	d.userFacts(who, &d.server.user)
	for i := range d.contexts {
		if c := &d.contexts[i]; c.firstAccepted && d.listed(c) {
			d.emit(who, KeySOPClass, sopName(d.ctx.Strings, c), dissect.High)
		}
	}
	if d.broad() && d.rqWhole && d.acWhole {
		d.emit(who, KeyContexts, d.contextCounts(), dissect.High)
	}
	d.transferSyntaxFacts(who)
	d.serviceFacts(who, false)
	if d.rj {
		d.emit(who, KeyRejected, rejectValue(d.ctx.Strings, d.rjResult, d.rjSource, d.rjReason), dissect.High)
	}
	if d.client.user.identity == identityPasscode {
		conf := dissect.Medium
		if d.ac {
			conf = dissect.High
		}
		d.emit(who, dissect.KeyCleartextLogin, "dicom", conf)
	}
	d.commandFacts(who, &d.server)
	d.serverRoles(who)
	d.abortFacts(who, &d.server)
}

// identityPasscode is the user identity type "username and passcode"
// (PS3.7 D.3.3.7).
const identityPasscode = 2

// userFacts emits what a side's User Information item said.
func (d *dissector) userFacts(who dissect.Endpoint, u *userInfo) {
	st := d.ctx.Strings
	ver := trimUID(u.implVer)
	if len(u.implUID) > 0 {
		d.emit(who, KeyImplClassUID, st.Text(u.implUID), dissect.High)
		d.emit(who, dissect.KeySoftware, software(st, u.implUID, ver), dissect.Medium)
		d.emit(who, dissect.KeyManufacturer, manufacturer(u.implUID), dissect.Medium)
	}
	if len(ver) > 0 {
		d.emit(who, KeyImplVersion, st.Text(ver), dissect.High)
	}
	if u.hasMaxPDU {
		d.emit(who, KeyMaxPDU, st.Uint(uint64(u.maxPDU)), dissect.High)
	}
	if u.hasAsync {
		d.emit(who, KeyAsyncWindow, st.Concat(st.Uint(uint64(u.invoked)), "/",
			st.Uint(uint64(u.performed))), dissect.High)
	}
}

// bitset marks registry entries already emitted.
type bitset [maxSOPs / 64]uint64

// add marks i and reports whether it was new.
func (s *bitset) add(i int) bool {
	w, m := i/64, uint64(1)<<(i%64)
	if s[w]&m != 0 {
		return false
	}
	s[w] |= m
	return true
}

// broad reports whether the offer proposes more than maxListed distinct
// abstract syntaxes. It is known once conclude has run markFirsts.
func (d *dissector) broad() bool { return d.isBroad }

func (d *dissector) countProposed() int {
	n := 0
	for i := range d.contexts {
		if d.contexts[i].firstProposed {
			n++
		}
	}
	return n
}

// contextCounts formats the distinct abstract syntaxes proposed and
// accepted.
func (d *dissector) contextCounts() string {
	var proposed, accepted int
	for i := range d.contexts {
		c := &d.contexts[i]
		if c.firstProposed {
			proposed++
		}
		if c.firstAccepted {
			accepted++
		}
	}
	st := d.ctx.Strings
	return st.Concat(st.Uint(uint64(proposed)), " proposed, ", st.Uint(uint64(accepted)), " accepted")
}

// listed reports whether facts name context c's abstract syntax: always
// for a narrow offer, and for a broad one when a command used it.
func (d *dissector) listed(c *pcontext) bool {
	if !d.broad() {
		return true
	}
	for _, p := range []*peer{&d.client, &d.server} {
		for i := range p.cmds[:p.ncmds] {
			cmd := &p.cmds[i]
			if c.sop >= 0 && cmd.sop == c.sop ||
				c.sop < 0 && cmd.sop < 0 && string(cmd.sopUID()) == string(c.abstract) {
				return true
			}
		}
	}
	return false
}

// markFirsts flags, for each abstract syntax, the first context that
// proposes it and the first that accepts it, so that facts about it are
// emitted once.
func (d *dissector) markFirsts() {
	var proposed, accepted bitset
	for i := range d.contexts {
		c := &d.contexts[i]
		if !c.proposed {
			continue
		}
		c.firstProposed = d.firstOf(i, &proposed, false)
		if c.accepted() {
			c.firstAccepted = d.firstOf(i, &accepted, true)
		}
	}
}

// firstOf reports whether context i is the first proposed, or the first
// accepted when accepted is set, with its abstract syntax.
func (d *dissector) firstOf(i int, seen *bitset, accepted bool) bool {
	c := &d.contexts[i]
	if c.sop >= 0 {
		return seen.add(int(c.sop))
	}
	for j := range d.contexts[:i] {
		o := &d.contexts[j]
		if o.sop < 0 && o.proposed && (!accepted || o.accepted()) &&
			string(o.abstract) == string(c.abstract) {
			return false
		}
	}
	return true
}

// transferSyntaxFacts emits the transfer syntaxes of accepted contexts.
func (d *dissector) transferSyntaxFacts(who dissect.Endpoint) {
	var seen [maxTSs / 64]uint64
	for i := range d.contexts {
		c := &d.contexts[i]
		if !c.accepted() || len(c.ts) == 0 {
			continue
		}
		if c.tsi >= 0 {
			w, m := c.tsi/64, uint64(1)<<(c.tsi%64)
			if seen[w]&m == 0 {
				seen[w] |= m
				d.emit(who, KeyTransferSyntax, transferSyntaxes[c.tsi].name, dissect.High)
			}
			continue
		}
		if d.firstUnknownTS(i) {
			d.emit(who, KeyTransferSyntax, d.ctx.Strings.Text(c.ts), dissect.High)
		}
	}
}

// firstUnknownTS reports whether no accepted context before i chose the
// same unknown transfer syntax as context i.
func (d *dissector) firstUnknownTS(i int) bool {
	ts := d.contexts[i].ts
	for j := range d.contexts[:i] {
		if o := &d.contexts[j]; o.accepted() && o.tsi < 0 && string(o.ts) == string(ts) {
			return false
		}
	}
	return true
}

// serviceFacts emits, for each accepted abstract syntax, the roles one
// side plays in it.
func (d *dissector) serviceFacts(who dissect.Endpoint, client bool) {
	if !d.acWhole {
		return // roles unknown: the AC's role selection items were cut off
	}
	for i := range d.contexts {
		c := &d.contexts[i]
		if !c.firstAccepted || !d.listed(c) {
			continue
		}
		scu, scp := d.agreed(c.abstract)
		if !client {
			scu, scp = scp, scu
		}
		if scu {
			d.emit(who, dissect.KeyService, serviceName(d.ctx.Strings, c, asSCU), dissect.High)
		}
		if scp {
			d.emit(who, dissect.KeyService, serviceName(d.ctx.Strings, c, asSCP), dissect.High)
		}
	}
}

// agreed returns the roles the client (the requestor) plays for abstract
// syntax as: both sides must have selected a role for it to hold, and
// without a role selection item on either side the client is SCU only
// (PS3.7 D.3.3.4). The acceptor returns 1 only for a role the requestor
// proposed, so its item alone decides when the request was cut short. The
// AC must be whole: its role items come last.
func (d *dissector) agreed(as []byte) (scu, scp bool) {
	ac := d.server.user.role(as)
	if ac == nil {
		return true, false
	}
	scu, scp = ac.scu, ac.scp
	if d.rqWhole {
		rq := d.client.user.role(as)
		if rq == nil {
			return true, false
		}
		scu, scp = scu && rq.scu, scp && rq.scp
	}
	if !scu && !scp {
		return true, false
	}
	return scu, scp
}

func serviceName(st *dissect.Strings, c *pcontext, role int) string {
	if c.sop >= 0 {
		return services[c.sop][role]
	}
	suffix := " SCU"
	if role == asSCP {
		suffix = " SCP"
	}
	return st.Concat("dicom:", st.Text(c.abstract), suffix)
}

func sopName(st *dissect.Strings, c *pcontext) string {
	if c.sop >= 0 {
		return sopClasses[c.sop].name
	}
	return st.Text(c.abstract)
}

// commandFacts emits the commands a side sent. The client's requests name
// the server as their Peer: the services of the link between them.
func (d *dissector) commandFacts(who dissect.Endpoint, p *peer) {
	for i := range p.cmds[:p.ncmds] {
		f := dissect.Fact{Who: who, Source: Source, Key: KeyCommand,
			Value: commandValue(d.ctx.Strings, &p.cmds[i]), Confidence: dissect.High}
		if p == &d.client && p.cmds[i].field&response == 0 {
			f.Peer = d.ctx.Dst
		}
		d.out = append(d.out, f)
	}
}

// commandValue formats a command: a request with its SOP Class, a response
// with its status.
func commandValue(st *dissect.Strings, c *command) string {
	name, ok := commandNames[c.field]
	if !ok {
		name = st.Concat("command 0x", hex4(st, c.field))
	}
	switch {
	case c.field&response != 0:
		if c.hasStatus {
			return st.Concat(name, " status 0x", hex4(st, c.status))
		}
	case c.sop >= 0:
		return st.Concat(name, " ", sopClasses[c.sop].name)
	case c.uidLen > 0:
		return st.Concat(name, " ", st.Text(c.sopUID()))
	}
	return name
}

// hex4 formats v as four upper-case hex digits, as PS3.7 writes statuses.
func hex4(st *dissect.Strings, v uint16) string {
	const digits = "0123456789ABCDEF"
	b := [4]byte{digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf]}
	return st.Bytes(b[:])
}

// clientRoles derives the client's clinical role from the commands it sent.
func (d *dissector) clientRoles(who dissect.Endpoint) {
	var query, modality, stored bool
	for i := range d.client.cmds[:d.client.ncmds] {
		c := &d.client.cmds[i]
		if c.field&response != 0 || c.sop < 0 {
			continue
		}
		k := sopClasses[c.sop].kind
		switch {
		case c.field == cFindRQ && k == kindFind, c.field == cMoveRQ && k == kindMove,
			c.field == cGetRQ && k == kindGet:
			query = true
		case c.field == cFindRQ && k == kindWorklist,
			(c.field == nCreateRQ || c.field == nSetRQ) && k == kindMPPS:
			modality = true
		case c.field == cStoreRQ && sopClasses[c.sop].acquired:
			stored = true
		}
	}
	if query {
		d.emit(who, dissect.KeyClinicalRole, roleWorkstation, dissect.Medium)
	}
	if stored && d.client.moveSub {
		// Images sent on behalf of a C-MOVE come from the archive that
		// holds them, not from the device that made them.
		d.emit(who, dissect.KeyClinicalRole, rolePACS, dissect.Medium)
		return
	}
	if stored && !query {
		modality = true
	}
	if modality {
		d.emit(who, dissect.KeyClinicalRole, roleModality, dissect.Medium)
	}
	if !stored || query {
		return
	}
	for i := range d.client.cmds[:d.client.ncmds] {
		c := &d.client.cmds[i]
		if c.field == cStoreRQ && c.sop >= 0 && sopClasses[c.sop].acquired {
			d.emitOnce(who, dissect.KeyModality, sopClasses[c.sop].modality, dissect.Medium)
		}
	}
}

// serverRoles derives the server's clinical role from the services it
// accepted as SCP.
func (d *dissector) serverRoles(who dissect.Endpoint) {
	if !d.acWhole {
		return
	}
	var has [kindPrint + 1]bool
	for i := range d.contexts {
		c := &d.contexts[i]
		if !c.firstAccepted || c.sop < 0 {
			continue
		}
		if scu, _ := d.agreed(c.abstract); scu { // the client is SCU: the server SCP
			has[sopClasses[c.sop].kind] = true
		}
	}
	switch {
	case has[kindFind] || has[kindMove] || has[kindGet] || has[kindCommitment]:
		d.emit(who, dissect.KeyClinicalRole, rolePACS, dissect.Medium)
	case has[kindStorage]:
		// Storage alone: an archive, or a workstation or router that
		// receives images.
		d.emit(who, dissect.KeyClinicalRole, roleStorage, dissect.Low)
	}
	if has[kindWorklist] {
		d.emit(who, dissect.KeyClinicalRole, roleWorklist, dissect.Medium)
	}
	if has[kindMPPS] {
		d.emit(who, dissect.KeyClinicalRole, roleMPPS, dissect.Medium)
	}
	if has[kindPrint] {
		d.emit(who, dissect.KeyClinicalRole, rolePrinter, dissect.Medium)
	}
}

func (d *dissector) abortFacts(who dissect.Endpoint, p *peer) {
	if p.aborted {
		d.emit(who, KeyAbort, abortValue(d.ctx.Strings, p.abort[0], p.abort[1]), dissect.High)
	}
}

// rejectSources and rejectReasons name the fields of an A-ASSOCIATE-RJ
// (PS3.8 9.3.4); reasons are keyed by source and reason.
var (
	rejectResults = map[byte]string{1: "rejected-permanent", 2: "rejected-transient"}
	rejectSources = map[byte]string{
		1: "service-user",
		2: "service-provider (ACSE)",
		3: "service-provider (presentation)",
	}
	rejectReasons = map[[2]byte]string{
		{1, 1}: "no-reason-given",
		{1, 2}: "application-context-name-not-supported",
		{1, 3}: "calling-AE-title-not-recognized",
		{1, 7}: "called-AE-title-not-recognized",
		{2, 1}: "no-reason-given",
		{2, 2}: "protocol-version-not-supported",
		{3, 1}: "temporary-congestion",
		{3, 2}: "local-limit-exceeded",
	}
)

// abortReasons names the reasons of a provider-initiated A-ABORT (PS3.8
// 9.3.8).
var abortReasons = map[byte]string{
	0: "reason-not-specified",
	1: "unrecognized-PDU",
	2: "unexpected-PDU",
	4: "unrecognized-PDU-parameter",
	5: "unexpected-PDU-parameter",
	6: "invalid-PDU-parameter-value",
}

// rejectValue formats an A-ASSOCIATE-RJ: "rejected-permanent,
// service-user, called-AE-title-not-recognized". Values without a name are
// given as numbers.
func rejectValue(st *dissect.Strings, result, source, reason byte) string {
	return st.Concat(named(st, rejectResults[result], "result", result), ", ",
		named(st, rejectSources[source], "source", source), ", ",
		named(st, rejectReasons[[2]byte{source, reason}], "reason", reason))
}

// abortValue formats an A-ABORT: "service-user", or for one the service
// provider initiated, "service-provider: " and the reason.
func abortValue(st *dissect.Strings, source, reason byte) string {
	switch source {
	case 0:
		return "service-user"
	case 2:
		return st.Concat("service-provider: ", named(st, abortReasons[reason], "reason", reason))
	}
	return named(st, "", "source", source)
}

// named returns name, or what and the number v when name is "".
func named(st *dissect.Strings, name, what string, v byte) string {
	if name != "" {
		return name
	}
	return st.Concat(what, " ", st.Uint(uint64(v)))
}
