package register

import (
	"cmp"
	"slices"

	"github.com/wardhq/ward/internal/inventory"
)

// Reconciliation is a register set against the devices on the network.
// Every entry is in exactly one of Matched, Relayed, Duplicates and
// RegisterOnly, every device in Matched or NetworkOnly. Entries are in row
// order, devices in ID order.
type Reconciliation struct {
	Matched      []Match         `json:"matched"`
	RegisterOnly []Entry         `json:"register_only"`
	NetworkOnly  []NetworkDevice `json:"network_only"`
	Relayed      []Relay         `json:"relayed"`
	Duplicates   []Duplicate     `json:"duplicates"`
	Figures      Figures         `json:"figures"`
}

// Match is an entry and the device it is.
type Match struct {
	Entry    Entry  `json:"entry"`
	DeviceID string `json:"device_id"`
	// By lists the keys on which entry and device agree: the one that
	// decided the match first, then the others in order of trust.
	By        []Field    `json:"by"`
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// Conflict is a field on which the register and the network disagree.
type Conflict struct {
	Field    Field  `json:"field"`
	Register string `json:"register"` // the cell as written
	Network  string `json:"network"`  // the device's values, comma separated
}

// Relay is an entry not on the network itself whose serial a device
// reports: a gateway sending, in HL7 messages, the serials of the pumps
// or monitors behind it.
type Relay struct {
	Entry    Entry  `json:"entry"`
	DeviceID string `json:"device_id"` // the device that reports it
}

// Duplicate is an entry that repeats an earlier row (Entry.DuplicateOf).
type Duplicate struct {
	Entry Entry `json:"entry"`
	Of    int   `json:"of"` // the row it repeats
}

// NetworkDevice is a device that the register lacks, with what a user needs
// to tell whether it should be there: infrastructure (a switch, a printer)
// often is not.
type NetworkDevice struct {
	ID          string   `json:"id"`
	MAC         string   `json:"mac,omitempty"`
	IPs         []string `json:"ips"`
	Name        string   `json:"name,omitempty"` // the most trusted of its names
	Vendor      string   `json:"vendor"`
	Model       string   `json:"model"`
	Category    string   `json:"category"`
	Criticality string   `json:"criticality"`
}

// Figures say how far the register and the network agree.
type Figures struct {
	RegisterEntries int `json:"register_entries"` // all entries, duplicates included
	NetworkDevices  int `json:"network_devices"`
	Matched         int `json:"matched"`
	RegisterOnly    int `json:"register_only"`
	NetworkOnly     int `json:"network_only"`
	Relayed         int `json:"relayed"`
	Duplicates      int `json:"duplicates"`
	// WithoutKey counts the entries, duplicates left out, with no MAC,
	// serial, host name or address: they can never match.
	WithoutKey    int       `json:"without_key"`
	WithConflicts int       `json:"with_conflicts"` // matches with a conflict
	MatchedBy     KeyCounts `json:"matched_by"`     // by the deciding key

	// Accuracy is (Matched+Relayed) / (Matched+Relayed+RegisterOnly+
	// NetworkOnly): of the assets either side knows, the share both agree
	// exist. 0 when there are none.
	Accuracy float64 `json:"accuracy"`
	// InRegister is Matched / NetworkDevices: the share of the network
	// that the register holds.
	InRegister float64 `json:"in_register"`
	// OnNetwork is (Matched+Relayed) / (RegisterEntries-Duplicates): the
	// share of the register that the network confirms.
	OnNetwork float64 `json:"on_network"`
}

// KeyCounts counts matches by the key that decided them.
type KeyCounts struct {
	MAC      int `json:"mac"`
	Serial   int `json:"serial"`
	Hostname int `json:"hostname"`
	IP       int `json:"ip"`
}

// keys are the identity fields in order of trust.
var keys = []Field{MAC, Serial, Hostname, IP}

// Reconcile matches the register's entries with the devices; see the
// package documentation for the rules. It does not change its arguments.
func Reconcile(reg *Register, devices []*inventory.Device) *Reconciliation {
	ix := newIndex(devices)
	var entries []Entry
	if reg != nil {
		entries = slices.Clone(reg.Entries)
	}
	slices.SortStableFunc(entries, func(a, b Entry) int { return cmp.Compare(a.Row, b.Row) })

	m := &matcher{ix: ix, entries: entries, dev: make([]int, len(entries)),
		claim: make([]int, len(ix.devs)), by: make([]Field, len(entries))}
	for i := range m.dev {
		m.dev[i] = -1
	}
	for i := range m.claim {
		m.claim[i] = -1
	}
	for _, k := range keys {
		m.pass(k)
	}
	return m.result()
}

// matcher holds the state of one reconciliation.
type matcher struct {
	ix      *index
	entries []Entry
	dev     []int   // entry → device, -1 if none
	claim   []int   // device → entry, -1 if none
	by      []Field // entry → the key that matched it
}

// pass matches by one key every entry still free to a device still free.
func (m *matcher) pass(k Field) {
	for i := range m.entries {
		e := &m.entries[i]
		if m.dev[i] >= 0 || e.DuplicateOf != 0 {
			continue
		}
		d, ok := m.ix.candidate(k, e)
		if !ok || m.claim[d] >= 0 {
			continue
		}
		m.dev[i], m.claim[d], m.by[i] = d, i, k
	}
}

func (m *matcher) result() *Reconciliation {
	matched := 0
	for _, d := range m.dev {
		if d >= 0 {
			matched++
		}
	}
	r := &Reconciliation{Matched: make([]Match, 0, matched),
		RegisterOnly: make([]Entry, 0, len(m.entries)-matched),
		NetworkOnly:  make([]NetworkDevice, 0, len(m.ix.devs)-matched),
		Relayed:      []Relay{}, Duplicates: []Duplicate{}}
	for i, e := range m.entries {
		switch d := m.dev[i]; {
		case d >= 0:
			r.Matched = append(r.Matched, m.match(i, d))
		case e.DuplicateOf != 0:
			r.Duplicates = append(r.Duplicates, Duplicate{Entry: e, Of: e.DuplicateOf})
		case e.Serial != "" && m.ix.serial[e.Serial].n > 0:
			d := m.ix.serial[e.Serial].first
			r.Relayed = append(r.Relayed, Relay{Entry: e, DeviceID: m.ix.devs[d].ID})
		default:
			r.RegisterOnly = append(r.RegisterOnly, e)
		}
	}
	for d, dv := range m.ix.devs {
		if m.claim[d] < 0 {
			r.NetworkOnly = append(r.NetworkOnly, networkDevice(dv))
		}
	}
	r.Figures = figures(r, len(m.entries), len(m.ix.devs))
	return r
}

func (m *matcher) match(i, d int) Match {
	e := &m.entries[i]
	mt := Match{Entry: *e, DeviceID: m.ix.devs[d].ID, By: []Field{m.by[i]}}
	for _, k := range keys {
		if k != m.by[i] && m.ix.agrees(k, e, d) {
			mt.By = append(mt.By, k)
		}
	}
	mt.Conflicts = m.ix.conflicts(e, d)
	return mt
}

func networkDevice(d *inventory.Device) NetworkDevice {
	nd := NetworkDevice{ID: d.ID, MAC: d.MACString, IPs: d.IPs, Vendor: d.Vendor,
		Model: d.Model, Category: d.Category, Criticality: d.Criticality}
	if nd.IPs == nil {
		nd.IPs = []string{}
	}
	if len(d.Names) > 0 {
		nd.Name = d.Names[0]
	}
	return nd
}

func figures(r *Reconciliation, entries, devices int) Figures {
	f := Figures{RegisterEntries: entries, NetworkDevices: devices,
		Matched: len(r.Matched), RegisterOnly: len(r.RegisterOnly),
		NetworkOnly: len(r.NetworkOnly), Relayed: len(r.Relayed), Duplicates: len(r.Duplicates)}
	for _, mt := range r.Matched {
		switch mt.By[0] {
		case MAC:
			f.MatchedBy.MAC++
		case Serial:
			f.MatchedBy.Serial++
		case Hostname:
			f.MatchedBy.Hostname++
		case IP:
			f.MatchedBy.IP++
		}
		if len(mt.Conflicts) > 0 {
			f.WithConflicts++
		}
	}
	for _, e := range r.RegisterOnly {
		if !e.HasKey() {
			f.WithoutKey++
		}
	}
	agreed := f.Matched + f.Relayed
	f.Accuracy = ratio(agreed, agreed+f.RegisterOnly+f.NetworkOnly)
	f.InRegister = ratio(f.Matched, f.NetworkDevices)
	f.OnNetwork = ratio(agreed, f.RegisterEntries-f.Duplicates)
	return f
}

func ratio(a, b int) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}
