package snmp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// udp builds a Context from "ip:port" strings.
func udp(tb testing.TB, src, dst string) *dissect.Context {
	tb.Helper()
	s, d := netip.MustParseAddrPort(src), netip.MustParseAddrPort(dst)
	return &dissect.Context{
		Src: dissect.Endpoint{IP: s.Addr()}, Dst: dissect.Endpoint{IP: d.Addr()},
		SrcPort: s.Port(), DstPort: d.Port(),
	}
}

// want lists expected facts: key, value and confidence (H or M), all about who.
type want struct {
	key, value string
	conf       dissect.Confidence
}

const (
	H = dissect.High
	M = dissect.Medium
)

// factsAbout turns wants into facts about who.
func factsAbout(who dissect.Endpoint, ws []want) []dissect.Fact {
	var out []dissect.Fact
	for _, w := range ws {
		out = append(out, dissect.Fact{Who: who, Source: Source, Key: w.key, Value: w.value, Confidence: w.conf})
	}
	return out
}

// v1 and v2c facts common to every message about an agent.
func v1Default() []want {
	return []want{
		{"snmp_version", "v1", H}, {"insecure_protocol", "snmpv1", H}, {"snmp_community", "default", H},
	}
}

func v2Default(answered bool) []want {
	w := []want{
		{"snmp_version", "v2c", H}, {"insecure_protocol", "snmpv2c", H}, {"snmp_community", "default", H},
	}
	if answered {
		w = append(w, want{"default_credentials", "snmp-community", H})
	}
	return w
}

func TestDissectRealCaptures(t *testing.T) {
	const (
		walkAgent, walkMgr = "138.68.10.203:161", "138.68.14.240:37327"
		v1Mgr, v1Agent     = "172.31.19.54:15916", "172.31.19.73:161"
		v3Mgr, v3Agent     = "127.0.0.1:54211", "127.0.0.1:161"
		encMgr, encAgent   = "192.168.29.58:60376", "192.168.29.160:161"
		engine             = "80001f8880a9498e5e3a2c3043"
	)
	v1Answer := func(more ...want) []want {
		return append(append(v1Default(), want{"default_credentials", "snmp-community", H}), more...)
	}
	tests := []struct {
		name, file, src, dst string
		agentIsSrc           bool
		want                 []want
	}{
		{"v2c sysDescr", "zeek_snmpwalk_2.hex", walkAgent, walkMgr, true, append(v2Default(true),
			want{"description", "Linux ubuntu-512mb-sfo2-01 4.4.0-31-generic #50~14.04.1-Ubuntu SMP " +
				"Wed Jul 13 01:07:32 UTC 2016 x86_64", H})},
		{"v2c sysObjectID", "zeek_snmpwalk_4.hex", walkAgent, walkMgr, true, append(v2Default(true),
			want{"sys_object_id", "1.3.6.1.4.1.8072.3.2.10", H}, want{"enterprise", "8072", H})},
		{"v2c sysContact is not emitted", "zeek_snmpwalk_8.hex", walkAgent, walkMgr, true, v2Default(true)},
		{"v2c sysName", "zeek_snmpwalk_10.hex", walkAgent, walkMgr, true, append(v2Default(true),
			want{"hostname", "ubuntu-512mb-sfo2-01", H})},
		{"v2c sysLocation", "zeek_snmpwalk_12.hex", walkAgent, walkMgr, true, append(v2Default(true),
			want{"sys_location", "Sitting on the Dock of the Bay", H})},
		{"v1 get request", "zeek_snmpv1_get_1.hex", v1Mgr, v1Agent, false, v1Default()},
		{"v1 response sysObjectID", "zeek_snmpv1_get_2.hex", v1Agent, v1Mgr, true, v1Answer(
			want{"sys_object_id", "1.3.6.1.4.1.2001.1.1.1.297.93.1.27.2.2.1", H},
			want{"enterprise", "2001", H})},
		{"v1 response sysName sysLocation", "zeek_snmpv1_get_4.hex", v1Agent, v1Mgr, true, v1Answer(
			want{"hostname", "B6300", H}, want{"sys_location", "Chandra's cube", H})},
		{"v1 trap from loopback", "zeek_snmpv1_trap_1.hex", "127.0.0.1:57150", "127.0.0.1:162", true,
			append(v1Default(), want{"trap_enterprise", "1.3.6.1.4.1.31337.0", M}, want{"enterprise", "31337", M})},
		{"v1 set with empty community: value ignored", "zeek_snmpv1_set_1.hex",
			"127.0.0.1:63034", "127.0.0.1:161", false, v1Default()},
		{"v2c non-default request", "zeek_snmpv2_get_next_1.hex", "10.144.246.184:33938",
			"10.144.246.161:161", false, []want{{"snmp_version", "v2c", H},
				{"insecure_protocol", "snmpv2c", H}, {"snmp_community", "non-default", H}}},
		{"v2c non-default response", "zeek_snmpv2_get_next_2.hex", "10.144.246.161:161",
			"10.144.246.184:33938", true, []want{{"snmp_version", "v2c", H},
				{"insecure_protocol", "snmpv2c", H}, {"snmp_community", "non-default", H}}},
		{"v2c bulk response, empty community", "zeek_snmpv2_get_bulk_2.hex",
			"127.0.0.1:161", "127.0.0.1:28456", true, v2Default(true)},
		{"v3 discovery", "zeek_snmpv3_get_next_1.hex", v3Mgr, v3Agent, false,
			[]want{{"snmp_version", "v3", H}}},
		{"v3 report", "zeek_snmpv3_get_next_2.hex", v3Agent, v3Mgr, true,
			[]want{{"snmp_version", "v3", H}, {"snmp_engine_id", engine, H}, {"enterprise", "8072", M}}},
		{"v3 request", "zeek_snmpv3_get_next_3.hex", v3Mgr, v3Agent, false, []want{{"snmp_version", "v3", H},
			{"snmp_security", "noAuthNoPriv", H}, {"snmp_engine_id", engine, H}, {"enterprise", "8072", M}}},
		{"v3 response", "zeek_snmpv3_get_next_4.hex", v3Agent, v3Mgr, true, []want{{"snmp_version", "v3", H},
			{"snmp_security", "noAuthNoPriv", H}, {"snmp_engine_id", engine, H}, {"enterprise", "8072", M}}},
		{"v3 encrypted request", "suricata_snmpv3_encrypted_3.hex", encMgr, encAgent, false,
			[]want{{"snmp_version", "v3", H}, {"snmp_security", "authPriv", H},
				{"snmp_engine_id", "000039e7000000a1c0a81da0", H}, {"enterprise", "14823", M}}},
		{"v3 encrypted response", "suricata_snmpv3_encrypted_4.hex", encAgent, encMgr, true,
			[]want{{"snmp_version", "v3", H}, {"snmp_security", "authPriv", H},
				{"snmp_engine_id", "000039e7000000a1c0a81da0", H}, {"enterprise", "14823", M}}},
		{"v3 odd engine id", "malformed_zeek_snmp_crash_62790_1.hex", "1.52.63.93:161", "1.51.143.182:62790", true,
			[]want{{"snmp_version", "v3", H}, {"snmp_security", "authPriv", H},
				{"snmp_engine_id", "6263313138393730396236313936626637653135616363336638", H}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := udp(t, tt.src, tt.dst)
			got, err := Dissect(ctx, dissecttest.Hex(t, "testdata/"+tt.file), nil)
			if err != nil {
				t.Fatalf("Dissect: got error %v, want nil", err)
			}
			agent := ctx.Dst
			if tt.agentIsSrc {
				agent = ctx.Src
			}
			want := factsAbout(agent, tt.want)
			if diff := cmp.Diff(want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// ber builds one BER element with a definite length.
func ber(tag byte, content ...[]byte) []byte {
	var body []byte
	for _, c := range content {
		body = append(body, c...)
	}
	n := len(body)
	b := []byte{tag}
	switch {
	case n < 0x80:
		b = append(b, byte(n))
	case n < 0x100:
		b = append(b, 0x81, byte(n))
	default:
		b = append(b, 0x82, byte(n>>8), byte(n))
	}
	return append(b, body...)
}

func integer(v byte) []byte     { return ber(tagInteger, []byte{v}) }
func octets(s string) []byte    { return ber(tagOctetString, []byte(s)) }
func oid(content string) []byte { return ber(tagOID, []byte(content)) }

// varbind builds one VarBind.
func varbind(name string, value []byte) []byte { return ber(tagSequence, oid(name), value) }

// message builds a v1 (0) or v2c (1) message around a PDU.
func message(version byte, community string, pdu []byte) []byte {
	return ber(tagSequence, integer(version), octets(community), pdu)
}

// request builds a non-trap PDU with the given varbinds.
func request(tag byte, vbs ...[]byte) []byte {
	return ber(tag, integer(1), integer(0), integer(0), ber(tagSequence, vbs...))
}

func TestDissectHandBuilt(t *testing.T) {
	agentIP := "10.20.0.5"
	trapV1 := ber(tagTrap, oid("\x2b\x06\x01\x04\x01\x81\x8b\x59\x01"), ber(tagIPAddress, []byte{10, 20, 0, 5}),
		integer(6), integer(1), ber(tagTimeTicks, []byte{1}),
		ber(tagSequence, varbind(oidSysName, octets("pump-17"))))
	tests := []struct {
		name       string
		payload    []byte
		src, dst   string
		agentIsSrc bool
		want       []want
	}{
		{"v2 trap with sysName and sysContact", message(1, "s3cr3t-Trust", request(tagTrapV2,
			varbind(oidSysName, octets("infusion-gw\x00")),
			varbind("\x2b\x06\x01\x02\x01\x01\x04\x00", octets("Dr Jane Doe <jane@nhs.example>")),
		)), agentIP + ":40000", "10.0.0.1:162", true, []want{{"snmp_version", "v2c", H},
			{"insecure_protocol", "snmpv2c", H}, {"snmp_community", "non-default", H},
			{"hostname", "infusion-gw", H}}},
		{"v1 enterprise trap with agent address", message(0, "public", trapV1),
			agentIP + ":1025", "10.0.0.1:162", true, append(v1Default(),
				want{"trap_enterprise", "1.3.6.1.4.1.17881.1", M}, want{"enterprise", "17881", M},
				want{"management_address", agentIP, M}, want{"hostname", "pump-17", H})},
		{"case matters: Public is listed, publiC is not", message(1, "publiC", request(tagGet)),
			"10.0.0.1:5000", agentIP + ":161", false, []want{{"snmp_version", "v2c", H},
				{"insecure_protocol", "snmpv2c", H}, {"snmp_community", "non-default", H}}},
		{"inform acknowledged by manager", message(1, "public", request(tagResponse,
			varbind(oidSysName, octets("manager")))), "10.0.0.1:162", agentIP + ":1026", false, v2Default(false)},
		{"request values are ignored", message(1, "private", request(tagSet,
			varbind(oidSysName, octets("renamed")))), "10.0.0.1:5000", agentIP + ":161", false, v2Default(false)},
		{"noSuchObject and wrong types ignored", message(1, "public", request(tagResponse,
			varbind(oidSysDescr, ber(0x80)), varbind(oidSysObjectID, octets("x")),
			varbind(oidSysName, ber(tagNull)))), agentIP + ":161", "10.0.0.1:5000", true, v2Default(true)},
		{"long form lengths", message(1, "public", request(tagResponse,
			varbind(oidSysDescr, octets(strings.Repeat("A", 300))))), agentIP + ":161", "10.0.0.1:5000", true,
			append(v2Default(true), want{"description", strings.Repeat("A", 300), H})},
		{"odd ports: pdu decides", message(1, "public", request(tagGetNext)),
			"10.0.0.1:5000", agentIP + ":1161", false, v2Default(false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := udp(t, tt.src, tt.dst)
			got, err := Dissect(ctx, tt.payload, nil)
			if err != nil {
				t.Fatalf("Dissect: got error %v, want nil", err)
			}
			agent := ctx.Dst
			if tt.agentIsSrc {
				agent = ctx.Src
			}
			want := factsAbout(agent, tt.want)
			if diff := cmp.Diff(want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDissectMalformed(t *testing.T) {
	readHex := func(name string) []byte { return dissecttest.Hex(t, "testdata/"+name) }
	get := func(vbs ...[]byte) []byte { return message(1, "public", request(tagGet, vbs...)) }
	v3 := func(flags string) []byte {
		return ber(tagSequence, integer(3), ber(tagSequence, integer(1), integer(2), octets(flags), integer(3)),
			octets(""), octets("\x01\x02"))
	}
	tests := []struct {
		name    string
		payload []byte
		offset  int
		facts   int
	}{
		{"real: heap overflow 1", readHex("malformed_snmp_heapoverflow_1_5.hex"), 0, 0},
		{"real: heap overflow 2", readHex("malformed_snmp_heapoverflow_2_1.hex"), 0, 0},
		{"real: oid sub-identifier not minimal", readHex("zeek_oid_subid_too_long_1.hex"), 31, 3},
		{"empty", nil, 0, 0},
		{"not a sequence", ber(tagInteger, []byte{1}), 0, 0},
		{"indefinite length", []byte{0x30, 0x80, 0, 0}, 1, 0},
		{"five length octets", []byte{0x30, 0x85, 0, 0, 0, 0, 1, 0}, 1, 0},
		{"length octets cut", []byte{0x30, 0x82, 0}, 1, 0},
		{"multi-byte tag", []byte{0x30, 0x03, 0x1f, 0x01, 0x00}, 2, 0},
		{"version missing", ber(tagSequence), 2, 0},
		{"version 2", ber(tagSequence, integer(2)), 2, 0},
		{"integer too long", ber(tagSequence, ber(tagInteger, make([]byte, 9))), 2, 0},
		{"community missing", ber(tagSequence, integer(0)), 5, 0},
		{"pdu missing", ber(tagSequence, integer(0), octets("public")), 13, 3},
		{"unknown pdu", message(0, "public", ber(0xaf)), 13, 3},
		{"empty oid", get(ber(tagSequence, ber(tagOID), ber(tagNull))), 30, 3},
		{"oid cut in sub-identifier", get(varbind("\x2b\x86", ber(tagNull))), 31, 3},
		{"oid sub-identifier over 32 bits", get(varbind("\x2b\x90\x80\x80\x80\x00", ber(tagNull))), 35, 3},
		{"oid too many sub-identifiers", get(varbind(strings.Repeat("\x01", 130), ber(tagNull))), 35, 3},
		{"varbind value missing", get(ber(tagSequence, oid("\x2b\x06"))), 32, 3},
		{"varbind not a sequence", get(octets("x")), 26, 3},
		{"trap agent address missing", message(0, "public", ber(tagTrap, oid("\x2b\x06"))),
			19, 4},
		{"v3 flags of two bytes", v3("\x04\x00"), 15, 0},
		{"v3 usm parameters empty", ber(tagSequence, integer(3),
			ber(tagSequence, integer(1), integer(2), octets("\x00"), integer(3)), octets("")), 21, 0},
		{"v3 msgData missing", ber(tagSequence, integer(3),
			ber(tagSequence, integer(1), integer(2), octets("\x00"), integer(3)),
			ber(tagOctetString, ber(tagSequence, octets("")))), 25, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := udp(t, "10.0.0.1:5000", "10.0.0.2:161")
			got, err := Dissect(ctx, tt.payload, nil)
			dissecttest.ErrorAt(t, err, Source, tt.offset)
			if len(got) != tt.facts {
				t.Errorf("got %d facts %v, want %d", len(got), got, tt.facts)
			}
		})
	}
}

func TestCheckAndFormatOID(t *testing.T) {
	tests := []struct {
		content, want string
	}{
		{"\x2b\x06\x01\x04\x01\xbf\x08\x03\x02\x0a", "1.3.6.1.4.1.8072.3.2.10"},
		{"\x00", "0.0"},
		{"\x7f", "2.47"},
		{"\x88\x37\x03", "2.999.3"},
		{"\x2b\x8f\xff\xff\xff\x7f", "1.3.4294967295"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if err := checkOID([]byte(tt.content), 0); err != nil {
				t.Fatalf("checkOID: got %v, want nil", err)
			}
			if got := formatOID([]byte(tt.content)); got != tt.want {
				t.Errorf("formatOID: got %q, want %q", got, tt.want)
			}
		})
	}
}

// checkFacts fails when a fact lacks a key, value or source, or when a
// value looks like a community string from the seeds.
func checkFacts(tb testing.TB, facts []dissect.Fact) {
	tb.Helper()
	dissecttest.CheckFacts(tb, facts, Source)
	for _, f := range facts {
		if strings.Contains(f.Value, "public") || strings.Contains(f.Value, "R0_C@cti") {
			tb.Fatalf("fact leaks a community string: %v", f)
		}
	}
}

func TestDissectTruncated(t *testing.T) {
	ctx := &dissect.Context{SrcPort: 161, DstPort: 5000}
	for _, p := range dissecttest.HexFiles(t, "testdata/*.hex") {
		for n := range len(p) {
			facts, err := Dissect(ctx, p[:n], nil)
			checkFacts(t, facts)
			if err == nil {
				t.Fatalf("len %d of %d: got nil error for a truncated message", n, len(p))
			}
			if !errors.As(err, new(*dissect.Error)) {
				t.Fatalf("len %d: got error %T, want *dissect.Error", n, err)
			}
		}
	}
}

func FuzzDissect(f *testing.F) {
	for _, p := range dissecttest.HexFiles(f, "testdata/*.hex") {
		f.Add(p, uint16(161), uint16(40000))
	}
	f.Fuzz(func(t *testing.T, p []byte, sport, dport uint16) {
		facts, _ := Dissect(&dissect.Context{SrcPort: sport, DstPort: dport}, p, nil)
		dissecttest.CheckFacts(t, facts, Source)
	})
}

func BenchmarkDissect(b *testing.B) {
	p := dissecttest.Hex(b, "testdata/zeek_snmpwalk_2.hex")
	ctx := &dissect.Context{SrcPort: 161, DstPort: 37327}
	out := make([]dissect.Fact, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		out, _ = Dissect(ctx, p, out[:0])
	}
}
