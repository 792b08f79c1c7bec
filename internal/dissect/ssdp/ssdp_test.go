package ssdp

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/dissect/dissecttest"
)

const (
	testMAC = "02:00:5e:00:00:07"
	testIP  = "192.0.2.7"
)

// sender builds a Context whose source is mac and ip.
func sender(mac, ip string) *dissect.Context {
	return &dissect.Context{Src: dissecttest.Endpoint(mac, ip), SrcPort: 1900, DstPort: 1900}
}

// f builds a fact about the test sender.
func f(key, value string, c dissect.Confidence) dissect.Fact {
	return dissecttest.Fact(sender(testMAC, testIP).Src, "ssdp", key, value, c)
}

type ssdpCase struct {
	name    string
	payload []byte // when nil, testdata/name.hex
	want    []dissect.Fact
	wantErr bool
}

// realCases are messages from the corpus (testdata/SOURCE.md); the values
// were checked against tshark's http.server, http.location and headers.
var realCases = []ssdpCase{
	{name: "notify_tomato", want: []dissect.Fact{
		f("ssdp_server", "UPnP/Tomato 1.28.7500 MIPSR2Toastman-RT K26 USB Ext UPnP/1.0 MiniUPnPd/1.6",
			dissect.High),
		f("ssdp_usn", "uuid:04645c3d-e6b4-4eea-bd35-5c320c12969f::upnp:rootdevice", dissect.High),
		f("ssdp_location", "http://192.168.1.1:7406/rootDesc.xml", dissect.High),
	}},
	{name: "notify_igd", want: []dissect.Fact{
		f("ssdp_server", "ipos/7.0 UPnP/1.0 TL-WDR3600/1.0", dissect.High),
		f("ssdp_usn", "uuid:060b7353-fca6-4070-85f4-1fbfb9add62c::"+
			"urn:schemas-upnp-org:device:InternetGatewayDevice:1", dissect.High),
		f("ssdp_location", "http://192.168.1.1:1900/igd.xml", dissect.High),
		f("service", "urn:schemas-upnp-org:device:InternetGatewayDevice:1", dissect.High),
	}},
	{name: "notify_service", want: []dissect.Fact{
		f("ssdp_server", "ipos/7.0 UPnP/1.0 TL-WDR3600/1.0", dissect.High),
		f("ssdp_usn", "uuid:060b7353-fca6-4070-85f4-1fbfb9add62c::"+
			"urn:schemas-upnp-org:service:Layer3Forwarding:1", dissect.High),
		f("ssdp_location", "http://192.168.1.1:1900/igd.xml", dissect.High),
		f("service", "urn:schemas-upnp-org:service:Layer3Forwarding:1", dissect.High),
	}},
	{name: "notify_hnap", want: []dissect.Fact{
		f("ssdp_usn", "uuid:GatewayWithWiFi-1_0-185933f4491f", dissect.High),
		f("ssdp_location", "http://192.168.0.1/HNAP1/", dissect.High),
	}},
	{name: "notify_broadcom", want: []dissect.Fact{
		f("ssdp_server", "POSIX, UPnP/1.0 UPnP Stack/1.2.0.0 (BROADCOM INTERNAL)", dissect.High),
		f("ssdp_usn", "uuid:7224d477-bee1-8774-cee6-9bedf2d25dfc::"+
			"urn:schemas-wifialliance-org:device:WFADevice:1", dissect.High),
		f("ssdp_location", "http://192.168.0.1:1900/WFADevice.xml", dissect.High),
		f("service", "urn:schemas-wifialliance-org:device:WFADevice:1", dissect.High),
	}},
	{name: "notify_uuid", want: []dissect.Fact{
		f("ssdp_server", "UPnP/1.0 UPnP/1.0 UPnP-Device-Host/1.0", dissect.High),
		f("ssdp_usn", "uuid:upnp-WANConnectionDevice-1_0-185933f4491f", dissect.High),
		f("ssdp_location", "http://192.168.0.1:80/RootDevice.xml", dissect.High),
	}},
	{name: "msearch_igd", want: []dissect.Fact{
		f("ssdp_search", "urn:schemas-upnp-org:device:InternetGatewayDevice:1", dissect.Medium),
	}},
	{name: "msearch_dial", want: []dissect.Fact{
		f("ssdp_search", "urn:dial-multiscreen-org:service:dial:1", dissect.Medium),
	}},
	{name: "msearch_invalid", want: []dissect.Fact{
		f("ssdp_search", "urn:dial-multiscreen-org:service:dial:1", dissect.Medium),
		f("ssdp_user_agent", "Google Chrome/69.0.3497.100 Windows", dissect.High),
	}},
}

// crlf joins lines into an SSDP message.
func crlf(lines ...string) []byte { return []byte(strings.Join(lines, "\r\n") + "\r\n\r\n") }

// builtCases are synthetic messages written after the examples of the UPnP
// Device Architecture 2.0, section 1; the corpus has no search response
// and no SERVER header that names an OS.
var builtCases = []ssdpCase{
	{
		name: "search response",
		payload: crlf("HTTP/1.1 200 OK", "CACHE-CONTROL: max-age=1800",
			"EXT:", "LOCATION: http://192.0.2.7:49152/description.xml",
			"SERVER: Linux/3.14 UPnP/1.0 Portable SDK for UPnP devices/1.6.19",
			"ST: urn:schemas-upnp-org:device:MediaRenderer:1",
			"USN: uuid:2fac1234-31f8-11b4-a222-08002b34c003::urn:schemas-upnp-org:device:MediaRenderer:1"),
		want: []dissect.Fact{
			f("ssdp_server", "Linux/3.14 UPnP/1.0 Portable SDK for UPnP devices/1.6.19", dissect.High),
			f("os", "Linux/3.14", dissect.Medium),
			f("ssdp_usn", "uuid:2fac1234-31f8-11b4-a222-08002b34c003::"+
				"urn:schemas-upnp-org:device:MediaRenderer:1", dissect.High),
			f("ssdp_location", "http://192.0.2.7:49152/description.xml", dissect.High),
			f("service", "urn:schemas-upnp-org:device:MediaRenderer:1", dissect.High),
		},
	},
	{
		name: "lower-case headers, bare LF, credentials in location",
		payload: []byte("NOTIFY * HTTP/1.1\nhost: 239.255.255.250:1900\n" +
			"location: http://admin:secret@192.0.2.7/desc.xml?token=abc\n" +
			"server: Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0\n" +
			"nt: urn:schemas-upnp-org:service:ContentDirectory:1\nnts: ssdp:alive\n\n"),
		want: []dissect.Fact{
			f("ssdp_server", "Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0", dissect.High),
			f("os", "Microsoft-Windows/10.0", dissect.Medium),
			f("ssdp_location", "http://192.0.2.7/desc.xml", dissect.High),
			f("service", "urn:schemas-upnp-org:service:ContentDirectory:1", dissect.High),
		},
	},
	{
		name: "search with a user agent naming its os",
		payload: crlf("M-SEARCH * HTTP/1.1", "HOST: 239.255.255.250:1900",
			`MAN: "ssdp:discover"`, "MX: 2", `ST: "ssdp:all"`,
			"USER-AGENT: Windows/6.1 UPnP/1.1 Viewer/2.0"),
		want: []dissect.Fact{
			f("ssdp_search", "ssdp:all", dissect.Medium),
			f("ssdp_user_agent", "Windows/6.1 UPnP/1.1 Viewer/2.0", dissect.High),
			f("os", "Windows/6.1", dissect.Medium),
		},
	},
	{
		name:    "byebye without server",
		payload: crlf("NOTIFY * HTTP/1.1", "NT: upnp:rootdevice", "NTS: ssdp:byebye", "USN: uuid:x"),
		want:    []dissect.Fact{f("ssdp_usn", "uuid:x", dissect.High)},
	},
	{
		name:    "control bytes in a value",
		payload: crlf("NOTIFY * HTTP/1.1", "SERVER: Linux\x01/2 \xff"),
		want: []dissect.Fact{
			f("ssdp_server", "Linux?/2 ?", dissect.High),
		},
	},
	{name: "empty", payload: []byte{}, wantErr: true},
	{name: "http request", payload: crlf("GET / HTTP/1.1", "Host: x"), wantErr: true},
	{name: "error response", payload: crlf("HTTP/1.1 404 Not Found", "SERVER: Linux/4"),
		wantErr: true},
	{
		name:    "header without colon, earlier headers kept",
		payload: crlf("NOTIFY * HTTP/1.1", "USN: uuid:y", "garbage", "SERVER: Linux/4"),
		want:    []dissect.Fact{f("ssdp_usn", "uuid:y", dissect.High)},
		wantErr: true,
	},
	{
		name:    "cut short in a header",
		payload: []byte("NOTIFY * HTTP/1.1\r\nUSN: uuid:z\r\nSERV"),
		want:    []dissect.Fact{f("ssdp_usn", "uuid:z", dissect.High)},
		wantErr: true,
	},
}

func TestDissect(t *testing.T) {
	ctx := sender(testMAC, testIP)
	for _, tc := range append(realCases, builtCases...) {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.payload
			if p == nil {
				p = dissecttest.Hex(t, "testdata/"+tc.name+".hex")
			}
			got, err := Dissect(ctx, p, nil)
			if (err != nil) != tc.wantErr {
				t.Errorf("got error %v, want error %t", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, dissecttest.EquateAddr()); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// check runs Dissect and checks the invariants every fact must keep.
func check(tb testing.TB, ctx *dissect.Context, p []byte) {
	tb.Helper()
	facts, _ := Dissect(ctx, p, nil)
	for _, f := range facts {
		if f.Key == "" || f.Value == "" || f.Source != "ssdp" || len(f.Value) > maxValue {
			tb.Fatalf("bad fact %v from %q", f, p)
		}
	}
}

func TestTruncations(t *testing.T) {
	ctx := sender(testMAC, testIP)
	for _, tc := range realCases {
		p := dissecttest.Hex(t, "testdata/"+tc.name+".hex")
		for n := range len(p) + 1 {
			check(t, ctx, p[:n])
		}
	}
}

func FuzzDissect(f *testing.F) {
	for _, tc := range realCases {
		f.Add(dissecttest.Hex(f, "testdata/"+tc.name+".hex"))
	}
	for _, tc := range builtCases {
		f.Add(tc.payload)
	}
	ctx := sender(testMAC, testIP)
	f.Fuzz(func(t *testing.T, p []byte) {
		check(t, ctx, p)
	})
}

func BenchmarkDissect(b *testing.B) {
	p := dissecttest.Hex(b, "testdata/notify_broadcom.hex")
	ctx := sender(testMAC, testIP)
	out := make([]dissect.Fact, 0, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		out, _ = Dissect(ctx, p, out[:0])
	}
}
