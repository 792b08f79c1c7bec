package nbns

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// Short names for the builders the tables below use again and again.
var (
	ep = dissecttest.Endpoint
	f  = dissecttest.Fact
)

func ctxOf(mac, ip string) *dissect.Context {
	return &dissect.Context{Src: ep(mac, ip), SrcPort: 137, DstPort: 137}
}

// encodeName applies the first-level encoding to a name and suffix.
func encodeName(name string, suffix byte) []byte {
	raw := []byte(name + strings.Repeat(" ", 15-len(name)))
	raw = append(raw, suffix)
	out := []byte{32}
	for _, c := range raw {
		out = append(out, 'A'+c>>4, 'A'+c&0xf)
	}
	return append(out, 0)
}

// nodeStatusResponse builds an NBSTAT response with a three-name table.
func nodeStatusResponse(unit []byte) []byte {
	b := []byte{0x12, 0x34, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0}
	b = append(b, encodeName("*", 0)...)
	var data []byte
	data = append(data, 3)
	for _, n := range []struct {
		name   string
		suffix byte
		flags  uint16
	}{{"PUMP-07", 0x00, 0x0400}, {"HOSPITAL", 0x00, 0x8400}, {"PUMP-07", 0x20, 0x0400}} {
		data = append(data, n.name+strings.Repeat(" ", 15-len(n.name))...)
		data = append(data, n.suffix)
		data = binary.BigEndian.AppendUint16(data, n.flags)
	}
	data = append(data, unit...)
	data = append(data, make([]byte, 40)...) // statistics
	b = append(b, 0, typeNBSTAT, 0, 1, 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

// registration builds a name registration request binding name to addr.
func registration(name string, suffix byte, flags uint16, addr [4]byte) []byte {
	b := []byte{0x00, 0x01, 0x29, 0x10, 0, 1, 0, 0, 0, 0, 0, 1}
	b = append(b, encodeName(name, suffix)...)
	b = append(b, 0, typeNB, 0, 1, 0xc0, 0x0c, 0, typeNB, 0, 1, 0, 0, 0, 0, 0, 6)
	b = binary.BigEndian.AppendUint16(b, flags)
	return append(b, addr[:]...)
}

func TestDissectReal(t *testing.T) {
	hi, med, low := dissect.High, dissect.Medium, dissect.Low
	desk2 := ctxOf("00:0c:29:03:df:ad", "192.168.199.132")
	desk1 := ctxOf("00:0c:29:61:f5:5f", "192.168.199.133")
	vm := ctxOf("12:a9:86:6c:77:de", "192.168.100.206")
	scv := ctxOf("00:50:56:c0:00:01", "192.168.199.1")
	eci := ctxOf("00:e0:ed:01:6e:bd", "192.168.1.2")
	erspan := ctxOf("00:50:56:82:08:d1", "192.168.69.2")
	tests := []struct {
		name string
		file string
		ctx  *dissect.Context
		want []dissect.Fact
	}{
		{"register host <00>", "reg_host00", desk2, []dissect.Fact{
			f(desk2.Src, "nbns", dissect.KeyHostname, "DESKTOP-2AEFM7G", hi),
		}},
		{"register server <20>", "reg_host20", desk2, []dissect.Fact{
			f(desk2.Src, "nbns", dissect.KeyHostname, "DESKTOP-2AEFM7G", hi),
			f(desk2.Src, "nbns", dissect.KeyService, "smb", hi),
		}},
		{"register group <00>", "reg_wg00", desk2, []dissect.Fact{
			f(desk2.Src, "nbns", KeyWorkgroup, "WORKGROUP", hi),
		}},
		{"register group <1e>", "reg_wg1e", desk1, []dissect.Fact{
			f(desk1.Src, "nbns", KeyWorkgroup, "WORKGROUP", hi),
		}},
		{"register master browser <1d>", "reg_wg1d", vm, []dissect.Fact{
			f(vm.Src, "nbns", KeyWorkgroup, "WORKGROUP", hi),
			f(vm.Src, "nbns", dissect.KeyCapability, "master-browser", hi),
		}},
		{"register __MSBROWSE__", "reg_msbrowse", vm, []dissect.Fact{
			f(vm.Src, "nbns", dissect.KeyCapability, "master-browser", hi),
		}},
		{"multihomed query response", "resp_scv", scv, []dissect.Fact{
			f(scv.Src, "nbns", dissect.KeyHostname, "SCV", hi),
			f(scv.Src, "nbns", dissect.KeyService, "smb", hi),
			f(ep("", "192.168.10.1"), "nbns", dissect.KeyHostname, "SCV", med),
			f(ep("", "192.168.10.1"), "nbns", dissect.KeyService, "smb", med),
		}},
		{"query <20>", "query_scv20", desk1, []dissect.Fact{
			f(desk1.Src, "nbns", KeyQuery, "SCV<20>", low),
		}},
		{"query <1c>", "query_domain1c", eci, []dissect.Fact{
			f(eci.Src, "nbns", KeyQuery, "ECI_DOMAIN<1c>", low),
		}},
		{"query over erspan", "query_wpad_erspan", erspan, []dissect.Fact{
			f(erspan.Src, "nbns", KeyQuery, "WPAD<00>", low),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(tt.ctx, dissecttest.Hex(t, "testdata/"+tt.file+".hex"), nil)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDissectBuilt(t *testing.T) {
	ctx := ctxOf("00:1b:2c:3d:4e:5f", "10.1.2.3")
	hi := dissect.High
	src := func(key, value string) dissect.Fact { return f(ctx.Src, "nbns", key, value, hi) }
	unit := []byte{0x00, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f}
	here, there := [4]byte{10, 1, 2, 3}, [4]byte{10, 9, 9, 9}
	tests := []struct {
		name string
		msg  []byte
		want []dissect.Fact
	}{
		{"node status", nodeStatusResponse(unit), []dissect.Fact{
			src(dissect.KeyHostname, "PUMP-07"),
			src(KeyWorkgroup, "HOSPITAL"),
			src(dissect.KeyHostname, "PUMP-07"),
			src(dissect.KeyService, "smb"),
			src(KeyNBStatMAC, "00:1b:2c:3d:4e:5f"),
		}},
		{"node status from samba, zero unit id", nodeStatusResponse(make([]byte, 6)), []dissect.Fact{
			src(dissect.KeyHostname, "PUMP-07"),
			src(KeyWorkgroup, "HOSPITAL"),
			src(dissect.KeyHostname, "PUMP-07"),
			src(dissect.KeyService, "smb"),
		}},
		{"domain controller group", registration("TRUST", 0x1c, 0x8000, here), []dissect.Fact{
			src(KeyDomain, "TRUST"),
			src(dissect.KeyCapability, "domain-controller"),
		}},
		{"domain master browser", registration("TRUST", 0x1b, 0, here), []dissect.Fact{
			src(KeyDomain, "TRUST"),
			src(dissect.KeyCapability, "domain-master-browser"),
		}},
		{"registration for another address", registration("PACS", 0, 0, there), []dissect.Fact{
			f(ep("", "10.9.9.9"), "nbns", dissect.KeyHostname, "PACS", dissect.Medium),
		}},
		{"messenger name ignored", registration("NURSE", 0x03, 0, here), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(ctx, tt.msg, nil)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDissectMalformed(t *testing.T) {
	ctx := ctxOf("", "10.1.2.3")
	good := nodeStatusResponse(make([]byte, 6))
	badLabel := registration("PUMP", 0, 0, [4]byte{10, 1, 2, 3})
	badLabel[13] = 'Z' // not half-ASCII
	oddNB := registration("PUMP", 0, 0, [4]byte{10, 1, 2, 3})
	oddNB[len(oddNB)-7]++ // RDLENGTH 7
	tests := []struct {
		name   string
		msg    []byte
		reason string
	}{
		{"valgrind reproducer",
			dissecttest.Hex(t, "testdata/malformed_valgrind.hex"), "ends early"},
		{"node status cut in the table", append([]byte(nil), good[:len(good)-40-6-10]...), "needs"},
		{"node status cut before the unit id",
			append([]byte(nil), good[:len(good)-40-3]...), "unit id"},
		{"name not half-ascii", badLabel, "half-ASCII"},
		{"short header", []byte{0, 1, 0x29}, "header"},
	}
	// Shorten the record data length along with the cuts so that the
	// reader sees a whole record that is too short.
	const dataStart = 12 + 34 + 10 // header, encoded name, record fixed part
	for _, i := range []int{1, 2} {
		b := tests[i].msg
		binary.BigEndian.PutUint16(b[dataStart-2:], uint16(len(b)-dataStart))
	}
	oddNB = append(oddNB, 0)
	tests = append(tests, struct {
		name   string
		msg    []byte
		reason string
	}{"nb data not whole entries", oddNB, "whole number"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(ctx, tt.msg, nil)
			var de *dissect.Error
			if !errors.As(err, &de) || de.Proto != "nbns" {
				t.Errorf("got error %v, want an nbns *dissect.Error", err)
			} else if tt.reason != "" && !strings.Contains(de.Reason, tt.reason) {
				t.Errorf("got reason %q, want it to contain %q", de.Reason, tt.reason)
			}
			dissecttest.CheckFacts(t, got)
		})
	}
}

func TestTruncated(t *testing.T) {
	for _, file := range realFiles {
		p := dissecttest.Hex(t, "testdata/"+file+".hex")
		for _, fn := range []dissect.DatagramFunc{Dissect, DissectDatagram} {
			dissecttest.Truncations(t, fn, ctxOf("", "10.1.2.3"), p)
		}
	}
}

// realFiles lists every payload under testdata.
var realFiles = []string{
	"reg_host00", "reg_host20", "reg_wg00", "reg_wg1e", "reg_wg1d", "reg_msbrowse",
	"resp_scv", "query_scv20", "query_domain1c", "query_wpad_erspan", "malformed_valgrind",
	"dgm_host_announce", "dgm_local_master", "dgm_domain_announce", "dgm_host_xp",
	"dgm_request", "dgm_malformed_oobr",
}

func FuzzDissect(f *testing.F) {
	for _, file := range realFiles {
		f.Add(dissecttest.Hex(f, "testdata/"+file+".hex"))
	}
	f.Add(nodeStatusResponse([]byte{0, 1, 2, 3, 4, 5}))
	f.Fuzz(func(t *testing.T, p []byte) {
		out, _ := Dissect(ctxOf("", "10.1.2.3"), p, nil)
		dissecttest.CheckFacts(t, out)
	})
}

func BenchmarkDissect(b *testing.B) {
	p := dissecttest.Hex(b, "testdata/resp_scv.hex")
	ctx := ctxOf("00:50:56:c0:00:01", "192.168.199.1")
	out := make([]dissect.Fact, 0, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		out, _ = Dissect(ctx, p, out[:0])
	}
}

// announce builds a browser host announcement datagram.
func announce(op byte, name string, major, minor byte, types uint32, comment string) []byte {
	var ann []byte
	ann = append(ann, op, 0, 0x60, 0xea, 0, 0)
	ann = append(ann, (name + strings.Repeat("\x00", 16-len(name)))...)
	ann = append(ann, major, minor)
	ann = binary.LittleEndian.AppendUint32(ann, types)
	ann = append(ann, 15, 1, 0x55, 0xaa)
	ann = append(ann, comment...)
	ann = append(ann, 0)

	slot := []byte("\\MAILSLOT\\BROWSE\x00")
	smb := append([]byte("\xffSMB"), smbTrans)
	smb = append(smb, make([]byte, smbHeaderLen-5)...)
	words := make([]byte, 2*17)
	dataOff := smbHeaderLen + 1 + len(words) + 2 + len(slot)
	binary.LittleEndian.PutUint16(words[2*11:], uint16(len(ann)))
	binary.LittleEndian.PutUint16(words[2*12:], uint16(dataOff))
	smb = append(smb, 17)
	smb = append(smb, words...)
	smb = binary.LittleEndian.AppendUint16(smb, uint16(len(slot)+len(ann)))
	smb = append(smb, slot...)
	smb = append(smb, ann...)

	dgm := []byte{0x11, 0x02, 0, 1, 10, 1, 2, 3, 0, 138, 0, 0, 0, 0}
	dgm = append(dgm, encodeName(name, 0)...)
	dgm = append(dgm, encodeName("HOSPITAL", 0x1d)...)
	return append(dgm, smb...)
}

func TestDissectDatagram(t *testing.T) {
	loadHex := func(name string) []byte { return dissecttest.Hex(t, "testdata/"+name+".hex") }
	hi, med := dissect.High, dissect.Medium
	desk1 := ctxOf("00:0c:29:61:f5:5f", "192.168.199.133")
	scv := ctxOf("00:50:56:c0:00:01", "192.168.199.1")
	djp := ctxOf("00:04:23:57:a5:7a", "192.168.1.249")
	xp := ctxOf("00:04:23:57:a5:7a", "169.254.67.194")
	pacs := ctxOf("00:1b:2c:3d:4e:5f", "10.1.2.3")
	b := func(c *dissect.Context, key, value string, conf dissect.Confidence) dissect.Fact {
		return f(c.Src, "browser", key, value, conf)
	}
	tests := []struct {
		name    string
		ctx     *dissect.Context
		msg     []byte
		want    []dissect.Fact
		wantErr bool
	}{
		{"windows 10 host", desk1, loadHex("dgm_host_announce"), []dissect.Fact{
			b(desk1, dissect.KeyHostname, "DESKTOP-V1FA0UQ", hi),
			b(desk1, KeyOSVersion, "10.0", hi),
			b(desk1, KeyServerType, "0x00001003", med),
			b(desk1, dissect.KeyCapability, "file-server", hi),
		}, false},
		{"local master", scv, loadHex("dgm_local_master"), []dissect.Fact{
			b(scv, dissect.KeyHostname, "SCV", hi),
			b(scv, KeyOSVersion, "6.3", hi),
			b(scv, KeyServerType, "0x00051003", med),
			b(scv, dissect.KeyCapability, "file-server", hi),
			b(scv, dissect.KeyCapability, "master-browser", hi),
		}, false},
		{"domain announcement", djp, loadHex("dgm_domain_announce"), []dissect.Fact{
			b(djp, KeyWorkgroup, "ARBEITSGRUPPE", hi),
			b(djp, dissect.KeyHostname, "DJP95S0J", med),
			b(djp, dissect.KeyCapability, "master-browser", hi),
		}, false},
		{"windows xp host", xp, loadHex("dgm_host_xp"), []dissect.Fact{
			b(xp, dissect.KeyHostname, "DJP95S0J", hi),
			b(xp, KeyOSVersion, "5.1", hi),
			b(xp, KeyServerType, "0x00011003", med),
			b(xp, dissect.KeyCapability, "file-server", hi),
		}, false},
		{"announcement request", djp, loadHex("dgm_request"), []dissect.Fact{
			b(djp, dissect.KeyHostname, "DJP95S0J", med),
		}, false},
		{"corrupt destination name", djp, loadHex("dgm_malformed_oobr"), []dissect.Fact{
			b(djp, dissect.KeyHostname, "DJP95S0J", med),
		}, true},
		{"samba domain controller", pacs, announce(1, "PACS", 4, 9, 0x0000981b, "Samba 4.9.5-Debian"),
			[]dissect.Fact{
				b(pacs, dissect.KeyHostname, "PACS", hi),
				b(pacs, KeyOSVersion, "4.9", hi),
				b(pacs, KeyServerType, "0x0000981b", med),
				b(pacs, dissect.KeyCapability, "file-server", hi),
				b(pacs, dissect.KeyCapability, "domain-controller", hi),
				b(pacs, dissect.KeyCapability, "backup-domain-controller", hi),
				b(pacs, dissect.KeyDescription, "Samba 4.9.5-Debian", hi),
			}, false},
		{"short header", pacs, []byte{0x11, 0x02}, nil, true},
		{"query datagram", pacs, make([]byte, 20), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DissectDatagram(tt.ctx, tt.msg, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDissectDatagramTruncatedAnnouncement(t *testing.T) {
	full := announce(1, "PACS", 6, 1, 0x1003, "")
	for n := len(full) - 40; n < len(full)-1; n++ {
		got, err := DissectDatagram(ctxOf("", "10.1.2.3"), full[:n], nil)
		if err == nil {
			t.Errorf("cut to %d: got no error (facts %v), want one", n, got)
		}
		dissecttest.CheckFacts(t, got)
	}
}

func FuzzDissectDatagram(f *testing.F) {
	for _, file := range realFiles {
		f.Add(dissecttest.Hex(f, "testdata/"+file+".hex"))
	}
	f.Add(announce(1, "PACS", 4, 9, 0x0000981b, "Samba 4.9.5-Debian"))
	f.Fuzz(func(t *testing.T, p []byte) {
		out, _ := DissectDatagram(ctxOf("", "10.1.2.3"), p, nil)
		dissecttest.CheckFacts(t, out)
	})
}

func BenchmarkDissectDatagram(b *testing.B) {
	p := dissecttest.Hex(b, "testdata/dgm_local_master.hex")
	ctx := ctxOf("00:50:56:c0:00:01", "192.168.199.1")
	out := make([]dissect.Fact, 0, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		out, _ = DissectDatagram(ctx, p, out[:0])
	}
}
