package match

import (
	"strconv"
	"strings"
	"unicode"
)

// Version is a software or firmware version as written, parsed into
// comparable segments.
//
// ParseVersion reads it in this order:
//   - A remark in parentheses is dropped ("2.01 (end-of-life Nov 2017)"),
//     unless it starts with a build or service-pack marker, which is kept
//     ("2.3.6 (build 1234)" reads as "2.3.6 build 1234"); a string wholly
//     in parentheses is unwrapped.
//   - Leading words that only say "this is a version" are trimmed:
//     "version", "ver.", "rev.", "revision", "release", "firmware",
//     "software", "fw", "sw", "build", and a "v" or "V" directly before a
//     digit ("v2.3.6", "V 2.3.6").
//   - Placeholders ("", "unknown", "n/a", "-", "tbc", "?", ...) and text
//     with no digit (other than a lone revision letter such as "K") are
//     not Known.
//   - Dates ("august 28", "July 1 2017", "April 1, 2018", "May 2018",
//     "2019-08-28", "8/30/2024", month first unless the first number is
//     above 12) form a scheme of their own.
//   - Otherwise the text splits into segments on '.', '-', '_', ' ' and
//     any other punctuation, and between runs of digits and runs of
//     letters: "16D38" is 16, D, 38 and "B.02.15" is B, 2, 15. A leading
//     run of letters is the version's prefix ("B", "BT", "HD", "SV").
//
// The rules of comparison are those of Compare.
type Version struct {
	raw    string
	scheme scheme
	// prefix is the leading run of letters of a schemeLetter version,
	// as written ("B" of "B.02.15", "BT" of "BT03").
	prefix string
	// rev is set when prefix is a single letter followed by '.' or by
	// nothing ("B.02.15", "K"): a revision letter, ordered A < B < C.
	rev  bool
	segs []segment
	// wild is set when a wildcard ends the version ("5.x", "12.2.x.x",
	// "C.0x"): segs are then the fixed part, and hi, when not nil, the
	// highest fixed part of a wildcard within a number ("C.0x": segs end
	// in 0, hi in 9).
	wild bool
	hi   []segment
}

// scheme says how a version is written; versions of different schemes
// are not compared.
type scheme uint8

const (
	schemeNone     scheme = iota // not a version: Known is false
	schemeNumeric                // starts with a digit: "2.3.6", "16D38"
	schemeLetter                 // starts with letters: "B.02.15", "BT03"
	schemeDate                   // a date with a year: year, month, day
	schemeDayMonth               // a date without a year: month, day
)

type segKind uint8

// The kinds of segment. segEnd is what a shorter version has where a
// longer one still has segments.
const (
	segEnd  segKind = iota
	segPre          // a pre-release marker: "dev", "alpha", "beta", "pre", "rc"
	segNum          // a run of digits
	segWord         // a run of letters that is no marker
	segPost         // a post-release marker: "build", "SP", "SR", "MR", "update", "patch"
)

// segment is one comparable part of a version.
type segment struct {
	kind segKind
	// rank orders pre-release markers (dev < alpha < beta < pre < rc)
	// and names the class of a post-release marker.
	rank uint8
	// text is, for segNum, the digits without leading zeros ("0" for
	// zero), and for segWord the letters as written.
	text string
}

// Limits that keep a pasted paragraph from costing much.
const (
	maxVersionLen = 256 // bytes; a longer string is not a version
	maxSegments   = 32  // segments kept of one version
)

// ParseVersion reads a version as written. It never fails: what is not
// a version gives a Version whose Known is false.
func ParseVersion(s string) Version {
	s = strings.TrimSpace(s)
	if len(s) > maxVersionLen {
		return Version{raw: s}
	}
	s = cleanVersionText(s)
	if isPlaceholder(s) {
		return Version{raw: s}
	}
	if v, ok := parseDate(s); ok {
		return v
	}
	return parseSegments(s)
}

// String returns the version as written, trimmed of spaces and of
// leading words such as "version" or "v".
func (v Version) String() string { return v.raw }

// Known reports whether v is a version at all: false for "", "unknown",
// "n/a", "-", "tbc", "?" and other text that names no version.
func (v Version) Known() bool { return v.scheme != schemeNone }

// Wildcard reports whether v ends in a wildcard ("5.x", "12.2.x.x"), so
// that it stands for every version that starts with its fixed part.
func (v Version) Wildcard() bool { return v.wild }

// Compare orders v and o: -1 if v is before o, 0 if they are the same
// version, +1 if v is after o. The rules:
//   - Numeric segments compare as numbers (02 == 2, 10 > 9), letters
//     case-insensitively (c.00.04 == C.00.04).
//   - Missing trailing segments are zero: 2.3 == 2.3.0.
//   - A version with a letter prefix compares only with one of the same
//     prefix (BT02 < BT06, L70 < L81), or, when both prefixes are single
//     revision letters followed by '.', by the letter first (B.06.18 <
//     C.00.04, K < N). L81 and U61, or B.02.15 and 2.3, are not
//     comparable.
//   - A pre-release marker ("beta", "rc", ...) comes before the release:
//     1.2.3-beta < 1.2.3 < 1.2.3.1.
//   - A post-release marker ("build", "SP", "Service Pack", "SR", "MR",
//     "update", "patch", "hotfix") comes after the base version and
//     before its next segment: 4.1 < 4.1 build 2301 < 4.1.1, and 7 SP1 <
//     7 SP2. Two different markers at the same place are not ordered.
//   - A letter after a number comes after it: 2.4 < 2.4A < 2.4B, but 2.4A
//     and 2.4.1 are not ordered.
//   - Dates compare only with dates, and a date without a year only with
//     another without.
//   - A wildcard version ("2.x") compares equal to every version it
//     covers, and before or after the rest.
//
// Where the order is not meaningful (see Cmp), Compare still returns a
// fixed order (by scheme, prefix and text) so that sorting is stable;
// matching uses Cmp or Range.Contains, which say Unknown instead.
// Compare is antisymmetric: v.Compare(o) == -o.Compare(v).
func (v Version) Compare(o Version) int {
	if c, ok := v.Cmp(o); ok {
		return c
	}
	return fallbackCompare(&v, &o)
}

// Cmp compares v and o as Compare does, and reports whether the order
// means anything: ok is false when either version is not Known, when
// their schemes differ ("B.02.15" and "2.3", a date and a number), or
// when they differ at a place where neither comes first ("7 SP1" and
// "7 build 3"). c is 0 when ok is false.
func (v Version) Cmp(o Version) (c int, ok bool) {
	r := orderVersions(&v, &o)
	if r == ordNone || r == ordForeign {
		return 0, false
	}
	return int(r), true
}

// order is the outcome of comparing two versions or points.
type order int8

const (
	ordLess    order = -1
	ordEqual   order = 0
	ordGreater order = 1
	ordNone    order = 2 // same scheme and different, but neither comes first
	ordForeign order = 3 // different schemes, or not versions: no order means anything
)

func (r order) neg() order {
	if r == ordLess || r == ordGreater {
		return -r
	}
	return r
}

// orderVersions compares two versions, either of which may be a
// wildcard: a wildcard covers the span from its fixed part up to the
// top of everything that starts with it.
func orderVersions(a, b *Version) order {
	if !a.wild && !b.wild {
		return a.cmp(b)
	}
	alo, ahi := a.span()
	blo, bhi := b.span()
	r := cmpPoints(&ahi, &blo)
	if r == ordLess {
		return ordLess
	}
	if r == ordNone || r == ordForeign {
		return r
	}
	r = cmpPoints(&alo, &bhi)
	if r == ordGreater {
		return ordGreater
	}
	if r == ordNone || r == ordForeign {
		return r
	}
	return ordEqual
}

// fallbackCompare is the fixed order of versions whose order means
// nothing: by scheme, prefix, then text.
func fallbackCompare(a, b *Version) int {
	switch {
	case a.scheme < b.scheme:
		return -1
	case a.scheme > b.scheme:
		return 1
	}
	if c := compareFold(a.prefix, b.prefix); c != 0 {
		return c
	}
	if c := compareFold(a.raw, b.raw); c != 0 {
		return c
	}
	return strings.Compare(a.raw, b.raw)
}

// cmp compares two versions, ignoring wildcards.
func (v *Version) cmp(o *Version) order {
	if r := cmpPrefix(v, o); r != ordEqual {
		return r
	}
	return cmpSegs(v.segs, o.segs, max(len(v.segs), len(o.segs)))
}

// cmpPrefix compares the schemes and prefixes of two versions: ordEqual
// when their segments may be compared.
func cmpPrefix(a, b *Version) order {
	if a.scheme != b.scheme || a.scheme == schemeNone {
		return ordForeign
	}
	if a.scheme != schemeLetter || strings.EqualFold(a.prefix, b.prefix) {
		return ordEqual
	}
	if a.rev && b.rev {
		return order(compareFold(a.prefix, b.prefix))
	}
	return ordForeign
}

// cmpSegs compares the first n segments of a and b, the shorter padded
// with segEnd.
func cmpSegs(a, b []segment, n int) order {
	var end segment
	for i := 0; i < n; i++ {
		x, y := &end, &end
		if i < len(a) {
			x = &a[i]
		}
		if i < len(b) {
			y = &b[i]
		}
		if x.kind == segNum && y.kind == segNum {
			if c := cmpDigits(x.text, y.text); c != 0 {
				return order(c)
			}
			continue
		}
		if r := cmpSeg(x, y); r != ordEqual {
			return r
		}
	}
	return ordEqual
}

// cmpSeg compares two segments at the same place.
func cmpSeg(x, y *segment) order {
	if x.kind > y.kind {
		return cmpSeg(y, x).neg()
	}
	if x.kind == y.kind {
		return cmpSameKind(x, y)
	}
	zero := y.kind == segNum && y.text == "0"
	switch x.kind {
	case segEnd:
		switch y.kind {
		case segPre:
			return ordGreater
		case segNum:
			if zero {
				return ordEqual
			}
		}
		return ordLess
	case segPre:
		return ordLess
	case segNum:
		xzero := x.text == "0"
		switch {
		case xzero:
			return ordLess
		case y.kind == segPost:
			return ordGreater
		}
		return ordNone
	}
	return ordNone // word and post-release marker
}

func cmpSameKind(x, y *segment) order {
	switch x.kind {
	case segPre:
		return order(cmpInt(int(x.rank), int(y.rank)))
	case segNum:
		return order(cmpDigits(x.text, y.text))
	case segWord:
		return order(compareFold(x.text, y.text))
	case segPost:
		if x.rank != y.rank {
			return ordNone
		}
	}
	return ordEqual
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpDigits compares two runs of digits without leading zeros as
// numbers of any length.
func cmpDigits(a, b string) int {
	if len(a) != len(b) {
		return cmpInt(len(a), len(b))
	}
	return strings.Compare(a, b)
}

// compareFold compares two strings with ASCII letters folded to lower
// case; other bytes compare as they are.
func compareFold(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := lowerByte(a[i]), lowerByte(b[i])
		if x != y {
			return cmpInt(int(x), int(y))
		}
	}
	return cmpInt(len(a), len(b))
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isLetter reports whether c is part of a run of letters: an ASCII
// letter, or any byte of a non-ASCII character.
func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

func isAlnum(c byte) bool { return isDigit(c) || isLetter(c) }

// point is a place on the line of versions: a version itself, or, when
// top is set, the place just above every version that starts with v's
// segments (the upper end of "5.x").
type point struct {
	v   Version // never a wildcard
	top bool
}

// span returns the lowest and the top point of a version: the version
// itself twice, or for a wildcard its fixed part and the top of it.
func (v *Version) span() (lo, hi point) {
	if !v.wild {
		return point{v: *v}, point{v: *v}
	}
	return v.low(), v.topPoint()
}

// low is the lowest point of v: v itself, or a wildcard's fixed part.
func (v *Version) low() point {
	p := point{v: *v}
	p.v.wild, p.v.hi = false, nil
	return p
}

// topPoint is the point above every version that starts with v's fixed
// part (for a wildcard within a number, its highest fixed part).
func (v *Version) topPoint() point {
	p := v.low()
	if v.hi != nil {
		p.v.segs = v.hi
	}
	p.top = true
	return p
}

// cmpVersionPoint compares a version (not a wildcard) with a point. A
// version is never equal to a top point.
func cmpVersionPoint(v *Version, p *point) order {
	if !p.top {
		return v.cmp(&p.v)
	}
	if r := cmpPrefix(v, &p.v); r != ordEqual {
		return r
	}
	if r := cmpSegs(v.segs, p.v.segs, len(p.v.segs)); r != ordEqual {
		return r
	}
	return ordLess
}

// cmpPoints compares two points.
func cmpPoints(p, q *point) order {
	switch {
	case !p.top && !q.top:
		return p.v.cmp(&q.v)
	case !p.top:
		return cmpVersionPoint(&p.v, q)
	case !q.top:
		return cmpVersionPoint(&q.v, p).neg()
	}
	if r := cmpPrefix(&p.v, &q.v); r != ordEqual {
		return r
	}
	a, b := p.v.segs, q.v.segs
	if r := cmpSegs(a, b, min(len(a), len(b))); r != ordEqual {
		return r
	}
	// The shorter fixed part covers more, so its top is higher.
	return order(cmpInt(len(b), len(a)))
}

// cleanVersionText drops remarks in parentheses, trims the words that
// only announce a version, and folds runs of spaces into one.
func cleanVersionText(s string) string {
	if strings.ContainsAny(s, "()") {
		s = strings.TrimSpace(dropRemarks(s))
	}
	if needsSpaceFold(s) {
		s = strings.Join(strings.Fields(s), " ")
	}
	return trimVersionWords(trimNoise(s))
}

// trimNoise trims leading punctuation, unless nothing would be left
// ("-" stays as written).
func trimNoise(s string) string {
	if t := strings.TrimLeftFunc(s, isNoise); t != "" {
		return t
	}
	return s
}

func isNoise(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(leadingNoise, r)
}

// leadingNoise is punctuation that may come before a version and means
// nothing: "=2.0", ": 2.0", "- 2.0".
const leadingNoise = "=<>!:;,.-_/#~ "

func needsSpaceFold(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\t', '\n', '\r', '\v', '\f':
			return true
		case ' ':
			if i+1 < len(s) && s[i+1] == ' ' {
				return true
			}
		}
	}
	return false
}

// dropRemarks removes parenthesised remarks from s: "1.54 (integrated
// into GE MobileLink)" is "1.54 ". A group that starts with a version
// marker ("(build 1234)", "(SP2)") is kept without its parentheses, as
// is a string wholly in parentheses. An unclosed '(' runs to the end.
func dropRemarks(s string) string {
	t := strings.TrimSpace(s)
	if len(t) > 1 && t[0] == '(' && closingParen(t, 0) == len(t)-1 {
		t = t[1 : len(t)-1]
		if !strings.ContainsAny(t, "()") {
			return t
		}
	}
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == ')' {
			b.WriteByte(' ')
			continue
		}
		if c != '(' {
			b.WriteByte(c)
			continue
		}
		j := closingParen(t, i)
		end := j
		if j < 0 {
			end = len(t)
		}
		inner := t[i+1 : end]
		if startsWithMarker(inner) {
			b.WriteByte(' ')
			b.WriteString(dropRemarks(inner))
		}
		b.WriteByte(' ')
		if j < 0 {
			break
		}
		i = j
	}
	return b.String()
}

// closing returns the index of the ')' that closes the '(' at i, or -1.
func closingParen(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// startsWithMarker reports whether s starts with a word that marks part
// of a version: a build, service pack, release or revision.
func startsWithMarker(s string) bool {
	s = strings.TrimSpace(s)
	j := 0
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	w := s[:j]
	if _, _, ok := markerOf(w); ok {
		return true
	}
	return equalAnyFold(w, "service", "release", "rev", "revision", "version")
}

// versionWords are the words that announce a version, longest first so
// that "versions" is not read as "version" and an "s".
var versionWords = []string{
	"software version", "firmware version", "versions", "version",
	"revision", "release", "firmware", "software", "build", "vers",
	"ver", "rev", "rel", "fw", "sw",
}

// trimVersionWords trims the leading words that only say "this is a
// version": "Version 2.3", "Rev. B.06.18", "v2.3.6", "V 2.3.6".
func trimVersionWords(s string) string {
	for s != "" && !isDigit(s[0]) {
		t := trimNoise(trimOneVersionWord(s))
		if t == s {
			break
		}
		s = t
	}
	return s
}

func trimOneVersionWord(s string) string {
	for _, w := range versionWords {
		if len(s) < len(w) || !strings.EqualFold(s[:len(w)], w) {
			continue
		}
		rest := s[len(w):]
		if rest != "" && isLetter(rest[0]) {
			continue // "Revel", "Versa"
		}
		return strings.TrimLeftFunc(rest, isNoise)
	}
	if s[0] == 'v' || s[0] == 'V' {
		rest := strings.TrimLeftFunc(s[1:], isNoise)
		if rest != "" && isDigit(rest[0]) {
			return rest
		}
	}
	return s
}

// versionPlaceholders are what registers write for "no version known".
var versionPlaceholders = []string{
	"unknown", "unk", "n/a", "n.a.", "n.a", "na", "none", "nil", "null",
	"not known", "not applicable", "not available", "various", "varies",
	"multiple", "tbc", "tbd", "tba", "x", "xx", "x.x", "*", "any", "all",
	"latest", "current",
}

// isPlaceholder reports whether s names no version: empty, a placeholder
// word, or punctuation only ("-", "?", "--").
func isPlaceholder(s string) bool {
	if hasDigitText(s) {
		return false // no placeholder has a digit
	}
	if equalAnyFold(s, versionPlaceholders...) {
		return true
	}
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			return false
		}
	}
	return true
}

func equalAnyFold(s string, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// Marker classes: the rank of a segPost segment.
const (
	postBuild uint8 = iota + 1
	postServicePack
	postServiceRelease
	postMaintenance
	postUpdate
	postPatch
	postHotfix
	postRevision
)

// marker reports whether w is a pre- or post-release marker, with its
// kind and rank.
func markerOf(w string) (segKind, uint8, bool) {
	if len(w) < 2 || len(w) > 11 {
		return 0, 0, false
	}
	var buf [11]byte
	for i := 0; i < len(w); i++ {
		buf[i] = lowerByte(w[i])
	}
	switch string(buf[:len(w)]) {
	case "dev", "snapshot", "nightly":
		return segPre, 1, true
	case "alpha":
		return segPre, 2, true
	case "beta":
		return segPre, 3, true
	case "pre", "preview":
		return segPre, 4, true
	case "rc":
		return segPre, 5, true
	case "build", "bld":
		return segPost, postBuild, true
	case "sp", "servicepack":
		return segPost, postServicePack, true
	case "sr":
		return segPost, postServiceRelease, true
	case "mr":
		return segPost, postMaintenance, true
	case "update", "upd":
		return segPost, postUpdate, true
	case "patch":
		return segPost, postPatch, true
	case "hotfix", "hf":
		return segPost, postHotfix, true
	case "rev":
		return segPost, postRevision, true
	}
	return 0, 0, false
}

// parseSegments splits a cleaned version into its prefix and segments.
func parseSegments(s string) Version {
	v := Version{raw: s}
	i := 0
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	if i > 0 {
		v.prefix = s[:i]
		v.rev = i == 1 && (i == len(s) || s[i] == '.')
	}
	v.segs = make([]segment, 0, countSegments(s[i:]))
	digits := v.readSegments(s, i)
	switch {
	case digits:
	case v.rev && len(v.segs) == 0 && !v.wild:
		// A lone revision letter: "K".
	default:
		return Version{raw: s}
	}
	if v.prefix != "" {
		v.scheme = schemeLetter
	} else {
		v.scheme = schemeNumeric
	}
	return v
}

// countSegments is an upper bound of the segments of s, to size the
// slice once.
func countSegments(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) && (i == 0 || isDigit(s[i]) != isDigit(s[i-1]) || !isAlnum(s[i-1])) {
			n++
		}
	}
	return min(n, maxSegments)
}

// readSegments reads the segments of s from i on and reports whether
// any digit was seen.
func (v *Version) readSegments(s string, i int) bool {
	digits := false
	for i < len(s) && len(v.segs) < maxSegments && !v.wild {
		c := s[i]
		switch {
		case isDigit(c):
			digits = true
			i = v.readNumber(s, i)
		case isLetter(c):
			i = v.readWord(s, i)
		case c == '*':
			v.wild = true
		default:
			i++
		}
	}
	return digits
}

// readNumber reads the run of digits at i, or a wildcard within a
// number ("0x" of "C.0x": any of 00 to 09).
func (v *Version) readNumber(s string, i int) int {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j < len(s) && (s[j] == 'x' || s[j] == 'X') && (j+1 == len(s) || !isAlnum(s[j+1])) &&
		(i == 0 || !isAlnum(s[i-1])) {
		v.segs = append(v.segs, numSegment(s[i:j]+"0"))
		v.hi = append(append([]segment(nil), v.segs[:len(v.segs)-1]...), numSegment(s[i:j]+"9"))
		v.wild = true
		return j + 1
	}
	v.segs = append(v.segs, numSegment(s[i:j]))
	return j
}

func numSegment(digits string) segment {
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		digits = "0"
	}
	return segment{kind: segNum, text: digits}
}

// readWord reads the run of letters at i: a wildcard "x", a marker, or
// a plain word.
func (v *Version) readWord(s string, i int) int {
	j := i
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	w := s[i:j]
	if (w == "x" || w == "X") && (i == 0 || !isAlnum(s[i-1])) && (j == len(s) || !isAlnum(s[j])) {
		v.wild = true
		return j
	}
	if strings.EqualFold(w, "service") {
		if k := skipSeparators(s, j); k+4 <= len(s) && strings.EqualFold(s[k:k+4], "pack") &&
			(k+4 == len(s) || !isLetter(s[k+4])) {
			v.segs = append(v.segs, segment{kind: segPost, rank: postServicePack})
			return k + 4
		}
	}
	if kind, rank, ok := markerOf(w); ok {
		v.segs = append(v.segs, segment{kind: kind, rank: rank})
		return j
	}
	v.segs = append(v.segs, segment{kind: segWord, text: w})
	return j
}

func skipSeparators(s string, i int) int {
	for i < len(s) && !isAlnum(s[i]) {
		i++
	}
	return i
}

var monthNames = [...]string{
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
}

// monthOf returns the month (1–12) a word names, in full or by its
// first three letters ("Aug", "sept"), or 0.
func monthOf(w string) int {
	if len(w) < 3 || len(w) > len("september") ||
		strings.IndexByte("jfmasond", lowerByte(w[0])) < 0 {
		return 0
	}
	for i, m := range monthNames {
		if strings.EqualFold(w, m) || len(w) == 3 && strings.EqualFold(w, m[:3]) {
			return i + 1
		}
	}
	if strings.EqualFold(w, "sept") {
		return 9
	}
	return 0
}

// hasMonthWord reports whether a run of letters of s names a month.
func hasMonthWord(s string) bool {
	for i := 0; i < len(s); {
		if !isLetter(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		if monthOf(s[i:j]) > 0 {
			return true
		}
		i = j
	}
	return false
}

// parseDate reads a date: "2019-08-28", "8/30/2024" (month first unless
// the first number is above 12), "2024/08/30", or words in any order
// with one month name, a day or a year or both: "august 28", "July 1
// 2017", "April 1, 2018", "26-June-2017", "May 2018". A date with no day
// stands for its whole month.
func parseDate(s string) (Version, bool) {
	y, m, d, ok := isoDate(s)
	if !ok {
		y, m, d, ok = slashDate(s)
	}
	if !ok {
		y, m, d, ok = wordDate(s)
	}
	if !ok {
		return Version{}, false
	}
	v := Version{raw: s, scheme: schemeDate}
	switch {
	case y == 0:
		v.scheme = schemeDayMonth
		v.segs = []segment{intSegment(m), intSegment(d)}
	case d == 0:
		v.segs, v.wild = []segment{intSegment(y), intSegment(m)}, true
	default:
		v.segs = []segment{intSegment(y), intSegment(m), intSegment(d)}
	}
	return v, true
}

func intSegment(n int) segment {
	return numSegment(strconv.Itoa(n))
}

// atoi reads a run of 1 to 4 digits.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func validDate(y, m, d int) bool {
	return (y == 0 || 1900 <= y && y <= 2199) && 1 <= m && m <= 12 && 0 <= d && d <= 31
}

func isoDate(s string) (y, m, d int, ok bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	y, ok1 := atoi(s[:4])
	m, ok2 := atoi(s[5:7])
	d, ok3 := atoi(s[8:])
	ok = ok1 && ok2 && ok3 && d > 0 && validDate(y, m, d)
	return y, m, d, ok
}

func slashDate(s string) (y, m, d int, ok bool) {
	p0, rest, _ := strings.Cut(s, "/")
	p1, p2, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, ok1 := atoi(p0)
	b, ok2 := atoi(p1)
	c, ok3 := atoi(p2)
	switch {
	case !ok1 || !ok2 || !ok3:
		return 0, 0, 0, false
	case len(p0) == 4:
		y, m, d = a, b, c
	case len(p2) == 4 && a > 12:
		y, m, d = c, b, a
	case len(p2) == 4:
		y, m, d = c, a, b
	default:
		return 0, 0, 0, false
	}
	return y, m, d, d > 0 && validDate(y, m, d)
}

func wordDate(s string) (y, m, d int, ok bool) {
	if !hasMonthWord(s) {
		return 0, 0, 0, false
	}
	f := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" ,-/.", r) })
	if len(f) < 2 || len(f) > 3 {
		return 0, 0, 0, false
	}
	for _, w := range f {
		if n := monthOf(w); n > 0 && m == 0 {
			m = n
			continue
		}
		n, isNum := atoi(strings.TrimRight(w, "stndrhSTNDRH"))
		switch {
		case isNum && len(w) == 4 && y == 0:
			y = n
		case isNum && len(w) <= 4 && n >= 1 && n <= 31 && d == 0:
			d = n
		default:
			return 0, 0, 0, false
		}
	}
	return y, m, d, m > 0 && validDate(y, m, d)
}
