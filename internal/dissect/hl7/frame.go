package hl7

import "bytes"

// head reads the messages of one direction: MLLP frames, and between them
// whatever else there is, which is unframed HL7, line ends or noise.
func (d *dissector) head(b []byte, s *side) {
	framed := false
	for off := 0; off < len(b); {
		if b[off] == startBlock {
			framed = true
			off = d.frame(b, off, s)
		} else {
			off = d.between(b, off, framed, s)
		}
	}
}

// frame reads the MLLP frame whose start block is b[off] and returns the
// offset after it. A frame that the end of the head cuts is read as far as
// it goes; one cut by the next start block misses its end block.
func (d *dissector) frame(b []byte, off int, s *side) int {
	start := off + 1
	n := indexFraming(b[start:])
	if n < 0 {
		d.message(b[start:], start, true, true, s)
		return len(b)
	}
	end := start + n
	d.message(b[start:end], start, false, true, s)
	if b[end] == startBlock {
		d.fail(s, end, "mllp frame without end block")
		return end
	}
	return skipEndBlock(b, end)
}

// between reads the bytes from off to the next framing byte, outside any
// frame, and returns the offset it stopped at. Line ends there are
// harmless; HL7 is a link without MLLP, or a frame without its start block
// when the head has frames or the text ends with an end block; anything
// else is noise.
func (d *dissector) between(b []byte, off int, framed bool, s *side) int {
	stop := len(b)
	if n := indexFraming(b[off:]); n >= 0 {
		stop = off + n
	}
	closed := stop < len(b) && b[stop] == endBlock
	region := b[off:stop]
	switch {
	case isHeader(region) && validFieldSep(region[3]):
		if framed || closed {
			d.fail(s, off, "mllp frame without start block")
		}
		d.message(region, off, stop == len(b), framed || closed, s)
	case stop == len(b) && headerPrefix(region):
		// An unframed head cut inside its first segment id.
	case !blank(region):
		d.fail(s, off, "%d bytes outside mllp frames", len(region))
	}
	if closed {
		return skipEndBlock(b, stop)
	}
	return stop
}

// headerPrefix reports whether b is a proper prefix of "MSH", "FHS" or "BHS".
func headerPrefix(b []byte) bool {
	for _, id := range [...]string{"MSH", "FHS", "BHS"} {
		if len(b) < len(id) && id[:len(b)] == string(b) {
			return true
		}
	}
	return false
}

// skipEndBlock returns the offset after the end block at b[i] and the CR
// that should follow it.
func skipEndBlock(b []byte, i int) int {
	i++
	if i < len(b) && b[i] == '\r' {
		i++
	}
	return i
}

// indexFraming returns the index of the first start or end block in b, or -1.
func indexFraming(b []byte) int {
	i := bytes.IndexByte(b, endBlock)
	if i < 0 {
		return bytes.IndexByte(b, startBlock)
	}
	if j := bytes.IndexByte(b[:i], startBlock); j >= 0 {
		return j
	}
	return i
}

// blank reports whether b holds only line ends, spaces, tabs and NULs.
func blank(b []byte) bool {
	for _, c := range b {
		if c != '\r' && c != '\n' && c != ' ' && c != '\t' && c != 0 {
			return false
		}
	}
	return true
}

// segment is one segment of a message, without its terminator.
type segment struct {
	b   []byte
	off int  // offset of b in the head
	cut bool // the end of the head cut it: its last field may be incomplete
}

// segKind is a segment id this package tells apart.
type segKind uint8

const (
	segOther segKind = iota
	segMSH
	segFHS
	segBHS
	segTrailer // BTS, FTS
	segMSA
	segOBX
	segPRT
	segEQU
)

// kind returns the segment's id, segOther for a segment too short to have
// one or one this package does not read.
func (g segment) kind() segKind {
	if len(g.b) < 3 || (len(g.b) == 3 && g.cut) {
		return segOther
	}
	header := len(g.b) >= 4 // an id and a field separator
	switch string(g.b[:3]) {
	case "MSH":
		if header {
			return segMSH
		}
	case "FHS":
		if header {
			return segFHS
		}
	case "BHS":
		if header {
			return segBHS
		}
	case "BTS", "FTS":
		return segTrailer
	case "MSA":
		return segMSA
	case "OBX":
		return segOBX
	case "PRT":
		return segPRT
	case "EQU":
		return segEQU
	}
	return segOther
}

// message reads the segments of one message body: a frame's content, or
// unframed text. base is the body's offset in the head; cut says the end
// of the head cut it; unit says the body counts as one message, as a frame
// does, rather than one per MSH.
func (d *dissector) message(body []byte, base int, cut, unit bool, s *side) {
	var m msg
	started := false
	for off := 0; off < len(body); {
		g, next := nextSegment(body, off, cut)
		g.off += base
		off = next
		if len(g.b) == 0 {
			continue
		}
		header := isHeader(g.b)
		if !started && !header {
			if !g.cut {
				d.fail(s, g.off, "message does not start with msh, fhs or bhs")
			}
			return
		}
		if header && (unit && !started || !unit && g.kind() == segMSH) {
			s.messages++
		}
		started = true
		d.segment(&m, g, s)
	}
	d.finish(&m, s)
}

// nextSegment returns the segment at off and the offset after its
// terminator (CR, or LF, which some senders use).
func nextSegment(body []byte, off int, cut bool) (segment, int) {
	rest := body[off:]
	i := bytes.IndexByte(rest, '\r')
	if i < 0 {
		i = len(rest)
	}
	if j := bytes.IndexByte(rest[:i], '\n'); j >= 0 {
		i = j
	}
	if i == len(rest) {
		return segment{b: rest, off: off, cut: cut}, len(body)
	}
	return segment{b: rest[:i], off: off}, off + i + 1
}

// segment dispatches one segment on its id.
func (d *dissector) segment(m *msg, g segment, s *side) {
	switch k := g.kind(); k {
	case segMSH:
		d.finish(m, s)
		d.msh(m, g, s)
	case segFHS, segBHS:
		d.finish(m, s)
		d.batchHeader(g, s)
	case segTrailer:
		d.finish(m, s)
	case segMSA, segOBX, segPRT, segEQU:
		if m.active && (len(g.b) == 3 || g.b[3] == m.enc.field) {
			d.body(m, k, g, s)
		}
	}
}

// body reads the fields this package reads outside the header.
func (d *dissector) body(m *msg, k segKind, g segment, s *side) {
	f := newFields(g, m.enc.field, 1)
	switch k {
	case segMSA:
		if v, ok := f.field(1); ok {
			d.ack(v, s)
		}
	case segOBX:
		if v, ok := f.field(18); ok {
			d.devices(m, v, s, false)
		}
	case segEQU:
		if v, ok := f.field(1); ok {
			d.devices(m, v, s, false)
		}
	case segPRT:
		if v, ok := f.field(10); ok {
			d.devices(m, v, s, false)
		}
		if v, ok := f.field(16); ok {
			d.devices(m, v, s, true)
		}
	}
}

// fields walks the fields of a segment in place.
type fields struct {
	rest []byte // what follows the last field returned; nil past the end
	sep  byte
	n    int  // number of the last field returned
	cut  bool // the last field may be incomplete
}

// newFields starts at the field after the segment id and its separator,
// numbered first: 1 for most segments, 2 for MSH, whose separator is MSH-1.
func newFields(g segment, sep byte, first int) fields {
	f := fields{sep: sep, n: first - 1, cut: g.cut}
	if len(g.b) > 4 {
		f.rest = g.b[4:]
	} else if len(g.b) == 4 {
		f.rest = g.b[4:4]
	}
	return f
}

// next returns the next field; ok is false past the last one, and for a
// last field that the end of the head may have cut.
func (f *fields) next() (v []byte, ok bool) {
	if f.rest == nil {
		return nil, false
	}
	f.n++
	if i := bytes.IndexByte(f.rest, f.sep); i >= 0 {
		v, f.rest = f.rest[:i], f.rest[i+1:]
		return v, true
	}
	v, f.rest = f.rest, nil
	return v, !f.cut
}

// field returns field n, which must not come before the last one returned.
func (f *fields) field(n int) ([]byte, bool) {
	for f.n < n {
		v, ok := f.next()
		if f.n == n {
			return v, ok
		}
		if !ok {
			return nil, false
		}
	}
	return nil, false
}
