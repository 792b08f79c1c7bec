// Package nbns dissects the NetBIOS name service (RFC 1001/1002, UDP 137)
// and the browser announcements carried by the NetBIOS datagram service
// (UDP 138, MS-BRWS).
//
// Dissect (Source "nbns") reads name registrations and refreshes (opcodes
// 5, 8, 9, 15) about their sender, positive name query responses about the
// address they bind, and node status (NBSTAT) responses about their sender.
// Each NetBIOS name is reported by its 16th-byte suffix:
//   - hostname (dissect.KeyHostname): a unique <00> or <20> name, "PUMP-07".
//   - service "smb": a unique <20> name (the file server service).
//   - nb_workgroup: a group <00> or <1E> name, or a unique <1D> name.
//   - nb_domain: a group <1C> name or a unique <1B> name.
//   - capability: "domain-controller" for <1C>, "domain-master-browser"
//     for <1B>, "master-browser" for <1D> and __MSBROWSE__<01>.
//   - nbstat_mac: the unit id of a node status response, "00:0c:29:61:f5:5f".
//   - nbns_query, Low, about the sender: a name it asks for, "WPAD<00>".
//
// Registrations and node status responses come from the owner of the
// names and are High. A query response may come from a WINS server that
// answers for someone else: it is High only when the bound address is the
// responder's own, else Medium about {IP: the address}.
//
// DissectDatagram (Source "browser") reads host, local master and domain
// announcements; see its doc comment for the keys.
package nbns

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dns"
)

// Keys this package emits besides the shared ones.
const (
	KeyWorkgroup  = "nb_workgroup"
	KeyDomain     = "nb_domain"
	KeyNBStatMAC  = "nbstat_mac"
	KeyQuery      = "nbns_query"
	KeyOSVersion  = "nb_os_version"
	KeyServerType = "nb_server_type"
)

// Name service wire values (RFC 1002 §4.2).
const (
	typeNB          = 0x20
	typeNBSTAT      = 0x21
	flagGroup       = 0x8000 // G bit of NB_FLAGS and NAME_FLAGS
	maxQuestions    = 4
	maxAddresses    = 16 // NB entries read from one record
	nbEntryLen      = 6  // NB_FLAGS and NB_ADDRESS
	nbstatNameLen   = 18 // 16-byte name and NAME_FLAGS
	opQuery         = 0
	opRegistration  = 5
	opRelease       = 6
	opWACK          = 7
	opRefresh       = 8
	opRefreshAlt    = 9
	opMultihomedReg = 15
)

// Dissect dissects a NetBIOS name service packet (UDP port 137).
func Dissect(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	var r dns.Reader
	if err := r.Reset(payload); err != nil {
		return out, rename(err)
	}
	op := r.Header.Opcode()
	var err error
	switch {
	case !r.Header.Response() && op == opQuery:
		out, err = queries(ctx, &r, out)
	case !r.Header.Response() && isRegistration(op):
		out, err = records(ctx, &r, dns.SectionAdditional, out)
	case r.Header.Response() && r.Header.RCode() == 0 && op != opRelease && op != opWACK:
		out, err = records(ctx, &r, dns.SectionAnswer, out)
	}
	return out, rename(err)
}

// isRegistration reports whether op registers or refreshes a name.
func isRegistration(op uint8) bool {
	return op == opRegistration || op == opRefresh || op == opRefreshAlt || op == opMultihomedReg
}

// rename makes the dns reader's errors name this protocol.
func rename(err error) error {
	var de *dissect.Error
	if errors.As(err, &de) {
		de.Proto = "nbns"
	}
	return err
}

// queries emits an nbns_query fact for each NB question.
func queries(ctx *dissect.Context, r *dns.Reader, out []dissect.Fact) ([]dissect.Fact, error) {
	for range maxQuestions {
		q, ok, err := r.Question()
		if !ok || err != nil {
			return out, err
		}
		if q.Type != typeNB {
			continue
		}
		name, err := questionName(q.Name, r.Offset())
		if err != nil {
			return out, err
		}
		if v := name.withSuffix(); v != "" {
			out = append(out, fact(ctx.Src, "nbns", KeyQuery, v, dissect.Low))
		}
	}
	return out, nil
}

// questionName decodes the first-level encoded label of a name.
func questionName(n dns.Name, off int) (nbName, error) {
	label, err := n.FirstLabel()
	if err != nil {
		return nbName{}, err
	}
	name, ok := decodeLabel(label)
	if !ok {
		return nbName{}, dissect.Errorf("nbns", off, "name is not 32 half-ASCII bytes")
	}
	return name, nil
}

// records emits the facts of the NB and NBSTAT records of one section.
func records(ctx *dissect.Context, r *dns.Reader, sec dns.Section,
	out []dissect.Fact) ([]dissect.Fact, error) {
	for {
		rec, ok, err := r.Record()
		if !ok || err != nil {
			return out, err
		}
		if rec.Section != sec || rec.Class&dns.ClassMask != dns.ClassIN {
			continue
		}
		switch {
		case rec.Type == typeNB:
			out, err = nbRecord(ctx, rec, sec == dns.SectionAdditional, r.Offset(), out)
		case rec.Type == typeNBSTAT && sec == dns.SectionAnswer:
			out, err = nodeStatus(ctx, rec.Data, r.Offset()-len(rec.Data), out)
		}
		if err != nil {
			return out, err
		}
	}
}

// nbRecord emits the facts of an NB record: its name bound to each
// address it lists. owner is set for a registration, sent by the owner.
func nbRecord(ctx *dissect.Context, rec dns.Record, owner bool, end int,
	out []dissect.Fact) ([]dissect.Fact, error) {
	name, err := questionName(rec.Name, end)
	if err != nil {
		return out, err
	}
	if len(rec.Data)%nbEntryLen != 0 {
		return out, dissect.Errorf("nbns", end-len(rec.Data),
			"nb data of %d bytes is not a whole number of entries", len(rec.Data))
	}
	src := ctx.Src.IP.Unmap()
	for i := 0; i < len(rec.Data) && i < maxAddresses*nbEntryLen; i += nbEntryLen {
		flags := binary.BigEndian.Uint16(rec.Data[i:])
		addr := netip.AddrFrom4([4]byte(rec.Data[i+2 : i+6]))
		who, conf := ctx.Src, dissect.High
		switch {
		case addr == src, owner && addr.IsUnspecified():
			// The owner's own address, or a registration that leaves it
			// to the packet's source.
		case !usable(addr):
			continue
		default:
			who, conf = dissect.Endpoint{IP: addr}, dissect.Medium
		}
		out = nameFacts(out, who, name, flags&flagGroup != 0, conf)
	}
	return out, nil
}

// nodeStatus emits the facts of a node status response: each name of the
// table, and the unit id (a MAC address).
func nodeStatus(ctx *dissect.Context, data []byte, base int,
	out []dissect.Fact) ([]dissect.Fact, error) {
	if len(data) < 1 {
		return out, dissect.Errorf("nbns", base, "node status has no name count")
	}
	n := int(data[0])
	end := 1 + n*nbstatNameLen
	if end > len(data) {
		return out, dissect.Errorf("nbns", base, "node status of %d names needs %d bytes, has %d",
			n, end, len(data))
	}
	for i := 1; i < end; i += nbstatNameLen {
		name := rawName(data[i : i+16])
		flags := binary.BigEndian.Uint16(data[i+16:])
		out = nameFacts(out, ctx.Src, name, flags&flagGroup != 0, dissect.High)
	}
	if end+6 > len(data) {
		return out, dissect.Errorf("nbns", base+end, "node status ends before the unit id")
	}
	if mac := dissect.MAC(data[end : end+6]); !mac.IsZero() {
		out = append(out, fact(ctx.Src, "nbns", KeyNBStatMAC, mac.String(), dissect.High))
	}
	return out, nil
}

// nameFacts emits what a name says, by its suffix and group flag.
func nameFacts(out []dissect.Fact, who dissect.Endpoint, n nbName, group bool,
	c dissect.Confidence) []dissect.Fact {
	if n.isBrowse() {
		return append(out, fact(who, "nbns", dissect.KeyCapability, "master-browser", c))
	}
	v := n.text()
	if v == "" {
		return out
	}
	add := func(key, value string) {
		out = append(out, fact(who, "nbns", key, value, c))
	}
	switch {
	case n.suffix == 0x00 && !group:
		add(dissect.KeyHostname, v)
	case n.suffix == 0x20 && !group:
		add(dissect.KeyHostname, v)
		add(dissect.KeyService, "smb")
	case n.suffix == 0x00 && group, n.suffix == 0x1e && group:
		add(KeyWorkgroup, v)
	case n.suffix == 0x1d && !group:
		add(KeyWorkgroup, v)
		add(dissect.KeyCapability, "master-browser")
	case n.suffix == 0x1c && group:
		add(KeyDomain, v)
		add(dissect.KeyCapability, "domain-controller")
	case n.suffix == 0x1b && !group:
		add(KeyDomain, v)
		add(dissect.KeyCapability, "domain-master-browser")
	}
	return out
}

// usable reports whether addr can name a device.
func usable(addr netip.Addr) bool {
	return addr.IsValid() && !addr.IsLoopback() && !addr.IsUnspecified() &&
		!addr.IsMulticast() && addr != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// fact builds a Fact.
func fact(who dissect.Endpoint, source, key, value string, c dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: source, Key: key, Value: value, Confidence: c}
}
