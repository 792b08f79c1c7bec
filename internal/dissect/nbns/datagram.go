package nbns

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/wardhq/ward/internal/dissect"
)

// Datagram service and browser protocol layout.
const (
	dgmHeaderLen  = 14 // type, flags, id, source IP, source port, length, offset
	smbHeaderLen  = 32
	smbTrans      = 0x25 // SMB_COM_TRANSACTION
	transWords    = 14   // parameter words before the setup words
	announceLen   = 32   // fixed part of a host announcement, before the comment
	maxCommentLen = 48   // MS-BRWS allows 43 bytes and the NUL
)

// Browser opcodes (MS-BRWS §2.2).
const (
	opHostAnnouncement        = 0x01
	opDomainAnnouncement      = 0x0c
	opLocalMasterAnnouncement = 0x0f
)

// serverTypes maps server type bits (MS-RAP SV_TYPE_*) to capabilities.
var serverTypes = []struct {
	bit uint32
	cap string
}{
	{0x00000002, "file-server"},
	{0x00000004, "sql-server"},
	{0x00000008, "domain-controller"},
	{0x00000010, "backup-domain-controller"},
	{0x00000200, "print-server"},
	{0x00040000, "master-browser"},
	{0x00080000, "domain-master-browser"},
	{0x02000000, "terminal-server"},
}

// DissectDatagram dissects a NetBIOS datagram (UDP port 138) that carries a
// browser announcement on the \MAILSLOT\BROWSE mailslot. Facts, Source
// "browser", are about the sender, ctx.Src:
//   - hostname, High: the server name of a host or local master
//     announcement, "DESKTOP-V1FA0UQ"; Medium from the datagram's source
//     name when the payload is anything else.
//   - nb_os_version, High: "10.0", "6.1" (host and local master).
//   - nb_server_type, Medium: the server type bits, "0x00051003".
//   - capability, High: roles from those bits ("file-server",
//     "domain-controller", "master-browser", …).
//   - description, High: the announcement's comment, when not empty.
//   - nb_workgroup, High: the workgroup of a domain announcement.
func DissectDatagram(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	if len(payload) < dgmHeaderLen {
		return out, dissect.Errorf("nbdgm", 0, "header needs %d bytes, have %d",
			dgmHeaderLen, len(payload))
	}
	if t := payload[0]; t < 0x10 || t > 0x12 { // direct unique, direct group, broadcast
		return out, nil
	}
	src, off, err := encodedName(payload, dgmHeaderLen)
	if err != nil {
		return out, err
	}
	start := len(out)
	if _, off, err = encodedName(payload, off); err == nil {
		out, err = browse(ctx, payload[off:], off, out)
	}
	if len(out) == start && (src.suffix == 0x00 || src.suffix == 0x20) {
		if v := src.text(); v != "" {
			out = append(out, fact(ctx.Src, "browser", dissect.KeyHostname, v, dissect.Medium))
		}
	}
	return out, err
}

// encodedName reads a first-level encoded name and its scope at off, as in
// the datagram header (no compression), and returns the offset after it.
func encodedName(b []byte, off int) (nbName, int, error) {
	if off >= len(b) || b[off] != 32 || off+33 > len(b) {
		return nbName{}, off, dissect.Errorf("nbdgm", off, "name is not a 32-byte encoded label")
	}
	name, ok := decodeLabel(b[off+1 : off+33])
	if !ok {
		return nbName{}, off, dissect.Errorf("nbdgm", off, "name is not half-ASCII")
	}
	off += 33
	for n := 0; ; n++ { // scope labels, then the root
		if off >= len(b) || n > 63 {
			return name, off, dissect.Errorf("nbdgm", off, "name scope does not end")
		}
		l := int(b[off])
		off++
		if l == 0 {
			return name, off, nil
		}
		if l > 63 {
			return name, off, dissect.Errorf("nbdgm", off-1, "scope label of %d bytes", l)
		}
		off += l
	}
}

// browse finds the browser message in the SMB transaction that user
// carries (at offset base in the datagram) and dissects it.
func browse(ctx *dissect.Context, user []byte, base int,
	out []dissect.Fact) ([]dissect.Fact, error) {
	if len(user) < 5 || !bytes.Equal(user[:4], []byte("\xffSMB")) || user[4] != smbTrans {
		return out, nil // not an SMB transaction: a later fragment, or empty
	}
	if len(user) < smbHeaderLen+1 {
		return out, dissect.Errorf("nbdgm", base, "smb header cut short at %d bytes", len(user))
	}
	words := int(user[smbHeaderLen])
	params := smbHeaderLen + 1
	bcOff := params + 2*words
	if words < transWords || bcOff+2 > len(user) {
		return out, dissect.Errorf("nbdgm", base+smbHeaderLen, "transaction has %d words", words)
	}
	slot := user[bcOff+2:]
	if len(slot) < 16 {
		return out, dissect.Errorf("nbdgm", base+bcOff+2, "mailslot name cut short")
	}
	if !bytes.EqualFold(slot[:16], []byte(`\MAILSLOT\BROWSE`)) {
		return out, nil // another mailslot, such as \MAILSLOT\NET\NETLOGON
	}
	count := int(binary.LittleEndian.Uint16(user[params+2*11:]))
	dataOff := int(binary.LittleEndian.Uint16(user[params+2*12:]))
	if dataOff+count > len(user) || count == 0 {
		return out, dissect.Errorf("nbdgm", base+params+2*12,
			"browser data of %d bytes at %d overruns %d", count, dataOff, len(user))
	}
	return announcement(ctx, user[dataOff:dataOff+count], base+dataOff, out)
}

// announcement dissects a host, local master or domain announcement.
func announcement(ctx *dissect.Context, b []byte, base int,
	out []dissect.Fact) ([]dissect.Fact, error) {
	op := b[0]
	if op != opHostAnnouncement && op != opLocalMasterAnnouncement && op != opDomainAnnouncement {
		return out, nil
	}
	if len(b) < announceLen {
		return out, dissect.Errorf("nbdgm", base, "announcement of %d bytes, want %d",
			len(b), announceLen)
	}
	name := dissect.Text(cString(b[6:22]))
	comment := dissect.Text(cString(b[announceLen:min(len(b), announceLen+maxCommentLen)]))
	add := func(key, value string, c dissect.Confidence) {
		if value != "" {
			out = append(out, fact(ctx.Src, "browser", key, value, c))
		}
	}
	if op == opDomainAnnouncement {
		// The comment names the local master browser: the sender.
		add(KeyWorkgroup, name, dissect.High)
		add(dissect.KeyHostname, comment, dissect.Medium)
		add(dissect.KeyCapability, "master-browser", dissect.High)
		return out, nil
	}
	types := binary.LittleEndian.Uint32(b[24:])
	add(dissect.KeyHostname, name, dissect.High)
	add(KeyOSVersion, fmt.Sprintf("%d.%d", b[22], b[23]), dissect.High)
	add(KeyServerType, fmt.Sprintf("0x%08x", types), dissect.Medium)
	for _, st := range serverTypes {
		if types&st.bit != 0 {
			add(dissect.KeyCapability, st.cap, dissect.High)
		}
	}
	add(dissect.KeyDescription, comment, dissect.High)
	return out, nil
}

// cString cuts b at its first NUL.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}
