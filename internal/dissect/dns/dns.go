// Package dns parses DNS messages (RFC 1035) without copying and dissects
// the three protocols that share the wire format: unicast DNS (UDP 53),
// multicast DNS with DNS-SD (RFC 6762, RFC 6763, UDP 5353) and LLMNR
// (RFC 4795, UDP 5355).
//
// DissectDNS (Source "dns") reads responses only:
//   - dns_name (dissect.KeyDNSName), Medium, about {IP: the address}: for
//     each A or AAAA record in any section, its owner name, lowercase and
//     without the trailing dot. For an answer reached through a CNAME chain
//     from the question, the queried name is reported as well as the
//     canonical one (intermediate aliases are not).
//   - dns_name, Medium, about {IP: the reversed address}: the target of a
//     PTR record owned by an in-addr.arpa or ip6.arpa name.
//   - dns_server "yes", Medium, about ctx.Src: any response sent from port 53.
//
// DissectMDNS (Source "mdns") takes a response to describe its sender,
// ctx.Src; records in queries are known answers about others and are
// ignored, except the authority section of a probe, which holds the
// prober's own records:
//   - hostname and fqdn, High: a .local name whose A, AAAA or reverse PTR
//     record carries ctx.Src.IP ("printer-1" and "printer-1.local"; case kept).
//   - dns_name, Medium, about {IP: the address}: the same for an address other
//     than ctx.Src.IP.
//   - service, High: a DNS-SD service type the sender offers, "_ipp._tcp".
//   - mdns_instance, High: an instance name from a PTR or SRV record,
//     "HP LaserJet 400 [123456]".
//   - model, manufacturer, serial, firmware_version, software, os, High: from
//     TXT pairs with identity keys only (see txtKeys), each also kept raw as
//     mdns_txt "key=value". Other pairs are never emitted: some carry keys
//     and tokens.
//   - hinfo, Medium: "CPU/OS" from an HINFO record.
//   - mdns_query, Low: a service type the sender asks for (at most
//     maxQueries a message).
//
// DissectLLMNR (Source "llmnr"):
//   - llmnr_query, Low, about ctx.Src: a name the sender looks for.
//   - hostname, High, about ctx.Src: a name the sender answers for (only
//     the owner answers); dns_name, Medium, about {IP: the address} for
//     each answered address other than ctx.Src.IP.
//
// Loopback, unspecified and multicast addresses yield no fact.
package dns

import (
	"github.com/wardhq/ward/internal/dissect"
)

// Keys this package emits besides the shared ones.
const (
	KeyDNSServer    = "dns_server"
	KeyMDNSInstance = "mdns_instance"
	KeyMDNSTXT      = "mdns_txt"
	KeyMDNSQuery    = "mdns_query"
	KeyHINFO        = "hinfo"
	KeyLLMNRQuery   = "llmnr_query"
)

// maxChain bounds the CNAME links followed from the question name.
const maxChain = 8

// DissectDNS dissects a unicast DNS message (UDP port 53). It learns from
// responses only: which names the server binds to which addresses.
func DissectDNS(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	var r Reader
	if err := r.Reset(payload); err != nil {
		return out, err
	}
	if !r.Header.Response() || r.Header.Opcode() != 0 {
		return out, nil
	}
	if ctx.SrcPort == 53 && usable(ctx.Src.IP) {
		out = append(out, fact(ctx.Src, "dns", KeyDNSServer, "yes", dissect.Medium))
	}
	if r.Header.RCode() != 0 {
		return out, nil
	}
	var query, canon nameBuf
	if err := resolveChain(r, &query, &canon); err != nil {
		return out, err
	}
	return bindAnswers(r, &query, &canon, out)
}

// resolveChain decodes the first question name into query and follows the
// answer section's CNAME records from it, leaving the last name in canon.
func resolveChain(r Reader, query, canon *nameBuf) error {
	q, ok, err := r.Question()
	if !ok {
		return err
	}
	if err := query.set(q.Name, true); err != nil {
		return err
	}
	canon.n = copy(canon.b[:], query.bytes())
	for range maxChain {
		moved, err := followCNAME(r, canon)
		if err != nil || !moved {
			return err
		}
	}
	return nil
}

// followCNAME moves canon one step along the answer section's CNAME
// records and reports whether it moved.
func followCNAME(r Reader, canon *nameBuf) (bool, error) {
	var owner nameBuf
	for {
		rec, ok, err := r.Record()
		if !ok || rec.Section != SectionAnswer {
			return false, err
		}
		if rec.Type != TypeCNAME {
			continue
		}
		if err := owner.set(rec.Name, true); err != nil {
			return false, err
		}
		if string(owner.bytes()) != string(canon.bytes()) {
			continue
		}
		target, err := rec.Target()
		if err != nil {
			return false, err
		}
		return true, canon.set(target, true)
	}
}

// bindAnswers emits a dns_name fact for each address record and reverse
// PTR record of the message.
func bindAnswers(r Reader, query, canon *nameBuf, out []dissect.Fact) ([]dissect.Fact, error) {
	var owner, target nameBuf
	for {
		rec, ok, err := r.Record()
		if !ok {
			return out, err
		}
		if rec.Class&ClassMask != ClassIN {
			continue
		}
		switch rec.Type {
		case TypeA, TypeAAAA:
			addr, ok := rec.Addr()
			if !ok || !usable(addr) {
				continue
			}
			if err := owner.set(rec.Name, true); err != nil {
				return out, err
			}
			who := dissect.Endpoint{IP: addr}
			out = appendName(out, who, "dns", &owner)
			if rec.Section == SectionAnswer && query.n > 0 &&
				string(owner.bytes()) == string(canon.bytes()) &&
				string(owner.bytes()) != string(query.bytes()) {
				out = appendName(out, who, "dns", query)
			}
		case TypePTR:
			out, err = bindReverse(rec, &owner, &target, "dns", out)
			if err != nil {
				return out, err
			}
		}
	}
}

// bindReverse emits a dns_name fact for a PTR record owned by a reverse
// lookup name: the address it stands for is bound to the target.
func bindReverse(rec Record, owner, target *nameBuf, source string,
	out []dissect.Fact) ([]dissect.Fact, error) {
	if err := owner.set(rec.Name, true); err != nil {
		return out, err
	}
	addr, ok := reverseAddr(owner.bytes())
	if !ok || !usable(addr) {
		return out, nil
	}
	t, err := rec.Target()
	if err != nil {
		return out, err
	}
	if err := target.set(t, true); err != nil {
		return out, err
	}
	return appendName(out, dissect.Endpoint{IP: addr}, source, target), nil
}

// appendName appends a dns_name fact unless the name is empty.
func appendName(out []dissect.Fact, who dissect.Endpoint, source string,
	name *nameBuf) []dissect.Fact {
	if name.n == 0 {
		return out
	}
	f := fact(who, source, dissect.KeyDNSName, name.value(), dissect.Medium)
	return appendUnique(out, len(out), f)
}

// fact builds a Fact.
func fact(who dissect.Endpoint, source, key, value string, c dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: source, Key: key, Value: value, Confidence: c}
}
