package demo

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// IHE PCD-01 profile of MSH-21: the Device Enterprise Communication
// observation profile, entity id and OID.
const profilePCD01 = "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO"

// hl7Time formats an HL7 DTM in UTC.
func hl7Time(t time.Time) string { return t.UTC().Format("20060102150405") + "+0000" }

// segment builds an HL7 segment from its fields by number (field 1 first),
// leaving the ones not given empty.
func segment(id string, fields map[int]string) string {
	last := 0
	for n := range fields {
		last = max(last, n)
	}
	var b strings.Builder
	b.WriteString(id)
	for n := 1; n <= last; n++ {
		b.WriteByte('|')
		b.WriteString(fields[n])
	}
	return b.String()
}

// hl7Header is what MSH says of a message.
type hl7Header struct {
	sendApp, sendFac, recvApp, recvFac string
	msgType, control, version          string
	ackModes                           [2]string // MSH-15 and MSH-16, "" for neither
	profile                            string    // MSH-21
}

// msh builds the MSH segment. Its fields are numbered from the separator
// (MSH-1) and the encoding characters (MSH-2), so the text after
// "MSH|^~\&" starts at MSH-3.
func (m *hl7Header) msh(t time.Time) string {
	f := map[int]string{3: m.sendApp, 4: m.sendFac, 5: m.recvApp, 6: m.recvFac, 7: hl7Time(t),
		9: m.msgType, 10: m.control, 11: "P", 12: m.version}
	if m.ackModes[0] != "" {
		f[15], f[16], f[17], f[18] = m.ackModes[0], m.ackModes[1], "GBR", "UNICODE UTF-8"
	}
	if m.profile != "" {
		f[21] = m.profile
	}
	shifted := make(map[int]string, len(f))
	for n, v := range f {
		shifted[n-2] = v
	}
	return `MSH|^~\&` + segment("", shifted)
}

// mllp joins segments, each ended by CR, and frames them for MLLP.
func mllp(segments ...string) []byte {
	n := 3
	for _, s := range segments {
		n += len(s) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, 0x0b)
	for _, s := range segments {
		b = append(b, s...)
		b = append(b, '\r')
	}
	return append(b, 0x1c, '\r')
}

// hl7Ack is the original-mode acknowledgment of a message: AA, with the
// receiver as its sender.
func hl7Ack(m *hl7Header, t time.Time, control string) []byte {
	_, event, _ := strings.Cut(m.msgType, "^")
	event, _, _ = strings.Cut(event, "^")
	a := hl7Header{sendApp: m.recvApp, sendFac: m.recvFac, recvApp: m.sendApp, recvFac: m.sendFac,
		msgType: "ACK^" + event + "^ACK", control: control, version: m.version}
	return mllp(a.msh(t), segment("MSA", map[int]string{1: "AA", 2: m.control}))
}

// demoPID is the only kind of patient the capture knows: segments that
// need one name DEMO^PATIENT and an identifier that starts with DEMO.
func demoPID(n int) string {
	return segment("PID", map[int]string{1: "1", 3: fmt.Sprintf("DEMO%06d^^^WVT^MR", n),
		5: "DEMO^PATIENT"})
}

// pv1 places the demo patient: patient class and the point of care, room
// and bed.
func pv1(class string, h *host, bed int) string {
	loc := fmt.Sprintf("%s^%s^BED%02d^%s", wardCode(h.Ward), wardCode(h.Ward), bed, h.site.code)
	return segment("PV1", map[int]string{1: "1", 2: class, 3: loc})
}

// eui64 is the EUI-64 a device's MAC becomes (FFFE in the middle), as
// IHE PCD names devices in OBX-18.
func eui64(mac [6]byte) string {
	return fmt.Sprintf("%02X%02X%02XFFFE%02X%02X%02X", mac[0], mac[1], mac[2], mac[3], mac[4],
		mac[5])
}

// equipment is a device's entity identifier for OBX-18: model, maker, its
// EUI-64 and the type of that id.
func equipment(h *host) string {
	return h.Model + "^" + strings.ReplaceAll(h.Vendor, " ", "") + "^" + eui64(h.MAC) + "^EUI-64"
}

// udi is the device's GS1 UDI in human readable form: GTIN and serial.
func udi(h *host) string { return "(01)" + h.gtin + "(21)" + h.Serial }

// obx is a numeric observation of a device.
type obx struct {
	code, units, ref string
	value            string
}

// pcd01 builds the ORU^R01 a gateway or pump server sends for one of its
// devices (IHE PCD-01): the device's MDS, naming it in OBX-18, its
// observations, and the device in PRT-10 with its UDI.
func pcd01(m *hl7Header, t time.Time, dev *host, bed int, mds string, obs []obx) []byte {
	ts := hl7Time(t)
	eq := equipment(dev)
	segs := []string{m.msh(t), demoPID(bed + 1000*int(dev.site.octet)), pv1("I", dev, bed),
		segment("OBR", map[int]string{1: "1", 3: m.control,
			4: "182777000^monitoring of patient^SCT", 7: ts}),
		segment("OBX", map[int]string{1: "1", 3: mds, 4: "1.0.0.0", 11: "X", 18: eq}),
	}
	for i, o := range obs {
		segs = append(segs, segment("OBX", map[int]string{1: strconv.Itoa(i + 2), 2: "NM",
			3: o.code, 4: "1.1.1." + strconv.Itoa(i+1), 5: o.value, 6: o.units, 7: o.ref,
			11: "R", 14: ts}))
	}
	segs = append(segs, segment("PRT", map[int]string{1: "1", 2: "UC",
		4: "EQUIP^Equipment^HL70912", 10: udi(dev)}))
	return mllp(segs...)
}

// IEEE 11073-10101 codes of the observations (MDC nomenclature).
const (
	mdsMonitor = "69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC"
	mdsPump    = "69985^MDC_DEV_PUMP_INFUS_MDS^MDC"
)

func monitorObs(hr, spo2, rr int) []obx {
	return []obx{
		{"147842^MDC_ECG_HEART_RATE^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC", "50-120",
			strconv.Itoa(hr)},
		{"150456^MDC_PULS_OXIM_SAT_O2^MDC", "262688^MDC_DIM_PERCENT^MDC", "90-100",
			strconv.Itoa(spo2)},
		{"151562^MDC_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "8-30", strconv.Itoa(rr)},
	}
}

func pumpObs(rate float64) []obx {
	return []obx{{"157784^MDC_FLOW_FLUID_PUMP^MDC", "265266^MDC_DIM_MILLI_L_PER_HR^MDC", "",
		strconv.FormatFloat(rate, 'f', 1, 64)}}
}

// labResult builds an analyser's OUL^R22 (IHE LAW) for one specimen: the
// specimen, the order it answers and its results, each naming the
// analyser in OBX-18.
func labResult(m *hl7Header, t time.Time, dev *host, specimen string, tests [][3]string) []byte {
	ts := hl7Time(t)
	eq := dev.Model + "^" + dev.Vendor + "^" + dev.Serial
	segs := []string{m.msh(t),
		segment("SPM", map[int]string{1: "1", 2: specimen, 4: "SER^Serum^HL70487"}),
		segment("OBR", map[int]string{1: "1", 3: specimen, 4: "PANEL^Analyser panel^L"}),
	}
	for i, r := range tests {
		segs = append(segs, segment("OBX", map[int]string{1: strconv.Itoa(i + 1), 2: "NM",
			3: r[0], 5: r[1], 6: r[2], 11: "F", 14: ts, 18: eq}))
	}
	return mllp(segs...)
}

// adt builds an ADT message of event ev for the demo patient in bed.
func adt(m *hl7Header, t time.Time, ev string, ward *host, patient, bed int) []byte {
	return mllp(m.msh(t), segment("EVN", map[int]string{1: ev, 2: hl7Time(t)}),
		demoPID(patient), pv1("I", ward, bed))
}

// order builds an order message (ORM^O01 for radiology, OML^O21 for the
// laboratory) for the demo patient.
func order(m *hl7Header, t time.Time, ward *host, patient int, placer, service string) []byte {
	return mllp(m.msh(t), demoPID(patient), pv1("I", ward, patient%20+1),
		segment("ORC", map[int]string{1: "NW", 2: placer, 9: hl7Time(t)}),
		segment("OBR", map[int]string{1: "1", 2: placer, 4: service}))
}

// labReport builds the ORU^R01 the LIS sends on: results of an order.
func labReport(m *hl7Header, t time.Time, patient int, placer string, tests [][3]string) []byte {
	segs := []string{m.msh(t), demoPID(patient),
		segment("OBR", map[int]string{1: "1", 2: placer, 4: "PANEL^Analyser panel^L", 25: "F"})}
	for i, r := range tests {
		segs = append(segs, segment("OBX", map[int]string{1: strconv.Itoa(i + 1), 2: "NM",
			3: r[0], 5: r[1], 6: r[2], 11: "F"}))
	}
	return mllp(segs...)
}
