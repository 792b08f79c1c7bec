package demo

import (
	"fmt"
	"time"
)

// portDICOM is where every DICOM node of the trust listens.
const portDICOM = 104

// exam is how a modality's day goes: studies an hour, how long each takes
// and how many images it stores.
type exam struct {
	perHour  int
	duration time.Duration
	images   int
	name     string // the requested procedure, for the worklist
}

var exams = map[string]exam{
	"CT": {4, 6 * time.Minute, 20, "CT HEAD"},
	"MR": {2, 25 * time.Minute, 20, "MR KNEE"},
	"US": {3, 15 * time.Minute, 6, "US ABDOMEN"},
	"DX": {6, 3 * time.Minute, 2, "XR CHEST"},
}

// association is an open DICOM association between a requestor and an
// acceptor, over its TCP connection.
type association struct {
	w     *world
	k     *conn
	a     assoc
	msgID uint16
}

// associate connects cl to sv and negotiates the abstract syntaxes.
func (w *world) associate(t time.Time, cl, sv *host, abstracts ...string) (*association,
	time.Time) {
	k, t := w.dial(t, cl, sv, portDICOM)
	a := assoc{called: sv.ae, calling: cl.ae, contexts: contexts(abstracts...),
		rqImpl: cl.impl, acImpl: sv.impl}
	t = k.send(t, true, a.request())
	t = k.send(t.Add(time.Millisecond+w.within(3*time.Millisecond)), false, a.accept())
	return &association{w: w, k: k, a: a}, t
}

// ctx returns the presentation context id of an abstract syntax.
func (as *association) ctx(abstract string) byte {
	for _, c := range as.a.contexts {
		if c.abstract == abstract {
			return c.id
		}
	}
	return 1
}

// ask sends a request and its data set (nil for none) from the
// requestor, under a fresh message id, and returns when it arrives.
func (as *association) ask(t time.Time, abstract string, cmd *dimse, ds []byte) time.Time {
	as.msgID++
	cmd.msgID, cmd.dataSet = as.msgID, ds != nil
	return as.k.send(t, true, pdata(as.ctx(abstract), cmd.encode(), ds))
}

// answer sends the acceptor's responses to the last request, each a
// command set and a data set or nil, after a moment's work.
func (as *association) answer(t time.Time, abstract string, resps ...[2][]byte) time.Time {
	id := as.ctx(abstract)
	var out []byte
	for _, r := range resps {
		out = append(out, pdata(id, r[0], r[1])...)
	}
	think := time.Millisecond + as.w.within(4*time.Millisecond)
	return as.k.send(t.Add(think), false, out)
}

// response encodes a response to the last request asked: its command
// field, status and SOP Class, with a data set or none.
func (as *association) response(field, status uint16, sop, inst string, ds []byte) [2][]byte {
	c := dimse{affectedSOP: sop, field: field | rsp, respondingTo: as.msgID, status: status,
		hasStatus: true, affectedInst: inst, dataSet: ds != nil}
	return [2][]byte{c.encode(), ds}
}

// release ends the association: A-RELEASE-RQ and -RP, then the TCP close.
func (as *association) release(t time.Time) time.Time {
	t = as.k.send(t, true, releaseRQ())
	t = as.k.send(t.Add(time.Millisecond), false, releaseRP())
	return as.k.close(t, false)
}

// modalityDICOM plays a modality's day: verification, worklist queries
// and studies, each stored to the PACS and committed.
func (w *world) modalityDICOM(h *host, t time.Time) {
	pacs, ris := w.t.pacs, w.t.ris
	w.echo(h, pacs, t.Add(w.within(30*time.Second)))
	w.every(t.Add(30*time.Minute), 30*time.Minute, time.Minute, func(t time.Time) {
		w.echo(h, pacs, t)
	})
	w.every(t.Add(w.within(10*time.Minute)), 10*time.Minute, time.Minute, func(t time.Time) {
		w.worklist(h, ris, t)
	})
	e := exams[h.modality]
	period := time.Hour / time.Duration(e.perHour)
	w.every(t.Add(time.Minute+w.within(period)), period, e.duration+2*time.Minute,
		func(t time.Time) { w.study(h, e, t) })
}

// echo plays a C-ECHO.
func (w *world) echo(cl, sv *host, t time.Time) {
	as, t := w.associate(t, cl, sv, uidVerification)
	t = as.ask(t, uidVerification, &dimse{affectedSOP: uidVerification, field: cEcho}, nil)
	t = as.answer(t, uidVerification, as.response(cEcho, statusOK, uidVerification, "", nil))
	as.release(t.Add(time.Millisecond))
}

// worklist plays a Modality Worklist C-FIND and the RIS's answer: a few
// scheduled procedure steps, then the final status.
func (w *world) worklist(h, ris *host, t time.Time) {
	as, t := w.associate(t, h, ris, uidMWLFind)
	date := t.UTC().Format("20060102")
	t = as.ask(t, uidMWLFind, &dimse{affectedSOP: uidMWLFind, field: cFind},
		worklistQuery(h, date))
	var resps [][2][]byte
	for i := range 1 + w.rng.IntN(3) {
		acc := fmt.Sprintf("DEMO%s%06d", h.site.code, w.rng.IntN(1000000))
		ds := worklistItem(h, exams[h.modality].name, acc, newUID(w.rng), date, i)
		resps = append(resps, as.response(cFind, statusActive, uidMWLFind, "", ds))
	}
	resps = append(resps, as.response(cFind, statusOK, uidMWLFind, "", nil))
	t = as.answer(t, uidMWLFind, resps...)
	as.release(t.Add(time.Millisecond))
}

// study plays one examination: the procedure step started (MPPS
// N-CREATE), the images stored and committed, the step completed (N-SET).
func (w *world) study(h *host, e exam, t time.Time) {
	ris := w.t.ris
	w.worklist(h, ris, t)
	pps := newUID(w.rng)
	start := t.Add(30 * time.Second)
	w.mpps(h, ris, start, pps, false)
	im := image{sop: h.sop, study: newUID(w.rng), series: newUID(w.rng), modality: h.modality,
		maker: h.Vendor, date: start.UTC().Format("20060102"), time: start.UTC().Format("150405")}
	end := w.store(h, w.t.pacs, start.Add(w.around(e.duration, 0.2)), im, e.images)
	w.mpps(h, ris, end.Add(2*time.Second), pps, true)
}

// mpps plays an N-CREATE (in progress) or N-SET (completed) of a Modality
// Performed Procedure Step.
func (w *world) mpps(h, ris *host, t time.Time, inst string, done bool) {
	as, t := w.associate(t, h, ris, uidMPPS)
	c := &dimse{affectedSOP: uidMPPS, field: nCreate, affectedInst: inst}
	field := uint16(nCreate)
	if done {
		c = &dimse{requestedSOP: uidMPPS, field: nSet, requestedInst: inst}
		field = nSet
	}
	t = as.ask(t, uidMPPS, c, ppsDataSet(h, t, done))
	t = as.answer(t, uidMPPS, as.response(field, statusOK, uidMPPS, inst, nil))
	as.release(t.Add(time.Millisecond))
}

// store plays a C-STORE association: n images, then a storage commitment
// request for them. It returns the time the association is released.
func (w *world) store(h, pacs *host, t time.Time, im image, n int) time.Time {
	as, t := w.associate(t, h, pacs, h.sop, uidCommitment)
	insts := make([]string, n)
	for i := range n {
		im.inst, im.number = newUID(w.rng), i+1
		insts[i] = im.inst
		c := &dimse{affectedSOP: h.sop, field: cStore, affectedInst: im.inst}
		t = as.ask(t.Add(w.within(2*time.Millisecond)), h.sop, c, im.encode())
		t = as.answer(t, h.sop, as.response(cStore, statusOK, h.sop, im.inst, nil))
	}
	c := &dimse{requestedSOP: uidCommitment, field: nAction, requestedInst: uidCommitmentIns,
		actionType: 1}
	t = as.ask(t, uidCommitment, c, commitmentRequest(newUID(w.rng), h.sop, insts))
	t = as.answer(t, uidCommitment,
		as.response(nAction, statusOK, uidCommitment, uidCommitmentIns, nil))
	return as.release(t.Add(time.Millisecond))
}

// workstationDICOM plays a reporting workstation pulling studies from the
// PACS: a study query, then a C-MOVE of one study to itself.
func (w *world) workstationDICOM(h *host, t time.Time) {
	w.every(t.Add(w.within(12*time.Minute)), 12*time.Minute, 2*time.Minute, func(t time.Time) {
		w.retrieve(h, w.t.pacs, t)
	})
}

// retrieve plays the query and the move, the PACS sending the images in a
// second association to the workstation as sub-operations of the move.
func (w *world) retrieve(h, pacs *host, t time.Time) {
	as, t := w.associate(t, h, pacs, uidStudyFind, uidStudyMove)
	date := t.UTC().Format("20060102")
	t = as.ask(t, uidStudyFind, &dimse{affectedSOP: uidStudyFind, field: cFind}, studyQuery(date))
	studies := []string{newUID(w.rng), newUID(w.rng), newUID(w.rng)}
	mods := []string{"CT", "MR", "DX", "US"}
	var resps [][2][]byte
	for _, s := range studies {
		ds := studyResult(s, mods[w.rng.IntN(len(mods))], date, w.rng.IntN(1000000))
		resps = append(resps, as.response(cFind, statusActive, uidStudyFind, "", ds))
	}
	resps = append(resps, as.response(cFind, statusOK, uidStudyFind, "", nil))
	t = as.answer(t, uidStudyFind, resps...)

	// The move: the request, the sub-operations, then the final answer.
	move := &dimse{affectedSOP: uidStudyMove, field: cMove, moveDest: h.ae}
	t = as.ask(t.Add(w.within(time.Second)), uidStudyMove, move, moveQuery(studies[0]))
	n := 3 + w.rng.IntN(6)
	t = w.moveImages(pacs, h, t.Add(5*time.Millisecond), mods[w.rng.IntN(len(mods))], studies[0],
		n, as.msgID)
	final := dimse{affectedSOP: uidStudyMove, field: cMove | rsp, respondingTo: as.msgID,
		status: statusOK, hasStatus: true, completed: uint16(n), hasCounts: true}
	t = as.answer(t, uidStudyMove, [2][]byte{final.encode(), nil})
	as.release(t.Add(time.Millisecond))
}

// moveImages plays the PACS storing n images of a study to the
// workstation on behalf of its C-MOVE.
func (w *world) moveImages(pacs, ws *host, t time.Time, mod, study string, n int,
	moveID uint16) time.Time {
	sop := modalitySOPs[mod]
	as, t := w.associate(t, pacs, ws, sop)
	im := image{sop: sop, study: study, series: newUID(w.rng), modality: mod, maker: "DEMO",
		date: t.UTC().Format("20060102"), time: "080000"}
	for i := range n {
		im.inst, im.number = newUID(w.rng), i+1
		c := &dimse{affectedSOP: sop, field: cStore, affectedInst: im.inst,
			moveOrigin: ws.ae, moveOriginID: moveID}
		t = as.ask(t, sop, c, im.encode())
		t = as.answer(t, sop, as.response(cStore, statusOK, sop, im.inst, nil))
	}
	return as.release(t.Add(time.Millisecond))
}
