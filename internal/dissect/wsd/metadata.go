package wsd

import (
	"bytes"
	"strings"

	"github.com/wardhq/ward/internal/dissect"
)

// Fact keys of DissectMetadata, besides KeyEndpoint, KeyType and
// KeyFriendlyName, and the shared dissect.KeyManufacturer, KeyModel,
// KeyFirmware, KeySerial, KeyHostname, KeyService and KeyMgmtAddress.
const (
	// KeyHostedType is a type of a service the device hosts:
	// "sdc:GetService", "wprt:PrinterServiceType".
	KeyHostedType = "wsd_hosted_type"
	// KeyPresentationURL is the URL of the device's own web pages, without
	// any user information, query or fragment.
	KeyPresentationURL = "wsd_presentation_url"
	// KeyDeviceCategory is a PnP-X device category: "Computers",
	// "Printers", "MediaDevices"…
	KeyDeviceCategory = "wsd_device_category"
	// KeyWorkgroup is the Windows workgroup of a computer, from a
	// pub:Computer value "HOSTNAME/Workgroup:NAME".
	KeyWorkgroup = "wsd_workgroup"
	// KeyDomain is the Windows domain of a computer, from a pub:Computer
	// value "HOSTNAME/Domain:NAME".
	KeyDomain = "wsd_domain"
)

// modelInfo holds the parts of dissect.KeyModel until ThisModel ends.
type modelInfo struct {
	name, number string
	done         bool // KeyModel was given
}

// DissectMetadata dissects the body of a metadata exchange: the SOAP
// envelope of a WS-Transfer GetResponse or a WS-MetadataExchange
// GetMetadataResponse, whose metadata sections describe the device (DPWS
// ThisModel and ThisDevice) and the services it hosts (Relationship).
// Facts are about ctx.Src, which must be the sender of the body: for an
// HTTP response, the server.
//
// ThisModel gives dissect.KeyManufacturer, dissect.KeyModel ("ModelName
// ModelNumber", or whichever is present), KeyPresentationURL and
// KeyDeviceCategory; ThisDevice gives KeyFriendlyName,
// dissect.KeyFirmware and dissect.KeySerial. Localised strings count in
// their first language only. The host gives KeyEndpoint, KeyType and
// dissect.KeyService as a discovery message does, and a pub:Computer
// value gives dissect.KeyHostname and KeyWorkgroup or KeyDomain; each
// hosted service gives KeyHostedType and dissect.KeyService. All are at
// High confidence.
func DissectMetadata(ctx *dissect.Context, body []byte, out []dissect.Fact) ([]dissect.Fact,
	error) {
	d := dissector{mode: modeMetadata, who: ctx.Src, out: out, first: len(out)}
	err := d.run(body)
	d.flushModel()
	d.softwareModel()
	return d.out, err
}

// softwareModel rewrites the model of a host whose WSD daemon describes
// itself rather than the machine: Samba's wsdd gives Manufacturer and
// ModelName "wsdd", and a firmware version and serial number of its own
// (1.0 and 1). Those say what software answers, not who made the device,
// so they become one software fact.
func (d *dissector) softwareModel() {
	self := false
	for _, f := range d.out[d.first:] {
		if f.Key == dissect.KeyManufacturer && strings.EqualFold(f.Value, "wsdd") {
			self = true
		}
	}
	if !self {
		return
	}
	kept := d.out[:d.first]
	for _, f := range d.out[d.first:] {
		switch f.Key {
		case dissect.KeyManufacturer:
			f.Key, f.Value, f.Confidence = dissect.KeySoftware, "wsdd", dissect.Low
		case dissect.KeyModel, dissect.KeyFirmware, dissect.KeySerial:
			continue
		}
		kept = append(kept, f)
	}
	d.out = kept
}

// metadataChild gives the role of an element in a metadata body.
func (d *dissector) metadataChild(parent role, space, local []byte) role {
	switch parent {
	case roleOther:
		if d.s.depth == 1 && isSOAP(space) && string(local) == "Envelope" {
			return roleEnvelope
		}
	case roleEnvelope:
		return envelopeChild(space, local)
	case roleBody:
		if bytes.Equal(space, nsMEX) && string(local) == "Metadata" {
			d.sawMetadata = true
			return roleMetadata
		}
	case roleMetadata:
		if bytes.Equal(space, nsMEX) && string(local) == "MetadataSection" {
			return roleSection
		}
	case roleEPR:
		if isWSA(space) && string(local) == "Address" {
			return roleAddress
		}
	default:
		return devProfChild(parent, space, local)
	}
	return roleOther
}

// devProfChildren gives the roles of the children of a metadata section
// that this package reads, by the role of their parent.
var devProfChildren = map[role]map[string]role{
	roleSection: {
		"ThisModel": roleThisModel, "ThisDevice": roleThisDevice,
		"Relationship": roleRelationship,
	},
	roleThisModel: {
		"Manufacturer": roleManufacturer, "ModelName": roleModelName,
		"ModelNumber": roleModelNumber, "PresentationUrl": rolePresentation,
	},
	roleThisDevice: {
		"FriendlyName": roleFriendlyName, "FirmwareVersion": roleFirmware,
		"SerialNumber": roleSerial,
	},
	roleRelationship: {"Host": roleHost, "Hosted": roleHosted},
	roleHost:         {"Types": roleTypes},
	roleHosted:       {"Types": roleHostedTypes},
}

// devProfChild gives the role of an element inside a metadata section.
func devProfChild(parent role, space, local []byte) role {
	switch {
	case parent == roleThisModel && bytes.Equal(space, nsPnPX) &&
		string(local) == "DeviceCategory":
		return roleCategory
	case parent == roleHost && isWSA(space) && string(local) == "EndpointReference":
		return roleEPR
	case parent == roleHost && bytes.Equal(space, nsPub) && string(local) == "Computer":
		return roleComputer
	case !isDevProf(space):
		return roleOther
	}
	return devProfChildren[parent][string(local)]
}

// metadataText reads the text of an element of a metadata body.
func (d *dissector) metadataText(r role, text []byte) {
	text = bytes.TrimSpace(text)
	switch r {
	case roleManufacturer:
		d.emitFirst(dissect.KeyManufacturer, value(text))
	case roleModelName:
		if d.model.name == "" {
			d.model.name = value(text)
		}
	case roleModelNumber:
		if d.model.number == "" {
			d.model.number = value(text)
		}
	case rolePresentation:
		u := value(cleanURL(text))
		d.emit(KeyPresentationURL, u, dissect.High)
		d.mgmtAddress(u)
	case roleCategory:
		fields(text, func(c []byte) { d.emit(KeyDeviceCategory, value(c), dissect.High) })
	case roleFriendlyName:
		d.emitFirst(KeyFriendlyName, value(text))
	case roleFirmware:
		d.emitFirst(dissect.KeyFirmware, value(text))
	case roleSerial:
		d.emitFirst(dissect.KeySerial, value(text))
	default:
		d.hostText(r, text)
	}
}

// hostText reads the text of an element that describes the host or a
// hosted service.
func (d *dissector) hostText(r role, text []byte) {
	switch r {
	case roleAddress:
		d.emit(KeyEndpoint, value(text), dissect.High)
	case roleTypes:
		d.types(text)
	case roleHostedTypes:
		d.hostedTypes(text)
	case roleComputer:
		d.computer(value(text))
	}
}

// emitFirst gives a High fact unless the message already gave key: of a
// string localised in several languages, the first counts.
func (d *dissector) emitFirst(key, v string) {
	for _, f := range d.out[d.first:] {
		if f.Key == key {
			return
		}
	}
	d.emit(key, v, dissect.High)
}

// flushModel gives dissect.KeyModel from the ModelName and ModelNumber
// read so far, once.
func (d *dissector) flushModel() {
	name, number := d.model.name, d.model.number
	if d.model.done || name == "" && number == "" {
		return
	}
	d.model.done = true
	model := name
	switch {
	case name == "":
		model = number
	case number != "" && !strings.Contains(strings.ToLower(name), strings.ToLower(number)):
		model = cut(name + " " + number)
	}
	d.emit(dissect.KeyModel, model, dissect.High)
}

// hostedTypes reads the QNames of a hosted service's Types.
func (d *dissector) hostedTypes(text []byte) { d.typeList(text, KeyHostedType, "hosted type") }

// computer reads a pub:Computer value, "HOSTNAME/Workgroup:NAME" or
// "HOSTNAME/Domain:NAME".
func (d *dissector) computer(v string) {
	host, rest, _ := strings.Cut(v, "/")
	d.emit(dissect.KeyHostname, host, dissect.High)
	kind, name, _ := strings.Cut(rest, ":")
	switch {
	case strings.EqualFold(kind, "Workgroup"):
		d.emit(KeyWorkgroup, name, dissect.High)
	case strings.EqualFold(kind, "Domain"):
		d.emit(KeyDomain, name, dissect.High)
	}
}

// checkMetadata checks, once the body is read, that it held metadata.
func (d *dissector) checkMetadata(off int) error {
	if !d.sawMetadata {
		return dissect.Errorf(Source, off, "soap body holds no metadata")
	}
	return nil
}
