package ftp

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// conn is the connection of the tests, to the FTP port.
var conn = dissecttest.NewStream(Source,
	dissecttest.Endpoint("", "192.0.2.10"), dissecttest.Endpoint("", "192.0.2.21"), 21)

var (
	ctx     = conn.Ctx
	srvFact = conn.ServerFact
)

var (
	insecure  = srvFact(dissect.KeyInsecure, "ftp", dissect.High)
	unixL8    = srvFact(KeySyst, "UNIX Type: L8", dissect.High)
	anonymous = srvFact(KeyAnonymous, "yes", dissect.High)
	cleartext = srvFact(dissect.KeyCleartextLogin, "ftp", dissect.High)
)

func TestDissectReal(t *testing.T) {
	tests := []struct {
		file    string
		want    []dissect.Fact
		secrets []string
	}{
		{"vsftpd-anonymous.txt", []dissect.Fact{
			insecure,
			srvFact(KeyBanner, "(vsFTPd 3.0.3)", dissect.High),
			srvFact(dissect.KeySoftware, "vsFTPd 3.0.3", dissect.Medium),
			unixL8, anonymous,
		}, nil},
		{"proftpd.txt", []dissect.Fact{
			insecure,
			srvFact(KeyBanner, "ProFTPD 1.3.0a Server (ProFTPD Anonymous Server) [192.168.1.231]", dissect.High),
			srvFact(dissect.KeySoftware, "ProFTPD 1.3.0a", dissect.Medium),
			unixL8, anonymous,
		}, nil},
		{"filezilla.txt", []dissect.Fact{
			insecure,
			srvFact(KeyBanner, "FileZilla Server 1.9.1", dissect.High),
			srvFact(dissect.KeySoftware, "FileZilla Server 1.9.1", dissect.Medium),
			cleartext,
		}, []string{"Admin", "qwerty"}},
		{"auth-tls.txt", []dissect.Fact{
			srvFact(KeyBanner, "(vsFTPd 3.0.5)", dissect.High),
			srvFact(dissect.KeySoftware, "vsFTPd 3.0.5", dissect.Medium),
			srvFact(KeyTLS, "yes", dissect.High),
		}, nil},
		{"bruteforce.txt", []dissect.Fact{
			insecure,
			srvFact(KeyBanner, "redmint FTP server (Version 6.4/OpenBSD/Linux-ftpd-0.17) ready.", dissect.High),
			srvFact(dissect.KeySoftware, "Linux-ftpd 0.17", dissect.Medium),
			cleartext,
		}, []string{"bro"}},
		{"netbsd.txt", []dissect.Fact{
			insecure,
			srvFact(KeyBanner, "ftp.NetBSD.org FTP server (NetBSD-ftpd 20100320) ready.", dissect.High),
			srvFact(dissect.KeySoftware, "NetBSD-ftpd 20100320", dissect.Medium),
			srvFact(KeySyst, "UNIX Type: L8 Version: NetBSD-ftpd 20100320", dissect.High),
			anonymous,
		}, nil},
		{"pureftpd.txt", []dissect.Fact{
			insecure,
			srvFact(KeyBanner, "Welcome to Pure-FTPd [privsep] [TLS]", dissect.High),
			srvFact(dissect.KeySoftware, "Pure-FTPd", dissect.Medium),
			unixL8, anonymous,
		}, nil},
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
			dissecttest.NoSecret(t, got, tt.secrets...)
		})
	}
}

func TestDissectHandBuilt(t *testing.T) {
	const greet = "220 Microsoft FTP Service\r\n"
	tests := []struct {
		name           string
		client, server string
		want           []dissect.Fact
	}{
		{
			name:   "default pair accepted, lower-case commands",
			client: "user admin\r\npass admin\r\nsyst\r\n",
			server: greet + "331 Password required\r\n230 User logged in.\r\n215 Windows_NT\r\n",
			want: []dissect.Fact{
				insecure,
				srvFact(KeyBanner, "Microsoft FTP Service", dissect.High),
				srvFact(dissect.KeySoftware, "Microsoft FTP Service", dissect.Medium),
				srvFact(KeySyst, "Windows_NT", dissect.High),
				cleartext,
				srvFact(dissect.KeyDefaultCreds, "admin", dissect.High),
			},
		},
		{
			name:   "default pair refused, then another refused",
			client: "USER admin\r\nPASS admin\r\nUSER nurse\r\nPASS s3cret\r\n",
			server: greet + "331 x\r\n530 no\r\n331 x\r\n530 no\r\n",
			want: []dissect.Fact{
				insecure,
				srvFact(KeyBanner, "Microsoft FTP Service", dissect.High),
				srvFact(dissect.KeySoftware, "Microsoft FTP Service", dissect.Medium),
				cleartext,
			},
		},
		{
			name:   "pass without reply yet, multi-line and 120 greeting",
			client: "USER root\r\nPASS root\r\n",
			server: "120 wait\r\n220-Serv-U FTP Server v15.1 ready\r\n more\r\n220 end\r\n331 ok\r\n",
			want: []dissect.Fact{
				insecure,
				srvFact(KeyBanner, "Serv-U FTP Server v15.1 ready", dissect.High),
				srvFact(dissect.KeySoftware, "Serv-U", dissect.Medium),
				srvFact(dissect.KeyCleartextLogin, "ftp", dissect.Medium),
				srvFact(dissect.KeyDefaultCreds, "root", dissect.Medium),
			},
		},
		{
			name:   "auth tls refused, then cleartext",
			client: "AUTH TLS\r\nUSER x\r\nPASS y\r\n",
			server: "220 ready\r\n500 no\r\n331 ok\r\n230 ok\r\n",
			want: []dissect.Fact{
				insecure,
				srvFact(KeyBanner, "ready", dissect.High),
				srvFact(KeyTLS, "yes", dissect.Medium),
				cleartext,
			},
		},
		{
			name:   "anonymous refused",
			client: "USER anonymous\r\nPASS guest@\r\n",
			server: "220 ready\r\n530 no anonymous\r\n503 login first\r\n",
			want: []dissect.Fact{
				insecure,
				srvFact(KeyBanner, "ready", dissect.High),
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
			dissecttest.NoSecret(t, got, "nurse", "s3cret", "guest@")
		})
	}
}

func TestDissectMalformed(t *testing.T) {
	tests := []struct {
		name           string
		file           string
		client, server string
		wantFacts      int
	}{
		{name: "invalid reply code (zeek)", file: "invalid-reply-code.txt", wantFacts: 3},
		{name: "greeting without code", server: "hello\r\n", wantFacts: 0},
		{name: "binary after greeting", client: "USER a\r\n", server: "220 x\r\n\x16\x03\x01\r\n", wantFacts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server := []byte(tt.client), []byte(tt.server)
			if tt.file != "" {
				client, server = dissecttest.Heads(t, "testdata/"+tt.file)
			}
			got, err := Dissect(ctx, client, server, nil)
			dissecttest.ErrorFrom(t, err, Source)
			if len(got) != tt.wantFacts {
				t.Errorf("got %d facts %v, want %d", len(got), got, tt.wantFacts)
			}
		})
	}
}

func TestDissectTruncatedReal(t *testing.T) {
	client, server := dissecttest.Heads(t, "testdata/filezilla.txt")
	for n := 0; n <= len(server); n++ {
		for _, m := range []int{0, len(client) / 2, len(client)} {
			got, _ := Dissect(ctx, client[:m], server[:n], nil)
			dissecttest.NoSecret(t, got, "qwerty")
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		want           bool
	}{
		{"empty", "", "", false},
		{"greeting", "", "220 (vsFTPd 3.0.3)\r\n", true},
		{"multi-line greeting", "", "220-hi\r\n", true},
		{"user first", "user bob\r\n", "", true},
		{"smtp", "", "220 mail.example ESMTP Postfix\r\n", false},
		{"smtp client", "EHLO x\r\n", "220 mail\r\n", false},
		{"short", "US", "22", false},
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
	f.Fuzz(func(t *testing.T, client, server []byte) {
		Detect(client, server)
		facts, _ := Dissect(ctx, client, server, nil)
		dissecttest.CheckFacts(t, facts, Source)
	})
}

func BenchmarkDissect(b *testing.B) {
	client, server := dissecttest.Heads(b, "testdata/netbsd.txt")
	out := make([]dissect.Fact, 0, 16)
	out, _ = Dissect(ctx, client, server, out) // loads the creds table
	b.ReportAllocs()
	b.SetBytes(int64(len(client) + len(server)))
	for b.Loop() {
		out, _ = Dissect(ctx, client, server, out[:0])
	}
}

var _ dissect.StreamFunc = Dissect
