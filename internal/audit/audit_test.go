package audit

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

// testLog builds a sealed log of n entries.
func testLog(t *testing.T, c *Chain, n int) []Entry {
	t.Helper()
	var log []Entry
	for i := range n {
		var last *Entry
		if len(log) > 0 {
			last = &log[len(log)-1]
		}
		log = append(log, c.Next(last, Entry{
			Time: t0.Add(time.Duration(i) * time.Minute), Actor: "alice",
			Action: "device.update", Object: "mac:00:12:21:07:00:32",
			Detail: `{"field":"location","to":"O'Brien Ward"}`,
		}))
	}
	return log
}

func testChain(t *testing.T) *Chain {
	t.Helper()
	c, err := NewChain([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func kinds(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Kind)
	}
	return out
}

func TestVerify(t *testing.T) {
	c := testChain(t)
	tests := []struct {
		name   string
		tamper func([]Entry) []Entry
		want   []string
	}{
		{"whole", func(l []Entry) []Entry { return l }, nil},
		{"detail edited", func(l []Entry) []Entry { l[2].Detail = `{"field":"owner"}`; return l }, []string{Edited}},
		{"actor edited", func(l []Entry) []Entry { l[0].Actor = "mallory"; return l }, []string{Edited}},
		{"time edited", func(l []Entry) []Entry { l[4].Time = l[4].Time.Add(time.Second); return l }, []string{Edited}},
		{"edited and resealed without the key", func(l []Entry) []Entry {
			other, _ := NewChain([]byte("ffffffffffffffffffffffffffffffff"))
			l[3].Action = "export"
			l[3] = other.Seal(l[3].Prev, l[3])
			return l
		}, []string{Edited, BadLink}},
		{"one removed", func(l []Entry) []Entry { return slices.Delete(l, 2, 3) }, []string{Removed}},
		{"first removed", func(l []Entry) []Entry { return l[1:] }, []string{Removed}},
		{"two swapped", func(l []Entry) []Entry { l[1], l[2] = l[2], l[1]; return l }, []string{Reordered}},
		{"one repeated", func(l []Entry) []Entry { return slices.Insert(l, 3, l[2]) }, []string{Reordered}},
		{"a forged huge sequence number", func(l []Entry) []Entry { l[5].Seq = 1 << 62; return l },
			[]string{Edited, Removed}},
		{"the first names a previous entry", func(l []Entry) []Entry {
			l[0] = testChain(t).Seal(l[1].MAC, l[0])
			return l
		}, []string{BadLink, BadLink}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := tt.tamper(testLog(t, c, 6))
			if diff := cmp.Diff(tt.want, kinds(c.Verify(log, nil))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifyWrongKey(t *testing.T) {
	log := testLog(t, testChain(t), 3)
	other, _ := NewChain([]byte("ffffffffffffffffffffffffffffffff"))
	if got := kinds(other.Verify(log, nil)); len(got) != 3 {
		t.Errorf("verified with another key: got %v, want 3 edited entries", got)
	}
}

func TestCheckpoint(t *testing.T) {
	dir := t.TempDir()
	keys, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChain(keys.Chain)
	if err != nil {
		t.Fatal(err)
	}
	log := testLog(t, c, 5)
	cp := Sign(keys.Signer, log[4], t0.Add(time.Hour))
	data, err := MarshalCheckpoint(cp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	pub := keys.Signer.Public().(ed25519.PublicKey)
	if err := VerifyCheckpoint(pub, got); err != nil {
		t.Fatalf("VerifyCheckpoint: %v", err)
	}
	if p := c.Verify(log, got); len(p) != 0 {
		t.Errorf("whole log against its checkpoint: %v", p)
	}
	// Later entries are fine; cutting the end is caught.
	longer := append(slices.Clone(log), c.Next(&log[4], Entry{Time: t0.Add(2 * time.Hour), Actor: "bob", Action: "login"}))
	if p := c.Verify(longer, got); len(p) != 0 {
		t.Errorf("log grown after the checkpoint: %v", p)
	}
	if diff := cmp.Diff([]string{Truncated}, kinds(c.Verify(log[:3], got))); diff != "" {
		t.Errorf("truncated log (-want +got):\n%s", diff)
	}
	// A forged checkpoint is refused.
	got.Seq = 2
	if err := VerifyCheckpoint(pub, got); err != ErrBadSignature {
		t.Errorf("altered checkpoint: got %v, want ErrBadSignature", err)
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", info.Mode().Perm())
	}
	k2, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(k1.Chain, k2.Chain) || !k1.Signer.Equal(k2.Signer) {
		t.Error("the keys read back differ from those made")
	}
	if err := os.Chmod(filepath.Join(dir, KeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKeys(dir); err == nil {
		t.Error("a world-readable key file was accepted")
	}
	short := t.TempDir()
	if err := os.WriteFile(filepath.Join(short, KeyFile), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKeys(short); err == nil {
		t.Error("a 5-byte key file was accepted")
	}
}

func TestShortKeyRefused(t *testing.T) {
	if _, err := NewChain([]byte("short")); err == nil {
		t.Error("a 5-byte key was accepted")
	}
}

func TestEncodingUnambiguous(t *testing.T) {
	c := testChain(t)
	a := c.Seal(MAC{}, Entry{Seq: 1, Time: t0, Actor: "ab", Action: "c"})
	b := c.Seal(MAC{}, Entry{Seq: 1, Time: t0, Actor: "a", Action: "bc"})
	if a.MAC == b.MAC {
		t.Error("entries whose fields split the same bytes differently share a MAC")
	}
}

func FuzzParseCheckpoint(f *testing.F) {
	c, _ := NewChain([]byte("0123456789abcdef0123456789abcdef"))
	keys := &Keys{Signer: ed25519.NewKeyFromSeed(make([]byte, 32))}
	e := c.Next(nil, Entry{Time: t0, Actor: "a", Action: "login"})
	data, _ := MarshalCheckpoint(Sign(keys.Signer, e, t0))
	f.Add(data)
	f.Add([]byte(`{"seq":1,"mac":"zz"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cp, err := ParseCheckpoint(b)
		if err != nil {
			return
		}
		_ = VerifyCheckpoint(keys.Signer.Public().(ed25519.PublicKey), cp)
		_ = c.Verify([]Entry{e}, cp)
	})
}
