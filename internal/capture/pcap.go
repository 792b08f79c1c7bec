package capture

import (
	"io"
	"time"

	"github.com/wardhq/ward/internal/decode"
)

// pcap layout (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html).
const (
	pcapFileHeaderLen = 24
	pcapRecHeaderLen  = 16

	// pcapMaxRecord is the largest record accepted when the snap length is
	// smaller; pcapMaxSnap is the largest snap length believed.
	pcapMaxRecord = 256 << 10
	pcapMaxSnap   = 64 << 20
)

// readPcapHeader consumes the 24-byte pcap file header whose magic, read
// big-endian, is m.
func (r *Reader) readPcapHeader(m uint32) error {
	h, err := r.takeRecord(0, pcapFileHeaderLen, "pcap file header")
	if err != nil {
		return err
	}
	r.order = littleEndian
	if m == magicPcapMicroBE || m == magicPcapNanoBE {
		r.order = bigEndian
	}
	r.nano = m == magicPcapNanoBE || m == magicPcapNanoLE

	r.maxRec = pcapMaxRecord
	if snap := r.order.u32(h[16:]); snap > pcapMaxRecord && snap <= pcapMaxSnap {
		r.maxRec = int(snap)
	}
	// The upper bits of the link-type field carry the FCS length.
	r.pcapLT = uint16(r.order.u32(h[20:]))
	return nil
}

// nextPcap reads one pcap record into p.
func (r *Reader) nextPcap(p *Packet) error {
	start := r.off
	h, ok, err := r.peekHeader(pcapRecHeaderLen, "pcap record header")
	if !ok {
		return eofOr(err)
	}
	sec := r.order.u32(h)
	frac := r.order.u32(h[4:])
	incl := r.order.u32(h[8:])
	orig := r.order.u32(h[12:])
	if incl > uint32(r.maxRec) {
		return r.fatal(start, nil, "pcap record: captured length %d exceeds the maximum %d",
			incl, r.maxRec)
	}

	rec, err := r.takeRecord(start, pcapRecHeaderLen+int(incl), "pcap record")
	if err != nil {
		return err
	}
	nsec := int64(frac)
	if !r.nano {
		nsec *= 1000
	}
	*p = Packet{
		Data:     rec[pcapRecHeaderLen:len(rec):len(rec)],
		OrigLen:  int(orig),
		Time:     time.Unix(int64(sec), nsec).UTC(),
		LinkType: decode.LinkType(r.pcapLT),
		Offset:   start,
	}
	return nil
}

// eofOr returns err, or io.EOF when err is nil.
func eofOr(err error) error {
	if err != nil {
		return err
	}
	return io.EOF
}
