package smb

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"unicode/utf16"

	"github.com/wardhq/ward/internal/dissect"
)

// NTLMSSP ([MS-NLMP] 2.2), found by its signature inside the security blob
// rather than by walking the SPNEGO wrapping. Little-endian; offsets in the
// message count from the signature.
const (
	ntlmChallenge    = 2
	ntlmAuthenticate = 3

	flagUnicode = 0x00000001 // NTLMSSP_NEGOTIATE_UNICODE
	flagVersion = 0x02000000 // NTLMSSP_NEGOTIATE_VERSION

	avEOL            = 0
	avNbComputerName = 1
	avNbDomainName   = 2
	avDNSComputer    = 3
	avDNSDomain      = 4
	maxAVPairs       = 32
	maxName          = 256 // UTF-16 code units decoded per name
)

var ntlmSignature = []byte("NTLMSSP\x00")

// ntlmssp reads the NTLMSSP message in blob, if there is one. base is the
// blob's offset in the head.
func (d *dissector) ntlmssp(blob []byte, base int, fromClient bool) error {
	i := bytes.Index(blob, ntlmSignature)
	if i < 0 {
		return nil // Kerberos, or a SPNEGO token without NTLM
	}
	msg, base := blob[i:], base+i
	if len(msg) < 12 {
		return dissect.Errorf(Source, base, "ntlmssp message cut short")
	}
	switch binary.LittleEndian.Uint32(msg[8:]) {
	case ntlmChallenge:
		if !fromClient {
			return d.challenge(msg, base)
		}
	case ntlmAuthenticate:
		if fromClient {
			return d.authenticate(msg, base)
		}
	}
	return nil
}

// challenge reads CHALLENGE_MESSAGE: target name, target info, version.
func (d *dissector) challenge(msg []byte, base int) error {
	if len(msg) < 48 {
		return dissect.Errorf(Source, base, "ntlmssp challenge of %d bytes, want at least 48", len(msg))
	}
	flags := binary.LittleEndian.Uint32(msg[20:])
	unicode := flags&flagUnicode != 0
	who := d.ctx.Dst
	target, err := field(msg, 12, base)
	if err != nil {
		return err
	}
	d.emit(who, KeyNTLMTarget, decode(target, unicode), dissect.Medium)
	info, err := field(msg, 40, base)
	if err != nil {
		return err
	}
	if flags&flagVersion != 0 && payloadStart(msg, 12, 40) >= 56 {
		d.version(msg[48:56], who, true)
	}
	return d.targetInfo(info, base, who)
}

// targetInfo reads the AV pairs of a challenge's target info.
func (d *dissector) targetInfo(info []byte, base int, who dissect.Endpoint) error {
	keys := [...]string{
		avNbComputerName: dissect.KeyHostname,
		avNbDomainName:   KeyNTLMDomain,
		avDNSComputer:    dissect.KeyFQDN,
		avDNSDomain:      KeyNTLMDNSDomain,
	}
	for off, n := 0, 0; n < maxAVPairs; n++ {
		if off+4 > len(info) {
			return dissect.Errorf(Source, base, "ntlmssp target info ends without MsvAvEOL")
		}
		id := binary.LittleEndian.Uint16(info[off:])
		size := int(binary.LittleEndian.Uint16(info[off+2:]))
		if id == avEOL {
			return nil
		}
		if off+4+size > len(info) {
			return dissect.Errorf(Source, base, "ntlmssp av pair %d of %d bytes runs past target info", id, size)
		}
		if int(id) < len(keys) && keys[id] != "" {
			conf := dissect.Medium
			if id == avNbComputerName {
				conf = dissect.High
			}
			d.emit(who, keys[id], decode(info[off+4:off+4+size], true), conf)
		}
		off += 4 + size
	}
	return nil
}

// authenticate reads AUTHENTICATE_MESSAGE: domain and workstation names,
// and the version. The user name field (at 36) is never read.
func (d *dissector) authenticate(msg []byte, base int) error {
	if len(msg) < 64 {
		return dissect.Errorf(Source, base, "ntlmssp authenticate of %d bytes, want at least 64", len(msg))
	}
	flags := binary.LittleEndian.Uint32(msg[60:])
	unicode := flags&flagUnicode != 0
	who := d.ctx.Src
	domain, err := field(msg, 28, base)
	if err != nil {
		return err
	}
	host, err := field(msg, 44, base)
	if err != nil {
		return err
	}
	d.emit(who, dissect.KeyHostname, decode(host, unicode), dissect.High)
	d.emit(who, KeyNTLMDomain, decode(domain, unicode), dissect.Medium)
	if flags&flagVersion != 0 && len(msg) >= 72 && payloadStart(msg, 12, 20, 28, 36, 44, 52) >= 72 {
		d.version(msg[64:72], who, false)
	}
	return nil
}

// field returns the payload a (length, max length, offset) descriptor at
// msg[at:] points to.
func field(msg []byte, at, base int) ([]byte, error) {
	n := int(binary.LittleEndian.Uint16(msg[at:]))
	off := int(binary.LittleEndian.Uint32(msg[at+4:]))
	if n == 0 {
		return nil, nil
	}
	if off > len(msg) || n > len(msg)-off {
		return nil, dissect.Errorf(Source, base+at, "ntlmssp field of %d bytes at %d runs past the message", n, off)
	}
	return msg[off : off+n], nil
}

// payloadStart returns the lowest offset among the non-empty descriptors at
// the given positions: the header cannot extend past it.
func payloadStart(msg []byte, ats ...int) int {
	low := len(msg)
	for _, at := range ats {
		if binary.LittleEndian.Uint16(msg[at:]) != 0 {
			low = min(low, int(binary.LittleEndian.Uint32(msg[at+4:])))
		}
	}
	return low
}

// version emits the VERSION structure: major, minor, build (LE16).
func (d *dissector) version(v []byte, who dissect.Endpoint, server bool) {
	major, minor := v[0], v[1]
	build := binary.LittleEndian.Uint16(v[2:])
	if major == 0 {
		return
	}
	s := strconv.Itoa(int(major)) + "." + strconv.Itoa(int(minor)) + " build " + strconv.Itoa(int(build))
	d.emit(who, KeyNTLMVersion, s, dissect.Medium)
	if server && build != 0 {
		d.emit(who, dissect.KeyOS, "Windows "+s, dissect.Medium)
	}
}

// decode returns b as a string: UTF-16LE when unicode, else bytes. Control
// characters become '?'; at most maxName characters are kept.
func decode(b []byte, unicode bool) string {
	if len(b) == 0 {
		return ""
	}
	if !unicode {
		return printable(b)
	}
	n := min(len(b)/2, maxName)
	var buf [maxName]uint16
	u := buf[:n]
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	r := utf16.Decode(u)
	for i, c := range r {
		if c < 0x20 || c == 0x7f {
			r[i] = '?'
		}
	}
	return string(r)
}

// printable returns b with bytes outside printable ASCII replaced by '?',
// at most maxName bytes.
func printable(b []byte) string {
	out := []byte(string(b[:min(len(b), maxName)]))
	for i, c := range out {
		if c < 0x20 || c > 0x7e {
			out[i] = '?'
		}
	}
	return string(out)
}
