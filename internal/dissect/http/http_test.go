package http

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// conn is the connection of the tests, to port 80.
var conn = dissecttest.NewStream("http",
	dissecttest.Endpoint("02:00:00:00:00:01", "10.0.0.1"),
	dissecttest.Endpoint("02:00:00:00:00:02", "10.0.0.2"), 80)

// The ends of the test connection, and the Context the dissector sees.
var client, server, testCtx = conn.Client, conn.Server, conn.Ctx

// fact builds an expected fact.
func fact(who dissect.Endpoint, key, value string, c dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: "http", Key: key, Value: value, Confidence: c}
}

const (
	ieUA      = "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; WOW64; Trident/4.0; SLCC2; .NET CLR 2.0.50727; .NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0)"
	chrome8   = "Mozilla/5.0 (Windows; U; Windows NT 6.1; en-US) AppleWebKit/534.10 (KHTML, like Gecko) Chrome/8.0.552.237 Safari/534.10"
	chrome115 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/115.0.5790.110 Safari/537.36"
)

// TestDissectCaptures checks the facts read from real connections against
// the values tshark shows for the same packets (see testdata/SOURCE.md).
func TestDissectCaptures(t *testing.T) {
	tests := []struct {
		name string
		want []dissect.Fact
	}{
		{"ethernet", []dissect.Fact{
			fact(server, KeyHost, "10.1.1.1", dissect.Medium),
			fact(client, KeyUserAgent, "curl/7.47.0", dissect.High),
			fact(server, KeyServer, "GoAhead-Webs", dissect.High),
		}},
		{"basic_auth", []dissect.Fact{
			fact(server, KeyHost, "172.24.133.205", dissect.Medium),
			fact(client, KeyUserAgent, "python-requests/2.31.0", dissect.High),
			fact(client, dissect.KeyCleartextLogin, "http-basic", dissect.High),
			fact(server, KeyServer, "SimpleHTTP/0.6 Python/3.10.6", dissect.High),
			fact(server, KeyTitle, "Directory listing for /", dissect.Medium),
		}},
		{"auth_unrecognized", []dissect.Fact{
			fact(server, KeyHost, "127.0.0.1", dissect.Medium),
			fact(client, KeyUserAgent, "curl/7.54.0", dissect.High),
			fact(server, KeyServer, "SimpleHTTP/0.6 Python/3.7.2", dissect.High),
			fact(server, KeyTitle, "Directory listing for /", dissect.Medium),
		}},
		{"keepalive_iis", []dissect.Fact{ // eight requests and responses, one of each fact
			fact(server, KeyHost, "c.msn.com", dissect.Medium),
			fact(client, KeyUserAgent, chrome8, dissect.High),
			fact(server, KeyServer, "Microsoft-IIS/7.5", dissect.High),
			fact(server, KeyPoweredBy, "ASP.NET", dissect.High),
		}},
		{"ntlm_iis", []dissect.Fact{
			fact(client, KeyUserAgent, ieUA, dissect.High),
			fact(server, KeyHost, "192.168.69.2", dissect.Medium),
			fact(server, KeyServer, "Microsoft-IIS/7.5", dissect.High),
			fact(server, KeyAuth, "NTLM", dissect.High),
			fact(server, KeyPoweredBy, "ASP.NET", dissect.High),
			fact(server, KeyTitle, "Document Moved", dissect.Medium),
		}},
		{"chunked", []dissect.Fact{
			fact(server, KeyHost, "localhost", dissect.Medium),
			fact(client, KeyUserAgent, chrome115, dissect.High),
		}},
		{"request_invalid", []dissect.Fact{
			fact(server, KeyHost, "192.168.56.3", dissect.Medium),
			fact(client, KeyUserAgent, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:62.0) Gecko/20100101 Firefox/62.0", dissect.High),
			fact(server, KeyServer, "Apache/2.4.18 (Ubuntu)", dissect.High),
			fact(server, KeyTitle, "Apache2 Ubuntu Default Page: It works", dissect.Medium),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := dissecttest.Heads(t, "testdata/"+tt.name+".txt")
			if !Detect(c, s) {
				t.Errorf("Detect = false, want true")
			}
			got, err := Dissect(testCtx, c, s, nil)
			if err != nil {
				t.Errorf("Dissect error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// crlf turns a readable message with \n line ends into one with CR LF.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// TestDissectCases covers what the captures do not: default logins and
// their answers, challenges with realms, and message framing.
func TestDissectCases(t *testing.T) {
	login := func(token string) string {
		return "GET /cgi-bin/status HTTP/1.1\nHost: pump-7.ward.test:8080\nAuthorization: Basic " + token + "\n\n"
	}
	tests := []struct {
		name           string
		client, server string
		want           []dissect.Fact
	}{
		{
			name:   "default login accepted",
			client: login("YWRtaW46YWRtaW4="), // admin:admin
			server: "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
			want: []dissect.Fact{
				fact(server, KeyHost, "pump-7.ward.test", dissect.Medium),
				fact(client, dissect.KeyCleartextLogin, "http-basic", dissect.High),
				fact(server, dissect.KeyDefaultCreds, "admin", dissect.High),
			},
		},
		{
			name:   "default login refused",
			client: login("cm9vdDo="), // root with no password
			server: "HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Basic realm=\"Infusion Pump\"\nContent-Length: 0\n\n",
			want: []dissect.Fact{
				fact(server, KeyHost, "pump-7.ward.test", dissect.Medium),
				fact(client, dissect.KeyCleartextLogin, "http-basic", dissect.High),
				fact(server, KeyAuth, `Basic realm="Infusion Pump"`, dissect.High),
			},
		},
		{
			name:   "default login unanswered, token without padding",
			client: login("YWRtaW46cGFzc3dvcmQ"), // admin:password
			want: []dissect.Fact{
				fact(server, KeyHost, "pump-7.ward.test", dissect.Medium),
				fact(client, dissect.KeyCleartextLogin, "http-basic", dissect.High),
				fact(server, dissect.KeyDefaultCreds, "admin", dissect.Medium),
			},
		},
		{
			name:   "refused then accepted on keep-alive",
			client: login("YWRtaW46MTIzNA==") + login("YWRtaW46MTIzNA=="), // admin:1234
			server: "HTTP/1.1 401 No\nContent-Length: 3\n\nno!HTTP/1.1 200 OK\nContent-Length: 0\n\n",
			want: []dissect.Fact{
				fact(server, KeyHost, "pump-7.ward.test", dissect.Medium),
				fact(client, dissect.KeyCleartextLogin, "http-basic", dissect.High),
				fact(server, dissect.KeyDefaultCreds, "admin", dissect.High),
			},
		},
		{
			name:   "other login is not reported",
			client: login("amFuZTpzM2NyZXQh"), // jane:s3cret!
			server: "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
			want: []dissect.Fact{
				fact(server, KeyHost, "pump-7.ward.test", dissect.Medium),
				fact(client, dissect.KeyCleartextLogin, "http-basic", dissect.High),
			},
		},
		{
			name:   "bad base64",
			client: login("!!!!"),
			want: []dissect.Fact{
				fact(server, KeyHost, "pump-7.ward.test", dissect.Medium),
				fact(client, dissect.KeyCleartextLogin, "http-basic", dissect.High),
			},
		},
		{
			name: "several challenges",
			server: "HTTP/1.1 401 Unauthorized\n" +
				"WWW-Authenticate: Digest realm=\"Monitor, ICU\", qop=\"auth\", nonce=\"a1b2\", Basic realm=Monitor\n" +
				"WWW-Authenticate: Negotiate\nContent-Length: 0\n\n",
			want: []dissect.Fact{
				fact(server, KeyAuth, `Digest realm="Monitor, ICU"`, dissect.High),
				fact(server, KeyAuth, `Basic realm="Monitor"`, dissect.High),
				fact(server, KeyAuth, "Negotiate", dissect.High),
			},
		},
		{
			name: "pipelined with bodies, HEAD and interim response",
			client: "POST /a HTTP/1.1\nHost: [fe80::1]:8443\nUser-Agent: pump-agent/1\nContent-Length: 5\n\nhello" +
				"HEAD /b HTTP/1.1\nUser-Agent: pump-agent/1\n\n" +
				"\nGET /c HTTP/1.0\nUser-Agent: pump-agent/2\n\n",
			server: "HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok" +
				"HTTP/1.1 200 OK\nContent-Length: 999\nServer: first\n\n" +
				"HTTP/1.1 200 OK\nServer: second\nContent-Type: text/html\n\n<html><TITLE lang=en>\n  Infusion &amp; Co\n</TITLE>",
			want: []dissect.Fact{
				fact(server, KeyHost, "fe80::1", dissect.Medium),
				fact(client, KeyUserAgent, "pump-agent/1", dissect.High),
				fact(client, KeyUserAgent, "pump-agent/2", dissect.High),
				fact(server, KeyServer, "first", dissect.High),
				fact(server, KeyServer, "second", dissect.High),
				fact(server, KeyTitle, "Infusion & Co", dissect.Medium),
			},
		},
		{
			name:   "chunked request stops reading",
			client: "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\nGET / HTTP/1.1\nUser-Agent: hidden\n\n",
		},
		{
			name:   "conflicting lengths stop reading",
			server: "HTTP/1.1 200 OK\nContent-Length: 1\nContent-Length: 2\n\nxxHTTP/1.1 200 OK\nServer: hidden\n\n",
		},
		{
			name:   "CONNECT tunnel",
			client: "CONNECT ward.test:443 HTTP/1.1\nHost: ward.test:443\n\n\x16\x03\x01\x00\x05hello",
			server: "HTTP/1.1 200 Connection established\n\n\x16\x03\x03\x00\x02hi",
			want:   []dissect.Fact{fact(server, KeyHost, "ward.test", dissect.Medium)},
		},
		{
			name: "websocket upgrade",
			client: "GET /ws HTTP/1.1\nHost: ward.test\nUpgrade: websocket\nConnection: Upgrade\n\n" +
				"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
			server: "HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n\x81\x05hello",
			want:   []dissect.Fact{fact(server, KeyHost, "ward.test", dissect.Medium)},
		},
		{
			name:   "compressed body has no title",
			server: "HTTP/1.1 200 OK\nContent-Encoding: gzip\nContent-Type: text/html\n\n<title>x</title>",
		},
		{
			name:   "control characters in a value",
			server: "HTTP/1.1 200 OK\nServer: a\x01b\xffc\nContent-Length: 0\n\n",
			want:   []dissect.Fact{fact(server, KeyServer, "a b\uFFFDc", dissect.High)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(testCtx, crlf(tt.client), crlf(tt.server), nil)
			if err != nil {
				t.Errorf("Dissect error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDissectMalformed checks that broken input yields the facts before the
// break and an error saying where.
func TestDissectMalformed(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		want           []dissect.Fact
		offset         int
	}{
		{"not http", "SSH-2.0-OpenSSH_9.6\n", "", nil, 0},
		{"status line garbage", "", "HTTP/1.1 2x0 OK\n\n", nil, 0},
		{"request line cut", "GET / HT", "", nil, 0},
		{"headers cut", "GET / HTTP/1.1\nUser-Agent: a\nHo", "",
			[]dissect.Fact{fact(client, KeyUserAgent, "a", dissect.High)}, 31},
		{"garbage after first request", "GET / HTTP/1.1\n\nxyz\n", "", nil, 18},
		{"response headers cut", "", "HTTP/1.1 200 OK\nServer: s\nCont",
			[]dissect.Fact{fact(server, KeyServer, "s", dissect.High)}, 28},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(testCtx, crlf(tt.client), crlf(tt.server), nil)
			dissecttest.ErrorAt(t, err, "http", tt.offset)
			if diff := cmp.Diff(tt.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDissectTruncated cuts every real head at every length: no panic, and
// every fact well formed.
func TestDissectTruncated(t *testing.T) {
	for _, h := range dissecttest.HeadsFiles(t, "testdata/*.txt") {
		dissecttest.StreamTruncations(t, Dissect, testCtx, h.Client, h.Server, 7, "http")
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		want           bool
	}{
		{"request", "GET / HTTP/1.1\r\nHost: x\r\n", "", true},
		{"request head cut", "POST /upl", "", true},
		{"response only", "", "HTTP/1.0 200 OK\r\n", true},
		{"empty", "", "", false},
		{"rtsp", "OPTIONS rtsp://cam/ RTSP/1.0\r\n", "RTSP/1.0 200 OK\r\n", false},
		{"sip", "INVITE sip:bob@ward.test SIP/2.0\r\n", "", false},
		{"smtp", "EHLO ward.test\r\n", "220 mail ESMTP\r\n", false},
		{"tls", "\x16\x03\x01\x00\xc8\x01", "", false},
		{"lower case method", "get / HTTP/1.1\r\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect([]byte(tt.client), []byte(tt.server)); got != tt.want {
				t.Errorf("Detect = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestNoSecrets checks that no fact value carries a password or a token.
func TestNoSecrets(t *testing.T) {
	req := crlf("GET / HTTP/1.1\nAuthorization: Basic YWRtaW46YWRtaW4=\n" +
		"Proxy-Authorization: Basic amFuZTpzM2NyZXQh\n\n")
	got, _ := Dissect(testCtx, req, nil, nil)
	dissecttest.NoSecret(t, got,
		"YWRtaW46YWRtaW4", "amFuZTpzM2NyZXQh", "jane", "s3cret", "admin:admin")
}

func FuzzDissect(f *testing.F) {
	for _, h := range dissecttest.HeadsFiles(f, "testdata/*.txt") {
		f.Add(h.Client, h.Server)
	}
	f.Add(crlf("GET / HTTP/1.1\nAuthorization: Basic YWRtaW46YWRtaW4=\n\n"),
		crlf("HTTP/1.1 401 x\nWWW-Authenticate: Digest realm=\"a\\\"b\", nonce=1\n\n"))
	f.Fuzz(func(t *testing.T, c, s []byte) {
		Detect(c, s)
		facts, _ := Dissect(testCtx, c, s, nil)
		dissecttest.CheckFacts(t, facts, "http")
	})
}

func BenchmarkDissect(b *testing.B) {
	c, s := dissecttest.Heads(b, "testdata/keepalive_iis.txt")
	out := make([]dissect.Fact, 0, 16)
	b.ReportAllocs()
	b.SetBytes(int64(len(c) + len(s)))
	for b.Loop() {
		out, _ = Dissect(testCtx, c, s, out[:0])
	}
}

func BenchmarkDetect(b *testing.B) {
	c, s := dissecttest.Heads(b, "testdata/keepalive_iis.txt")
	b.ReportAllocs()
	for b.Loop() {
		Detect(c, s)
	}
}

// TestFactCap checks that a flood of distinct values stops at maxFacts.
func TestFactCap(t *testing.T) {
	var b strings.Builder
	for i := range 100 {
		b.WriteString("GET / HTTP/1.1\r\nUser-Agent: agent-")
		b.WriteString(strings.Repeat("x", i))
		b.WriteString("\r\n\r\n")
	}
	got, err := Dissect(testCtx, []byte(b.String()), nil, nil)
	if err != nil {
		t.Fatalf("Dissect error: %v", err)
	}
	if len(got) != maxFacts {
		t.Errorf("got %d facts, want %d", len(got), maxFacts)
	}
}
