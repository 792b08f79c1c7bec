package ssh

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// conn is the connection of the tests, to the SSH port.
var conn = dissecttest.NewStream(Source,
	dissecttest.Endpoint("", "192.0.2.10"), dissecttest.Endpoint("", "192.0.2.22"), 22)

var (
	ctx     = conn.Ctx
	srvFact = conn.ServerFact
	cliFact = conn.ClientFact
)

func TestDissectReal(t *testing.T) {
	tests := []struct {
		file string
		want []dissect.Fact
	}{
		{"debian-ubuntu.txt", []dissect.Fact{
			srvFact(KeyBanner, "SSH-2.0-OpenSSH_5.8p1 Debian-1ubuntu3", dissect.High),
			srvFact(dissect.KeyService, "ssh", dissect.High),
			srvFact(dissect.KeySoftware, "OpenSSH_5.8p1", dissect.High),
			srvFact(dissect.KeyOS, "Ubuntu", dissect.Medium),
			cliFact(KeyClient, "OpenSSH_5.2", dissect.High),
		}},
		{"ssh1.txt", []dissect.Fact{
			srvFact(KeyBanner, "SSH-1.99-OpenSSH_6.6.1p1 Ubuntu-2ubuntu2", dissect.High),
			srvFact(dissect.KeyService, "ssh", dissect.High),
			srvFact(dissect.KeySoftware, "OpenSSH_6.6.1p1", dissect.High),
			srvFact(dissect.KeyOS, "Ubuntu", dissect.Medium),
			srvFact(dissect.KeyInsecure, "ssh1", dissect.High),
			cliFact(KeyClient, "OpenSSH_6.2", dissect.High),
		}},
		{"gssapi.txt", []dissect.Fact{
			srvFact(KeyBanner, "SSH-1.99-OpenSSH_3.4+p1+gssapi+OpenSSH_3.7.1buf_fix+2006100301", dissect.High),
			srvFact(dissect.KeyService, "ssh", dissect.High),
			srvFact(dissect.KeySoftware, "OpenSSH_3.4+p1+gssapi+OpenSSH_3.7.1buf_fix+2006100301", dissect.High),
			srvFact(dissect.KeyInsecure, "ssh1", dissect.Medium),
			cliFact(KeyClient, "OpenSSH_6.6p1-hpn14v4", dissect.High),
		}},
		{"openssh58.txt", []dissect.Fact{
			srvFact(KeyBanner, "SSH-2.0-OpenSSH_5.8", dissect.High),
			srvFact(dissect.KeyService, "ssh", dissect.High),
			srvFact(dissect.KeySoftware, "OpenSSH_5.8", dissect.High),
			cliFact(KeyClient, "OpenSSH_5.9", dissect.High),
		}},
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

func TestDissectHandBuilt(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		want           []dissect.Fact
	}{
		{
			name:   "text lines before the banner, windows client",
			client: "SSH-2.0-OpenSSH_for_Windows_8.1\r\n",
			server: "Welcome\r\nmotd line\r\nSSH-2.0-dropbear_2019.78\r\n",
			want: []dissect.Fact{
				srvFact(KeyBanner, "SSH-2.0-dropbear_2019.78", dissect.High),
				srvFact(dissect.KeyService, "ssh", dissect.High),
				srvFact(dissect.KeySoftware, "dropbear_2019.78", dissect.High),
				cliFact(KeyClient, "OpenSSH_for_Windows_8.1", dissect.High),
				cliFact(dissect.KeyOS, "Windows", dissect.Medium),
			},
		},
		{
			name:   "ssh 1.5 server, raspbian, control byte",
			server: "SSH-1.5-OpenSSH_7.4p1 Raspbian-10+deb9u7\x01\r\n",
			want: []dissect.Fact{
				srvFact(KeyBanner, "SSH-1.5-OpenSSH_7.4p1 Raspbian-10+deb9u7?", dissect.High),
				srvFact(dissect.KeyService, "ssh", dissect.High),
				srvFact(dissect.KeySoftware, "OpenSSH_7.4p1", dissect.High),
				srvFact(dissect.KeyOS, "Raspbian", dissect.Medium),
				srvFact(dissect.KeyInsecure, "ssh1", dissect.High),
			},
		},
		{
			name:   "freebsd",
			server: "SSH-2.0-OpenSSH_7.8 FreeBSD-20180909\r\n",
			want: []dissect.Fact{
				srvFact(KeyBanner, "SSH-2.0-OpenSSH_7.8 FreeBSD-20180909", dissect.High),
				srvFact(dissect.KeyService, "ssh", dissect.High),
				srvFact(dissect.KeySoftware, "OpenSSH_7.8", dissect.High),
				srvFact(dissect.KeyOS, "FreeBSD", dissect.Medium),
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
		})
	}
}

func TestDissectMalformed(t *testing.T) {
	long := "SSH-2.0-" + string(make([]byte, 300)) + "\r\n"
	tests := []struct {
		name           string
		client, server string
		wantFacts      int
	}{
		{"cut banner", "", "SSH-2.0-Open", 0},
		{"no protocol dash", "", "SSH-2.0\r\n", 0},
		{"empty protocol", "", "SSH--x\r\n", 0},
		{"line too long", "", long, 0},
		{"not ssh", "", "HTTP/1.1 200 OK\r\n\r\n", 0},
		{"good server, cut client", "SSH-2.", "SSH-2.0-X\r\n", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(ctx, []byte(tt.client), []byte(tt.server), nil)
			dissecttest.ErrorFrom(t, err, Source)
			if len(got) != tt.wantFacts {
				t.Errorf("got %d facts %v, want %d", len(got), got, tt.wantFacts)
			}
		})
	}
}

func TestDissectTruncatedReal(t *testing.T) {
	client, server := dissecttest.Heads(t, "testdata/debian-ubuntu.txt")
	for n := 0; n <= 64; n++ {
		Dissect(ctx, client[:min(n, len(client))], server[:min(n, len(server))], nil)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		want           bool
	}{
		{"both empty", "", "", false},
		{"server banner", "", "SSH-2.0-x", true},
		{"client banner", "SSH-2.0-x", "", true},
		{"pre-banner line", "", "hello\r\nSSH-2.0-x\r\n", true},
		{"http", "GET / HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n", false},
		{"short", "SS", "S", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect([]byte(tt.client), []byte(tt.server)); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func seeds(f *testing.F) {
	for _, h := range dissecttest.HeadsFiles(f, "testdata/*.txt") {
		f.Add(h.Client, h.Server)
	}
	f.Add([]byte("SSH-1.5-x y\n"), []byte("a\nSSH-1.99-z FreeBSD\r\n"))
}

func FuzzDissect(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, client, server []byte) {
		Detect(client, server)
		facts, _ := Dissect(ctx, client, server, nil)
		dissecttest.CheckFacts(t, facts, Source)
	})
}

func BenchmarkDissect(b *testing.B) {
	client, server := dissecttest.Heads(b, "testdata/debian-ubuntu.txt")
	out := make([]dissect.Fact, 0, 16)
	b.ReportAllocs()
	b.SetBytes(int64(len(client) + len(server)))
	for b.Loop() {
		out, _ = Dissect(ctx, client, server, out[:0])
	}
}

var _ dissect.StreamFunc = Dissect
