package ouidata

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sampleCSV = `Registry,Assignment,Organization Name,Organization Address
MA-L,001B63,"Apple, Inc.",1 Infinite Loop Cupertino CA US 95014
MA-L,000C29,"VMware, Inc. ",3401 Hillview Avenue Palo Alto CA US 94304
MA-L,080030,NETWORK RESEARCH CORPORATION,2380 N. ROSE AVENUE OXNARD CA US 93010
MA-L,080030,CERN,CH-1211  GENEVE SUISSE/SWITZ CH 023
`

func sample(t *testing.T) []Entry {
	t.Helper()
	rows, err := ParseCSV([]byte(sampleCSV), 24)
	if err != nil {
		t.Fatal(err)
	}
	more, err := ParseCSV([]byte("Registry,Assignment,Organization Name,Organization Address\n"+
		"MA-S,70B3D5F2F,TELEPLATFORMS,\"Polbina st., 3/1 Moscow  RU 109388 \"\n"), 36)
	if err != nil {
		t.Fatal(err)
	}
	return append(rows, more...)
}

func TestRoundTrip(t *testing.T) {
	raw := Encode(sample(t))
	z, err := Compress(raw)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decompress(z)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(back)
	if err != nil {
		t.Fatal(err)
	}
	want := &Table{
		Names: []string{"Apple, Inc.", "CERN", "NETWORK RESEARCH CORPORATION", "TELEPLATFORMS", "VMware, Inc."},
		Keys:  [3][]uint64{{0x000c29, 0x001b63, 0x080030}, {}, {0x70b3d5f2f}},
		Orgs:  [3][]uint32{{4, 0, 1}, {}, {3}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode mismatch (-want +got):\n%s", diff)
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct{ name, csv, want string }{
		{"short hex", "MA-L,001B6,Apple\n", `record 1: assignment "001B6": want 6 hex digits`},
		{"not hex", "MA-L,00ZB63,Apple\n", `record 1: assignment "00ZB63": strconv.ParseUint: parsing "00ZB63": invalid syntax`},
		{"few fields", "MA-L,001B63\n", "record 1: want at least 3 fields, got 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCSV([]byte(tt.csv), 24)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseCSV: got error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	raw := Encode(sample(t))
	for n := 0; n < len(raw); n++ {
		if _, err := Decode(raw[:n]); err == nil {
			t.Errorf("Decode of %d of %d bytes: got no error", n, len(raw))
		}
	}
	if _, err := Decode(append(raw, 0)); err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Errorf("Decode with a trailing byte: got %v, want a trailing-bytes error", err)
	}
	if _, err := Decompress([]byte("not gzip")); err == nil {
		t.Error("Decompress of garbage: got no error")
	}
}

func FuzzDecode(f *testing.F) {
	rows, _ := ParseCSV([]byte(sampleCSV), 24)
	f.Add(Encode(rows))
	f.Add([]byte(Magic + "\x01\x00\x01A\x01\x05\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := Decode(data)
		if err != nil {
			return
		}
		for i := range Lengths {
			if len(tb.Keys[i]) != len(tb.Orgs[i]) {
				t.Fatalf("table %d: %d keys, %d organisations", i, len(tb.Keys[i]), len(tb.Orgs[i]))
			}
			for _, o := range tb.Orgs[i] {
				if int(o) >= len(tb.Names) {
					t.Fatalf("organisation %d out of range", o)
				}
			}
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	var rows []Entry
	for i := 0; i < 30000; i++ {
		rows = append(rows, Entry{Prefix: uint64(i) * 7, Bits: 24, Org: "Org " + strings.Repeat("x", i%20)})
	}
	raw := Encode(rows)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}
