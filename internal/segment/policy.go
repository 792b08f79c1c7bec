package segment

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalidPolicy is what a *PolicyError is: errors.Is(err,
// ErrInvalidPolicy) holds for every error Parse and Validate return.
var ErrInvalidPolicy = errors.New("invalid segmentation policy")

// PolicyError is a bad policy: every problem found in it, not only the
// first, in the order of the file.
type PolicyError struct {
	File     string // the file's name for messages; "" when unknown
	Problems []Problem
}

// Problem is one thing wrong with a policy.
type Problem struct {
	Line, Column int    // 1-based; 0 when unknown
	Key          string // where in the policy, like "conduits[2].to.zone"; "" for the file itself
	Message      string
}

// Error gives one line per problem, "policy.yaml:12:7: key: message", the
// file and column left out when unknown and the line when 0.
func (e *PolicyError) Error() string {
	if len(e.Problems) == 0 {
		return ErrInvalidPolicy.Error()
	}
	lines := make([]string, len(e.Problems))
	for i, pr := range e.Problems {
		lines[i] = pr.format(e.File)
	}
	return strings.Join(lines, "\n")
}

// Is makes errors.Is(err, ErrInvalidPolicy) hold.
func (e *PolicyError) Is(target error) bool { return target == ErrInvalidPolicy }

// String is the problem as Error writes it, without a file name.
func (pr Problem) String() string { return pr.format("") }

func (pr Problem) format(file string) string {
	var loc []string
	if file != "" {
		loc = append(loc, file)
	}
	if pr.Line > 0 {
		loc = append(loc, strconv.Itoa(pr.Line))
		if pr.Column > 0 {
			loc = append(loc, strconv.Itoa(pr.Column))
		}
	}
	var parts []string
	if len(loc) > 0 {
		parts = append(parts, strings.Join(loc, ":"))
	}
	if pr.Key != "" {
		parts = append(parts, pr.Key)
	}
	return strings.Join(append(parts, pr.Message), ": ")
}

// MaxProblems is the most problems a PolicyError lists; a last one says
// how many more there were.
const MaxProblems = 1000

// newPolicyError returns the problems as a *PolicyError sorted by
// position, or nil when there are none.
func newPolicyError(file string, probs []Problem) error {
	if len(probs) == 0 {
		return nil
	}
	slices.SortStableFunc(probs, func(a, b Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	if n := len(probs) - MaxProblems; n > 0 {
		probs = append(probs[:MaxProblems:MaxProblems], Problem{Message: fmt.Sprintf("and %d more problems", n)})
	}
	return &PolicyError{File: file, Problems: probs}
}

// Validate checks the policy's meaning: zones, rules, conduits,
// infrastructure and learned record, as Parse does after reading a file.
// A problem's line is that of its zone, rule or conduit (their Line
// fields), 0 elsewhere.
func (p *Policy) Validate() error {
	probs := p.policyCheck()
	for i := range probs {
		probs[i].Line = p.policyLine(probs[i].Key)
	}
	return newPolicyError("", probs)
}

// policyLine returns the Line field of the zone, rule or conduit that key is
// in ("rules[3].zone" is in p.Rules[3]), 0 when it is in none.
func (p *Policy) policyLine(key string) int {
	head, _, _ := strings.Cut(key, ".")
	name, idx, ok := strings.Cut(head, "[")
	i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
	if !ok || err != nil || i < 0 {
		return 0
	}
	switch {
	case name == "zones" && i < len(p.Zones):
		return p.Zones[i].Line
	case name == "rules" && i < len(p.Rules):
		return p.Rules[i].Line
	case name == "conduits" && i < len(p.Conduits):
		return p.Conduits[i].Line
	}
	return 0
}

// Digest identifies the policy's content: "sha256:" and the hex SHA-256 of
// its canonical YAML (Marshal's) without the Learned record. Policies
// that differ only in layout, comments or Line fields have one digest.
func (p *Policy) Digest() string {
	q := *p
	q.Learned = nil
	b, _ := policyMarshal(&q) // an error leaves bytes with invalid text replaced
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ConduitNames returns each conduit's name: its own, or "<from>-to-<to>"
// for one without, with "-2", "-3", ... added when that is taken. Parse
// gives unnamed conduits these names; Marshal writes them.
func ConduitNames(cs []Conduit) []string {
	taken := map[string]bool{}
	for _, c := range cs {
		if c.Name != "" {
			taken[c.Name] = true
		}
	}
	names := make([]string, len(cs))
	next := map[string]int{} // base → the suffix to try first
	for i, c := range cs {
		if c.Name != "" {
			names[i] = c.Name
			continue
		}
		base := c.From.Zone + "-to-" + c.To.Zone
		n := base
		k := max(next[base], 2)
		for taken[n] {
			n = base + "-" + strconv.Itoa(k)
			k++
		}
		next[base] = k
		taken[n] = true
		names[i] = n
	}
	return names
}

// policyClone returns a deep copy of p.
func (p *Policy) policyClone() *Policy {
	q := *p
	q.Zones = slices.Clone(p.Zones)
	q.Rules = slices.Clone(p.Rules)
	for i, r := range q.Rules {
		q.Rules[i].Subnets = slices.Clone(r.Subnets)
		q.Rules[i].VLANs = slices.Clone(r.VLANs)
		q.Rules[i].Categories = slices.Clone(r.Categories)
		q.Rules[i].Criticality = slices.Clone(r.Criticality)
		q.Rules[i].Tags = slices.Clone(r.Tags)
		q.Rules[i].Devices = slices.Clone(r.Devices)
	}
	q.Conduits = slices.Clone(p.Conduits)
	for i, c := range q.Conduits {
		q.Conduits[i].From.Categories = slices.Clone(c.From.Categories)
		q.Conduits[i].To.Categories = slices.Clone(c.To.Categories)
		q.Conduits[i].Services = slices.Clone(c.Services)
		for j, s := range c.Services {
			q.Conduits[i].Services[j].Ports = slices.Clone(s.Ports)
		}
	}
	in := &q.Infrastructure
	in.Resolvers, in.NTP = slices.Clone(in.Resolvers), slices.Clone(in.NTP)
	in.DHCPServers, in.DHCPRelays = slices.Clone(in.DHCPServers), slices.Clone(in.DHCPRelays)
	if p.Learned != nil {
		l := *p.Learned
		l.Sources = slices.Clone(l.Sources)
		q.Learned = &l
	}
	return &q
}

// The vocabularies and forms the checks hold names to.
var (
	policyZoneName      = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)
	policyConduitName   = regexp.MustCompile(`^[a-z0-9-]{1,100}$`)
	policyCategory      = regexp.MustCompile(`^[a-z][a-z0-9/-]{0,63}$`)
	policyApp           = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	policyCriticalities = []string{"life-sustaining", "diagnostic", "supporting", "non-clinical"}
	policyFHRPs         = []string{"vrrp", "hsrp", "glbp", "carp"}
)

// policyChecker collects the problems of a policy's meaning. Keys index the
// policy's slices, which Parse keeps aligned with the file's lists.
type policyChecker struct {
	p     *Policy
	zones map[string]int // declared zone → index of its first definition
	probs []Problem
}

func (c *policyChecker) add(key, format string, args ...any) {
	c.probs = append(c.probs, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

// policyCheck returns the policy's problems, with keys and no positions.
func (p *Policy) policyCheck() []Problem {
	c := &policyChecker{p: p, zones: map[string]int{}}
	c.text("name", p.Name)
	c.text("description", p.Description)
	c.checkZones()
	for i := range p.Rules {
		c.checkRule(fmt.Sprintf("rules[%d]", i), &p.Rules[i])
	}
	c.checkDevices()
	c.checkConduits()
	c.checkInfrastructure()
	c.checkLearned()
	return c.probs
}

// text reports free text that YAML cannot hold.
func (c *policyChecker) text(key, s string) {
	if !utf8.ValidString(s) {
		c.add(key, "not valid UTF-8")
	}
}

func (c *policyChecker) checkZones() {
	if len(c.p.Zones) == 0 {
		c.add("zones", "no zones: a policy needs at least one")
	}
	for i, z := range c.p.Zones {
		key := fmt.Sprintf("zones[%d]", i)
		c.text(key+".description", z.Description)
		if z.SecurityLevel < 0 || z.SecurityLevel > 4 {
			c.add(key+".security_level", "%d is not a target security level (want 1 to 4)", z.SecurityLevel)
		}
		if !c.zoneName(key+".name", z.Name) {
			continue
		}
		if first, dup := c.zones[z.Name]; dup {
			c.add(key+".name", "zone %q is already defined (%s)", z.Name, c.where("zones", first))
			continue
		}
		c.zones[z.Name] = i
	}
}

// zoneName reports a zone name that is missing, malformed or reserved.
func (c *policyChecker) zoneName(key, name string) bool {
	switch {
	case name == "":
		c.add(key, "missing")
	case name == Unassigned:
		c.add(key, "zone name %q is reserved for devices no rule places", name)
	case !policyZoneName.MatchString(name):
		c.add(key, "zone name %q: want 1 to 40 lower-case letters, digits and '-'", name)
	default:
		return true
	}
	return false
}

// where names the zone, rule or conduit at index i of list for a message:
// "line 12", or "zones[3]" when it has no line.
func (c *policyChecker) where(list string, i int) string {
	key := fmt.Sprintf("%s[%d]", list, i)
	if l := c.p.policyLine(key); l > 0 {
		return "line " + strconv.Itoa(l)
	}
	return key
}

// zoneRef reports a reference to a zone that is not declared.
func (c *policyChecker) zoneRef(key, name string) {
	switch {
	case name == "":
		c.add(key, "missing")
	case name == Unassigned && strings.HasPrefix(key, "conduits"):
		c.add(key, "the %s zone cannot be an end of a conduit", Unassigned)
	default:
		if _, ok := c.zones[name]; !ok {
			c.add(key, "unknown zone %q%s", name, policySuggest(name, c.zoneNames()))
		}
	}
}

func (c *policyChecker) zoneNames() []string {
	if len(c.p.Zones) > policyMaxSuggest {
		return nil
	}
	names := make([]string, 0, len(c.p.Zones))
	for _, z := range c.p.Zones {
		names = append(names, z.Name)
	}
	return names
}

func (c *policyChecker) checkRule(key string, r *Rule) {
	c.zoneRef(key+".zone", r.Zone)
	if len(r.Subnets)+len(r.VLANs)+len(r.Categories)+len(r.Criticality)+len(r.Tags)+len(r.Devices) == 0 &&
		!r.Internet {
		c.add(key, "rule has no condition (subnets, vlans, categories, criticality, tags, devices or internet)")
	}
	for i, pfx := range r.Subnets {
		c.prefix(fmt.Sprintf("%s.subnets[%d]", key, i), pfx)
	}
	for i, v := range r.VLANs {
		if v < 1 || v > 4094 {
			c.add(fmt.Sprintf("%s.vlans[%d]", key, i), "VLAN %d out of range (want 1 to 4094)", v)
		}
	}
	c.categories(key+".categories", r.Categories)
	for i, s := range r.Criticality {
		if !slices.Contains(policyCriticalities, s) {
			c.add(fmt.Sprintf("%s.criticality[%d]", key, i), "criticality %q: want one of %s",
				s, strings.Join(policyCriticalities, ", "))
		}
	}
	c.nonEmpty(key+".tags", r.Tags)
	c.nonEmpty(key+".devices", r.Devices)
}

func (c *policyChecker) prefix(key string, p netip.Prefix) {
	switch {
	case !p.IsValid():
		c.add(key, "invalid prefix")
	case p.Addr().Zone() != "":
		c.add(key, "%s: a prefix has no IPv6 zone", p)
	case p.Masked() != p:
		c.add(key, "%s: host bits set, did you mean %s", p, p.Masked())
	}
}

func (c *policyChecker) categories(key string, cats []string) {
	for i, s := range cats {
		if !policyCategory.MatchString(s) {
			c.add(fmt.Sprintf("%s[%d]", key, i), "category %q: want lower-case words joined by - or /", s)
		}
	}
}

func (c *policyChecker) nonEmpty(key string, list []string) {
	for i, s := range list {
		k := fmt.Sprintf("%s[%d]", key, i)
		if strings.TrimSpace(s) == "" {
			c.add(k, "empty")
		}
		c.text(k, s)
	}
}

// checkDevices reports a device named by more than one rule: a device id
// places it wherever it is, so two rules naming it contradict each other
// or repeat themselves.
func (c *policyChecker) checkDevices() {
	type seen struct{ rule, item int }
	first := map[string]seen{}
	for i, r := range c.p.Rules {
		for j, id := range r.Devices {
			f, dup := first[id]
			if !dup {
				first[id] = seen{i, j}
				continue
			}
			key := fmt.Sprintf("rules[%d].devices[%d]", i, j)
			c.add(key, "%s", c.deviceTwice(id, f.rule, i))
		}
	}
}

func (c *policyChecker) deviceTwice(id string, a, b int) string {
	za, zb := c.p.Rules[a].Zone, c.p.Rules[b].Zone
	switch {
	case a == b:
		return fmt.Sprintf("device %q is named twice in the rule", id)
	case za == zb:
		return fmt.Sprintf("device %q is named twice in zone %s (%s and %s)", id, za,
			c.where("rules", a), c.where("rules", b))
	}
	return fmt.Sprintf("device %q is named in zone %s (%s) and zone %s (%s)", id, za,
		c.where("rules", a), zb, c.where("rules", b))
}

func (c *policyChecker) checkConduits() {
	named := map[string]int{}
	for i, cd := range c.p.Conduits {
		key := fmt.Sprintf("conduits[%d]", i)
		c.conduitName(key+".name", cd.Name, named, i)
		c.text(key+".description", cd.Description)
		c.end(key+".from", cd.From)
		c.end(key+".to", cd.To)
		if len(cd.Services) == 0 {
			c.add(key+".services", "no services: list what the conduit allows (any for everything)")
		}
		for j, s := range cd.Services {
			c.service(fmt.Sprintf("%s.services[%d]", key, j), s)
		}
	}
}

func (c *policyChecker) conduitName(key, name string, named map[string]int, i int) {
	if name == "" {
		return // ConduitNames gives it one
	}
	if !policyConduitName.MatchString(name) {
		c.add(key, "conduit name %q: want 1 to 100 lower-case letters, digits and '-'", name)
		return
	}
	if first, dup := named[name]; dup {
		c.add(key, "conduit %q is already defined (%s)", name, c.where("conduits", first))
		return
	}
	named[name] = i
}

func (c *policyChecker) end(key string, e End) {
	c.zoneRef(key+".zone", e.Zone)
	c.categories(key+".categories", e.Categories)
}

func (c *policyChecker) service(key string, s Service) {
	proto, err := policyProto(s.Proto)
	switch {
	case s.Proto == "":
		c.add(key+".proto", "missing")
	case err != nil:
		c.add(key+".proto", "%v", err)
	case proto != s.Proto:
		c.add(key+".proto", "protocol %q: write %q", s.Proto, proto)
	}
	if s.App != "" && !policyApp.MatchString(s.App) {
		c.add(key+".app", "application %q: want a lower-case word like dicom or hl7", s.App)
	}
	if len(s.Ports) > 0 && err == nil && !policyProtoHasPorts(proto) {
		c.add(key+".ports", "protocol %s has no ports (only tcp, udp and sctp have)", proto)
	}
	for i, r := range s.Ports {
		k := fmt.Sprintf("%s.ports[%d]", key, i)
		switch {
		case r.Lo == 0:
			c.add(k, "port 0 out of range (want 1 to 65535)")
		case r.Lo > r.Hi:
			c.add(k, "port range %s: low port above high port", r)
		}
	}
}

// policyProto returns the name Service.Proto gives protocol s: "any",
// a name ProtoName gives, or the number.
func policyProto(s string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(s), "any") {
		return "any", nil
	}
	n, err := ParseProto(s)
	if err != nil {
		return "", err
	}
	return ProtoName(n), nil
}

// policyProtoHasPorts reports whether a canonical Service.Proto has ports.
func policyProtoHasPorts(proto string) bool {
	n, err := ParseProto(proto)
	return proto != "any" && err == nil && HasPorts(n)
}

func (c *policyChecker) checkInfrastructure() {
	in := c.p.Infrastructure
	lists := []struct {
		key   string
		addrs []netip.Addr
	}{
		{"resolvers", in.Resolvers}, {"ntp", in.NTP},
		{"dhcp_servers", in.DHCPServers}, {"dhcp_relays", in.DHCPRelays},
	}
	for _, l := range lists {
		for i, a := range l.addrs {
			c.address(fmt.Sprintf("infrastructure.%s[%d]", l.key, i), a)
		}
	}
	if in.FHRP != "" && !slices.Contains(policyFHRPs, in.FHRP) {
		c.add("infrastructure.fhrp", "unknown first-hop redundancy protocol %q (want %s or none)",
			in.FHRP, strings.Join(policyFHRPs, ", "))
	}
}

func (c *policyChecker) address(key string, a netip.Addr) {
	switch {
	case !a.IsValid():
		c.add(key, "invalid address")
	case a.Zone() != "":
		c.add(key, "%s: a firewall cannot match an IPv6 zone", a)
	case a.IsUnspecified() || a.IsMulticast():
		c.add(key, "%s is not the address of a server", a)
	}
}

func (c *policyChecker) checkLearned() {
	l := c.p.Learned
	if l == nil {
		return
	}
	if l.Flows < 0 {
		c.add("learned.flows", "%d flows: want 0 or more", l.Flows)
	}
	if !l.From.IsZero() && !l.To.IsZero() && l.To.Before(l.From) {
		c.add("learned.to", "before learned.from")
	}
	c.nonEmpty("learned.sources", l.Sources)
}

// policySuggest returns ` (did you mean "x"?)` for the candidate closest to
// s when one is close enough to be a typo, "" otherwise. It does not look
// among more than policyMaxSuggest candidates.
func policySuggest(s string, candidates []string) string {
	if len(candidates) > policyMaxSuggest {
		return ""
	}
	best, bestD := "", 3
	for _, c := range candidates {
		d := policyEditDistance(s, c)
		if d < bestD && d <= max(1, len(c)/3) && d < len(s) {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// policyMaxSuggest bounds the work of suggestions: a policy has tens of
// zones, not thousands.
const policyMaxSuggest = 200

// policyEditDistance is the Levenshtein distance of a and b, in bytes; past 64
// bytes it gives up and returns a large distance.
func policyEditDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 10
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
