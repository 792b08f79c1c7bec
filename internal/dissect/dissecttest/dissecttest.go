// Package dissecttest holds helpers for the tests of the dissectors under
// internal/dissect: loaders of the payloads and stream heads their testdata
// keeps as hex text, builders of expected facts, and the checks that every
// dissector's output must pass however its input is cut.
//
// It is an ordinary package so that every dissector's tests can share it,
// but it imports testing: import it only from _test.go files.
package dissecttest

import (
	"net"
	"net/netip"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wardhq/ward/internal/dissect"
)

// EquateAddr lets go-cmp compare facts, whose endpoints hold a netip.Addr
// with unexported fields: two addresses are equal when == says so.
func EquateAddr() cmp.Option {
	return cmpopts.EquateComparable(netip.Addr{})
}

// MAC parses a colon-separated Ethernet address such as "00:1b:2c:3d:4e:5f".
// It panics on anything else: its input is a constant of the test.
func MAC(s string) dissect.MAC {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != len(dissect.MAC{}) {
		panic("dissecttest: bad test MAC " + s)
	}
	return dissect.MAC(hw)
}

// Endpoint builds an Endpoint from a MAC (as MAC reads it) and an IP
// address; either may be "" for unknown. It panics on a malformed one.
func Endpoint(mac, ip string) dissect.Endpoint {
	var e dissect.Endpoint
	if mac != "" {
		e.MAC = MAC(mac)
	}
	if ip != "" {
		e.IP = netip.MustParseAddr(ip)
	}
	return e
}

// Fact builds an expected fact.
func Fact(who dissect.Endpoint, source, key, value string, c dissect.Confidence) dissect.Fact {
	return dissect.Fact{Who: who, Source: source, Key: key, Value: value, Confidence: c}
}

// MACFacts builds High-confidence facts from source about the device with
// the given MAC, one per key, value pair, the way the link-layer discovery
// dissectors (CDP, LLDP) report them: a dissect.KeyMgmtAddress fact is
// also about the address it names.
func MACFacts(source string, mac dissect.MAC, kv ...string) []dissect.Fact {
	var out []dissect.Fact
	for i := 0; i+1 < len(kv); i += 2 {
		who := dissect.Endpoint{MAC: mac}
		if kv[i] == dissect.KeyMgmtAddress {
			who.IP = netip.MustParseAddr(kv[i+1])
		}
		out = append(out, Fact(who, source, kv[i], kv[i+1], dissect.High))
	}
	return out
}

// Stream is a TCP connection as a stream dissector's tests set it up.
type Stream struct {
	Client, Server dissect.Endpoint
	Ctx            *dissect.Context // from Client, port 50000, to Server
	Source         string           // the Source of the dissector's facts
}

// NewStream returns the connection from client, at port 50000, to server
// at port, whose facts come from source.
func NewStream(source string, client, server dissect.Endpoint, port uint16) Stream {
	ctx := &dissect.Context{Src: client, Dst: server, SrcPort: 50000, DstPort: port}
	return Stream{Client: client, Server: server, Ctx: ctx, Source: source}
}

// ClientFact builds an expected fact about the client.
func (s Stream) ClientFact(key, value string, c dissect.Confidence) dissect.Fact {
	return Fact(s.Client, s.Source, key, value, c)
}

// ClientLink builds an expected fact about the client's conversation with
// the server: a client fact whose Peer is the server.
func (s Stream) ClientLink(key, value string, c dissect.Confidence) dissect.Fact {
	f := Fact(s.Client, s.Source, key, value, c)
	f.Peer = s.Server
	return f
}

// ServerFact builds an expected fact about the server.
func (s Stream) ServerFact(key, value string, c dissect.Confidence) dissect.Fact {
	return Fact(s.Server, s.Source, key, value, c)
}
