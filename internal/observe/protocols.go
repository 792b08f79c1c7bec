package observe

import (
	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/cdp"
	"github.com/wardhq/ward/internal/dissect/dhcp"
	"github.com/wardhq/ward/internal/dissect/dicom"
	"github.com/wardhq/ward/internal/dissect/dns"
	"github.com/wardhq/ward/internal/dissect/ftp"
	"github.com/wardhq/ward/internal/dissect/hl7"
	"github.com/wardhq/ward/internal/dissect/http"
	"github.com/wardhq/ward/internal/dissect/lldp"
	"github.com/wardhq/ward/internal/dissect/nbns"
	"github.com/wardhq/ward/internal/dissect/smb"
	"github.com/wardhq/ward/internal/dissect/snmp"
	"github.com/wardhq/ward/internal/dissect/ssdp"
	"github.com/wardhq/ward/internal/dissect/ssh"
	"github.com/wardhq/ward/internal/dissect/syslog"
	"github.com/wardhq/ward/internal/dissect/telnet"
	"github.com/wardhq/ward/internal/dissect/tls"
	"github.com/wardhq/ward/internal/dissect/wsd"
)

// datagramProto is a dissector of single datagrams.
type datagramProto struct {
	name  string
	ports []uint16 // either end of a UDP datagram; none for L2 protocols
	fn    dissect.DatagramFunc
}

// streamProto is a dissector of TCP stream heads.
type streamProto struct {
	name   string
	ports  []uint16 // the server's usual ports
	detect func(client, server []byte) bool
	fn     dissect.StreamFunc
	// weak marks a detector that content alone cannot trust (a greeting
	// line shared by several protocols); it is used only on its ports.
	weak bool
	// count, when set, counts the protocol's messages in a run of stream
	// bytes: over the heads, then over every later segment, so that a
	// flow's message count covers the whole connection.
	count func(payload []byte) int
}

var (
	lldpProto = &datagramProto{name: "lldp", fn: lldp.Dissect}
	cdpProto  = &datagramProto{name: "cdp", fn: cdp.Dissect}
)

var datagramProtos = []*datagramProto{
	{name: "dhcp", ports: []uint16{67, 68}, fn: dhcp.DissectV4},
	{name: "dhcpv6", ports: []uint16{546, 547}, fn: dhcp.DissectV6},
	{name: "dns", ports: []uint16{53}, fn: dns.DissectDNS},
	{name: "mdns", ports: []uint16{5353}, fn: dns.DissectMDNS},
	{name: "llmnr", ports: []uint16{5355}, fn: dns.DissectLLMNR},
	{name: "nbns", ports: []uint16{137}, fn: nbns.Dissect},
	{name: "nbdgm", ports: []uint16{138}, fn: nbns.DissectDatagram},
	{name: "ssdp", ports: []uint16{1900}, fn: ssdp.Dissect},
	{name: "snmp", ports: []uint16{161, 162}, fn: snmp.Dissect},
	{name: "syslog", ports: []uint16{514}, fn: syslog.Dissect},
	{name: "wsd", ports: []uint16{3702}, fn: wsd.Dissect},
}

// streamProtos in the order their detectors are tried: the most specific
// first.
var streamProtos = []*streamProto{
	{name: "tls", ports: []uint16{443, 8443, 636, 993, 995, 2762, 465, 5061},
		detect: tls.Detect, fn: tls.Dissect},
	{name: "dicom", ports: []uint16{104, 11112}, detect: dicom.Detect, fn: dicom.Dissect},
	{name: "hl7", ports: []uint16{2575}, detect: hl7.Detect, fn: hl7.Dissect,
		count: hl7.CountMessages},
	{name: "ssh", ports: []uint16{22}, detect: ssh.Detect, fn: ssh.Dissect},
	{name: "smb", ports: []uint16{445, 139}, detect: smb.Detect, fn: smb.Dissect},
	// WSD metadata exchange: HTTP on the port Windows and DPWS devices use,
	// read as HTTP and then for the device description in the response.
	{name: "wsd-http", ports: []uint16{5357}, detect: http.Detect, fn: wsdHTTP, weak: true},
	{name: "http", ports: []uint16{80, 8080, 8000, 8008, 8081, 3128},
		detect: http.Detect, fn: http.Dissect},
	{name: "ftp", ports: []uint16{21}, detect: ftp.Detect, fn: ftp.Dissect, weak: true},
	{name: "telnet", ports: []uint16{23}, detect: telnet.Detect, fn: telnet.Dissect,
		weak: true},
}

// tlsServices name the protocols that well-known TLS ports carry, so that
// a TLS server on one is noted as offering it, encrypted.
var tlsServices = map[uint16]string{
	2762: "dicom-tls", // DICOM over TLS (IANA "dicom-tls")
	5061: "sips",
	636:  "ldaps",
}

// wsdHTTP dissects a WSD metadata exchange: its HTTP headers, then the
// metadata the device sent back.
func wsdHTTP(ctx *dissect.Context, client, server []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	out, herr := http.Dissect(ctx, client, server, out)
	out, werr := wsd.DissectHTTP(ctx, client, server, out)
	if herr != nil {
		return out, herr
	}
	return out, werr
}

// Port tables, indexed by port number, built once.
var (
	datagramByPort [65536]*datagramProto
	streamByPort   [65536]*streamProto
	wellKnown      [65536]bool
)

// otherServices are service ports without a dissector, used to tell the
// client of a conversation from its server.
var otherServices = []uint16{
	20, 25, 69, 88, 102, 110, 111, 119, 123, 135, 143, 179, 389, 502, 515, 554, 587, 631,
	873, 1080, 1433, 1521, 1883, 2049, 3260, 3306, 3389, 4840, 5060, 5432, 5900, 6379,
	8883, 9100, 47808,
}

func init() {
	for _, d := range datagramProtos {
		for _, port := range d.ports {
			datagramByPort[port] = d
			wellKnown[port] = true
		}
	}
	for _, s := range streamProtos {
		for _, port := range s.ports {
			streamByPort[port] = s
			wellKnown[port] = true
		}
	}
	for _, port := range otherServices {
		wellKnown[port] = true
	}
}

func knownPort(port uint16) bool { return wellKnown[port] }

// datagramFor returns the dissector for a UDP datagram between sport and
// dport, the destination port first.
func datagramFor(sport, dport uint16) *datagramProto {
	if d := datagramByPort[dport]; d != nil {
		return d
	}
	return datagramByPort[sport]
}

// streamPortName names the application usually on a TCP server port.
func streamPortName(port uint16) string {
	if s := streamByPort[port]; s != nil {
		return s.name
	}
	return ""
}

// streamFor picks the stream dissector for a connection to server port
// sport: by content first, then by port.
func streamFor(cport, sport uint16, client, server []byte) *streamProto {
	byPort := streamByPort[sport]
	for _, s := range streamProtos {
		if s.weak && s != byPort {
			continue
		}
		if s.detect(client, server) {
			return s
		}
	}
	return byPort
}
