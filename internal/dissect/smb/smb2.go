package smb

import (
	"encoding/binary"

	"github.com/wardhq/ward/internal/dissect"
)

// SMB2 header layout ([MS-SMB2] 2.2.1): 64 bytes, little-endian.
const (
	smb2HeaderLen     = 64
	smb2CmdNegotiate  = 0
	smb2CmdSetup      = 1
	smb2FlagResponse  = 0x1
	smb2DialectWild   = 0x02ff // answer to an SMB1 multi-protocol negotiate: SMB2 follows
	maxCompounded     = 16     // chained (compounded) requests read per message
	negotiateRespSize = 65

	statusMoreProcessing = 0xc0000016 // STATUS_MORE_PROCESSING_REQUIRED
)

// smb2 dissects an SMB2/3 message and the requests compounded after it.
func (d *dissector) smb2(m []byte, base int, fromClient bool) error {
	for n := 0; n < maxCompounded; n++ {
		if len(m) < smb2HeaderLen {
			return dissect.Errorf(Source, base, "smb2 header cut short")
		}
		if string(m[:4]) != "\xfeSMB" {
			return dissect.Errorf(Source, base, "compounded message without an smb2 protocol id")
		}
		if err := d.smb2One(m, base, fromClient); err != nil {
			return err
		}
		next := int(binary.LittleEndian.Uint32(m[20:]))
		if next == 0 {
			return nil
		}
		if next < smb2HeaderLen || next >= len(m) {
			return dissect.Errorf(Source, base+20, "next command offset %d outside the message", next)
		}
		m, base = m[next:], base+next
	}
	return nil
}

// smb2One dissects one SMB2 header and its body; m starts at the header.
func (d *dissector) smb2One(m []byte, base int, fromClient bool) error {
	cmd := binary.LittleEndian.Uint16(m[12:])
	response := binary.LittleEndian.Uint32(m[16:])&smb2FlagResponse != 0
	status := binary.LittleEndian.Uint32(m[8:])
	if response && status != 0 && status != statusMoreProcessing {
		return nil // an error response: its body is an ERROR structure
	}
	body := m[smb2HeaderLen:]
	switch {
	case cmd == smb2CmdNegotiate && response && !fromClient:
		return d.negotiate2(body, base+smb2HeaderLen)
	case cmd == smb2CmdSetup && response:
		return d.setup2(m, body, 4, base, fromClient)
	case cmd == smb2CmdSetup:
		return d.setup2(m, body, 12, base, fromClient)
	}
	return nil
}

// negotiate2 reads a NEGOTIATE response: the dialect and the server GUID.
func (d *dissector) negotiate2(body []byte, base int) error {
	if len(body) < 24 {
		return dissect.Errorf(Source, base, "smb2 negotiate response cut short")
	}
	if binary.LittleEndian.Uint16(body) != negotiateRespSize {
		return dissect.Errorf(Source, base, "smb2 negotiate response of structure size %d", binary.LittleEndian.Uint16(body))
	}
	rev := binary.LittleEndian.Uint16(body[4:])
	if rev == smb2DialectWild {
		return nil // the real negotiate comes next
	}
	d.smb2Dialect = dialectName(rev)
	d.emit(d.ctx.Dst, KeyServerGUID, guid(body[8:24]), dissect.High)
	return nil
}

// dialectName formats a DialectRevision: 0x0311 is "3.1.1".
func dialectName(rev uint16) string {
	switch rev {
	case 0x0202:
		return "2.0.2"
	case 0x0210:
		return "2.1"
	case 0x0300:
		return "3.0"
	case 0x0302:
		return "3.0.2"
	case 0x0311:
		return "3.1.1"
	}
	const hex = "0123456789abcdef"
	return string([]byte{'0', 'x', hex[rev>>12], hex[rev>>8&0xf], hex[rev>>4&0xf], hex[rev&0xf]})
}

// guid formats 16 bytes as a GUID: the first three fields little-endian.
func guid(b []byte) string {
	const hex = "0123456789abcdef"
	order := [16]int{3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15}
	out := make([]byte, 0, 36)
	for i, j := range order {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[b[j]>>4], hex[b[j]&0xf])
	}
	return string(out)
}

// setup2 reads the security buffer of a SESSION_SETUP request or response;
// fieldAt is where its offset and length fields sit in the body. The offset
// counts from the start of the SMB2 header.
func (d *dissector) setup2(m, body []byte, fieldAt, base int, fromClient bool) error {
	if len(body) < fieldAt+4 {
		return dissect.Errorf(Source, base+smb2HeaderLen, "smb2 session setup cut short")
	}
	off := int(binary.LittleEndian.Uint16(body[fieldAt:]))
	n := int(binary.LittleEndian.Uint16(body[fieldAt+2:]))
	if n == 0 {
		return nil
	}
	if off < smb2HeaderLen || off > len(m) {
		return dissect.Errorf(Source, base+smb2HeaderLen+fieldAt, "security buffer offset %d outside the message", off)
	}
	blob := m[off:min(len(m), off+n)]
	if err := d.ntlmssp(blob, base+off, fromClient); err != nil {
		return err
	}
	if off+n > len(m) {
		return dissect.Errorf(Source, base+off, "security buffer of %d bytes cut short at %d", n, len(blob))
	}
	return nil
}
