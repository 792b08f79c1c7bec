package dissect

import (
	"bytes"
	"testing"
)

func TestIndexFold(t *testing.T) {
	tests := []struct {
		s, word string
		want    int
	}{
		{"220 ProFTPD Server", "proftpd", 4},
		{"LAST LOGIN: Mon", "last login", 0},
		{"Server: Apache", "apache", 8},
		{"vsftpd", "vsftpd 3", -1},
		{"abc", "", 0},
		{"", "a", -1},
		{"\xc0\xe0", "\xe0", 1}, // only ASCII letters fold
		{"\xc0", "\xe0", -1},
	}
	for _, tt := range tests {
		if got := IndexFold([]byte(tt.s), tt.word); got != tt.want {
			t.Errorf("IndexFold(%q, %q) = %d, want %d", tt.s, tt.word, got, tt.want)
		}
	}
}

// FuzzIndexFold compares IndexFold with bytes.Index on ASCII-lowered copies.
func FuzzIndexFold(f *testing.F) {
	f.Add([]byte("220 ProFTPD Server"), "proftpd")
	f.Add([]byte("login: "), "LOGIN:")
	f.Fuzz(func(t *testing.T, s []byte, word string) {
		w := lowerASCII([]byte(word))
		want := bytes.Index(lowerASCII(s), w)
		if got := IndexFold(s, string(w)); got != want {
			t.Errorf("IndexFold(%q, %q) = %d, want %d", s, w, got, want)
		}
	})
}

// lowerASCII returns a copy of b with ASCII upper-case letters lowered.
func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func BenchmarkIndexFold(b *testing.B) {
	s := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/HTML; charset=utf-8\r\n")
	b.ReportAllocs()
	for b.Loop() {
		IndexFold(s, "html")
	}
}
