package register

import (
	"cmp"
	"slices"
	"strings"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/inventory"
)

// index finds devices by their identity keys. Device numbers are positions
// in devs, which is in ID order, so that every choice among devices is the
// same from run to run.
type index struct {
	devs    []*inventory.Device
	mac     map[string]int
	serial  map[string]hit
	host    map[string]hit
	ip      map[string]hit
	serials [][]string // device → its distinct serial keys
	hosts   [][]string // device → its distinct host keys
}

// hit is the devices that have a key: the first of them, and how many.
type hit struct{ first, n int }

func add(m map[string]hit, k string, d int) {
	h, ok := m[k]
	if !ok {
		h.first = d
	}
	h.n++
	m[k] = h
}

func newIndex(devices []*inventory.Device) *index {
	devs := make([]*inventory.Device, 0, len(devices))
	for _, d := range devices {
		if d != nil {
			devs = append(devs, d)
		}
	}
	slices.SortStableFunc(devs, func(a, b *inventory.Device) int { return cmp.Compare(a.ID, b.ID) })
	devs = slices.CompactFunc(devs, func(a, b *inventory.Device) bool { return a.ID == b.ID })

	ix := &index{devs: devs, mac: make(map[string]int, len(devs)),
		serial: make(map[string]hit, len(devs)), host: make(map[string]hit, len(devs)),
		ip: make(map[string]hit, len(devs)), serials: make([][]string, len(devs)),
		hosts: make([][]string, len(devs))}
	for i, d := range devs {
		if mac, err := NormaliseMAC(d.MACString); err == nil {
			if _, dup := ix.mac[mac]; !dup {
				ix.mac[mac] = i
			}
		}
		ix.serials[i] = deviceSerials(d)
		for _, s := range ix.serials[i] {
			add(ix.serial, s, i)
		}
		ix.hosts[i] = deviceHosts(d)
		for _, h := range ix.hosts[i] {
			add(ix.host, h, i)
		}
		for _, a := range distinct(d.IPs) {
			add(ix.ip, a, i)
		}
	}
	return ix
}

func deviceSerials(d *inventory.Device) []string {
	var out []string
	for _, a := range d.Attributes {
		if a.Key == dissect.KeySerial && !placeholder(strings.TrimSpace(a.Value)) {
			out = append(out, serialKey(a.Value))
		}
	}
	return distinct(out)
}

func deviceHosts(d *inventory.Device) []string {
	var out []string
	for _, n := range d.Names {
		if h := hostKey(n); h != "" {
			out = append(out, h)
		}
	}
	return distinct(out)
}

// distinct returns the non-empty strings of ss in order, each once. It may
// return ss itself.
func distinct(ss []string) []string {
	if len(ss) == 1 && ss[0] != "" {
		return ss
	}
	var out []string
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// candidate is the one device that key k of the entry identifies.
func (ix *index) candidate(k Field, e *Entry) (int, bool) {
	switch k {
	case MAC:
		d, ok := ix.mac[e.MAC]
		return d, ok && e.MAC != ""
	case Serial:
		h := ix.serial[e.Serial]
		if e.Serial == "" || h.n != 1 || len(ix.serials[h.first]) != 1 {
			return 0, false // ambiguous, or not this device's own serial
		}
		return h.first, true
	case Hostname:
		h := ix.host[e.Hostname]
		return h.first, e.Hostname != "" && h.n == 1
	case IP:
		d := -1
		for _, a := range e.IPs {
			h := ix.ip[a]
			if h.n > 1 || h.n == 1 && d >= 0 && h.first != d {
				return 0, false
			}
			if h.n == 1 {
				d = h.first
			}
		}
		return d, d >= 0
	}
	return 0, false
}

// agrees reports whether the entry and device share key k.
func (ix *index) agrees(k Field, e *Entry, d int) bool {
	switch k {
	case MAC:
		md, ok := ix.mac[e.MAC]
		return ok && e.MAC != "" && md == d
	case Serial:
		return e.Serial != "" && slices.Contains(ix.serials[d], e.Serial)
	case Hostname:
		return e.Hostname != "" && slices.Contains(ix.hosts[d], e.Hostname)
	case IP:
		for _, a := range e.IPs {
			if slices.Contains(ix.devs[d].IPs, a) {
				return true
			}
		}
	}
	return false
}

// conflicts lists the fields that both sides give and on which they
// disagree.
func (ix *index) conflicts(e *Entry, d int) []Conflict {
	dv := ix.devs[d]
	var out []Conflict
	add := func(f Field, network string) {
		out = append(out, Conflict{Field: f, Register: e.Fields[f], Network: network})
	}
	if e.MAC != "" && dv.MACString != "" && !ix.agrees(MAC, e, d) {
		add(MAC, dv.MACString)
	}
	if e.Serial != "" && len(ix.serials[d]) == 1 && !ix.agrees(Serial, e, d) {
		add(Serial, ix.serials[d][0]) // several serials are others' (a gateway's)
	}
	if e.Hostname != "" && len(ix.hosts[d]) > 0 && !ix.agrees(Hostname, e, d) {
		add(Hostname, strings.Join(dv.Names, ", "))
	}
	if len(e.IPs) > 0 && len(dv.IPs) > 0 && !ix.agrees(IP, e, d) {
		out = append(out, Conflict{Field: IP, Register: e.Fields[IP],
			Network: strings.Join(dv.IPs, ", ")})
		if e.Fields[IP] == "" { // the address was in the host name's cell
			out[len(out)-1].Register = strings.Join(e.IPs, ", ")
		}
	}
	if v := e.Fields[Manufacturer]; v != "" && dv.Vendor != "" && !sameMaker(v, dv.Vendor) {
		add(Manufacturer, dv.Vendor)
	}
	if v := e.Fields[Model]; v != "" && dv.Model != "" && !sameModel(v, dv.Model) {
		add(Model, dv.Model)
	}
	if v := e.Fields[Status]; outOfService(v) {
		add(Status, "seen on the network")
	}
	return out
}

// makerNoise are the words of a maker's name that do not tell makers apart.
var makerNoise = map[string]bool{
	"ltd": true, "limited": true, "inc": true, "incorporated": true, "plc": true,
	"llc": true, "ag": true, "gmbh": true, "co": true, "kg": true, "kgaa": true, "se": true,
	"sa": true, "spa": true, "bv": true, "nv": true, "ab": true, "as": true, "oy": true,
	"corp": true, "corporation": true, "company": true, "the": true, "and": true,
	"group": true, "holdings": true, "international": true, "intl": true, "uk": true,
	"medical": true, "healthcare": true, "health": true, "systems": true, "system": true,
	"solutions": true, "technologies": true, "technology": true, "electronics": true,
	"devices": true, "healthineers": true, "werk": true, "werke": true,
}

// sameMaker reports whether two names may be of one maker: "Dräger" and
// "Draeger Medical", "B. Braun" and "B. Braun Melsungen AG", "GE" and "GE
// Healthcare", "Drägerwerk". Names are compared by their first distinctive
// word, which may continue the other's if that has five letters or more,
// or by the first two words when the first is an initial or two.
func sameMaker(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	ta, tb := makerWords(a), makerWords(b)
	if len(ta) == 0 || len(tb) == 0 {
		return true
	}
	if strings.Join(ta, "") == strings.Join(tb, "") {
		return true
	}
	if len(ta[0]) <= 2 || len(tb[0]) <= 2 {
		return slices.Equal(ta[:min(2, len(ta))], tb[:min(2, len(tb))])
	}
	short, long := ta[0], tb[0]
	if len(short) > len(long) {
		short, long = long, short
	}
	return short == long || len(short) >= 5 && strings.HasPrefix(long, short)
}

var umlautPairs = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

func makerWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(foldAccents(s)), notAlnum) {
		if strings.Contains(w, "e") {
			w = umlautPairs.Replace(w)
		}
		if !makerNoise[w] {
			out = append(out, w)
		}
	}
	return out
}

func notAlnum(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }

// sameModel reports whether two model names may be one model: they are
// the same letters and digits, or one holds the other ("MX800",
// "IntelliVue MX800").
func sameModel(a, b string) bool {
	ka := strings.Join(strings.FieldsFunc(strings.ToLower(foldAccents(a)), notAlnum), "")
	kb := strings.Join(strings.FieldsFunc(strings.ToLower(foldAccents(b)), notAlnum), "")
	if len(ka) > len(kb) {
		ka, kb = kb, ka
	}
	return ka == "" || ka == kb || len(ka) >= 3 && strings.Contains(kb, ka)
}

// outOfService reports whether a status says the asset has left service.
func outOfService(status string) bool {
	s := strings.ToLower(status)
	for _, w := range []string{"condemn", "dispos", "decommission", "scrapped", "written off",
		"write off", "write-off", "retired", "withdrawn", "out of service", "inactive"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
