package register

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSynonymsUnique(t *testing.T) {
	seen := map[string]Field{}
	for _, s := range synonyms {
		for _, n := range s.names {
			if f, dup := seen[n]; dup {
				t.Errorf("synonym %q is listed for %s and %s", n, f, s.field)
			}
			seen[n] = s.field
			if headerKey(n) != n {
				t.Errorf("synonym %q of %s is not normalised (%q)", n, s.field, headerKey(n))
			}
		}
	}
}

func TestDetectMapping(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    map[Field]string
	}{
		{"CMMS export",
			[]string{"Equipment No", "Asset Tag", "Description", "Manufacturer", "Model",
				"Serial No", "Location", "Department", "MAC Address", "IP Address", "Hostname",
				"Risk Class", "Owner", "PPM Due"},
			map[Field]string{AssetID: "Equipment No", Description: "Description",
				Manufacturer: "Manufacturer", Model: "Model", Serial: "Serial No",
				Location: "Location", Department: "Department", MAC: "MAC Address",
				IP: "IP Address", Hostname: "Hostname", Criticality: "Risk Class",
				Owner: "Owner"}},
		{"spreadsheet kept by hand",
			[]string{" S/N ", "ethernet address", "Make", "Asset No.", "Room", "Dept",
				"Device Name", "IP"},
			map[Field]string{Serial: "S/N", MAC: "ethernet address", Manufacturer: "Make",
				AssetID: "Asset No.", Location: "Room", Department: "Dept",
				Hostname: "Device Name", IP: "IP"}},
		{"punctuation and case",
			[]string{"SERIAL_NUMBER", "Hardware-Address", "host name", "Inventory No",
				"Ward", "Vendor"},
			map[Field]string{Serial: "SERIAL_NUMBER", MAC: "Hardware-Address",
				Hostname: "host name", AssetID: "Inventory No", Department: "Ward",
				Manufacturer: "Vendor"}},
		{"the likelier name wins, then the leftmost",
			[]string{"Tag", "Asset Tag", "Equipment No", "Type", "Equipment Type", "Serial",
				"Serial No", "MAC", "MAC"},
			map[Field]string{AssetID: "Equipment No", Category: "Equipment Type",
				Serial: "Serial No", MAC: "MAC"}},
		{"nothing known", []string{"Colour", "", "PPM Due"}, map[Field]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DetectMapping(tt.headers)
			if diff := cmp.Diff(tt.want, got.Columns); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormaliseMAC(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "00:1b:63:84:45:e6", want: "00:1b:63:84:45:e6"},
		{in: "00:1B:63:84:45:E6", want: "00:1b:63:84:45:e6"},
		{in: "00-1B-63-84-45-E6", want: "00:1b:63:84:45:e6"},
		{in: "001b.6384.45e6", want: "00:1b:63:84:45:e6"},
		{in: "001B638445E6", want: "00:1b:63:84:45:e6"},
		{in: " 0:1b:63:84:5:e6 ", want: "00:1b:63:84:05:e6"},
		{in: "00 1b 63 84 45 e6", want: "00:1b:63:84:45:e6"},
		{in: "", bad: true},
		{in: "00:1b:63:84:45", bad: true},
		{in: "00:1b:63:84:45:e6:01", bad: true},
		{in: "00:1b:63-84:45:e6", bad: true},
		{in: "00:1b:63:84:45:g6", bad: true},
		{in: "001:b63:84:45:e6:0", bad: true},
		{in: "00:1b:63::45:e6", bad: true},
		{in: "1B638445E6", bad: true}, // Excel dropped the leading zeros
		{in: "1.00032E+11", bad: true},
		{in: "001b.6384.45e", bad: true},
		{in: "00:00:00:00:00:00", bad: true},
		{in: "FF-FF-FF-FF-FF-FF", bad: true},
		{in: "00:1b:63:84:45:é6", bad: true},
	}
	for _, tt := range tests {
		got, err := NormaliseMAC(tt.in)
		if tt.bad {
			if err == nil || !errors.Is(err, ErrInvalidMAC) {
				t.Errorf("NormaliseMAC(%q) = %q, %v; want ErrInvalidMAC", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormaliseMAC(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseIP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.77.7.21", "10.77.7.21"},
		{"10.77.7.21/24", "10.77.7.21"},
		{"010.077.007.021", "10.77.7.21"},
		{"::ffff:10.77.7.21", "10.77.7.21"},
		{"fe80::1%eth0", "fe80::1"},
		{"2001:db8::7", "2001:db8::7"},
		{"10.77.7", ""},
		{"10.77.7.256", ""},
		{"ward7", ""},
	}
	for _, tt := range tests {
		a, ok := parseIP(tt.in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("parseIP(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKeys(t *testing.T) {
	tests := []struct{ fn, in, want string }{
		{"host", "CT01-WARD7.ward7.nhs.test.", "ct01-ward7"},
		{"host", `\\WS-RAD01`, "ws-rad01"},
		{"host", "10.77.7.21", ""},
		{"serial", " lab 000 42 ", "LAB00042"},
		{"serial", "sn-1", "SN-1"},
	}
	for _, tt := range tests {
		var got string
		if tt.fn == "host" {
			got = hostKey(tt.in)
		} else {
			got = serialKey(tt.in)
		}
		if got != tt.want {
			t.Errorf("%sKey(%q) = %q, want %q", tt.fn, tt.in, got, tt.want)
		}
	}
}

func TestSameMaker(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Dräger", "Draeger Medical", true},
		{"Drägerwerk AG & Co. KGaA", "Dräger", true},
		{"Fuji", "Fujitsu", false}, // too short to continue
		{"B. Braun Melsungen AG", "B. Braun", true},
		{"B. Braun", "B&K Medical", false},
		{"GE Healthcare", "GE", true},
		{"GE", "Getinge", false},
		{"Siemens", "Siemens Healthineers", true},
		{"FUJIFILM Corporation", "Fujifilm", true},
		{"Philips Medical Systems", "Philips Healthcare", true},
		{"Dell Inc.", "Dell", true},
		{"Dell", "HP", false},
		{"Medical Systems Ltd", "Anyone", true}, // nothing distinctive to compare
	}
	for _, tt := range tests {
		if got := sameMaker(tt.a, tt.b); got != tt.want {
			t.Errorf("sameMaker(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSameModel(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"SOMATOM go.Up", "somatom GO UP", true},
		{"MX800", "IntelliVue MX800", true},
		{"MX800", "MX450", false},
		{"X1", "PX100", false}, // too short to be held
	}
	for _, tt := range tests {
		if got := sameModel(tt.a, tt.b); got != tt.want {
			t.Errorf("sameModel(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
