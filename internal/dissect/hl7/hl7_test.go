package hl7

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.facts golden files")

// conn is the connection of the tests, to the usual HL7 port.
var conn = dissecttest.NewStream(Source,
	dissecttest.Endpoint("", "192.0.2.10"), dissecttest.Endpoint("", "192.0.2.20"), 2575)

var (
	ctx     = conn.Ctx
	cliFact = conn.ClientFact
	srvFact = conn.ServerFact
)

// cliLink and srvLink build an expected fact about a conversation: the
// client's (the server's) whose Peer is the other end.
func cliLink(key, value string, c dissect.Confidence) dissect.Fact {
	f := cliFact(key, value, c)
	f.Peer = conn.Server
	return f
}

func srvLink(key, value string, c dissect.Confidence) dissect.Fact {
	f := srvFact(key, value, c)
	f.Peer = conn.Client
	return f
}

// planted are the fake patient values that testdata/record/lab.mjs and the
// hand-built messages put in PID, NK1, PV1, OBX-5, NTE and MSH-10. None may
// reach a fact or an error, in any encoding.
var planted = []string{
	"WARDTEST", "PLANTED", "9434765919", "19700101", "1 Planted Street", "Planted Street",
	"NEXTOFKIN", "987.65", "MRN4711", "VISIT8080", "01134960000", "LS1 1AA", "C1234",
	"CTRL0001", "CTRL0002", "CTRL0010", "FILLER77", "Planted note",
}

// leaks returns the planted values that s holds: as they are, in hex, in
// base64 or JSON-escaped.
func leaks(s string) []string {
	var found []string
	low := strings.ToLower(s)
	for _, p := range planted {
		j, _ := json.Marshal(p)
		forms := []string{
			strings.ToLower(p), hex.EncodeToString([]byte(p)),
			strings.ToLower(base64.RawStdEncoding.EncodeToString([]byte(p))),
			strings.ToLower(strings.Trim(string(j), `"`)),
		}
		for _, f := range forms {
			if strings.Contains(low, f) {
				found = append(found, p)
				break
			}
		}
	}
	return found
}

// checkNoPatientData fails t when a fact or err carries a planted value.
func checkNoPatientData(t *testing.T, facts []dissect.Fact, err error) {
	t.Helper()
	for _, f := range facts {
		if l := leaks(f.Key + " " + f.Value); len(l) > 0 {
			t.Errorf("fact %v carries patient data %q", f, l)
		}
	}
	if err != nil {
		if l := leaks(err.Error()); len(l) > 0 {
			t.Errorf("error %q carries patient data %q", err, l)
		}
	}
}

// formatFacts writes facts one a line, the ends named, for golden files.
func formatFacts(facts []dissect.Fact) string {
	var b strings.Builder
	for _, f := range facts {
		who := "other"
		switch f.Who {
		case conn.Client:
			who = "client"
		case conn.Server:
			who = "server"
		}
		fmt.Fprintf(&b, "%s %s %q %d", who, f.Key, f.Value, f.Confidence)
		switch f.Peer {
		case dissect.Endpoint{}:
		case conn.Client:
			b.WriteString(" peer=client")
		case conn.Server:
			b.WriteString(" peer=server")
		default:
			b.WriteString(" peer=other")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestDissectCaptures checks the facts read from the recorded connections
// (testdata/SOURCE.md) against golden files, which -update rewrites. Each
// golden file was checked by hand against the messages the lab sent.
func TestDissectCaptures(t *testing.T) {
	for _, h := range dissecttest.HeadsFiles(t, "testdata/*.txt") {
		t.Run(h.Name, func(t *testing.T) {
			if !Detect(h.Client, h.Server) {
				t.Errorf("Detect = false, want true")
			}
			facts, err := Dissect(ctx, h.Client, h.Server, nil)
			if err != nil {
				t.Errorf("Dissect: got error %v, want nil", err)
			}
			dissecttest.CheckFacts(t, facts, Source)
			checkNoPatientData(t, facts, err)
			got := formatFacts(facts)
			golden := "testdata/" + h.Name + ".facts"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDissectCapturesKeyFacts spells out, for each capture, the facts the
// dissector exists for, so that a careless -update cannot lose them.
func TestDissectCapturesKeyFacts(t *testing.T) {
	tests := []struct {
		file string
		want []dissect.Fact
	}{
		{"medplum-to-nodehl7", []dissect.Fact{
			cliFact(KeySendingApplication, "WARDPAS", dissect.High),
			cliFact(dissect.KeyClinicalRole, RolePAS, dissect.Medium),
			cliFact(KeySendingApplication, "MONGW", dissect.High),
			cliFact(KeyEUI64, "00093AFFFE0A0B0C", dissect.High),
			cliFact(KeyProfile, "IHE_PCD_001", dissect.High),
			cliFact(dissect.KeyUDI, "(01)00643169001763", dissect.Medium),
			cliFact(dissect.KeyGTIN, "00643169001763", dissect.Medium),
			cliFact(dissect.KeySerial, "21A11F4855", dissect.Medium),
			cliFact(KeyEquipment, "MX800^Philips^00093AFFFE123456^EUI-64", dissect.Medium),
			cliFact(dissect.KeyClinicalRole, RoleMonitorGateway, dissect.Medium),
			srvFact(KeySendingApplication, "EPR", dissect.High),
			srvFact(KeyReceivingApplication, "EPR", dissect.Medium),
			srvFact(KeyAck, "AA", dissect.High),
			cliLink(KeyPeer, "MONGW -> EPR ORU^R01", dissect.Medium),
			srvFact(KeyPeer, "MONGW -> EPR ORU^R01", dissect.Medium),
			cliFact(KeyMessages, "2", dissect.High),
			srvFact(KeyMessages, "3", dissect.High), // node-hl7-server sends the first ACK twice
			srvFact(dissect.KeyInsecure, InsecureCleartext, dissect.High),
		}},
		{"nodehl7-batch-to-medplum", []dissect.Fact{
			cliFact(KeySendingApplication, "LABGW", dissect.High),   // FHS-3, BHS-3
			cliFact(KeySendingApplication, "WINPATH", dissect.High), // MSH-3 inside the batch
			cliFact(dissect.KeyClinicalRole, RoleLIS, dissect.Medium),
			cliFact(KeyEquipment, "XN1000^Sysmex", dissect.Medium),
			srvFact(KeyAck, "AR", dissect.High),
			cliFact(KeyMessages, "1", dissect.High), // one frame
		}},
		{"segmented-to-simplehl7", []dissect.Fact{
			cliFact(KeyMessageType, "ORM^O01", dissect.High),
			cliFact(dissect.KeyClinicalRole, RoleOrderPlacer, dissect.Medium),
			cliFact(KeyMessageType, "MDM^T02", dissect.High),
			cliFact(dissect.KeyClinicalRole, RoleDocuments, dissect.Medium),
			srvFact(KeyMessages, "2", dissect.High),
		}},
		{"server-sends-latin1", []dissect.Fact{
			srvFact(KeySendingApplication, "PUMPGW", dissect.High),
			srvFact(KeySendingFacility, "Kings Caf? W^7", dissect.High), // 8859/1 é, then \S\
			srvFact(KeyCharset, "8859/1", dissect.High),
			srvFact(KeyMessageType, "ORU^R42", dissect.High),
			srvFact(dissect.KeyClinicalRole, RoleInfusionPumps, dissect.Medium),
			cliFact(KeyAck, "AA", dissect.High),
			cliFact(KeyReceivingApplication, "EPR", dissect.Medium),
			srvFact(dissect.KeyInsecure, InsecureCleartext, dissect.High),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			client, server := dissecttest.Heads(t, "testdata/"+tt.file+".txt")
			got, _ := Dissect(ctx, client, server, nil)
			for _, w := range tt.want {
				if !containsFact(got, w) {
					t.Errorf("missing fact %v", w)
				}
			}
		})
	}
}

func containsFact(facts []dissect.Fact, want dissect.Fact) bool {
	for _, f := range facts {
		if f == want {
			return true
		}
	}
	return false
}

// TestDissectCutCaptures cuts the recorded heads at every length: a head
// cut by its end is no error, and gives no fact that the whole head does
// not (apart from the counts and roles that depend on what follows).
func TestDissectCutCaptures(t *testing.T) {
	for _, h := range dissecttest.HeadsFiles(t, "testdata/*.txt") {
		t.Run(h.Name, func(t *testing.T) {
			dissecttest.StreamTruncations(t, Dissect, ctx, h.Client, h.Server, 1, Source)
			whole, _ := Dissect(ctx, h.Client, h.Server, nil)
			for n := 0; n <= max(len(h.Client), len(h.Server)); n++ {
				c, s := h.Client[:min(n, len(h.Client))], h.Server[:min(n, len(h.Server))]
				facts, err := Dissect(ctx, c, s, nil)
				if err != nil {
					t.Fatalf("cut at %d: got error %v, want nil", n, err)
				}
				checkNoPatientData(t, facts, err)
				for _, f := range facts {
					if f.Key != KeyMessages && f.Key != dissect.KeyClinicalRole && !containsFact(whole, f) {
						t.Errorf("cut at %d: fact %v, not in the whole head's", n, f)
					}
				}
			}
		})
	}
}

// mllp frames each message.
func mllp(msgs ...string) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("\x0b" + m + "\x1c\r")
	}
	return b.String()
}

// segs joins segments with CR.
func segs(s ...string) string { return strings.Join(s, "\r") + "\r" }

// The planted patient, as the hand-built messages carry it.
const (
	pid = `PID|1||9434765919^^^NHS^NH~MRN4711^^^RXX01^MR||WARDTEST^PLANTED||19700101|M|||` +
		`1 Planted Street^^Leeds^^LS1 1AA`
	nk1 = `NK1|1|WARDTEST^NEXTOFKIN|SPO|2 Planted Street`
	pv1 = `PV1|1|I|WARD7^BED3||||C1234^PLANTED^DOCTOR||||||||||||VISIT8080`
)

func TestDissectHandBuilt(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		want           []dissect.Fact
	}{
		{
			name: "unframed link, escapes, v2.7 truncation character",
			client: segs(`MSH|^~\&#|LAB\T\CO|ST\F\JAMES^1.2.3^ISO|EPR\X41\|FAC\E\|20240101||ORU^R01|`+
				`CTRL0001|T^A|2.7`, pid, `OBX|1|NM|HB||987.65`),
			want: []dissect.Fact{
				cliFact(dissect.KeyService, "hl7", dissect.High),
				cliFact(KeySendingApplication, "LAB&CO", dissect.High),
				cliFact(KeySendingFacility, "ST|JAMES", dissect.High),
				srvFact(KeyReceivingApplication, "EPRA", dissect.Medium),
				srvFact(KeyReceivingFacility, `FAC\`, dissect.Medium),
				cliFact(KeyMessageType, "ORU^R01", dissect.High),
				cliFact(KeyProcessingID, "T", dissect.High),
				cliFact(KeyVersion, "2.7", dissect.High),
				cliLink(KeyPeer, "LAB&CO -> EPRA ORU^R01", dissect.Medium),
				srvFact(KeyPeer, "LAB&CO -> EPRA ORU^R01", dissect.Medium),
				cliFact(dissect.KeyClinicalRole, RoleLIS, dissect.Medium),
				cliFact(KeyMessages, "1", dissect.High),
				srvFact(dissect.KeyInsecure, InsecureCleartext, dissect.High),
			},
		},
		{
			name: "odd separators, universal id for an empty namespace, unknown names",
			client: mllp(segs(`MSH#$%\&#$1.2.826.0.1.999$ISO####20240101##ADT$A04#CTRL0001#P#2.3`,
				strings.ReplaceAll(pid, "|", "#"))),
			want: []dissect.Fact{
				cliFact(dissect.KeyService, "hl7", dissect.High),
				cliFact(KeySendingApplication, "1.2.826.0.1.999", dissect.High),
				cliFact(KeyMessageType, "ADT^A04", dissect.High),
				cliFact(KeyProcessingID, "P", dissect.High),
				cliFact(KeyVersion, "2.3", dissect.High),
				cliLink(KeyPeer, "1.2.826.0.1.999 -> ? ADT^A04", dissect.Medium),
				srvFact(KeyPeer, "1.2.826.0.1.999 -> ? ADT^A04", dissect.Medium),
				cliFact(dissect.KeyClinicalRole, RolePAS, dissect.Medium),
				cliFact(KeyMessages, "1", dissect.High),
				srvFact(dissect.KeyInsecure, InsecureCleartext, dissect.High),
			},
		},
		{
			name: "server sends, client acknowledges with CA, non-ascii name",
			server: mllp(segs("MSH|^~\\&|GW\xff\xfe1|||RXX01|20240101||ORU^R40|CTRL0002|P|2.6",
				pid, `OBX|1|ST|ALARM||987.65||||||R|||||||0123456789abcdef^^0123456789abcdef^EUI-64`)),
			client: mllp(segs(`MSH|^~\&|EPR||GW||||ACK|CTRL0003|P|2.6`, `MSA|CA|CTRL0002`)),
			want: []dissect.Fact{
				cliFact(dissect.KeyService, "hl7", dissect.High),
				cliFact(KeySendingApplication, "EPR", dissect.High),
				srvFact(KeyReceivingApplication, "GW", dissect.Medium),
				cliFact(KeyMessageType, "ACK", dissect.High),
				cliFact(KeyProcessingID, "P", dissect.High),
				cliFact(KeyVersion, "2.6", dissect.High),
				cliFact(KeyPeer, "EPR -> GW ACK", dissect.Medium),
				srvFact(KeyPeer, "EPR -> GW ACK", dissect.Medium),
				cliFact(KeyAck, "CA", dissect.High),
				srvFact(dissect.KeyService, "hl7", dissect.High),
				srvFact(KeySendingApplication, "GW??1", dissect.High),
				cliFact(KeyReceivingFacility, "RXX01", dissect.Medium),
				srvFact(KeyMessageType, "ORU^R40", dissect.High),
				srvFact(KeyProcessingID, "P", dissect.High),
				srvFact(KeyVersion, "2.6", dissect.High),
				srvLink(KeyPeer, "GW??1 -> ? ORU^R40", dissect.Medium),
				cliFact(KeyPeer, "GW??1 -> ? ORU^R40", dissect.Medium),
				srvFact(KeyEquipment, "0123456789abcdef^^0123456789abcdef^EUI-64", dissect.Medium),
				srvFact(KeyEUI64, "0123456789ABCDEF", dissect.Medium),
				srvFact(dissect.KeyClinicalRole, RoleMonitorGateway, dissect.Medium),
				cliFact(KeyMessages, "1", dissect.High),
				srvFact(KeyMessages, "1", dissect.High),
				srvFact(dissect.KeyInsecure, InsecureCleartext, dissect.High),
			},
		},
		{
			name: "HIBCC and ICCBBA UDIs in PRT-10, EQU-1, repeating OBX-18",
			client: mllp(segs(`MSH|^~\&|DEVGW||||||ORU^R01|CTRL0001|P|2.8`, pid,
				`PRT|1|UC||EQUIP||||||+H123PARTNO1234567890120/$$420020216LOT123456789012345/`+
					`SXYZ4567890123 45678/16D20130202C^^2.16.840.1.113883.3.3719^ISO`,
				`PRT|2|UC||EQUIP||||||=/A9999XYZ100T0944=,000025=A99971312345600=>014032=}013032`+
					`\T\,1000000000000XYZ123^^2.16.840.1.113883.3.3719^ISO`,
				`EQU|SPO2-7^Masimo`,
				`OBX|1|NM|X||987.65||||||R|||||||A^B~(01)00643169001764^^x~C`)),
			want: []dissect.Fact{
				cliFact(dissect.KeyService, "hl7", dissect.High),
				cliFact(KeySendingApplication, "DEVGW", dissect.High),
				cliFact(KeyMessageType, "ORU^R01", dissect.High),
				cliFact(KeyProcessingID, "P", dissect.High),
				cliFact(KeyVersion, "2.8", dissect.High),
				cliLink(KeyPeer, "DEVGW -> ? ORU^R01", dissect.Medium),
				srvFact(KeyPeer, "DEVGW -> ? ORU^R01", dissect.Medium),
				cliFact(dissect.KeyUDI, "+H123PARTNO1234567890120Z", dissect.Medium),
				cliFact(dissect.KeySerial, "XYZ4567890123 45678", dissect.Medium),
				cliFact(dissect.KeyUDI, "=/A9999XYZ100T0944", dissect.Medium),
				cliFact(KeyEquipment, "SPO2-7^Masimo", dissect.Medium),
				cliFact(KeyEquipment, "A^B", dissect.Medium),
				// (01)…764 fails its check digit: neither a UDI nor equipment.
				cliFact(KeyEquipment, "C", dissect.Medium),
				cliFact(dissect.KeyClinicalRole, RoleMonitorGateway, dissect.Medium),
				cliFact(KeyMessages, "1", dissect.High),
				srvFact(dissect.KeyInsecure, InsecureCleartext, dissect.High),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(ctx, []byte(tt.client), []byte(tt.server), nil)
			if err != nil {
				t.Errorf("Dissect: got error %v, want nil", err)
			}
			checkNoPatientData(t, got, err)
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRoles checks the clinical role each kind of message gives.
func TestRoles(t *testing.T) {
	pcd := `IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO`
	piv := `IHE_PCD_RGV_O15^IHE PCD^1.3.6.1.4.1.19376.1.6.1.3.1^ISO`
	msh := func(app, recv, typ, profile string) string {
		return `MSH|^~\&|` + app + `||` + recv + `||||` + typ + `|CTRL0001|P|2.6|||||||||` + profile
	}
	// m builds a message from app to recv with a planted PID and more segments.
	m := func(app, recv, typ, profile string, more ...string) string {
		return segs(append([]string{msh(app, recv, typ, profile), pid}, more...)...)
	}
	obx18 := func(eq string) string { return `OBX|1|NM|X||987.65||||||R|||||||` + eq }
	tests := []struct {
		name     string
		msg      string
		receiver bool // the role is the receiver's
		want     string
	}{
		{"adt", m("PAS", "EPR", "ADT^A08", "", nk1, pv1), false, RolePAS},
		{"rhapsody relays adt", m("Rhapsody", "EPR", "ADT^A01", ""), false, RoleIntegrationEngine},
		{"mirth", m("MIRTH_CONNECT", "EPR", "ORU^R01", ""), false, RoleIntegrationEngine},
		{"nextgen connect", m("NextGen Connect", "EPR", "ORM^O01", ""), false, RoleIntegrationEngine},
		{"iris word", m("HSS^IRIS", "EPR", "ADT^A01", ""), false, RoleIntegrationEngine},
		{"nextgen epr is no engine", m("NEXTGEN", "LAB", "ADT^A01", ""), false, RolePAS},
		{"pcd-01 without devices", m("GW", "EPR", "ORU^R01^ORU_R01", pcd), false, RoleMonitorGateway},
		{"obx-18 monitor", m("GW", "EPR", "ORU^R01", "", obx18("IntelliVue MX800^Philips")), false,
			RoleMonitorGateway},
		{"obx-18 pump", m("GW", "EPR", "ORU^R01", "", obx18("Alaris 8015^BD")), false, RoleInfusionPumps},
		{"pump app", m("INFUSION_GW", "EPR", "ORU^R01", pcd), false, RoleInfusionPumps},
		{"pcd-10 events", m("GW", "EPR", "ORU^R42", ""), false, RoleInfusionPumps},
		{"pcd-03 order to pump server", m("BCMA", "IOC", "RGV^O15^RGV_O15", piv), true, RoleInfusionPumps},
		{"rgv to a pharmacy", m("EPR", "PHARM", "RGV^O15", ""), false, ""},
		{"pcd-03 answer", segs(msh("IOC", "BCMA", "RRG^O16^RRG_O16", piv), `MSA|AA|CTRL0001`), false,
			RoleInfusionPumps},
		{"pump administrations", m("PUMPGW", "EPR", "RAS^O17", "", obx18("Plum 360")), false,
			RoleInfusionPumps},
		{"lab results", m("TelePath", "EPR", "ORU^R01", ""), false, RoleLIS},
		{"lab word prefix", m("LABORATORY", "EPR", "ORU^R01", ""), false, RoleLIS},
		{"english is no lis", m("ENGLISH", "EPR", "ORU^R01", ""), false, ""},
		{"analyser results", m("COBAS", "LIS", "OUL^R22", ""), false, RoleLabAnalyser},
		{"lis results in oul", m("WINPATH", "EPR", "OUL^R22", ""), false, RoleLIS},
		{"lab analyser named so", m("LAB ANALYSER 3", "LIS", "OUL^R22", ""), false, RoleLabAnalyser},
		{"orders", m("EPR", "RIS", "ORM^O01", ""), false, RoleOrderPlacer},
		{"lab orders", m("EPR", "LIS", "OML^O21", ""), false, RoleOrderPlacer},
		{"documents", m("DOCS", "EPR", "MDM^T02", ""), false, RoleDocuments},
		{"scheduling", m("PAS", "EPR", "SIU^S12", ""), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(ctx, []byte(mllp(tt.msg)), nil, nil)
			if err != nil {
				t.Fatalf("Dissect: got error %v, want nil", err)
			}
			var roles []dissect.Fact
			for _, f := range got {
				if f.Key == dissect.KeyClinicalRole {
					roles = append(roles, f)
				}
			}
			var want []dissect.Fact
			switch {
			case tt.want == "":
			case tt.receiver:
				want = append(want, srvFact(dissect.KeyClinicalRole, tt.want, dissect.Medium))
			default:
				want = append(want, cliFact(dissect.KeyClinicalRole, tt.want, dissect.Medium))
			}
			if diff := cmp.Diff(want, roles, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("roles mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDissectMalformed checks the error and the facts still read for heads
// that break the rules.
func TestDissectMalformed(t *testing.T) {
	good := segs(`MSH|^~\&|APP|FAC|||||ADT^A01|CTRL0001|P|2.5`, pid)
	huge := strings.Repeat("9", 1<<20)
	tests := []struct {
		name      string
		client    string
		wantErr   int // byte offset of the error; -1 for none
		wantTypes []string
	}{
		{"letter as field separator", mllp(segs(`MSHA^~\&AAPPA`, pid)), 4, nil},
		{"encoding characters repeat", mllp(segs(`MSH|^^\&|APP`, pid)), 5, nil},
		{"encoding characters repeat the field separator", mllp(segs(`MSH|||\&|APP`, pid)), 5, nil},
		{"too few encoding characters", mllp(segs(`MSH|^~|APP|||||ADT^A01`, pid)), 5, nil},
		{"letter in encoding characters", mllp(segs(`MSH|^~\a|APP`, pid)), 5, nil},
		{"msh without fields", mllp(segs(`MSH|^~\&`)), -1, nil},
		{"bare msh id inside a message", mllp(good + "MSH\r"), -1, []string{"ADT^A01"}},
		{"msh with empty fields", mllp(segs(`MSH|^~\&||||||||||`, pid)), -1, nil},
		{"frame starts with pid", mllp(segs(pid, nk1)), 1, nil},
		{"frame without end block", "\x0b" + good + mllp(good), len(good) + 1, []string{"ADT^A01"}},
		{"noise between frames", mllp(good) + "WARDTEST 9434765919" + mllp(good), len(good) + 3,
			[]string{"ADT^A01"}},
		{"frame without start block", mllp(good) + good + "\x1c\r", len(good) + 3, []string{"ADT^A01"}},
		{"end block only", good + "\x1c\r", 0, []string{"ADT^A01"}},
		{"line ends between frames", mllp(good) + "\r\n\n" + mllp(good), -1, []string{"ADT^A01"}},
		{"end of head inside a frame", mllp(good) + "\x0b" + good[:40], -1, []string{"ADT^A01"}},
		{"a bad message among good ones", mllp(good, segs(`MSH|^~\&\&|X`), good), len(good) + 8,
			[]string{"ADT^A01"}},
		{"declared huge batch", mllp(segs(`FHS|^~\&|APP`, `BHS|^~\&|APP`, good, `BTS|99999999999`,
			`FTS|99999999999`)), -1, []string{"ADT^A01"}},
		{"very long segment", mllp(segs(`MSH|^~\&|APP||||||ORU^R01|CTRL0001|P|2.5`, pid,
			`OBX|1|ED|X||`+huge+`|||||||||||||EQ1`)), -1, []string{"ORU^R01"}},
		{"very long application name", mllp(segs(`MSH|^~\&|` + huge + `||||||ADT^A01`)), -1,
			[]string{"ADT^A01"}},
		{"not hl7", "GET / HTTP/1.1\r\n\r\n", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(ctx, []byte(tt.client), nil, nil)
			dissecttest.CheckFacts(t, got, Source)
			checkNoPatientData(t, got, err)
			if tt.wantErr < 0 && err != nil {
				t.Errorf("got error %v, want nil", err)
			}
			if tt.wantErr >= 0 {
				dissecttest.ErrorAt(t, err, Source, tt.wantErr)
			}
			var types []string
			for _, f := range got {
				if f.Key == KeyMessageType {
					types = append(types, f.Value)
				}
				if len(f.Value) > 4*maxValue {
					t.Errorf("fact %s of %d bytes, want at most %d", f.Key, len(f.Value), 4*maxValue)
				}
			}
			if diff := cmp.Diff(tt.wantTypes, types); diff != "" {
				t.Errorf("message types mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDissectLongFieldsBounded checks that the memory a message costs does
// not grow with its size: a megabyte of segment allocates no more than a
// few bytes of it.
func TestDissectLongFieldsBounded(t *testing.T) {
	head := func(n int) []byte {
		return []byte(mllp(segs(`MSH|^~\&|`+strings.Repeat("A", n)+`||||||ORU^R01|CTRL0001|P|2.5`,
			pid, `OBX|1|ED|X||`+strings.Repeat("9", n)+`|||||||||||||EQ1`)))
	}
	small, large := head(10), head(1<<20)
	out := make([]dissect.Fact, 0, 32)
	allocs := func(b []byte) float64 {
		return testing.AllocsPerRun(20, func() { out, _ = Dissect(ctx, b, nil, out[:0]) })
	}
	if a, b := allocs(small), allocs(large); a != b {
		t.Errorf("allocations: got %v for a small head and %v for a 2 MB one, want the same", a, b)
	}
	facts, _ := Dissect(ctx, large, nil, nil)
	for _, f := range facts {
		if f.Key == KeySendingApplication && len(f.Value) != maxValue {
			t.Errorf("sending application of %d bytes, want it cut at %d", len(f.Value), maxValue)
		}
	}
}

// TestDissectRepeatAllocs checks that a message that yields no new fact
// costs no allocation: 20 copies of a device data message cost what one
// does.
func TestDissectRepeatAllocs(t *testing.T) {
	client, server := dissecttest.Heads(t, "testdata/medplum-to-nodehl7.txt")
	one := client[framesPrefix(client, 1):framesPrefix(client, 2)]
	many := []byte(strings.Repeat(string(one), 20))
	out := make([]dissect.Fact, 0, 64)
	allocs := func(c []byte) float64 {
		return testing.AllocsPerRun(20, func() { out, _ = Dissect(ctx, c, server, out[:0]) })
	}
	if a, b := allocs(one), allocs(many); a != b {
		t.Errorf("allocations: got %v for one message and %v for 20 copies, want the same", a, b)
	}
}

// framesPrefix returns the length of the prefix of head that holds its
// first n MLLP frames.
func framesPrefix(head []byte, n int) int {
	for i, c := range head {
		if c == endBlock {
			n--
			if n == 0 {
				return min(i+2, len(head))
			}
		}
	}
	return len(head)
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		want           bool
	}{
		{"both empty", "", "", false},
		{"mllp msh from client", "\x0bMSH|^~\\&|A", "", true},
		{"mllp msh from server", "", "\x0bMSH|^~\\&|A", true},
		{"mllp batch", "\x0bFHS|^~\\&|A", "", true},
		{"mllp bhs", "\x0bBHS|^~\\&|A", "", true},
		{"mllp odd separator", "\x0bMSH#^~\\&#A", "", true},
		{"mllp letter separator", "\x0bMSHA^~\\&", "", false},
		{"mllp other segment", "\x0bPID|1|", "", false},
		{"mllp cut", "\x0bMSH", "", false},
		{"raw msh", "MSH|^~\\&|APP|", "", true},
		{"raw msh with truncation character", "MSH|^~\\&#|APP|", "", true},
		{"raw msh without encoding characters", "MSH|APP|FAC|", "", false},
		{"raw msh repeated encoding character", "MSH|^^\\&|APP|", "", false},
		{"raw fhs", "FHS|^~\\&|APP|", "", false},
		{"http", "GET / HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n", false},
		{"tls", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc", "", false},
		{"ssh", "SSH-2.0-OpenSSH_9.6\r\n", "", false},
		{"vertical tab text", "\x0bhello", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect([]byte(tt.client), []byte(tt.server)); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCountMessages(t *testing.T) {
	msg := segs(`MSH|^~\&|A||||||ADT^A01`, pid)
	tests := []struct {
		name    string
		payload string
		want    int
	}{
		{"empty", "", 0},
		{"one", mllp(msg), 1},
		{"three", mllp(msg, msg, msg), 3},
		{"batch counts once", mllp(segs(`FHS|^~\&`, `BHS|^~\&`, msg, msg, `BTS|2`, `FTS|1`)), 1},
		{"bhs", mllp(segs(`BHS|^~\&`, msg)), 1},
		{"middle of a message", msg[10:] + "\x1c\r" + mllp(msg), 1},
		{"start block at the end", mllp(msg) + "\x0b", 1},
		{"start split before the id", mllp(msg) + "\x0bMS", 1},
		{"start block before other text", "\x0bPID|\x0b\x0bXYZ", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CountMessages([]byte(tt.payload)); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestUnescape(t *testing.T) {
	enc := encoding{field: '|', comp: '^', rep: '~', esc: '\\', sub: '&', trunc: '#'}
	tests := []struct{ in, want string }{
		{`plain`, `plain`},
		{`a\F\b\S\c\T\d\R\e\E\f\P\g`, `a|b^c&d~e\f#g`},
		{`\X41420a\`, "AB\n"},
		{`\X4\`, ``},
		{`\Xzz\`, ``},
		{`line\.br\break`, `linebreak`},
		{`\H\bold\N\`, `bold`},
		{`\C2842\ansi`, `ansi`},
		{`cut \E`, `cut \E`},
		{`\\x`, `x`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var dst [maxValue]byte
			if got := string(dst[:unescape(dst[:], []byte(tt.in), &enc)]); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	var small [3]byte
	if n := unescape(small[:], []byte(`abcdef\X414243\`), &enc); n != 3 {
		t.Errorf("into 3 bytes: wrote %d, want 3", n)
	}
}

// TestCleanMatchesText checks that dissect.Clean, which writes into the
// dissector's buffer, gives what dissect.Text gives.
func TestCleanMatchesText(t *testing.T) {
	inputs := []string{
		"", "plain", "  padded\x00 ", "two  spaces", "tab\there", "\x01\x02", "a\r\nb",
		"caf\xe9", "café", "\xff\xfe", "\u00a0nbsp", "x\u200by", "\x7f", "end \x01",
		"\ufffd", strings.Repeat("é", 200),
	}
	for b := range 256 {
		inputs = append(inputs, string([]byte{'a', byte(b), 'z'}))
	}
	for _, in := range inputs {
		var dst [4 * maxValue]byte
		got := string(dst[:dissect.Clean(dst[:], []byte(in))])
		if want := dissect.Text([]byte(in)); got != want {
			t.Errorf("clean(%q) = %q, want %q as dissect.Text gives", in, got, want)
		}
	}
}

// seeds adds the recorded heads and hand-built ones to a fuzz corpus.
func seeds(f *testing.F) {
	for _, h := range dissecttest.HeadsFiles(f, "testdata/*.txt") {
		f.Add(h.Client, h.Server)
	}
	f.Add([]byte(mllp(segs(`MSH|^~\&#|A\T\B^1.2^ISO||||||ORU^R01|1|P|2.7|||||||||IHE_PCD_001`,
		`PRT|1|||||||||+A123BJC5D6E71G~=)1TE123456A&)RZ12345678||||||00643169001763`,
		`OBX|1||||||||||||||||||(01)00643169001763(21)X~Y^Z^0123456789ABCDEF^EUI-64`,
		`EQU|]d20100643169001763`, `MSA|AE`))),
		[]byte("MSH|^~\\&|B\rMSA|AA\r"))
}

func FuzzDissect(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, client, server []byte) {
		Detect(client, server)
		CountMessages(client)
		facts, err := Dissect(ctx, client, server, nil)
		dissecttest.CheckFacts(t, facts, Source)
		if err != nil && !errors.As(err, new(*dissect.Error)) {
			t.Fatalf("got error of type %T, want *dissect.Error", err)
		}
		if len(facts) > maxFacts {
			t.Fatalf("got %d facts, want at most %d", len(facts), maxFacts)
		}
		for _, fact := range facts {
			if len(fact.Value) > 4*maxValue {
				t.Fatalf("fact %s of %d bytes, want at most %d", fact.Key, len(fact.Value), 4*maxValue)
			}
		}
	})
}

func BenchmarkDissect(b *testing.B) {
	client, server := dissecttest.Heads(b, "testdata/medplum-to-nodehl7.txt")
	out := make([]dissect.Fact, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(client) + len(server)))
	for b.Loop() {
		out, _ = Dissect(ctx, client, server, out[:0])
	}
}

// BenchmarkDissectRepeated reads a 16 KiB head of identical device data
// messages, as a monitor gateway sends them: only the first message's
// facts should allocate.
func BenchmarkDissectRepeated(b *testing.B) {
	client, server := dissecttest.Heads(b, "testdata/medplum-to-nodehl7.txt")
	one := client[framesPrefix(client, 1):framesPrefix(client, 2)]
	head := make([]byte, 0, 16384)
	for len(head)+len(one) <= cap(head) {
		head = append(head, one...)
	}
	out := make([]dissect.Fact, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		out, _ = Dissect(ctx, head, server, out[:0])
	}
	b.ReportMetric(float64(CountMessages(head)), "msgs/op")
}

func BenchmarkCountMessages(b *testing.B) {
	client, _ := dissecttest.Heads(b, "testdata/medplum-to-nodehl7.txt")
	payload := make([]byte, 0, 16384)
	for len(payload)+len(client) <= cap(payload) {
		payload = append(payload, client...)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		CountMessages(payload)
	}
}

var _ dissect.StreamFunc = Dissect

// TestSeenMessagesAllocs checks that a connection whose facts are all
// known already, as the pipeline's intern table knows them, costs no
// allocation, for every recorded head.
func TestSeenMessagesAllocs(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no heads in testdata")
	}
	for _, file := range files {
		client, server := dissecttest.Heads(t, file)
		c := *ctx
		c.Strings = dissect.NewStrings()
		want, _ := Dissect(&c, client, server, nil)
		out := make([]dissect.Fact, 0, len(want))
		allocs := testing.AllocsPerRun(20, func() {
			out, _ = Dissect(&c, client, server, out[:0])
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations for messages seen before, want 0", file, allocs)
		}
		if diff := cmp.Diff(want, out, dissecttest.EquateAddr()); diff != "" {
			t.Errorf("%s: facts differ the second time (-first +second):\n%s", file, diff)
		}
	}
}

// BenchmarkDissectSeen measures a connection like one seen before, with
// the pipeline's intern table: nothing is allocated.
func BenchmarkDissectSeen(b *testing.B) {
	client, server := dissecttest.Heads(b, "testdata/medplum-to-nodehl7.txt")
	c := *ctx
	c.Strings = dissect.NewStrings()
	out, _ := Dissect(&c, client, server, make([]dissect.Fact, 0, 64))
	b.ReportAllocs()
	b.SetBytes(int64(len(client) + len(server)))
	for b.Loop() {
		out, _ = Dissect(&c, client, server, out[:0])
	}
}
