package demo

import (
	"encoding/binary"
	"net/netip"
	"strings"
)

// NetBIOS name suffixes (the 16th byte) and flags.
const (
	nbWorkstation = 0x00
	nbServer      = 0x20
	nbDomainCtrl  = 0x1c
	nbDomainMB    = 0x1b
	nbMasterBr    = 0x1d
	nbGroup       = 0x8000 // NB_FLAGS G: a group name
)

// nbEncode is the first-level encoding of a NetBIOS name (RFC 1001
// section 14.1): the name padded to 15 bytes with spaces, the suffix, each
// byte split into two nibbles written as 'A'+nibble, as one 32-byte label.
func nbEncode(name string, suffix byte) []byte {
	var raw [16]byte
	copy(raw[:15], strings.ToUpper(name)+strings.Repeat(" ", 15))
	raw[15] = suffix
	b := make([]byte, 0, 34)
	b = append(b, 32)
	for _, c := range raw {
		b = append(b, 'A'+c>>4, 'A'+c&0x0f)
	}
	return append(b, 0)
}

// nbRegistration is a name registration request as a B-node broadcasts it
// (RFC 1002 section 4.2.2): one question and one additional record that
// binds the name to the sender's address.
func nbRegistration(id uint16, name string, suffix byte, group bool, ip netip.Addr) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = binary.BigEndian.AppendUint16(b, 0x2910) // opcode 5, recursion desired, broadcast
	b = append(b, 0, 1, 0, 0, 0, 0, 0, 1)
	b = append(b, nbEncode(name, suffix)...)
	b = append(b, 0, 0x20, 0, 1)       // NB, IN
	b = append(b, 0xc0, 0x0c)          // the question's name
	b = append(b, 0, 0x20, 0, 1)       // NB, IN
	b = append(b, 0, 0x04, 0x93, 0xe0) // TTL 300000 s
	b = append(b, 0, 6)
	var flags uint16
	if group {
		flags = nbGroup
	}
	b = binary.BigEndian.AppendUint16(b, flags)
	a := ip.As4()
	return append(b, a[:]...)
}

// hostAnnouncement is a browser host announcement (MS-BRWS 2.2.1) in an
// SMB mailslot write to \MAILSLOT\BROWSE, in a NetBIOS datagram from the
// sender to the domain's local master browser name (RFC 1002 4.4.1).
func hostAnnouncement(name, comment string, serverType uint32, ip netip.Addr, id uint16) []byte {
	ann := []byte{1, 0} // opcode, update count
	ann = binary.LittleEndian.AppendUint32(ann, 12*60*1000)
	var nb [16]byte
	copy(nb[:], strings.ToUpper(name))
	ann = append(ann, nb[:]...)
	ann = append(ann, 10, 0) // Windows 10.0
	ann = binary.LittleEndian.AppendUint32(ann, serverType)
	ann = append(ann, 15, 1, 0x55, 0xaa) // browser version 15.1, signature
	ann = append(append(ann, comment...), 0)

	smb := smbMailslot(`\MAILSLOT\BROWSE`, ann)
	src, dst := nbEncode(name, nbWorkstation), nbEncode(netbiosDom, nbMasterBr)
	b := []byte{0x11, 0x02} // direct group datagram, first fragment, B node
	b = binary.BigEndian.AppendUint16(b, id)
	a := ip.As4()
	b = append(b, a[:]...)
	b = binary.BigEndian.AppendUint16(b, 138)
	b = binary.BigEndian.AppendUint16(b, uint16(len(src)+len(dst)+len(smb)))
	b = append(b, 0, 0) // packet offset
	b = append(b, src...)
	b = append(b, dst...)
	return append(b, smb...)
}

// smbMailslot is an SMB_COM_TRANSACTION request that writes data to a
// mailslot (MS-SMB 2.2.4.33, class 2 unreliable).
func smbMailslot(slot string, data []byte) []byte {
	const header = 32
	name := append([]byte(slot), 0)
	dataOff := header + 1 + 17*2 + 2 + len(name)
	b := make([]byte, 0, dataOff+len(data))
	b = append(b, 0xff, 'S', 'M', 'B', 0x25)
	b = append(b, make([]byte, header-5)...)
	b = append(b, 17) // 14 parameter words and 3 setup words
	words := []uint16{0, uint16(len(data)), 0, 0, 0, 0, 0, 0, 0, 0, uint16(dataOff),
		uint16(len(data)), uint16(dataOff), 3, 1, 1, 2}
	for _, w := range words {
		b = binary.LittleEndian.AppendUint16(b, w)
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)+len(data)))
	b = append(b, name...)
	return append(b, data...)
}
