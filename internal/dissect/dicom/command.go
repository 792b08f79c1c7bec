package dicom

import (
	"encoding/binary"
)

// Message control header bits of a PDV (PS3.8 E.2).
const (
	mchCommand = 0x01 // the fragment is part of a command set, else of a data set
	mchLast    = 0x02 // the last fragment of its command or data set
)

// Command Field values (PS3.7 E.1).
const (
	cStoreRQ  = 0x0001
	cGetRQ    = 0x0010
	cFindRQ   = 0x0020
	cMoveRQ   = 0x0021
	cEchoRQ   = 0x0030
	nEventRQ  = 0x0100
	nGetRQ    = 0x0110
	nSetRQ    = 0x0120
	nActionRQ = 0x0130
	nCreateRQ = 0x0140
	nDeleteRQ = 0x0150
	cCancelRQ = 0x0FFF
	response  = 0x8000 // a response's Command Field is its request's with this bit set
)

// Command set elements read (PS3.7 E.1); all others are skipped.
const (
	tagAffectedSOPClass  = 0x0002
	tagRequestedSOPClass = 0x0003
	tagCommandField      = 0x0100
	tagStatus            = 0x0900
	tagMoveOriginatorAE  = 0x1030
)

// commandBuf reassembles a command set whose fragments span PDVs.
type commandBuf struct {
	b   [maxCommand]byte
	n   int
	off int // head offset of the first fragment
}

func (c *commandBuf) reset() { c.n = 0 }

// command is one distinct command a side sent.
type command struct {
	field     uint16
	status    uint16
	hasStatus bool
	sop       int16 // index in sopClasses, -1 when unknown or absent
	uid       [maxUID]byte
	uidLen    uint8 // length of the SOP Class UID when it is not in sopClasses
	moveSub   bool  // a C-STORE sub-operation of a C-MOVE (Move Originator present)
}

// sopUID returns the SOP Class UID of c when it is not a known one.
func (c *command) sopUID() []byte { return c.uid[:c.uidLen] }

// data reads the PDV items of a P-DATA-TF PDU whose body, possibly cut,
// starts at head offset at and is n bytes long.
func (r *reader) data(body []byte, n, at int) error {
	for off := 0; off < n; {
		if len(body)-off < 6 {
			if off+6 > n {
				return r.errorf(at+off, "pdv item header overruns its pdu")
			}
			return r.cut(at+off, "pdv item header")
		}
		plen := binary.BigEndian.Uint32(body[off:])
		if plen < 2 {
			return r.errorf(at+off, "pdv item shorter than its header")
		}
		if uint64(plen) > uint64(n-off-4) {
			return r.errorf(at+off, "pdv item overruns its pdu")
		}
		start, end := off+6, off+4+int(plen)
		mch := body[off+5]
		if mch&mchCommand == 0 {
			off = end // a data set fragment: skipped unread, wherever it ends
			continue
		}
		if end > len(body) {
			return r.cut(at+off, "command set")
		}
		if err := r.fragment(body[start:end], mch&mchLast != 0, at+start); err != nil {
			return err
		}
		off = end
	}
	return nil
}

// fragment adds a command fragment at head offset at; the last one
// completes the command set, which is then read.
func (r *reader) fragment(f []byte, last bool, at int) error {
	c := &r.d.cmd
	if c.n == 0 && last {
		return r.command(f, at) // the usual case: one fragment, read in place
	}
	if c.n+len(f) > maxCommand {
		c.reset()
		return r.errorf(at, "command set longer than %d bytes", maxCommand)
	}
	if c.n == 0 {
		c.off = at
	}
	c.n += copy(c.b[c.n:], f)
	if !last {
		return nil
	}
	defer c.reset()
	return r.command(c.b[:c.n], c.off)
}

// command reads a command set, encoded implicit VR little endian (PS3.7
// 6.3.1), and records the command. at is its offset in the head; for a
// reassembled set, that of its first fragment.
func (r *reader) command(b []byte, at int) error {
	var cmd command
	var hasField bool
	cmd.sop = -1
	var affected, requested []byte
	for off := 0; off < len(b); {
		if len(b)-off < 8 {
			return r.errorf(at+off, "command element header cut short")
		}
		group, elem := binary.LittleEndian.Uint16(b[off:]), binary.LittleEndian.Uint16(b[off+2:])
		n := binary.LittleEndian.Uint32(b[off+4:])
		if group != 0 {
			return r.errorf(at+off, "command element outside group 0000")
		}
		if uint64(n) > uint64(len(b)-off-8) {
			return r.errorf(at+off, "command element overruns the command set")
		}
		v := b[off+8 : off+8+int(n)]
		switch {
		case elem == tagAffectedSOPClass:
			affected = trimUID(v)
		case elem == tagRequestedSOPClass:
			requested = trimUID(v)
		case elem == tagCommandField && len(v) == 2:
			cmd.field, hasField = binary.LittleEndian.Uint16(v), true
		case elem == tagStatus && len(v) == 2:
			cmd.status, cmd.hasStatus = binary.LittleEndian.Uint16(v), true
		case elem == tagMoveOriginatorAE:
			// Only its presence: a C-STORE carrying it is a sub-operation
			// of a C-MOVE, sent by the archive that performs the move.
			cmd.moveSub = true
		}
		off += 8 + int(n)
	}
	if !hasField {
		return r.errorf(at, "command set without a command field")
	}
	if len(affected) == 0 {
		affected = requested
	}
	if len(affected) > 0 {
		if cmd.sop = int16(lookupSOP(affected)); cmd.sop < 0 {
			cmd.uidLen = uint8(copy(cmd.uid[:], affected))
		}
	}
	r.d.peer(r.fromClient).record(&cmd)
	return nil
}

// record keeps cmd unless the side already sent the same command: for a
// request the same field and SOP Class, for a response the same field and
// status.
func (p *peer) record(cmd *command) {
	if cmd.moveSub {
		p.moveSub = true
	}
	for i := range p.cmds[:p.ncmds] {
		c := &p.cmds[i]
		if c.field != cmd.field {
			continue
		}
		if cmd.field&response != 0 {
			if c.hasStatus == cmd.hasStatus && c.status == cmd.status {
				return
			}
		} else if c.sop == cmd.sop && string(c.sopUID()) == string(cmd.sopUID()) {
			return
		}
	}
	if p.ncmds < maxCommands {
		p.cmds[p.ncmds] = *cmd
		p.ncmds++
	}
}

// commandNames names the Command Field values of PS3.7 E.1.
var commandNames = map[uint16]string{
	cStoreRQ: "C-STORE-RQ", cStoreRQ | response: "C-STORE-RSP",
	cGetRQ: "C-GET-RQ", cGetRQ | response: "C-GET-RSP",
	cFindRQ: "C-FIND-RQ", cFindRQ | response: "C-FIND-RSP",
	cMoveRQ: "C-MOVE-RQ", cMoveRQ | response: "C-MOVE-RSP",
	cEchoRQ: "C-ECHO-RQ", cEchoRQ | response: "C-ECHO-RSP",
	nEventRQ: "N-EVENT-REPORT-RQ", nEventRQ | response: "N-EVENT-REPORT-RSP",
	nGetRQ: "N-GET-RQ", nGetRQ | response: "N-GET-RSP",
	nSetRQ: "N-SET-RQ", nSetRQ | response: "N-SET-RSP",
	nActionRQ: "N-ACTION-RQ", nActionRQ | response: "N-ACTION-RSP",
	nCreateRQ: "N-CREATE-RQ", nCreateRQ | response: "N-CREATE-RSP",
	nDeleteRQ: "N-DELETE-RQ", nDeleteRQ | response: "N-DELETE-RSP",
	cCancelRQ: "C-CANCEL-RQ",
}
