package fingerprint

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardhq/ward/internal/dissect"
	"github.com/wardhq/ward/internal/fingerprint/internal/ouidata"
)

// The expected rows were read by hand from the registry CSV files of the
// corpus (see testdata/SOURCE.md).
func TestLookupMAC(t *testing.T) {
	tests := []struct {
		name string
		mac  dissect.MAC
		want OUI
	}{
		{"MA-L VMware", mac(0x00, 0x0c, 0x29, 0x03, 0xdf, 0xad),
			OUI{Prefix: "00:0c:29", Bits: 24, Org: "VMware, Inc.", Vendor: "VMware"}},
		{"MA-L Apple", mac(0x00, 0x1b, 0x63, 0x01, 0x02, 0x03),
			OUI{Prefix: "00:1b:63", Bits: 24, Org: "Apple, Inc.", Vendor: "Apple"}},
		{"MA-L Philips medical", mac(0x00, 0x09, 0xfb, 0x11, 0x22, 0x33),
			OUI{Prefix: "00:09:fb", Bits: 24, Org: "Philips Patient Monitoring", Vendor: "Philips"}},
		{"MA-L Raspberry Pi", mac(0xb8, 0x27, 0xeb, 0x00, 0x00, 0x01),
			OUI{Prefix: "b8:27:eb", Bits: 24, Org: "Raspberry Pi Foundation", Vendor: "Raspberry Pi"}},
		{"MA-L Intel", mac(0x68, 0x5d, 0x43, 0x8b, 0xf9, 0xde),
			OUI{Prefix: "68:5d:43", Bits: 24, Org: "Intel Corporate", Vendor: "Intel"}},
		{"MA-M inside an IEEE MA-L block", mac(0x20, 0x85, 0x93, 0xb0, 0x00, 0x01),
			OUI{Prefix: "20:85:93:b", Bits: 28, Org: "IOG Products LLC", Vendor: "IOG Products LLC"}},
		{"MA-S inside 70:b3:d5", mac(0x70, 0xb3, 0xd5, 0xf2, 0xf0, 0x00),
			OUI{Prefix: "70:b3:d5:f2:f", Bits: 36, Org: "TELEPLATFORMS", Vendor: "TELEPLATFORMS"}},
		{"MA-S last address of block", mac(0x70, 0xb3, 0xd5, 0x71, 0x9f, 0xff),
			OUI{Prefix: "70:b3:d5:71:9", Bits: 36, Org: "2M Technology", Vendor: "2M Technology"}},
		{"IAB inside 00:50:c2", mac(0x00, 0x50, 0xc2, 0x7d, 0x50, 0x01),
			OUI{Prefix: "00:50:c2:7d:5", Bits: 36, Org: "DEUTA-WERKE GmbH", Vendor: "DEUTA-WERKE GmbH"}},
		{"IEEE block without a longer match", mac(0x70, 0xb3, 0xd5, 0x00, 0x01, 0x02),
			OUI{Prefix: "70:b3:d5", Bits: 24, Org: "IEEE Registration Authority", Vendor: "IEEE Registration Authority"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := LookupMAC(tt.mac)
			if !ok {
				t.Fatalf("LookupMAC(%s): not found, want %+v", tt.mac, tt.want)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LookupMAC(%s) mismatch (-want +got):\n%s", tt.mac, diff)
			}
		})
	}
}

func TestLookupMACMissing(t *testing.T) {
	for _, m := range []dissect.MAC{
		{},
		mac(0x02, 0x00, 0x00, 0x00, 0x00, 0x01), // locally administered
		mac(0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb), // IPv4 multicast
		mac(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), // broadcast
	} {
		if got, ok := LookupMAC(m); ok {
			t.Errorf("LookupMAC(%s) = %+v, want not found", m, got)
		}
	}
}

func TestAddressBits(t *testing.T) {
	tests := []struct {
		mac              dissect.MAC
		local, multicast bool
	}{
		{mac(0x00, 0x0c, 0x29, 1, 2, 3), false, false},
		{mac(0x42, 0xb4, 0x44, 0xb4, 0xf0, 0xee), true, false}, // a MacBook's private address, tcpdump dhcp-option-108
		{mac(0x92, 0xdd, 0xa4, 0x8d, 0x5f, 0xde), true, false}, // suricata dhcp-option-52-overload
		{mac(0x3e, 0xbe, 0xbd, 0xcc, 0xa6, 0xd6), true, false},
		{mac(0x0a, 0, 0, 0, 0, 1), true, false},
		{mac(0x06, 0, 0, 0, 0, 1), true, false},
		{mac(0x01, 0x00, 0x5e, 0, 0, 1), false, true},
		{mac(0x33, 0x33, 0, 0, 0, 1), true, true},
		{mac(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.mac.String(), func(t *testing.T) {
			if got := LocallyAdministered(tt.mac); got != tt.local {
				t.Errorf("LocallyAdministered: got %v, want %v", got, tt.local)
			}
			if got := Multicast(tt.mac); got != tt.multicast {
				t.Errorf("Multicast: got %v, want %v", got, tt.multicast)
			}
		})
	}
}

// TestRandomisedSecondNibble checks every x2, x6, xA and xE first octet.
func TestRandomisedSecondNibble(t *testing.T) {
	for hi := 0; hi < 16; hi++ {
		for _, lo := range []byte{0x2, 0x6, 0xa, 0xe} {
			m := mac(byte(hi)<<4|lo, 0x11, 0x22, 0x33, 0x44, 0x55)
			if !LocallyAdministered(m) {
				t.Errorf("LocallyAdministered(%s) = false, want true", m)
			}
			if _, ok := LookupMAC(m); ok {
				t.Errorf("LookupMAC(%s) found an entry, want none", m)
			}
		}
	}
}

func TestVendorAlias(t *testing.T) {
	tests := map[string]string{
		"Cisco Systems, Inc":       "Cisco",
		"Koninklijke Philips N.V.": "Philips",
		"Philips Medical Systems - Cardiac and Monitoring Systems (CM": "Philips",
		"GE Healthcare":                                  "GE Healthcare",
		"GE Medical System(China) Co., Ltd.":             "GE Healthcare",
		"Siemens AG, Healthcare Sector":                  "Siemens Healthineers",
		"Siemens Healthcare Diagnostics":                 "Siemens Healthineers",
		"SIEMENS AG":                                     "Siemens",
		"Fujitsu Siemens Computers":                      "Fujitsu",
		"Drägerwerk AG & Co. KG aA":                      "Draeger",
		"B.Braun Melsungen AG":                           "B. Braun",
		"Hewlett Packard Enterprise":                     "HPE",
		"Hewlett Packard":                                "HP",
		"Aruba, a Hewlett Packard Enterprise Company":    "Aruba",
		"Dell Inc.":                                      "Dell",
		"Intel Corporate":                                "Intel",
		"Intelligent Devices":                            "Intelligent Devices",
		"AXIS CORPORATION":                               "AXIS CORPORATION",
		"Axis Communications AB":                         "Axis",
		"Hangzhou Hikvision Digital Technology Co.,Ltd.": "Hikvision",
		"Mindray DS USA, Inc.":                           "Mindray",
		"Private":                                        "Private",
	}
	for org, want := range tests {
		if got := normaliseVendor(org); got != want {
			t.Errorf("normaliseVendor(%q): got %q, want %q", org, got, want)
		}
	}
}

// corpusOUIDir finds the registry CSV files of the shared corpus, beside
// the module root, or "" when the corpus is absent.
func corpusOUIDir() string {
	if d := os.Getenv("WARD_CORPUS"); d != "" {
		return filepath.Join(d, "fingerprints", "ieee-oui")
	}
	return filepath.Join("..", "..", "..", "shared", "corpus", "fingerprints", "ieee-oui")
}

// TestOUIDataUpToDate regenerates the table from the corpus and compares it
// with the embedded oui.dat. Run "go generate ./internal/fingerprint" when
// it fails.
func TestOUIDataUpToDate(t *testing.T) {
	dir := corpusOUIDir()
	if _, err := os.Stat(filepath.Join(dir, "oui.csv")); err != nil {
		t.Skipf("registry CSV files not found in %s (set WARD_CORPUS to the corpus): %v", dir, err)
	}
	entries, err := ouidata.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := ouidata.Encode(entries)
	got, err := ouidata.Decompress(ouiData)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("oui.dat is stale: embedded %d bytes, regenerated %d; run go generate ./internal/fingerprint",
			len(got), len(want))
	}
}

func TestRegistryLoads(t *testing.T) {
	if err := registryErr(); err != nil {
		t.Fatalf("embedded registry: %v", err)
	}
	r := loadRegistry()
	wantMin := [3]int{30000, 4000, 9000}
	for i, tb := range r.tables {
		if len(tb.keys) < wantMin[i] {
			t.Errorf("table of %d bits: got %d entries, want at least %d", tb.bits, len(tb.keys), wantMin[i])
		}
	}
}

func TestLookupMACAllocs(t *testing.T) {
	m := mac(0x70, 0xb3, 0xd5, 0xf2, 0xf0, 0x00)
	LookupMAC(m)
	if n := testing.AllocsPerRun(100, func() { LookupMAC(m) }); n != 0 {
		t.Errorf("LookupMAC: got %v allocations, want 0", n)
	}
}

func BenchmarkLookupMAC(b *testing.B) {
	macs := []dissect.MAC{
		mac(0x00, 0x0c, 0x29, 0x03, 0xdf, 0xad),
		mac(0x70, 0xb3, 0xd5, 0xf2, 0xf0, 0x00),
		mac(0x00, 0x50, 0xc2, 0x7d, 0x50, 0x01),
		mac(0x42, 0xb4, 0x44, 0xb4, 0xf0, 0xee),
	}
	LookupMAC(macs[0])
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		LookupMAC(macs[i%len(macs)])
	}
}

func mac(b ...byte) dissect.MAC {
	var m dissect.MAC
	copy(m[:], b)
	return m
}
