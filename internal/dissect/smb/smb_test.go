package smb

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// conn is the connection of the tests, to the SMB port.
var conn = dissecttest.NewStream(Source,
	dissecttest.Endpoint("", "192.0.2.10"), dissecttest.Endpoint("", "192.0.2.45"), 445)

var (
	ctx = conn.Ctx
	srv = conn.ServerFact
	cli = conn.ClientFact
)

// TestDissectReal checks the facts from real heads. Values were checked
// against tshark 4.0 (see testdata/SOURCE.md). Heads cut at 4 KiB end inside
// a message, which is reported as an error after the facts.
func TestDissectReal(t *testing.T) {
	tests := []struct {
		file    string
		wantErr bool
		want    []dissect.Fact
	}{
		{"smb1-nbss139.txt", false, []dissect.Fact{
			cli(dissect.KeyHostname, "DESKTOP-V1FA0UQ", dissect.High),
			cli(KeyNTLMVersion, "10.0 build 10586", dissect.Medium),
			srv(dissect.KeyOS, "Windows 8.1 9600", dissect.Medium),
			srv(KeyNativeLanMan, "Windows 8.1 6.3", dissect.Medium),
			srv(KeyNTLMTarget, "SCV", dissect.Medium),
			srv(KeyNTLMVersion, "6.3 build 9600", dissect.Medium),
			srv(dissect.KeyOS, "Windows 6.3 build 9600", dissect.Medium),
			srv(KeyNTLMDomain, "SCV", dissect.Medium),
			srv(dissect.KeyHostname, "SCV", dissect.High),
			srv(KeyNTLMDNSDomain, "SCV", dissect.Medium),
			srv(dissect.KeyFQDN, "SCV", dissect.Medium),
			srv(KeyDialect, "NT LM 0.12", dissect.High),
			srv(dissect.KeyInsecure, "smbv1", dissect.High),
		}},
		{"smb1-ntlmssp.txt", false, []dissect.Fact{
			cli(dissect.KeyOS, "Unix", dissect.Medium),
			cli(KeyNativeLanMan, "Samba", dissect.Medium),
			cli(dissect.KeyHostname, "AF144A9BFC53", dissect.High),
			cli(KeyNTLMDomain, "WORKGROUP", dissect.Medium),
			cli(KeyNTLMVersion, "6.1 build 0", dissect.Medium),
			srv(dissect.KeyOS, "Windows 10 Home 15063", dissect.Medium),
			srv(KeyNativeLanMan, "Windows 10 Home 6.3", dissect.Medium),
			srv(KeyNTLMTarget, "DESKTOP-LIVQI8B", dissect.Medium),
			srv(KeyNTLMVersion, "10.0 build 15063", dissect.Medium),
			srv(dissect.KeyOS, "Windows 10.0 build 15063", dissect.Medium),
			srv(KeyNTLMDomain, "DESKTOP-LIVQI8B", dissect.Medium),
			srv(dissect.KeyHostname, "DESKTOP-LIVQI8B", dissect.High),
			srv(KeyNTLMDNSDomain, "DESKTOP-LIVQI8B", dissect.Medium),
			srv(dissect.KeyFQDN, "DESKTOP-LIVQI8B", dissect.Medium),
			srv(KeyDialect, "NT LM 0.12", dissect.High),
			srv(dissect.KeyInsecure, "smbv1", dissect.High),
		}},
		{"smb1-upgrade.txt", false, []dissect.Fact{
			srv(KeyServerGUID, "3f3dd02c-00b2-4fe1-bdd4-c8b70c275666", dissect.High),
			srv(KeyDialect, "3.0.2", dissect.High),
		}},
		{"smb1-xp.txt", true, []dissect.Fact{ // head cut inside a message
			cli(dissect.KeyOS, "Mac OS X 10.10", dissect.Medium),
			cli(KeyNativeLanMan, "SMBFS 3.0.0", dissect.Medium),
			cli(dissect.KeyHostname, "BABYBOOK", dissect.High),
			cli(KeyNTLMDomain, "TEST-F7DFBC3FE9", dissect.Medium),
			cli(KeyNTLMVersion, "6.1 build 7600", dissect.Medium),
			srv(dissect.KeyOS, "Windows 5.1", dissect.Medium),
			srv(KeyNativeLanMan, "Windows 2000 LAN Manager", dissect.Medium),
			srv(KeyNTLMTarget, "TEST-F7DFBC3FE9", dissect.Medium),
			srv(KeyNTLMVersion, "5.1 build 2600", dissect.Medium),
			srv(dissect.KeyOS, "Windows 5.1 build 2600", dissect.Medium),
			srv(KeyNTLMDomain, "TEST-F7DFBC3FE9", dissect.Medium),
			srv(dissect.KeyHostname, "TEST-F7DFBC3FE9", dissect.High),
			srv(KeyNTLMDNSDomain, "test-f7dfbc3fe9", dissect.Medium),
			srv(dissect.KeyFQDN, "test-f7dfbc3fe9", dissect.Medium),
			srv(KeyDialect, "NT LM 0.12", dissect.High),
			srv(dissect.KeyInsecure, "smbv1", dissect.High),
		}},
		{"smb202.txt", true, []dissect.Fact{ // head cut inside a message
			cli(dissect.KeyHostname, "SERVER01", dissect.High),
			cli(KeyNTLMDomain, "CONTOSO", dissect.Medium),
			cli(KeyNTLMVersion, "6.0 build 6001", dissect.Medium),
			srv(KeyServerGUID, "e6fa9a19-c50f-49c1-b76b-e5fbd1c6f112", dissect.High),
			srv(KeyNTLMTarget, "CONTOSO", dissect.Medium),
			srv(KeyNTLMVersion, "6.0 build 6001", dissect.Medium),
			srv(dissect.KeyOS, "Windows 6.0 build 6001", dissect.Medium),
			srv(KeyNTLMDomain, "CONTOSO", dissect.Medium),
			srv(dissect.KeyHostname, "SERVER002", dissect.High),
			srv(KeyNTLMDNSDomain, "contoso.com", dissect.Medium),
			srv(dissect.KeyFQDN, "SERVER002.contoso.com", dissect.Medium),
			srv(KeyDialect, "2.0.2", dissect.High),
		}},
		{"smb311.txt", true, []dissect.Fact{ // head cut inside a message
			cli(dissect.KeyHostname, "WIN-I82B81NSLLJ", dissect.High),
			cli(KeyNTLMDomain, "WIN-I82B81NSLLJ", dissect.Medium),
			cli(KeyNTLMVersion, "10.0 build 17763", dissect.Medium),
			srv(KeyServerGUID, "885e64fe-395f-47f1-89ca-b2d3d3f893bf", dissect.High),
			srv(KeyNTLMTarget, "SVV", dissect.Medium),
			srv(KeyNTLMVersion, "10.0 build 17763", dissect.Medium),
			srv(dissect.KeyOS, "Windows 10.0 build 17763", dissect.Medium),
			srv(KeyNTLMDomain, "SVV", dissect.Medium),
			srv(dissect.KeyHostname, "WIN-SVV-PC1", dissect.High),
			srv(KeyNTLMDNSDomain, "svv.local", dissect.Medium),
			srv(dissect.KeyFQDN, "win-svv-pc1.svv.local", dissect.Medium),
			srv(KeyDialect, "3.1.1", dissect.High),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			client, server := dissecttest.Heads(t, "testdata/"+tt.file)
			if !Detect(client, server) {
				t.Errorf("Detect = false, want true")
			}
			got, err := Dissect(ctx, client, server, nil)
			if (err != nil) != tt.wantErr {
				t.Errorf("got error %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
			for _, f := range got {
				if f.Value == "Administrator" || f.Value == "test" { // the user names tshark shows
					t.Errorf("fact %v carries a user name", f)
				}
			}
		})
	}
}

// nb wraps an SMB message in a NetBIOS session message header.
func nb(msg []byte) []byte {
	h := []byte{0, byte(len(msg) >> 16), byte(len(msg) >> 8), byte(len(msg))}
	return append(h, msg...)
}

// smb1Msg builds an SMB1 message: header, words, bytes.
func smb1Msg(cmd byte, reply bool, words, data []byte) []byte {
	m := make([]byte, smb1HeaderLen, smb1HeaderLen+3+len(words)+len(data))
	copy(m, "\xffSMB")
	m[4] = cmd
	if reply {
		m[9] = smb1FlagReply
	}
	m = append(m, byte(len(words)/2))
	m = append(m, words...)
	m = binary.LittleEndian.AppendUint16(m, uint16(len(data)))
	return append(m, data...)
}

// smb2Negotiate builds an SMB2 NEGOTIATE response choosing rev.
func smb2Negotiate(rev uint16) []byte {
	m := make([]byte, smb2HeaderLen+65)
	copy(m, "\xfeSMB")
	binary.LittleEndian.PutUint16(m[4:], 64)
	binary.LittleEndian.PutUint32(m[16:], smb2FlagResponse)
	body := m[smb2HeaderLen:]
	binary.LittleEndian.PutUint16(body, 65)
	binary.LittleEndian.PutUint16(body[4:], rev)
	for i := range 16 {
		body[8+i] = byte(i)
	}
	return m
}

func TestDissectHandBuilt(t *testing.T) {
	offer := []byte("\x02PC NETWORK PROGRAM 1.0\x00\x02NT LM 0.12\x00\x02SMB 2.002\x00")
	tests := []struct {
		name           string
		client, server []byte
		want           []dissect.Fact
	}{
		{
			name:   "smb1 dialect chosen by index",
			client: nb(smb1Msg(smb1CmdNegotiate, false, nil, offer)),
			server: nb(smb1Msg(smb1CmdNegotiate, true, []byte{1, 0}, nil)),
			want: []dissect.Fact{
				srv(KeyDialect, "NT LM 0.12", dissect.High),
				srv(dissect.KeyInsecure, "smbv1", dissect.High),
			},
		},
		{
			name:   "smb1 negotiate upgraded to smb2, then 2.1",
			client: nb(smb1Msg(smb1CmdNegotiate, false, nil, offer)),
			server: append(nb(smb2Negotiate(smb2DialectWild)), nb(smb2Negotiate(0x0210))...),
			want: []dissect.Fact{
				srv(KeyServerGUID, "03020100-0504-0706-0809-0a0b0c0d0e0f", dissect.High),
				srv(KeyDialect, "2.1", dissect.High),
			},
		},
		{
			name:   "no common dialect",
			client: nb(smb1Msg(smb1CmdNegotiate, false, nil, offer)),
			server: nb(smb1Msg(smb1CmdNegotiate, true, []byte{0xff, 0xff}, nil)),
		},
		{
			name:   "smb1 command from the client only",
			client: nb(smb1Msg(0x75, false, nil, nil)),
			want:   []dissect.Fact{srv(dissect.KeyInsecure, "smbv1", dissect.Medium)},
		},
		{
			name:   "unknown smb2 dialect",
			server: nb(smb2Negotiate(0x0400)),
			want: []dissect.Fact{
				srv(KeyServerGUID, "03020100-0504-0706-0809-0a0b0c0d0e0f", dissect.High),
				srv(KeyDialect, "0x0400", dissect.High),
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
		})
	}
}

// challengeBlob builds an NTLMSSP CHALLENGE with the given target info.
func challengeBlob(info []byte) []byte {
	m := make([]byte, 56)
	copy(m, ntlmSignature)
	binary.LittleEndian.PutUint32(m[8:], ntlmChallenge)
	binary.LittleEndian.PutUint32(m[20:], flagUnicode)
	binary.LittleEndian.PutUint16(m[40:], uint16(len(info)))
	binary.LittleEndian.PutUint32(m[44:], 56)
	return append(m, info...)
}

func TestNTLMMalformed(t *testing.T) {
	tests := []struct {
		name string
		blob []byte
	}{
		{"short message", []byte("xxNTLMSSP\x00\x02\x00")},
		{"short challenge", append(append([]byte{}, ntlmSignature...), 2, 0, 0, 0, 1, 2)},
		{"av pair past end", challengeBlob([]byte{1, 0, 200, 0, 'A', 0})},
		{"no eol", challengeBlob([]byte{1, 0, 2, 0, 'A', 0})},
		{"field past end", func() []byte {
			b := challengeBlob(nil)
			binary.LittleEndian.PutUint16(b[12:], 10)
			binary.LittleEndian.PutUint32(b[16:], 0xfffffff0)
			return b
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dissector{ctx: ctx}
			err := d.ntlmssp(tt.blob, 0, false)
			dissecttest.ErrorFrom(t, err, Source)
		})
	}
}

func TestDissectMalformed(t *testing.T) {
	tests := []struct {
		name           string
		file           string
		client, server []byte
	}{
		{name: "oss-fuzz 54883 (zeek)", file: "fuzz-54883.txt"},
		{name: "not smb", server: nb([]byte("HTTP/1.1 200 OK"))},
		{name: "tiny message", server: nb([]byte{0xff})},
		{name: "smb1 header cut", server: nb([]byte("\xffSMBr\x00\x00"))},
		{name: "smb1 words past end", server: nb(append(make([]byte, 0, 40), "\xffSMBr"+string(make([]byte, 27))+"\x11"...))},
		{name: "smb2 header cut", server: nb([]byte("\xfeSMB@\x00"))},
		{name: "negotiate cut", server: nb(smb2Negotiate(0x0311)[:80])},
		{name: "netbios header cut", server: []byte{0, 0}},
		{name: "bad next command", server: func() []byte {
			m := smb2Negotiate(0x0311)
			binary.LittleEndian.PutUint32(m[20:], 9999)
			return nb(m)
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server := tt.client, tt.server
			if tt.file != "" {
				client, server = dissecttest.Heads(t, "testdata/"+tt.file)
			}
			_, err := Dissect(ctx, client, server, nil)
			dissecttest.ErrorFrom(t, err, Source)
		})
	}
}

// TestDissectTruncatedReal cuts real heads at every length: no panic, and
// never a user name.
func TestDissectTruncatedReal(t *testing.T) {
	client, server := dissecttest.Heads(t, "testdata/smb1-ntlmssp.txt")
	for n := 0; n <= max(len(client), len(server)); n += 3 {
		got, _ := Dissect(ctx, client[:min(n, len(client))], server[:min(n, len(server))], nil)
		for _, f := range got {
			if f.Value == "" {
				t.Fatalf("empty fact %v", f)
			}
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name           string
		client, server []byte
		want           bool
	}{
		{"empty", nil, nil, false},
		{"smb2", nil, nb(smb2Negotiate(0x0311)), true},
		{"smb1", nb(smb1Msg(smb1CmdNegotiate, false, nil, nil)), nil, true},
		{"session request only", []byte{0x81, 0, 0, 2, 'a', 'b'}, []byte{0x82, 0, 0, 0}, false},
		{"http", []byte("GET / HTTP/1.1\r\n"), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(tt.client, tt.server); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzDissect(f *testing.F) {
	for _, h := range dissecttest.HeadsFiles(f, "testdata/*.txt") {
		f.Add(h.Client[:min(len(h.Client), 2048)], h.Server[:min(len(h.Server), 2048)])
	}
	f.Add([]byte(nil), nb(challengeBlob([]byte{1, 0, 2, 0, 'A', 0, 0, 0, 0, 0})))
	f.Fuzz(func(t *testing.T, client, server []byte) {
		Detect(client, server)
		facts, _ := Dissect(ctx, client, server, nil)
		dissecttest.CheckFacts(t, facts, Source)
	})
}

func BenchmarkDissect(b *testing.B) {
	client, server := dissecttest.Heads(b, "testdata/smb311.txt")
	out := make([]dissect.Fact, 0, 32)
	b.ReportAllocs()
	b.SetBytes(int64(len(client) + len(server)))
	for b.Loop() {
		out, _ = Dissect(ctx, client, server, out[:0])
	}
}

var _ dissect.StreamFunc = Dissect
