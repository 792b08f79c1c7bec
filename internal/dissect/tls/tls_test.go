package tls

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// conn is the connection of the tests, to port 80.
var conn = dissecttest.NewStream("tls",
	dissecttest.Endpoint("02:00:00:00:00:01", "10.0.0.1"),
	dissecttest.Endpoint("02:00:00:00:00:02", "10.0.0.2"), 80)

// The ends of the test connection, and the Context the dissector sees.
var client, server, testCtx = conn.Client, conn.Server, conn.Ctx

// want builds an expected fact.
func want(who dissect.Endpoint, key, value string, c dissect.Confidence) dissect.Fact {
	return fact(who, key, value, c)
}

const (
	hi  = dissect.High
	med = dissect.Medium
)

// captureFacts are the facts expected from each real connection in
// testdata. SNI, versions, cipher suites, certificate names, dates and SANs
// were checked against tshark 4.0; the two JA4 values against the
// suricata-verify tests ja4-tls and ja4-tls-quic (see testdata/SOURCE.md).
var captureFacts = map[string][]dissect.Fact{
	"tls12_nosni": {
		want(client, KeyVersions, "1.2", hi),
		want(client, KeyJA3, "308b0bd904abbef5e0034a1ff7a78920", hi),
		want(client, KeyJA4, "t12i1810s1_27d4652c4487_06a4338d0495", hi),
		want(server, KeyVersion, "1.2", hi),
		want(server, KeyCipher, "0xc02f", hi),
		want(server, KeyCertSubject, "CN=SELKS,O=Stamus,L=Paris,ST=IDF,C=FR", hi),
		want(server, KeyCertIssuer, "CN=SELKS,O=Stamus,L=Paris,ST=IDF,C=FR", hi),
		want(server, KeyCertNotAfter, "2025-02-09T18:07:27Z", hi),
		want(server, KeyCertSelfSigned, "yes", hi),
	},
	"tls13_chrome": {
		want(server, KeySNI, "cloudflare-quic.com", med),
		want(client, KeyVersions, "1.3,1.2", hi),
		want(client, KeyJA3, "cd08e31494f9531f560d64c695473da9", hi),
		want(client, KeyJA4, "t13d1516h2_8daaf6152771_e5627efa2ab1", hi),
		want(server, KeyVersion, "1.3", hi),
		want(server, KeyCipher, "0x1301", hi),
	},
	"tls13_draft23": {
		want(server, KeySNI, "tls13.crypto.mozilla.org", med),
		want(client, KeyVersions, "1.3-draft23,1.2,1.1,1.0", hi),
		want(client, KeyJA3, "6cb345f0f89fe97b1dfad775b52d5cf2", hi),
		want(client, KeyJA4, "t00d1616h2_46e7e9700bed_420f9a5d0665", hi),
		want(server, KeyVersion, "1.3-draft23", hi),
		want(server, KeyCipher, "0x1301", hi),
	},
	"tls12_sni_sct": {
		want(server, KeySNI, "ritter.vg", med),
		want(client, KeyVersions, "1.3-draft18,1.2,1.1,1.0", hi),
		want(client, KeyJA3, "b1afe2c6450b5e4734275e639199d5fe", hi),
		want(client, KeyJA4, "t00d1816h2_a30347de7a75_8cbc9340e09a", hi),
		want(server, KeyVersion, "1.2", hi),
		want(server, KeyCipher, "0xc02f", hi),
		want(server, KeyCertSubject, "CN=ritter.vg,OU=Domain Control Validated+OU=PositiveSSL", hi),
		want(server, KeyCertIssuer, "CN=COMODO RSA Domain Validation Secure Server CA,O=COMODO CA Limited,L=Salford,ST=Greater Manchester,C=GB", hi),
		want(server, KeyCertNotAfter, "2019-07-30T23:59:59Z", hi),
		want(server, KeyCertSAN, "ritter.vg", hi),
		want(server, KeyCertSAN, "www.ritter.vg", hi),
	},
	"tls11": {
		want(client, KeyVersions, "1.1", hi),
		want(client, KeyJA3, "5eb6e1fe80f696450a62a48bb3d6a965", hi),
		want(client, KeyJA4, "t11i500400_59a6c70126c8_282f11336259", hi),
		want(server, KeyVersion, "1.1", hi),
		want(server, KeyCipher, "0xc013", hi),
		want(server, dissect.KeyInsecure, "tls1.1", hi),
		want(server, KeyCertSubject, "CN=*.google.com,O=Google Inc,L=Mountain View,ST=California,C=US", hi),
		want(server, KeyCertIssuer, "CN=Google Internet Authority G2,O=Google Inc,C=US", hi),
		want(server, KeyCertNotAfter, "2018-01-24T13:31:00Z", hi),
		want(server, KeyCertSAN, "*.google.com", hi),
		want(server, KeyCertSAN, "*.android.com", hi),
		want(server, KeyCertSAN, "*.appengine.google.com", hi),
		want(server, KeyCertSAN, "*.cloud.google.com", hi),
	},
	"tls10_expired": {
		want(client, KeyVersions, "1.2", hi),
		want(client, KeyJA3, "bd9c99b3a0f752c3ab8b052a79e9de3e", hi),
		want(client, KeyJA4, "t12i800500_15c493246000_a1e935682795", hi),
		want(server, KeyVersion, "1.0", hi),
		want(server, KeyCipher, "0x0039", hi),
		want(server, dissect.KeyInsecure, "tls1.0", hi),
		want(server, KeyCertSubject, "CN=www.spidh.org,OU=Domain Control Validated+OU=COMODO SSL", hi),
		want(server, KeyCertIssuer, "CN=COMODO SSL CA,O=COMODO CA Limited,L=Salford,ST=Greater Manchester,C=GB", hi),
		want(server, KeyCertNotAfter, "2014-03-04T23:59:59Z", hi),
		want(server, KeyCertSAN, "www.spidh.org", hi),
		want(server, KeyCertSAN, "spidh.org", hi),
	},
	"cert_no_cn": {
		want(client, KeyVersions, "1.2", hi),
		want(client, KeyJA3, "6eca5d94b8020b2a51d96384782083b9", hi),
		want(client, KeyJA4, "t12i660500_00a40d0492ae_3eafcbe19126", hi),
		want(server, KeyVersion, "1.0", hi),
		want(server, KeyCipher, "0x0039", hi),
		want(server, dissect.KeyInsecure, "tls1.0", hi),
		want(server, KeyCertSubject, "O=TestCorp", hi),
		want(server, KeyCertIssuer, "O=TestCorp", hi),
		want(server, KeyCertNotAfter, "2016-03-03T00:31:05Z", hi),
		want(server, KeyCertSelfSigned, "yes", hi),
	},
}

func TestDissectCaptures(t *testing.T) {
	for _, h := range dissecttest.HeadsFiles(t, "testdata/*.txt") {
		t.Run(h.Name, func(t *testing.T) {
			wantFacts, ok := captureFacts[h.Name]
			if !ok {
				t.Fatalf("no expected facts for testdata/%s.txt", h.Name)
			}
			c, s := h.Client, h.Server
			if !Detect(c, s) {
				t.Errorf("Detect = false, want true")
			}
			got, err := Dissect(testCtx, c, s, nil)
			if err != nil {
				t.Errorf("Dissect error: %v", err)
			}
			if diff := cmp.Diff(wantFacts, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJA3Golden compares the JA3 string and hash of every ClientHello in
// testdata with tshark's tls.handshake.ja3_full and tls.handshake.ja3,
// kept in testdata/ja3_tshark.tsv.
func TestJA3Golden(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "ja3_tshark.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 {
			t.Fatalf("golden line %q: want 3 fields", sc.Text())
		}
		name, hash, full := fields[0], fields[1], fields[2]
		t.Run(name, func(t *testing.T) {
			h := clientHelloOf(t, name)
			if got := string(h.appendJA3(nil)); got != full {
				t.Errorf("JA3 string\ngot  %s\nwant %s", got, full)
			}
			if got := h.ja3(); got != hash {
				t.Errorf("JA3 got %s, want %s", got, hash)
			}
		})
		n++
	}
	if n < len(captureFacts) {
		t.Errorf("golden file has %d hellos, want %d", n, len(captureFacts))
	}
}

// clientHelloOf parses the ClientHello of a testdata connection.
func clientHelloOf(tb testing.TB, name string) clientHello {
	tb.Helper()
	c, _ := dissecttest.Heads(tb, "testdata/"+name+".txt")
	r := reader{b: c, side: "client"}
	typ, body, _, ok, err := r.next()
	if !ok || typ != typeClientHello {
		tb.Fatalf("%s: no client hello: %v", name, err)
	}
	var h clientHello
	if err := h.parse(body); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return h
}

// TestJA4Hashes checks the hash step against the examples of the JA4
// specification (FoxIO technical_details/JA4.md).
func TestJA4Hashes(t *testing.T) {
	ciphers := []uint16{0x002f, 0x0035, 0x009c, 0x009d, 0x1301, 0x1302, 0x1303,
		0xc013, 0xc014, 0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9}
	exts := []uint16{0x0005, 0x000a, 0x000b, 0x000d, 0x0012, 0x0015, 0x0017,
		0x001b, 0x0023, 0x002b, 0x002d, 0x0033, 0x4469, 0xff01}
	sigs := []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}
	tests := []struct {
		name         string
		list, second []uint16
		want         string
	}{
		{"ciphers", ciphers, nil, "8daaf6152771"},
		{"extensions and signature algorithms", exts, sigs, "e5627efa2ab1"},
		{"extensions without signature algorithms", exts, nil, "6d807ffa2a79"},
		{"nothing", nil, nil, "000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendHash(nil, tt.list, tt.second)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestJA4Cases builds ClientHellos for the corners of the JA4 header.
func TestJA4Cases(t *testing.T) {
	many := make([]uint16, 120)
	for i := range many {
		many[i] = uint16(0x0100 + i)
	}
	tests := []struct {
		name  string
		hello helloSpec
		want  string // the part before the first '_'
	}{
		{"no extensions", helloSpec{version: 0x0301, ciphers: []uint16{0x002f}}, "t10i010000"},
		{"ssl3", helloSpec{version: 0x0300, ciphers: []uint16{0x000a}}, "ts3i010000"},
		{"grease everywhere", helloSpec{
			version: 0x0303,
			ciphers: []uint16{0x0a0a, 0x1301},
			exts: []extSpec{
				{0x1a1a, nil},
				{extSupportedVersions, []byte{4, 0x2a, 0x2a, 0x03, 0x04}},
				{extServerName, sniData("pump.ward.test")},
			},
		}, "t13d010200"},
		{"alpn of one letter", helloSpec{version: 0x0303, exts: []extSpec{{extALPN, alpnData("h")}}}, "t12i0001hh"},
		{"alpn not alphanumeric", helloSpec{version: 0x0303, exts: []extSpec{{extALPN, alpnData("\xab-\xcd")}}}, "t12i0001ad"},
		{"alpn empty value", helloSpec{version: 0x0303, exts: []extSpec{{extALPN, alpnData("")}}}, "t12i000100"},
		{"counts capped", helloSpec{version: 0x0303, ciphers: many}, "t12i9900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h clientHello
			if err := h.parse(tt.hello.body()); err != nil {
				t.Fatal(err)
			}
			got, _, _ := strings.Cut(h.ja4(), "_")
			if !strings.HasPrefix(got, tt.want) || len(got) != 10 {
				t.Errorf("JA4 header got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestFragmented re-cuts real handshakes into small records: the facts must
// not change.
func TestFragmented(t *testing.T) {
	for _, name := range []string{"tls13_chrome", "tls12_nosni", "tls11"} {
		t.Run(name, func(t *testing.T) {
			c, s := dissecttest.Heads(t, "testdata/"+name+".txt")
			got, err := Dissect(testCtx, refragment(t, c, 100), refragment(t, s, 333), nil)
			if err != nil {
				t.Errorf("Dissect error: %v", err)
			}
			if diff := cmp.Diff(captureFacts[name], got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDissectMalformed checks that broken heads give an error saying where.
func TestDissectMalformed(t *testing.T) {
	hello := helloSpec{version: 0x0303, ciphers: []uint16{0x1301}}.record()
	tests := []struct {
		name           string
		client, server []byte
		offset         int
		wantFacts      int
	}{
		{"not tls", []byte("GET / HTTP/1.1\r\n\r\n"), nil, 0, 0},
		{"sslv2 hello", []byte{0x80, 0x2e, 0x01, 0x03, 0x01}, nil, 0, 0},
		{"record header cut", []byte{0x16, 0x03}, nil, 0, 0},
		{"bad record version", []byte{0x16, 0x05, 0x01, 0x00, 0x04, 1, 0, 0, 0}, nil, 1, 0},
		{"empty record", []byte{0x16, 0x03, 0x01, 0x00, 0x00}, nil, 3, 0},
		{"hello cut", hello[:20], nil, 20, 0},
		{"not a client hello", []byte{0x16, 0x03, 0x01, 0x00, 0x04, 2, 0, 0, 0}, nil, 5, 0},
		{"hello body too short", []byte{0x16, 0x03, 0x01, 0x00, 0x06, 1, 0, 0, 2, 3, 3}, nil, 5, 0},
		{"extensions overrun", helloSpec{version: 0x0303, extRaw: []byte{0, 10, 0, 0, 0, 9}}.record(), nil, 5, 0},
		{"hello interrupted", append(refragment(t, hello, 10)[:15:15], 0x15, 0x03, 0x03, 0x00, 0x02, 2, 40), nil, 15, 0},
		{"server hello short", hello, []byte{0x16, 0x03, 0x03, 0x00, 0x06, 2, 0, 0, 2, 3, 3}, 5, 3},
		{"certificate garbage", hello, append(serverHelloRecord(0x0303),
			0x16, 0x03, 0x03, 0x00, 0x10, 11, 0, 0, 12, 0, 0, 9, 0, 0, 6, 0x30, 0x04, 0x02, 0x02, 0x01, 0x01),
			52, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dissect(testCtx, tt.client, tt.server, nil)
			dissecttest.ErrorAt(t, err, "tls", tt.offset)
			if len(got) != tt.wantFacts {
				t.Errorf("got %d facts %v, want %d", len(got), got, tt.wantFacts)
			}
		})
	}
}

// TestDissectTruncated cuts every real head at many lengths: no panic, and
// every fact well formed.
func TestDissectTruncated(t *testing.T) {
	for _, h := range dissecttest.HeadsFiles(t, "testdata/*.txt") {
		dissecttest.StreamTruncations(t, Dissect, testCtx, h.Client, h.Server, 13, "tls")
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name           string
		client, server string
		want           bool
	}{
		{"client hello", "\x16\x03\x01\x02\x00\x01", "", true},
		{"server only", "", "\x16\x03\x03\x00\x7a\x02", true},
		{"tls 1.0 record", "\x16\x03\x01", "", true},
		{"too short", "\x16\x03", "", false},
		{"empty", "", "", false},
		{"http", "GET / HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n", false},
		{"sslv2", "\x80\x2e\x01\x03\x01", "", false},
		{"application data", "\x17\x03\x03\x00\x10", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect([]byte(tt.client), []byte(tt.server)); got != tt.want {
				t.Errorf("Detect = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzDissect(f *testing.F) {
	for _, h := range dissecttest.HeadsFiles(f, "testdata/*.txt") {
		f.Add(h.Client, h.Server)
		f.Add(refragment(f, h.Client, 50), refragment(f, h.Server, 200))
	}
	f.Fuzz(func(t *testing.T, c, s []byte) {
		Detect(c, s)
		facts, _ := Dissect(testCtx, c, s, nil)
		dissecttest.CheckFacts(t, facts, "tls")
	})
}

func BenchmarkDissect(b *testing.B) {
	for _, name := range []string{"tls13_chrome", "tls12_nosni"} {
		b.Run(name, func(b *testing.B) {
			c, s := dissecttest.Heads(b, "testdata/"+name+".txt")
			out := make([]dissect.Fact, 0, 16)
			b.ReportAllocs()
			for b.Loop() {
				out, _ = Dissect(testCtx, c, s, out[:0])
			}
		})
	}
}

func BenchmarkJA4(b *testing.B) {
	h := clientHelloOf(b, "tls13_chrome")
	b.ReportAllocs()
	for b.Loop() {
		h.ja4()
	}
}
