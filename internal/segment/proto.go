package segment

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// The IP protocol numbers segmentation names.
const (
	ProtoICMP   uint8 = 1
	ProtoTCP    uint8 = 6
	ProtoUDP    uint8 = 17
	ProtoICMPv6 uint8 = 58
)

var protoNames = map[uint8]string{
	ProtoICMP: "icmp", ProtoTCP: "tcp", ProtoUDP: "udp", ProtoICMPv6: "icmpv6",
	2: "igmp", 47: "gre", 50: "esp", 51: "ah", 89: "ospf", 103: "pim", 112: "vrrp", 132: "sctp",
}

// ProtoName is the name of IP protocol n: "tcp", "udp", ... or its number
// in decimal.
func ProtoName(n uint8) string {
	if s, ok := protoNames[n]; ok {
		return s
	}
	return strconv.Itoa(int(n))
}

// ParseProto reads a protocol as a Service gives it: a name ProtoName
// gives or a number from 0 to 255. "any" is not a protocol: callers test
// for it first.
func ParseProto(s string) (uint8, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for n, name := range protoNames {
		if name == s {
			return n, nil
		}
	}
	n, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return 0, fmt.Errorf("unknown protocol %q (want tcp, udp, icmp, icmpv6, any or a number)", s)
	}
	return uint8(n), nil
}

// HasPorts reports whether flows of protocol n have ports.
func HasPorts(n uint8) bool { return n == ProtoTCP || n == ProtoUDP || n == 132 }

// Contains reports whether port p is in r.
func (r PortRange) Contains(p uint16) bool { return r.Lo <= p && p <= r.Hi }

// String is "104" or "8000-8099".
func (r PortRange) String() string {
	if r.Lo == r.Hi {
		return strconv.Itoa(int(r.Lo))
	}
	return strconv.Itoa(int(r.Lo)) + "-" + strconv.Itoa(int(r.Hi))
}

// Key identifies the end among a policy's conduit ends: the zone, and the
// sorted categories after a colon when it is narrowed ("imaging" or
// "imaging:imaging-ct,imaging-mr").
func (e End) Key() string {
	if len(e.Categories) == 0 {
		return e.Zone
	}
	c := slices.Clone(e.Categories)
	slices.Sort(c)
	return e.Zone + ":" + strings.Join(c, ",")
}

// FlowKey identifies a flow: "src>dst/proto/port" and, when the flow was
// seen on a VLAN, "@vlan" (for example "10.1.2.3>10.9.0.5/tcp/104@20").
func FlowKey(src, dst netip.Addr, proto uint8, port, vlan uint16) string {
	k := src.String() + ">" + dst.String() + "/" + ProtoName(proto) + "/" + strconv.Itoa(int(port))
	if vlan != 0 {
		k += "@" + strconv.Itoa(int(vlan))
	}
	return k
}

// Key is the flow's FlowKey.
func (f *Flow) Key() string { return FlowKey(f.Src, f.Dst, f.Proto, f.DstPort, f.VLAN) }
