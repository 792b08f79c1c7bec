package fingerprint

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/wardhq/ward/internal/dissect"
)

// The built-in rule pack is two files: rules.yaml (network and IT
// equipment) and medical.yaml (medical devices and clinical systems).
var (
	//go:embed rules.yaml
	rulesYAML []byte
	//go:embed medical.yaml
	medicalYAML []byte
)

// The attributes a rule can set, in Identity's order.
const (
	attrVendor = iota
	attrModel
	attrCategory
	attrOS
	attrSoftware
	attrCriticality
	numAttrs
)

// attrNames are the names of the attributes in a rule's "set" mapping.
var attrNames = [numAttrs]string{"vendor", "model", "category", "os", "software", "criticality"}

// The ways a condition compares a fact's value, all ignoring case.
const (
	OpEquals   = "equals"   // the value is one of the strings
	OpPrefix   = "prefix"   // the value starts with one of the strings
	OpContains = "contains" // the value contains one of the strings
	OpRegex    = "regex"    // the Go regular expression matches the value
)

// Condition matches one fact: its Key is one of Keys, its Source one of
// Sources (any source when empty) and its value passes the Op test.
type Condition struct {
	Sources []string // lower case; empty means any
	Keys    []string // lower case
	Op      string   // OpEquals, OpPrefix, OpContains or OpRegex
	Values  []string // lower case strings, or the one expression for OpRegex
	Line    int      // line in the rule pack

	re   *regexp.Regexp // compiled Values[0], for OpRegex
	memo *matchMemo     // re's verdicts on values already seen
}

// Rule derives attributes from facts. It fires when every condition in When
// matches some fact; it then sets each attribute in Set, expanding $1 or
// ${name} from the groups of the rule's first regex condition.
type Rule struct {
	ID         string
	Note       string
	Line       int // line of the rule in the rule pack
	When       []Condition
	Set        map[string]string // attribute ("vendor", "model", "category", "os", "software", "criticality") → template
	Confidence dissect.Confidence

	set   [numAttrs]string // Set by attribute index; "" when not set
	regex int              // index in When of the first regex condition, -1 if none
}

// RulePack is a loaded, validated rule pack. It is safe for concurrent use.
type RulePack struct {
	rules      []Rule
	categories []Category
	known      map[Category]bool
	byKey      map[string][]int // fact key → indices of rules whose first condition names it
	critOf     map[Category]Criticality
	ids        map[string]int // rule id → line, while loading
}

// Rules returns the pack's rules in order. Callers must not modify them.
func (p *RulePack) Rules() []Rule { return p.rules }

// Categories returns the pack's vocabulary: the built-in categories, then
// those the pack adds.
func (p *RulePack) Categories() []Category { return slices.Clone(p.categories) }

// RuleError is a problem in a rule pack, located by file and line.
type RuleError struct {
	File   string // the pack file, "" when the pack is one document
	Line   int    // 1-based; 0 when the YAML parser's message gives it
	Rule   string // the rule's id, "" outside a rule
	Reason string
}

func (e *RuleError) Error() string {
	where := "rules"
	if e.File != "" {
		where = e.File
	}
	if e.Line == 0 {
		return where + ": " + e.Reason
	}
	if e.Rule == "" {
		return fmt.Sprintf("%s: line %d: %s", where, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: line %d: rule %q: %s", where, e.Line, e.Rule, e.Reason)
}

var builtinPack = sync.OnceValues(func() (*RulePack, error) {
	return LoadPack(PackFile{"rules.yaml", rulesYAML}, PackFile{"medical.yaml", medicalYAML})
})

// Rules returns the built-in rule pack (rules.yaml and medical.yaml),
// loaded at first use.
func Rules() (*RulePack, error) { return builtinPack() }

// PackFile is one file of a rule pack.
type PackFile struct {
	Name string
	Data []byte
}

// LoadRules parses and validates a rule pack of one document. An error is
// a *RuleError naming the line and, when it is inside one, the rule.
func LoadRules(data []byte) (*RulePack, error) {
	return LoadPack(PackFile{Data: data})
}

// LoadPack parses and validates a rule pack made of several files, as if
// they were one: the categories and criticality tables of every file are
// read first, then the rules in file order. An error is a *RuleError
// naming the file (when it has a name), the line and the rule.
func LoadPack(files ...PackFile) (*RulePack, error) {
	roots := make([]*yaml.Node, len(files))
	for i, f := range files {
		root, err := parseYAML(f.Data)
		if err != nil {
			err.File = f.Name
			return nil, err
		}
		roots[i] = root
	}
	p := &RulePack{known: map[Category]bool{}, byKey: map[string][]int{},
		critOf: map[Category]Criticality{}}
	for _, c := range builtinCategories {
		p.addCategory(c)
	}
	sections := make([]packSections, len(roots))
	for i, root := range roots {
		s, err := p.readSections(root)
		if err != nil {
			err.File = files[i].Name
			return nil, err
		}
		sections[i] = s
	}
	steps := []func(s packSections) *RuleError{
		func(s packSections) *RuleError {
			if s.crit == nil {
				return nil
			}
			return p.parseCriticality(s.crit)
		},
		func(s packSections) *RuleError { return p.addRules(s.rules) },
	}
	for _, step := range steps {
		for i, s := range sections {
			if err := step(s); err != nil {
				err.File = files[i].Name
				return nil, err
			}
		}
	}
	return p, nil
}

// parseYAML decodes one file of a pack into its root node.
func parseYAML(data []byte) (root *yaml.Node, rerr *RuleError) {
	defer func() {
		// The YAML parser is third-party code fed untrusted input: turn a
		// panic inside it into an error rather than crash the caller.
		if r := recover(); r != nil {
			root, rerr = nil, &RuleError{Reason: fmt.Sprintf("parse yaml: %v", r)}
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &RuleError{Reason: "parse yaml: " + err.Error()}
	}
	if len(doc.Content) == 0 {
		return nil, &RuleError{Line: 1, Reason: "empty rule pack"}
	}
	return doc.Content[0], nil
}

// packSections are the parts of one file of a pack still to be read once
// every file's categories are known.
type packSections struct {
	rules, crit *yaml.Node
}

// readSections checks the top level of one file and adds its categories.
func (p *RulePack) readSections(root *yaml.Node) (packSections, *RuleError) {
	var s packSections
	if root.Kind != yaml.MappingNode {
		return s, &RuleError{Line: root.Line, Reason: "want a mapping with a rules list"}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "version":
			if v.Value != "1" {
				return s, &RuleError{Line: v.Line, Reason: fmt.Sprintf("unsupported version %q, want 1", v.Value)}
			}
		case "categories":
			if err := p.addCategories(v); err != nil {
				return s, err
			}
		case "rules":
			s.rules = v
		case "criticality":
			s.crit = v
		default:
			return s, &RuleError{Line: k.Line, Reason: fmt.Sprintf("unknown field %q", k.Value)}
		}
	}
	if s.rules == nil || s.rules.Kind != yaml.SequenceNode {
		return s, &RuleError{Line: root.Line, Reason: "want a rules list"}
	}
	return s, nil
}

func (p *RulePack) addCategory(c Category) {
	p.known[c] = true
	p.categories = append(p.categories, c)
}

var categoryPattern = regexp.MustCompile(`^[a-z][a-z0-9/-]*$`)

func (p *RulePack) addCategories(n *yaml.Node) *RuleError {
	if n.Kind != yaml.SequenceNode {
		return &RuleError{Line: n.Line, Reason: "categories: want a list"}
	}
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode || !categoryPattern.MatchString(c.Value) {
			return &RuleError{Line: c.Line, Reason: fmt.Sprintf("category %q: want lower-case words joined by - or /", c.Value)}
		}
		if p.known[Category(c.Value)] {
			return &RuleError{Line: c.Line, Reason: fmt.Sprintf("category %q listed twice", c.Value)}
		}
		p.addCategory(Category(c.Value))
	}
	return nil
}

func (p *RulePack) addRules(n *yaml.Node) *RuleError {
	if p.ids == nil {
		p.ids = map[string]int{}
	}
	ids := p.ids
	for _, rn := range n.Content {
		r, err := p.parseRule(rn)
		if err != nil {
			var re *RuleError
			if errors.As(err, &re) {
				return re
			}
			return &RuleError{Line: rn.Line, Reason: err.Error()}
		}
		if first, dup := ids[r.ID]; dup {
			return &RuleError{Line: r.Line, Rule: r.ID, Reason: fmt.Sprintf("duplicate id, first at line %d", first)}
		}
		ids[r.ID] = r.Line
		idx := len(p.rules)
		p.rules = append(p.rules, r)
		for _, k := range r.When[0].Keys {
			if !slices.Contains(p.byKey[k], idx) {
				p.byKey[k] = append(p.byKey[k], idx)
			}
		}
	}
	return nil
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ruleFields and condFields are the fields a rule and a condition may have.
var (
	ruleFields = []string{"id", "note", "when", "set", "confidence"}
	condFields = []string{"source", "key", OpEquals, OpPrefix, OpContains, OpRegex}
)

func (p *RulePack) parseRule(n *yaml.Node) (Rule, error) {
	r := Rule{Line: n.Line, regex: -1, Confidence: dissect.Medium}
	if n.Kind != yaml.MappingNode {
		return r, &RuleError{Line: n.Line, Reason: "rule: want a mapping"}
	}
	fields, err := mapping(n, "", ruleFields)
	if err != nil {
		return r, err
	}
	r.ID = scalar(fields["id"])
	if !idPattern.MatchString(r.ID) {
		return r, &RuleError{Line: n.Line, Rule: r.ID, Reason: "id: want lower-case letters, digits, '.', '_' or '-'"}
	}
	r.Note = scalar(fields["note"])
	if err := r.parseConfidence(fields["confidence"]); err != nil {
		return r, err
	}
	if err := r.parseWhen(fields["when"], n.Line); err != nil {
		return r, err
	}
	if err := p.parseSet(&r, fields["set"]); err != nil {
		return r, err
	}
	return r, nil
}

// mapping returns the values of mapping node n by key, rejecting keys not
// in allowed and keys given twice.
func mapping(n *yaml.Node, rule string, allowed []string) (map[string]*yaml.Node, error) {
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			return nil, &RuleError{Line: k.Line, Rule: rule, Reason: fmt.Sprintf("unknown field %q", k.Value)}
		}
		if _, dup := out[k.Value]; dup {
			return nil, &RuleError{Line: k.Line, Rule: rule, Reason: fmt.Sprintf("field %q given twice", k.Value)}
		}
		out[k.Value] = n.Content[i+1]
	}
	return out, nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// strings returns a scalar or a list of scalars as a list.
func stringList(n *yaml.Node) ([]string, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}, true
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, false
			}
			out = append(out, c.Value)
		}
		return out, len(out) > 0
	}
	return nil, false
}

func (r *Rule) errorf(line int, format string, args ...any) error {
	return &RuleError{Line: line, Rule: r.ID, Reason: fmt.Sprintf(format, args...)}
}

func (r *Rule) parseConfidence(n *yaml.Node) error {
	if n == nil {
		return nil
	}
	v, err := strconv.Atoi(scalar(n))
	if err != nil || v < 1 || v > 100 {
		return r.errorf(n.Line, "confidence %q: want a whole number from 1 to 100", n.Value)
	}
	r.Confidence = dissect.Confidence(v)
	return nil
}

func (r *Rule) parseWhen(n *yaml.Node, line int) error {
	if n == nil || n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return r.errorf(line, "when: want a list of one or more conditions")
	}
	for _, cn := range n.Content {
		c, err := r.parseCondition(cn)
		if err != nil {
			return err
		}
		if c.Op == OpRegex && r.regex < 0 {
			r.regex = len(r.When)
		}
		r.When = append(r.When, c)
	}
	return nil
}

func (r *Rule) parseCondition(n *yaml.Node) (Condition, error) {
	c := Condition{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return c, r.errorf(n.Line, "condition: want a mapping")
	}
	fields, err := mapping(n, r.ID, condFields)
	if err != nil {
		return c, err
	}
	if kn := fields["key"]; kn != nil {
		c.Keys, _ = stringList(kn)
	}
	if len(c.Keys) == 0 || slices.Contains(c.Keys, "") {
		return c, r.errorf(n.Line, "condition: key is required")
	}
	c.Keys = lowerAll(c.Keys)
	if sn := fields["source"]; sn != nil {
		var ok bool
		if c.Sources, ok = stringList(sn); !ok {
			return c, r.errorf(sn.Line, "source: want a name or a list of names")
		}
		c.Sources = lowerAll(c.Sources)
	}
	return c, r.parseTest(&c, fields)
}

func (r *Rule) parseTest(c *Condition, fields map[string]*yaml.Node) error {
	for _, op := range []string{OpEquals, OpPrefix, OpContains, OpRegex} {
		vn := fields[op]
		if vn == nil {
			continue
		}
		if c.Op != "" {
			return r.errorf(vn.Line, "condition: %s and %s both given, want one", c.Op, op)
		}
		c.Op = op
		vals, ok := stringList(vn)
		if !ok || slices.Contains(vals, "") {
			return r.errorf(vn.Line, "%s: want a non-empty string or list of strings", op)
		}
		if op != OpRegex {
			c.Values = lowerAll(vals)
			continue
		}
		if len(vals) != 1 {
			return r.errorf(vn.Line, "regex: want one expression")
		}
		if _, err := regexp.Compile(vals[0]); err != nil {
			return r.errorf(vn.Line, "regex: %v", err)
		}
		re, err := regexp.Compile("(?i)" + vals[0])
		if err != nil {
			return r.errorf(vn.Line, "regex: %v", err)
		}
		c.Values, c.re, c.memo = vals, re, &matchMemo{}
	}
	if c.Op == "" {
		return r.errorf(c.Line, "condition: want one of equals, prefix, contains or regex")
	}
	return nil
}

func lowerAll(ss []string) []string {
	for i, s := range ss {
		ss[i] = strings.ToLower(strings.TrimSpace(s))
	}
	return ss
}

func (p *RulePack) parseSet(r *Rule, n *yaml.Node) error {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return r.errorf(r.Line, "set: want a mapping of one or more attributes")
	}
	fields, err := mapping(n, r.ID, attrNames[:])
	if err != nil {
		return err
	}
	r.Set = make(map[string]string, len(fields))
	for i, name := range attrNames {
		vn := fields[name]
		if vn == nil {
			continue
		}
		v := strings.TrimSpace(scalar(vn))
		if v == "" {
			return r.errorf(vn.Line, "set %s: want a non-empty string", name)
		}
		if err := p.checkValue(r, i, v, vn.Line); err != nil {
			return err
		}
		r.set[i], r.Set[name] = v, v
	}
	return nil
}

// groupRef finds $1, ${1} and ${name} references in a template.
var groupRef = regexp.MustCompile(`\$(\d+|\{[^}]*\}|[A-Za-z_]\w*)`)

func (p *RulePack) checkValue(r *Rule, attr int, v string, line int) error {
	switch attr {
	case attrCategory:
		if !p.known[Category(v)] {
			return r.errorf(line, "set category: unknown category %q", v)
		}
		return nil
	case attrCriticality:
		if !validCriticality(v) {
			return r.errorf(line, "set criticality: %q is not one of life-sustaining, diagnostic, supporting, non-clinical", v)
		}
		return nil
	}
	refs := groupRef.FindAllStringSubmatch(v, -1)
	if len(refs) == 0 {
		return nil
	}
	if r.regex < 0 {
		return r.errorf(line, "set %s: %q refers to a group but the rule has no regex condition", attrNames[attr], v)
	}
	re := r.When[r.regex].re
	for _, m := range refs {
		name := strings.Trim(m[1], "{}")
		if n, err := strconv.Atoi(name); err == nil {
			if n > re.NumSubexp() {
				return r.errorf(line, "set %s: group $%d but the regex has %d", attrNames[attr], n, re.NumSubexp())
			}
		} else if re.SubexpIndex(name) < 0 {
			return r.errorf(line, "set %s: the regex has no group named %q", attrNames[attr], name)
		}
	}
	return nil
}
