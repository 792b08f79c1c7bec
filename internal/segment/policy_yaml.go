package segment

// The policy file. Parse reads it and Marshal writes it:
//
//	ward_policy: 1            # format version: required, and 1
//	name: St Elsewhere NHS Trust
//	description: ...
//	zones:
//	  - name: imaging         # [a-z0-9-], 1 to 40 characters, unique;
//	                          # "unassigned" is reserved
//	    description: ...
//	    security_level: 2     # IEC 62443 target security level (SL-T) 1 to 4
//	    medical: true         # a zone for medical devices
//	rules:                    # in order, the first that holds places a
//	                          # device or address; devices: rules first
//	  - zone: imaging
//	    categories: [imaging-ct, imaging-mr]
//	  - zone: imaging
//	    subnets: [10.20.0.0/16, "2001:db8:20::/48"]   # an address is a /32 or /128
//	    vlans: [20, 21]
//	  - zone: life-sustaining
//	    criticality: [life-sustaining]  # or diagnostic, supporting, non-clinical
//	  - zone: guest
//	    tags: [guest-wifi]
//	  - zone: lab
//	    devices: ["mac:00:11:22:33:44:55"]
//	  - zone: internet
//	    internet: true        # public addresses
//	conduits:
//	  - name: modalities-to-pacs  # unique; "<from>-to-<to>" (then -2, -3, ...)
//	                              # when not given
//	    description: ...
//	    from: imaging         # the client's end: a zone, or
//	                          # {zone: imaging, categories: [imaging-ct]}
//	    to: {zone: clinical-it, categories: [pacs]}
//	    bidirectional: false  # true: either end may open the flow
//	    services:             # at least one
//	      - tcp/104           # short forms: proto/port, proto/lo-hi, proto, any
//	      - {proto: tcp, ports: [104, 11112, "4000-4010"], app: dicom}
//	infrastructure:
//	  resolvers: [10.0.0.53]
//	  ntp: [10.0.0.123]
//	  dhcp_servers: [10.0.0.67]
//	  dhcp_relays: [10.20.0.1]
//	  fhrp: vrrp              # vrrp, hsrp, glbp, carp or absent
//	  icmp_errors: true       # the default
//	learned:                  # written by "ward segment learn"
//	  from: 2026-01-02T10:00:00Z
//	  to: 2026-01-02T11:00:00Z
//	  flows: 123
//	  sources: [capture.pcap]
//
// A protocol is tcp, udp, icmp, icmpv6, another name ProtoName gives, or
// a number 0 to 255; a port list only goes with tcp, udp and sctp. An
// absent key and a null value are the same; every key that is neither
// of these is an error, as is a value of the wrong type.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxPolicySize is the largest policy Parse reads, in bytes.
const MaxPolicySize = 8 << 20

// policyVersion is the format version this code reads and writes.
const policyVersion = 1

// Parse reads a policy from YAML and checks it as Validate does. name is
// the file's name for messages ("" when it has none). A bad policy is a
// *PolicyError naming the key, line and column of every problem.
//
// Parse writes protocols as Service.Proto names them ("TCP" and "6" become
// "tcp"), gives each unnamed conduit the name ConduitNames gives it, and
// sets Infrastructure.ICMPErrors unless the file turns it off.
func Parse(data []byte, name string) (p *Policy, err error) {
	defer func() {
		// The YAML parser is third-party code fed untrusted input: a panic
		// in it is a bad file, not a crash.
		if r := recover(); r != nil {
			p, err = nil, newPolicyError(name, []Problem{{Message: fmt.Sprintf("parse yaml: %v", r)}})
		}
	}()
	if len(data) > MaxPolicySize {
		return nil, newPolicyError(name, []Problem{{Message: fmt.Sprintf(
			"policy of %d bytes is larger than the limit of %d MiB", len(data), MaxPolicySize>>20)}})
	}
	root, prob := policyRoot(data)
	if prob != nil {
		return nil, newPolicyError(name, []Problem{*prob})
	}
	d := &policyDecoder{pos: map[string]policyPos{}}
	p = d.policy(root)
	probs := d.probs
	for _, pr := range p.policyCheck() {
		if !d.covered(pr.Key) {
			pr.Line, pr.Column = d.locate(pr.Key)
			probs = append(probs, pr)
		}
	}
	if err := newPolicyError(name, probs); err != nil {
		return nil, err
	}
	return p, nil
}

var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// policyRoot parses data as one YAML document and returns its top node.
func policyRoot(data []byte) (*yaml.Node, *Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Problem{Line: 1, Message: "empty policy: it starts with ward_policy: 1"}
		}
		return nil, yamlProblem(err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, &Problem{Line: next.Line, Column: next.Column, Message: "more than one YAML document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlProblem(err)
	}
	if len(doc.Content) == 0 {
		return nil, &Problem{Line: 1, Message: "empty policy: it starts with ward_policy: 1"}
	}
	if a := findAlias(doc.Content[0]); a != nil {
		return nil, &Problem{Line: a.Line, Column: a.Column, Message: "YAML aliases are not supported in a policy"}
	}
	return doc.Content[0], nil
}

// yamlProblem turns a YAML syntax error into a problem with its line.
func yamlProblem(err error) *Problem {
	msg := err.Error()
	if m := yamlLineError.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Problem{Line: line, Message: "yaml: " + m[2]}
	}
	return &Problem{Message: msg}
}

// findAlias returns the first alias node under n, or nil. Aliases are
// refused so that no list can be made to repeat without bound.
func findAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := findAlias(c); a != nil {
			return a
		}
	}
	return nil
}

// policyPos is where a node is in the file.
type policyPos struct{ line, col int }

// policyDecoder reads a policy's nodes. It keeps every list's items, bad
// ones as zero values, so that the policy's indices are the file's and
// a check's key finds its node.
type policyDecoder struct {
	probs []Problem
	pos   map[string]policyPos // key → where its value is

	// Made by covered from probs once decoding is done: the keys of
	// problems, and those keys with every key that holds them.
	reported, around map[string]bool
}

// policyFields are the keys of a mapping and what to do with each value.
type policyFields map[string]func(v *yaml.Node, key string)

func (d *policyDecoder) add(n *yaml.Node, key, format string, args ...any) {
	d.probs = append(d.probs, Problem{Line: n.Line, Column: n.Column, Key: key,
		Message: fmt.Sprintf(format, args...)})
}

// covered reports whether a problem at key, inside it or around it is
// already reported: a check's complaint about a part the file got wrong
// repeats it (a rule whose only condition was misspelt has no condition;
// a zone that is not a mapping has no name).
func (d *policyDecoder) covered(key string) bool {
	if d.reported == nil {
		d.reported = map[string]bool{}
		d.around = map[string]bool{}
		for _, pr := range d.probs {
			d.reported[pr.Key] = true
			for k := pr.Key; k != ""; k = parentKey(k) {
				d.around[k] = true
			}
		}
	}
	if d.around[key] || d.reported[""] {
		return true
	}
	for k := key; k != ""; k = parentKey(k) {
		if d.reported[k] {
			return true
		}
	}
	return false
}

// parentKey returns the key of what holds key: "rules[2]" for
// "rules[2].zone", "rules" for "rules[2]", "" at the top.
func parentKey(key string) string {
	if i := strings.LastIndexAny(key, ".["); i >= 0 {
		return key[:i]
	}
	return ""
}

// locate returns the position of key's node, or of the nearest enclosing
// node that the file has (a missing key is reported where its mapping is).
func (d *policyDecoder) locate(key string) (line, col int) {
	for ; key != ""; key = parentKey(key) {
		if p, ok := d.pos[key]; ok {
			return p.line, p.col
		}
	}
	return 1, 0
}

func joinKey(key, name string) string {
	if key == "" {
		return name
	}
	return key + "." + name
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// describe names a node's type for a message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!bool":
			return n.Value
		case "!!int", "!!float":
			return "the number " + n.Value
		}
		return strconv.Quote(n.Value)
	}
	return "a YAML node of kind " + strconv.Itoa(int(n.Kind))
}

func (d *policyDecoder) wrongType(n *yaml.Node, key, want string) {
	d.add(n, key, "want %s, got %s", want, describe(n))
}

// mapping reads the mapping n, whose key is key, field by field. Unknown
// and repeated keys are problems; null is an empty mapping.
func (d *policyDecoder) mapping(n *yaml.Node, key string, fs policyFields) bool {
	if isNull(n) {
		return true
	}
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, key, "a mapping")
		return false
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := joinKey(key, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.add(k, key, "want a key name, got %s", describe(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.add(k, path, "key given twice (first on line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		f, ok := fs[k.Value]
		if !ok {
			d.add(k, path, "unknown key %q%s", k.Value, knownKeys(k.Value, fs))
			continue
		}
		d.pos[path] = policyPos{v.Line, v.Column}
		f(v, path)
	}
	return true
}

// knownKeys suggests the key meant, or lists the keys there are.
func knownKeys(k string, fs policyFields) string {
	names := make([]string, 0, len(fs))
	for name := range fs {
		names = append(names, name)
	}
	slices.Sort(names)
	if s := policySuggest(k, names); s != "" {
		return s
	}
	return " (want " + strings.Join(names, ", ") + ")"
}

// seq reads the list n item by item; null is an empty list.
func (d *policyDecoder) seq(n *yaml.Node, key string, each func(item *yaml.Node, key string)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.wrongType(n, key, "a list")
		return
	}
	for i, item := range n.Content {
		k := fmt.Sprintf("%s[%d]", key, i)
		d.pos[k] = policyPos{item.Line, item.Column}
		each(item, k)
	}
}

// str reads a scalar as written ("20" as well as "imaging"); null is "".
func (d *policyDecoder) str(n *yaml.Node, key string) string {
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.wrongType(n, key, "a string")
		return ""
	}
	return n.Value
}

func (d *policyDecoder) strs(n *yaml.Node, key string) []string {
	var out []string
	d.seq(n, key, func(item *yaml.Node, k string) { out = append(out, d.str(item, k)) })
	return out
}

func (d *policyDecoder) boolean(n *yaml.Node, key string) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.wrongType(n, key, "true or false")
	}
	return b
}

// integer reads a whole number; ok is false (and a problem added) for
// anything else.
func (d *policyDecoder) integer(n *yaml.Node, key string) (i int64, ok bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.wrongType(n, key, "a whole number")
		return 0, false
	}
	if err := n.Decode(&i); err != nil {
		d.add(n, key, "number %s out of range", n.Value)
		return 0, false
	}
	return i, true
}

func (d *policyDecoder) policy(root *yaml.Node) *Policy {
	p := &Policy{Infrastructure: Infrastructure{ICMPErrors: true}}
	version := false
	ok := d.mapping(root, "", policyFields{
		"ward_policy": func(v *yaml.Node, k string) { version = true; d.version(v, k) },
		"name":        func(v *yaml.Node, k string) { p.Name = d.str(v, k) },
		"description": func(v *yaml.Node, k string) { p.Description = d.str(v, k) },
		"zones": func(v *yaml.Node, k string) {
			d.seq(v, k, func(n *yaml.Node, k string) { p.Zones = append(p.Zones, d.zone(n, k)) })
		},
		"rules": func(v *yaml.Node, k string) {
			d.seq(v, k, func(n *yaml.Node, k string) { p.Rules = append(p.Rules, d.rule(n, k)) })
		},
		"conduits": func(v *yaml.Node, k string) {
			d.seq(v, k, func(n *yaml.Node, k string) { p.Conduits = append(p.Conduits, d.conduit(n, k)) })
		},
		"infrastructure": func(v *yaml.Node, k string) { p.Infrastructure = d.infrastructure(v, k) },
		"learned":        func(v *yaml.Node, k string) { p.Learned = d.learned(v, k) },
	})
	if ok && !version {
		d.add(root, "ward_policy", "missing: a policy starts with ward_policy: %d", policyVersion)
	}
	for i, name := range ConduitNames(p.Conduits) {
		p.Conduits[i].Name = name
	}
	return p
}

func (d *policyDecoder) version(n *yaml.Node, key string) {
	v, ok := d.integer(n, key)
	if ok && v != policyVersion {
		d.add(n, key, "unsupported format version %d (this Ward reads %d)", v, policyVersion)
	}
}

func (d *policyDecoder) zone(n *yaml.Node, key string) Zone {
	z := Zone{Line: n.Line}
	d.mapping(n, key, policyFields{
		"name":           func(v *yaml.Node, k string) { z.Name = d.str(v, k) },
		"description":    func(v *yaml.Node, k string) { z.Description = d.str(v, k) },
		"security_level": func(v *yaml.Node, k string) { z.SecurityLevel = d.securityLevel(v, k) },
		"medical":        func(v *yaml.Node, k string) { z.Medical = d.boolean(v, k) },
	})
	return z
}

func (d *policyDecoder) securityLevel(n *yaml.Node, key string) int {
	if isNull(n) {
		return 0
	}
	v, ok := d.integer(n, key)
	if ok && (v < 1 || v > 4) {
		d.add(n, key, "%d is not a target security level (want 1 to 4)", v)
		return 0
	}
	return int(v)
}

func (d *policyDecoder) rule(n *yaml.Node, key string) Rule {
	r := Rule{Line: n.Line}
	d.mapping(n, key, policyFields{
		"zone":        func(v *yaml.Node, k string) { r.Zone = d.str(v, k) },
		"subnets":     func(v *yaml.Node, k string) { r.Subnets = d.prefixes(v, k) },
		"vlans":       func(v *yaml.Node, k string) { r.VLANs = d.vlans(v, k) },
		"categories":  func(v *yaml.Node, k string) { r.Categories = d.strs(v, k) },
		"criticality": func(v *yaml.Node, k string) { r.Criticality = d.strs(v, k) },
		"tags":        func(v *yaml.Node, k string) { r.Tags = d.strs(v, k) },
		"devices":     func(v *yaml.Node, k string) { r.Devices = d.strs(v, k) },
		"internet":    func(v *yaml.Node, k string) { r.Internet = d.boolean(v, k) },
	})
	return r
}

// prefixes reads CIDR prefixes; a lone address is the prefix of that one
// host.
func (d *policyDecoder) prefixes(n *yaml.Node, key string) []netip.Prefix {
	var out []netip.Prefix
	d.seq(n, key, func(item *yaml.Node, k string) {
		s := strings.TrimSpace(d.str(item, k))
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				d.add(item, k, "invalid CIDR prefix %q", s)
			} else {
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		out = append(out, p)
	})
	return out
}

func (d *policyDecoder) vlans(n *yaml.Node, key string) []uint16 {
	var out []uint16
	d.seq(n, key, func(item *yaml.Node, k string) {
		v, ok := d.integer(item, k)
		if ok && (v < 0 || v > 0xffff) {
			d.add(item, k, "VLAN %d out of range (want 1 to 4094)", v)
			v = 0
		}
		out = append(out, uint16(v))
	})
	return out
}

func (d *policyDecoder) conduit(n *yaml.Node, key string) Conduit {
	c := Conduit{Line: n.Line}
	d.mapping(n, key, policyFields{
		"name":          func(v *yaml.Node, k string) { c.Name = d.str(v, k) },
		"description":   func(v *yaml.Node, k string) { c.Description = d.str(v, k) },
		"from":          func(v *yaml.Node, k string) { c.From = d.end(v, k) },
		"to":            func(v *yaml.Node, k string) { c.To = d.end(v, k) },
		"bidirectional": func(v *yaml.Node, k string) { c.Bidirectional = d.boolean(v, k) },
		"services": func(v *yaml.Node, k string) {
			d.seq(v, k, func(n *yaml.Node, k string) { c.Services = append(c.Services, d.service(n, k)) })
		},
	})
	return c
}

// end reads a conduit's end: a zone's name, or a mapping of zone and
// categories.
func (d *policyDecoder) end(n *yaml.Node, key string) End {
	var e End
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		d.pos[key+".zone"] = policyPos{n.Line, n.Column}
		e.Zone = n.Value
		return e
	}
	d.mapping(n, key, policyFields{
		"zone":       func(v *yaml.Node, k string) { e.Zone = d.str(v, k) },
		"categories": func(v *yaml.Node, k string) { e.Categories = d.strs(v, k) },
	})
	return e
}

// service reads a service in its short form ("tcp/104", "udp/5000-5010",
// "icmp", "any") or as a mapping of proto, ports and app.
func (d *policyDecoder) service(n *yaml.Node, key string) Service {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		s, err := parseService(n.Value)
		if err != nil {
			d.add(n, key, "service %q: %v", n.Value, err)
		}
		return s
	}
	var s Service
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, key, "a service like tcp/104, or a mapping of proto, ports and app")
		return s
	}
	d.mapping(n, key, policyFields{
		"proto": func(v *yaml.Node, k string) { s.Proto = d.proto(v, k) },
		"ports": func(v *yaml.Node, k string) { s.Ports = d.ports(v, k) },
		"app":   func(v *yaml.Node, k string) { s.App = d.str(v, k) },
	})
	return s
}

func (d *policyDecoder) proto(n *yaml.Node, key string) string {
	s := d.str(n, key)
	if s == "" {
		return ""
	}
	p, err := policyProto(s)
	if err != nil {
		d.add(n, key, "%v", err)
		return s
	}
	return p
}

func (d *policyDecoder) ports(n *yaml.Node, key string) []PortRange {
	var out []PortRange
	d.seq(n, key, func(item *yaml.Node, k string) {
		var r PortRange
		if item.Kind != yaml.ScalarNode || isNull(item) {
			d.wrongType(item, k, "a port or a range like 4000-4010")
		} else if pr, err := parsePortRange(item.Value); err != nil {
			d.add(item, k, "%v", err)
		} else {
			r = pr
		}
		out = append(out, r)
	})
	return out
}

// parseService reads a service's short form.
func parseService(s string) (Service, error) {
	name, ports, slash := strings.Cut(strings.TrimSpace(s), "/")
	proto, err := policyProto(name)
	if err != nil {
		return Service{Proto: name}, err
	}
	svc := Service{Proto: proto}
	if !slash {
		return svc, nil
	}
	r, err := parsePortRange(ports)
	if err != nil {
		return svc, err
	}
	svc.Ports = []PortRange{r}
	return svc, nil
}

// parsePortRange reads "104" or "4000-4010". Port 0 and a low port above
// the high one are left for the checks.
func parsePortRange(s string) (PortRange, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	l, err := parsePort(lo)
	if err != nil {
		return PortRange{}, err
	}
	if !isRange {
		return PortRange{l, l}, nil
	}
	h, err := parsePort(hi)
	if err != nil {
		return PortRange{}, err
	}
	return PortRange{l, h}, nil
}

func parsePort(s string) (uint16, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.ParseUint(s, 10, 64)
	switch {
	case err != nil && len(s) > 0 && strings.Trim(s, "0123456789") == "":
		return 0, fmt.Errorf("port %s out of range (want 1 to 65535)", s)
	case err != nil:
		return 0, fmt.Errorf("port %q is not a number", s)
	case n > 0xffff:
		return 0, fmt.Errorf("port %d out of range (want 1 to 65535)", n)
	}
	return uint16(n), nil
}

func (d *policyDecoder) infrastructure(n *yaml.Node, key string) Infrastructure {
	in := Infrastructure{ICMPErrors: true}
	d.mapping(n, key, policyFields{
		"resolvers":    func(v *yaml.Node, k string) { in.Resolvers = d.addrs(v, k) },
		"ntp":          func(v *yaml.Node, k string) { in.NTP = d.addrs(v, k) },
		"dhcp_servers": func(v *yaml.Node, k string) { in.DHCPServers = d.addrs(v, k) },
		"dhcp_relays":  func(v *yaml.Node, k string) { in.DHCPRelays = d.addrs(v, k) },
		"fhrp":         func(v *yaml.Node, k string) { in.FHRP = d.str(v, k) },
		"icmp_errors":  func(v *yaml.Node, k string) { in.ICMPErrors = d.boolean(v, k) },
	})
	return in
}

func (d *policyDecoder) addrs(n *yaml.Node, key string) []netip.Addr {
	var out []netip.Addr
	d.seq(n, key, func(item *yaml.Node, k string) {
		s := strings.TrimSpace(d.str(item, k))
		a, err := netip.ParseAddr(s)
		if err != nil {
			d.add(item, k, "invalid IP address %q", s)
		}
		out = append(out, a)
	})
	return out
}

func (d *policyDecoder) learned(n *yaml.Node, key string) *Learned {
	if isNull(n) {
		return nil
	}
	l := &Learned{}
	d.mapping(n, key, policyFields{
		"from": func(v *yaml.Node, k string) { l.From = d.time(v, k) },
		"to":   func(v *yaml.Node, k string) { l.To = d.time(v, k) },
		"flows": func(v *yaml.Node, k string) {
			if i, ok := d.integer(v, k); ok {
				l.Flows = int(i)
			}
		},
		"sources": func(v *yaml.Node, k string) { l.Sources = d.strs(v, k) },
	})
	return l
}

func (d *policyDecoder) time(n *yaml.Node, key string) time.Time {
	s := d.str(n, key)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d.add(n, key, "time %q: want RFC 3339, like 2026-01-02T10:00:00Z", s)
	}
	return t
}

// policyHeader starts every file Marshal writes.
const policyHeader = `# Ward segmentation policy: zones (IEC 62443), the rules that place
# devices and addresses in them, and the conduits that allow flows between
# them. What no conduit and no infrastructure entry allows is denied.
`

// Marshal writes p as YAML in the one canonical layout that Parse reads
// back to an equal policy (Line fields aside), after a comment saying what
// the file is. Empty fields are left out; a conduit without a name gets
// the one ConduitNames gives it. It does not validate p: a bad policy is
// written as it is, for its problems to be seen. The error is for text
// that is not valid UTF-8, which YAML cannot hold.
func Marshal(p *Policy) ([]byte, error) {
	return policyMarshal(p)
}

// policyMarshal is Marshal; on an error it returns the file as well, with
// the invalid text replaced, for Digest.
func policyMarshal(p *Policy) (out []byte, err error) {
	w := &policyWriter{}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{w.policy(p)}}
	var buf bytes.Buffer
	buf.WriteString(policyHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("marshal policy: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal policy: %w", err)
	}
	return spaceSections(buf.Bytes()), w.err
}

// spaceSections puts a blank line before each list and mapping at the top
// level, for the reader. A line that starts in the first column is a
// top-level key: the lines of block scalars are indented.
func spaceSections(b []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		for _, key := range []string{"zones:", "rules:", "conduits:", "infrastructure:", "learned:"} {
			if bytes.HasPrefix(line, []byte(key)) {
				out.WriteByte('\n')
			}
		}
		out.Write(line)
	}
	return out.Bytes()
}

// policyWriter builds a policy's YAML nodes.
type policyWriter struct {
	err error // the first text that was not valid UTF-8
}

func (w *policyWriter) str(s string) *yaml.Node {
	if !utf8.ValidString(s) {
		if w.err == nil {
			w.err = fmt.Errorf("marshal policy: %q is not valid UTF-8", s)
		}
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func intNode(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

// yamlMap is a mapping node under construction.
type yamlMap struct{ n *yaml.Node }

func newYAMLMap(flow bool) yamlMap {
	n := &yaml.Node{Kind: yaml.MappingNode}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return yamlMap{n}
}

func (m yamlMap) set(w *policyWriter, key string, v *yaml.Node) {
	m.n.Content = append(m.n.Content, w.str(key), v)
}

// setStr sets key to s unless s is empty.
func (m yamlMap) setStr(w *policyWriter, key, s string) {
	if s != "" {
		m.set(w, key, w.str(s))
	}
}

// setList sets key to a flow list of items unless there are none.
func (m yamlMap) setList(w *policyWriter, key string, items []*yaml.Node) {
	if len(items) > 0 {
		m.set(w, key, &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: items})
	}
}

func strNodes[T any](w *policyWriter, vs []T, format func(T) string) []*yaml.Node {
	out := make([]*yaml.Node, len(vs))
	for i, v := range vs {
		out[i] = w.str(format(v))
	}
	return out
}

func ident(s string) string { return s }

func (w *policyWriter) policy(p *Policy) *yaml.Node {
	m := newYAMLMap(false)
	m.set(w, "ward_policy", intNode(policyVersion))
	m.setStr(w, "name", p.Name)
	m.setStr(w, "description", p.Description)
	m.set(w, "zones", w.block(len(p.Zones), func(i int) *yaml.Node { return w.zone(&p.Zones[i]) }))
	if len(p.Rules) > 0 {
		m.set(w, "rules", w.block(len(p.Rules), func(i int) *yaml.Node { return w.rule(&p.Rules[i]) }))
	}
	names := ConduitNames(p.Conduits)
	if len(p.Conduits) > 0 {
		m.set(w, "conduits", w.block(len(p.Conduits), func(i int) *yaml.Node {
			return w.conduit(&p.Conduits[i], names[i])
		}))
	}
	m.set(w, "infrastructure", w.infrastructure(&p.Infrastructure))
	if p.Learned != nil {
		m.set(w, "learned", w.learned(p.Learned))
	}
	return m.n
}

// block is a block list of n items.
func (w *policyWriter) block(n int, item func(i int) *yaml.Node) *yaml.Node {
	s := &yaml.Node{Kind: yaml.SequenceNode}
	if n == 0 {
		s.Style = yaml.FlowStyle
	}
	for i := range n {
		s.Content = append(s.Content, item(i))
	}
	return s
}

func (w *policyWriter) zone(z *Zone) *yaml.Node {
	m := newYAMLMap(false)
	m.set(w, "name", w.str(z.Name))
	m.setStr(w, "description", z.Description)
	if z.SecurityLevel != 0 {
		m.set(w, "security_level", intNode(z.SecurityLevel))
	}
	if z.Medical {
		m.set(w, "medical", boolNode(true))
	}
	return m.n
}

func (w *policyWriter) rule(r *Rule) *yaml.Node {
	m := newYAMLMap(false)
	m.set(w, "zone", w.str(r.Zone))
	m.setList(w, "subnets", strNodes(w, r.Subnets, netip.Prefix.String))
	vlans := make([]*yaml.Node, len(r.VLANs))
	for i, v := range r.VLANs {
		vlans[i] = intNode(int(v))
	}
	m.setList(w, "vlans", vlans)
	m.setList(w, "categories", strNodes(w, r.Categories, ident))
	m.setList(w, "criticality", strNodes(w, r.Criticality, ident))
	m.setList(w, "tags", strNodes(w, r.Tags, ident))
	m.setList(w, "devices", strNodes(w, r.Devices, ident))
	if r.Internet {
		m.set(w, "internet", boolNode(true))
	}
	return m.n
}

func (w *policyWriter) conduit(c *Conduit, name string) *yaml.Node {
	m := newYAMLMap(false)
	m.set(w, "name", w.str(name))
	m.setStr(w, "description", c.Description)
	m.set(w, "from", w.end(c.From))
	m.set(w, "to", w.end(c.To))
	if c.Bidirectional {
		m.set(w, "bidirectional", boolNode(true))
	}
	s := &yaml.Node{Kind: yaml.SequenceNode}
	if len(c.Services) == 0 {
		s.Style = yaml.FlowStyle
	}
	for _, svc := range c.Services {
		s.Content = append(s.Content, w.service(svc))
	}
	m.set(w, "services", s)
	return m.n
}

func (w *policyWriter) end(e End) *yaml.Node {
	if len(e.Categories) == 0 {
		return w.str(e.Zone)
	}
	m := newYAMLMap(true)
	m.set(w, "zone", w.str(e.Zone))
	m.setList(w, "categories", strNodes(w, e.Categories, ident))
	return m.n
}

// service writes the short form when it says it all: a protocol with at
// most one range of ports and no application.
func (w *policyWriter) service(s Service) *yaml.Node {
	if short, ok := shortService(s); ok {
		return w.str(short)
	}
	m := newYAMLMap(true)
	m.set(w, "proto", w.str(s.Proto))
	ports := make([]*yaml.Node, len(s.Ports))
	for i, r := range s.Ports {
		ports[i] = w.str(r.String())
		if r.Lo == r.Hi {
			ports[i] = intNode(int(r.Lo))
		}
	}
	m.setList(w, "ports", ports)
	m.setStr(w, "app", s.App)
	return m.n
}

// shortService returns the short form of s, when it has one that parses
// back to s.
func shortService(s Service) (string, bool) {
	if s.App != "" || len(s.Ports) > 1 || s.Proto == "" {
		return "", false
	}
	if p, err := policyProto(s.Proto); err != nil || p != s.Proto {
		return "", false
	}
	if len(s.Ports) == 0 {
		return s.Proto, true
	}
	return s.Proto + "/" + s.Ports[0].String(), true
}

func (w *policyWriter) infrastructure(in *Infrastructure) *yaml.Node {
	m := newYAMLMap(false)
	m.setList(w, "resolvers", strNodes(w, in.Resolvers, netip.Addr.String))
	m.setList(w, "ntp", strNodes(w, in.NTP, netip.Addr.String))
	m.setList(w, "dhcp_servers", strNodes(w, in.DHCPServers, netip.Addr.String))
	m.setList(w, "dhcp_relays", strNodes(w, in.DHCPRelays, netip.Addr.String))
	m.setStr(w, "fhrp", in.FHRP)
	m.set(w, "icmp_errors", boolNode(in.ICMPErrors))
	return m.n
}

func (w *policyWriter) learned(l *Learned) *yaml.Node {
	m := newYAMLMap(false)
	if !l.From.IsZero() {
		m.set(w, "from", w.str(formatTime(l.From)))
	}
	if !l.To.IsZero() {
		m.set(w, "to", w.str(formatTime(l.To)))
	}
	m.set(w, "flows", intNode(l.Flows))
	m.setList(w, "sources", strNodes(w, l.Sources, ident))
	return m.n
}

// formatTime writes t in UTC, or with its own offset when its year in
// UTC would have other than four digits.
func formatTime(t time.Time) string {
	if u := t.UTC(); u.Year() >= 0 && u.Year() <= 9999 {
		t = u
	}
	return t.Format(time.RFC3339Nano)
}
