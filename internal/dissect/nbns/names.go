package nbns

import (
	"bytes"
	"fmt"

	"github.com/wardhq/ward/internal/dissect"
)

// nbName is a NetBIOS name: 15 characters padded with spaces, and the
// 16th byte, the suffix that says what the name is for.
type nbName struct {
	b      [15]byte
	suffix byte
}

// decodeLabel undoes the first-level encoding (RFC 1001 §14.1): each byte
// of the 16-byte name is split into two nibbles, each sent as 'A'+nibble.
func decodeLabel(label []byte) (nbName, bool) {
	var n nbName
	if len(label) != 32 {
		return n, false
	}
	var raw [16]byte
	for i := range raw {
		hi, lo := label[2*i]-'A', label[2*i+1]-'A'
		if hi > 15 || lo > 15 {
			return n, false
		}
		raw[i] = hi<<4 | lo
	}
	return rawName(raw[:]), true
}

// rawName splits 16 raw bytes into the name and its suffix.
func rawName(raw []byte) nbName {
	var n nbName
	copy(n.b[:], raw[:15])
	n.suffix = raw[15]
	return n
}

// text is the name without its padding, cleaned for a fact value.
func (n nbName) text() string {
	return dissect.Text(bytes.TrimRight(n.b[:], " \x00"))
}

// withSuffix formats the name as tools show it: "WPAD<00>". A name that
// is empty once trimmed, such as the "*" wildcard's padding, yields "".
func (n nbName) withSuffix() string {
	t := n.text()
	if t == "" {
		return ""
	}
	return fmt.Sprintf("%s<%02x>", t, n.suffix)
}

// isBrowse reports whether n is "\x01\x02__MSBROWSE__\x02<01>", the group
// that local master browsers join.
func (n nbName) isBrowse() bool {
	return n.suffix == 0x01 && string(n.b[:]) == "\x01\x02__MSBROWSE__\x02"
}
