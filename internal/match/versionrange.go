package match

import (
	"fmt"
	"strings"
)

// Verdict says whether a version lies in a range.
type Verdict int

// The verdicts. The zero Verdict is VersionUnknown.
const (
	// VersionUnknown: the range or the version cannot be read, or the
	// two cannot be compared ("B.02.15" against "<= 2.3").
	VersionUnknown Verdict = iota
	VersionIn
	VersionOut
)

// String returns "in", "out" or "unknown".
func (v Verdict) String() string {
	switch v {
	case VersionIn:
		return "in"
	case VersionOut:
		return "out"
	}
	return "unknown"
}

// Range is a set of versions as an advisory writes it: exact versions,
// wildcards ("5.x"), bounded intervals, unions, "all versions".
//
// ParseRange reads two kinds of text. A vers URI ("vers:generic/>=1.0|<2.0",
// "vers:all/*", per the package-url vers specification) is read with one
// comparator for every scheme. Anything else is read as the prose and
// shorthand of advisories and registers:
//   - comparators: "<= 2.3.6", "<2.0", "=< 3", "≥ 4";
//   - prose bounds: "prior to 4.1", "before", "earlier than", "below",
//     "up to" (inclusive), "through 5.4", "3.2 and later", "3.2 or
//     newer", "3.2+", "3.2 and prior", "R2.1 and below", "since 2.0";
//   - intervals: "5.0 to 5.4", "4.4 through 4.12", "between 1.0 and 2.0",
//     "from 1.0 to 2.0", "5.0 - 5.4", "Rev B-M" (revisions B to M), and
//     "A.01 <= C.0x" or "A10 < A11" (CISA's shorthand for "A.01 to C.0x",
//     "A10 and A11"), all with both ends included;
//   - single versions and wildcards: "1.1", "5.x.x", "v6.x", "14.1.x";
//   - unions separated by "|", ";", ",", " / ", " or ", " and ";
//   - "all versions", "all", "*"; "except 4.2" excludes versions.
//
// A remark in parentheses is dropped ("<= 1.54 (integrated into GE
// MobileLink)"), and so are trailing words after a clear version ("6.x
// model 35700BAX", "<=11.2 on Windows 8.1"); a text whose version is not
// clear ("882390 Gemini GXL 6 Slice", "2nd Edition") is not Known.
//
// A lower bound next to an upper bound ("vers:generic/>=1.0|<2.0", CISA's
// ">= 4.4 | <= 4.12", ">= 2.0 and < 3.0") is read as the interval between
// them when the lower is below the upper: read as a union it would hold
// every version, which no advisory means. Every such pair in the ICSMA
// corpus has the prose "versions 4.4 through 4.12" beside it.
//
// In a range, a lone revision letter stands for the whole revision:
// "<= N" holds N.01 and N.0.3, and "K" holds K.02.
type Range struct {
	raw   string
	known bool
	all   bool
	// clauses are the alternatives; a version is in the range when it is
	// in any of them and in none of except.
	clauses []clause
	except  []clause
}

// op is the comparator of a constraint.
type op uint8

const (
	opEq op = iota + 1
	opNe
	opLt
	opLe
	opGt
	opGe
)

func (o op) String() string {
	switch o {
	case opNe:
		return "!="
	case opLt:
		return "<"
	case opLe:
		return "<="
	case opGt:
		return ">"
	case opGe:
		return ">="
	}
	return "="
}

// constraint is a comparator and a version, as written.
type constraint struct {
	op op
	v  Version
}

// bound is one end of a clause.
type bound struct {
	p    point
	set  bool
	incl bool
}

// clause is one interval of a range: from lo to hi, either end open.
type clause struct {
	lo, hi bound
	// eq is set for a single version: lo and hi are both that version,
	// and a version of the same scheme that is not ordered with it is out.
	eq bool
	// src are the constraints as written: one, or for an interval the
	// lower and the upper.
	src [2]constraint
	n   int
}

// Limits on what ParseRange reads.
const (
	maxRangeLen = 4096 // bytes
	maxClauses  = 128
	maxTokens   = 1024
)

// ParseRange reads a version range as written. It never fails: what
// cannot be read gives a Range whose Known is false.
func ParseRange(s string) Range {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxRangeLen {
		return Range{raw: s}
	}
	if len(s) >= 5 && strings.EqualFold(s[:5], "vers:") {
		return parseVers(s)
	}
	return parseProse(s)
}

// Known reports whether the range could be read.
func (r Range) Known() bool { return r.known }

// All reports whether the range is every version ("vers:all/*", "all
// versions", "all", "*"), with none excluded.
func (r Range) All() bool { return r.known && r.all && len(r.except) == 0 }

// Raw returns the range as written, trimmed.
func (r Range) Raw() string { return r.raw }

// Contains says whether v is in the range. It is VersionUnknown when r
// or v is not Known, or when v cannot be compared with the range's
// versions (another scheme: "B.02.15" against "<= 2.3"; a date against a
// number). A clause written in another scheme than v's is passed over
// when another clause is in v's scheme, so that "<= U61 | <= L81" says
// L90 is out. A wildcard v ("6.x") is in when the range holds all of
// it, out when none, and unknown otherwise.
//
// A build of a bound's version counts as that version: "2.3.6 (build
// 1234)" is in "<= 2.3.6" and in "2.3.6", though it compares after 2.3.6.
// A service pack, release or update of it is unknown against "<= 9.5" or
// "9.5" (the advisory may or may not mean it), and plainly in ">= 9.5".
func (r Range) Contains(v Version) Verdict {
	if !r.known || !v.Known() {
		return VersionUnknown
	}
	got := VersionIn
	if !r.all {
		got = containsAny(r.clauses, &v)
	}
	if got != VersionIn || len(r.except) == 0 {
		return got
	}
	switch containsAny(r.except, &v) {
	case VersionIn:
		return VersionOut
	case VersionUnknown:
		return VersionUnknown
	}
	return VersionIn
}

// result is what one clause says of a version.
type result uint8

const (
	resForeign result = iota // the clause is in another scheme
	resIn
	resOut
	resUnknown
)

// containsAny is the verdict of a union of clauses.
func containsAny(cs []clause, v *Version) Verdict {
	if len(cs) == 0 {
		return VersionOut
	}
	out, unknown := false, false
	for i := range cs {
		switch cs[i].contains(v) {
		case resIn:
			return VersionIn
		case resOut:
			out = true
		case resUnknown:
			unknown = true
		}
	}
	if out && !unknown {
		return VersionOut
	}
	return VersionUnknown
}

// contains says whether a version lies in the clause.
func (c *clause) contains(v *Version) result {
	switch {
	case v.wild:
		return c.containsSpan(v)
	case c.eq:
		return c.containsOne(v)
	}
	if c.lo.set {
		r := c.lo.cmp(v, !c.lo.incl)
		switch {
		case r == ordForeign:
			return resForeign
		case r == ordNone, r == ordUnsure:
			return resUnknown
		case r == ordLess, r == ordEqual && !c.lo.incl:
			return resOut
		}
	}
	if c.hi.set {
		r := c.hi.cmp(v, c.hi.incl)
		switch {
		case r == ordForeign:
			return resForeign
		case r == ordNone, r == ordUnsure:
			return resUnknown
		case r == ordGreater, r == ordEqual && !c.hi.incl:
			return resOut
		}
	}
	return resIn
}

// containsOne says whether a version is the clause's single version; one
// of the same scheme that is not ordered with it is another version.
func (c *clause) containsOne(v *Version) result {
	switch c.lo.cmp(v, true) {
	case ordEqual:
		return resIn
	case ordForeign:
		return resForeign
	case ordUnsure:
		return resUnknown
	}
	return resOut
}

// ordUnsure is a bound's answer for a version that is the bound's own
// followed by a service pack, release or update: whether the bound
// meant to include it cannot be told.
const ordUnsure order = 4

// cmp compares v with the bound. With tails set (an inclusive upper
// bound, an exclusive lower one, a single version), v that is the
// bound's version followed by a build ("2.3.6 build 1234" against
// "<= 2.3.6") counts as that version, and one followed by another
// post-release marker ("9.5 SP1" against "<= 9.5") is ordUnsure.
func (b *bound) cmp(v *Version, tails bool) order {
	r := cmpVersionPoint(v, &b.p)
	if r != ordGreater || !tails || b.p.top {
		return r
	}
	switch postTail(v, &b.p.v) {
	case 0:
		return r
	case postBuild:
		return ordEqual
	}
	return ordUnsure
}

// postTail returns the rank of the post-release marker with which v goes
// on past the end of x ("build" of "2.3.6 build 1234" past "2.3.6"), or 0.
func postTail(v, x *Version) uint8 {
	if cmpPrefix(v, x) != ordEqual {
		return 0
	}
	var end segment
	for i := range v.segs {
		xs := &end
		if i < len(x.segs) {
			xs = &x.segs[i]
		}
		vs := &v.segs[i]
		if cmpSeg(vs, xs) == ordEqual {
			continue
		}
		if xs.kind == segEnd && vs.kind == segPost {
			return vs.rank
		}
		return 0
	}
	return 0
}

// containsSpan says whether every version a wildcard covers lies in
// the clause (in), none does (out), or some do (unknown).
func (c *clause) containsSpan(v *Version) result {
	lo, hi := v.span()
	inside, disjoint := true, false
	if c.lo.set {
		r := cmpPoints(&c.lo.p, &lo)
		if bad, res := badOrder(r); bad {
			return res
		}
		if r == ordGreater || r == ordEqual && !c.lo.incl {
			inside = false
		}
		if r := cmpPoints(&hi, &c.lo.p); r == ordLess || r == ordEqual {
			disjoint = true
		}
	}
	if c.hi.set {
		r := cmpPoints(&hi, &c.hi.p)
		if bad, res := badOrder(r); bad {
			return res
		}
		if r == ordGreater {
			inside = false
		}
		if r := cmpPoints(&c.hi.p, &lo); r == ordLess || r == ordEqual && !c.hi.incl {
			disjoint = true
		}
	}
	switch {
	case disjoint:
		return resOut
	case inside:
		return resIn
	}
	return resUnknown
}

func badOrder(r order) (bool, result) {
	switch r {
	case ordForeign:
		return true, resForeign
	case ordNone:
		return true, resUnknown
	}
	return false, 0
}

// String returns the range in a normalised vers form:
// "vers:generic/>=4.4|<=4.12", "vers:generic/5.x.x", "all" for every
// version, "vers:none/*" for none, "unknown" when it could not be read.
// Versions are written as String gives them (a wildcard is kept as
// written, a Ward extension of vers); '|' and '%' in them are
// percent-encoded. The result parses back to the same range.
func (r Range) String() string {
	switch {
	case !r.known:
		return "unknown"
	case r.All():
		return "all"
	case !r.all && len(r.clauses) == 0:
		return "vers:none/*"
	}
	var parts []string
	if !r.all {
		for i := range r.clauses {
			parts = r.clauses[i].vers(parts)
		}
	}
	for i := range r.except {
		parts = append(parts, "!="+versText(&r.except[i].src[0].v))
	}
	return "vers:generic/" + strings.Join(parts, "|")
}

// vers appends the clause's constraints in vers form.
func (c *clause) vers(parts []string) []string {
	for i := 0; i < c.n; i++ {
		k := &c.src[i]
		t := versText(&k.v)
		if k.op != opEq || t == "" {
			t = k.op.String() + t
		}
		parts = append(parts, t)
	}
	return parts
}

// versText is a version as vers writes it: '%' and '|' percent-encoded,
// and a leading comparator character too.
func versText(v *Version) string {
	s := v.String()
	if strings.ContainsAny(s, "%|") {
		s = strings.NewReplacer("%", "%25", "|", "%7C").Replace(s)
	}
	if s != "" && strings.IndexByte("<>=!", s[0]) >= 0 {
		s = fmt.Sprintf("%%%02X", s[0]) + s[1:]
	}
	return s
}

// Explain returns a short human phrase for the range: "versions up to
// and including 2.3.6", "versions from 4.4 up to and including 4.12",
// "version 4.20, version 4.20 SR1 or version 4.30", "all versions".
func (r Range) Explain() string {
	var s string
	switch {
	case !r.known:
		return fmt.Sprintf("versions written %q, which could not be read", r.raw)
	case r.all:
		s = "all versions"
	case len(r.clauses) == 0:
		return "no version"
	default:
		s = joinPhrases(r.clauses)
	}
	if len(r.except) > 0 {
		s += " except " + joinPhrases(r.except)
	}
	return s
}

func joinPhrases(cs []clause) string {
	var b strings.Builder
	for i := range cs {
		switch {
		case i == 0:
		case i == len(cs)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(cs[i].phrase())
	}
	return b.String()
}

// phrase says a clause in words.
func (c *clause) phrase() string {
	a := c.src[0].v.String()
	if c.n == 2 {
		b := c.src[1].v.String()
		switch {
		case c.src[0].op == opGe && c.src[1].op == opLe:
			return "versions from " + a + " up to and including " + b
		case c.src[0].op == opGe:
			return "versions from " + a + " up to but excluding " + b
		case c.src[1].op == opLe:
			return "versions after " + a + " up to and including " + b
		}
		return "versions after " + a + " and before " + b
	}
	switch c.src[0].op {
	case opLt:
		return "versions before " + a
	case opLe:
		return "versions up to and including " + a
	case opGt:
		return "versions after " + a
	case opGe:
		return "version " + a + " and later"
	}
	v := &c.src[0].v
	switch {
	case v.wild:
		return "versions " + a
	case patternLike(v):
		return "revision " + a
	}
	return "version " + a
}

// patternLike reports whether a version stands for many in a range: a
// wildcard ("5.x"), or a lone revision letter ("K" for K.01, K.02, ...).
func patternLike(v *Version) bool {
	return v.wild || v.rev && len(v.segs) == 0
}

// newClause makes the clause of one constraint.
func newClause(k constraint) clause {
	c := clause{src: [2]constraint{k}, n: 1}
	v := &k.v
	pat := patternLike(v)
	switch k.op {
	case opEq, opNe:
		if pat {
			c.lo = bound{p: v.low(), set: true, incl: true}
			c.hi = bound{p: v.topPoint(), set: true}
		} else {
			c.lo = bound{p: point{v: *v}, set: true, incl: true}
			c.hi, c.eq = c.lo, true
		}
	case opLt:
		c.hi = bound{p: v.low(), set: true}
	case opLe:
		c.hi = upperBound(v, pat)
	case opGt:
		c.lo = bound{p: point{v: *v}, set: true}
		if pat {
			c.lo.p = v.topPoint()
		}
	case opGe:
		c.lo = bound{p: v.low(), set: true, incl: true}
	}
	return c
}

// upperBound is the bound of "<= v": the top of a pattern, or v itself.
func upperBound(v *Version, pat bool) bound {
	if pat {
		return bound{p: v.topPoint(), set: true}
	}
	return bound{p: point{v: *v}, set: true, incl: true}
}

// newInterval makes the clause from a lower (> or >=) and an upper (<
// or <=) constraint, and reports whether it holds any version: the
// lower below the upper, or equal to it with both ends included.
func newInterval(lo, hi constraint) (clause, bool) {
	c := newClause(lo)
	c.hi = newClause(hi).hi
	c.src[1], c.n = hi, 2
	r := cmpPoints(&c.lo.p, &c.hi.p)
	return c, r == ordLess || r == ordEqual && c.lo.incl && c.hi.incl
}

func isLower(o op) bool { return o == opGt || o == opGe }
func isUpper(o op) bool { return o == opLt || o == opLe }

// item is a constraint of a range as read, or an interval already
// paired by the prose ("4.4 through 4.12").
type item struct {
	k        [2]constraint
	interval bool
}

// build makes the range of the items read: exclusions apart, and a
// lower bound next to an upper bound paired into an interval. Pairs
// written lower first are taken first ("<7 | >=0 | <=0" is below 7, or
// 0), so that String, which writes every interval lower first, reads
// back to the same range.
func build(r Range, items []item) Range {
	var rest []item
	for _, it := range items {
		if !it.interval && it.k[0].op == opNe {
			r.except = append(r.except, newClause(it.k[0]))
			continue
		}
		rest = append(rest, it)
	}
	if len(rest) == 0 && len(r.except) > 0 {
		r.all = true
	}
	rest = pairUp(pairUp(rest, false), true)
	for _, it := range rest {
		c := newClause(it.k[0])
		if it.interval {
			c, _ = newInterval(it.k[0], it.k[1])
		}
		r.clauses = append(r.clauses, c)
	}
	if len(r.clauses)+len(r.except) > maxClauses {
		return Range{raw: r.raw}
	}
	r.known = r.all || len(r.clauses) > 0
	return r
}

// pairUp joins each single lower bound followed by a single upper bound
// (or, with upperFirst, an upper followed by a lower) into an interval,
// where the lower is below the upper.
func pairUp(items []item, upperFirst bool) []item {
	out := items[:0:0]
	for i := 0; i < len(items); i++ {
		if i+1 < len(items) && !items[i].interval && !items[i+1].interval {
			a, b := items[i].k[0], items[i+1].k[0]
			if upperFirst {
				a, b = b, a
			}
			if isLower(a.op) && isUpper(b.op) {
				if _, ok := newInterval(a, b); ok {
					out = append(out, item{k: [2]constraint{a, b}, interval: true})
					i++
					continue
				}
			}
		}
		out = append(out, items[i])
	}
	return out
}

// parseVers reads a vers URI: "vers:<scheme>/<constraint>|...".
// Spaces around constraints are allowed; every scheme is compared alike.
func parseVers(s string) Range {
	r := Range{raw: s}
	scheme, body, ok := strings.Cut(s[5:], "/")
	scheme, body = strings.TrimSpace(scheme), strings.TrimSpace(body)
	switch {
	case !ok || scheme == "":
		return r
	case strings.EqualFold(scheme, "all"):
		r.known, r.all = true, true
		return r
	case strings.EqualFold(scheme, "none"):
		r.known = true
		return r
	}
	var items []item
	for _, part := range strings.Split(body, "|") {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
			continue
		case part == "*":
			r.all = true
			continue
		}
		o, text := splitComparator(part)
		v := ParseVersion(percentDecode(text))
		if !v.Known() || len(items) >= maxClauses {
			return Range{raw: s}
		}
		items = append(items, item{k: [2]constraint{{op: o, v: v}}})
	}
	return build(r, items)
}

// splitComparator splits the comparator off a vers constraint; none
// means "=".
func splitComparator(s string) (op, string) {
	for _, c := range []struct {
		text string
		op   op
	}{{">=", opGe}, {"<=", opLe}, {"!=", opNe}, {"<", opLt}, {">", opGt}, {"=", opEq}} {
		if strings.HasPrefix(s, c.text) {
			return c.op, strings.TrimSpace(s[len(c.text):])
		}
	}
	return opEq, s
}

// percentDecode undoes vers's percent-encoding; a '%' not followed by
// two hex digits stays as it is.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// tokKind is the kind of a token of prose.
type tokKind uint8

const (
	tkWord  tokKind = iota + 1
	tkOp            // a comparator: "<", "<=", "=<", "≤", "!=", ...
	tkBar           // "|" or ";": between alternatives
	tkComma         // "," or a spaced "/": between items of a list
	tkDash          // a spaced "-", or "–", "—": between the ends of an interval
	tkPlus          // a '+' after a version: "and later"
)

type token struct {
	kind tokKind
	op   op
	text string
}

// tokenize splits prose into words, comparators and separators. It
// returns nil when there are too many tokens.
func tokenize(s string) []token {
	var toks []token
	for i := 0; i < len(s); {
		if len(toks) > maxTokens {
			return nil
		}
		t, n := nextToken(s, i)
		if t.kind != 0 {
			toks = append(toks, t)
		}
		if t.kind == tkWord {
			toks = splitPlus(toks)
		}
		i += n
	}
	return toks
}

// nextToken reads the token at i and returns it with its length; a
// zero token for a space.
func nextToken(s string, i int) (token, int) {
	c := s[i]
	spacedBefore := i == 0 || s[i-1] == ' '
	spacedAfter := i+1 == len(s) || s[i+1] == ' '
	switch {
	case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		return token{}, 1
	case c == '|' || c == ';':
		return token{kind: tkBar}, 1
	case c == ',':
		return token{kind: tkComma}, 1
	case c == '<' || c == '>' || c == '=' || c == '!':
		return readOp(s[i:])
	case strings.HasPrefix(s[i:], "≤"):
		return token{kind: tkOp, op: opLe}, len("≤")
	case strings.HasPrefix(s[i:], "≥"):
		return token{kind: tkOp, op: opGe}, len("≥")
	case strings.HasPrefix(s[i:], "–"), strings.HasPrefix(s[i:], "—"):
		return token{kind: tkDash}, len("–")
	case c == '-' && spacedBefore && spacedAfter:
		return token{kind: tkDash}, 1
	case c == '/' && spacedBefore && spacedAfter:
		return token{kind: tkComma}, 1
	case c == '&' && spacedBefore && spacedAfter:
		return token{kind: tkWord, text: "and"}, 1
	}
	j := i
	for j < len(s) && !wordBreak(s, j) {
		j++
	}
	return token{kind: tkWord, text: s[i:j]}, j - i
}

// wordBreak reports whether a word ends before s[j].
func wordBreak(s string, j int) bool {
	switch s[j] {
	case ' ', '\t', '\n', '\r', '|', ';', ',', '<', '>', '=', '!':
		return true
	}
	return strings.HasPrefix(s[j:], "≤") || strings.HasPrefix(s[j:], "≥") ||
		strings.HasPrefix(s[j:], "–") || strings.HasPrefix(s[j:], "—")
}

// splitPlus trims the last word's trailing '.' and ':' (the end of a
// sentence or a label) and splits off a trailing '+' ("3.2+").
func splitPlus(toks []token) []token {
	t := &toks[len(toks)-1]
	plus := false
	for t.text != "" {
		switch t.text[len(t.text)-1] {
		case '.', ':':
			t.text = t.text[:len(t.text)-1]
			continue
		case '+':
			plus = true
			t.text = t.text[:len(t.text)-1]
			continue
		}
		break
	}
	if t.text == "" {
		toks = toks[:len(toks)-1]
	}
	if plus {
		toks = append(toks, token{kind: tkPlus})
	}
	return toks
}

// readOp reads a comparator at the start of s.
func readOp(s string) (token, int) {
	for _, c := range []struct {
		text string
		op   op
	}{
		{"<=", opLe}, {"=<", opLe}, {">=", opGe}, {"=>", opGe}, {"!=", opNe},
		{"<>", opNe}, {"==", opEq}, {"<", opLt}, {">", opGt}, {"=", opEq},
	} {
		if strings.HasPrefix(s, c.text) {
			return token{kind: tkOp, op: c.op}, len(c.text)
		}
	}
	return token{kind: tkWord, text: s[:1]}, 1
}

// Words of prose ranges, lower case.
var (
	// fillerWords may come before a version and say nothing of it.
	fillerWords = versionWordSet("all", "any", "every", "versions", "version", "vers", "ver",
		"releases", "release", "rel", "revisions", "revision", "rev", "software",
		"firmware", "sw", "fw", "builds", "build", "the", "of", "and", "devices",
		"device", "units", "products", "manufactured", "distributed", "released",
		"shipped", "produced", "sold", "made", "affected", "are", "is")
	// stopWords end what a clause says of versions: the rest is a remark.
	stopWords = versionWordSet("on", "with", "without", "running", "runs", "for", "in", "when",
		"where", "which", "who", "that", "installed", "integrated", "model",
		"models", "part", "parts", "used", "using", "if", "unless", "see",
		"including", "includes", "shipped", "manufactured", "distributed", "sold",
		"released", "affected", "are", "is", "was", "were", "may", "as", "by",
		"via", "per", "not", "#", "only")
	// exceptWords start a list of excluded versions.
	exceptWords = versionWordSet("except", "excluding", "excl")
	// lowerWords after "and" or "or" make the version an upper bound:
	// "2.3.6 and below"; higherWords a lower bound: "3.2 and later".
	lowerWords = versionWordSet("prior", "earlier", "older", "lower", "below", "before",
		"previous", "less", "lesser", "under")
	higherWords = versionWordSet("later", "newer", "above", "higher", "up", "after",
		"greater", "subsequent", "beyond", "more", "onwards", "onward", "following")
	// shortWords are words of up to three letters that are no version
	// prefix, so "to 2.0" is not read as the version "to 2.0".
	shortWords = versionWordSet("to", "or", "and", "up", "all", "any", "the", "of", "on",
		"in", "for", "via", "per", "not", "at", "as", "by", "is", "are", "ver",
		"rev", "rel", "sw", "fw")
)

// prefixPhrases are the prose comparators before a version, longest
// first.
var prefixPhrases = []struct {
	words []string
	op    op
}{
	{[]string{"up", "to", "but", "not", "including"}, opLt},
	{[]string{"up", "to", "but", "excluding"}, opLt},
	{[]string{"up", "to", "and", "including"}, opLe},
	{[]string{"up", "to", "including"}, opLe},
	{[]string{"no", "later", "than"}, opLe},
	{[]string{"not", "later", "than"}, opLe},
	{[]string{"up", "to"}, opLe},
	{[]string{"prior", "to"}, opLt},
	{[]string{"earlier", "than"}, opLt},
	{[]string{"older", "than"}, opLt},
	{[]string{"lower", "than"}, opLt},
	{[]string{"less", "than"}, opLt},
	{[]string{"at", "most"}, opLe},
	{[]string{"later", "than"}, opGt},
	{[]string{"newer", "than"}, opGt},
	{[]string{"greater", "than"}, opGt},
	{[]string{"higher", "than"}, opGt},
	{[]string{"more", "than"}, opGt},
	{[]string{"at", "least"}, opGe},
	{[]string{"starting", "with"}, opGe},
	{[]string{"starting", "from"}, opGe},
	{[]string{"starting", "at"}, opGe},
	{[]string{"beginning", "with"}, opGe},
	{[]string{"as", "of"}, opGe},
	{[]string{"equal", "to"}, opEq},
	{[]string{"upto"}, opLe},
	{[]string{"before"}, opLt},
	{[]string{"below"}, opLt},
	{[]string{"under"}, opLt},
	{[]string{"until"}, opLe},
	{[]string{"till"}, opLe},
	{[]string{"through"}, opLe},
	{[]string{"thru"}, opLe},
	{[]string{"after"}, opGt},
	{[]string{"above"}, opGt},
	{[]string{"since"}, opGe},
	{[]string{"from"}, opGe},
	{[]string{"only"}, opEq},
	{[]string{"exactly"}, opEq},
	{[]string{"not"}, opNe},
}

// infixWords join the two ends of an interval: "5.0 to 5.4".
var infixWords = versionWordSet("to", "through", "thru", "until", "till")

// proseParser reads the tokens of a prose range.
type proseParser struct {
	toks   []token
	i      int
	items  []item
	all    bool
	except bool // after "except": what is read is excluded
}

// parseProse reads a range written as prose or shorthand.
func parseProse(s string) Range {
	r := Range{raw: s}
	text := s
	if strings.ContainsAny(text, "()") {
		text = dropRemarks(text)
	}
	toks := tokenize(text)
	if len(toks) == 0 {
		return r
	}
	p := proseParser{toks: toks}
	if !p.parse() {
		return r
	}
	r.all = p.all
	return build(r, p.items)
}

// parse reads every clause, and reports whether all were read and
// something was.
func (p *proseParser) parse() bool {
	for p.i < len(p.toks) {
		if p.separator() {
			continue
		}
		if !p.clause() || len(p.items) > maxClauses {
			return false
		}
	}
	return p.all || len(p.items) > 0
}

func (p *proseParser) peek(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return token{}
}

// word returns the k-th next token's text, lower case, if it is a word.
func (p *proseParser) word(k int) string {
	return strings.ToLower(p.text(k))
}

// text returns the k-th next token's text as written, if it is a word.
func (p *proseParser) text(k int) string {
	if t := p.peek(k); t.kind == tkWord {
		return t.text
	}
	return ""
}

// separator consumes a separator between clauses.
func (p *proseParser) separator() bool {
	t := p.peek(0)
	switch {
	case t.kind == tkBar, t.kind == tkComma:
	case t.kind != tkWord:
		return false
	case exceptWords[p.word(0)]:
		p.except = true
	case p.word(0) == "and", p.word(0) == "or", p.word(0) == "plus":
	case p.word(0) == "but" && p.word(1) == "not":
		p.except = true
		p.i++
	default:
		return false
	}
	p.i++
	return true
}

// clause reads one clause: an "all", a bounded or single version, or an
// interval.
func (p *proseParser) clause() bool {
	if p.allHere() {
		p.all = true
		return p.trailer(true)
	}
	for fillerWords[p.word(0)] {
		p.i++
	}
	if p.i == len(p.toks) {
		return true
	}
	if stopWords[p.word(0)] && !isPrefixPhrase(p) {
		p.skipTo(tkBar)
		return true
	}
	if lo, hi, ok := letterInterval(p.text(0)); ok {
		p.i++
		return p.addInterval(ParseVersion(lo), ParseVersion(hi)) && p.trailer(true)
	}
	if p.word(0) == "between" {
		p.i++
		return p.between()
	}
	o, from := p.prefixOp()
	v, clear, ok := p.version()
	if !ok {
		return false
	}
	if o == 0 || from {
		if y, found, ok := p.infix(); found {
			return ok && p.addInterval(v, y) && p.trailer(true)
		}
	}
	if o == 0 {
		o = p.suffixOp()
	}
	if o != 0 {
		clear = true
	} else {
		o = opEq
	}
	return p.add(o, v) && p.trailer(clear)
}

// allHere reads "all", "all versions", "*" standing alone.
func (p *proseParser) allHere() bool {
	if p.peek(0).kind == tkWord && p.peek(0).text == "*" {
		p.i++
		return true
	}
	if w := p.word(0); w != "all" && w != "any" && w != "every" {
		return false
	}
	k := 1
	for fillerWords[p.word(k)] {
		k++
	}
	t := p.peek(k)
	w := p.word(k)
	if t.kind == 0 || t.kind == tkBar || t.kind == tkComma || stopWords[w] || exceptWords[w] {
		p.i += k
		return true
	}
	return false
}

func isPrefixPhrase(p *proseParser) bool {
	for _, ph := range prefixPhrases {
		if p.phraseAt(ph.words) {
			return true
		}
	}
	return false
}

func (p *proseParser) phraseAt(words []string) bool {
	for k, w := range words {
		if p.word(k) != w {
			return false
		}
	}
	return true
}

// prefixOp reads a comparator before a version; from reports "from",
// which may start an interval.
func (p *proseParser) prefixOp() (o op, from bool) {
	if t := p.peek(0); t.kind == tkOp {
		p.i++
		return t.op, false
	}
	for _, ph := range prefixPhrases {
		if p.phraseAt(ph.words) {
			p.i += len(ph.words)
			for fillerWords[p.word(0)] && p.word(0) != "and" {
				p.i++ // "prior to version 2.0"
			}
			return ph.op, ph.words[0] == "from"
		}
	}
	return 0, false
}

// suffixOp reads a comparator after a version: "and below", "or
// later", "+", "onwards".
func (p *proseParser) suffixOp() op {
	if p.peek(0).kind == tkPlus {
		p.i++
		return opGe
	}
	if w := p.word(0); w == "onwards" || w == "onward" {
		p.i++
		return opGe
	}
	if w := p.word(0); w != "and" && w != "or" {
		return 0
	}
	k := 1
	if w := p.word(1); w == "all" || w == "any" {
		k = 2
	}
	var o op
	switch w := p.word(k); {
	case lowerWords[w]:
		o = opLe
	case higherWords[w]:
		o = opGe
	default:
		return 0
	}
	p.i += k + 1
	switch p.word(0) {
	case "versions", "version", "releases", "revisions", "builds":
		p.i++
	}
	return o
}

// infix reads the second end of an interval after its first: "to 5.4",
// "through 4.12", "- 5.4", "<= C.0x".
func (p *proseParser) infix() (v Version, found, ok bool) {
	t := p.peek(0)
	switch {
	case t.kind == tkDash:
	case t.kind == tkOp && (t.op == opLt || t.op == opLe):
	case infixWords[p.word(0)]:
		if p.word(0) == "through" && p.word(1) == "to" {
			p.i++
		}
	default:
		return Version{}, false, false
	}
	p.i++
	for fillerWords[p.word(0)] && p.word(0) != "and" {
		p.i++
	}
	v, _, ok = p.version()
	return v, true, ok
}

// between reads "between X and Y".
func (p *proseParser) between() bool {
	for fillerWords[p.word(0)] && p.word(0) != "and" {
		p.i++
	}
	x, _, ok := p.version()
	if !ok {
		return false
	}
	if w := p.word(0); w != "and" && w != "to" && p.peek(0).kind != tkDash {
		return false
	}
	p.i++
	y, _, ok := p.version()
	return ok && p.addInterval(x, y) && p.trailer(true)
}

// trailer reads what follows a clause: a separator or the next clause,
// a remark to skip, or words that make the clause unreadable unless its
// version was clear.
func (p *proseParser) trailer(clear bool) bool {
	t := p.peek(0)
	w := p.word(0)
	switch {
	case t.kind == 0, t.kind == tkBar, t.kind == tkComma, t.kind == tkOp:
		return true
	case w == "only":
		p.i++
		return p.trailer(clear)
	case w == "and", w == "or", w == "plus", exceptWords[w], w == "but" && p.word(1) == "not":
		return true
	case stopWords[w]:
		p.skipTo(tkBar)
		return true
	case t.kind == tkWord && p.versionStart(0):
		return clear // a list written with spaces: "1.3.2 1.4.0 1.4.1"
	case clear:
		p.skipTo(tkComma)
		return true
	}
	return false
}

// skipTo skips tokens up to the next separator: a bar, or for tkComma
// a bar or a comma.
func (p *proseParser) skipTo(k tokKind) {
	for ; p.i < len(p.toks); p.i++ {
		t := p.toks[p.i].kind
		if t == tkBar || k == tkComma && t == tkComma {
			return
		}
	}
}

func (p *proseParser) add(o op, v Version) bool {
	if p.except {
		if o != opEq {
			return false
		}
		o = opNe
	}
	p.items = append(p.items, item{k: [2]constraint{{op: o, v: v}}})
	return true
}

// addInterval adds the interval from x to y, both included, swapping
// ends written the wrong way round; it fails when x and y cannot be
// compared.
func (p *proseParser) addInterval(x, y Version) bool {
	if p.except {
		return false
	}
	lo, hi := constraint{op: opGe, v: x}, constraint{op: opLe, v: y}
	if _, ok := newInterval(lo, hi); !ok {
		lo.v, hi.v = y, x
		if _, ok := newInterval(lo, hi); !ok {
			return false
		}
	}
	p.items = append(p.items, item{k: [2]constraint{lo, hi}, interval: true})
	return true
}

// letterInterval reads "B-M", revisions B to M.
func letterInterval(w string) (lo, hi string, ok bool) {
	if len(w) == 3 && w[1] == '-' && isLetter(w[0]) && isLetter(w[2]) && w[0] < 0x80 && w[2] < 0x80 {
		return w[:1], w[2:], true
	}
	return "", "", false
}

// versionStart reports whether the k-th next token can start a version.
func (p *proseParser) versionStart(k int) bool {
	t := p.peek(k)
	if t.kind != tkWord {
		return false
	}
	w := t.text
	lw := strings.ToLower(w)
	switch {
	case monthOf(w) > 0:
		return true
	case hasDigitText(w):
		return true
	case len(w) == 1 && isLetter(w[0]) && !shortWords[lw]:
		return true // a revision letter: "K"
	case shortLetters(w) && !shortWords[lw]:
		next := p.text(k + 1)
		return next != "" && isDigit(next[0])
	}
	return lw == "service" && p.word(k+1) == "pack"
}

// shortLetters reports whether w is one to three ASCII letters.
func shortLetters(w string) bool {
	if len(w) == 0 || len(w) > 3 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !isLetter(w[i]) || w[i] >= 0x80 {
			return false
		}
	}
	return true
}

// version reads one version, which may span several words: a date
// ("april 1, 2018"), a prefix and a number ("HD 16", "V 2.3.6"), a base
// and its markers ("1.1.3 MR Build 11", "1.8.4 Service Pack 01", "3.0
// D15"). clear reports a version that cannot be a model number or a
// word: dotted, a wildcard, a date or with markers.
func (p *proseParser) version() (v Version, clear, ok bool) {
	if text, n, ok := p.dateAt(); ok {
		p.i += n
		v := ParseVersion(text)
		return v, true, v.Known()
	}
	if !p.versionStart(0) {
		return Version{}, false, false
	}
	parts := p.versionWords()
	if len(parts) == 1 && !clearText(parts[0]) && p.peek(0).kind == tkWord &&
		clearText(p.peek(0).text) && hasDigitText(p.peek(0).text) {
		// A model before the version proper: "S4 A.07.107".
		parts = p.versionWords()
	}
	text := strings.Join(parts, " ")
	v = ParseVersion(text)
	if !v.Known() {
		return Version{}, false, false
	}
	return v, clearText(text) || v.wild || hasMarker(&v), true
}

// versionWords consumes the words of one version.
func (p *proseParser) versionWords() []string {
	parts := []string{p.toks[p.i].text}
	p.i++
	if next := p.text(0); shortLetters(parts[0]) && next != "" && isDigit(next[0]) {
		parts = append(parts, next) // "HD 16", "V 2.3.6"
		p.i++
	}
	afterMarker := isMarkerWord(parts[len(parts)-1])
	for p.peek(0).kind == tkWord {
		w := p.peek(0).text
		if !isMarkerWord(w) && !(afterMarker && allDigitsText(w)) && !gluedMarker(w) {
			break
		}
		parts = append(parts, w)
		afterMarker = isMarkerWord(w)
		p.i++
	}
	return parts
}

// isMarkerWord reports a build, service-pack or pre-release word.
func isMarkerWord(w string) bool {
	if _, _, ok := markerOf(w); ok {
		return true
	}
	return strings.EqualFold(w, "service") || strings.EqualFold(w, "pack")
}

// gluedMarker reports one to three letters glued to digits: "D15",
// "SR1", "S3", "P30".
func gluedMarker(w string) bool {
	i := 0
	for i < len(w) && isLetter(w[i]) && w[i] < 0x80 {
		i++
	}
	return i >= 1 && i <= 3 && i < len(w) && allDigitsText(w[i:])
}

func allDigitsText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func hasMarker(v *Version) bool {
	for _, s := range v.segs {
		if s.kind == segPre || s.kind == segPost {
			return true
		}
	}
	return false
}

// clearText reports whether s is dotted between letters or digits
// ("2.3", "B.02") or a wildcard form.
func clearText(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == '.' && isAlnum(s[i-1]) && isAlnum(s[i+1]) {
			return true
		}
	}
	return false
}

// dateAt reads a date written over several words at the current token:
// "april 1, 2018", "July 1 2017", "May 2018", "28 August 2019". It
// returns the date's text and the tokens it spans.
func (p *proseParser) dateAt() (string, int, bool) {
	w0, w1, w2 := p.text(0), p.text(1), p.text(2)
	switch {
	case monthOf(w0) > 0 && isDay(w1):
		if p.peek(2).kind == tkComma && isYear(p.text(3)) {
			return w0 + " " + w1 + ", " + p.text(3), 4, true
		}
		if isYear(w2) {
			return w0 + " " + w1 + " " + w2, 3, true
		}
		return w0 + " " + w1, 2, true
	case monthOf(w0) > 0 && isYear(w1):
		return w0 + " " + w1, 2, true
	case isDay(w0) && monthOf(w1) > 0:
		if isYear(w2) {
			return w0 + " " + w1 + " " + w2, 3, true
		}
		return w0 + " " + w1, 2, true
	}
	return "", 0, false
}

func isDay(w string) bool {
	n, ok := atoi(strings.TrimRight(w, "stndrh"))
	return ok && len(w) <= 4 && 1 <= n && n <= 31 && !isYear(w)
}

func isYear(w string) bool {
	n, ok := atoi(w)
	return ok && len(w) == 4 && 1900 <= n && n <= 2199
}

func versionWordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func hasDigitText(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}
