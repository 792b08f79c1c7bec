package store

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/wardhq/ward/internal/inventory"
)

// widenSQL is the SQL that widens a stored [first_seen, last_seen] to take
// in the excluded (incoming) row's, in a DO UPDATE of table t. 0 is
// unknown, so the smaller first time is the smaller non-zero one. A
// portable CASE, rather than min/max (SQLite) or least/greatest
// (PostgreSQL).
func widenSQL(t string) string {
	return fmt.Sprintf("first_seen = CASE WHEN %[1]s.first_seen = 0 OR "+
		"(excluded.first_seen <> 0 AND excluded.first_seen < %[1]s.first_seen) "+
		"THEN excluded.first_seen ELSE %[1]s.first_seen END, "+
		"last_seen = CASE WHEN excluded.last_seen > %[1]s.last_seen THEN excluded.last_seen "+
		"ELSE %[1]s.last_seen END", t)
}

// count is the DO UPDATE of a count column: the sum, or for a capture that
// overlaps one merged before, countSQL.
func (w *merger) count(t, col string) string {
	if w.overlap {
		return countSQL(t, col)
	}
	return fmt.Sprintf("%[2]s = %[1]s.%[2]s + excluded.%[2]s", t, col)
}

// findingCount is the DO UPDATE of a finding's count. Findings keep no
// times: after an overlapping capture the greater count is kept.
func (w *merger) findingCount(col string) string {
	if w.overlap {
		return greaterSQL("findings", col)
	}
	return col + " = findings." + col + " + excluded." + col
}

// countSQL is "col = the stored and incoming counts combined", in a DO
// UPDATE of table t: added when the incoming row's [first_seen, last_seen]
// is apart from the stored one's, the greater when they overlap (see
// addCount). It reads the stored times before widenSQL changes them: SET
// expressions see the row as it was.
func countSQL(t, col string) string {
	return fmt.Sprintf("%[2]s = CASE WHEN %[1]s.first_seen <> 0 AND excluded.first_seen <> 0 "+
		"AND excluded.first_seen <= %[1]s.last_seen AND excluded.last_seen >= %[1]s.first_seen "+
		"THEN CASE WHEN excluded.%[2]s > %[1]s.%[2]s THEN excluded.%[2]s ELSE %[1]s.%[2]s END "+
		"ELSE %[1]s.%[2]s + excluded.%[2]s END", t, col)
}

// greaterSQL is "col = the greater of the stored and incoming col".
func greaterSQL(t, col string) string {
	return fmt.Sprintf("%[2]s = CASE WHEN excluded.%[2]s > %[1]s.%[2]s THEN excluded.%[2]s "+
		"ELSE %[1]s.%[2]s END", t, col)
}

// seenKinds are the ways an address can be seen (inventory.Address.SeenBy),
// in the order of their bits in identifiers.seen_by: from a packet's
// source, ARP or neighbour discovery, or named by a protocol's fact about
// a device no binding showed (an LLDP or DHCP sender). Keep the order:
// bits are stored. A way not listed is kept as "other".
var seenKinds = []string{"ip", "arp", "ndp", "other", "dhcp", "lldp", "cdp", "dns", "mdns",
	"llmnr", "nbns", "ssdp", "wsd", "snmp", "syslog", "http", "tls", "ssh", "telnet", "ftp",
	"smb", "dicom", "hl7"}

// seenBits maps each of seenKinds to its bit.
var seenBits = func() map[string]int64 {
	m := make(map[string]int64, len(seenKinds))
	for i, k := range seenKinds {
		m[k] = 1 << i
	}
	return m
}()

// seenBit is the bit of a way of seeing an address.
func seenBit(kind string) int64 {
	if b, ok := seenBits[kind]; ok {
		return b
	}
	return seenBits["other"]
}

// seenBy is the ways of seeing an address in bits, in a fixed order.
func seenBy(bits int64) []string {
	var out []string
	for i, k := range seenKinds {
		if bits&(1<<i) != 0 {
			out = append(out, k)
		}
	}
	return out
}

type identKey struct{ device, kind, value string }

type identRow struct {
	first, last, packets, seenBy int64
}

// identifiers merges the devices' MAC and IP addresses: first and last
// seen widen, packets add up and the ways an address was seen gather.
func (w *merger) identifiers(devs []*inventory.Device) (int, error) {
	rows := map[identKey]*identRow{}
	var order []identKey
	add := func(k identKey, r identRow) {
		if have := rows[k]; have != nil {
			have.first, have.last = widen(have.first, have.last, r.first, r.last)
			have.packets += r.packets
			have.seenBy |= r.seenBy
			return
		}
		rows[k] = &r
		order = append(order, k)
	}
	for _, d := range devs {
		if d.MACString != "" {
			add(identKey{d.ID, "mac", d.MACString}, identRow{first: nanos(d.FirstSeen),
				last: nanos(d.LastSeen), packets: count(d.Packets)})
		}
		for _, a := range d.Addresses {
			var bits int64
			for _, s := range a.SeenBy {
				bits |= seenBit(s)
			}
			add(identKey{d.ID, "ip", a.IP}, identRow{first: nanos(a.FirstSeen),
				last: nanos(a.LastSeen), packets: count(a.Packets), seenBy: bits})
		}
		for _, ip := range d.IPs {
			if rows[identKey{d.ID, "ip", ip}] == nil {
				add(identKey{d.ID, "ip", ip}, identRow{first: nanos(d.FirstSeen),
					last: nanos(d.LastSeen)})
			}
		}
	}
	b := w.batch("INSERT INTO identifiers (device_id, kind, value, first_seen, "+
		"last_seen, packets, seen_by) VALUES ", 7, " ON CONFLICT (device_id, kind, value) "+
		"DO UPDATE SET "+widenSQL("identifiers")+", "+w.count("identifiers", "packets")+
		", seen_by = identifiers.seen_by | excluded.seen_by")
	for _, k := range order {
		r := rows[k]
		if err := b.add(k.device, k.kind, k.value, r.first, r.last, r.packets, r.seenBy); err != nil {
			return 0, err
		}
	}
	return len(order), b.close()
}

// widen widens [first, last] to take in [f, l], 0 being unknown.
func widen(first, last, f, l int64) (int64, int64) {
	if first == 0 || (f != 0 && f < first) {
		first = f
	}
	return first, max(last, l)
}

type attrKey struct{ device, source, key, value, peer string }

type attrRow struct {
	conf, first, last, count int64
}

// fold adds o, a row of the same key, to r.
func (r *attrRow) fold(o attrRow) {
	r.first, r.last = widen(r.first, r.last, o.first, o.last)
	r.count += o.count
	r.conf = max(r.conf, o.conf)
}

// keyedAttr is an attribute row with its key.
type keyedAttr struct {
	attrKey
	attrRow
}

func compareAttrs(a, b keyedAttr) int {
	return cmp.Or(strings.Compare(a.device, b.device), strings.Compare(a.source, b.source),
		strings.Compare(a.key, b.key), strings.Compare(a.value, b.value),
		strings.Compare(a.peer, b.peer))
}

// attributes merges the devices' attributes, compacted: one row per
// (device, source, key, value, peer), counts added, times widened and the
// highest confidence kept.
func (w *merger) attributes(devs []*inventory.Device) (int, error) {
	rows := compactAttributes(devs)
	// Ingestion never writes source "user" (validateInput refuses it); the
	// WHERE keeps a person's attributes out of reach all the same.
	b := w.batch("INSERT INTO attributes (device_id, source, key, value, peer, "+
		"confidence, first_seen, last_seen, count) VALUES ", 9,
		" ON CONFLICT (device_id, source, key, value, peer) DO UPDATE SET "+
			greaterSQL("attributes", "confidence")+", "+widenSQL("attributes")+
			", "+w.count("attributes", "count")+" WHERE attributes.source <> 'user'")
	// Values a row shares with the one before (its device, often its
	// source and times) are boxed once for both: 50,000 rows are 250,000
	// allocations fewer.
	var device, source, first, last any
	for i := range rows {
		r := &rows[i]
		p := &rows[max(i-1, 0)]
		if i == 0 || r.device != p.device {
			device = r.device
		}
		if i == 0 || r.source != p.source {
			source = r.source
		}
		if i == 0 || r.first != p.first {
			first = r.first
		}
		if i == 0 || r.last != p.last {
			last = r.last
		}
		err := b.add(device, source, r.key, r.value, r.peer, r.conf, first, last, r.count)
		if err != nil {
			return 0, err
		}
	}
	return len(rows), b.close()
}

// compactAttributes returns the attributes of devs in key order, one row
// per key. In key order, each batch writes to neighbouring pages of the
// table; sorted, rows of one key are neighbours and fold without a map.
func compactAttributes(devs []*inventory.Device) []keyedAttr {
	n := 0
	for _, d := range devs {
		n += len(d.Attributes)
	}
	rows := make([]keyedAttr, 0, n)
	for _, d := range devs {
		for i := range d.Attributes {
			a := &d.Attributes[i]
			rows = append(rows, keyedAttr{attrKey{d.ID, a.Source, a.Key, a.Value, a.Peer},
				attrRow{conf: int64(a.Confidence), first: nanos(a.FirstSeen),
					last: nanos(a.LastSeen), count: count(a.Count)}})
		}
	}
	slices.SortFunc(rows, compareAttrs)
	out := rows[:0]
	for _, r := range rows {
		if last := len(out) - 1; last >= 0 && out[last].attrKey == r.attrKey {
			out[last].fold(r.attrRow)
			continue
		}
		out = append(out, r)
	}
	return out
}

type linkKey struct{ source, key, value, from, to string }

// links merges links as attributes are merged.
func (w *merger) links(links []inventory.Link) (int, error) {
	rows := map[linkKey]*attrRow{}
	var order []linkKey
	for _, l := range links {
		k := linkKey{l.Source, l.Key, l.Value, l.From, l.To}
		r := attrRow{first: nanos(l.FirstSeen), last: nanos(l.LastSeen), count: count(l.Count)}
		if have := rows[k]; have != nil {
			have.fold(r)
			continue
		}
		rows[k] = &r
		order = append(order, k)
	}
	b := w.batch("INSERT INTO links (source, key, value, from_device, to_device, "+
		"first_seen, last_seen, count) VALUES ", 8,
		" ON CONFLICT (from_device, source, key, value, to_device) DO UPDATE SET "+
			widenSQL("links")+", "+w.count("links", "count"))
	for _, k := range order {
		r := rows[k]
		if err := b.add(k.source, k.key, k.value, k.from, k.to, r.first, r.last, r.count); err != nil {
			return 0, err
		}
	}
	return len(order), b.close()
}

type findingKey struct{ device, kind, protocol string }

// findings merges the devices' findings: messages and connections add
// up; peers is the most any one analysis saw.
func (w *merger) findings(devs []*inventory.Device) (int, error) {
	rows := map[findingKey]*inventory.Finding{}
	var order []findingKey
	for _, d := range devs {
		for _, f := range d.Findings {
			k := findingKey{d.ID, f.Kind, f.Protocol}
			if have := rows[k]; have != nil {
				have.Messages += f.Messages
				have.Connections += f.Connections
				have.Peers = max(have.Peers, f.Peers)
				continue
			}
			rows[k] = &f
			order = append(order, k)
		}
	}
	b := w.batch("INSERT INTO findings (device_id, kind, protocol, messages, "+
		"connections, peers) VALUES ", 6, " ON CONFLICT (device_id, kind, protocol) DO UPDATE SET "+
		w.findingCount("messages")+", "+w.findingCount("connections")+", "+greaterSQL("findings", "peers"))
	for _, k := range order {
		f := rows[k]
		err := b.add(k.device, k.kind, k.protocol, count(f.Messages), count(f.Connections),
			int64(f.Peers))
		if err != nil {
			return 0, err
		}
	}
	return len(order), b.close()
}

type flowKey struct {
	src, dst             string
	proto, dstPort, vlan int64
}

// flows merges flows: counts add up, times widen, and what the latest
// analysis knows (application, MACs, devices) replaces what it does not.
func (w *merger) flows(flows []Flow) (int, error) {
	rows := make(map[flowKey]*Flow, len(flows))
	order := make([]flowKey, 0, len(flows))
	for i := range flows {
		f := flows[i]
		k := flowKey{f.Src, f.Dst, int64(f.Proto), int64(f.DstPort), int64(f.VLAN)}
		if have := rows[k]; have != nil {
			have.add(&f)
			continue
		}
		rows[k] = &f
		order = append(order, k)
	}
	sum := func(col string) string { return w.count("flows", col) }
	latest := func(col string) string {
		return col + " = CASE WHEN excluded." + col + " <> '' THEN excluded." + col +
			" ELSE flows." + col + " END"
	}
	b := w.batch("INSERT INTO flows (src, dst, proto, dst_port, vlan, app, packets, "+
		"bytes, packets_rev, bytes_rev, messages, messages_rev, connections, first_seen, "+
		"last_seen, src_mac, dst_mac, src_device, dst_device) VALUES ", 19,
		" ON CONFLICT (src, dst, proto, dst_port, vlan) DO UPDATE SET "+latest("app")+", "+
			sum("packets")+", "+sum("bytes")+", "+sum("packets_rev")+", "+sum("bytes_rev")+", "+
			sum("messages")+", "+sum("messages_rev")+", "+sum("connections")+", "+
			widenSQL("flows")+", "+latest("src_mac")+", "+latest("dst_mac")+", "+
			"src_device = coalesce(excluded.src_device, flows.src_device), "+
			"dst_device = coalesce(excluded.dst_device, flows.dst_device)")
	for _, k := range order {
		f := rows[k]
		err := b.add(k.src, k.dst, k.proto, k.dstPort, k.vlan, f.App, count(f.Packets),
			count(f.Bytes), count(f.PacketsRev), count(f.BytesRev), count(f.Messages),
			count(f.MessagesRev), count(f.Connections), nanos(f.FirstSeen), nanos(f.LastSeen),
			f.SrcMAC, f.DstMAC, nullString(f.SrcDevice), nullString(f.DstDevice))
		if err != nil {
			return 0, err
		}
	}
	if err := b.close(); err != nil {
		return 0, err
	}
	return len(order), w.flowHours(order, rows)
}

// flowHours merges the hourly counts of the flows, after the flows they
// belong to: counts add up, or after a capture that overlaps one merged
// before, the greater is kept, hour by hour.
func (w *merger) flowHours(order []flowKey, rows map[flowKey]*Flow) error {
	combine := func(col string) string {
		if w.overlap {
			return greaterSQL("flow_hours", col)
		}
		return col + " = flow_hours." + col + " + excluded." + col
	}
	b := w.batch("INSERT INTO flow_hours (src, dst, proto, dst_port, vlan, hour, packets, "+
		"bytes) VALUES ", 8, " ON CONFLICT (src, dst, proto, dst_port, vlan, hour) DO UPDATE SET "+
		combine("packets")+", "+combine("bytes"))
	for _, k := range order {
		for _, h := range rows[k].Hours {
			err := b.add(k.src, k.dst, k.proto, k.dstPort, k.vlan, h.Hour.Unix(),
				count(h.Packets), count(h.Bytes))
			if err != nil {
				return err
			}
		}
	}
	return b.close()
}

// add folds o, a flow with the same key, into f.
func (f *Flow) add(o *Flow) {
	f.Packets += o.Packets
	f.Bytes += o.Bytes
	f.PacketsRev += o.PacketsRev
	f.BytesRev += o.BytesRev
	f.Messages += o.Messages
	f.MessagesRev += o.MessagesRev
	f.Connections += o.Connections
	first, last := widen(nanos(f.FirstSeen), nanos(f.LastSeen),
		nanos(o.FirstSeen), nanos(o.LastSeen))
	f.FirstSeen, f.LastSeen = fromNanos(first), fromNanos(last)
	f.Hours = addHours(f.Hours, o.Hours)
	for _, p := range []struct {
		dst *string
		src string
	}{
		{&f.App, o.App}, {&f.SrcMAC, o.SrcMAC}, {&f.DstMAC, o.DstMAC},
		{&f.SrcDevice, o.SrcDevice}, {&f.DstDevice, o.DstDevice},
	} {
		if p.src != "" {
			*p.dst = p.src
		}
	}
}

// addHours returns the hours of a and b, both in hour order, added hour
// by hour, in a new slice: a and b may be an input's.
func addHours(a, b []HourCount) []HourCount {
	out := make([]HourCount, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch c := a[0].Hour.Compare(b[0].Hour); {
		case c < 0:
			out, a = append(out, a[0]), a[1:]
		case c > 0:
			out, b = append(out, b[0]), b[1:]
		default:
			h := a[0]
			h.Packets += b[0].Packets
			h.Bytes += b[0].Bytes
			out, a, b = append(out, h), a[1:], b[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
}

// nullString is s, or NULL for "".
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
