package store

import (
	"fmt"
	"time"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/inventory"
)

// synth describes a made-up analysis: devices numbered from start, each
// with attrs attributes, its times shifted by shift.
type synth struct {
	start, devices, attrs int
	shift                 time.Duration
}

// syntheticInput is n devices of k attributes; inputs of different
// variants have the same devices and keys, seen at different times.
func syntheticInput(n, k, variant int) *Input {
	return synth{devices: n, attrs: k, shift: time.Duration(variant) * time.Hour}.input()
}

var (
	synthVendors     = []string{"Baxter", "GE HealthCare", "Philips", "Siemens Healthineers", ""}
	synthCategories  = []string{"infusion-pump", "patient-monitor", "imaging", "workstation"}
	synthCriticality = map[string]string{"infusion-pump": "life-sustaining",
		"patient-monitor": "life-sustaining", "imaging": "diagnostic", "workstation": "non-clinical"}
)

// synthBase is the capture time synthetic analyses start at.
var synthBase = time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)

func synthMAC(i int) string {
	return fmt.Sprintf("02:00:00:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff)
}

func synthIP(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
}

func (s synth) input() *Input {
	in := &Input{}
	for n := range s.devices {
		i := s.start + n
		in.Devices = append(in.Devices, s.device(i))
		if n > 0 {
			prev := in.Devices[n-1]
			d := in.Devices[n]
			in.Links = append(in.Links, inventory.Link{Source: "hl7", Key: "hl7_peer",
				Value: "ADT^A01", From: d.ID, To: prev.ID, FirstSeen: d.FirstSeen,
				LastSeen: d.LastSeen, Count: 2})
			in.Flows = append(in.Flows, Flow{Src: d.IPs[0], Dst: prev.IPs[0], Proto: 6,
				DstPort: 2575, App: "hl7", Packets: 10, Bytes: 1000, PacketsRev: 4, BytesRev: 300,
				Messages: 2, Connections: 1, FirstSeen: d.FirstSeen, LastSeen: d.LastSeen,
				SrcMAC: d.MACString, DstMAC: prev.MACString, SrcDevice: d.ID, DstDevice: prev.ID})
		}
	}
	return in
}

func (s synth) device(i int) *inventory.Device {
	first := synthBase.Add(s.shift + time.Duration(i)*time.Minute)
	last := first.Add(30 * time.Minute)
	cat := synthCategories[i%len(synthCategories)]
	d := &inventory.Device{
		ID: "mac:" + synthMAC(i), MACString: synthMAC(i), IPs: []string{synthIP(i)},
		Vendor: synthVendors[i%len(synthVendors)], Model: fmt.Sprintf("Model %d", i%7),
		Category: cat, Criticality: synthCriticality[cat],
		Names: []string{fmt.Sprintf("dev-%05d", i)}, VLANs: []uint16{uint16(10 + i%3)},
		FirstSeen: first, LastSeen: last, Packets: 100, Bytes: 10000,
		Identification: inventory.Identification{Category: &inventory.Derivation{Value: cat,
			Confidence: dissect.Medium, Rule: "synthetic", Because: []string{"made up"}}},
		Addresses: []inventory.Address{{IP: synthIP(i), FirstSeen: first, LastSeen: last,
			Packets: 100, SeenBy: []string{"arp", "ip"}}},
	}
	for k := range s.attrs {
		d.Attributes = append(d.Attributes, inventory.Attribute{Key: fmt.Sprintf("key%02d", k),
			Value: fmt.Sprintf("value %d of %d", k, i), Source: "dhcp", Confidence: dissect.Medium,
			FirstSeen: first, LastSeen: last, Count: 3})
	}
	if i%4 == 0 {
		d.Findings = []inventory.Finding{{Kind: inventory.FindingUnencryptedClinical,
			Protocol: "hl7", Messages: 5, Connections: 1, Peers: 1}}
	}
	return d
}
