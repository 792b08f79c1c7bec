// Package demo makes up the network of a small NHS trust and writes a
// packet capture of it, for "ward demo" (issue 4) and for tests that need
// a whole hospital rather than one protocol at a time.
//
// The trust is fictitious: Ward Valley NHS Trust, with an acute hospital
// (Riverside General), a community hospital (Hillview) and an imaging
// centre (Northgate), about three hundred devices between them. Each site
// has its own 10.x.0.0/16 and the same VLAN plan (trust.go), its core
// switch routing between the VLANs; the servers are virtual machines in
// Riverside's data centre. The devices are infusion pumps (B. Braun, BD
// Alaris, Baxter) and the three servers that collect their data, patient
// monitors (Philips IntelliVue, GE CARESCAPE, Mindray BeneVision) and their
// central stations, CT, MR, ultrasound and X-ray modalities, a PACS and a
// RIS, laboratory analysers and the LIS, an integration engine, a PAS,
// nurse call controllers, medication cabinets, printers, Windows PCs, IP
// phones and Cisco switches. Their MAC addresses start with the makers'
// real OUIs (SOURCE.md quotes each registry line); the rest is random.
//
// The traffic is what Ward reads: DHCP through the gateways' relays, ARP,
// LLDP (LLDP-MED for the phones) and CDP, NetBIOS name registrations and
// browser announcements, DNS, mDNS printer announcements, TLS with server
// names, DICOM (C-ECHO, Modality Worklist C-FIND, MPPS, C-STORE of each
// modality's SOP Class with storage commitment, and the reporting
// workstations' C-FIND and C-MOVE, which the PACS answers with C-STORE
// sub-operations) and HL7 v2 over MLLP (IHE PCD-01 observations naming the
// device in OBX-18 and its UDI in PRT-10, ADT, orders, laboratory results
// and acknowledgments). TCP connections open with a handshake and carry
// consistent sequence numbers and acknowledgments; short ones close with
// FIN, long-lived ones (HL7 links, pumps) are open when the capture ends. What a vendor's own protocol would carry (a
// pump talking to its server, a monitor to its central station, nurse call
// heartbeats) is an opaque payload of a plausible size and rhythm.
//
// Each frame is captured once, as it leaves its sender, on the sender's
// VLAN (tagged 802.1Q; LLDP and CDP untagged): a SPAN of every access VLAN
// into the capture. A frame to another subnet goes to the site's core
// switch; the answer comes from the server's own VLAN.
//
// No patient data is made up beyond what a message needs to be well
// formed: DICOM data sets carry an empty patient module, and HL7 patient
// segments name only DEMO^PATIENT, with identifiers that start with DEMO.
// Hosts outside the trust have documentation addresses (RFC 5737).
//
// Options.Seed decides everything: the same seed gives the same plan and
// the same bytes on any machine.
package demo

import (
	"io"
	"net/netip"
	"time"
)

// Options say which capture to make. The zero value is usable.
type Options struct {
	// Seed chooses the addresses, serial numbers and timings.
	Seed int64
	// Start is the time of the first packet. Default: Monday 2 March 2026,
	// 09:00 UTC.
	Start time.Time
	// Duration is the span of capture time. Default: one hour.
	Duration time.Duration
}

// DefaultStart is the Start of Options that leave it zero.
var DefaultStart = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// DefaultDuration is the Duration of Options that leave it zero.
const DefaultDuration = time.Hour

// withDefaults fills in the fields o leaves zero.
func (o Options) withDefaults() Options {
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	if o.Duration <= 0 {
		o.Duration = DefaultDuration
	}
	return o
}

// Device is one device of the trust as the plan made it.
type Device struct {
	Name     string // its host name
	Site     string // "Riverside General Hospital"
	Building string
	Ward     string // the ward or department it serves
	// Kind is the category Ward should give it: one of the categories of
	// internal/fingerprint (rules.yaml and medical.yaml), "infusion-pump",
	// "imaging-ct", "switch"…
	Kind   string
	MAC    [6]byte
	IP     netip.Addr
	Vendor string
	Model  string
	Serial string
}

// Plan returns the devices of the trust for o.Seed, in a stable order.
func Plan(o Options) []Device {
	t := newTrust(o.Seed)
	out := make([]Device, len(t.hosts))
	for i, h := range t.hosts {
		out[i] = h.Device
	}
	return out
}

// Write writes a capture of the trust's traffic to w: classic pcap,
// Ethernet, microsecond timestamps, packets in time order. It returns the
// plan, as Plan does.
func Write(w io.Writer, o Options) ([]Device, error) {
	o = o.withDefaults()
	t := newTrust(o.Seed)
	c := newRecording(o.Start, o.Duration)
	simulate(t, c, o.Seed)
	if err := c.writePcap(w); err != nil {
		return nil, err
	}
	out := make([]Device, len(t.hosts))
	for i, h := range t.hosts {
		out[i] = h.Device
	}
	return out, nil
}
