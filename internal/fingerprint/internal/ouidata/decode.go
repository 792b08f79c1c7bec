package ouidata

import (
	"encoding/binary"
	"fmt"
)

// reader walks an encoded table; off is the next byte to read.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.err = fmt.Errorf("decode table: %s at byte %d: bad varint", what, r.off)
		return 0
	}
	r.off += n
	return v
}

// Decode parses an uncompressed table made by Encode. The names share one
// backing string, so decoding allocates little.
func Decode(raw []byte) (*Table, error) {
	if len(raw) < len(Magic) || string(raw[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("decode table: missing magic %q", Magic)
	}
	r := &reader{b: raw, off: len(Magic)}
	names, err := r.names()
	if err != nil {
		return nil, err
	}
	t := &Table{Names: names}
	for i := range Lengths {
		t.Keys[i], t.Orgs[i] = r.blocks(len(names))
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.off != len(raw) {
		return nil, fmt.Errorf("decode table: %d trailing bytes", len(raw)-r.off)
	}
	return t, nil
}

func (r *reader) names() ([]string, error) {
	n := r.uvarint("name count")
	if n > uint64(len(r.b)) {
		return nil, fmt.Errorf("decode table: name count %d exceeds input", n)
	}
	buf := make([]byte, 0, 2*len(r.b))
	ends := make([]int, 0, n)
	start, prevLen := 0, 0
	for i := uint64(0); i < n && r.err == nil; i++ {
		sharedLen := r.uvarint("shared prefix")
		suffix := r.uvarint("suffix length")
		if r.err != nil {
			break
		}
		// Compare before converting: a huge length must not wrap to a
		// negative int.
		if sharedLen > uint64(prevLen) || suffix > uint64(len(r.b)-r.off) {
			return nil, fmt.Errorf("decode table: name %d at byte %d: bad lengths", i, r.off)
		}
		shared := int(sharedLen)
		cur := len(buf)
		buf = append(buf, buf[start:start+shared]...)
		buf = append(buf, r.b[r.off:r.off+int(suffix)]...)
		r.off += int(suffix)
		start, prevLen = cur, len(buf)-cur
		ends = append(ends, len(buf))
	}
	if r.err != nil {
		return nil, r.err
	}
	all := string(buf)
	names := make([]string, len(ends))
	begin := 0
	for i, end := range ends {
		names[i] = all[begin:end]
		begin = end
	}
	return names, nil
}

func (r *reader) blocks(nNames int) ([]uint64, []uint32) {
	n := r.uvarint("block count")
	if r.err != nil || n > uint64(len(r.b)-r.off) {
		if r.err == nil {
			r.err = fmt.Errorf("decode table: block count %d exceeds input", n)
		}
		return nil, nil
	}
	keys := make([]uint64, 0, n)
	orgs := make([]uint32, 0, n)
	var prev uint64
	for i := uint64(0); i < n; i++ {
		prev += r.uvarint("prefix")
		org := r.uvarint("organisation")
		if r.err != nil {
			return nil, nil
		}
		if org >= uint64(nNames) {
			r.err = fmt.Errorf("decode table: organisation %d out of range at byte %d", org, r.off)
			return nil, nil
		}
		keys = append(keys, prev)
		orgs = append(orgs, uint32(org))
	}
	return keys, orgs
}
