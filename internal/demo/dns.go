package demo

import (
	"encoding/binary"
	"net/netip"
	"strings"
)

// DNS record types and the classes used here.
const (
	typeA      = 1
	typePTR    = 12
	typeTXT    = 16
	typeSRV    = 33
	classIN    = 1
	classFlush = 0x8001 // IN with mDNS's cache-flush bit
)

// dnsName appends a name in wire format, without compression.
func dnsName(b []byte, name string) []byte {
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

// rr appends a resource record.
func rr(b []byte, name string, typ, class uint16, ttl uint32, data []byte) []byte {
	b = dnsName(b, name)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, class)
	b = binary.BigEndian.AppendUint32(b, ttl)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

// dnsHeader appends a header with the given counts.
func dnsHeader(b []byte, id, flags uint16, qd, an, ns, ar uint16) []byte {
	for _, v := range []uint16{id, flags, qd, an, ns, ar} {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

// dnsQuery is a recursive query for the A record of name.
func dnsQuery(id uint16, name string) []byte {
	b := dnsHeader(nil, id, 0x0100, 1, 0, 0, 0)
	b = dnsName(b, name)
	return append(b, 0, typeA, 0, classIN)
}

// dnsAnswer is the server's answer to dnsQuery: the question again and
// one A record, named by a pointer to the question.
func dnsAnswer(id uint16, name string, ip netip.Addr) []byte {
	b := dnsHeader(nil, id, 0x8180, 1, 1, 0, 0)
	b = dnsName(b, name)
	b = append(b, 0, typeA, 0, classIN)
	b = append(b, 0xc0, 12, 0, typeA, 0, classIN)
	b = binary.BigEndian.AppendUint32(b, 300)
	a := ip.As4()
	b = append(b, 0, 4)
	return append(b, a[:]...)
}

// printerAnnouncement is the unsolicited mDNS response a printer
// multicasts (RFC 6762 section 8.3): its IPP service, the LPD one, their
// SRV and TXT records, and its address.
func printerAnnouncement(h *host, hostname, instance string) []byte {
	svc := instance + "._ipp._tcp.local"
	lpd := instance + "._printer._tcp.local"
	target := hostname + ".local"
	b := dnsHeader(nil, 0, 0x8400, 0, 6, 0, 0)
	b = rr(b, "_ipp._tcp.local", typePTR, classIN, 4500, dnsName(nil, svc))
	b = rr(b, "_printer._tcp.local", typePTR, classIN, 4500, dnsName(nil, lpd))
	b = rr(b, svc, typeSRV, classFlush, 120, srvData(631, target))
	b = rr(b, lpd, typeSRV, classFlush, 120, srvData(515, target))
	b = rr(b, svc, typeTXT, classFlush, 4500, txtData(printerTXT(h)))
	a := h.IP.As4()
	return rr(b, target, typeA, classFlush, 120, a[:])
}

func srvData(port uint16, target string) []byte {
	b := []byte{0, 0, 0, 0} // priority, weight
	b = binary.BigEndian.AppendUint16(b, port)
	return dnsName(b, target)
}

func txtData(pairs []string) []byte {
	var b []byte
	for _, p := range pairs {
		b = append(b, byte(len(p)))
		b = append(b, p...)
	}
	return b
}

// printerTXT is the TXT record of a printer's IPP service (the Bonjour
// Printing keys): its make and model in ty, product and usb_MDL.
func printerTXT(h *host) []string {
	maker, model, _ := strings.Cut(h.Model, " ")
	return []string{
		"txtvers=1", "qtotal=1", "rp=ipp/print", "ty=" + h.Model,
		"product=(" + h.Model + ")", "usb_MFG=" + maker, "usb_MDL=" + model,
		"note=" + h.Ward, "pdl=application/pdf,image/urf,application/postscript",
		"Color=T", "Duplex=T",
	}
}
