package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// fuzzSeeds are small real captures of every layout the reader knows.
var fuzzSeeds = []string{
	"pcap/pcap_test_dns.pcap",
	"pcap/pcap_test_ethernet.pcap",
	"pcap/zeek_smb_dssetup_be.cap",
	"pcapng/pcapgo_tests_le_test202.pcapng",
	"pcapng/pcapgo_tests_be_test101.pcapng",
	"pcapng/pcapgo_tests_le_test012.pcapng",
	"pcapng/pcapgo_tests_be_test008.pcapng",
	"pcapng/pcapgo_tests_le_test902.pcapng",
	"pcapng/tests_dhcp-option-108.pcapng",
	"pcapng/testing_btest_Traces_tcp_retransmit-timeout.pcapng",
}

// FuzzReader reads arbitrary bytes as a capture. It must not panic or
// loop, every error must be an *Error, a fatal one must end the reader,
// and for uncompressed input packets and offsets must lie inside it.
func FuzzReader(f *testing.F) {
	for _, name := range fuzzSeeds {
		f.Add(readFile(f, name))
	}
	f.Add(gzipped(f, readFile(f, "pcap/pcap_test_dns.pcap")))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz")
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.Resumable {
				t.Fatalf("NewReader: got %v, want a fatal *Error", err)
			}
			return
		}
		plain := r.gz == nil
		var p Packet
		for range len(data) + 1 {
			err := r.Next(&p)
			if err == io.EOF {
				return
			}
			var ce *Error
			switch {
			case err != nil && !errors.As(err, &ce):
				t.Fatalf("Next: got %T %v, want *Error", err, err)
			case err != nil && plain && (ce.Offset < 0 || ce.Offset > int64(len(data))):
				t.Fatalf("error offset %d outside input of %d bytes", ce.Offset, len(data))
			case err != nil && !ce.Resumable:
				if err := r.Next(&p); err != io.EOF {
					t.Fatalf("Next after fatal error: got %v, want io.EOF", err)
				}
				return
			case err == nil && plain && (p.Offset+int64(len(p.Data)) > int64(len(data)) ||
				p.Offset < 0):
				t.Fatalf("packet at %d of %d bytes outside input of %d", p.Offset, len(p.Data),
					len(data))
			}
			if !plain && r.off > 64<<20 { // a small gzip bomb: stop early
				return
			}
		}
		if plain {
			t.Fatalf("more than %d records from %d bytes", len(data)+1, len(data))
		}
	})
}

// loopReader returns head once, then body over and over: an endless
// capture for steady-state benchmarks.
type loopReader struct {
	head, body []byte
	off        int
}

func (l *loopReader) Read(p []byte) (int, error) {
	if len(l.head) > 0 {
		n := copy(p, l.head)
		l.head = l.head[n:]
		return n, nil
	}
	n := 0
	for n < len(p) {
		c := copy(p[n:], l.body[l.off:])
		n += c
		l.off = (l.off + c) % len(l.body)
	}
	return n, nil
}

// BenchmarkReader reads a real capture (pcap_test_loopback.pcap, and its
// packets rewritten as pcapng blocks) repeated without end, one packet per
// iteration, so allocs/op is the steady-state allocation per packet.
func BenchmarkReader(b *testing.B) {
	src := readFile(b, "pcap/pcap_test_loopback.pcap")
	g := ng{binary.LittleEndian}
	var epbs []byte
	var npkt int
	for off := 24; off < len(src); npkt++ {
		incl := int(binary.LittleEndian.Uint32(src[off+8:]))
		ts := uint64(binary.LittleEndian.Uint32(src[off:]))*1e6 +
			uint64(binary.LittleEndian.Uint32(src[off+4:]))
		epbs = append(epbs, g.epb(0, ts, src[off+16:off+16+incl], uint32(incl))...)
		off += 16 + incl
	}
	tests := []struct {
		name       string
		head, body []byte
	}{
		{"pcap", src[:24], src[24:]},
		{"pcapng", concat(g.shb(), g.idb(0, 0)), epbs},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			r, err := NewReader(&loopReader{head: tt.head, body: tt.body}, "bench")
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(tt.body) / npkt))
			b.ReportAllocs()
			var p Packet
			for b.Loop() {
				if err := r.Next(&p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
