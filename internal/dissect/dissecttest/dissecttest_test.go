package dissecttest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
)

// fakeTB records the failures of a helper under test. Fatal and Fatalf end
// the goroutine, as testing's do; any other method of testing.TB panics.
type fakeTB struct {
	testing.TB
	errors []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatal(args ...any) {
	f.errors = append(f.errors, fmt.Sprint(args...))
	runtime.Goexit()
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

// failures runs fn with a fakeTB and returns what it reported.
func failures(fn func(tb testing.TB)) []string {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.errors
}

// write saves text as name in a new temporary directory and returns its path.
func write(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHex(t *testing.T) {
	tests := []struct {
		name, text string
		want       []byte
	}{
		{"one line, no newline", "00ff7F", []byte{0x00, 0xff, 0x7f}},
		{"comments, blanks and spaces", "# frame 3\n0a0B 0c\n\n  # more\n\tff\n",
			[]byte{0x0a, 0x0b, 0x0c, 0xff}},
		{"empty", "", []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Hex(t, write(t, "p.hex", tt.text))
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got %x, want %x", got, tt.want)
			}
		})
	}
}

func TestHexFails(t *testing.T) {
	for _, text := range []string{"abc", "zz", "00 # not a comment"} {
		path := write(t, "p.hex", text)
		if errs := failures(func(tb testing.TB) { Hex(tb, path) }); len(errs) != 1 {
			t.Errorf("Hex of %q: got failures %q, want one", text, errs)
		}
	}
	missing := filepath.Join(t.TempDir(), "missing.hex")
	if errs := failures(func(tb testing.TB) { Hex(tb, missing) }); len(errs) != 1 {
		t.Errorf("Hex of a missing file: got failures %q, want one", errs)
	}
}

func TestHeads(t *testing.T) {
	path := write(t, "h.txt", "# capture tcp.stream 0\nc 0102\ns 03\n\nclient 04\nserver 0506\n")
	c, s := Heads(t, path)
	if want := []byte{1, 2, 4}; !bytes.Equal(c, want) {
		t.Errorf("client: got %x, want %x", c, want)
	}
	if want := []byte{3, 5, 6}; !bytes.Equal(s, want) {
		t.Errorf("server: got %x, want %x", s, want)
	}
}

func TestHeadsFails(t *testing.T) {
	for _, text := range []string{"x 01\n", "c zz\n", "c 012\n", "0102\n"} {
		path := write(t, "h.txt", text)
		if errs := failures(func(tb testing.TB) { Heads(tb, path) }); len(errs) != 1 {
			t.Errorf("Heads of %q: got failures %q, want one", text, errs)
		}
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"b.txt": "s 02\n", "a.txt": "c 01\n", "c.hex": "03"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := []Head{{Name: "a", Client: []byte{1}}, {Name: "b", Server: []byte{2}}}
	if diff := cmp.Diff(want, HeadsFiles(t, filepath.Join(dir, "*.txt"))); diff != "" {
		t.Errorf("HeadsFiles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]byte{{3}}, HexFiles(t, filepath.Join(dir, "*.hex"))); diff != "" {
		t.Errorf("HexFiles (-want +got):\n%s", diff)
	}
	none := filepath.Join(dir, "*.pcap")
	if errs := failures(func(tb testing.TB) { HexFiles(tb, none) }); len(errs) != 1 {
		t.Errorf("HexFiles of no file: got failures %q, want one", errs)
	}
}

func TestEndpoint(t *testing.T) {
	got := Endpoint("02:00:5e:00:00:07", "192.0.2.7")
	if got.MAC != (dissect.MAC{2, 0, 0x5e, 0, 0, 7}) || got.IP.String() != "192.0.2.7" {
		t.Errorf("got %v %v, want 02:00:5e:00:00:07 192.0.2.7", got.MAC, got.IP)
	}
	if got := Endpoint("", ""); got != (dissect.Endpoint{}) {
		t.Errorf("got %v, want the zero Endpoint", got)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("MAC of an EUI-64: got no panic, want one")
		}
	}()
	MAC("02:00:5e:ff:fe:00:00:07")
}

func TestStream(t *testing.T) {
	s := NewStream("ssh", Endpoint("", "192.0.2.10"), Endpoint("", "192.0.2.22"), 22)
	want := &dissect.Context{Src: s.Client, Dst: s.Server, SrcPort: 50000, DstPort: 22}
	if diff := cmp.Diff(want, s.Ctx, EquateAddr()); diff != "" {
		t.Errorf("Ctx (-want +got):\n%s", diff)
	}
	f := s.ServerFact("k", "v", dissect.High)
	if f.Who != s.Server || f.Source != "ssh" || f.Key != "k" || f.Value != "v" {
		t.Errorf("ServerFact: got %v", f)
	}
	if f := s.ClientFact("k", "v", dissect.Low); f.Who != s.Client || f.Confidence != dissect.Low {
		t.Errorf("ClientFact: got %v", f)
	}
}

func TestMACFacts(t *testing.T) {
	mac := MAC("00:1b:2c:3d:4e:5f")
	got := MACFacts("lldp", mac, dissect.KeyHostname, "sw1", dissect.KeyMgmtAddress, "10.0.0.1")
	want := []dissect.Fact{
		Fact(dissect.Endpoint{MAC: mac}, "lldp", dissect.KeyHostname, "sw1", dissect.High),
		Fact(Endpoint("00:1b:2c:3d:4e:5f", "10.0.0.1"), "lldp", dissect.KeyMgmtAddress, "10.0.0.1",
			dissect.High),
	}
	if diff := cmp.Diff(want, got, EquateAddr()); diff != "" {
		t.Errorf("MACFacts (-want +got):\n%s", diff)
	}
}

func TestCheckFacts(t *testing.T) {
	good := dissect.Fact{Source: "dhcp", Key: "k", Value: "v"}
	tests := []struct {
		name    string
		fact    dissect.Fact
		sources []string
		fail    bool
	}{
		{"good", good, []string{"dhcpv6", "dhcp"}, false},
		{"any source", good, nil, false},
		{"other source", good, []string{"dhcpv6"}, true},
		{"no source", dissect.Fact{Key: "k", Value: "v"}, nil, true},
		{"no key", dissect.Fact{Source: "dhcp", Value: "v"}, nil, true},
		{"no value", dissect.Fact{Source: "dhcp", Key: "k"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := failures(func(tb testing.TB) {
				CheckFacts(tb, []dissect.Fact{good, tt.fact}, tt.sources...)
			})
			if got := len(errs) > 0; got != tt.fail {
				t.Errorf("got failures %q, want failure %v", errs, tt.fail)
			}
		})
	}
}

func TestNoSecret(t *testing.T) {
	facts := []dissect.Fact{{Value: "user admin"}, {Value: "banner"}}
	errs := failures(func(tb testing.TB) { NoSecret(tb, facts, "admin", "s3cret") })
	if len(errs) != 1 {
		t.Errorf("got failures %q, want one", errs)
	}
}

func TestTruncations(t *testing.T) {
	var lengths []int
	fn := func(_ *dissect.Context, p []byte, out []dissect.Fact) ([]dissect.Fact, error) {
		lengths = append(lengths, len(p))
		return out, dissect.Errorf("test", len(p), "cut")
	}
	Truncations(t, fn, &dissect.Context{}, []byte("abcd"))
	if want := []int{0, 1, 2, 3}; !cmp.Equal(lengths, want) {
		t.Errorf("fn saw lengths %v, want %v", lengths, want)
	}

	plain := func(_ *dissect.Context, p []byte, out []dissect.Fact) ([]dissect.Fact, error) {
		return out, errors.New("not a *dissect.Error")
	}
	errs := failures(func(tb testing.TB) {
		Truncations(tb, plain, &dissect.Context{}, []byte("ab"))
	})
	if len(errs) != 1 {
		t.Errorf("plain error: got failures %q, want one", errs)
	}
}

func TestStreamTruncations(t *testing.T) {
	var cuts [][2]int
	fn := func(_ *dissect.Context, c, s []byte, out []dissect.Fact) ([]dissect.Fact, error) {
		cuts = append(cuts, [2]int{len(c), len(s)})
		return append(out, dissect.Fact{Source: "tls", Key: "k", Value: "v"}), nil
	}
	StreamTruncations(t, fn, &dissect.Context{}, []byte("abcde"), []byte("ab"), 2, "tls")
	if want := [][2]int{{0, 0}, {2, 2}, {4, 2}}; !cmp.Equal(cuts, want) {
		t.Errorf("fn saw lengths %v, want %v", cuts, want)
	}
	errs := failures(func(tb testing.TB) {
		StreamTruncations(tb, fn, &dissect.Context{}, nil, []byte("a"), 1, "http")
	})
	if len(errs) != 1 {
		t.Errorf("fact of another source: got failures %q, want one", errs)
	}
}

func TestErrorAt(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		failures int
	}{
		{"match", dissect.Errorf("cdp", 4, "short"), 0},
		{"wrapped", fmt.Errorf("frame 3: %w", dissect.Errorf("cdp", 4, "short")), 0},
		{"other offset", dissect.Errorf("cdp", 5, "short"), 1},
		{"other proto", dissect.Errorf("lldp", 4, "short"), 1},
		{"plain error", errors.New("short"), 1},
		{"nil", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := failures(func(tb testing.TB) { ErrorAt(tb, tt.err, "cdp", 4) })
			if len(errs) != tt.failures {
				t.Errorf("ErrorAt: got failures %q, want %d", errs, tt.failures)
			}
			want := min(tt.failures, 1)
			if tt.name == "other offset" {
				want = 0 // ErrorFrom does not look at the offset
			}
			errs = failures(func(tb testing.TB) { ErrorFrom(tb, tt.err, "cdp") })
			if len(errs) != want {
				t.Errorf("ErrorFrom: got failures %q, want %d", errs, want)
			}
		})
	}
}
