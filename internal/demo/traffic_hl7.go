package demo

import (
	"fmt"
	"time"
)

// HL7 over MLLP and the devices behind it.
const (
	portHL7 = 2575

	// round is how often central stations and pump servers send: each
	// device in use reports every reportEvery rounds.
	round       = time.Minute
	statusEvery = 4 * time.Minute // a pump's status report to its server, within TCP idle limits
	ackDelay    = 40 * time.Millisecond
)

// Ports of the vendors' own protocols between devices and their servers.
// Apart from IANA's alaris-disc and the IntelliVue data export port they
// are made up, in the dynamic range: what they carry is opaque (see
// opaque).
var vendorPorts = map[string]uint16{
	"B. Braun": 50101, "BD": 3613, "Baxter": 50201, // pumps to their servers
	"Philips": 24105, "GE Healthcare": 50301, "Mindray": 50401, // monitors to central stations
}

// portNurseCall is the nurse call controllers' heartbeat port, made up.
const portNurseCall = 50501

// pumpTraffic plays a pump's connection to its server: a status report
// every four minutes and the server's answer.
func (w *world) pumpTraffic(h *host, t time.Time) {
	srv := h.upstream
	k, t := w.dial(t.Add(time.Second+w.within(5*time.Second)), h, srv, vendorPorts[h.Vendor])
	w.every(t.Add(w.within(statusEvery)), statusEvery, time.Second, func(t time.Time) {
		t = k.send(t, true, opaque(w, 96+w.rng.IntN(64)))
		t = k.send(t.Add(time.Millisecond), false, opaque(w, 48))
		k.ack(t.Add(ackDelay), true)
	})
}

// monitorTraffic plays a monitor's reports to its central station: an
// opaque datagram every two minutes (a token of the real stream of waves
// and numbers, which would dwarf everything else).
func (w *world) monitorTraffic(h *host, t time.Time) {
	cs := h.upstream
	if cs.site == h.site && cs.vlan == h.vlan {
		w.arpFor(h, cs, t)
	}
	port := vendorPorts[h.Vendor]
	w.every(t.Add(w.within(2*time.Minute)), 2*time.Minute, 0, func(t time.Time) {
		w.udpTo(t, h, cs, port, port, opaque(w, 100+w.rng.IntN(80)))
	})
}

// hl7Link is a long-lived MLLP connection from a sender to a receiver.
type hl7Link struct {
	w    *world
	k    *conn
	head hl7Header
}

// openHL7 connects from to the receiver's HL7 port at t; head names both
// applications and the messages' version.
func (w *world) openHL7(t time.Time, from, to *host, head hl7Header) (*hl7Link, time.Time) {
	head.sendApp, head.recvApp = from.app, to.app
	if head.sendFac == "" {
		head.sendFac = from.site.code
	}
	if head.recvFac == "" {
		head.recvFac = to.site.code
	}
	k, t := w.dial(t, from, to, portHL7)
	return &hl7Link{w: w, k: k, head: head}, t
}

// message sends msg (built by make with a fresh control id) and the
// receiver's acknowledgment, which the sender acknowledges in turn.
func (l *hl7Link) message(t time.Time, make func(m *hl7Header) []byte) {
	m := l.head
	m.control = l.w.nextControl()
	t = l.k.send(t, true, make(&m))
	t = l.k.send(t.Add(2*time.Millisecond+l.w.within(6*time.Millisecond)), false,
		hl7Ack(&m, t, l.w.nextControl()))
	l.k.ack(t.Add(ackDelay), true)
}

// deviceGatewayHL7 plays a central station or pump server sending the
// observations of each of its devices in use (IHE PCD-01) to the
// integration engine.
func (w *world) deviceGatewayHL7(h *host, t time.Time) {
	l, t := w.openHL7(t.Add(5*time.Second), h, w.t.engine, hl7Header{
		recvFac: netbiosDom, msgType: "ORU^R01^ORU_R01", version: "2.6",
		ackModes: [2]string{"NE", "AL"}, profile: profilePCD01})
	var inUse []*host
	for _, d := range h.members {
		if d.reportEvery > 0 {
			inUse = append(inUse, d)
		}
	}
	if len(inUse) == 0 {
		return
	}
	mds := mdsMonitor
	if h.role == rolePumpServer {
		mds = mdsPump
	}
	phase := make([]int, len(inUse))
	for i, d := range inUse {
		phase[i] = w.rng.IntN(d.reportEvery)
	}
	gap := round / time.Duration(len(inUse))
	r := 0
	w.tick(t.Add(w.within(gap)), round, round, func(t time.Time) {
		for i, d := range inUse {
			if (r+phase[i])%d.reportEvery != 0 {
				continue
			}
			obs := monitorObs(60+w.rng.IntN(50), 93+w.rng.IntN(7), 12+w.rng.IntN(10))
			if h.role == rolePumpServer {
				obs = pumpObs(float64(5+w.rng.IntN(1200)) / 10)
			}
			at := t.Add(time.Duration(i)*gap + w.within(gap/4))
			l.message(at, func(m *hl7Header) []byte { return pcd01(m, at, d, i+1, mds, obs) })
		}
		r++
	})
}

// Tests each analyser reports: local code, then a plausible value and its
// units.
var labTests = map[string][][3]string{
	"COBAS_PRO": {
		{"NA^Sodium^L", "139", "mmol/L"},
		{"K^Potassium^L", "4.2", "mmol/L"},
		{"UREA^Urea^L", "5.1", "mmol/L"},
		{"CREA^Creatinine^L", "78", "umol/L"},
		{"CRP^C-reactive protein^L", "4", "mg/L"},
	},
	"SYSMEX_XN": {
		{"WBC^White cell count^L", "7.2", "10*9/L"},
		{"HGB^Haemoglobin^L", "138", "g/L"},
		{"PLT^Platelets^L", "250", "10*9/L"},
	},
	"SYSMEX_CS": {
		{"PT^Prothrombin time^L", "12.1", "s"},
		{"APTT^APTT^L", "31", "s"},
		{"FIB^Fibrinogen^L", "3.1", "g/L"},
	},
	"ALINITY_CI": {
		{"TSH^TSH^L", "1.9", "mU/L"},
		{"FT4^Free T4^L", "15", "pmol/L"},
		{"TROPI^Troponin I^L", "3", "ng/L"},
	},
	"ISTAT_ALINITY": {
		{"NA^Sodium^L", "140", "mmol/L"},
		{"K^Potassium^L", "4.0", "mmol/L"},
		{"LACT^Lactate^L", "1.2", "mmol/L"},
	},
}

// analyserHL7 plays an analyser sending its results (OUL^R22, IHE LAW) to
// the LIS every few minutes.
func (w *world) analyserHL7(h *host, t time.Time) {
	l, t := w.openHL7(t.Add(10*time.Second), h, h.upstream, hl7Header{sendFac: h.software,
		msgType: "OUL^R22^OUL_R22", version: "2.5.1", ackModes: [2]string{"AL", "NE"}})
	w.every(t.Add(w.within(4*time.Minute)), 4*time.Minute, time.Minute, func(t time.Time) {
		spec := fmt.Sprintf("DEMO%s%06d", h.site.code, w.rng.IntN(1000000))
		l.message(t, func(m *hl7Header) []byte { return labResult(m, t, h, spec, labTests[h.app]) })
	})
}

// lisHL7 plays the LIS reporting results to the integration engine.
func (w *world) lisHL7(h *host, t time.Time) {
	l, t := w.openHL7(t.Add(15*time.Second), h, w.t.engine, hl7Header{recvFac: netbiosDom,
		msgType: "ORU^R01^ORU_R01", version: "2.4"})
	w.every(t.Add(w.within(3*time.Minute)), 3*time.Minute, time.Minute, func(t time.Time) {
		patient, placer := w.rng.IntN(1000000), fmt.Sprintf("DEMOLAB%06d", w.rng.IntN(1000000))
		tests := labTests["COBAS_PRO"][:3]
		l.message(t, func(m *hl7Header) []byte { return labReport(m, t, patient, placer, tests) })
	})
}

// adtEvents are the admissions, transfers, discharges and updates the PAS
// sends, with how often each comes.
var adtEvents = []string{"A01", "A02", "A02", "A03", "A08", "A08", "A08"}

// pasHL7 plays the PAS sending ADT to the integration engine.
func (w *world) pasHL7(h *host, t time.Time) {
	l, t := w.openHL7(t.Add(15*time.Second), h, w.t.engine, hl7Header{recvFac: netbiosDom,
		version: "2.4"})
	wards := w.t.wardHosts()
	w.every(t.Add(w.within(time.Minute)), 75*time.Second, time.Minute, func(t time.Time) {
		ev := adtEvents[w.rng.IntN(len(adtEvents))]
		l.head.msgType = "ADT^" + ev + "^ADT_" + ev
		ward, patient := wards[w.rng.IntN(len(wards))], w.rng.IntN(1000000)
		bed := patient%24 + 1
		l.message(t, func(m *hl7Header) []byte { return adt(m, t, ev, ward, patient, bed) })
	})
}

// wardHosts are hosts in inpatient areas, whose wards ADT messages name.
func (t *trust) wardHosts() []*host {
	var out []*host
	for _, h := range t.hosts {
		if h.role == roleMonitor {
			out = append(out, h)
		}
	}
	return out
}

// engineHL7 plays the integration engine passing orders and patient
// movements on to the RIS and the LIS.
func (w *world) engineHL7(h *host, t time.Time) {
	wards := w.t.wardHosts()
	ris, t1 := w.openHL7(t.Add(20*time.Second), h, w.t.ris, hl7Header{sendFac: netbiosDom,
		version: "2.4"})
	w.every(t1.Add(w.within(2*time.Minute)), 2*time.Minute, time.Minute, func(t time.Time) {
		ward, patient := wards[w.rng.IntN(len(wards))], w.rng.IntN(1000000)
		if w.rng.IntN(2) == 0 {
			ris.head.msgType = "ORM^O01^ORM_O01"
			placer := fmt.Sprintf("DEMORAD%06d", w.rng.IntN(1000000))
			ris.message(t, func(m *hl7Header) []byte {
				return order(m, t, ward, patient, placer, "RCTHEAD^CT Head^WVTRAD")
			})
			return
		}
		ris.head.msgType = "ADT^A08^ADT_A08"
		ris.message(t, func(m *hl7Header) []byte { return adt(m, t, "A08", ward, patient, 1) })
	})
	lis, t2 := w.openHL7(t.Add(25*time.Second), h, w.t.lis, hl7Header{sendFac: netbiosDom,
		msgType: "OML^O21^OML_O21", version: "2.5.1"})
	w.every(t2.Add(w.within(3*time.Minute)), 3*time.Minute, time.Minute, func(t time.Time) {
		ward, patient := wards[w.rng.IntN(len(wards))], w.rng.IntN(1000000)
		placer := fmt.Sprintf("DEMOLAB%06d", w.rng.IntN(1000000))
		lis.message(t, func(m *hl7Header) []byte {
			return order(m, t, ward, patient, placer, "UE^Urea and electrolytes^WINPATH")
		})
	})
}
