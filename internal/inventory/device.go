// Package inventory turns observations into devices: it resolves which
// MAC and IP addresses belong to one device, tells routers from the hosts
// behind them, and merges every fact about a device with its provenance,
// keeping conflicting values side by side rather than choosing silently.
package inventory

import (
	"net/netip"
	"time"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/fingerprint"
)

// Device is one device as the captures show it. Its JSON form is the
// documented output schema (docs/output.md): change it only compatibly.
type Device struct {
	// ID is stable for the same inputs: "mac:" and the MAC for a device on
	// a captured segment, "ip:" and the address for a host seen only
	// behind a router.
	ID  string      `json:"id"`
	MAC dissect.MAC `json:"-"`
	// MACString is the MAC in lower case, colon separated; empty for hosts
	// seen only behind a router.
	MACString string   `json:"mac,omitempty"`
	IPs       []string `json:"ips"`

	// The derived identity; each is "" when unknown, never absent.
	Vendor   string `json:"vendor"`
	Model    string `json:"model"`
	Category string `json:"category"`
	OS       string `json:"os"`
	Software string `json:"software"`
	// Criticality is how much patient care depends on the device:
	// life-sustaining, diagnostic, supporting or non-clinical; "" when its
	// kind is unknown.
	Criticality string   `json:"criticality"`
	Names       []string `json:"names"`

	Router        bool      `json:"router"`
	MACRandomised bool      `json:"mac_randomised"`
	OUI           *OUI      `json:"oui,omitempty"`
	VLANs         []uint16  `json:"vlans,omitempty"`
	FirstSeen     time.Time `json:"first_seen"`
	LastSeen      time.Time `json:"last_seen"`
	Packets       uint64    `json:"packets_sent"`
	Bytes         uint64    `json:"bytes_sent"`

	Identification Identification `json:"identification"`
	Addresses      []Address      `json:"addresses"`
	Attributes     []Attribute    `json:"attributes"`
	Conflicts      []Conflict     `json:"conflicts,omitempty"`
	Findings       []Finding      `json:"findings,omitempty"`

	ips []netip.Addr // the same as IPs, parsed
}

// OUI is the IEEE registry entry of the device's MAC.
type OUI struct {
	Prefix       string `json:"prefix"`
	Bits         int    `json:"bits"`
	Organisation string `json:"organisation"`
}

// Identification explains each derived field of a device.
type Identification struct {
	Vendor   *Derivation `json:"vendor,omitempty"`
	Model    *Derivation `json:"model,omitempty"`
	Category *Derivation `json:"category,omitempty"`
	OS       *Derivation `json:"os,omitempty"`
	Software *Derivation `json:"software,omitempty"`
	// Criticality follows from the category (rule "category") unless a
	// rule sets it.
	Criticality *Derivation `json:"criticality,omitempty"`
}

// Derivation is a derived value with the rule and facts that produced it.
type Derivation struct {
	Value      string             `json:"value"`
	Confidence dissect.Confidence `json:"confidence"`
	Rule       string             `json:"rule"`
	Because    []string           `json:"because,omitempty"`
}

// Address is an IP address the device used, and how that was seen.
type Address struct {
	IP        string    `json:"ip"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Packets   uint64    `json:"packets"`
	SeenBy    []string  `json:"seen_by"` // "ip" (source address), "arp", "ndp"
}

// Attribute is one fact about the device with its provenance.
type Attribute struct {
	Key        string             `json:"key"`
	Value      string             `json:"value"`
	Source     string             `json:"source"`
	Confidence dissect.Confidence `json:"confidence"`
	FirstSeen  time.Time          `json:"first_seen"`
	LastSeen   time.Time          `json:"last_seen"`
	Count      uint64             `json:"count"`
	// Peer is, for a fact about a conversation, the id of the device at
	// the other end (or "ip:" and its address when it is no device here).
	Peer string `json:"peer,omitempty"`

	peer dissect.Endpoint // the other end as the fact named it
}

// Link is a conversation between two devices that a clinical protocol
// names: which DICOM AE title calls which (dicom_peer), which HL7
// application sends which messages to which (hl7_peer). From is the side
// that calls or sends.
type Link struct {
	Source    string    `json:"source"` // the protocol: "dicom", "hl7"
	Key       string    `json:"key"`
	Value     string    `json:"value"`
	From      string    `json:"from"` // device ids
	To        string    `json:"to"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Count     uint64    `json:"count"` // connections that carried it
}

// Conflict lists the different values seen for a key that should have one.
type Conflict struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

func derivation(g fingerprint.Guess) *Derivation {
	if g.Value == "" {
		return nil
	}
	return &Derivation{Value: g.Value, Confidence: g.Confidence, Rule: g.Rule, Because: g.Because}
}
