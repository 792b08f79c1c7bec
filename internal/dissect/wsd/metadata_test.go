package wsd

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

// metadataBody wraps metadata sections in a GetResponse envelope of the
// 2006/02 device profile, as wsdd and Windows send it.
func metadataBody(sections string) []byte {
	return []byte(`<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"` +
		` xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"` +
		` xmlns:wsx="http://schemas.xmlsoap.org/ws/2004/09/mex"` +
		` xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof"` +
		` xmlns:pub="http://schemas.microsoft.com/windows/pub/2005/07">` +
		`<soap:Body><wsx:Metadata>` + sections + `</wsx:Metadata></soap:Body></soap:Envelope>`)
}

// thisModel builds a ThisModel section holding inner.
func thisModel(inner string) string {
	return `<wsx:MetadataSection><wsdp:ThisModel>` + inner + `</wsdp:ThisModel></wsx:MetadataSection>`
}

var metadataCases = []wsdCase{
	{name: "wsdd", file: "wsdd-getresponse.hex", want: []dissect.Fact{
		// wsdd describes itself, not the machine: its "manufacturer"
		// becomes a software fact, its model, firmware and serial go.
		hi(KeyFriendlyName, "WSD Device WARDHOST"),
		f("software", "wsdd", dissect.Low),
		hi(KeyDeviceCategory, "Computers"),
		hi(KeyEndpoint, wsddEndpoint),
		hi(KeyType, "pub:Computer"),
		hi("service", "wsd:pub:Computer"),
		hi("hostname", "WARDHOST"),
		hi(KeyWorkgroup, "WARDLAB"),
	}},
	{name: "sdc", file: "synthetic-sdc-getresponse.xml", want: []dissect.Fact{
		hi("manufacturer", "Example Medical Systems"),
		hi(KeyPresentationURL, "https://192.0.2.30/ui"),
		mgmt("192.0.2.30"),
		hi("model", "Bedside Monitor PM-3000"),
		hi(KeyFriendlyName, "ICU Bed 4 monitor"),
		hi("firmware_version", "4.2.1"),
		hi("serial", "SN-0000-4711"),
		hi(KeyEndpoint, "urn:uuid:5a1b7c3d-9e2f-4a6b-8c0d-1e2f3a4b5c6d"),
		hi(KeyType, "dpws:Device"),
		hi("service", "wsd:dpws:Device"),
		hi(KeyType, "mdpws:MedicalDevice"),
		hi("service", "wsd:mdpws:MedicalDevice"),
		hi("service", "sdc"),
		hi("clinical_role", "sdc-medical-device"),
		hi(KeyType, "sdc:ServiceProvider"),
		hi("service", "wsd:sdc:ServiceProvider"),
		hi(KeyHostedType, "sdc:GetService"),
		hi("service", "wsd:sdc:GetService"),
		hi(KeyHostedType, "sdc:ContainmentTreeService"),
		hi("service", "wsd:sdc:ContainmentTreeService"),
		hi(KeyHostedType, "sdc:StateEventService"),
		hi("service", "wsd:sdc:StateEventService"),
		hi(KeyHostedType, "sdc:WaveformService"),
		hi("service", "wsd:sdc:WaveformService"),
	}},
	{
		name: "domain computer, model name holding the number",
		payload: metadataBody(thisModel(`<wsdp:ModelName>PM-3000 Monitor</wsdp:ModelName>`+
			`<wsdp:ModelNumber>pm-3000</wsdp:ModelNumber>`) +
			`<wsx:MetadataSection><wsdp:Relationship><wsdp:Host>` +
			`<pub:Computer>CT-CONSOLE/Domain:trust.example.nhs.uk</pub:Computer>` +
			`</wsdp:Host></wsdp:Relationship></wsx:MetadataSection>`),
		want: []dissect.Fact{
			hi("model", "PM-3000 Monitor"),
			hi("hostname", "CT-CONSOLE"),
			hi(KeyDomain, "trust.example.nhs.uk"),
		},
	},
	{
		name:    "model number alone",
		payload: metadataBody(thisModel(`<wsdp:ModelNumber>X1</wsdp:ModelNumber>`)),
		want:    []dissect.Fact{hi("model", "X1")},
	},
	{
		name: "cut short inside this model",
		payload: cutAt(metadataBody(thisModel(`<wsdp:Manufacturer>Acme</wsdp:Manufacturer>`+
			`<wsdp:ModelName>Pump</wsdp:ModelName><wsdp:ModelNumber>7</wsdp:ModelNumber>`)),
			`<wsdp:ModelNumber>`),
		want:    []dissect.Fact{hi("manufacturer", "Acme"), hi("model", "Pump")},
		wantErr: true,
	},
	{
		name: "sections of another namespace",
		payload: metadataBody(`<wsx:MetadataSection><x:ThisModel xmlns:x="urn:x">` +
			`<x:ModelName>A</x:ModelName></x:ThisModel></wsx:MetadataSection>`),
	},
	{name: "a discovery message", file: "wsdd-hello-ipv4.hex", wantErr: true},
	{name: "empty", payload: []byte{}, wantErr: true},
}

func TestDissectMetadata(t *testing.T) {
	for _, tc := range metadataCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DissectMetadata(sender(), tc.bytes(t), nil)
			if (err != nil) != tc.wantErr {
				t.Errorf("got error %v, want error %t", err, tc.wantErr)
			}
			if err != nil {
				dissecttest.ErrorFrom(t, err, Source)
			}
			if diff := cmp.Diff(tc.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
