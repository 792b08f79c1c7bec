package capture

import "testing"

func TestLooksLikeCapture(t *testing.T) {
	for _, tt := range []struct {
		head []byte
		want bool
	}{
		{[]byte{0xd4, 0xc3, 0xb2, 0xa1}, true},
		{[]byte{0xa1, 0xb2, 0x3c, 0x4d}, true},
		{[]byte{0x0a, 0x0d, 0x0d, 0x0a, 0x1c}, true},
		{[]byte{0x1f, 0x8b}, true},
		{[]byte("PK\x03\x04"), false},
		{[]byte("Asset No,MAC"), false},
		{[]byte{0xd4, 0xc3}, false},
		{nil, false},
	} {
		if got := LooksLikeCapture(tt.head); got != tt.want {
			t.Errorf("LooksLikeCapture(% x) = %v, want %v", tt.head, got, tt.want)
		}
	}
}
