package fingerprint

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wardhq/ward/internal/dissect"
)

// Attr is one fact as the inventory holds it.
type Attr struct {
	Source, Key, Value string
	Confidence         dissect.Confidence
}

// Guess is a derived value and why.
type Guess struct {
	Value      string
	Confidence dissect.Confidence
	Rule       string   // id of the rule that set it, or "oui"
	Because    []string // the facts that fired the rule, as "source key=value"
}

// Identity is what the rules make of one device. A zero Guess means nothing
// fired for that attribute.
type Identity struct {
	Vendor, Model, Category, OS, Software Guess

	// Criticality is set by a rule, or else follows from Category through
	// the pack's criticality table (rule RuleCategory).
	Criticality Guess

	Randomised bool // the MAC is locally administered, likely randomised
}

// RuleOUI names the vendor guess taken from the MAC registry.
const RuleOUI = "oui"

// SourceOUI is the Source of the facts Identify adds from the MAC registry
// before it runs the rules: Key "vendor" (the short vendor name) and Key
// "org" (the organisation as registered). Rules can match on them.
const SourceOUI = "oui"

// maxBecause caps the length of a fact value quoted in Guess.Because.
const maxBecause = 120

// Identify derives a device's identity from its MAC (zero when unknown) and
// its facts with the built-in rule pack. See RulePack.Identify.
func Identify(mac dissect.MAC, attrs []Attr) Identity {
	p, err := Rules()
	if err != nil {
		p = emptyPack
	}
	return p.Identify(mac, attrs)
}

var emptyPack = &RulePack{byKey: map[string][]int{}, known: map[Category]bool{}}

// Identify derives a device's identity from its MAC (zero when unknown) and
// its facts. Among rules that set the same attribute, the highest
// confidence wins, and on a tie the earlier rule. The vendor falls back to
// the MAC registry's (rule "oui", confidence dissect.Medium) when no rule
// names one with more confidence; a rule at Medium or above beats it.
// Vendor values are normalised to short names ("Koninklijke Philips N.V." →
// "Philips").
func (p *RulePack) Identify(mac dissect.MAC, attrs []Attr) Identity {
	e := evaluator{pack: p, facts: facts{attrs: attrs}}
	e.addOUI(mac)
	e.run(nil)
	e.ouiFallback()
	e.criticalityFallback()
	return Identity{
		Vendor:      e.best[attrVendor].guess,
		Model:       e.best[attrModel].guess,
		Category:    e.best[attrCategory].guess,
		OS:          e.best[attrOS].guess,
		Software:    e.best[attrSoftware].guess,
		Criticality: e.best[attrCriticality].guess,
		Randomised:  !mac.IsZero() && LocallyAdministered(mac),
	}
}

// facts is the device's attributes followed by up to two from the registry,
// without copying attrs.
type facts struct {
	attrs []Attr
	extra [2]Attr
	n     int // extras in use
}

func (f *facts) len() int { return len(f.attrs) + f.n }

func (f *facts) at(i int) *Attr {
	if i < len(f.attrs) {
		return &f.attrs[i]
	}
	return &f.extra[i-len(f.attrs)]
}

// candidate is the best guess so far for one attribute; order is the index
// of its rule (len(rules) for the registry fallback).
type candidate struct {
	guess Guess
	order int
	set   bool
}

type evaluator struct {
	pack   *RulePack
	facts  facts
	oui    OUI
	hasOUI bool
	best   [numAttrs]candidate
	byKey  []int32 // fact indices by key, built by find for many facts
}

func (e *evaluator) addOUI(mac dissect.MAC) {
	// 00:00:00 is registered (to Xerox, in the 1980s), but what carries it
	// today is made-up addresses such as 00:00:00:00:00:01 from test
	// generators and misconfigured stacks: it names no vendor.
	if mac[0]|mac[1]|mac[2] == 0 {
		return
	}
	o, ok := LookupMAC(mac)
	if !ok {
		return
	}
	e.oui, e.hasOUI = o, true
	e.facts.extra[0] = Attr{Source: SourceOUI, Key: "vendor", Value: o.Vendor, Confidence: dissect.Medium}
	e.facts.extra[1] = Attr{Source: SourceOUI, Key: "org", Value: o.Org, Confidence: dissect.Medium}
	e.facts.n = 2
}

// run evaluates every rule indexed under each fact's key. fired, when not
// nil, is told the index of every rule that fires (for tests).
func (e *evaluator) run(fired func(int)) {
	for i := 0; i < e.facts.len(); i++ {
		f := e.facts.at(i)
		for _, ri := range e.pack.byKey[f.Key] {
			r := &e.pack.rules[ri]
			if !r.When[0].matches(f) {
				continue
			}
			if !e.matchRest(r) {
				continue
			}
			if fired != nil {
				fired(ri)
			}
			e.fire(r, ri, i)
		}
	}
}

// matchRest reports whether every condition after the first matches some
// fact.
func (e *evaluator) matchRest(r *Rule) bool {
	for ci := 1; ci < len(r.When); ci++ {
		if e.find(&r.When[ci]) < 0 {
			return false
		}
	}
	return true
}

// find returns the index of the first fact c matches, or -1. A device
// with many facts (a DICOM node has dozens) has them indexed by key first,
// so that a condition reads only the facts of its keys.
func (e *evaluator) find(c *Condition) int {
	n := e.facts.len()
	if n <= indexFrom {
		for i := 0; i < n; i++ {
			if c.matches(e.facts.at(i)) {
				return i
			}
		}
		return -1
	}
	if e.byKey == nil {
		e.indexKeys()
	}
	best := -1
	for _, k := range c.Keys {
		lo, _ := slices.BinarySearchFunc(e.byKey, k, func(i int32, k string) int {
			return strings.Compare(e.facts.at(int(i)).Key, k)
		})
		for _, i := range e.byKey[lo:] {
			f := e.facts.at(int(i))
			if f.Key != k || best >= 0 && int(i) > best {
				break
			}
			if c.matches(f) {
				best = int(i)
				break
			}
		}
	}
	return best
}

// indexFrom is the number of facts past which find uses the index.
const indexFrom = 24

// indexKeys fills e.byKey with the facts' indices ordered by key, then by
// index, so that the first match of a key is the first fact that has it.
func (e *evaluator) indexKeys() {
	n := e.facts.len()
	e.byKey = make([]int32, n)
	for i := range e.byKey {
		e.byKey[i] = int32(i)
	}
	slices.SortStableFunc(e.byKey, func(a, b int32) int {
		return strings.Compare(e.facts.at(int(a)).Key, e.facts.at(int(b)).Key)
	})
}

// beats reports whether a guess of confidence conf from the rule at order
// would replace the current candidate.
func (c *candidate) beats(conf dissect.Confidence, order int) bool {
	if !c.set {
		return true
	}
	return conf > c.guess.Confidence || conf == c.guess.Confidence && order < c.order
}

// fire offers the rule's values, built only where they would win. first is
// the fact that matched the rule's first condition.
func (e *evaluator) fire(r *Rule, order, first int) {
	var because []string
	for a := 0; a < numAttrs; a++ {
		if r.set[a] == "" || !e.best[a].beats(r.Confidence, order) {
			continue
		}
		v := e.expand(r, a, first)
		if v == "" {
			continue
		}
		if a == attrVendor {
			v = normaliseVendor(v)
		}
		if because == nil {
			because = e.because(r, first)
		}
		e.best[a] = candidate{
			guess: Guess{Value: v, Confidence: r.Confidence, Rule: r.ID, Because: because},
			order: order, set: true,
		}
	}
}

// expand fills the template of attribute a from the groups of the rule's
// regex condition.
func (e *evaluator) expand(r *Rule, a, first int) string {
	tmpl := r.set[a]
	if r.regex < 0 || !strings.Contains(tmpl, "$") {
		return tmpl
	}
	c := &r.When[r.regex]
	fi := first
	if r.regex != 0 {
		fi = e.find(c)
	}
	val := e.facts.at(fi).Value
	m := c.re.FindStringSubmatchIndex(val)
	if m == nil {
		return ""
	}
	out := c.re.ExpandString(nil, tmpl, val, m)
	return strings.Join(strings.Fields(string(out)), " ")
}

// because lists the facts that satisfied each condition of the rule.
func (e *evaluator) because(r *Rule, first int) []string {
	out := make([]string, 0, len(r.When))
	for ci := range r.When {
		fi := first
		if ci > 0 {
			fi = e.find(&r.When[ci])
		}
		f := e.facts.at(fi)
		v := f.Value
		if len(v) > maxBecause {
			v = v[:maxBecause] + "…"
		}
		out = append(out, f.Source+" "+f.Key+"="+v)
	}
	return out
}

// ouiFallback offers the registry's vendor at Medium confidence, after
// every rule.
func (e *evaluator) ouiFallback() {
	if !e.hasOUI || skipVendor(e.oui.Org) {
		return
	}
	order := len(e.pack.rules)
	if !e.best[attrVendor].beats(dissect.Medium, order) {
		return
	}
	e.best[attrVendor] = candidate{
		guess: Guess{
			Value: e.oui.Vendor, Confidence: dissect.Medium, Rule: RuleOUI,
			Because: []string{SourceOUI + " org=" + e.oui.Org},
		},
		order: order, set: true,
	}
}

// criticalityFallback gives the device the criticality of its category
// when no rule set one, with the category's confidence and evidence.
func (e *evaluator) criticalityFallback() {
	cat := &e.best[attrCategory]
	if e.best[attrCriticality].set || !cat.set {
		return
	}
	crit, ok := e.pack.CriticalityOf(Category(cat.guess.Value))
	if !ok {
		return
	}
	because := make([]string, 0, 1+len(cat.guess.Because))
	because = append(because, "category="+cat.guess.Value+" (rule "+cat.guess.Rule+")")
	because = append(because, cat.guess.Because...)
	e.best[attrCriticality] = candidate{
		guess: Guess{Value: string(crit), Confidence: cat.guess.Confidence,
			Rule: RuleCategory, Because: because},
		order: len(e.pack.rules), set: true,
	}
}

// matches reports whether fact f passes c.
func (c *Condition) matches(f *Attr) bool {
	if !containsString(c.Keys, f.Key) {
		return false
	}
	if len(c.Sources) > 0 && !containsFold(c.Sources, f.Source) {
		return false
	}
	return c.test(f.Value)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if equalFoldASCII(s, v) {
			return true
		}
	}
	return false
}

// test applies the condition's comparison to a value; the strings are
// lower case, so only the value needs folding.
func (c *Condition) test(v string) bool {
	switch c.Op {
	case OpRegex:
		return c.memo.match(c.re, v)
	case OpEquals:
		return containsFold(c.Values, v)
	case OpPrefix:
		for _, p := range c.Values {
			if len(v) >= len(p) && equalFoldASCII(v[:len(p)], p) {
				return true
			}
		}
	case OpContains:
		for _, p := range c.Values {
			if indexFoldASCII(v, p) >= 0 {
				return true
			}
		}
	}
	return false
}

// matchMemo remembers a regular expression's verdict on the values it has
// seen: devices share fact values (a vendor class, a browser's user agent)
// so that most tests are a map lookup instead of a match. It is bounded,
// and safe for concurrent use.
type matchMemo struct {
	seen sync.Map // string → bool
	n    atomic.Int32
}

// maxMemo bounds the values each expression remembers. The values are
// the facts' own strings, not copies: an entry costs its map slot.
const maxMemo = 1024

func (m *matchMemo) match(re *regexp.Regexp, v string) bool {
	if m == nil {
		return re.MatchString(v)
	}
	if ok, found := m.seen.Load(v); found {
		return ok.(bool)
	}
	ok := re.MatchString(v)
	if m.n.Load() < maxMemo {
		m.n.Add(1)
		m.seen.Store(v, ok)
	}
	return ok
}
