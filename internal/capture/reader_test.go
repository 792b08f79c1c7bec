package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/decode"
)

// TestRealPackets checks a few packets byte for byte against tshark's
// frame_raw, with their link types and times.
func TestRealPackets(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		index    int
		wantHex  string // a prefix of the frame
		wantLink decode.LinkType
		wantIf   int
		wantTime string
		wantOff  int64
	}{
		{"pcap ethernet", "pcap/pcap_test_dns.pcap", 0,
			"002219b67e22000f35bb0b4008004500004489c4", decode.LinkEthernet, 0,
			"1413306485.708342000", 24},
		{"pcap big-endian", "pcap/zeek_smb_dssetup_be.cap", 8,
			"000039fe083b000039d1d02e080045000034226b", decode.LinkEthernet, 0,
			"1073392738.243616000", 0},
		{"pcap loopback", "pcap/pcap_test_loopback.pcap", 0,
			"1e000000600000000204064000000000", decode.LinkNull, 0,
			"1357492952.275121000", 24},
		{"pcapng be null interface", "pcapng/pcapgo_tests_be_test101.pcapng", 3,
			"02000000450000a4c6ce00004011f147c0a8018b", decode.LinkNull, 1,
			"1340954905.301858000", 0},
		{"pcapng le ethernet", "pcapng/pcapgo_tests_le_test101.pcapng", 0,
			"ffffffffffff000b8201fc4208004500012ca836", decode.LinkEthernet, 0,
			"1340954905.298858000", 164},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, errs := readBytes(t, readFile(t, tt.file))
			if len(errs) != 0 || tt.index >= len(recs) {
				t.Fatalf("got %d packets and errors %v, want packet %d", len(recs), errs, tt.index)
			}
			r := recs[tt.index]
			if got := hex.EncodeToString(r.Data); !strings.HasPrefix(got, tt.wantHex) {
				t.Errorf("data: got %.40s…, want prefix %s", got, tt.wantHex)
			}
			if r.LinkType != tt.wantLink || r.Interface != tt.wantIf {
				t.Errorf("link, interface: got %d, %d, want %d, %d", r.LinkType, r.Interface,
					tt.wantLink, tt.wantIf)
			}
			if got := epoch(r.Time); got != tt.wantTime || r.Time.Location() != time.UTC {
				t.Errorf("time: got %s in %v, want %s in UTC", got, r.Time.Location(), tt.wantTime)
			}
			if tt.wantOff != 0 && r.Offset != tt.wantOff {
				t.Errorf("offset: got %d, want %d", r.Offset, tt.wantOff)
			}
		})
	}
}

// rewritePcap re-encodes a little-endian microsecond pcap file in byte
// order o, with nanosecond timestamps when nano is set.
func rewritePcap(t *testing.T, src []byte, o endian, nano bool) []byte {
	t.Helper()
	le := binary.LittleEndian
	var recs []pcapRec
	for off := 24; off < len(src); {
		incl := int(le.Uint32(src[off+8:]))
		r := pcapRec{sec: le.Uint32(src[off:]), frac: le.Uint32(src[off+4:]),
			orig: le.Uint32(src[off+12:]), data: src[off+16 : off+16+incl]}
		if nano {
			r.frac *= 1000
		}
		recs = append(recs, r)
		off += 16 + incl
	}
	return pcapFile(o, nano, le.Uint32(src[16:]), le.Uint32(src[20:]), recs...)
}

// TestPcapVariants reads one real file rewritten in both byte orders and
// both timestamp precisions: every variant must give the same packets.
func TestPcapVariants(t *testing.T) {
	src := readFile(t, "pcap/pcap_test_ethernet.pcap")
	want, errs := readBytes(t, src)
	if len(want) != 10 || len(errs) != 0 {
		t.Fatalf("original: got %d packets, errors %v, want 10 and none", len(want), errs)
	}
	tests := []struct {
		name string
		o    endian
		nano bool
	}{
		{"little micro", binary.LittleEndian, false},
		{"little nano", binary.LittleEndian, true},
		{"big micro", binary.BigEndian, false},
		{"big nano", binary.BigEndian, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := readBytes(t, rewritePcap(t, src, tt.o, tt.nano))
			if len(errs) != 0 {
				t.Fatalf("got errors %v, want none", errs)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPcapNanosecondTime checks that nanoseconds are kept, not rounded.
func TestPcapNanosecondTime(t *testing.T) {
	f := pcapFile(binary.BigEndian, true, 65535, 1, pcapRec{1700000000, 123456789, []byte{1, 2}, 60})
	recs, errs := readBytes(t, f)
	if len(errs) != 0 || len(recs) != 1 {
		t.Fatalf("got %d packets and errors %v, want 1 and none", len(recs), errs)
	}
	want := rec{[]byte{1, 2}, 60, time.Unix(1700000000, 123456789).UTC(), 1, 0, 24}
	if diff := cmp.Diff(want, recs[0]); diff != "" {
		t.Errorf("packet (-want +got):\n%s", diff)
	}
}

// TestPcapFCSLinkType checks that the FCS bits above the link type are
// masked off.
func TestPcapFCSLinkType(t *testing.T) {
	f := pcapFile(binary.LittleEndian, false, 65535, 0x14000001, pcapRec{1, 2, []byte{9}, 1})
	recs, _ := readBytes(t, f)
	if len(recs) != 1 || recs[0].LinkType != decode.LinkEthernet {
		t.Fatalf("got %+v, want one Ethernet packet", recs)
	}
}

// gzipped compresses b.
func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGzip reads gzipped real files: the same packets, a ".gz" format, and
// BytesRead counting compressed bytes.
func TestGzip(t *testing.T) {
	tests := []struct{ file, format string }{
		{"pcap/pcap_test_loopback.pcap", "pcap.gz"},
		{"pcapng/pcapgo_tests_be_test202.pcapng", "pcapng.gz"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			plain := readFile(t, tt.file)
			want, _ := readBytes(t, plain)
			gz := gzipped(t, plain)
			r, err := NewReader(bytes.NewReader(gz), "test.gz")
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Format(); got != tt.format {
				t.Errorf("Format: got %q, want %q", got, tt.format)
			}
			got, errs := readAll(t, r)
			if len(errs) != 0 {
				t.Errorf("got errors %v, want none", errs)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packets (-plain +gzip):\n%s", diff)
			}
			if n := r.BytesRead(); n != int64(len(gz)) {
				t.Errorf("BytesRead: got %d, want %d", n, len(gz))
			}
		})
	}
}

// TestGzipTruncated cuts a gzip stream short: the packets before the cut
// arrive, then a fatal error wrapping io.ErrUnexpectedEOF.
func TestGzipTruncated(t *testing.T) {
	plain := readFile(t, "pcap/pcap_test_loopback.pcap")
	gz := gzipped(t, plain)
	recs, errs := readBytes(t, gz[:len(gz)/2])
	if len(recs) == 0 || len(recs) >= 24 {
		t.Errorf("got %d packets, want some of the 24", len(recs))
	}
	if len(errs) != 1 || !errors.Is(errs[0], io.ErrUnexpectedEOF) || errs[0].Resumable {
		t.Errorf("got errors %v, want one fatal unexpected EOF", errs)
	}
}

// TestNonSeekable reads through readers that hide io.Seeker and return
// data in small pieces, as pipes do.
func TestNonSeekable(t *testing.T) {
	data := readFile(t, "pcapng/pcapgo_tests_le_test202.pcapng")
	want, _ := readBytes(t, data)
	sources := map[string]func() io.Reader{
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
		"pipe": func() io.Reader {
			pr, pw := io.Pipe()
			go func() {
				for b := data; len(b) > 0; b = b[min(len(b), 7):] {
					pw.Write(b[:min(len(b), 7)])
				}
				pw.Close()
			}()
			return pr
		},
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			r, err := NewReader(src(), "-")
			if err != nil {
				t.Fatal(err)
			}
			got, errs := readAll(t, r)
			if len(errs) != 0 {
				t.Errorf("got errors %v, want none", errs)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTruncatedEveryOffset cuts small files at every byte: no panic, the
// packets wholly before the cut delivered, and either a clean end (at a
// record boundary) or a fatal error wrapping io.ErrUnexpectedEOF whose
// offset is at or before the cut.
func TestTruncatedEveryOffset(t *testing.T) {
	for _, file := range []string{"pcap/pcap_test_dns.pcap",
		"pcapng/pcapgo_tests_be_test202.pcapng", "pcapng/pcapgo_tests_le_test102.pcapng"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data := readFile(t, file)
			all, _ := readBytes(t, data)
			for cut := range len(data) {
				checkCut(t, data[:cut], all)
			}
		})
	}
}

// checkCut reads a file cut short and compares it with the whole file's
// packets.
func checkCut(t *testing.T, data []byte, all []rec) {
	t.Helper()
	cut := len(data)
	r, err := NewReader(bytes.NewReader(data), "cut")
	if err != nil {
		var ce *Error
		if !errors.As(err, &ce) || ce.Offset > int64(cut) {
			t.Fatalf("cut %d: NewReader error %v, want an *Error at or before the cut", cut, err)
		}
		return
	}
	recs, errs := readAll(t, r)
	want := 0
	for _, p := range all {
		if p.Offset+int64(len(p.Data)) < int64(cut) {
			want++
		}
	}
	if len(recs) < want-1 || len(recs) > want {
		t.Errorf("cut %d: got %d packets, want %d", cut, len(recs), want)
	}
	for _, e := range errs {
		if e.Offset > int64(cut) || !errors.Is(e, io.ErrUnexpectedEOF) && !e.Resumable {
			t.Errorf("cut %d: got error %v, want unexpected EOF at or before the cut", cut, e)
		}
	}
}

// TestMalformed feeds hand-built broken files. Each case lists how many
// packets must still come out and the errors in order.
func TestMalformed(t *testing.T) {
	le, be := ng{binary.LittleEndian}, ng{binary.BigEndian}
	pkt := []byte{0xde, 0xad, 0xbe, 0xef, 0x01}
	good := le.epb(0, 1, pkt, 5)
	type wantErr struct {
		off       int64
		reason    string
		resumable bool
	}
	tests := []struct {
		name    string
		data    []byte
		open    string // error from NewReader, if any
		packets int
		errs    []wantErr
	}{
		{name: "empty", data: nil, open: "capture header cut short: got 0 of 4 bytes"},
		{name: "wrong magic", data: []byte("GIF89a, not a capture"),
			open: "unknown capture format: magic 0x47494638"},
		{name: "short pcap header", data: pcapFile(binary.LittleEndian, false, 1, 1)[:20],
			open: "pcap file header cut short: got 20 of 24 bytes"},
		{name: "gzip of garbage", data: gzipped(t, []byte("garbage!")),
			open: "unknown capture format: magic 0x67617262"},
		{name: "bad gzip header", data: []byte{0x1f, 0x8b, 9, 9, 9}, open: "open gzip stream"},
		{name: "pcap absurd record length", packets: 1,
			data: pcapFile(binary.LittleEndian, false, 65535, 1, pcapRec{1, 0, pkt, 5},
				pcapRec{2, 0, make([]byte, 300<<10), 300 << 10}),
			errs: []wantErr{
				{45, "pcap record: captured length 307200 exceeds the maximum 262144", false}}},
		{name: "pcap record cut short", packets: 1,
			data: pcapFile(binary.BigEndian, false, 65535, 1, pcapRec{1, 0, pkt, 5},
				pcapRec{2, 0, pkt, 5})[:65],
			errs: []wantErr{{45, "pcap record cut short: got 20 of 21 bytes", false}}},
		{name: "pcapng bad byte-order magic",
			data: concat([]byte{10, 13, 13, 10, 28, 0, 0, 0}, make([]byte, 20)),
			open: "section header block: bad byte-order magic 0x00000000"},
		{name: "pcapng length not multiple of 4", packets: 1,
			data: concat(le.shb(), le.idb(1, 0), good, []byte{6, 0, 0, 0, 33, 0, 0, 0}, good),
			errs: []wantErr{
				{88, "enhanced packet block: total length 33 is not a multiple of 4", false}}},
		{name: "pcapng length below 12",
			data: concat(le.shb(), le.idb(1, 0), []byte{1, 0, 0, 0, 8, 0, 0, 0}, good),
			errs: []wantErr{
				{48, "interface description block: total length 8 is below the minimum 12", false}}},
		{name: "pcapng huge length",
			data: concat(be.shb(), []byte{0, 0, 0, 6, 0x7f, 0, 0, 0}),
			errs: []wantErr{
				{28, "enhanced packet block: total length 2130706432 exceeds the maximum 67108864", false}}},
		{name: "pcapng trailing length mismatch", packets: 1,
			data: concat(le.shb(), le.idb(1, 0), good, good[:len(good)-4], []byte{44, 0, 0, 0}, good),
			errs: []wantErr{
				{88, "enhanced packet block: trailing length 44 does not match leading length 40", false}}},
		{name: "pcapng block cut short", packets: 1,
			data: concat(le.shb(), le.idb(1, 0), good, good[:20]),
			errs: []wantErr{{88, "pcapng block cut short: got 20 of 40 bytes", false}}},
		{name: "pcapng header cut short", packets: 1,
			data: concat(le.shb(), le.idb(1, 0), good, good[:5]),
			errs: []wantErr{{88, "block header cut short: got 5 of 8 bytes", false}}},
		{name: "pcapng unknown interface skipped", packets: 2,
			data: concat(le.shb(), le.idb(1, 0), good, le.epb(3, 1, pkt, 5), good),
			errs: []wantErr{
				{88, "enhanced packet block: interface 3 has no description block", true}}},
		{name: "pcapng interfaces reset by a new section", packets: 1,
			data: concat(le.shb(), le.idb(1, 0), good, be.shb(), be.epb(0, 1, pkt, 5)),
			errs: []wantErr{
				{116, "enhanced packet block: interface 0 has no description block", true}}},
		{name: "pcapng captured length overruns block", packets: 1,
			data: concat(le.shb(), le.idb(1, 0), corruptCapLen(good), good),
			errs: []wantErr{
				{48, "enhanced packet block: captured length 4096 overruns the block of 40 bytes", true}}},
		{name: "pcapng short interface block", packets: 0,
			data: concat(le.shb(), le.block(blockIDB, []byte{1, 0, 0, 0}), good),
			errs: []wantErr{
				{28, "interface description block: length 16 is below the minimum 20", true},
				{44, "enhanced packet block: interface 0 has a bad description block", true}}},
		{name: "pcapng option overruns interface block", packets: 1,
			data: concat(le.shb(), le.idb(1, 0, []byte{9, 0, 200, 0}), good),
			errs: []wantErr{
				{44, "interface description block: option 9 of 200 bytes overruns the block", true}}},
		{name: "pcapng short packet blocks", packets: 1,
			data: concat(le.shb(), le.idb(1, 0), le.block(blockEPB, make([]byte, 8)),
				le.block(blockSPB, nil), good),
			errs: []wantErr{
				{48, "enhanced packet block: length 20 is below the minimum 32", true},
				{68, "simple packet block: length 12 is below the minimum 16", true}}},
		{name: "pcapng version 2", packets: 0,
			data: concat(le.shb()[:12], []byte{2, 0, 0, 0}, le.shb()[16:]),
			open: "section header block: unsupported pcapng version 2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tt.data), "bad")
			if tt.open != "" {
				var ce *Error
				if !errors.As(err, &ce) || !strings.Contains(ce.Error(), tt.open) || ce.Resumable {
					t.Fatalf("NewReader: got %v, want a fatal *Error with %q", err, tt.open)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			recs, errs := readAll(t, r)
			if len(recs) != tt.packets {
				t.Errorf("got %d packets, want %d", len(recs), tt.packets)
			}
			var got []wantErr
			for _, e := range errs {
				got = append(got, wantErr{e.Offset, e.Reason, e.Resumable})
			}
			if diff := cmp.Diff(tt.errs, got, cmp.AllowUnexported(wantErr{})); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// corruptCapLen returns a copy of a little-endian EPB claiming 4096
// captured bytes.
func corruptCapLen(epb []byte) []byte {
	b := bytes.Clone(epb)
	binary.LittleEndian.PutUint32(b[20:], 4096)
	return b
}

// TestPcapngTimestamps checks if_tsresol (powers of 10 and 2), if_tsoffset
// and the simple packet block's snap length on hand-built files.
func TestPcapngTimestamps(t *testing.T) {
	g := ng{binary.BigEndian}
	off := g.o.AppendUint64(nil, uint64(1000))
	tests := []struct {
		name     string
		idb      []byte
		ts       uint64
		wantTime time.Time
	}{
		{"default microseconds", g.idb(1, 0), 1_500_000_123_456_789,
			time.Unix(1_500_000_123, 456_789_000)},
		{"nanoseconds", g.idb(1, 0, g.opt(optTSResol, []byte{9})), 1_500_000_123_456_789_012,
			time.Unix(1_500_000_123, 456_789_012)},
		{"milliseconds", g.idb(1, 0, g.opt(optTSResol, []byte{3})), 1_234_567,
			time.Unix(1234, 567_000_000)},
		{"seconds", g.idb(1, 0, g.opt(optTSResol, []byte{0})), 77, time.Unix(77, 0)},
		{"picoseconds truncated", g.idb(1, 0, g.opt(optTSResol, []byte{12})), 5_000_000_123_999,
			time.Unix(5, 123)},
		{"10^-25", g.idb(1, 0, g.opt(optTSResol, []byte{25})), 1e19, time.Unix(0, 1000)},
		{"2^-10", g.idb(1, 0, g.opt(optTSResol, []byte{0x80 | 10})), 3<<10 | 512,
			time.Unix(3, 500_000_000)},
		{"2^-30", g.idb(1, 0, g.opt(optTSResol, []byte{0x80 | 30})), 7<<30 | 1,
			time.Unix(7, 0)}, // 1/2^30 s is 0.93 ns, truncated
		{"2^-40", g.idb(1, 0, g.opt(optTSResol, []byte{0x80 | 40})), 9<<40 | 1<<39,
			time.Unix(9, 500_000_000)},
		{"2^0", g.idb(1, 0, g.opt(optTSResol, []byte{0x80})), 42, time.Unix(42, 0)},
		{"2^-64", g.idb(1, 0, g.opt(optTSResol, []byte{0x80 | 64})), 1 << 63,
			time.Unix(0, 500_000_000)},
		{"2^-127", g.idb(1, 0, g.opt(optTSResol, []byte{0xff})), 1 << 63, time.Unix(0, 0)},
		{"offset", g.idb(1, 0, g.opt(optTSOffset, off), g.opt(optTSResol, []byte{9})),
			2_000_000_001, time.Unix(1002, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, errs := readBytes(t, concat(g.shb(), tt.idb, g.epb(0, tt.ts, nil, 0)))
			if len(recs) != 1 || len(errs) != 0 {
				t.Fatalf("got %d packets and errors %v, want 1 and none", len(recs), errs)
			}
			if got := recs[0].Time; !got.Equal(tt.wantTime) {
				t.Errorf("time: got %s, want %s", epoch(got), epoch(tt.wantTime))
			}
		})
	}
}

// TestSimplePacketSnap checks that a simple packet block is cut to the
// interface's snap length and the block's room, and has no time.
func TestSimplePacketSnap(t *testing.T) {
	g := ng{binary.LittleEndian}
	data := []byte("0123456789")
	recs, errs := readBytes(t, concat(g.shb(), g.idb(228, 4), g.spb(data, 1500),
		g.idb(1, 0), g.spb(data, 7), g.spb(data, 1500)))
	want := []rec{
		{[]byte("0123"), 1500, time.Time{}, decode.LinkIPv4, 0, 48},
		{[]byte("0123"), 7, time.Time{}, decode.LinkIPv4, 0, 96},
		{[]byte("0123"), 1500, time.Time{}, decode.LinkIPv4, 0, 124},
	}
	if len(errs) != 0 {
		t.Errorf("got errors %v, want none", errs)
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("packets (-want +got):\n%s", diff)
	}
}

// TestLargeRecord reads packets larger than the reader's buffer, whole and
// cut short, in both formats.
func TestLargeRecord(t *testing.T) {
	g := ng{binary.LittleEndian}
	big := bytes.Repeat([]byte{0xab}, 3<<20)
	tests := []struct {
		name    string
		data    []byte
		want    int // packets
		wantErr string
	}{
		{"pcapng", concat(g.shb(), g.idb(1, 0), g.epb(0, 5, big, 1<<22), g.epb(0, 6, []byte{1}, 1)),
			2, ""},
		{"pcapng cut", concat(g.shb(), g.idb(1, 0), g.epb(0, 5, big, 1<<22))[:2<<20], 0,
			"pcapng block cut short: got 2097104 of 3145760 bytes"},
		{"pcap big snap", pcapFile(binary.LittleEndian, false, 4<<20, 1,
			pcapRec{1, 2, big, 1 << 22}, pcapRec{3, 4, []byte{1}, 1}), 2, ""},
		{"pcap big snap cut", pcapFile(binary.LittleEndian, false, 4<<20, 1,
			pcapRec{1, 2, big, 1 << 22})[:1<<20], 0, "pcap record cut short: got 1048552 of 3145744 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, errs := readBytes(t, tt.data)
			if len(recs) != tt.want {
				t.Fatalf("got %d packets, want %d", len(recs), tt.want)
			}
			if tt.want > 0 && (!bytes.Equal(recs[0].Data, big) || recs[0].OrigLen != 1<<22 ||
				!bytes.Equal(recs[1].Data, []byte{1})) {
				t.Errorf("got packets of %d and %d bytes, want %d and 1", len(recs[0].Data),
					len(recs[1].Data), len(big))
			}
			var got string
			if len(errs) > 0 {
				got = errs[0].Reason
			}
			if got != tt.wantErr || len(errs) > 1 {
				t.Errorf("errors: got %v, want %q", errs, tt.wantErr)
			}
		})
	}
}

// TestOpen opens a file by path and closes it.
func TestOpen(t *testing.T) {
	r, err := Open(filepath.Join("testdata", "pcap", "zeek_smb_dssetup_be.cap"))
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	if len(recs) != 9 || len(errs) != 0 || r.Format() != "pcap" {
		t.Errorf("got %d packets, errors %v, format %s, want 9, none, pcap", len(recs), errs, r.Format())
	}
	if r.BytesRead() != 1619 {
		t.Errorf("BytesRead: got %d, want 1619", r.BytesRead())
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.pcap")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open missing file: got %v, want os.ErrNotExist", err)
	}
}

// TestObsoletePacketBlock reads packet blocks (type 2), whose interface id
// is 16 bits followed by a drop count, in a big-endian section.
func TestObsoletePacketBlock(t *testing.T) {
	g := ng{binary.BigEndian}
	opb := func(id uint16, ts uint64, data []byte, orig uint32) []byte {
		b := g.o.AppendUint16(nil, id)
		b = g.o.AppendUint16(b, 0xffff) // drops
		b = g.o.AppendUint32(b, uint32(ts>>32))
		b = g.o.AppendUint32(b, uint32(ts))
		b = g.o.AppendUint32(b, uint32(len(data)))
		b = g.o.AppendUint32(b, orig)
		return g.block(blockOPB, append(b, data...))
	}
	recs, errs := readBytes(t, concat(g.shb(), g.idb(1, 0), g.idb(101, 0),
		opb(1, 1_000_000_500_000, []byte{0x45, 0}, 40), opb(0, 0, nil, 0), opb(2, 0, nil, 0)))
	want := []rec{
		{[]byte{0x45, 0}, 40, time.Unix(1_000_000, 500_000_000).UTC(), decode.LinkRaw, 1, 68},
		{[]byte{}, 0, time.Unix(0, 0).UTC(), decode.LinkEthernet, 0, 104},
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("packets (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || errs[0].Reason != "packet block: interface 2 has no description block" {
		t.Errorf("got errors %v, want one about interface 2", errs)
	}
}

// TestOpenStdin reads "-" from a pipe standing in for standard input.
func TestOpenStdin(t *testing.T) {
	data := gzipped(t, readFile(t, "pcap/pcap_test_dns.pcap"))
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	go func() {
		pw.Write(data)
		pw.Close()
	}()
	saved := os.Stdin
	os.Stdin = pr
	defer func() { os.Stdin = saved }()

	r, err := Open("-")
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := readAll(t, r)
	if len(recs) != 10 || len(errs) != 0 || r.Format() != "pcap.gz" {
		t.Errorf("got %d packets, errors %v, format %s, want 10, none, pcap.gz", len(recs), errs,
			r.Format())
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestOpenMapped checks that a regular file is read through a mapping,
// with packets that stay valid after later calls to Next, and that the
// packets are those a buffered read gives.
func TestOpenMapped(t *testing.T) {
	path := filepath.Join("testdata", "pcap", "pcap_test_loopback.pcap")
	mapped, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mapped.Close()
	if !mapped.Stable() {
		t.Skip("this system does not map files")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	buffered, err := NewReader(bytes.NewReader(data), path)
	if err != nil {
		t.Fatal(err)
	}
	if buffered.Stable() {
		t.Error("a buffered reader says its packets are stable")
	}
	var kept [][]byte
	for {
		var p, q Packet
		err := mapped.Next(&p)
		err2 := buffered.Next(&q)
		if err != err2 {
			t.Fatalf("mapped read gave %v, buffered %v", err, err2)
		}
		if err == io.EOF {
			break
		}
		if !bytes.Equal(p.Data, q.Data) || p.Time != q.Time || p.Offset != q.Offset {
			t.Fatalf("packet at %d differs between mapped and buffered reads", p.Offset)
		}
		kept = append(kept, p.Data)
	}
	if mapped.BytesRead() != int64(len(data)) {
		t.Errorf("BytesRead %d at the end, want %d", mapped.BytesRead(), len(data))
	}
	// Packets kept from a stable reader are still intact at the end.
	again, _ := NewReader(bytes.NewReader(data), path)
	for i, k := range kept {
		var q Packet
		again.Next(&q)
		if !bytes.Equal(k, q.Data) {
			t.Fatalf("kept packet %d changed", i)
		}
	}
}
