package hl7

import (
	"github.com/wardhq/ward/internal/dissect"
)

// finish ends message m: it emits the clinical role that the message
// suggests, as the package comment lists them, and clears m.
func (d *dissector) finish(m *msg, s *side) {
	if m.active {
		who, role := roleOf(m, s)
		d.emitString(who, dissect.KeyClinicalRole, role, dissect.Medium)
	}
	*m = msg{}
}

// roleOf returns the role a message suggests and the end it is about, or
// "" for none.
func roleOf(m *msg, s *side) (dissect.Endpoint, string) {
	if engineLike(m.sendApp) || engineLike(m.sendFac) {
		return s.sender, RoleIntegrationEngine
	}
	lab := labLike(m.sendApp) || labLike(m.sendFac)
	pump := m.pump || pumpLike(m.sendApp) || pumpLike(m.sendFac)
	switch string(m.code) {
	case "ORU":
		return s.sender, observationRole(m, lab, pump)
	case "RAS":
		if (m.device || m.pcd) && pump {
			return s.sender, RoleInfusionPumps
		}
	case "RGV":
		if m.pcd || pumpLike(m.recvApp) {
			return s.receiver, RoleInfusionPumps
		}
	case "RRG":
		if m.pcd || pump {
			return s.sender, RoleInfusionPumps
		}
	case "OUL":
		if lab && !hasWord(m.sendApp, isAnalyserWord) {
			return s.sender, RoleLIS
		}
		return s.sender, RoleLabAnalyser
	case "ORM", "OMG", "OML":
		return s.sender, RoleOrderPlacer
	case "ADT":
		return s.sender, RolePAS
	case "MDM":
		return s.sender, RoleDocuments
	}
	return s.sender, ""
}

// observationRole returns the role an ORU message suggests.
func observationRole(m *msg, lab, pump bool) string {
	event := string(m.event)
	if event == "R42" {
		return RoleInfusionPumps // IHE PCD-10: infusion pump events
	}
	devices := event == "R01" || event == "R40" // PCD-01 device data, PCD-04 alarms
	switch {
	case devices && (m.device || m.pcd) && pump:
		return RoleInfusionPumps
	case devices && m.pcd:
		return RoleMonitorGateway
	case lab:
		return RoleLIS
	case devices && m.device:
		return RoleMonitorGateway
	}
	return ""
}

// isAnalyserWord reports whether w says a lab system is an analyser.
func isAnalyserWord(w []byte) bool {
	return dissect.IndexFold(w, "analy") == 0
}
