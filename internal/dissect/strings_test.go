package dissect

import (
	"testing"
	"unsafe"
)

func TestStringsMatchPlainFunctions(t *testing.T) {
	inputs := [][]byte{
		[]byte("CT01_WARD7      "), []byte("  a\r\nb\tc  "), []byte("caf\xc3\xa9"),
		[]byte("bad \xff byte"), []byte(""), []byte("\x00PACS\x00"),
	}
	for _, st := range []*Strings{nil, NewStrings()} {
		for _, in := range inputs {
			if got, want := st.Text(in), Text(in); got != want {
				t.Errorf("Text(%q) = %q, want %q", in, got, want)
			}
			if got := st.Bytes(in); got != string(in) {
				t.Errorf("Bytes(%q) = %q", in, got)
			}
		}
		if got := st.Concat("a", " -> ", "b"); got != "a -> b" {
			t.Errorf("Concat = %q", got)
		}
		if got := st.Uint(16384); got != "16384" {
			t.Errorf("Uint = %q", got)
		}
		if got := st.String("x"); got != "x" {
			t.Errorf("String = %q", got)
		}
	}
}

func TestStringsIntern(t *testing.T) {
	st := NewStrings()
	a := st.Concat("C-STORE-RQ ", "CT Image Storage")
	b := st.Concat("C-STORE-RQ ", "CT Image Storage")
	if unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("the same value built twice is two strings, want one")
	}
	in := []byte("OFFIS_DCMTK_367")
	st.Text(in)
	if n := testing.AllocsPerRun(100, func() { st.Text(in); st.Uint(42); st.Concat("a", "b") }); n != 0 {
		t.Errorf("%v allocations for values seen before, want 0", n)
	}
}

func TestStringsBounded(t *testing.T) {
	st := NewStrings()
	for i := range maxInterned + 10 {
		st.Uint(uint64(i))
	}
	if len(st.m) > maxInterned {
		t.Errorf("%d strings kept, want at most %d", len(st.m), maxInterned)
	}
	if got := st.Uint(7); got != "7" {
		t.Errorf("after the reset: Uint(7) = %q", got)
	}
}

func TestStringsTextSeenAllocs(t *testing.T) {
	st := NewStrings()
	in := []byte("  Dr\xc3\xa4ger\tMedical\r\n")
	if got, want := st.Text(in), Text(in); got != want {
		t.Fatalf("Text = %q, want %q", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { st.Text(in) }); n != 0 {
		t.Errorf("%v allocations for a value to clean seen before, want 0", n)
	}
}
