// Package segment is Ward's network segmentation: a policy of zones and
// conduits in the IEC 62443 sense, the devices and addresses each zone
// holds, the observed flows the policy allows or would block, a
// least-privilege draft learned from the flows, a simulation of a change
// with the clinical workflows it would break, and firewall rules
// (nftables, Cisco IOS ACLs) generated from the policy.
//
// A policy is read from and written to YAML (policy.go), so that a trust
// can keep it under version control. It knows nothing of the store, of
// HTTP or of captures: callers give it devices and flows.
package segment

import (
	"net/netip"
	"time"
)

// Unassigned is the zone of a device or address that no rule places.
// It is never declared in a policy, and no conduit may name it.
const Unassigned = "unassigned"

// Policy is a segmentation policy: zones, the ordered rules that put
// devices and addresses in them, and the conduits that allow flows
// between them. Everything a conduit or the infrastructure does not allow
// is denied.
type Policy struct {
	Name        string
	Description string
	Zones       []Zone
	// Rules are tried in order and the first that matches places the
	// device or address, except that a rule naming devices by id is
	// tried before all others (a device named in two zones is an error).
	Rules          []Rule
	Conduits       []Conduit
	Infrastructure Infrastructure
	// Learned is set on a policy that Learn drafted: the flows it was
	// drafted from.
	Learned *Learned
}

// Zone is a group of devices and addresses that share security
// requirements.
type Zone struct {
	Name        string // lower case letters, digits and '-'; unique
	Description string
	// SecurityLevel is the IEC 62443 target security level (SL-T), 1 to 4;
	// 0 when not set.
	SecurityLevel int
	// Medical marks a zone meant for medical devices: the measures count
	// the medical devices placed in one.
	Medical bool
	Line    int // of its definition in the YAML; 0 when not read from a file
}

// Rule places a device or address in Zone when every condition it gives
// holds; within one condition's list any value may match. A rule with no
// condition is an error.
type Rule struct {
	Zone        string
	Subnets     []netip.Prefix // the address is in one of them
	VLANs       []uint16       // the flow or device was seen on one of them
	Categories  []string       // the device's category (fingerprint vocabulary)
	Criticality []string       // life-sustaining, diagnostic, supporting, non-clinical
	Tags        []string       // the device carries one of these tags
	Devices     []string       // device ids
	// Internet matches public addresses: global unicast, not private nor
	// shared address space, and not the address of a known device.
	Internet bool
	Line     int
}

// Conduit allows flows from one zone to another (or within one zone) for
// some services. From is the end that opens the flow: the client.
type Conduit struct {
	Name        string // unique; generated from the ends when not given
	Description string
	From, To    End
	Services    []Service
	// Bidirectional allows flows opened by either end.
	Bidirectional bool
	Line          int
}

// End is one end of a conduit: a zone, or only the zone's devices of some
// categories.
type End struct {
	Zone       string
	Categories []string // empty means the whole zone
}

// Service is a kind of flow a conduit allows.
type Service struct {
	// Proto is "tcp", "udp", "icmp", "icmpv6", "any", or an IP protocol
	// number in decimal.
	Proto string
	// Ports are destination ports; empty allows any port (and is the only
	// form for protocols without ports).
	Ports []PortRange
	// App is the application protocol as Ward's dissectors name it
	// ("dicom", "hl7", "http", "tls", ...); "" allows any. A flow whose
	// application was not recognised matches a service with an App only
	// when the service also lists the flow's port.
	App string
}

// PortRange is an inclusive range of ports; Lo == Hi for one port.
type PortRange struct{ Lo, Hi uint16 }

// Infrastructure is the traffic every network needs, allowed beside the
// conduits and commented as such in exported rules.
type Infrastructure struct {
	Resolvers   []netip.Addr // DNS servers: udp and tcp 53 to them from every zone
	NTP         []netip.Addr // time servers: udp 123 to them from every zone
	DHCPServers []netip.Addr // DHCP (and DHCPv6) servers
	// DHCPRelays are the router addresses that relay DHCP to the servers.
	DHCPRelays []netip.Addr
	// FHRP is the first-hop redundancy protocol the routers run: "",
	// "vrrp", "hsrp", "glbp" or "carp".
	FHRP string
	// ICMPErrors allows ICMP error messages (unreachable, time exceeded,
	// parameter problem, packet too big). True unless a policy says
	// otherwise.
	ICMPErrors bool
}

// Learned records the flows a drafted policy was learned from.
type Learned struct {
	From, To time.Time // the earliest first seen and the latest last seen
	Flows    int       // the flows it allows
	Sources  []string  // captures or "store", for the reader
}

// Device is a device as segmentation sees it.
type Device struct {
	ID          string
	Name        string
	IPs         []netip.Addr
	VLANs       []uint16
	Category    string
	Criticality string
	Tags        []string
	Vendor      string
	Model       string
}

// Flow is observed traffic between two addresses. Src opened it (the
// client); DstPort is the server's port.
type Flow struct {
	Src, Dst             netip.Addr
	Proto                uint8 // IP protocol number
	DstPort              uint16
	VLAN                 uint16
	App                  string // "" when not recognised
	Packets, Bytes       uint64 // both directions
	FirstSeen, LastSeen  time.Time
	SrcDevice, DstDevice string // device ids, "" when the end is no known device
}

// FlowHour is a flow's traffic in one hour, for trends.
type FlowHour struct {
	Flow           // Packets and Bytes are the hour's
	Hour time.Time // the start of the hour, UTC
}

// Endpoint is one end of an evaluated flow. Its JSON form is part of the
// output of "ward segment check": change it only compatibly.
type Endpoint struct {
	Address     string `json:"address"`
	Device      string `json:"device,omitempty"`
	Name        string `json:"name,omitempty"`
	Zone        string `json:"zone"`
	Category    string `json:"category,omitempty"`
	Criticality string `json:"criticality,omitempty"`
}

// Violation is an observed flow the policy does not allow. Its JSON form
// is the output of "ward segment check": change it only compatibly.
type Violation struct {
	Source      Endpoint  `json:"source"`
	Destination Endpoint  `json:"destination"`
	Protocol    string    `json:"protocol"` // "tcp", "udp", "icmp", ... or the number
	Port        uint16    `json:"port"`
	Application string    `json:"application,omitempty"`
	VLAN        uint16    `json:"vlan,omitempty"`
	Packets     uint64    `json:"packets"`
	Bytes       uint64    `json:"bytes"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
	// Workflow is the clinical workflow the flow belongs to, when known
	// (Workflows).
	Workflow string `json:"workflow,omitempty"`
	// Key identifies the flow: source, destination, protocol, port and
	// VLAN (FlowKey).
	Key string `json:"key"`
}

// Signoff is a clinical safety sign-off of a policy that blocks flows of
// life-sustaining or diagnostic devices: an entry of the DCB0160 hazard
// log, made by a user holding the clinical-safety-officer permission.
type Signoff struct {
	ID           int64
	PolicyDigest string // Policy.Digest of the policy signed off
	By           string // the user's name
	At           time.Time
	Hazard       string // the hazard, in the officer's words
	Reasoning    string // why the residual risk is acceptable
	// Flows are the keys (FlowKey) of the critical flows that the policy
	// blocked when it was signed off: a later export that blocks another
	// needs a new sign-off.
	Flows []string
}

// Book is where a policy's zones are on the network, as a firewall that
// sees only addresses must tell them apart. Evaluator.Book computes it
// from the policy and the known devices; the exporters read it.
type Book struct {
	// Hosts are the known addresses of each zone's devices, by zone: a
	// firewall classifies them before any subnet, since a rule on
	// category or criticality may have placed a device away from its
	// subnet's zone. An address is in at most one zone's list. Sorted.
	Hosts map[string][]netip.Addr
	// Subnets are the rules that place addresses a firewall can see, in
	// policy order, tried after Hosts: the first that holds an address
	// gives its zone. An address in none is in Unassigned.
	Subnets []ZoneSubnet
	// Ends are the addresses of each conduit end narrowed to categories,
	// by End.Key. Sorted.
	Ends map[string][]netip.Addr
	// Notes say what a firewall cannot enforce as the policy says (a rule
	// on VLANs or tags places only the devices known now), for the
	// exported file's header.
	Notes []string
}

// ZoneSubnet is a rule of the policy as a firewall applies it.
type ZoneSubnet struct {
	Zone     string
	Rule     int            // index in Policy.Rules
	Prefixes []netip.Prefix // the rule's subnets, when it gives them
	// Internet is set for a rule of public addresses: an address not in
	// a private, shared, loopback, link-local or multicast range.
	Internet bool
}
