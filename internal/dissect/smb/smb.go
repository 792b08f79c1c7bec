// Package smb reads the first exchanges of an SMB connection (TCP 445, or
// 139 behind a NetBIOS session): the dialect negotiated, the operating
// system strings of SMB1 session setup, and what the NTLMSSP messages
// carried in session setup say about both ends.
//
// Facts, all with Source "smb":
//
//	server  insecure_protocol  "smbv1" when SMB1 is used beyond a negotiate upgraded to SMB2
//	server  smb_dialect        "NT LM 0.12", "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1"
//	server  smb_server_guid    "2f8d3a6c-8f2e-4a6b-9d1e-0123456789ab"
//	both    os                 SMB1 NativeOS: "Windows 5.1", "Windows Server 2019 Standard 17763"
//	both    smb_native_lanman  SMB1 NativeLanMan: "Windows 2002 5.1", "Samba 4.9.5"
//	server  hostname           NTLM challenge MsvAvNbComputerName (High)
//	server  fqdn               NTLM challenge MsvAvDnsComputerName
//	server  ntlm_domain        NTLM challenge MsvAvNbDomainName
//	server  ntlm_dns_domain    NTLM challenge MsvAvDnsDomainName
//	server  ntlm_target_name   NTLM challenge target name
//	both    ntlm_os_version    NTLM Version structure: "10.0 build 19041"
//	server  os                 "Windows 10.0 build 19041", from that structure (not when the build is 0, as Samba sends)
//	client  hostname           NTLM authenticate workstation name (High)
//	client  ntlm_domain        NTLM authenticate domain name
//
// The user name in NTLM AUTHENTICATE and SMB1 session setup names a person:
// it is never read into a string, let alone emitted.
package smb

import (
	"encoding/binary"

	"github.com/wardhq/ward/internal/dissect"
)

// Source is the Fact.Source of every fact this package emits.
const Source = "smb"

// Fact keys specific to SMB and NTLMSSP.
const (
	KeyDialect       = "smb_dialect"
	KeyServerGUID    = "smb_server_guid"
	KeyNativeLanMan  = "smb_native_lanman"
	KeyNTLMDomain    = "ntlm_domain"
	KeyNTLMDNSDomain = "ntlm_dns_domain"
	KeyNTLMTarget    = "ntlm_target_name"
	KeyNTLMVersion   = "ntlm_os_version"
)

// NetBIOS session service packet types (RFC 1002 4.3.1).
const (
	nbssMessage  = 0x00
	nbssRequest  = 0x81
	nbssPositive = 0x82
)

const (
	maxMessages = 64 // NetBIOS messages read per head
	maxDialects = 32 // SMB1 dialect strings remembered from the client
)

// Detect reports whether either head starts with a NetBIOS session message
// holding an SMB1, SMB2 or SMB3 header, possibly after a NetBIOS session
// request or response (port 139).
func Detect(client, server []byte) bool {
	return isSMB(client) || isSMB(server)
}

func isSMB(b []byte) bool {
	if len(b) >= 4 && (b[0] == nbssRequest || b[0] == nbssPositive) {
		skip := 4 + (int(b[1])<<16 | int(binary.BigEndian.Uint16(b[2:])))
		b = b[min(skip, len(b)):]
	}
	if len(b) < 8 || b[0] != nbssMessage {
		return false
	}
	return (b[4] == 0xff || b[4] == 0xfe || b[4] == 0xfd) && string(b[5:8]) == "SMB"
}

// Dissect is a dissect.StreamFunc for SMB.
func Dissect(ctx *dissect.Context, client, server []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	d := dissector{ctx: ctx, out: out, first: len(out)}
	cliErr := d.head(client, true)
	srvErr := d.head(server, false)
	d.conclude()
	if srvErr != nil {
		return d.out, srvErr
	}
	return d.out, cliErr
}

// dissector holds the state of one Dissect call.
type dissector struct {
	ctx   *dissect.Context
	out   []dissect.Fact
	first int // index in out of the first fact of this call

	dialects    [][]byte // SMB1 dialects the client offered, aliasing its head
	smb1Client  bool     // the client sent an SMB1 command other than NEGOTIATE
	smb1Server  bool     // the server answered in SMB1 beyond NEGOTIATE, or chose an SMB1 dialect
	smb1Dialect string
	smb2Dialect string
}

// head walks the NetBIOS session messages of one direction.
func (d *dissector) head(b []byte, fromClient bool) error {
	off := 0
	for n := 0; off+4 <= len(b) && n < maxMessages; n++ {
		typ := b[off]
		length := int(b[off+1])<<16 | int(binary.BigEndian.Uint16(b[off+2:]))
		body := b[off+4 : min(len(b), off+4+length)]
		if typ == nbssMessage {
			if err := d.message(body, off+4, fromClient); err != nil {
				return err
			}
		}
		off += 4 + length
	}
	if off < len(b) && off+4 > len(b) && len(b) > 0 {
		return dissect.Errorf(Source, off, "netbios header cut short")
	}
	return nil
}

// message dissects one NetBIOS session message starting at head offset base.
func (d *dissector) message(m []byte, base int, fromClient bool) error {
	if len(m) < 4 {
		return dissect.Errorf(Source, base, "message of %d bytes, too short for an smb header", len(m))
	}
	switch {
	case string(m[:4]) == "\xffSMB":
		return d.smb1(m, base, fromClient)
	case string(m[:4]) == "\xfeSMB":
		return d.smb2(m, base, fromClient)
	case string(m[:4]) == "\xfdSMB":
		return nil // encrypted (transform header): nothing readable follows
	}
	return dissect.Errorf(Source, base, "message without an smb protocol id")
}

// conclude emits the facts that need both directions.
func (d *dissector) conclude() {
	if d.smb1Dialect != "" {
		d.emit(d.ctx.Dst, KeyDialect, d.smb1Dialect, dissect.High)
	}
	if d.smb2Dialect != "" {
		d.emit(d.ctx.Dst, KeyDialect, d.smb2Dialect, dissect.High)
	}
	switch {
	case d.smb1Server:
		d.emit(d.ctx.Dst, dissect.KeyInsecure, "smbv1", dissect.High)
	case d.smb1Client && d.smb2Dialect == "":
		d.emit(d.ctx.Dst, dissect.KeyInsecure, "smbv1", dissect.Medium)
	}
}

// emit appends a fact unless this call already emitted the same one.
func (d *dissector) emit(who dissect.Endpoint, key, value string, conf dissect.Confidence) {
	if value == "" {
		return
	}
	for _, f := range d.out[d.first:] {
		if f.Key == key && f.Value == value && f.Who == who {
			return
		}
	}
	d.out = append(d.out, dissect.Fact{Who: who, Source: Source, Key: key, Value: value, Confidence: conf})
}

// sender returns the endpoint that sent a message.
func (d *dissector) sender(fromClient bool) dissect.Endpoint {
	if fromClient {
		return d.ctx.Src
	}
	return d.ctx.Dst
}
