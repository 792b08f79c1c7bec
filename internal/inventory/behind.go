package inventory

import (
	"encoding/hex"

	"github.com/wardhq/ward/internal/dissect"
)

// Keys of the facts that a gateway's reports give the devices behind it.
const (
	// KeyReportedBy is the id of the gateway whose HL7 messages name the
	// device as their source.
	KeyReportedBy = "hl7_reported_by"
	// hl7EUI64 is the HL7 dissector's key of an equipment identifier of
	// type EUI-64 (OBX-18, PRT-10, EQU-1).
	hl7EUI64 = "hl7_eui64"
)

// behindRoles is the role of a device whose data a gateway of each kind
// relays: a monitor gateway's observations come from patient monitors, a
// pump server's from infusion pumps.
var behindRoles = map[string]string{
	"patient-monitor-gateway": "patient-monitor",
	"infusion-pump-server":    "infusion-pump",
}

// reportedDevices gives the devices behind HL7 gateways what the gateways
// say of them. A gateway's device observations name each device by an
// EUI-64 identifier; one made from a MAC address (the MAC's first three
// bytes, FF FE, its last three: IEEE's rule, which the IHE device profiles
// follow) names a device Ward may have seen on the wire, and the
// gateway's role says what kind of device it is.
func (inv *Inventory) reportedDevices() {
	for _, g := range inv.Devices {
		role := gatewayRole(g)
		if role == "" {
			continue
		}
		for _, a := range g.Attributes {
			if a.Source != "hl7" || a.Key != hl7EUI64 {
				continue
			}
			m, ok := macOfEUI64(a.Value)
			d := inv.byMAC[m]
			if !ok || d == nil || d == g {
				continue
			}
			for _, kv := range [][2]string{{dissect.KeyClinicalRole, role}, {KeyReportedBy, g.ID}} {
				d.Attributes = append(d.Attributes, Attribute{Key: kv[0], Value: kv[1],
					Source: "hl7", Confidence: dissect.Medium, FirstSeen: a.FirstSeen,
					LastSeen: a.LastSeen, Count: a.Count})
			}
		}
	}
}

// gatewayRole returns the role of the devices behind gateway g, or "". A
// pump server's device messages also suggest a monitor gateway when their
// device fields were cut off; a pump server is what it then is, as the
// rule pack decides too.
func gatewayRole(g *Device) string {
	role := ""
	for _, a := range g.Attributes {
		if a.Source != "hl7" || a.Key != dissect.KeyClinicalRole {
			continue
		}
		switch a.Value {
		case "infusion-pump-server":
			return behindRoles[a.Value]
		case "patient-monitor-gateway":
			role = behindRoles[a.Value]
		}
	}
	return role
}

// macOfEUI64 returns the MAC an EUI-64 was made from: 16 hex digits whose
// fourth and fifth bytes are FF FE.
func macOfEUI64(s string) (dissect.MAC, bool) {
	var m dissect.MAC
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 8 || b[3] != 0xff || b[4] != 0xfe {
		return m, false
	}
	copy(m[:3], b[:3])
	copy(m[3:], b[5:])
	return m, validMAC(m)
}
