// Package wsd dissects WS-Discovery, the SOAP-over-UDP protocol of port
// 3702 that Windows (WSD), Samba's wsdd, printers, cameras (ONVIF) and
// IEEE 11073 SDC medical devices (DPWS, through MDPWS, 11073-20702) use to
// announce themselves and to find each other. Both the 2005/04 draft
// namespace (Windows, wsdd) and the OASIS 1.1 namespace of 2009/01 (DPWS
// 1.1, SDC) are read.
//
// Dissect reads one datagram. A target service announces itself with
// Hello and Bye, and answers searches with ProbeMatches and ResolveMatches;
// from these come facts about the sender, at High confidence unless said
// otherwise:
//
//   - dissect.KeyService "wsd", then "wsd:" and each type it announces;
//     "sdc" when a type or scope is one of IEEE 11073 SDC
//   - KeyEndpoint, KeyType, KeyScope, KeyXAddr, KeyMetadataVersion
//   - dissect.KeyMgmtAddress, the IP literal host of an XAddr, about the
//     sender's MAC and that address (as LLDP and CDP report theirs)
//   - dissect.KeyClinicalRole "sdc-medical-device" for the type
//     mdpws:MedicalDevice or the SDC service-provider key purpose scope
//     (sdc.mds.pkp:1.2.840.10004.20701.1.1); and "patient-monitor",
//     "infusion-pump", "ventilator" or "pulse-oximeter" when an
//     sdc.cdc.type scope names one of the few MDS types of IEEE
//     11073-10101 this package knows (codes 69965, 69985 and 70001, and
//     reference ids); any other code is reported without a role
//   - KeyCDCType, KeyLocation, from the SDC scopes of IEEE 11073-20701
//   - dissect.KeyModel and KeyFriendlyName, at Medium, from ONVIF's
//     hardware and name scopes
//
// Patient data never leaves this package. A patient context scope
// (sdc.ctxt.pat) gives only KeyPatientContext "advertised"; workflow and
// operator context scopes (sdc.ctxt.wfl, sdc.ctxt.opr), which name orders
// and staff, give only KeyWithheldContext. Their values appear in no fact
// and no error.
//
// No dissect.KeyOS is given: Windows announces the type pub:Computer, but
// so does Samba's wsdd on Linux, and neither says more over UDP.
//
// A Probe comes from a client and says what it looks for, not what it is:
// it gives only KeyProbe, at Low confidence, for each type it asks for.
// A Resolve names the device it looks for and gives nothing.
//
// DissectMetadata reads the body of a metadata exchange (WS-Transfer
// GetResponse, DPWS section 5), fetched over HTTP from an XAddr.
//
// All facts have Source "wsd" and are about the sender of the message.
// Types are shown "prefix:Local", with the usual prefix of a well-known
// namespace ("wsdp:Device", "dpws:Device", "mdpws:MedicalDevice",
// "pub:Computer", "sdc:ServiceProvider"), or "{namespace}Local". The
// XML reader is this package's own: bounded in input (64 KiB), nesting,
// elements, attributes and namespace declarations, and it accepts no
// document type declaration, so no entity is defined or expanded.
package wsd

import (
	"bytes"

	"github.com/wardhq/ward/internal/dissect"
)

// Source is the Source of every fact this package gives.
const Source = "wsd"

// Fact keys of this package, besides the shared ones.
const (
	// KeyEndpoint is the address of the endpoint reference, the stable
	// identity of a target service: "urn:uuid:…" as a rule.
	KeyEndpoint = "wsd_endpoint"
	// KeyType is a type the target announces: "pub:Computer".
	KeyType = "wsd_type"
	// KeyScope is a scope the target announces, a URI, as sent.
	KeyScope = "wsd_scope"
	// KeyXAddr is a transport address of the target, the URL of its
	// metadata, without any user information, query or fragment.
	KeyXAddr = "wsd_xaddr"
	// KeyMetadataVersion is the version of the target's metadata, a
	// decimal number that grows when they change.
	KeyMetadataVersion = "wsd_metadata_version"
	// KeyProbe is a type a client searches for with a Probe.
	KeyProbe = "wsd_probe"
	// KeyCDCType is the type of a complex device component (an MDS or a
	// VMD) from an sdc.cdc.type scope: "mdc:69965" for a code of IEEE
	// 11073-10101, else "CODINGSYSTEM:CODE".
	KeyCDCType = "wsd_cdc_type"
	// KeyLocation is one part of the location an SDC device is assigned
	// to (sdc.ctxt.loc), "fac=…", "bldng=…", "flr=…", "poc=…", "rm=…" or
	// "bed=…": facility, building, floor, point of care, room and bed.
	KeyLocation = "wsd_location"
	// KeyPatientContext is "advertised" when the target announces a
	// patient context scope; the scope itself is never kept.
	KeyPatientContext = "wsd_patient_context"
	// KeyWithheldContext is "workflow" or "operator" when the target
	// announces that context scope; the scope itself is never kept.
	KeyWithheldContext = "wsd_withheld_context"
	// KeyFriendlyName is a name given to the device for people to read:
	// DPWS FriendlyName, or an ONVIF name scope.
	KeyFriendlyName = "wsd_friendly_name"
)

// kind is the kind of a discovery message.
type kind uint8

const (
	kindHello kind = iota + 1
	kindBye
	kindProbe
	kindProbeMatches
	kindResolve
	kindResolveMatches
)

// kinds holds the message names, in the order of the kinds.
var kinds = [...]string{"", "Hello", "Bye", "Probe", "ProbeMatches", "Resolve", "ResolveMatches"}

// targetKind is the kind of the message whose body element has local
// name local, 0 if none.
func targetKind(local []byte) kind {
	for k, name := range kinds {
		if k > 0 && string(local) == name {
			return kind(k)
		}
	}
	return 0
}

// describesSender reports whether a message of kind k is about its sender
// (a target service) rather than about what a client looks for.
func (k kind) describesSender() bool {
	return k != kindProbe && k != kindResolve
}

// Dissect dissects one WS-Discovery message, the payload of a UDP
// datagram to or from port 3702.
func Dissect(ctx *dissect.Context, payload []byte, out []dissect.Fact) ([]dissect.Fact, error) {
	d := dissector{mode: modeDiscovery, who: ctx.Src, out: out, first: len(out)}
	err := d.run(payload)
	return d.out, err
}

// discoveryChild gives the role of an element in a discovery message.
func (d *dissector) discoveryChild(parent role, space, local []byte) role {
	switch parent {
	case roleOther:
		if d.s.depth == 1 && isSOAP(space) && string(local) == "Envelope" {
			return roleEnvelope
		}
	case roleEnvelope:
		return envelopeChild(space, local)
	case roleHeader:
		if isWSA(space) && string(local) == "Action" {
			return roleAction
		}
	case roleBody:
		return d.bodyChild(space, local)
	case roleMatches:
		if isWSD(space) && (d.kind == kindProbeMatches && string(local) == "ProbeMatch" ||
			d.kind == kindResolveMatches && string(local) == "ResolveMatch") {
			return roleTarget
		}
	case roleTarget:
		return targetChild(space, local)
	case roleEPR:
		if isWSA(space) && string(local) == "Address" {
			return roleAddress
		}
	}
	return roleOther
}

// envelopeChild gives the role of a child of the SOAP envelope.
func envelopeChild(space, local []byte) role {
	switch {
	case !isSOAP(space):
	case string(local) == "Header":
		return roleHeader
	case string(local) == "Body":
		return roleBody
	}
	return roleOther
}

// bodyChild gives the role of a child of the SOAP body: the first
// discovery message sets the kind, and any other element is not read.
func (d *dissector) bodyChild(space, local []byte) role {
	k := targetKind(local)
	if !isWSD(space) || k == 0 || d.kind != 0 {
		return roleOther
	}
	d.kind = k
	if k == kindProbeMatches || k == kindResolveMatches {
		return roleMatches
	}
	return roleTarget
}

// targetChild gives the role of a child of a Hello, Bye, Probe, Resolve,
// ProbeMatch or ResolveMatch.
func targetChild(space, local []byte) role {
	if isWSA(space) && string(local) == "EndpointReference" {
		return roleEPR
	}
	if !isWSD(space) {
		return roleOther
	}
	switch string(local) {
	case "Types":
		return roleTypes
	case "Scopes":
		return roleScopes
	case "XAddrs":
		return roleXAddrs
	case "MetadataVersion":
		return roleVersion
	}
	return roleOther
}

// startTarget gives the facts every announcement gives.
func (d *dissector) startTarget() {
	if d.mode == modeDiscovery && d.kind.describesSender() {
		d.emit(dissect.KeyService, "wsd", dissect.High)
	}
}

// discoveryText reads the text of an element of a discovery message.
func (d *dissector) discoveryText(r role, text []byte) {
	if r == roleAction {
		d.action = actionKind(bytes.TrimSpace(text))
		return
	}
	if r == roleTypes && d.kind == kindProbe {
		d.probeTypes(text)
		return
	}
	if !d.kind.describesSender() {
		return
	}
	switch r {
	case roleAddress:
		d.emit(KeyEndpoint, value(bytes.TrimSpace(text)), dissect.High)
	case roleTypes:
		d.types(text)
	case roleScopes:
		fields(text, d.scope)
	case roleXAddrs:
		fields(text, d.xaddr)
	case roleVersion:
		if v := bytes.TrimSpace(text); isDecimal(v) {
			d.emit(KeyMetadataVersion, string(v), dissect.High)
		}
	}
}

// actionKind is the kind of message a wsa:Action URI names, 0 if none.
func actionKind(action []byte) kind {
	for _, ns := range [...][]byte{nsWSD2005, nsWSD2009} {
		if rest, ok := bytes.CutPrefix(action, ns); ok && len(rest) > 1 && rest[0] == '/' {
			return targetKind(rest[1:])
		}
	}
	return 0
}

// checkKind checks, once the message is read, that its body held a
// discovery message, of the kind its action names if it names one.
func (d *dissector) checkKind(off int) error {
	switch {
	case d.kind == 0:
		return dissect.Errorf(Source, off, "soap body holds no ws-discovery message")
	case d.action != 0 && d.action != d.kind:
		return dissect.Errorf(Source, off, "action names %s but the body holds %s",
			kinds[d.action], kinds[d.kind])
	}
	return nil
}

// types reads the QNames of a target's Types.
func (d *dissector) types(text []byte) { d.typeList(text, KeyType, "type") }

// typeList reads a list of QNames, each giving a fact of key and the
// services it implies; what names the list in problems.
func (d *dissector) typeList(text []byte, key, what string) {
	fields(text, func(q []byte) {
		name, space, ok := d.qname(q)
		if !ok {
			d.problem("%s with an undeclared or malformed prefix", what)
			return
		}
		d.emit(key, name, dissect.High)
		d.emit(dissect.KeyService, cut("wsd:"+name), dissect.High)
		if isSDCSpace(space) {
			d.emit(dissect.KeyService, "sdc", dissect.High)
		}
		if _, local := splitQName(q); key == KeyType && bytes.Equal(space, nsMDPWS) &&
			string(local) == "MedicalDevice" {
			d.emit(dissect.KeyClinicalRole, roleSDCDevice, dissect.High)
		}
	})
}

// probeTypes reads the QNames a Probe searches for.
func (d *dissector) probeTypes(text []byte) {
	fields(text, func(q []byte) {
		if name, _, ok := d.qname(q); ok {
			d.emit(KeyProbe, name, dissect.Low)
		}
	})
}

// isDecimal reports whether b is a decimal number that fits 32 bits, as
// MetadataVersion is.
func isDecimal(b []byte) bool {
	if len(b) == 0 || len(b) > 10 {
		return false
	}
	n := uint64(0)
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + uint64(c-'0')
	}
	return n <= 1<<32-1
}
