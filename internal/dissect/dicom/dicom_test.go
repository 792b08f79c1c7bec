package dicom

import (
	"bytes"
	"encoding/hex"
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

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// conn is the connection of the tests, to the DICOM port.
var conn = dissecttest.NewStream(Source,
	dissecttest.Endpoint("", "192.0.2.10"), dissecttest.Endpoint("", "192.0.2.22"), 104)

var (
	ctx     = conn.Ctx
	srvFact = conn.ServerFact
	cliFact = conn.ClientFact
	cliLink = conn.ClientLink
)

const (
	high   = dissect.High
	medium = dissect.Medium
	low    = dissect.Low
)

// dcmtk is what DCMTK 3.6.7 says about itself in its user information.
func dcmtk(fact func(string, string, dissect.Confidence) dissect.Fact) []dissect.Fact {
	return []dissect.Fact{
		fact(KeyImplClassUID, "1.2.276.0.7230010.3.0.3.6.7", high),
		fact(dissect.KeySoftware, "DCMTK 3.6.7", medium),
		fact(KeyImplVersion, "OFFIS_DCMTK_367", high),
		fact(KeyMaxPDU, "16384", high),
	}
}

// join concatenates fact lists, for want tables.
func join(lists ...[]dissect.Fact) []dissect.Fact {
	var out []dissect.Fact
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestDissectReal(t *testing.T) {
	echo := func(last ...dissect.Fact) []dissect.Fact {
		return join(
			[]dissect.Fact{
				cliFact(KeyAETitle, "WARD_CT", high),
				cliLink(KeyPeer, "WARD_CT -> WARD_PACS", high),
			},
			dcmtk(cliFact),
			[]dissect.Fact{
				cliFact(KeySOPClass, "Verification", medium),
				cliFact(KeyTransferSyntax, "Implicit VR Little Endian", high),
				cliFact(dissect.KeyService, "dicom:Verification SCU", high),
				cliLink(KeyCommand, "C-ECHO-RQ Verification", high),
			},
			last)
	}
	echoServer := join(
		[]dissect.Fact{
			srvFact(dissect.KeyService, "dicom", high),
			srvFact(KeyAETitle, "WARD_PACS", high),
			srvFact(KeyPeer, "WARD_CT -> WARD_PACS", high),
		},
		dcmtk(srvFact),
		[]dissect.Fact{
			srvFact(KeySOPClass, "Verification", high),
			srvFact(KeyTransferSyntax, "Implicit VR Little Endian", high),
			srvFact(dissect.KeyService, "dicom:Verification SCP", high),
			srvFact(KeyCommand, "C-ECHO-RSP status 0x0000", high),
		})
	query := func(calling, called, sop, role string) []dissect.Fact {
		peer := calling + " -> " + called
		return join(
			[]dissect.Fact{cliFact(KeyAETitle, calling, high), cliLink(KeyPeer, peer, high)},
			dcmtk(cliFact),
			[]dissect.Fact{
				cliFact(KeySOPClass, sop, medium),
				cliFact(KeyTransferSyntax, "Explicit VR Little Endian", high),
				cliFact(dissect.KeyService, "dicom:"+sop+" SCU", high),
				cliLink(KeyCommand, "C-FIND-RQ "+sop, high),
				cliFact(dissect.KeyClinicalRole, role, medium),
				srvFact(dissect.KeyService, "dicom", high),
				srvFact(KeyAETitle, called, high),
				srvFact(KeyPeer, peer, high),
			},
			dcmtk(srvFact),
			[]dissect.Fact{
				srvFact(KeySOPClass, sop, high),
				srvFact(KeyTransferSyntax, "Explicit VR Little Endian", high),
				srvFact(dissect.KeyService, "dicom:"+sop+" SCP", high),
				srvFact(KeyCommand, "C-FIND-RSP status 0xFF00", high),
				srvFact(KeyCommand, "C-FIND-RSP status 0x0000", high),
			})
	}
	tests := []struct {
		file string
		want []dissect.Fact
	}{
		{"echo.txt", join(echo(), echoServer)},
		{"abort.txt", join(echo(cliFact(KeyAbort, "service-user", high)), echoServer)},
		{"reject.txt", join(
			[]dissect.Fact{
				cliFact(KeyAETitle, "WARD_CT", medium),
				cliLink(KeyPeer, "WARD_CT -> WARD_PACS", medium),
			},
			dcmtk(cliFact),
			[]dissect.Fact{
				cliFact(KeySOPClass, "Verification", medium),
				srvFact(dissect.KeyService, "dicom", high),
				srvFact(KeyAETitle, "WARD_PACS", medium),
				srvFact(KeyPeer, "WARD_CT -> WARD_PACS", medium),
				srvFact(KeyRejected, "rejected-permanent, service-user, no-reason-given", high),
			})},
		{"worklist.txt", append(query("WARD_CT", "WARD_MWL",
			"Modality Worklist Information Model - FIND", roleModality),
			srvFact(dissect.KeyClinicalRole, roleWorklist, medium))},
		{"find.txt", append(query("WARD_WS", "WARD_QR",
			"Study Root Query/Retrieve Information Model - FIND", roleWorkstation),
			srvFact(dissect.KeyClinicalRole, rolePACS, medium))},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			client, server := dissecttest.Heads(t, "testdata/"+tt.file)
			if !Detect(client, server) {
				t.Errorf("Detect = false, want true")
			}
			got, err := Dissect(ctx, client, server, nil)
			if err != nil {
				t.Fatalf("Dissect: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDissectStorage checks the facts that matter among the hundreds the
// storage connections yield: storescu and getscu propose every storage
// SOP Class DCMTK knows. The golden files hold the rest.
func TestDissectStorage(t *testing.T) {
	tests := []struct {
		file    string
		want    []dissect.Fact
		notWant []dissect.Fact
	}{
		{
			file: "store.txt",
			want: []dissect.Fact{
				cliFact(KeyAETitle, "WARD_CT", high),
				cliFact(KeySOPClass, "CT Image Storage", medium),
				cliFact(dissect.KeyService, "dicom:CT Image Storage SCU", high),
				cliLink(KeyCommand, "C-STORE-RQ CT Image Storage", high),
				cliFact(dissect.KeyClinicalRole, roleModality, medium),
				cliFact(dissect.KeyModality, "CT", medium),
				srvFact(KeySOPClass, "CT Image Storage", high),
				srvFact(dissect.KeyService, "dicom:CT Image Storage SCP", high),
				srvFact(KeyCommand, "C-STORE-RSP status 0x0000", high),
				srvFact(dissect.KeyClinicalRole, roleStorage, low),
			},
			notWant: []dissect.Fact{
				cliFact(dissect.KeyService, "dicom:CT Image Storage SCP", high),
			},
		},
		{
			// getscu's request is longer than the 16 KiB head: its user
			// information, with the role selection items, is cut off, and
			// so is its C-GET-RQ. The AC's role items still say that the
			// client is the storage SCP.
			file: "get.txt",
			want: []dissect.Fact{
				cliFact(KeyAETitle, "WARD_WS", high),
				cliFact(dissect.KeyService, "dicom:Study Root Query/Retrieve Information Model - GET SCU", high),
				cliFact(dissect.KeyService, "dicom:CT Image Storage SCP", high),
				srvFact(dissect.KeyService, "dicom:Study Root Query/Retrieve Information Model - GET SCP", high),
				srvFact(dissect.KeyService, "dicom:CT Image Storage SCU", high),
				srvFact(KeyCommand, "C-STORE-RQ CT Image Storage", high),
				srvFact(KeyCommand, "C-GET-RSP status 0xFF00", high),
				srvFact(KeyCommand, "C-GET-RSP status 0x0000", high),
				srvFact(dissect.KeyClinicalRole, rolePACS, medium),
			},
			notWant: []dissect.Fact{
				cliFact(KeyImplClassUID, "1.2.276.0.7230010.3.0.3.6.7", high),
				cliFact(dissect.KeyService, "dicom:CT Image Storage SCU", high),
				srvFact(dissect.KeyService, "dicom:CT Image Storage SCP", high),
				cliFact(dissect.KeyClinicalRole, roleModality, medium),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			client, server := dissecttest.Heads(t, "testdata/"+tt.file)
			got, err := Dissect(ctx, client, server, nil)
			if err != nil {
				t.Fatalf("Dissect: got error %v, want nil", err)
			}
			for _, f := range tt.want {
				if !hasFact(got, f) {
					t.Errorf("got no fact %v, want it", f)
				}
			}
			for _, f := range tt.notWant {
				if hasFact(got, f) {
					t.Errorf("got fact %v, want none", f)
				}
			}
		})
	}
}

// cut returns the first n bytes of b, or all of it.
func cut(b []byte, n int) []byte { return b[:min(n, len(b))] }

func hasFact(facts []dissect.Fact, want dissect.Fact) bool {
	for _, f := range facts {
		if f == want {
			return true
		}
	}
	return false
}

// formatFacts writes facts one a line, for the golden files.
func formatFacts(facts []dissect.Fact) string {
	var b strings.Builder
	for _, f := range facts {
		who := "client"
		if f.Who == conn.Server {
			who = "server"
		}
		fmt.Fprintf(&b, "%s %s=%q %d\n", who, f.Key, f.Value, f.Confidence)
	}
	return b.String()
}

// TestGolden compares the facts of each recorded connection with
// testdata/NAME.golden. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	for _, h := range dissecttest.HeadsFiles(t, "testdata/*.txt") {
		t.Run(h.Name, func(t *testing.T) {
			facts, err := Dissect(ctx, h.Client, h.Server, nil)
			if err != nil {
				t.Fatalf("Dissect: got error %v, want nil", err)
			}
			got := formatFacts(facts)
			path := filepath.Join("testdata", h.Name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("facts differ from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// planted are the invented patient attributes record.sh puts in the data
// sets, and the image's SOP Instance UID, which the command set carries.
var planted = []string{
	"WARDTEST", "PLANTED", "9434765919", "19700101", "ACC0001",
	"2.25.302398476121209845934826739150123410001",
}

// TestNoPatientData checks that no planted value, as text or as hex, is in
// any fact or error, whatever prefix of the heads is read.
func TestNoPatientData(t *testing.T) {
	var needles []string
	for _, p := range planted {
		h := hex.EncodeToString([]byte(p))
		needles = append(needles, p, h, strings.ToUpper(h))
	}
	check := func(t *testing.T, facts []dissect.Fact, err error) {
		t.Helper()
		for _, f := range facts {
			for _, n := range needles {
				if strings.Contains(f.Value, n) || strings.Contains(f.Key, n) {
					t.Fatalf("fact %v carries planted %q", f, n)
				}
			}
		}
		if err != nil {
			for _, n := range needles {
				if strings.Contains(err.Error(), n) {
					t.Fatalf("error %q carries planted %q", err, n)
				}
			}
		}
	}
	carried := 0
	for _, h := range dissecttest.HeadsFiles(t, "testdata/*.txt") {
		name := []byte("WARDTEST^PLANTED")
		if bytes.Contains(h.Client, name) || bytes.Contains(h.Server, name) {
			carried++
		}
		t.Run(h.Name, func(t *testing.T) {
			for n := 0; n <= max(len(h.Client), len(h.Server)); n += 13 {
				facts, err := Dissect(ctx, cut(h.Client, n), cut(h.Server, n), nil)
				check(t, facts, err)
			}
			facts, err := Dissect(ctx, h.Client, h.Server, nil)
			check(t, facts, err)
		})
	}
	if carried < 3 {
		t.Errorf("got %d heads carrying the planted patient name, want 3 (store, get, worklist)", carried)
	}
}

// TestTruncations cuts both heads of each connection at every length: no
// cut may yield a bad fact or a fact the whole heads do not (confidence
// aside: an AE title is surer once the AC is read).
func TestTruncations(t *testing.T) {
	type kv struct {
		who        dissect.Endpoint
		key, value string
	}
	for _, h := range dissecttest.HeadsFiles(t, "testdata/*.txt") {
		t.Run(h.Name, func(t *testing.T) {
			step := 1
			if len(h.Client)+len(h.Server) > 4096 {
				step = 7
			}
			dissecttest.StreamTruncations(t, Dissect, ctx, h.Client, h.Server, step, Source)
			full, _ := Dissect(ctx, h.Client, h.Server, nil)
			all := map[kv]bool{}
			for _, f := range full {
				all[kv{f.Who, f.Key, f.Value}] = true
			}
			for n := 0; n <= max(len(h.Client), len(h.Server)); n += step {
				facts, err := Dissect(ctx, cut(h.Client, n), cut(h.Server, n), nil)
				if err != nil && !errors.As(err, new(*dissect.Error)) {
					t.Fatalf("cut to %d: got error of type %T, want *dissect.Error", n, err)
				}
				for _, f := range facts {
					if !all[kv{f.Who, f.Key, f.Value}] {
						t.Fatalf("cut to %d: got fact %v, which the whole heads do not yield", n, f)
					}
				}
			}
		})
	}
}

// TestCutAtLimit checks that a head Ward cut at its limit is not an error
// wherever it ends, and that a shorter one cut inside the association
// request is.
func TestCutAtLimit(t *testing.T) {
	client, server := dissecttest.Heads(t, "testdata/get.txt")
	if len(client) != headLimit {
		t.Fatalf("get.txt client head: got %d bytes, want %d", len(client), headLimit)
	}
	if _, err := Dissect(ctx, client, server, nil); err != nil {
		t.Errorf("head cut at the limit: got error %v, want nil", err)
	}
	_, err := Dissect(ctx, client[:headLimit-1], nil, nil)
	dissecttest.ErrorFrom(t, err, Source)
}

func TestDissectHandBuilt(t *testing.T) {
	rqUser := userItem(maxLength(32768), implUID("1.2.840.113619.6.286"), implVersion("GE_TEST_1"))
	acUser := userItem(maxLength(0), implUID("1.2.40.0.13.1.3"), implVersion("dcm4che-5.23.3"))
	tests := []struct {
		name           string
		client, server []byte
		want           []dissect.Fact
	}{
		{
			name: "manufacturer root, toolkit server, async window, unknown sop class and ts",
			client: associate(pduAssociateRQ, "PACS", "US_ROOM_3",
				appContext(applicationContext),
				proposal(1, "1.2.3.4.5", "1.2.3.4.6"),
				userItem(maxLength(32768), implUID("1.2.840.113619.6.286"), implVersion("GE_TEST_1"),
					asyncWindow(0, 1))),
			server: associate(pduAssociateAC, "PACS", "US_ROOM_3",
				appContext(applicationContext), answer(1, 0, "1.2.3.4.6"), acUser),
			want: []dissect.Fact{
				cliFact(KeyAETitle, "US_ROOM_3", high),
				cliLink(KeyPeer, "US_ROOM_3 -> PACS", high),
				cliFact(KeyImplClassUID, "1.2.840.113619.6.286", high),
				cliFact(dissect.KeyManufacturer, "GE Healthcare", medium),
				cliFact(KeyImplVersion, "GE_TEST_1", high),
				cliFact(KeyMaxPDU, "32768", high),
				cliFact(KeyAsyncWindow, "0/1", high),
				cliFact(KeySOPClass, "1.2.3.4.5", medium),
				cliFact(KeyTransferSyntax, "1.2.3.4.6", high),
				cliFact(dissect.KeyService, "dicom:1.2.3.4.5 SCU", high),
				srvFact(dissect.KeyService, "dicom", high),
				srvFact(KeyAETitle, "PACS", high),
				srvFact(KeyPeer, "US_ROOM_3 -> PACS", high),
				srvFact(KeyImplClassUID, "1.2.40.0.13.1.3", high),
				srvFact(dissect.KeySoftware, "dcm4che 5.23.3", medium),
				srvFact(KeyImplVersion, "dcm4che-5.23.3", high),
				srvFact(KeyMaxPDU, "0", high),
				srvFact(KeySOPClass, "1.2.3.4.5", high),
				srvFact(KeyTransferSyntax, "1.2.3.4.6", high),
				srvFact(dissect.KeyService, "dicom:1.2.3.4.5 SCP", high),
			},
		},
		{
			name: "ultrasound modality: worklist, mpps, storage commitment, store over two contexts",
			client: cat(
				associate(pduAssociateRQ, "RIS", "US1",
					proposal(1, uidWorklist, tsImplicit),
					proposal(3, uidMPPS, tsImplicit),
					proposal(5, uidUS, tsExplicit, tsImplicit),
					proposal(7, uidUS, tsImplicit),
					proposal(9, uidCommitment, tsImplicit),
					rqUser),
				pdata(pdv(1, mchCommand|mchLast, commandSet(uidWorklist, cFindRQ)),
					pdv(1, mchLast, []byte("WARDTEST^PLANTED"))),
				pdata(pdv(3, mchCommand|mchLast, commandSet(uidMPPS, nCreateRQ))),
				pdata(pdv(5, mchCommand|mchLast, commandSet(uidUS, cStoreRQ))),
				pdata(pdv(7, mchCommand|mchLast, commandSet(uidUS, cStoreRQ))),
				pdu(pduReleaseRQ, make([]byte, 4))),
			server: cat(
				associate(pduAssociateAC, "RIS", "US1",
					answer(1, 0, tsImplicit), answer(3, 0, tsImplicit), answer(5, 0, tsExplicit),
					answer(7, 0, tsImplicit), answer(9, 3, tsImplicit), acUser),
				pdata(pdv(1, mchCommand|mchLast, commandSet(uidWorklist, cFindRQ|response, 0xFF00))),
				pdu(pduReleaseRP, make([]byte, 4))),
			want: []dissect.Fact{
				cliFact(KeyAETitle, "US1", high),
				cliLink(KeyPeer, "US1 -> RIS", high),
				cliFact(KeyImplClassUID, "1.2.840.113619.6.286", high),
				cliFact(dissect.KeyManufacturer, "GE Healthcare", medium),
				cliFact(KeyImplVersion, "GE_TEST_1", high),
				cliFact(KeyMaxPDU, "32768", high),
				cliFact(KeySOPClass, "Modality Worklist Information Model - FIND", medium),
				cliFact(KeySOPClass, "Modality Performed Procedure Step", medium),
				cliFact(KeySOPClass, "Ultrasound Image Storage", medium),
				cliFact(KeySOPClass, "Storage Commitment Push Model", medium),
				cliFact(KeyTransferSyntax, "Implicit VR Little Endian", high),
				cliFact(KeyTransferSyntax, "Explicit VR Little Endian", high),
				cliFact(dissect.KeyService, "dicom:Modality Worklist Information Model - FIND SCU", high),
				cliFact(dissect.KeyService, "dicom:Modality Performed Procedure Step SCU", high),
				cliFact(dissect.KeyService, "dicom:Ultrasound Image Storage SCU", high),
				cliLink(KeyCommand, "C-FIND-RQ Modality Worklist Information Model - FIND", high),
				cliLink(KeyCommand, "N-CREATE-RQ Modality Performed Procedure Step", high),
				cliLink(KeyCommand, "C-STORE-RQ Ultrasound Image Storage", high),
				cliFact(dissect.KeyClinicalRole, roleModality, medium),
				cliFact(dissect.KeyModality, "US", medium),
				srvFact(dissect.KeyService, "dicom", high),
				srvFact(KeyAETitle, "RIS", high),
				srvFact(KeyPeer, "US1 -> RIS", high),
				srvFact(KeyImplClassUID, "1.2.40.0.13.1.3", high),
				srvFact(dissect.KeySoftware, "dcm4che 5.23.3", medium),
				srvFact(KeyImplVersion, "dcm4che-5.23.3", high),
				srvFact(KeyMaxPDU, "0", high),
				srvFact(KeySOPClass, "Modality Worklist Information Model - FIND", high),
				srvFact(KeySOPClass, "Modality Performed Procedure Step", high),
				srvFact(KeySOPClass, "Ultrasound Image Storage", high),
				srvFact(KeyTransferSyntax, "Implicit VR Little Endian", high),
				srvFact(KeyTransferSyntax, "Explicit VR Little Endian", high),
				srvFact(dissect.KeyService, "dicom:Modality Worklist Information Model - FIND SCP", high),
				srvFact(dissect.KeyService, "dicom:Modality Performed Procedure Step SCP", high),
				srvFact(dissect.KeyService, "dicom:Ultrasound Image Storage SCP", high),
				srvFact(KeyCommand, "C-FIND-RSP status 0xFF00", high),
				srvFact(dissect.KeyClinicalRole, roleStorage, low),
				srvFact(dissect.KeyClinicalRole, roleWorklist, medium),
				srvFact(dissect.KeyClinicalRole, roleMPPS, medium),
			},
		},
		{
			name: "role selection both ways, print scp, user identity, provider abort, odd context",
			client: cat(
				associate(pduAssociateRQ, "PRINTER\xe9", "WS\x01",
					appContext("1.2.3.99"),
					proposal(1, uidCT, tsImplicit),
					proposal(3, uidGrayPrint, tsImplicit),
					proposal(5, uidStudyMove, tsImplicit),
					userItem(maxLength(16384), roleSelection(uidCT, 1, 1),
						identity(identityPasscode, "alice", "s3cret"))),
				// A command set split over two PDVs of two PDUs.
				pdata(pdv(5, mchCommand, commandSet(uidStudyMove, cMoveRQ)[:10])),
				pdata(pdv(5, mchCommand|mchLast, commandSet(uidStudyMove, cMoveRQ)[10:]))),
			server: cat(
				associate(pduAssociateAC, "PRINTER", "WS",
					answer(1, 0, tsImplicit), answer(3, 0, tsImplicit), answer(5, 4, tsImplicit),
					userItem(maxLength(16384), roleSelection(uidCT, 1, 1))),
				pdu(pduAbort, []byte{0, 0, 2, 2})),
			want: []dissect.Fact{
				cliFact(KeyAETitle, "WS", high),
				cliLink(KeyPeer, "WS -> PRINTER?", high),
				cliFact(KeyAppContext, "1.2.3.99", medium),
				cliFact(KeyMaxPDU, "16384", high),
				cliFact(KeySOPClass, "CT Image Storage", medium),
				cliFact(KeySOPClass, "Basic Grayscale Print Management Meta", medium),
				cliFact(KeySOPClass, "Study Root Query/Retrieve Information Model - MOVE", medium),
				cliFact(KeyTransferSyntax, "Implicit VR Little Endian", high),
				cliFact(dissect.KeyService, "dicom:CT Image Storage SCU", high),
				cliFact(dissect.KeyService, "dicom:CT Image Storage SCP", high),
				cliFact(dissect.KeyService, "dicom:Basic Grayscale Print Management Meta SCU", high),
				cliLink(KeyCommand, "C-MOVE-RQ Study Root Query/Retrieve Information Model - MOVE", high),
				cliFact(dissect.KeyClinicalRole, roleWorkstation, medium),
				srvFact(dissect.KeyService, "dicom", high),
				srvFact(KeyAETitle, "PRINTER?", high),
				srvFact(KeyPeer, "WS -> PRINTER?", high),
				srvFact(KeyMaxPDU, "16384", high),
				srvFact(KeySOPClass, "CT Image Storage", high),
				srvFact(KeySOPClass, "Basic Grayscale Print Management Meta", high),
				srvFact(KeyTransferSyntax, "Implicit VR Little Endian", high),
				srvFact(dissect.KeyService, "dicom:CT Image Storage SCU", high),
				srvFact(dissect.KeyService, "dicom:CT Image Storage SCP", high),
				srvFact(dissect.KeyService, "dicom:Basic Grayscale Print Management Meta SCP", high),
				srvFact(dissect.KeyCleartextLogin, "dicom", high),
				srvFact(dissect.KeyClinicalRole, roleStorage, low),
				srvFact(dissect.KeyClinicalRole, rolePrinter, medium),
				srvFact(KeyAbort, "service-provider: unexpected-PDU", high),
			},
		},
		{
			name:   "called AE title not recognised",
			client: associate(pduAssociateRQ, "WRONG", "CT1", proposal(1, uidVerification, tsImplicit)),
			server: pdu(pduAssociateRJ, []byte{0, 1, 1, 7}),
			want: []dissect.Fact{
				cliFact(KeyAETitle, "CT1", medium),
				cliLink(KeyPeer, "CT1 -> WRONG", medium),
				cliFact(KeySOPClass, "Verification", medium),
				srvFact(dissect.KeyService, "dicom", high),
				srvFact(KeyRejected,
					"rejected-permanent, service-user, called-AE-title-not-recognized", high),
			},
		},
		{
			name:   "request only, transient provider rejection reasons unknown",
			client: associate(pduAssociateRQ, "PACS", "CT1"),
			server: pdu(pduAssociateRJ, []byte{0, 2, 3, 9}),
			want: []dissect.Fact{
				cliFact(KeyAETitle, "CT1", medium),
				cliLink(KeyPeer, "CT1 -> PACS", medium),
				srvFact(dissect.KeyService, "dicom", high),
				srvFact(KeyAETitle, "PACS", medium),
				srvFact(KeyPeer, "CT1 -> PACS", medium),
				srvFact(KeyRejected, "rejected-transient, service-provider (presentation), reason 9", high),
			},
		},
		{
			name:   "no answer yet",
			client: associate(pduAssociateRQ, "PACS", "  "),
			want: []dissect.Fact{
				srvFact(dissect.KeyService, "dicom", medium),
				srvFact(KeyAETitle, "PACS", medium),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(ctx, tt.client, tt.server, nil)
			if err != nil {
				t.Fatalf("Dissect: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
			for _, f := range got {
				if strings.Contains(f.Value, "alice") || strings.Contains(f.Value, "s3cret") ||
					strings.Contains(f.Value, "WARDTEST") {
					t.Errorf("fact %v carries a secret or patient data", f)
				}
			}
		})
	}
}

func TestDissectMalformed(t *testing.T) {
	rq := associate(pduAssociateRQ, "PACS", "CT1", proposal(1, uidCT, tsImplicit))
	ac := associate(pduAssociateAC, "PACS", "CT1", answer(1, 0, tsImplicit), userItem(maxLength(0)))
	// with overwrites b[at:] with v in a copy of b.
	with := func(b []byte, at int, v ...byte) []byte {
		c := bytes.Clone(b)
		copy(c[at:], v)
		return c
	}
	pdvCmd := func(cmd []byte) []byte { return pdata(pdv(1, mchCommand|mchLast, cmd)) }
	tests := []struct {
		name           string
		client, server []byte
		offset         int // of the error, in the head that has it
		wantFacts      int // about the client: those read before the error
	}{
		{"unknown pdu type", []byte{0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0}, nil, 0, 0},
		{"pdu type from the wrong side", ac, nil, 0, 0},
		{"pdu length over 2 GiB", with(rq, 2, 0xff, 0xff, 0xff, 0xff), nil, 2, 0},
		{"associate shorter than its fixed fields", pdu(pduAssociateRQ, make([]byte, 20)), nil, 2, 0},
		{"associate cut in its fixed fields", rq[:40], nil, 6, 0},
		{"item overruns its pdu", with(rq, 74+2, 0xff, 0xff), nil, 74, 2},
		{"pdu length smaller than its items", with(rq, 2, 0, 0, 0, 80), nil, 74, 2},
		{"sub-item overruns its item", with(rq, 74+8+2, 0x7f, 0xff), nil, 74 + 8, 2},
		{"presentation context item too short",
			associate(pduAssociateRQ, "PACS", "CT1", item(itemContextRQ, []byte{1, 0})), nil, 78, 2},
		{"max length sub-item of 3 bytes",
			associate(pduAssociateRQ, "PACS", "CT1", userItem(item(subMaxLength, []byte{1, 2, 3}))),
			nil, 82, 2},
		{"role selection uid length mismatch",
			associate(pduAssociateRQ, "PACS", "CT1",
				userItem(item(subRoleSelection, []byte{0, 9, '1', 1, 1}))),
			nil, 82, 2},
		{"cut in an item, head shorter than the limit", rq[:80], nil, 74, 2},
		{"release pdu of 5 bytes", pdu(pduReleaseRQ, make([]byte, 5)), nil, 2, 0},
		{"pdv shorter than its header", cat(rq, pdata([]byte{0, 0, 0, 1, 1, 3})), ac, len(rq) + 6, 5},
		{"pdv header overruns its pdu", cat(rq, pdata([]byte{0, 0, 0, 1, 1})), ac, len(rq) + 6, 5},
		{"pdv overruns its pdu", cat(rq, pdu(pduData, []byte{0xff, 0xff, 0xff, 0xff, 1, 3})), ac,
			len(rq) + 6, 5},
		{"command element outside group 0000",
			cat(rq, pdvCmd([]byte{8, 0, 0x20, 0, 2, 0, 0, 0, 'x', 'x'})), ac, len(rq) + 12, 5},
		{"command element overruns the command set",
			cat(rq, pdvCmd([]byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff})), ac, len(rq) + 12, 5},
		{"command element header cut", cat(rq, pdvCmd([]byte{0, 0, 0, 1})), ac, len(rq) + 12, 5},
		{"command set without a command field", cat(rq, pdvCmd(element(tagAffectedSOPClass, []byte(uidCT)))),
			ac, len(rq) + 12, 5},
		{"command set over 4096 bytes", cat(rq,
			pdata(pdv(1, mchCommand, make([]byte, 4000))), pdata(pdv(1, mchCommand, make([]byte, 200)))),
			ac, len(rq) + 4012 + 12, 5},
		{"command cut, head shorter than the limit",
			cat(rq, pdvCmd(commandSet(uidCT, cStoreRQ)))[:len(rq)+20], ac, len(rq) + 6, 5},
		{"pdu header cut", cat(rq, []byte{4, 0, 0}), ac, len(rq), 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(ctx, tt.client, tt.server, nil)
			dissecttest.ErrorAt(t, err, Source, tt.offset)
			dissecttest.CheckFacts(t, got, Source)
			client := 0
			for _, f := range got {
				if f.Who == conn.Client {
					client++
				}
			}
			if client != tt.wantFacts {
				t.Errorf("got %d client facts %v, want %d", client, got, tt.wantFacts)
			}
		})
	}
}

// TestDataSetSkipped checks that a data set, however it ends, is never an
// error: a P-DATA-TF cut inside one, or one that looks like a command.
func TestDataSetSkipped(t *testing.T) {
	rq := associate(pduAssociateRQ, "PACS", "CT1", proposal(1, uidCT, tsImplicit))
	dataSet := []byte("\x10\x00\x10\x00\x10\x00\x00\x00WARDTEST^PLANTED")
	client := cat(rq, pdata(pdv(1, mchCommand|mchLast, commandSet(uidCT, cStoreRQ))),
		pdata(pdv(1, mchLast, dataSet)))
	for n := len(client) - len(dataSet) + 1; n <= len(client); n++ {
		got, err := Dissect(ctx, client[:n], nil, nil)
		if err != nil {
			t.Fatalf("cut to %d inside the data set: got error %v, want nil", n, err)
		}
		if !hasFact(got, cliLink(KeyCommand, "C-STORE-RQ CT Image Storage", high)) {
			t.Fatalf("cut to %d: got facts %v, want the C-STORE-RQ", n, got)
		}
	}
}

func TestDetect(t *testing.T) {
	rq := associate(pduAssociateRQ, "PACS", "CT1")
	ac := associate(pduAssociateAC, "PACS", "CT1")
	tests := []struct {
		name           string
		client, server []byte
		want           bool
	}{
		{"request", rq, nil, true},
		{"accept only", nil, ac, true},
		{"reject only", nil, pdu(pduAssociateRJ, []byte{0, 1, 1, 7}), true},
		{"both empty", nil, nil, false},
		{"short", rq[:7], nil, false},
		{"request from the server", nil, rq, false},
		{"accept from the client", ac, nil, false},
		{"protocol version 2", func() []byte { b := bytes.Clone(rq); b[7] = 2; return b }(), nil, false},
		{"reserved byte set", func() []byte { b := bytes.Clone(rq); b[1] = 1; return b }(), nil, false},
		{"length below the fixed fields", pdu(pduAssociateRQ, []byte{0, 1}), nil, false},
		{"length over 1 MiB", []byte{1, 0, 0, 0x20, 0, 0, 0, 1}, nil, false},
		{"reject of 5 bytes", nil, pdu(pduAssociateRJ, []byte{0, 1, 1, 7, 0}), false},
		{"reject with result 3", nil, pdu(pduAssociateRJ, []byte{0, 3, 1, 7}), false},
		{"tls client hello", []byte{0x16, 3, 1, 0, 0xc8, 1, 0, 0, 0xc4, 3, 3}, nil, false},
		{"http", []byte("GET / HTTP/1.1\r\n"), []byte("HTTP/1.1 200 OK\r\n"), false},
		{"smb", []byte{0, 0, 0, 0x54, 0xff, 'S', 'M', 'B', 0x72, 0}, nil, false},
		{"ssh", []byte("SSH-2.0-OpenSSH_8.9\r\n"), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(tt.client, tt.server); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSoftware(t *testing.T) {
	tests := []struct {
		uid, name          string
		software, manufact string
	}{
		{"1.2.276.0.7230010.3.0.3.6.8", "OFFIS_DCMTK_368", "DCMTK 3.6.8", ""},
		{"1.2.276.0.7230010.3.0.3.6.10", "", "DCMTK 3.6.10", ""},
		{"1.2.276.0.7230010.3.0.3.6.4", "ORTHANC", "DCMTK 3.6.4", ""},
		{"1.2.276.0.7230010.3", "OFFIS_DCMBP_367", "DCMTK", ""},
		{"1.2.40.0.13.1.1", "dcm4che-2.0.29", "dcm4che 2.0.29", ""},
		{"1.2.40.0.13.1.3", "", "dcm4che", ""},
		{"1.3.6.1.4.1.30071.8", "fo-dicom 4.0.0", "fo-dicom 4.0.0", ""},
		{"1.2.826.0.1.3680043.9.3811.2.0.2", "PYNETDICOM_202", "pynetdicom 2.0.2", ""},
		{"1.2.826.0.1.3680043.8.498.1", "PYDICOM 2.4.0", "pydicom 2.4.0", ""},
		{"1.2.826.0.1.3680043.2.1143.107.104.103.115.3.0.24", "GDCM 3.0.24", "GDCM 3.0.24", ""},
		{"1.3.12.2.1107.5.2", "MR_VE11C", "", "Siemens Healthineers"},
		{"1.2.392.200036.9116.7.8", "", "", "Canon Medical Systems"},
		{"1.2.246.352.70.2.1.7", "", "", "Varian"},
		{"1.2.246.3521.1", "", "", ""},
		{"1.2.276.0.7230010.31", "OFFIS_DCMTK_367", "", ""},
		{"9.9.9", "OFFIS_DCMTK_367", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.uid, func(t *testing.T) {
			if got := software(nil, []byte(tt.uid), []byte(tt.name)); got != tt.software {
				t.Errorf("software: got %q, want %q", got, tt.software)
			}
			if got := manufacturer([]byte(tt.uid)); got != tt.manufact {
				t.Errorf("manufacturer: got %q, want %q", got, tt.manufact)
			}
		})
	}
}

// TestRegistries checks the embedded tables against the limits the code
// assumes.
func TestRegistries(t *testing.T) {
	if len(sopClasses) > maxSOPs {
		t.Errorf("got %d SOP Classes, want at most %d", len(sopClasses), maxSOPs)
	}
	if len(transferSyntaxes) > maxTSs {
		t.Errorf("got %d transfer syntaxes, want at most %d", len(transferSyntaxes), maxTSs)
	}
	if len(sopIndex) != len(sopClasses) || len(tsIndex) != len(transferSyntaxes) {
		t.Errorf("registries hold duplicate UIDs")
	}
	for _, c := range sopClasses {
		if c.name == "" || len(c.uid) > maxUID || !isVersion([]byte(c.uid)) {
			t.Errorf("bad SOP Class %+v", c)
		}
		if c.acquired && c.kind != kindStorage {
			t.Errorf("SOP Class %s: acquired but not storage", c.name)
		}
	}
	roots := map[string]bool{}
	for _, o := range origins {
		if roots[o.root] || (o.software == "") == (o.manufacturer == "") {
			t.Errorf("bad origin %+v", o)
		}
		roots[o.root] = true
	}
}

// TestScanAllocs checks that reading the heads, before any fact is
// formatted, allocates nothing.
func TestScanAllocs(t *testing.T) {
	for _, h := range dissecttest.HeadsFiles(t, "testdata/*.txt") {
		allocs := testing.AllocsPerRun(20, func() {
			var d dissector
			d.ctx = ctx
			d.head(h.Client, true)
			d.head(h.Server, false)
			d.markFirsts()
		})
		if allocs != 0 {
			t.Errorf("%s: got %.0f allocations, want 0", h.Name, allocs)
		}
	}
	client, server := dissecttest.Heads(t, "testdata/store.txt")
	if allocs := testing.AllocsPerRun(20, func() { Detect(client, server) }); allocs != 0 {
		t.Errorf("Detect: got %.0f allocations, want 0", allocs)
	}
}

func seeds(f *testing.F) {
	for _, h := range dissecttest.HeadsFiles(f, "testdata/*.txt") {
		f.Add(h.Client, h.Server)
	}
	rq := associate(pduAssociateRQ, "PACS", "CT1", proposal(1, uidCT, tsImplicit),
		userItem(maxLength(0), roleSelection(uidCT, 1, 1), identity(2, "u", "p")))
	f.Add(cat(rq, pdata(pdv(1, mchCommand, commandSet(uidCT, cStoreRQ)[:6]),
		pdv(1, mchCommand|mchLast, commandSet(uidCT, cStoreRQ)[6:]))),
		associate(pduAssociateAC, "PACS", "CT1", answer(1, 0, tsImplicit),
			userItem(roleSelection(uidCT, 0, 1))))
}

func FuzzDissect(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, client, server []byte) {
		Detect(client, server)
		facts, err := Dissect(ctx, client, server, nil)
		dissecttest.CheckFacts(t, facts, Source)
		if err != nil && !errors.As(err, new(*dissect.Error)) {
			t.Fatalf("got error of type %T, want *dissect.Error", err)
		}
	})
}

func BenchmarkDissect(b *testing.B) {
	for _, name := range []string{"echo", "store"} {
		client, server := dissecttest.Heads(b, "testdata/"+name+".txt")
		b.Run(name, func(b *testing.B) {
			out := make([]dissect.Fact, 0, 512)
			b.ReportAllocs()
			b.SetBytes(int64(len(client) + len(server)))
			for b.Loop() {
				out, _ = Dissect(ctx, client, server, out[:0])
			}
		})
	}
}

// BenchmarkDissectSeen measures an association like one seen before, as
// the pipeline runs it: with an intern table, every fact value is found in
// it and nothing is allocated.
func BenchmarkDissectSeen(b *testing.B) {
	for _, name := range []string{"echo", "store"} {
		client, server := dissecttest.Heads(b, "testdata/"+name+".txt")
		b.Run(name, func(b *testing.B) {
			c := *ctx
			c.Strings = dissect.NewStrings()
			out, _ := Dissect(&c, client, server, make([]dissect.Fact, 0, 512))
			b.ReportAllocs()
			b.SetBytes(int64(len(client) + len(server)))
			for b.Loop() {
				out, _ = Dissect(&c, client, server, out[:0])
			}
		})
	}
}

// TestSeenAssociationAllocs checks that an association whose facts are
// all known already costs no allocation, for every recorded head.
func TestSeenAssociationAllocs(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
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
			t.Errorf("%s: %v allocations for an association seen before, want 0", file, allocs)
		}
		if diff := cmp.Diff(want, out, dissecttest.EquateAddr()); diff != "" {
			t.Errorf("%s: facts differ the second time (-first +second):\n%s", file, diff)
		}
	}
}

// BenchmarkScan measures reading the heads without formatting facts.
func BenchmarkScan(b *testing.B) {
	client, server := dissecttest.Heads(b, "testdata/store.txt")
	b.ReportAllocs()
	b.SetBytes(int64(len(client) + len(server)))
	for b.Loop() {
		var d dissector
		d.ctx = ctx
		d.head(client, true)
		d.head(server, false)
		d.markFirsts()
	}
}

func BenchmarkDetect(b *testing.B) {
	client, server := dissecttest.Heads(b, "testdata/store.txt")
	b.ReportAllocs()
	for b.Loop() {
		Detect(client, server)
	}
}

var _ dissect.StreamFunc = Dissect
