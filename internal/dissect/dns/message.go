package dns

import (
	"encoding/binary"
	"net/netip"

	"github.com/wardhq/ward/internal/dissect"
)

// Record types the dissectors decode; every other type is skipped by its
// RDLENGTH.
const (
	TypeA     uint16 = 1
	TypeNS    uint16 = 2
	TypeCNAME uint16 = 5
	TypePTR   uint16 = 12
	TypeHINFO uint16 = 13
	TypeTXT   uint16 = 16
	TypeAAAA  uint16 = 28
	TypeSRV   uint16 = 33
	TypeOPT   uint16 = 41
	TypeNSEC  uint16 = 47
	TypeANY   uint16 = 255
)

// ClassIN is the Internet class. In mDNS the top bit of the class is the
// cache-flush bit of a record, or the unicast-response (QU) bit of a
// question, so compare ClassIN with Class&ClassMask.
const (
	ClassIN   uint16 = 1
	ClassMask uint16 = 0x7fff
)

// Limits that keep hostile input cheap.
const (
	headerLen = 12
	// MaxNameLen is the longest name, in wire bytes, that Name.Append
	// accepts (RFC 1035 §2.3.4).
	MaxNameLen = 255
	// maxPointers bounds the compression pointers followed in one name.
	// Pointers must also point backwards, so loops are impossible anyway.
	maxPointers = 32
)

// Section says which part of a message a record came from.
type Section uint8

// Message sections, in wire order.
const (
	SectionQuestion Section = iota
	SectionAnswer
	SectionAuthority
	SectionAdditional
	sectionEnd
)

// String names the section.
func (s Section) String() string {
	switch s {
	case SectionQuestion:
		return "question"
	case SectionAnswer:
		return "answer"
	case SectionAuthority:
		return "authority"
	case SectionAdditional:
		return "additional"
	}
	return "end"
}

// Header is the fixed 12-byte DNS header (RFC 1035 §4.1.1), big-endian.
type Header struct {
	ID    uint16
	Flags uint16
	Count [4]uint16 // records in each Section: question, answer, authority, additional
}

// Response reports whether the QR bit is set.
func (h Header) Response() bool { return h.Flags&0x8000 != 0 }

// Opcode is the 4-bit operation code (0 for a standard query).
func (h Header) Opcode() uint8 { return uint8(h.Flags>>11) & 0xf }

// RCode is the 4-bit response code (0 no error, 3 name error).
func (h Header) RCode() uint8 { return uint8(h.Flags & 0xf) }

// Name is a domain name inside a message: where it starts, so that
// compression pointers can be followed. It copies nothing.
type Name struct {
	msg []byte
	off int
}

// Question is one entry of the question section.
type Question struct {
	Name  Name
	Type  uint16
	Class uint16 // top bit: the mDNS QU bit
}

// Record is one resource record. Data aliases the message.
type Record struct {
	Section Section
	Name    Name
	Type    uint16
	Class   uint16 // top bit: the mDNS cache-flush bit
	TTL     uint32 // seconds
	Data    []byte
	dataOff int // offset of Data in the message, for names inside it
}

// CacheFlush reports whether the mDNS cache-flush bit is set.
func (r Record) CacheFlush() bool { return r.Class&^ClassMask != 0 }

// Reader walks a message section by section without allocating. Reset
// starts it on a message; a zero Reader reads nothing.
type Reader struct {
	Header  Header
	msg     []byte
	off     int
	section Section
	left    int // entries still to read in section
}

// Reset starts reading msg, decoding its header.
func (r *Reader) Reset(msg []byte) error {
	*r = Reader{msg: msg}
	if len(msg) < headerLen {
		r.section = sectionEnd
		return dissect.Errorf("dns", 0, "header needs %d bytes, have %d", headerLen, len(msg))
	}
	r.Header.ID = binary.BigEndian.Uint16(msg)
	r.Header.Flags = binary.BigEndian.Uint16(msg[2:])
	for i := range r.Header.Count {
		r.Header.Count[i] = binary.BigEndian.Uint16(msg[4+2*i:])
	}
	r.off = headerLen
	r.left = int(r.Header.Count[0])
	return nil
}

// Offset is where the next entry starts, in bytes from the message start.
func (r *Reader) Offset() int { return r.off }

// advance moves to the next section that still has entries.
func (r *Reader) advance() {
	for r.left == 0 && r.section < sectionEnd {
		r.section++
		if r.section < sectionEnd {
			r.left = int(r.Header.Count[r.section])
		}
	}
}

// Question reads the next question. It returns ok=false when the question
// section is exhausted.
func (r *Reader) Question() (q Question, ok bool, err error) {
	if r.section != SectionQuestion || r.left == 0 {
		return q, false, nil
	}
	end, err := skipName(r.msg, r.off)
	if err != nil {
		r.stop()
		return q, false, err
	}
	if end+4 > len(r.msg) {
		r.stop()
		return q, false, dissect.Errorf("dns", end, "question ends early")
	}
	q = Question{
		Name:  Name{msg: r.msg, off: r.off},
		Type:  binary.BigEndian.Uint16(r.msg[end:]),
		Class: binary.BigEndian.Uint16(r.msg[end+2:]),
	}
	r.off = end + 4
	r.left--
	return q, true, nil
}

// Record reads the next resource record, skipping any unread questions.
// It returns ok=false at the end of the message.
func (r *Reader) Record() (rec Record, ok bool, err error) {
	for r.section == SectionQuestion && r.left > 0 {
		if _, _, err := r.Question(); err != nil {
			return rec, false, err
		}
	}
	r.advance()
	if r.section >= sectionEnd {
		return rec, false, nil
	}
	end, err := skipName(r.msg, r.off)
	if err != nil {
		r.stop()
		return rec, false, err
	}
	if end+10 > len(r.msg) {
		r.stop()
		return rec, false, dissect.Errorf("dns", end, "%s record header ends early", r.section)
	}
	n := int(binary.BigEndian.Uint16(r.msg[end+8:]))
	data := end + 10
	if data+n > len(r.msg) {
		r.stop()
		return rec, false, dissect.Errorf("dns", data,
			"record data of %d bytes overruns message of %d", n, len(r.msg))
	}
	rec = Record{
		Section: r.section,
		Name:    Name{msg: r.msg, off: r.off},
		Type:    binary.BigEndian.Uint16(r.msg[end:]),
		Class:   binary.BigEndian.Uint16(r.msg[end+2:]),
		TTL:     binary.BigEndian.Uint32(r.msg[end+4:]),
		Data:    r.msg[data : data+n],
		dataOff: data,
	}
	r.off = data + n
	r.left--
	return rec, true, nil
}

// stop ends the walk after an error, so later calls return nothing.
func (r *Reader) stop() {
	r.section = sectionEnd
	r.left = 0
}

// skipName returns the offset just past the name at off, without
// following compression pointers.
func skipName(msg []byte, off int) (int, error) {
	start := off
	for {
		if off >= len(msg) {
			return off, dissect.Errorf("dns", off, "name starting at byte %d ends early", start)
		}
		c := int(msg[off])
		switch {
		case c == 0:
			return off + 1, nil
		case c&0xc0 == 0xc0:
			if off+2 > len(msg) {
				return off, dissect.Errorf("dns", off, "compression pointer cut short")
			}
			return off + 2, nil
		case c&0xc0 != 0:
			return off, dissect.Errorf("dns", off, "reserved label type 0x%02x", c)
		}
		off += 1 + c
		if off-start > MaxNameLen {
			return off, dissect.Errorf("dns", start, "name longer than %d bytes", MaxNameLen)
		}
	}
}

// Labels calls fn with each label of n in order, following compression
// pointers, until fn returns false. Label bytes alias the message.
func (n Name) Labels(fn func(label []byte) bool) error {
	off, hops, total := n.off, 0, 0
	limit := off // pointers must point before the name being read
	for {
		if off < 0 || off >= len(n.msg) {
			return dissect.Errorf("dns", off, "name ends early")
		}
		c := int(n.msg[off])
		switch {
		case c == 0:
			return nil
		case c&0xc0 == 0xc0:
			if off+2 > len(n.msg) {
				return dissect.Errorf("dns", off, "compression pointer cut short")
			}
			ptr := int(binary.BigEndian.Uint16(n.msg[off:]) & 0x3fff)
			hops++
			if ptr >= limit || hops > maxPointers {
				return dissect.Errorf("dns", off,
					"compression pointer to %d does not point back", ptr)
			}
			off, limit = ptr, ptr
			continue
		case c&0xc0 != 0:
			return dissect.Errorf("dns", off, "reserved label type 0x%02x", c)
		}
		total += 1 + c
		if total > MaxNameLen {
			return dissect.Errorf("dns", off, "name longer than %d bytes", MaxNameLen)
		}
		if off+1+c > len(n.msg) {
			return dissect.Errorf("dns", off, "label of %d bytes ends early", c)
		}
		if !fn(n.msg[off+1 : off+1+c]) {
			return nil
		}
		off += 1 + c
	}
}

// Append appends n in dotted form, without the trailing dot, to dst. The
// root name appends nothing. Letters keep their case.
func (n Name) Append(dst []byte) ([]byte, error) {
	first := true
	err := n.Labels(func(l []byte) bool {
		if !first {
			dst = append(dst, '.')
		}
		first = false
		dst = append(dst, l...)
		return true
	})
	return dst, err
}

// FirstLabel returns the leftmost label of n, such as a DNS-SD instance
// name, which may hold spaces, dots and UTF-8.
func (n Name) FirstLabel() ([]byte, error) {
	var first []byte
	err := n.Labels(func(l []byte) bool {
		first = l
		return false
	})
	return first, err
}

// Addr decodes the data of an A or AAAA record.
func (r Record) Addr() (netip.Addr, bool) {
	switch {
	case r.Type == TypeA && len(r.Data) == 4:
		return netip.AddrFrom4([4]byte(r.Data)), true
	case r.Type == TypeAAAA && len(r.Data) == 16:
		return netip.AddrFrom16([16]byte(r.Data)), true
	}
	return netip.Addr{}, false
}

// Target returns the name in the data of a PTR, CNAME or NS record.
func (r Record) Target() (Name, error) {
	if _, err := skipName(r.Data, 0); err != nil {
		return Name{}, dissect.Errorf("dns", r.dataOff, "type %d record data holds no name", r.Type)
	}
	return Name{msg: r.msg(), off: r.dataOff}, nil
}

// msg recovers the whole message from the record's owner name.
func (r Record) msg() []byte { return r.Name.msg }

// SRV decodes the data of an SRV record (RFC 2782): priority, weight,
// port, then the target host name.
func (r Record) SRV() (port uint16, target Name, err error) {
	if r.Type != TypeSRV || len(r.Data) < 7 {
		return 0, Name{}, dissect.Errorf("dns", r.dataOff,
			"srv data of %d bytes is too short", len(r.Data))
	}
	if _, err := skipName(r.Data, 6); err != nil {
		return 0, Name{}, dissect.Errorf("dns", r.dataOff+6, "srv target is not a name")
	}
	port = binary.BigEndian.Uint16(r.Data[4:])
	return port, Name{msg: r.msg(), off: r.dataOff + 6}, nil
}

// HINFO decodes the data of an HINFO record: two character strings, the
// CPU and the operating system.
func (r Record) HINFO() (cpu, os []byte, err error) {
	cpu, next, ok := CharString(r.Data, 0)
	if ok {
		os, _, ok = CharString(r.Data, next)
	}
	if !ok {
		return nil, nil, dissect.Errorf("dns", r.dataOff, "hinfo data is not two strings")
	}
	return cpu, os, nil
}

// CharString reads the length-prefixed character string at off in data
// (as in TXT and HINFO records) and returns it and the offset after it.
func CharString(data []byte, off int) (s []byte, next int, ok bool) {
	if off < 0 || off >= len(data) {
		return nil, off, false
	}
	n := int(data[off])
	if off+1+n > len(data) {
		return nil, off, false
	}
	return data[off+1 : off+1+n], off + 1 + n, true
}
