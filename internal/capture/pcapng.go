package capture

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"time"

	"github.com/wardhq/ward/internal/decode"
)

// pcapng block types (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html).
const (
	blockSHB = 0x0a0d0d0a // section header
	blockIDB = 0x00000001 // interface description
	blockOPB = 0x00000002 // packet (obsolete)
	blockSPB = 0x00000003 // simple packet
	blockEPB = 0x00000006 // enhanced packet
)

// pcapng layout limits.
const (
	shbMinLen = 28 // type, length, byte-order magic, version, section length, trailer
	idbMinLen = 20
	spbMinLen = 16
	epbMinLen = 32 // also the obsolete packet block

	pcapngMaxBlock = 64 << 20

	bomBig    = 0x1a2b3c4d // the byte-order magic as written by a big-endian host
	bomLittle = 0x4d3c2b1a // the same, read big-endian from a little-endian file

	optEnd      = 0
	optTSResol  = 9
	optTSOffset = 14
)

// iface is what the reader keeps of an Interface Description Block.
type iface struct {
	link   decode.LinkType
	snap   uint32
	bad    bool  // the block was too short to describe the interface
	pow2   bool  // resolution is 2^-exp seconds rather than 10^-exp
	exp    uint8 // resolution exponent; the default is 10^-6
	offset int64 // seconds added to every timestamp (if_tsoffset)
}

// readSHB consumes a Section Header Block, which sets the byte order of
// the section and forgets the interfaces of the previous one.
func (r *Reader) readSHB() error {
	start := r.off
	h, ok, err := r.peekHeader(12, "section header block")
	if !ok {
		return eofOr(err)
	}
	switch bom := binary.BigEndian.Uint32(h[8:]); bom {
	case bomBig:
		r.order = bigEndian
	case bomLittle:
		r.order = littleEndian
	default:
		return r.fatal(start, nil, "section header block: bad byte-order magic 0x%08x", bom)
	}
	n := r.order.u32(h[4:])
	if err := r.checkBlockLen(start, blockSHB, n, shbMinLen); err != nil {
		return err
	}
	b, err := r.takeBlock(start, blockSHB, n)
	if err != nil {
		return err
	}
	if major, minor := r.order.u16(b[12:]), r.order.u16(b[14:]); major != 1 {
		return r.fatal(start, nil, "section header block: unsupported pcapng version %d.%d",
			major, minor)
	}
	r.ifaces = r.ifaces[:0]
	return nil
}

// checkBlockLen validates a block's leading total length. A bad length
// leaves no way to find the next block, so every failure is fatal.
func (r *Reader) checkBlockLen(start int64, typ, n, minLen uint32) error {
	switch {
	case n%4 != 0:
		return r.fatal(start, nil, "%s: total length %d is not a multiple of 4",
			blockName(typ), n)
	case n < minLen:
		return r.fatal(start, nil, "%s: total length %d is below the minimum %d",
			blockName(typ), n, minLen)
	case n > pcapngMaxBlock:
		return r.fatal(start, nil, "%s: total length %d exceeds the maximum %d",
			blockName(typ), n, pcapngMaxBlock)
	}
	return nil
}

// takeBlock consumes a block of n bytes, already validated by
// checkBlockLen, and checks its trailing length.
func (r *Reader) takeBlock(start int64, typ, n uint32) ([]byte, error) {
	b, err := r.takeRecord(start, int(n), "pcapng block")
	if err != nil {
		return nil, err
	}
	if t := r.order.u32(b[n-4:]); t != n {
		return nil, r.fatal(start, nil,
			"%s: trailing length %d does not match leading length %d", blockName(typ), t, n)
	}
	return b, nil
}

// nextPcapng reads blocks until one holds a packet, which it puts in p.
func (r *Reader) nextPcapng(p *Packet) error {
	for {
		start := r.off
		h, ok, err := r.peekHeader(8, "block header")
		if !ok {
			return eofOr(err)
		}
		typ := r.order.u32(h)
		if typ == blockSHB {
			if err := r.readSHB(); err != nil {
				return err
			}
			continue
		}
		n := r.order.u32(h[4:])
		if err := r.checkBlockLen(start, typ, n, 12); err != nil {
			return err
		}
		b, err := r.takeBlock(start, typ, n)
		if err != nil {
			return err
		}
		switch typ {
		case blockEPB, blockOPB:
			return r.packetBlock(p, start, b, typ == blockOPB)
		case blockSPB:
			return r.simplePacket(p, start, b)
		case blockIDB:
			if err := r.readIDB(start, b); err != nil {
				return err
			}
		}
		// Every other block type (name resolution, statistics, secrets,
		// custom, unknown) is skipped.
	}
}

// packetBlock decodes an Enhanced Packet Block, or with obsolete set a
// Packet Block, whose layouts differ only in the interface id's width.
func (r *Reader) packetBlock(p *Packet, start int64, b []byte, obsolete bool) error {
	name := "enhanced packet block"
	if obsolete {
		name = "packet block"
	}
	if len(b) < epbMinLen {
		return r.skip(start, "%s: length %d is below the minimum %d", name, len(b), epbMinLen)
	}
	id := r.order.u32(b[8:])
	if obsolete {
		id = uint32(r.order.u16(b[8:]))
	}
	ifc, err := r.iface(start, name, id)
	if err != nil {
		return err
	}
	capLen := r.order.u32(b[20:])
	if capLen > uint32(len(b)-epbMinLen) {
		return r.skip(start, "%s: captured length %d overruns the block of %d bytes",
			name, capLen, len(b))
	}
	ts := uint64(r.order.u32(b[12:]))<<32 | uint64(r.order.u32(b[16:]))
	end := 28 + int(capLen)
	*p = Packet{
		Data:      b[28:end:end],
		OrigLen:   int(r.order.u32(b[24:])),
		Time:      ifc.time(ts),
		LinkType:  ifc.link,
		Interface: int(id),
		Offset:    start,
	}
	return nil
}

// simplePacket decodes a Simple Packet Block: interface 0, no timestamp
// (p.Time is the zero time), and a captured length that is the smallest of
// the original length, the snap length and the room in the block.
func (r *Reader) simplePacket(p *Packet, start int64, b []byte) error {
	if len(b) < spbMinLen {
		return r.skip(start, "simple packet block: length %d is below the minimum %d",
			len(b), spbMinLen)
	}
	ifc, err := r.iface(start, "simple packet block", 0)
	if err != nil {
		return err
	}
	orig := r.order.u32(b[8:])
	capLen := min(orig, uint32(len(b)-spbMinLen))
	if ifc.snap != 0 {
		capLen = min(capLen, ifc.snap)
	}
	end := 12 + int(capLen)
	*p = Packet{
		Data:     b[12:end:end],
		OrigLen:  int(orig),
		LinkType: ifc.link,
		Offset:   start,
	}
	return nil
}

// iface returns the description of interface id in the current section,
// or a resumable error when there is none.
func (r *Reader) iface(start int64, name string, id uint32) (*iface, error) {
	if id >= uint32(len(r.ifaces)) {
		return nil, r.skip(start, "%s: interface %d has no description block", name, id)
	}
	ifc := &r.ifaces[id]
	if ifc.bad {
		return nil, r.skip(start, "%s: interface %d has a bad description block", name, id)
	}
	return ifc, nil
}

// readIDB decodes an Interface Description Block and appends the
// interface. A malformed block still takes its index, so that the packets
// of later interfaces keep theirs.
func (r *Reader) readIDB(start int64, b []byte) error {
	if len(b) < idbMinLen {
		r.ifaces = append(r.ifaces, iface{bad: true})
		return r.skip(start, "interface description block: length %d is below the minimum %d",
			len(b), idbMinLen)
	}
	r.ifaces = append(r.ifaces, iface{
		link: decode.LinkType(r.order.u16(b[8:])),
		snap: r.order.u32(b[12:]),
		exp:  6,
	})
	return r.readIDBOptions(start, b[16:len(b)-4], &r.ifaces[len(r.ifaces)-1])
}

// readIDBOptions reads the options that matter for timestamps. opts starts
// at byte start+16 of the file. On a malformed option the interface keeps
// what was read before it.
func (r *Reader) readIDBOptions(start int64, opts []byte, ifc *iface) error {
	for o := 0; o+4 <= len(opts); {
		code, n := r.order.u16(opts[o:]), int(r.order.u16(opts[o+2:]))
		if code == optEnd {
			return nil
		}
		v := opts[o+4:]
		if n > len(v) {
			return r.skip(start+16+int64(o),
				"interface description block: option %d of %d bytes overruns the block", code, n)
		}
		switch {
		case code == optTSResol && n >= 1:
			ifc.pow2, ifc.exp = v[0]&0x80 != 0, v[0]&0x7f
		case code == optTSOffset && n >= 8:
			ifc.offset = int64(r.order.u64(v))
		}
		o += 4 + (n+3)&^3
	}
	return nil
}

// pow10 holds the powers of ten that fit in a uint64.
var pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// time converts a timestamp in the interface's units to UTC, exactly:
// fractions finer than a nanosecond are truncated.
func (ifc *iface) time(ts uint64) time.Time {
	var sec, nsec uint64
	switch {
	case ifc.pow2:
		sec, nsec = splitPow2(ts, uint(ifc.exp))
	case ifc.exp == 6: // the default: constant divisors compile to multiplies
		sec, nsec = ts/1e6, ts%1e6*1e3
	case ifc.exp == 9:
		sec, nsec = ts/1e9, ts%1e9
	default:
		sec, nsec = splitPow10(ts, int(ifc.exp))
	}
	return time.Unix(int64(sec)+ifc.offset, int64(nsec)).UTC()
}

// splitPow10 splits ts, in units of 10^-exp seconds, into seconds and
// nanoseconds.
func splitPow10(ts uint64, exp int) (sec, nsec uint64) {
	if exp >= len(pow10) { // 10^exp exceeds any uint64, so sec is 0
		if exp-9 >= len(pow10) {
			return 0, 0
		}
		return 0, ts / pow10[exp-9]
	}
	sec, frac := ts/pow10[exp], ts%pow10[exp]
	if exp <= 9 {
		return sec, frac * pow10[9-exp]
	}
	return sec, frac / pow10[exp-9]
}

// splitPow2 splits ts, in units of 2^-exp seconds, into seconds and
// nanoseconds, using a 128-bit product so nothing overflows.
func splitPow2(ts uint64, exp uint) (sec, nsec uint64) {
	switch {
	case exp == 0:
		return ts, 0
	case exp < 64:
		frac := ts & (1<<exp - 1)
		hi, lo := bits.Mul64(frac, 1e9)
		return ts >> exp, hi<<(64-exp) | lo>>exp
	default:
		hi, _ := bits.Mul64(ts, 1e9)
		return 0, hi >> (exp - 64)
	}
}

// blockName names a block type for error messages.
func blockName(typ uint32) string {
	switch typ {
	case blockSHB:
		return "section header block"
	case blockIDB:
		return "interface description block"
	case blockOPB:
		return "packet block"
	case blockSPB:
		return "simple packet block"
	case blockEPB:
		return "enhanced packet block"
	}
	return fmt.Sprintf("pcapng block of type 0x%08x", typ)
}
