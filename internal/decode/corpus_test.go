package decode

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir holds the project's shared real captures, when present.
const corpusDir = "/work/shared/corpus/pcaps"

// walkCapture calls fn for each frame of a pcap or pcapng capture (either
// optionally gzipped): a minimal test-only reader, not the capture package.
// It stops at the first damaged record.
func walkCapture(path string, fn func(n int, lt LinkType, frame []byte)) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return err
		}
		if data, err = io.ReadAll(zr); err != nil {
			return err
		}
	}
	if len(data) < 24 {
		return fmt.Errorf("%s: too short", path)
	}
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		walkPcap(data, binary.LittleEndian, fn)
	case 0xd4c3b2a1, 0x4d3cb2a1:
		walkPcap(data, binary.BigEndian, fn)
	case 0x0a0d0d0a:
		walkPcapng(data, fn)
	default:
		return fmt.Errorf("%s: not a capture", path)
	}
	return nil
}

func walkPcap(d []byte, bo binary.ByteOrder, fn func(int, LinkType, []byte)) {
	lt := LinkType(bo.Uint32(d[20:24]) & 0xffff)
	for n, off := 1, 24; off+16 <= len(d); n++ {
		incl := int(bo.Uint32(d[off+8:]))
		if incl < 0 || off+16+incl > len(d) {
			return
		}
		fn(n, lt, d[off+16:off+16+incl])
		off += 16 + incl
	}
}

func walkPcapng(d []byte, fn func(int, LinkType, []byte)) {
	var bo binary.ByteOrder = binary.LittleEndian
	var links []LinkType
	for n, off := 1, 0; off+12 <= len(d); {
		typ := binary.LittleEndian.Uint32(d[off:])
		if typ == 0x0a0d0d0a { // section header: byte order from its magic
			bo, links = binary.LittleEndian, links[:0]
			if binary.BigEndian.Uint32(d[off+8:]) == 0x1a2b3c4d {
				bo = binary.BigEndian
			}
		}
		typ = bo.Uint32(d[off:])
		blen := int(bo.Uint32(d[off+4:]))
		if blen < 12 || off+blen > len(d) {
			return
		}
		b := d[off : off+blen]
		switch {
		case typ == 1 && blen >= 16: // interface description
			links = append(links, LinkType(bo.Uint16(b[8:])))
		case typ == 6 && blen >= 32: // enhanced packet
			id, incl := int(bo.Uint32(b[8:])), int(bo.Uint32(b[20:]))
			if id < len(links) && incl >= 0 && 28+incl <= blen {
				fn(n, links[id], b[28:28+incl])
			}
			n++
		case typ == 3 && blen >= 16 && len(links) > 0: // simple packet
			incl := min(int(bo.Uint32(b[8:])), blen-16)
			fn(n, links[0], b[12:12+incl])
			n++
		}
		off += blen
	}
}

// TestDecodeCorpus decodes every frame of every capture in the shared
// corpus, when it is present: no panic, only sentinel errors, no
// allocation. It logs how far frames got, and lists malformed ones.
func TestDecodeCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the whole corpus")
	}
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("no corpus at " + corpusDir)
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "_phs" { // protocol hierarchies, not captures
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() && strings.Contains(d.Name(), ".pcap") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var p Packet
	layers := map[Layer]int{}
	errs := map[error]int{}
	malformed := 0
	for _, f := range files {
		err := walkCapture(f, func(n int, lt LinkType, frame []byte) {
			err := p.Decode(lt, frame)
			switch err {
			case nil, ErrTruncated, ErrLinkType:
			case ErrMalformed:
				if malformed++; malformed <= 20 {
					t.Logf("malformed: %s frame %d", strings.TrimPrefix(f, corpusDir+"/"), n)
				}
			default:
				t.Fatalf("%s frame %d: got error %v, want a sentinel", f, n, err)
			}
			layers[p.Layer]++
			errs[err]++
		})
		if err != nil {
			t.Logf("skipped: %v", err)
		}
	}
	t.Logf("%d files; layers reached %v; errors %v", len(files), layers, errs)
}

// TestDumpFields prints, for the capture named by $DECODE_DUMP, one line a
// frame with the fields tshark calls frame.number, eth.src, eth.dst,
// sll.src.eth, vlan.id, ip(v6).src, ip(v6).dst, ip.ttl/ipv6.hlim,
// tcp/udp ports, tcp.seq_raw, tcp.ack_raw, tcp.flags, icmp(v6).type, so
// that a script can compare them with tshark's -T fields output.
func TestDumpFields(t *testing.T) {
	path := os.Getenv("DECODE_DUMP")
	if path == "" {
		t.Skip("set DECODE_DUMP to a capture to print its decoded fields")
	}
	var p Packet
	err := walkCapture(path, func(n int, lt LinkType, frame []byte) {
		err := p.Decode(lt, frame)
		f := make([]string, 14)
		f[0] = fmt.Sprint(n)
		if p.HasDstMAC {
			f[1], f[2] = macString(p.SrcMAC), macString(p.DstMAC)
		} else if p.HasMAC {
			f[3] = macString(p.SrcMAC)
		}
		var ids []string
		for _, id := range p.VLANs[:p.NumVLAN] {
			ids = append(ids, fmt.Sprint(id))
		}
		f[4] = strings.Join(ids, ",")
		if p.Layer >= LayerNetwork && p.IPVersion != 0 {
			f[5], f[6], f[7] = p.SrcIP.String(), p.DstIP.String(), fmt.Sprint(p.TTL)
		}
		if p.Layer == LayerTransport {
			switch p.Proto {
			case ProtoTCP, ProtoUDP:
				f[8], f[9] = fmt.Sprint(p.SrcPort), fmt.Sprint(p.DstPort)
			default:
				f[13] = fmt.Sprint(p.ICMP.Type)
			}
			if p.Proto == ProtoTCP {
				f[10], f[11], f[12] = fmt.Sprint(p.TCP.Seq), fmt.Sprint(p.TCP.Ack), fmt.Sprintf("0x%04x", p.TCP.Flags)
			}
		}
		fmt.Printf("%s\t%v\n", strings.Join(f, "\t"), err)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func macString(m [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}
