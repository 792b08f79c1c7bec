package wsd

import (
	"bytes"

	"github.com/wardhq/ward/internal/dissect"
)

// maxValue bounds the length of a fact value, in bytes.
const maxValue = 255

// maxFacts bounds the facts one message gives; a message that would give
// more is cut short with an error.
const maxFacts = 128

// Namespaces of the messages this package reads.
var (
	nsSOAP12  = []byte("http://www.w3.org/2003/05/soap-envelope")
	nsSOAP11  = []byte("http://schemas.xmlsoap.org/soap/envelope/")
	nsWSA2004 = []byte("http://schemas.xmlsoap.org/ws/2004/08/addressing")
	nsWSA2005 = []byte("http://www.w3.org/2005/08/addressing")
	nsWSD2005 = []byte("http://schemas.xmlsoap.org/ws/2005/04/discovery")
	nsWSD2009 = []byte("http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01")
	nsDevProf = []byte("http://schemas.xmlsoap.org/ws/2006/02/devprof")
	nsDPWS    = []byte("http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01")
	nsMEX     = []byte("http://schemas.xmlsoap.org/ws/2004/09/mex")
	nsMDPWS   = []byte("http://standards.ieee.org/downloads/11073/11073-20702-2016")
	nsSDC     = []byte("http://standards.ieee.org/downloads/11073/11073-20701-2018")
	nsPub     = []byte("http://schemas.microsoft.com/windows/pub/2005/07")
	nsPnPX    = []byte("http://schemas.microsoft.com/windows/pnpx/2005/10")
)

// prefixes names the namespaces of well-known types by their usual
// prefix, which is how facts show a type whatever prefix the sender chose.
var prefixes = []struct {
	uri    []byte
	prefix string
}{
	{nsDevProf, "wsdp"},
	{nsDPWS, "dpws"},
	{nsMDPWS, "mdpws"},
	{nsSDC, "sdc"},
	{nsPub, "pub"},
	{nsPnPX, "pnpx"},
	{nsWSD2005, "wsd"},
	{nsWSD2009, "wsd"},
	{[]byte("http://schemas.microsoft.com/windows/2006/08/wdp/print"), "wprt"},
	{[]byte("http://schemas.microsoft.com/windows/2006/08/wdp/scan"), "wscn"},
	{[]byte("http://www.onvif.org/ver10/network/wsdl"), "dn"},
	{[]byte("http://www.onvif.org/ver10/device/wsdl"), "tds"},
}

func isSOAP(space []byte) bool {
	return bytes.Equal(space, nsSOAP12) || bytes.Equal(space, nsSOAP11)
}

func isWSA(space []byte) bool {
	return bytes.Equal(space, nsWSA2004) || bytes.Equal(space, nsWSA2005)
}

func isWSD(space []byte) bool {
	return bytes.Equal(space, nsWSD2005) || bytes.Equal(space, nsWSD2009)
}

func isDevProf(space []byte) bool {
	return bytes.Equal(space, nsDevProf) || bytes.Equal(space, nsDPWS)
}

// isSDCSpace reports whether a type's namespace is one of IEEE 11073 SDC.
func isSDCSpace(space []byte) bool {
	return bytes.Equal(space, nsMDPWS) || bytes.Equal(space, nsSDC)
}

// mode is what a dissector reads: a discovery datagram or a metadata body.
type mode uint8

const (
	modeDiscovery mode = iota + 1
	modeMetadata
)

// role is what an open element is to the dissector, given its ancestors.
type role uint8

const (
	roleOther role = iota // anything not read, and the document itself
	roleEnvelope
	roleHeader
	roleBody
	roleAction
	roleMatches // ProbeMatches, ResolveMatches
	roleTarget  // Hello, Bye, Probe, Resolve, ProbeMatch, ResolveMatch
	roleEPR
	roleAddress
	roleTypes
	roleScopes
	roleXAddrs
	roleVersion
	roleMetadata
	roleSection
	roleThisModel
	roleThisDevice
	roleRelationship
	roleHost
	roleHosted
	roleHostedTypes
	roleManufacturer
	roleModelName
	roleModelNumber
	rolePresentation
	roleCategory
	roleFriendlyName
	roleFirmware
	roleSerial
	roleComputer
)

// collects reports whether the text of an element with role r is read.
func collects(r role) bool {
	switch r {
	case roleOther, roleEnvelope, roleHeader, roleBody, roleMatches, roleTarget, roleEPR,
		roleMetadata, roleSection, roleThisModel, roleThisDevice, roleRelationship, roleHost,
		roleHosted:
		return false
	}
	return true
}

// dissector holds the state of one message being read.
type dissector struct {
	mode  mode
	who   dissect.Endpoint
	out   []dissect.Fact
	first int   // facts before out[first] are the caller's
	soft  error // the first problem that did not stop decoding

	s         scanner
	roles     [maxDepth + 1]role // roles[d] is the role of the element at depth d
	text      []byte             // decoded text of the element being read
	textDepth int                // depth of that element, 0 for none

	kind        kind // discovery: the message in the body
	action      kind // discovery: the message wsa:Action names
	model       modelInfo
	sawMetadata bool // metadata: the body holds a Metadata element
}

// run reads the message p, giving each element a role as it starts and
// handing the text of those that collect it to their role as they end.
func (d *dissector) run(p []byte) error {
	if len(p) > maxInput {
		return dissect.Errorf(Source, 0, "message of %d bytes is over the %d-byte limit",
			len(p), maxInput)
	}
	d.s.init(p)
	for {
		t, err := d.s.next()
		if err != nil {
			return err
		}
		switch t.kind {
		case tokEOF:
			return d.finish(t.off)
		case tokStart:
			if err := d.startElement(t); err != nil {
				return err
			}
		case tokText:
			if err := d.chars(t); err != nil {
				return err
			}
		case tokEnd:
			d.endElement()
		}
	}
}

// startElement gives a new element its role from its parent's.
func (d *dissector) startElement(t token) error {
	depth := d.s.depth
	var r role
	if d.mode == modeDiscovery {
		r = d.discoveryChild(d.roles[depth-1], t.space, t.local)
	} else {
		r = d.metadataChild(d.roles[depth-1], t.space, t.local)
	}
	if depth == 1 && r != roleEnvelope {
		return dissect.Errorf(Source, t.off, "root element is not a soap envelope")
	}
	d.roles[depth] = r
	if collects(r) {
		d.text = d.text[:0]
		d.textDepth = depth
	}
	if r == roleTarget {
		d.startTarget()
	}
	return nil
}

// chars collects text directly inside the element being read.
func (d *dissector) chars(t token) error {
	if d.textDepth != d.s.depth {
		return nil
	}
	if t.cdata {
		d.text = append(d.text, t.text...)
		return nil
	}
	var ok bool
	if d.text, ok = decodeText(d.text, t.text); !ok {
		return dissect.Errorf(Source, t.off, "malformed or unknown entity reference")
	}
	return nil
}

// endElement hands the text of an element that collects it to its role.
func (d *dissector) endElement() {
	depth := d.s.depth
	r := d.roles[depth]
	if d.textDepth != depth {
		if r == roleThisModel {
			d.flushModel()
		}
		return
	}
	d.textDepth = 0
	if d.mode == modeDiscovery {
		d.discoveryText(r, d.text)
	} else {
		d.metadataText(r, d.text)
	}
}

// finish checks what the whole message gave once it has been read.
func (d *dissector) finish(off int) error {
	if d.mode == modeDiscovery {
		if err := d.checkKind(off); err != nil {
			return err
		}
	} else if err := d.checkMetadata(off); err != nil {
		return err
	}
	return d.soft
}

// problem records a problem that does not stop decoding; the first one
// is returned once the message has been read.
func (d *dissector) problem(format string, args ...any) {
	if d.soft == nil {
		d.soft = dissect.Errorf(Source, d.s.off, format, args...)
	}
}

// emit appends a fact about the sender.
func (d *dissector) emit(key, value string, c dissect.Confidence) {
	d.emitWho(d.who, key, value, c)
}

// emitWho appends a fact about who, unless value is empty or this message
// already gave the same fact.
func (d *dissector) emitWho(who dissect.Endpoint, key, value string, c dissect.Confidence) {
	if value == "" {
		return
	}
	for _, f := range d.out[d.first:] {
		if f.Key == key && f.Value == value && f.Who == who {
			return
		}
	}
	if len(d.out)-d.first == maxFacts {
		d.problem("message gives more than %d facts", maxFacts)
		return
	}
	d.out = append(d.out, dissect.Fact{Who: who, Source: Source, Key: key, Value: value,
		Confidence: c})
}

// qname resolves a QName in element content against the namespace
// declarations in scope. It returns the readable form facts use,
// "prefix:Local" with the usual prefix of a well-known namespace,
// "{uri}Local" for another, and the namespace URI.
func (d *dissector) qname(q []byte) (name string, space []byte, ok bool) {
	prefix, local := splitQName(q)
	space, ok = d.s.lookup(prefix)
	if !ok || len(local) == 0 || bytes.IndexByte(local, ':') >= 0 {
		return "", nil, false
	}
	for _, p := range prefixes {
		if bytes.Equal(space, p.uri) {
			var buf [64]byte
			return value(append(append(append(buf[:0], p.prefix...), ':'), local...)), space, true
		}
	}
	if space == nil {
		return value(local), nil, true
	}
	return cut("{" + value(space) + "}" + value(local)), space, true
}

// value turns bytes of a message into a fact value: cut to maxValue bytes
// at a character boundary, then cleaned by dissect.Text.
func value(b []byte) string {
	if len(b) > maxValue {
		n := maxValue
		for n > maxValue-3 && b[n]&0xc0 == 0x80 {
			n--
		}
		b = b[:n]
	}
	return dissect.Text(b)
}

// cut cuts a clean value, such as value returns or a concatenation of
// them, to maxValue bytes at a character boundary.
func cut(s string) string {
	if len(s) <= maxValue {
		return s
	}
	n := maxValue
	for n > maxValue-3 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// fields calls fn for each white-space separated item of a list, such as
// the QNames of Types or the URIs of Scopes and XAddrs.
func fields(b []byte, fn func(item []byte)) {
	for {
		i := skipSpace(b, 0)
		b = b[i:]
		if len(b) == 0 {
			return
		}
		j := 0
		for j < len(b) && !isSpaceByte(b[j]) {
			j++
		}
		fn(b[:j])
		b = b[j:]
	}
}
