package hl7

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// udiExamples are UDIs as their issuers' and regulators' documents print
// them (see testdata/SOURCE.md); every check digit and check character in
// them is valid.
var udiExamples = []struct {
	name, in string
	want     UDI
	di       string // DeviceIdentifier
}{
	{
		name: "gs1 human readable, HL7 v2.9 PRT-10 example",
		in:   "(01)00643169001763(17)160712(21)21A11F4855",
		want: UDI{Issuer: IssuerGS1, DI: "00643169001763", Serial: "21A11F4855", Expiry: "160712"},
		di:   "(01)00643169001763",
	},
	{
		name: "gs1 human readable, every UDI AI",
		in:   "(01)51022222233336(11)141231(17)150707(10)A213B1(21)1234",
		want: UDI{Issuer: IssuerGS1, DI: "51022222233336", Lot: "A213B1", Serial: "1234",
			Expiry: "150707", Manufactured: "141231"},
		di: "(01)51022222233336",
	},
	{
		name: "gs1 human readable, parenthesis in a lot",
		in:   "(01)09506000134352(10)AB(1)C(21)S1",
		want: UDI{Issuer: IssuerGS1, DI: "09506000134352", Lot: "AB(1)C", Serial: "S1"},
		di:   "(01)09506000134352",
	},
	{
		name: "gs1 element string after a data matrix symbology identifier",
		in:   "]d2010950600013435217201225" + "10ABC123\x1d" + "21SN42",
		want: UDI{Issuer: IssuerGS1, DI: "09506000134352", Lot: "ABC123", Serial: "SN42", Expiry: "201225"},
		di:   "(01)09506000134352",
	},
	{
		name: "gs1 element string after FNC1, other AIs skipped",
		in:   "\x1d" + "0100643169001763" + "240REF-7\x1d" + "8012V1.2",
		want: UDI{Issuer: IssuerGS1, DI: "00643169001763"},
		di:   "(01)00643169001763",
	},
	{
		name: "gs1 element string as scanned, without a prefix",
		in:   "0100643169001763" + "21A1",
		want: UDI{Issuer: IssuerGS1, DI: "00643169001763", Serial: "A1"},
		di:   "(01)00643169001763",
	},
	{
		name: "gs1 device identifier alone, HL7 v2.9 PRT-16 example",
		in:   "00643169001763",
		want: UDI{Issuer: IssuerGS1, DI: "00643169001763"},
		di:   "(01)00643169001763",
	},
	{
		name: "hibcc primary alone",
		in:   "+A123BJC5D6E71G",
		want: UDI{Issuer: IssuerHIBCC, DI: "A123BJC5D6E71"},
		di:   "+A123BJC5D6E71G",
	},
	{
		name: "hibcc, HL7 v2.9 PRT-10 example",
		in:   "+H123PARTNO1234567890120/$$420020216LOT123456789012345/SXYZ4567890123 45678/16D20130202C",
		want: UDI{Issuer: IssuerHIBCC, DI: "H123PARTNO1234567890120", Lot: "LOT123456789012345",
			Serial: "XYZ4567890123 45678", Expiry: "20020216", Manufactured: "20130202"},
		di: "+H123PARTNO1234567890120Z",
	},
	{
		name: "hibcc serial only",
		in:   "+A999ABC123DE0/$+1234567Y",
		want: UDI{Issuer: IssuerHIBCC, DI: "A999ABC123DE0", Serial: "1234567"},
		di:   "+A999ABC123DE0F",
	},
	{
		name: "hibcc MMYY expiry and lot",
		in:   "+X999123ABC0/$$05191234AB/S5678EDFG/16D20151001A",
		want: UDI{Issuer: IssuerHIBCC, DI: "X999123ABC0", Lot: "1234AB", Serial: "5678EDFG",
			Expiry: "0519", Manufactured: "20151001"},
		di: "+X999123ABC0B",
	},
	{
		name: "hibcc YYMMDD expiry",
		in:   "+X999123ABC0/$$31905151234AB/S5678EDFG/16D20151001J",
		want: UDI{Issuer: IssuerHIBCC, DI: "X999123ABC0", Lot: "1234AB", Serial: "5678EDFG",
			Expiry: "190515", Manufactured: "20151001"},
		di: "+X999123ABC0B",
	},
	{
		name: "hibcc lot and supplemental expiry",
		in:   "+X999123ABC0/$1234AB/S5678EDFG/16D20151001/14D20190515.",
		want: UDI{Issuer: IssuerHIBCC, DI: "X999123ABC0", Lot: "1234AB", Serial: "5678EDFG",
			Expiry: "20190515", Manufactured: "20151001"},
		di: "+X999123ABC0B",
	},
	{
		name: "iccbba, HL7 v2.9 PRT-10 example",
		in:   "=/A9999XYZ100T0944=,000025=A99971312345600=>014032=}013032&,1000000000000XYZ123",
		want: UDI{Issuer: IssuerICCBBA, DI: "A9999XYZ100T0944", Lot: "000000000000XYZ123",
			Serial: "000025", Expiry: "014032", Manufactured: "013032"},
		di: "=/A9999XYZ100T0944",
	},
	{
		name: "iccbba blood container",
		in:   "=)1TE123456A&)RZ12345678",
		want: UDI{Issuer: IssuerICCBBA, DI: "1TE123456A", Lot: "RZ12345678"},
		di:   "=)1TE123456A",
	},
}

func TestParseUDI(t *testing.T) {
	for _, tt := range udiExamples {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseUDI(tt.in)
			if !ok {
				t.Fatalf("ParseUDI(%q): got not a UDI, want one", tt.in)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseUDI(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if di := got.DeviceIdentifier(); di != tt.di {
				t.Errorf("DeviceIdentifier: got %q, want %q", di, tt.di)
			}
		})
	}
}

func TestParseUDIInvalid(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"gtin check digit", "(01)00884838000123(17)141120(10)7654321D(21)10987654d321"},
		{"gtin check digit alone", "00884838000125"},
		{"gtin too short", "(01)0064316900176"},
		{"gtin with letters", "(01)0064316900176X"},
		{"first AI not 01", "(17)160712(01)00643169001763"},
		{"unknown AI", "(01)00643169001763(04)123"},
		{"serial too long", "(01)00643169001763(21)123456789012345678901"},
		{"expiry not digits", "(01)00643169001763(17)16O712"},
		{"character outside set 82", "(01)00643169001763(21)A#B"},
		{"unclosed AI", "(01)00643169001763(21"},
		{"empty data", "(01)00643169001763(21)"},
		{"symbology identifier unknown", "]X90100643169001763"},
		{"element string short", "010064316900176"},
		{"thirteen digits", "0064316900176"},
		{"hibcc check character", "+A123BJC5D6E71H"},
		{"hibcc lower case", "+a123bjc5d6e71G"},
		{"hibcc labeler starts with a digit", "+1123BJC5D6E71" + string(mod43Char('+', "1123BJC5D6E71"))},
		{"hibcc unit of measure not a digit", "+A123BJC5D6E7X" + string(mod43Char('+', "A123BJC5D6E7X"))},
		{"hibcc secondary alone", "+$$3190515LOTA" + string(mod43Char('+', "$$3190515LOTA"))},
		{"hibcc bad date format", "+A123BC1/$$A1234" + string(mod43Char('+', "A123BC1/$$A1234"))},
		{"hibcc short", "+A12"},
		{"iccbba without device identifier", "=,000025=>014032"},
		{"iccbba short ppic", "=/A9999XYZ100"},
		{"iccbba unknown identifier", "=/A9999XYZ100T0944=%5100"},
		{"an EUI-64", "0123456789ABCDEF"},
		{"text", "Infusion pump 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := ParseUDI(tt.in); ok {
				t.Errorf("ParseUDI(%q): got %+v, want not a UDI", tt.in, got)
			}
		})
	}
}

// TestParseUDIBytes checks that the dissector's byte-slice path reads what
// ParseUDI reads, without allocating.
func TestParseUDIBytes(t *testing.T) {
	for _, tt := range udiExamples {
		b := []byte(tt.in)
		p, ok := parseUDI(b)
		if !ok || p.issuer != tt.want.Issuer || string(p.di) != tt.want.DI ||
			string(p.serial) != tt.want.Serial {
			t.Errorf("parseUDI(%q bytes): got %v %+v, want %+v", tt.in, ok, p, tt.want)
		}
		if n := testing.AllocsPerRun(10, func() { parseUDI(b) }); n != 0 {
			t.Errorf("parseUDI(%q bytes): %v allocations, want 0", tt.in, n)
		}
	}
}

func FuzzParseUDI(f *testing.F) {
	for _, tt := range udiExamples {
		f.Add(tt.in)
	}
	f.Add("(01)00884838000123(17)141120")
	f.Add("+$$+71234/S1/14D20200101X")
	f.Fuzz(func(t *testing.T, s string) {
		u, ok := ParseUDI(s)
		p, okBytes := parseUDI([]byte(s))
		if ok != okBytes || (ok && (p.issuer != u.Issuer || string(p.di) != u.DI)) {
			t.Fatalf("ParseUDI and parseUDI of bytes disagree on %q: %+v, %+v", s, u, p)
		}
		if !ok {
			return
		}
		if u.DI == "" {
			t.Fatalf("ParseUDI(%q): a UDI without a device identifier", s)
		}
		// The device identifier alone is a UDI of the same device.
		again, ok := ParseUDI(u.DeviceIdentifier())
		if !ok || again.Issuer != u.Issuer || again.DI != u.DI {
			t.Fatalf("ParseUDI(%q).DeviceIdentifier() = %q reads as %+v, %v", s,
				u.DeviceIdentifier(), again, ok)
		}
	})
}

func BenchmarkParseUDI(b *testing.B) {
	in := []byte("(01)51022222233336(11)141231(17)150707(10)A213B1(21)1234")
	b.ReportAllocs()
	for b.Loop() {
		parseUDI(in)
	}
}
