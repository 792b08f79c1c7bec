package observe

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

type seg struct {
	seq  uint32
	data string
}

func TestHalfReassembly(t *testing.T) {
	tests := []struct {
		name  string
		limit int
		segs  []seg
		want  string
	}{
		{"in order", 100, []seg{{1000, "abc"}, {1003, "def"}}, "abcdef"},
		{"out of order", 100, []seg{{1000, "abc"}, {1006, "ghi"}, {1003, "def"}}, "abcdefghi"},
		{"reverse order", 100, []seg{{1000, "a"}, {1003, "d"}, {1002, "c"}, {1001, "b"}}, "abcd"},
		{"retransmission", 100, []seg{{1000, "abc"}, {1000, "abc"}, {1003, "def"}}, "abcdef"},
		{"overlap", 100, []seg{{1000, "abcd"}, {1002, "cdef"}}, "abcdef"},
		{"limit", 4, []seg{{1000, "abc"}, {1003, "def"}}, "abcd"},
		{"wraparound", 100, []seg{{0xfffffffe, "ab"}, {0, "cd"}}, "abcd"},
		{"gap never filled", 100, []seg{{1000, "ab"}, {1010, "zz"}}, "ab"},
		{"late old segment", 100, []seg{{1000, "abc"}, {990, "xxxxxxxxxxab"}}, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h half
			for _, s := range tt.segs {
				h.add(s.seq, []byte(s.data), tt.limit, nil)
			}
			if diff := cmp.Diff(tt.want, string(h.buf)); diff != "" {
				t.Errorf("head (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHalfHeldBytes(t *testing.T) {
	var h half
	total := h.add(1, []byte("abc"), 100, nil)
	total += h.add(10, []byte("later"), 100, nil)
	if got := h.held(); got != total || total <= 0 {
		t.Errorf("held %d, deltas added to %d", got, total)
	}
	h.release(nil)
	if h.held() != 0 {
		t.Errorf("held %d after release, want 0", h.held())
	}
}

func TestLRU(t *testing.T) {
	var l lru
	a, b, c := &conn{}, &conn{}, &conn{}
	l.pushFront(a)
	l.pushFront(b)
	l.pushFront(c)
	l.moveToFront(a)
	if l.head != a || l.tail != b || l.n != 3 {
		t.Fatalf("after moveToFront: head %p tail %p n %d", l.head, l.tail, l.n)
	}
	l.remove(b)
	if l.tail != c || l.n != 2 || c.next != nil {
		t.Errorf("after remove: tail %p n %d", l.tail, l.n)
	}
}

func TestHalfPast(t *testing.T) {
	tests := []struct {
		name string
		segs []seg
		want []string // what past returns for each segment
	}{
		{"in order", []seg{{1000, "abc"}, {1003, "def"}}, []string{"abc", "def"}},
		{"retransmission", []seg{{1000, "abc"}, {1000, "abc"}, {1003, "de"}}, []string{"abc", "", "de"}},
		{"overlap", []seg{{1000, "abcd"}, {1002, "cdef"}}, []string{"abcd", "ef"}},
		{"gap", []seg{{1000, "ab"}, {1010, "zz"}, {1012, "y"}}, []string{"ab", "zz", "y"}},
		{"wraparound", []seg{{0xfffffffe, "ab"}, {0, "cd"}, {0xffffffff, "bc"}}, []string{"ab", "cd", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h half
			var got []string
			for _, s := range tt.segs {
				got = append(got, string(h.past(s.seq, []byte(s.data))))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("past mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
