package decode

import "testing"

// fuzzLinkTypes maps the first byte of a fuzz input to a link type.
var fuzzLinkTypes = [...]LinkType{LinkNull, LinkEthernet, LinkRaw, LinkLoop, LinkSLL, LinkIPv4, LinkIPv6, LinkSLL2}

// fuzzIndex returns the first byte that selects lt in fuzzLinkTypes.
func fuzzIndex(lt LinkType) byte {
	for i, v := range fuzzLinkTypes {
		if v == lt {
			return byte(i)
		}
	}
	return 0xff
}

// FuzzDecode decodes arbitrary frames: a link type byte, then the frame.
// Decode must not panic, must return one of its sentinels, and the
// slices it sets must lie inside the frame.
func FuzzDecode(f *testing.F) {
	for _, fr := range readFrames(f) {
		f.Add(append([]byte{fuzzIndex(fr.lt)}, fr.data...))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		lt := LinkType(in[0])
		if int(in[0]) < len(fuzzLinkTypes) {
			lt = fuzzLinkTypes[in[0]]
		}
		frame := in[1:]
		var p Packet
		err := p.Decode(lt, frame)
		switch err {
		case nil, ErrTruncated, ErrMalformed, ErrLinkType:
		default:
			t.Fatalf("got error %v, want a decode sentinel", err)
		}
		if err == ErrTruncated && !p.Truncated {
			t.Fatal("ErrTruncated without Truncated")
		}
		if len(p.L2Payload) > len(frame) || len(p.L3Payload) > len(p.L2Payload) ||
			len(p.Payload) > len(frame) {
			t.Fatalf("payloads longer than the frame: %d, %d, %d of %d",
				len(p.L2Payload), len(p.L3Payload), len(p.Payload), len(frame))
		}
		if p.Layer >= LayerNetwork && p.IPVersion == 0 && p.EtherType != EtherTypeARP {
			t.Fatalf("layer %v without IP or ARP", p.Layer)
		}
		if p.NumVLAN > 2 {
			t.Fatalf("NumVLAN %d", p.NumVLAN)
		}
	})
}
