package telnet

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// conn is the connection of the tests, to the Telnet port.
var conn = dissecttest.NewStream(Source,
	dissecttest.Endpoint("", "192.0.2.10"), dissecttest.Endpoint("", "192.0.2.23"), 23)

var (
	ctx     = conn.Ctx
	srvFact = conn.ServerFact
)

var insecure = srvFact(dissect.KeyInsecure, "telnet", dissect.High)

func TestDissectReal(t *testing.T) {
	client, server := dissecttest.Heads(t, "testdata/openbsd.txt")
	if !Detect(client, server) {
		t.Errorf("Detect = false, want true")
	}
	got, err := Dissect(ctx, client, server, nil)
	if err != nil {
		t.Fatalf("Dissect: got error %v, want nil", err)
	}
	want := []dissect.Fact{
		insecure,
		srvFact(KeyBanner, "OpenBSD/i386 (oof) (ttyp2)", dissect.Medium),
		srvFact(dissect.KeyCleartextLogin, "telnet", dissect.High),
	}
	if diff := cmp.Diff(want, got, dissecttest.EquateAddr()); diff != "" {
		t.Errorf("facts mismatch (-want +got):\n%s", diff)
	}
	dissecttest.NoSecret(t, got, "fake", "user")
}

const (
	will = "\xff\xfb\x01"
	do   = "\xff\xfd\x18"
	sb   = "\xff\xfa\x18\x00VT100\xff\xf0"
)

func TestDissectHandBuilt(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		want           []dissect.Fact
	}{
		{
			name:   "cisco password only, default, accepted",
			client: do + "cisco\r\n",
			server: will + "\r\n\r\nUser Access Verification\r\n\r\nPassword: \r\nRouter>",
			want: []dissect.Fact{
				insecure,
				srvFact(KeyBanner, "User Access Verification", dissect.Medium),
				srvFact(dissect.KeyCleartextLogin, "telnet", dissect.High),
				srvFact(dissect.KeyDefaultCreds, "yes", dissect.High),
			},
		},
		{
			name: "getty, char at a time with backspace and CR NUL, root/root",
			client: sb + "r\x00o\x00x\x08o\x00t\r\x00" +
				"r" + "o" + "o" + "t" + "\r\x00",
			server: will + "Ubuntu 22.04.3 LTS\r\n\x1b[1mward-pi\x1b[0m login: root\r\n" +
				"Password: \r\nLast login: Mon Jan  1 10:00:00 2024\r\n$ ",
			want: []dissect.Fact{
				insecure,
				srvFact(KeyBanner, "Ubuntu 22.04.3 LTS", dissect.Medium),
				srvFact(dissect.KeyHostname, "ward-pi", dissect.Medium),
				srvFact(dissect.KeyCleartextLogin, "telnet", dissect.High),
				srvFact(dissect.KeyDefaultCreds, "root", dissect.High),
			},
		},
		{
			name:   "hostname from getty prompt, rejected default",
			client: "admin\r\nadmin\r\n",
			server: will + "\r\nmedpump-07 login: admin\r\nPassword:\r\nLogin incorrect\r\nmedpump-07 login: ",
			want: []dissect.Fact{
				insecure,
				srvFact(dissect.KeyHostname, "medpump-07", dissect.Medium),
				srvFact(dissect.KeyCleartextLogin, "telnet", dissect.Medium),
			},
		},
		{
			name:   "second attempt default, outcome unknown",
			client: "nurse\nwrong\nadmin\n1234\n",
			server: "Username: \r\nPassword: \r\n% Login invalid\r\n\r\nUsername: \r\nPassword: ",
			want: []dissect.Fact{
				insecure,
				srvFact(dissect.KeyCleartextLogin, "telnet", dissect.Medium),
				srvFact(dissect.KeyDefaultCreds, "admin", dissect.Medium),
			},
		},
		{
			name:   "IAC IAC is data, password not yet typed",
			client: "adm",
			server: "Welcome \xff\xff to \xff\xf1box\r\nlogin: ",
			want: []dissect.Fact{
				insecure,
				srvFact(KeyBanner, "Welcome  to box", dissect.Medium),
			},
		},
		{
			name:   "long banner capped",
			server: strings.Repeat("x", 300) + "\r\nlogin: ",
			want: []dissect.Fact{
				insecure,
				srvFact(KeyBanner, strings.Repeat("x", maxBanner), dissect.Medium),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(ctx, []byte(tt.client), []byte(tt.server), nil)
			if err != nil {
				t.Fatalf("Dissect: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
			dissecttest.NoSecret(t, got, "nurse", "wrong", "1234", "cisco")
		})
	}
}

func TestDissectMalformed(t *testing.T) {
	tests := []struct {
		name           string
		file           string
		client, server string
	}{
		{name: "unclosed suboption (zeek)", file: "unclosed-suboption.txt"},
		{name: "iac oobr (tcpdump)", file: "iac-oobr.txt"},
		{name: "lone IAC at end", server: "login: \xff"},
		{name: "negotiation cut", server: "\xff\xfb"},
		{name: "client sb cut", client: "\xff\xfa\x18\x00VT1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server := []byte(tt.client), []byte(tt.server)
			if tt.file != "" {
				client, server = dissecttest.Heads(t, "testdata/"+tt.file)
			}
			got, err := Dissect(ctx, client, server, nil)
			dissecttest.ErrorFrom(t, err, Source)
			if len(got) == 0 || got[0] != insecure {
				t.Errorf("got facts %v, want insecure_protocol first", got)
			}
		})
	}
}

func TestDissectTruncatedReal(t *testing.T) {
	client, server := dissecttest.Heads(t, "testdata/openbsd.txt")
	for n := 0; n <= len(server); n++ {
		got, _ := Dissect(ctx, client[:min(n, len(client))], server[:n], nil)
		dissecttest.NoSecret(t, got, "fake", "user")
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		typed bool
		want  string
	}{
		{"server CR NUL", "a\r\x00b", false, "a\rb"},
		{"typed CR LF", "ab\r\ncd\r\n", true, "ab\ncd\n"},
		{"typed CR NUL and LF", "ab\r\x00\n\ncd\r", true, "ab\n\n\ncd\n"},
		{"typed DEL", "abc\x7f\x7fd\n", true, "ad\n"},
		{"backspace stops at line start", "a\n\x08b\n", true, "a\nb\n"},
		{"sb with IAC IAC inside", "x\xff\xfa\x18\xff\xff\x01\xff\xf0y", false, "xy"},
		{"sb ended by a new command", "\xff\xfa\x18\x01\xff\xfd\x01z", false, "z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := clean([]byte(tt.in), tt.typed)
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if !bytes.Equal(got, []byte(tt.want)) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		want           bool
	}{
		{"empty", "", "", false},
		{"server will", "", will, true},
		{"client do", do, "", true},
		{"ssh", "SSH-2.0-x", "SSH-2.0-y", false},
		{"short", "\xff", "\xff\xfb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect([]byte(tt.client), []byte(tt.server)); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzDissect(f *testing.F) {
	for _, h := range dissecttest.HeadsFiles(f, "testdata/*.txt") {
		f.Add(h.Client, h.Server)
	}
	f.Add([]byte("admin\r\nadmin\r\n"), []byte(will+"x login: \r\nPassword:\r\n# "))
	f.Fuzz(func(t *testing.T, client, server []byte) {
		Detect(client, server)
		facts, _ := Dissect(ctx, client, server, nil)
		dissecttest.CheckFacts(t, facts, Source)
		for _, fc := range facts {
			if len(fc.Value) > maxBanner {
				t.Errorf("fact value of %d bytes, want at most %d", len(fc.Value), maxBanner)
			}
		}
	})
}

func BenchmarkDissect(b *testing.B) {
	client, server := dissecttest.Heads(b, "testdata/openbsd.txt")
	out := make([]dissect.Fact, 0, 16)
	out, _ = Dissect(ctx, client, server, out) // loads the creds table
	b.ReportAllocs()
	b.SetBytes(int64(len(client) + len(server)))
	for b.Loop() {
		out, _ = Dissect(ctx, client, server, out[:0])
	}
}

var _ dissect.StreamFunc = Dissect
