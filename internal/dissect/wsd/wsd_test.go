package wsd

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

const (
	testMAC = "02:00:00:00:00:10"
	testIP  = "192.0.2.10"
)

// planted are the patient and staff identifiers the synthetic messages
// carry in context scopes; no fact and no error may ever hold them.
var planted = []string{"9434765919", "WARDTEST"}

// sender builds the Context of a datagram from the test device.
func sender() *dissect.Context {
	return &dissect.Context{Src: dissecttest.Endpoint(testMAC, testIP), SrcPort: 3702,
		DstPort: 3702}
}

// f builds a fact about the test device.
func f(key, value string, c dissect.Confidence) dissect.Fact {
	return dissecttest.Fact(sender().Src, Source, key, value, c)
}

// hi builds a High fact about the test device.
func hi(key, value string) dissect.Fact { return f(key, value, dissect.High) }

// mgmt builds the management address fact of ip: about the test device's
// MAC and that address.
func mgmt(ip string) dissect.Fact {
	return dissecttest.Fact(dissecttest.Endpoint(testMAC, ip), Source, dissect.KeyMgmtAddress,
		ip, dissect.High)
}

// load reads a payload from testdata: hex text for a capture, the bytes
// themselves for a synthetic XML message.
func load(tb testing.TB, name string) []byte {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if strings.HasSuffix(name, ".hex") {
		return dissecttest.Hex(tb, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

type wsdCase struct {
	name    string
	file    string // in testdata, when payload is nil
	payload []byte
	want    []dissect.Fact
	wantErr bool
}

const wsddEndpoint = "urn:uuid:1c0a3e8d-2f4b-5a6c-8d9e-0f1a2b3c4d5e"

// realCases are the datagrams wsdd sent in testdata/record.sh's session.
var realCases = []wsdCase{
	{name: "wsdd hello ipv4", file: "wsdd-hello-ipv4.hex", want: []dissect.Fact{
		hi("service", "wsd"),
		hi(KeyEndpoint, wsddEndpoint),
		hi(KeyXAddr, "http://192.0.2.10:5357/1c0a3e8d-2f4b-5a6c-8d9e-0f1a2b3c4d5e"),
		mgmt("192.0.2.10"),
		hi(KeyMetadataVersion, "1"),
	}},
	{name: "wsdd hello ipv6", file: "wsdd-hello-ipv6.hex", want: []dissect.Fact{
		hi("service", "wsd"),
		hi(KeyEndpoint, wsddEndpoint),
		hi(KeyXAddr, "http://[fe80::ff:fe00:10]:5357/1c0a3e8d-2f4b-5a6c-8d9e-0f1a2b3c4d5e"),
		mgmt("fe80::ff:fe00:10"),
		hi(KeyMetadataVersion, "1"),
	}},
	{name: "wsdd probe", file: "wsdd-probe.hex", want: []dissect.Fact{
		f(KeyProbe, "wsdp:Device", dissect.Low),
	}},
	{name: "wsdd probe matches", file: "wsdd-probematches.hex", want: []dissect.Fact{
		hi("service", "wsd"),
		hi(KeyEndpoint, wsddEndpoint),
		hi(KeyType, "wsdp:Device"),
		hi("service", "wsd:wsdp:Device"),
		hi(KeyType, "pub:Computer"),
		hi("service", "wsd:pub:Computer"),
		hi(KeyMetadataVersion, "1"),
	}},
	{name: "wsdd resolve", file: "wsdd-resolve.hex"},
	{name: "wsdd resolve matches", file: "wsdd-resolvematches.hex", want: []dissect.Fact{
		hi("service", "wsd"),
		hi(KeyEndpoint, wsddEndpoint),
		hi(KeyType, "wsdp:Device"),
		hi("service", "wsd:wsdp:Device"),
		hi(KeyType, "pub:Computer"),
		hi("service", "wsd:pub:Computer"),
		hi(KeyXAddr, "http://192.0.2.10:5357/1c0a3e8d-2f4b-5a6c-8d9e-0f1a2b3c4d5e"),
		mgmt("192.0.2.10"),
		hi(KeyMetadataVersion, "1"),
	}},
	{name: "wsdd bye", file: "wsdd-bye.hex", want: []dissect.Fact{
		hi("service", "wsd"),
		hi(KeyEndpoint, wsddEndpoint),
	}},
}

// syntheticCases are the SDC messages of testdata/synthetic-*.xml, written
// after the published structure (testdata/SOURCE.md).
var syntheticCases = []wsdCase{
	{name: "sdc hello", file: "synthetic-sdc-hello.xml", want: []dissect.Fact{
		hi("service", "wsd"),
		hi(KeyEndpoint, "urn:uuid:5a1b7c3d-9e2f-4a6b-8c0d-1e2f3a4b5c6d"),
		hi(KeyType, "dpws:Device"),
		hi("service", "wsd:dpws:Device"),
		hi(KeyType, "mdpws:MedicalDevice"),
		hi("service", "wsd:mdpws:MedicalDevice"),
		hi("service", "sdc"),
		hi("clinical_role", "sdc-medical-device"),
		hi(KeyScope, "sdc.mds.pkp:1.2.840.10004.20701.1.1"),
		hi(KeyScope, "sdc.cdc.type:///69965"),
		hi(KeyCDCType, "mdc:69965"),
		hi("clinical_role", "patient-monitor"),
		hi(KeyScope, "sdc.ctxt.loc:/sdc.ctxt.loc.detail/HOSP1%2FTower%2F3%2FICU%2F12%2FBed%204"+
			"?fac=HOSP1&bldng=Tower&flr=3&poc=ICU&rm=12&bed=Bed%204"),
		hi(KeyLocation, "fac=HOSP1"),
		hi(KeyLocation, "bldng=Tower"),
		hi(KeyLocation, "flr=3"),
		hi(KeyLocation, "poc=ICU"),
		hi(KeyLocation, "rm=12"),
		hi(KeyLocation, "bed=Bed 4"),
		hi(KeyPatientContext, "advertised"),
		hi(KeyWithheldContext, "workflow"),
		hi(KeyWithheldContext, "operator"),
		hi(KeyScope, "sdc.ctxt.ens:/urn%3Aoid%3A2.999/or-3"),
		hi(KeyXAddr, "https://192.0.2.30:6464/5a1b7c3d"),
		mgmt("192.0.2.30"),
		hi(KeyXAddr, "https://[2001:db8::30]:6464/5a1b7c3d"),
		mgmt("2001:db8::30"),
		hi(KeyMetadataVersion, "3"),
	}},
	{name: "sdc probe matches", file: "synthetic-sdc-probematches.xml", want: []dissect.Fact{
		hi("service", "wsd"),
		hi(KeyEndpoint, "urn:uuid:7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b"),
		hi(KeyType, "dpws:Device"),
		hi("service", "wsd:dpws:Device"),
		hi(KeyType, "mdpws:MedicalDevice"),
		hi("service", "wsd:mdpws:MedicalDevice"),
		hi("service", "sdc"),
		hi("clinical_role", "sdc-medical-device"),
		hi(KeyScope, "sdc.mds.pkp:1.2.840.10004.20701.1.1"),
		hi(KeyScope, "sdc.cdc.type:/urn%3Aoid%3A1.2.840.10004.1.1.1.0.0.1/2019/69985"),
		hi(KeyCDCType, "mdc:69985"),
		hi("clinical_role", "infusion-pump"),
		hi(KeyScope, "sdc.ctxt.loc:/sdc.ctxt.loc.detail/HOSP1%2F%2F2%2FWARD7%2F%2FBed%2011"),
		hi(KeyLocation, "fac=HOSP1"),
		hi(KeyLocation, "flr=2"),
		hi(KeyLocation, "poc=WARD7"),
		hi(KeyLocation, "bed=Bed 11"),
		hi(KeyXAddr, "https://192.0.2.31:6464/7e8f9a0b"),
		mgmt("192.0.2.31"),
		hi(KeyMetadataVersion, "12"),
		hi(KeyEndpoint, "urn:uuid:0b1c2d3e-4f5a-4b6c-8d7e-8f9a0b1c2d3e"),
		hi(KeyScope, "sdc.cdc.type:///MDC_DEV_SYS_PT_VENT_MDS"),
		hi(KeyCDCType, "mdc:MDC_DEV_SYS_PT_VENT_MDS"),
		hi("clinical_role", "ventilator"),
		hi(KeyScope, "sdc.cdc.type:/urn%3Aoid%3A1.3.6.1.4.1.3592.2.1.1.0//DN_VMD"),
		hi(KeyCDCType, "urn:oid:1.3.6.1.4.1.3592.2.1.1.0:DN_VMD"),
		hi(KeyXAddr, "https://192.0.2.32:6464/0b1c2d3e"),
		mgmt("192.0.2.32"),
		hi(KeyMetadataVersion, "1"),
	}},
	{name: "sdc probe", file: "synthetic-sdc-probe.xml", want: []dissect.Fact{
		f(KeyProbe, "dpws:Device", dissect.Low),
		f(KeyProbe, "mdpws:MedicalDevice", dissect.Low),
	}},
}

// envelope wraps a body in a SOAP 1.2 envelope that declares the 2005/04
// discovery namespaces, as wsdd does.
func envelope(header, body string) []byte {
	return []byte(`<?xml version="1.0" encoding="utf-8"?>` +
		`<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"` +
		` xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"` +
		` xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery"` +
		` xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof">` +
		`<soap:Header>` + header + `</soap:Header><soap:Body>` + body +
		`</soap:Body></soap:Envelope>`)
}

// hello builds a Hello message whose Hello element holds inner.
func hello(inner string) []byte {
	return envelope(`<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</wsa:Action>`,
		`<wsd:Hello>`+inner+`</wsd:Hello>`)
}

const epr = `<wsa:EndpointReference><wsa:Address>urn:uuid:x</wsa:Address></wsa:EndpointReference>`

// nested returns n nested elements around inner.
func nested(n int, inner string) string {
	return strings.Repeat("<e>", n) + inner + strings.Repeat("</e>", n)
}

// builtCases are messages written in the test, mostly malformed.
var builtCases = []wsdCase{
	{
		name: "soap 1.1, entities, comments and cdata in values",
		payload: bytes.ReplaceAll(hello(epr+`<wsd:Scopes>onvif://www.onvif.org/hardware/DS-2CD&#x32;032`+
			` <!-- two --> onvif://www.onvif.org/name/Ward%207%20camera</wsd:Scopes>`+
			`<wsd:XAddrs><![CDATA[http://admin:pw@192.0.2.40/onvif?token=t]]></wsd:XAddrs>`),
			[]byte("http://www.w3.org/2003/05/soap-envelope"),
			[]byte("http://schemas.xmlsoap.org/soap/envelope/")),
		want: []dissect.Fact{
			hi("service", "wsd"),
			hi(KeyEndpoint, "urn:uuid:x"),
			hi(KeyScope, "onvif://www.onvif.org/hardware/DS-2CD2032"),
			f("model", "DS-2CD2032", dissect.Medium),
			hi(KeyScope, "onvif://www.onvif.org/name/Ward%207%20camera"),
			f(KeyFriendlyName, "Ward 7 camera", dissect.Medium),
			hi(KeyXAddr, "http://192.0.2.40/onvif"),
			mgmt("192.0.2.40"),
		},
	},
	{
		name: "default namespace in types, unknown namespace, non-utf-8 bytes",
		payload: hello(epr + `<wsd:Types xmlns="http://example.org/ns" xmlns:p="urn:p">` +
			`Gadget p:Widget` + "\xff" + ` wsdp:Device</wsd:Types>` +
			"<wsd:XAddrs>http://host.example\xfe:80/ http://[fe80::1%25eth0]:5357/</wsd:XAddrs>"),
		want: []dissect.Fact{
			hi("service", "wsd"),
			hi(KeyEndpoint, "urn:uuid:x"),
			hi(KeyType, "{http://example.org/ns}Gadget"),
			hi("service", "wsd:{http://example.org/ns}Gadget"),
			hi(KeyType, "{urn:p}Widget?"),
			hi("service", "wsd:{urn:p}Widget?"),
			hi(KeyType, "wsdp:Device"),
			hi("service", "wsd:wsdp:Device"),
			hi(KeyXAddr, "http://host.example?:80/"),
			hi(KeyXAddr, "http://[fe80::1%25eth0]:5357/"),
			mgmt("fe80::1"),
		},
	},
	{
		name:    "type with an undeclared prefix",
		payload: hello(epr + `<wsd:Types>nope:Device wsdp:Device</wsd:Types>`),
		want: []dissect.Fact{
			hi("service", "wsd"),
			hi(KeyEndpoint, "urn:uuid:x"),
			hi(KeyType, "wsdp:Device"),
			hi("service", "wsd:wsdp:Device"),
		},
		wantErr: true,
	},
	{
		name: "action names another message",
		payload: envelope(`<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Bye</wsa:Action>`,
			`<wsd:Hello>`+epr+`</wsd:Hello>`),
		want:    []dissect.Fact{hi("service", "wsd"), hi(KeyEndpoint, "urn:uuid:x")},
		wantErr: true,
	},
	{
		name: "loopback, unspecified and named hosts give no management address",
		payload: hello(`<wsd:XAddrs>http://127.0.0.1/ http://[::]:80/ http://printer/ ftp:x` +
			`</wsd:XAddrs>`),
		want: []dissect.Fact{
			hi("service", "wsd"),
			hi(KeyXAddr, "http://127.0.0.1/"),
			hi(KeyXAddr, "http://[::]:80/"),
			hi(KeyXAddr, "http://printer/"),
			hi(KeyXAddr, "ftp:x"),
		},
	},
	{
		name: "malformed metadata version and cdc type",
		payload: hello(`<wsd:MetadataVersion>99999999999</wsd:MetadataVersion>` +
			`<wsd:Scopes>sdc.cdc.type:69965</wsd:Scopes>`),
		want: []dissect.Fact{
			hi("service", "wsd"),
			hi(KeyScope, "sdc.cdc.type:69965"),
			hi("service", "sdc"),
		},
		wantErr: true,
	},
	{
		name:    "discovery elements in a wrong namespace",
		payload: envelope("", `<x:Hello xmlns:x="http://example.org/discovery">`+epr+`</x:Hello>`),
		wantErr: true,
	},
	{
		name: "envelope in a wrong namespace",
		payload: []byte(`<soap:Envelope xmlns:soap="http://example.org/soap"><soap:Body/>` +
			`</soap:Envelope>`),
		wantErr: true,
	},
	{
		name:    "not xml",
		payload: []byte("M-SEARCH * HTTP/1.1\r\n\r\n"),
		wantErr: true,
	},
	{name: "empty", payload: []byte{}, wantErr: true},
	{
		name:    "truncated inside the types",
		payload: cutAt(hello(epr+`<wsd:Types>wsdp:Device</wsd:Types>`), "Device</wsd:Types>"),
		want:    []dissect.Fact{hi("service", "wsd"), hi(KeyEndpoint, "urn:uuid:x")},
		wantErr: true,
	},
	{
		name:    "end tag does not match",
		payload: hello(epr + `<wsd:Types>wsdp:Device</wsd:Scopes>`),
		want:    []dissect.Fact{hi("service", "wsd"), hi(KeyEndpoint, "urn:uuid:x")},
		wantErr: true,
	},
	{
		name:    "unknown entity",
		payload: hello(`<wsd:Scopes>a &ent; b</wsd:Scopes>`),
		want:    []dissect.Fact{hi("service", "wsd")},
		wantErr: true,
	},
	{
		name: "entity expansion is refused",
		payload: []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
			`<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` +
			string(hello(`<wsd:Scopes>&lol2;</wsd:Scopes>`))),
		wantErr: true,
	},
	{
		name:    "nesting deeper than the limit",
		payload: hello(nested(40, "")),
		want:    []dissect.Fact{hi("service", "wsd")},
		wantErr: true,
	},
	{
		name:    "too many elements",
		payload: hello(strings.Repeat("<e/>", maxElements)),
		want:    []dissect.Fact{hi("service", "wsd")},
		wantErr: true,
	},
	{
		name:    "too many attributes",
		payload: hello(`<e` + strings.Repeat(` a="1"`, maxAttrs+1) + `/>`),
		want:    []dissect.Fact{hi("service", "wsd")},
		wantErr: true,
	},
	{
		name:    "too many namespace declarations",
		payload: hello(nested(2, `<e`+strings.Repeat(` xmlns:p="urn:p"`, maxBindings)+`/>`)),
		want:    []dissect.Fact{hi("service", "wsd")},
		wantErr: true,
	},
	{
		name:    "very long attribute value",
		payload: hello(`<e a="` + strings.Repeat("v", 60<<10) + `"/>` + epr),
		want:    []dissect.Fact{hi("service", "wsd"), hi(KeyEndpoint, "urn:uuid:x")},
	},
	{
		name:    "over the size limit",
		payload: hello(`<e a="` + strings.Repeat("v", 64<<10) + `"/>` + epr),
		wantErr: true,
	},
	{
		name:    "too many facts",
		payload: hello(`<wsd:Scopes>` + scopes(maxFacts+10) + `</wsd:Scopes>`),
		want:    append([]dissect.Fact{hi("service", "wsd")}, scopeFacts(maxFacts-1)...),
		wantErr: true,
	},
	{
		name:    "text after the root element",
		payload: append(hello(epr), "junk"...),
		want:    []dissect.Fact{hi("service", "wsd"), hi(KeyEndpoint, "urn:uuid:x")},
		wantErr: true,
	},
}

// cutAt returns b up to the first occurrence of marker.
func cutAt(b []byte, marker string) []byte {
	return b[:bytes.Index(b, []byte(marker))]
}

// scopes returns n distinct scopes.
func scopes(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("urn:s")
		b.WriteByte(byte('a' + i%26))
		b.WriteByte(byte('a' + i/26))
		b.WriteByte(' ')
	}
	return b.String()
}

// scopeFacts returns the facts of the first n scopes of scopes.
func scopeFacts(n int) []dissect.Fact {
	var out []dissect.Fact
	for _, s := range strings.Fields(scopes(n)) {
		out = append(out, hi(KeyScope, s))
	}
	return out
}

// bytes returns the message of a case.
func (tc wsdCase) bytes(tb testing.TB) []byte {
	if tc.payload != nil {
		return tc.payload
	}
	return load(tb, tc.file)
}

func TestDissect(t *testing.T) {
	cases := append(append(append([]wsdCase{}, realCases...), syntheticCases...), builtCases...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Dissect(sender(), tc.bytes(t), nil)
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

func TestDissectAppends(t *testing.T) {
	prior := []dissect.Fact{hi(KeyEndpoint, "urn:uuid:1c0a3e8d-2f4b-5a6c-8d9e-0f1a2b3c4d5e")}
	got, err := Dissect(sender(), load(t, "wsdd-bye.hex"), prior)
	if err != nil {
		t.Fatal(err)
	}
	// The caller's facts are kept and do not count as this message's.
	want := []dissect.Fact{prior[0], hi("service", "wsd"), prior[0]}
	if diff := cmp.Diff(want, got, dissecttest.EquateAddr()); diff != "" {
		t.Errorf("facts mismatch (-want +got):\n%s", diff)
	}
}

func TestErrorOffsets(t *testing.T) {
	const root = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">`
	tests := []struct {
		name, before, at string // the error is at the end of before, where at starts
	}{
		{"doctype", `<?xml version="1.0"?>`, `<!DOCTYPE x><x/>`},
		{"root is not an envelope", `  `, `<x/>`},
		{"message ends inside an element", root + `<s:Body>`, ``},
		{"second root", root + `</s:Envelope>`, `<b/>`},
		{"end tag does not match", root + `<s:Body>`, `</s:Header>`},
		{"undeclared prefix", root, `<p:Body>`},
		{"unknown entity", root + `<s:Header>` +
			`<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">`, `a&b;</wsa:Action>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Dissect(sender(), []byte(tt.before+tt.at), nil)
			dissecttest.ErrorAt(t, err, Source, len(tt.before))
		})
	}
}

// testdataFiles returns every payload in testdata, by file name.
func testdataFiles(tb testing.TB) map[string][]byte {
	tb.Helper()
	paths, err := filepath.Glob("testdata/*")
	if err != nil {
		tb.Fatal(err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		if name := filepath.Base(p); strings.HasSuffix(name, ".hex") ||
			strings.HasSuffix(name, ".xml") {
			files[name] = load(tb, name)
		}
	}
	return files
}

// checkPlanted fails tb when a fact or the error carries a planted value.
func checkPlanted(tb testing.TB, facts []dissect.Fact, err error) {
	tb.Helper()
	dissecttest.NoSecret(tb, facts, planted...)
	for _, p := range planted {
		if err != nil && strings.Contains(err.Error(), p) {
			tb.Errorf("error %q carries planted value %q", err, p)
		}
	}
}

// TestNoPatientData runs every message of the tests, and every prefix of
// those that carry planted identifiers, through both dissectors.
func TestNoPatientData(t *testing.T) {
	var payloads [][]byte
	for _, tc := range append(append([]wsdCase{}, builtCases...), metadataCases...) {
		payloads = append(payloads, tc.bytes(t))
	}
	carriers := 0
	for _, p := range testdataFiles(t) {
		if !bytes.Contains(p, []byte(planted[0])) || !bytes.Contains(p, []byte(planted[1])) {
			payloads = append(payloads, p)
			continue
		}
		carriers++
		for n := range len(p) + 1 {
			payloads = append(payloads, p[:n])
		}
	}
	if carriers < 2 {
		t.Fatalf("got %d messages carrying the planted values, want the synthetic hello and probe",
			carriers)
	}
	for _, p := range payloads {
		facts, err := Dissect(sender(), p, nil)
		checkPlanted(t, facts, err)
		facts, err = DissectMetadata(sender(), p, nil)
		checkPlanted(t, facts, err)
	}
}

func TestTruncations(t *testing.T) {
	for name, p := range testdataFiles(t) {
		t.Run(name, func(t *testing.T) {
			dissecttest.Truncations(t, Dissect, sender(), p, Source)
			dissecttest.Truncations(t, DissectMetadata, sender(), p, Source)
		})
	}
}

// check runs fn and checks the invariants every fact and error must keep.
func check(tb testing.TB, fn dissect.DatagramFunc, p []byte) {
	tb.Helper()
	facts, err := fn(sender(), p, nil)
	if err != nil && !errors.As(err, new(*dissect.Error)) {
		tb.Fatalf("got error of type %T, want *dissect.Error", err)
	}
	dissecttest.CheckFacts(tb, facts, Source)
	for _, f := range facts {
		v := strings.ToLower(f.Value)
		if len(f.Value) > maxValue || strings.HasPrefix(v, "sdc.ctxt.pat:") ||
			strings.HasPrefix(v, "sdc.ctxt.wfl:") || strings.HasPrefix(v, "sdc.ctxt.opr:") {
			tb.Fatalf("bad fact %v from %q", f, p)
		}
	}
	if len(facts) > maxFacts {
		tb.Fatalf("got %d facts, want at most %d", len(facts), maxFacts)
	}
}

// seeds adds every testdata payload and built case to a fuzz corpus.
func seeds(f *testing.F) {
	for _, p := range testdataFiles(f) {
		f.Add(p)
	}
	for _, tc := range builtCases {
		if len(tc.payload) <= maxInput {
			f.Add(tc.payload)
		}
	}
}

func FuzzDissect(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, p []byte) {
		check(t, Dissect, p)
	})
}

// FuzzMetadata fuzzes DissectMetadata; its name keeps it out of -fuzz FuzzDissect.
func FuzzMetadata(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, p []byte) {
		check(t, DissectMetadata, p)
	})
}

func benchmark(b *testing.B, fn dissect.DatagramFunc, file string) {
	p := load(b, file)
	ctx := sender()
	out := make([]dissect.Fact, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		out, _ = fn(ctx, p, out[:0])
	}
}

func BenchmarkDissect(b *testing.B) {
	b.Run("wsdd-probematches", func(b *testing.B) {
		benchmark(b, Dissect, "wsdd-probematches.hex")
	})
	b.Run("synthetic-sdc-hello", func(b *testing.B) {
		benchmark(b, Dissect, "synthetic-sdc-hello.xml")
	})
}

func BenchmarkDissectMetadata(b *testing.B) {
	benchmark(b, DissectMetadata, "synthetic-sdc-getresponse.xml")
}
