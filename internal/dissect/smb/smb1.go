package smb

import (
	"bytes"
	"encoding/binary"

	"github.com/wardhq/ward/internal/dissect"
)

// SMB1 header layout ([MS-CIFS] 2.2.3.1): 32 bytes, little-endian.
const (
	smb1HeaderLen     = 32
	smb1CmdNegotiate  = 0x72
	smb1CmdSetupAndX  = 0x73
	smb1FlagReply     = 0x80
	smb1Flags2Unicode = 0x8000
	smb1NoDialect     = 0xffff
)

// smb1 dissects one SMB1 message; m starts at the header, base is its
// offset in the head.
func (d *dissector) smb1(m []byte, base int, fromClient bool) error {
	if len(m) < smb1HeaderLen+1 {
		return dissect.Errorf(Source, base, "smb1 header cut short")
	}
	cmd, reply := m[4], m[9]&smb1FlagReply != 0
	unicode := binary.LittleEndian.Uint16(m[10:])&smb1Flags2Unicode != 0
	wc := int(m[smb1HeaderLen])
	wordsAt := smb1HeaderLen + 1
	bccAt := wordsAt + 2*wc
	if bccAt+2 > len(m) {
		return dissect.Errorf(Source, base+smb1HeaderLen, "smb1 parameter words cut short")
	}
	words := m[wordsAt:bccAt]
	bcc := int(binary.LittleEndian.Uint16(m[bccAt:]))
	dataAt := bccAt + 2
	data := m[dataAt:min(len(m), dataAt+bcc)]

	if cmd != smb1CmdNegotiate {
		if fromClient {
			d.smb1Client = true
		} else {
			d.smb1Server = true
		}
	}
	switch {
	case cmd == smb1CmdNegotiate && !reply && fromClient:
		d.dialects = dialectList(data, d.dialects[:0])
	case cmd == smb1CmdNegotiate && reply && !fromClient:
		d.negotiated(words)
	case cmd == smb1CmdSetupAndX:
		return d.setupAndX(m, words, dataAt, data, unicode, reply, fromClient, base)
	}
	return nil
}

// dialectList splits the NEGOTIATE request's 0x02-prefixed, NUL-ended
// dialect strings.
func dialectList(data []byte, list [][]byte) [][]byte {
	for len(data) > 1 && data[0] == 0x02 && len(list) < maxDialects {
		name, rest, ok := bytes.Cut(data[1:], []byte{0})
		if !ok {
			break
		}
		list, data = append(list, name), rest
	}
	return list
}

// negotiated reads the dialect index of an SMB1 NEGOTIATE response.
func (d *dissector) negotiated(words []byte) {
	if len(words) < 2 {
		return
	}
	i := int(binary.LittleEndian.Uint16(words))
	if i == smb1NoDialect {
		return
	}
	d.smb1Server = true
	switch {
	case i < len(d.dialects):
		d.smb1Dialect = printable(d.dialects[i])
	case len(words) == 17*2:
		d.smb1Dialect = "NT LM 0.12" // the only dialect with a 17-word response
	}
}

// setupAndX reads SESSION_SETUP_ANDX ([MS-CIFS] 2.2.4.53, [MS-SMB] 2.2.4.6):
// the security blob when extended security is used, then NativeOS and
// NativeLanMan. The request without extended security (13 words) also
// carries the account name, which is skipped unread.
func (d *dissector) setupAndX(m, words []byte, dataAt int, data []byte, unicode, reply, fromClient bool, base int) error {
	var blobLen int
	switch {
	case !reply && len(words) == 12*2:
		blobLen = int(binary.LittleEndian.Uint16(words[14:]))
	case reply && len(words) == 4*2:
		blobLen = int(binary.LittleEndian.Uint16(words[6:]))
	case !reply && len(words) == 13*2:
		return d.setupPlain(m, words, dataAt, data, unicode, base)
	case reply && len(words) == 3*2:
	default:
		return nil // an error response (no words) or a form not worth reading
	}
	if blobLen > len(data) {
		return dissect.Errorf(Source, base+dataAt, "security blob of %d bytes, %d in message", blobLen, len(data))
	}
	d.nativeStrings(m, dataAt+blobLen, unicode, 2, fromClient)
	if blobLen == 0 {
		return nil
	}
	return d.ntlmssp(data[:blobLen], base+dataAt, fromClient)
}

// setupPlain reads a 13-word request: passwords, account name and primary
// domain come before NativeOS and NativeLanMan.
func (d *dissector) setupPlain(m, words []byte, dataAt int, data []byte, unicode bool, base int) error {
	oemLen := int(binary.LittleEndian.Uint16(words[14:]))
	uniLen := int(binary.LittleEndian.Uint16(words[16:]))
	if oemLen+uniLen > len(data) {
		return dissect.Errorf(Source, base+dataAt, "session setup passwords run past the message")
	}
	// Skip the account name and primary domain without decoding them.
	d.nativeStrings(m, dataAt+oemLen+uniLen, unicode, 4, true)
	return nil
}

// nativeStrings reads n strings from m at off and emits the last two as
// NativeOS and NativeLanMan (the first n-2 are skipped unread).
func (d *dissector) nativeStrings(m []byte, off int, unicode bool, n int, fromClient bool) {
	var strs [4][]byte
	for i := 0; i < n && off <= len(m); i++ {
		strs[i], off = cString(m, off, unicode)
	}
	who := d.sender(fromClient)
	d.emit(who, dissect.KeyOS, decode(strs[n-2], unicode), dissect.Medium)
	d.emit(who, KeyNativeLanMan, decode(strs[n-1], unicode), dissect.Medium)
}

// cString returns the NUL-terminated string at m[off:] (UTF-16LE aligned to
// an even offset from the header when unicode), and the offset after it.
func cString(m []byte, off int, unicode bool) ([]byte, int) {
	if !unicode {
		rest := m[min(off, len(m)):]
		s, _, _ := bytes.Cut(rest, []byte{0})
		return s, off + len(s) + 1
	}
	if off%2 == 1 {
		off++
	}
	for i := off; i+1 < len(m); i += 2 {
		if m[i] == 0 && m[i+1] == 0 {
			return m[off:i], i + 2
		}
	}
	return m[min(off, len(m)):], len(m) + 1
}
