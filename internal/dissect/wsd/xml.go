package wsd

import (
	"bytes"
	"unicode/utf8"

	"github.com/wardhq/ward/internal/dissect"
)

// Limits of the scanner. A message that passes one is an error, not a
// larger allocation: the scanner keeps its state in fixed arrays.
const (
	maxInput    = 64 << 10 // bytes of one message: a UDP datagram, or an HTTP body
	maxDepth    = 32       // nesting of elements; discovery messages use 6, metadata 8
	maxElements = 4096     // elements in one message
	maxAttrs    = 64       // attributes of one element
	maxBindings = 64       // namespace declarations in scope at once
)

// xmlNamespace is the namespace the prefix "xml" is bound to by definition.
var xmlNamespace = []byte("http://www.w3.org/XML/1998/namespace")

// tokenKind is the kind of a token the scanner returns.
type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokStart
	tokEnd
	tokText
)

// token is one piece of a message. Its slices alias the input.
type token struct {
	kind  tokenKind
	space []byte // start, end: the namespace URI of the element, nil for none
	local []byte // start, end: the local name of the element
	text  []byte // text: as written, entities not yet decoded, unless cdata
	cdata bool
	off   int // where the token starts in the input
}

// frame is an open element.
type frame struct {
	qname []byte // as written, to match the end tag
	space []byte
	local []byte
	mark  int // bindings in scope before the element's own declarations
}

// binding is one namespace declaration: xmlns:prefix="uri", or
// xmlns="uri" when prefix is empty.
type binding struct {
	prefix, uri []byte
}

// scanner is a small XML tokenizer for SOAP envelopes. It checks that tags
// nest and match, resolves element prefixes against the declarations in
// scope, and refuses document type declarations, so no entity is ever
// defined or expanded. It does not validate names or attribute syntax
// beyond what it needs to find the end of a tag, and it does not decode
// attribute values: a namespace URI is compared as written.
type scanner struct {
	p   []byte
	off int

	stack [maxDepth]frame
	depth int // open elements; stack[depth-1] is the innermost
	ns    [maxBindings]binding
	nns   int
	elems int

	pendingEnd bool // the last start tag was empty-element: its end comes next
	pendingPop bool // the last token was an end: pop it before the next
	rootSeen   bool
	rootDone   bool
}

// init makes s scan p, skipping a UTF-8 byte order mark.
func (s *scanner) init(p []byte) {
	*s = scanner{p: p}
	if bytes.HasPrefix(p, []byte("\xef\xbb\xbf")) {
		s.off = 3
	}
}

func (s *scanner) errorf(off int, format string, args ...any) error {
	return dissect.Errorf(Source, off, format, args...)
}

// next returns the next token. At the end of a well-formed message it
// returns a tokEOF token and no error.
func (s *scanner) next() (token, error) {
	if s.pendingPop {
		s.pop()
	}
	if s.pendingEnd {
		s.pendingEnd = false
		s.pendingPop = true
		top := &s.stack[s.depth-1]
		return token{kind: tokEnd, space: top.space, local: top.local, off: s.off}, nil
	}
	for {
		if s.off >= len(s.p) {
			return s.eof()
		}
		if s.p[s.off] != '<' {
			t, ok, err := s.chars()
			if ok || err != nil {
				return t, err
			}
			continue
		}
		t, ok, err := s.markup()
		if ok || err != nil {
			return t, err
		}
	}
}

// eof checks that the message ended where it may.
func (s *scanner) eof() (token, error) {
	switch {
	case s.depth > 0:
		return token{}, s.errorf(s.off, "message ends inside %d open elements", s.depth)
	case !s.rootSeen:
		return token{}, s.errorf(s.off, "message has no root element")
	}
	return token{kind: tokEOF, off: s.off}, nil
}

// chars reads the character data up to the next '<'. Outside the root
// element only white space may appear; ok is false when it is skipped.
func (s *scanner) chars() (t token, ok bool, err error) {
	start := s.off
	end := len(s.p)
	if i := bytes.IndexByte(s.p[start:], '<'); i >= 0 {
		end = start + i
	}
	s.off = end
	if s.depth == 0 {
		if !isSpace(s.p[start:end]) {
			return token{}, false, s.errorf(start, "text outside the root element")
		}
		return token{}, false, nil
	}
	return token{kind: tokText, text: s.p[start:end], off: start}, true, nil
}

// markup reads what starts with '<': a tag, CDATA, or something skipped
// (a comment or processing instruction, for which ok is false).
func (s *scanner) markup() (t token, ok bool, err error) {
	rest := s.p[s.off:]
	switch {
	case bytes.HasPrefix(rest, []byte("<?")):
		return token{}, false, s.skip("?>", "processing instruction")
	case bytes.HasPrefix(rest, []byte("<!--")):
		return token{}, false, s.skip("-->", "comment")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return s.cdata()
	case bytes.HasPrefix(rest, []byte("<!")):
		return token{}, false, s.errorf(s.off, "document type declarations are not accepted")
	case bytes.HasPrefix(rest, []byte("</")):
		t, err := s.endTag()
		return t, err == nil, err
	}
	t, err = s.startTag()
	return t, err == nil, err
}

// skip moves past the next occurrence of end.
func (s *scanner) skip(end, what string) error {
	i := bytes.Index(s.p[s.off:], []byte(end))
	if i < 0 {
		return s.errorf(s.off, "message ends inside a %s", what)
	}
	s.off += i + len(end)
	return nil
}

// cdata reads a CDATA section as text.
func (s *scanner) cdata() (token, bool, error) {
	start := s.off
	if s.depth == 0 {
		return token{}, false, s.errorf(start, "cdata outside the root element")
	}
	body := start + len("<![CDATA[")
	i := bytes.Index(s.p[body:], []byte("]]>"))
	if i < 0 {
		return token{}, false, s.errorf(start, "message ends inside cdata")
	}
	s.off = body + i + len("]]>")
	return token{kind: tokText, text: s.p[body : body+i], cdata: true, off: start}, true, nil
}

// startTag reads a start tag or an empty-element tag and opens its element.
func (s *scanner) startTag() (token, error) {
	start := s.off
	switch {
	case s.rootDone:
		return token{}, s.errorf(start, "second root element")
	case s.depth == maxDepth:
		return token{}, s.errorf(start, "elements nested deeper than %d", maxDepth)
	case s.elems == maxElements:
		return token{}, s.errorf(start, "more than %d elements", maxElements)
	}
	s.elems++
	i := start + 1
	name := s.name(i)
	if len(name) == 0 {
		return token{}, s.errorf(start, "start tag has no name")
	}
	mark := s.nns
	i, empty, err := s.attrs(i + len(name))
	if err != nil {
		s.nns = mark
		return token{}, err
	}
	prefix, local := splitQName(name)
	space, ok := s.lookup(prefix)
	if !ok || len(local) == 0 {
		s.nns = mark
		return token{}, s.errorf(start, "element prefix is not declared")
	}
	s.stack[s.depth] = frame{qname: name, space: space, local: local, mark: mark}
	s.depth++
	s.rootSeen = true
	s.off = i
	s.pendingEnd = empty
	return token{kind: tokStart, space: space, local: local, off: start}, nil
}

// attrs reads the attributes of a start tag from i up to and including
// its '>' or "/>", declaring the namespaces they bind. It returns the
// offset past the tag and whether the tag was empty-element.
func (s *scanner) attrs(i int) (end int, empty bool, err error) {
	for n := 0; ; n++ {
		j := skipSpace(s.p, i)
		if j >= len(s.p) {
			return 0, false, s.errorf(i, "message ends inside a start tag")
		}
		switch {
		case s.p[j] == '>':
			return j + 1, false, nil
		case s.p[j] == '/' && j+1 < len(s.p) && s.p[j+1] == '>':
			return j + 2, true, nil
		case j == i:
			return 0, false, s.errorf(j, "malformed start tag")
		case n == maxAttrs:
			return 0, false, s.errorf(j, "more than %d attributes", maxAttrs)
		}
		if i, err = s.attr(j); err != nil {
			return 0, false, err
		}
	}
}

// attr reads one attribute, name="value" or name='value', at i.
func (s *scanner) attr(i int) (int, error) {
	name := s.name(i)
	if len(name) == 0 {
		return 0, s.errorf(i, "malformed attribute")
	}
	j := skipSpace(s.p, i+len(name))
	if j >= len(s.p) || s.p[j] != '=' {
		return 0, s.errorf(i, "attribute without a value")
	}
	j = skipSpace(s.p, j+1)
	if j >= len(s.p) || (s.p[j] != '"' && s.p[j] != '\'') {
		return 0, s.errorf(i, "attribute value is not quoted")
	}
	k := bytes.IndexByte(s.p[j+1:], s.p[j])
	if k < 0 {
		return 0, s.errorf(i, "message ends inside an attribute value")
	}
	value := s.p[j+1 : j+1+k]
	if bytes.IndexByte(value, '<') >= 0 {
		return 0, s.errorf(j, "'<' in an attribute value")
	}
	if err := s.declare(name, value, i); err != nil {
		return 0, err
	}
	return j + 2 + k, nil
}

// declare records the namespace binding an attribute makes, if any.
func (s *scanner) declare(name, value []byte, off int) error {
	var prefix []byte
	switch {
	case bytes.Equal(name, []byte("xmlns")):
	case bytes.HasPrefix(name, []byte("xmlns:")):
		prefix = name[len("xmlns:"):]
		if len(prefix) == 0 || bytes.Equal(prefix, []byte("xml")) ||
			bytes.Equal(prefix, []byte("xmlns")) {
			return nil
		}
	default:
		return nil
	}
	if s.nns == maxBindings {
		return s.errorf(off, "more than %d namespace declarations in scope", maxBindings)
	}
	s.ns[s.nns] = binding{prefix: prefix, uri: value}
	s.nns++
	return nil
}

// endTag reads an end tag, which must close the innermost open element.
func (s *scanner) endTag() (token, error) {
	start := s.off
	name := s.name(start + 2)
	j := skipSpace(s.p, start+2+len(name))
	switch {
	case j >= len(s.p):
		return token{}, s.errorf(start, "message ends inside an end tag")
	case s.p[j] != '>' || len(name) == 0:
		return token{}, s.errorf(start, "malformed end tag")
	case s.depth == 0:
		return token{}, s.errorf(start, "end tag without a start tag")
	case !bytes.Equal(name, s.stack[s.depth-1].qname):
		return token{}, s.errorf(start, "end tag does not match its start tag")
	}
	s.off = j + 1
	s.pendingPop = true
	top := &s.stack[s.depth-1]
	return token{kind: tokEnd, space: top.space, local: top.local, off: start}, nil
}

// pop closes the innermost element and ends the scope of its declarations.
func (s *scanner) pop() {
	s.pendingPop = false
	s.depth--
	s.nns = s.stack[s.depth].mark
	if s.depth == 0 {
		s.rootDone = true
	}
}

// lookup returns the namespace URI that prefix is bound to in the current
// scope; ok is false when a non-empty prefix is not bound. The empty
// prefix is bound to the default namespace, or to none (a nil URI).
func (s *scanner) lookup(prefix []byte) (uri []byte, ok bool) {
	if bytes.Equal(prefix, []byte("xml")) {
		return xmlNamespace, true
	}
	for i := s.nns - 1; i >= 0; i-- {
		if bytes.Equal(s.ns[i].prefix, prefix) {
			uri = s.ns[i].uri
			if len(uri) == 0 {
				return nil, len(prefix) == 0
			}
			return uri, true
		}
	}
	return nil, len(prefix) == 0
}

// name returns the name that starts at i: the bytes up to white space or
// one of the delimiters of markup.
func (s *scanner) name(i int) []byte {
	j := i
	for j < len(s.p) && !isNameEnd(s.p[j]) {
		j++
	}
	return s.p[i:j]
}

func isNameEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '/', '>', '<', '=', '"', '\'':
		return true
	}
	return false
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// isSpace reports whether b is only XML white space.
func isSpace(b []byte) bool {
	for _, c := range b {
		if !isSpaceByte(c) {
			return false
		}
	}
	return true
}

func skipSpace(p []byte, i int) int {
	for i < len(p) && isSpaceByte(p[i]) {
		i++
	}
	return i
}

// splitQName splits "prefix:local" at its first colon; a name without one
// has an empty prefix.
func splitQName(q []byte) (prefix, local []byte) {
	if i := bytes.IndexByte(q, ':'); i >= 0 {
		return q[:i], q[i+1:]
	}
	return nil, q
}

// decodeText appends raw character data to dst with its references
// replaced: the five predefined entities and character references. Any
// other entity is an error, as no document type can define one.
func decodeText(dst, raw []byte) ([]byte, bool) {
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			return append(dst, raw...), true
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		j := bytes.IndexByte(raw, ';')
		if j < 0 || j > 12 {
			return dst, false
		}
		r, ok := reference(raw[1:j])
		if !ok {
			return dst, false
		}
		dst = utf8.AppendRune(dst, r)
		raw = raw[j+1:]
	}
	return dst, true
}

// reference returns the character a reference names, given what stands
// between its '&' and ';'.
func reference(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	base, digits := 10, name[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 {
		return 0, false
	}
	var r rune
	for _, c := range digits {
		d := digitValue(c)
		if d < 0 || d >= base {
			return 0, false
		}
		r = r*rune(base) + rune(d)
		if r > utf8.MaxRune {
			return 0, false
		}
	}
	if r == 0 || (r >= 0xd800 && r <= 0xdfff) {
		return 0, false
	}
	return r, true
}

// digitValue returns the value of a hexadecimal digit, or -1.
func digitValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
