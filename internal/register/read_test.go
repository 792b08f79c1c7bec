package register

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/unicode"
)

const (
	csvPath       = "testdata/ward7-assets.csv"
	semicolonPath = "testdata/ward7-assets-semicolon.csv"
	xlsxPath      = "testdata/ward7-assets.xlsx"
)

func readFile(t testing.TB, path string, m *Mapping) *Register {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return readBytes(t, b, path, m)
}

func readBytes(t testing.TB, b []byte, name string, m *Mapping) *Register {
	t.Helper()
	reg, err := Read(bytes.NewReader(b), name, m)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return reg
}

// TestReadForms reads one register exported three ways: UTF-8 CSV with a
// byte-order mark, Windows-1252 with semicolons and Excel's "sep=" line,
// and XLSX with a cover sheet before the data and typed cells. All give
// the same entries on the same rows.
func TestReadForms(t *testing.T) {
	want := readFile(t, csvPath, nil)
	if len(want.Entries) != 28 {
		t.Fatalf("got %d entries from %s, want 28", len(want.Entries), csvPath)
	}
	tests := []struct {
		path                      string
		format, encoding, sheet   string
		delimiter                 string
		sheets                    []string
		wantHeaderRow, wantFields int
	}{
		{csvPath, "csv", "utf-8", "", ",", nil, 3, 15},
		{semicolonPath, "csv", "windows-1252", "", ";", nil, 3, 15},
		{xlsxPath, "xlsx", "", "Assets", "", []string{"Cover", "Assets"}, 3, 15},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := readFile(t, tt.path, nil)
			meta := []any{got.Format, got.Encoding, got.Mapping.Sheet, got.Mapping.Delimiter,
				got.Sheets, got.Mapping.HeaderRow, len(got.Mapping.Columns)}
			wantMeta := []any{tt.format, tt.encoding, tt.sheet, tt.delimiter, tt.sheets,
				tt.wantHeaderRow, tt.wantFields}
			if diff := cmp.Diff(wantMeta, meta); diff != "" {
				t.Errorf("format, encoding, sheet, delimiter, sheets, header row, "+
					"fields (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want.Headers, got.Headers); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want.Entries, got.Entries); diff != "" {
				t.Errorf("entries (-csv +%s):\n%s", tt.path, diff)
			}
			if diff := cmp.Diff(want.Problems, got.Problems); diff != "" {
				t.Errorf("problems (-csv +%s):\n%s", tt.path, diff)
			}
		})
	}
}

// TestReadUTF16 reads the register as Excel's "Unicode Text" saves it:
// UTF-16LE with a byte-order mark, tab delimited.
func TestReadUTF16(t *testing.T) {
	want := readFile(t, csvPath, nil)
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	cr.FieldsPerRecord, cr.LazyQuotes = -1, true
	src := &csvRows{r: cr, nextLine: 1}
	var tsv bytes.Buffer
	w := csv.NewWriter(&tsv)
	w.Comma, w.UseCRLF = '\t', true
	for last := 0; ; {
		cells, row, err := src.next()
		if err != nil {
			break
		}
		for ; last < row-1; last++ {
			w.Write(nil) // a blank row
		}
		w.Write(cells)
		last = row
	}
	w.Flush()
	enc := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
	u16, err := enc.String(tsv.String())
	if err != nil {
		t.Fatal(err)
	}
	got := readBytes(t, []byte(u16), "ward7.txt", nil)
	if got.Encoding != "utf-16le" || got.Mapping.Delimiter != "\t" {
		t.Errorf("got encoding %q, delimiter %q; want utf-16le and a tab", got.Encoding,
			got.Mapping.Delimiter)
	}
	if diff := cmp.Diff(want.Entries, got.Entries); diff != "" {
		t.Errorf("entries (-csv +utf-16):\n%s", diff)
	}
}

// TestReadEntries checks the quirks of the sample register, row by row.
func TestReadEntries(t *testing.T) {
	reg := readFile(t, csvPath, nil)
	byRow := map[int]Entry{}
	for _, e := range reg.Entries {
		byRow[e.Row] = e
	}
	type identity struct {
		MAC, Hostname, Serial string
		IPs                   []string
		DuplicateOf           int
	}
	tests := []struct {
		name   string
		row    int
		want   identity
		fields map[Field]string // a few of the cells, as written
	}{
		{"hyphens, quoted commas", 4,
			identity{MAC: "00:09:5c:07:00:31", Hostname: "pic-ix-gw01", IPs: []string{"10.77.7.31"}},
			map[Field]string{Description: "Monitoring gateway, patient",
				Location: "Tower B, Floor 3, Comms Room", MAC: "00-09-5C-07-00-31"}},
		{"placeholders N/A and DHCP", 5, identity{Serial: "LAB0042"},
			map[Field]string{MAC: "N/A", IP: "DHCP"}},
		{"bare hex", 6, identity{MAC: "00:12:21:07:00:32", Hostname: "bbraun-ols01",
			Serial: "BBOLS-2291", IPs: []string{"10.77.7.32"}}, nil},
		{"after a blank line, serial in lower case with spaces", 10,
			identity{MAC: "88:4b:39:07:00:99", Hostname: "ct01-ward7", Serial: "LAB00042",
				IPs: []string{"10.77.7.21"}},
			map[Field]string{Serial: "lab00042"}},
		{"Cisco dots, host name with domain", 11,
			identity{MAC: "88:b4:36:07:00:10", Hostname: "pacs01", Serial: "FJ-PACS-0007",
				IPs: []string{"10.77.7.10"}}, nil},
		{"duplicate row", 12,
			identity{MAC: "88:b4:36:07:00:10", Hostname: "pacs01", Serial: "FJ-PACS-0007",
				IPs: []string{"10.77.7.10"}, DuplicateOf: 11}, nil},
		{"non-ASCII", 15, identity{MAC: "00:30:e6:4a:12:9f", Hostname: "evita-v500-01",
			Serial: "ASCE-0117"},
			map[Field]string{Manufacturer: "Dräger", Department: "O'Brien Ward"}},
		{"invalid MAC dropped, row kept", 16, identity{Serial: "ASFH-0042"},
			map[Field]string{MAC: "00:30:E6:GG:01:02"}},
		{"no identity", 17, identity{}, map[Field]string{Model: "Alaris GP"}},
		{"groups without leading zeros", 18, identity{MAC: "00:1e:c0:02:03:04",
			Serial: "100031852019"}, nil},
		{"UNC host name, 0.0.0.0", 21, identity{MAC: "00:40:9d:7a:00:12",
			Hostname: "ecg-cart-02", Serial: "SCD11224455"}, nil},
		{"two addresses", 22, identity{MAC: "00:14:22:0a:1b:2c", Hostname: "bga-abl90-01",
			Serial: "1011-7733", IPs: []string{"10.77.7.70", "10.77.8.70"}}, nil},
		{"two MACs in a cell", 23, identity{MAC: "00:1e:c0:11:22:33", Serial: "SS-55120"}, nil},
		{"Excel text guard, TBC", 26, identity{Serial: "000412"},
			map[Field]string{Serial: "000412", MAC: "TBC"}},
		{"note over two lines", 27, identity{MAC: "00:09:5c:11:22:33", Serial: "DE81234567"},
			map[Field]string{Notes: "Loan unit;\nreturn to supplier"}},
		{"row after the two-line note", 28, identity{Serial: "BS-P-90114"},
			map[Field]string{AssetID: "EQ100214"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := byRow[tt.row]
			if !ok {
				t.Fatalf("no entry on row %d", tt.row)
			}
			got := identity{e.MAC, e.Hostname, e.Serial, e.IPs, e.DuplicateOf}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("row %d identity (-want +got):\n%s", tt.row, diff)
			}
			for f, v := range tt.fields {
				if e.Fields[f] != v {
					t.Errorf("row %d %s: got %q, want %q", tt.row, f, e.Fields[f], v)
				}
			}
		})
	}
	for _, skipped := range []int{1, 2, 3, 9, 33, 34} {
		if _, ok := byRow[skipped]; ok {
			t.Errorf("row %d (title, blank, header or footer) read as an entry", skipped)
		}
	}
}

func TestReadProblems(t *testing.T) {
	reg := readFile(t, csvPath, nil)
	want := []Problem{
		{Row: 12, Column: "Equipment No", Field: AssetID, Value: "EQ100121",
			Reason: "same asset id as row 11"},
		{Row: 16, Column: "MAC Address", Field: MAC, Value: "00:30:E6:GG:01:02",
			Reason: `invalid MAC address: "G" is not a hex digit`},
		{Row: 23, Column: "MAC Address", Field: MAC, Value: "00:1E:C0:11:22:34",
			Reason: "a second MAC in the cell: only the first is matched"},
		{Row: 34, Value: "End of report: 28 assets",
			Reason: "only one cell filled: taken for a note, not an asset, and skipped"},
	}
	if diff := cmp.Diff(want, reg.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestMappingRoundTrip saves the detected mapping as JSON, corrects it as a
// user would, and reads the register with it.
func TestMappingRoundTrip(t *testing.T) {
	first := readFile(t, xlsxPath, nil)
	saved, err := json.Marshal(first.Mapping)
	if err != nil {
		t.Fatal(err)
	}
	var m Mapping
	if err := json.Unmarshal(saved, &m); err != nil {
		t.Fatal(err)
	}
	again := readFile(t, xlsxPath, &m)
	if diff := cmp.Diff(first.Entries, again.Entries); diff != "" {
		t.Errorf("entries read with the saved mapping %s (-first +again):\n%s", saved, diff)
	}

	m.Columns[AssetID] = "asset tag" // another column, named loosely
	delete(m.Columns, Notes)
	m.Columns[Category] = "Description"
	fixed := readFile(t, xlsxPath, &m)
	e := fixed.Entries[0]
	want := []string{"A-7001", "", "Monitoring gateway, patient"}
	got := []string{e.Fields[AssetID], e.Fields[Notes], e.Fields[Category]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("asset id, notes, category of row %d (-want +got):\n%s", e.Row, diff)
	}
	if fixed.Mapping.Columns[AssetID] != "asset tag" {
		t.Errorf("mapping after reading: got asset_id %q, want it as given",
			fixed.Mapping.Columns[AssetID])
	}
}

func TestHeaderRow(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		m       *Mapping
		wantRow int
		wantErr error
	}{
		{"first line", "Serial No,MAC\nX1,00:1b:63:00:00:01\n", nil, 1, nil},
		{"under a title and blank lines",
			"Register\n\n\nprinted 2025-05-01\nAsset No,S/N\n1,X1\n", nil, 5, nil},
		{"given", "Asset No,S/N\n1,X1\nAsset No,S/N\n2,X2\n", &Mapping{HeaderRow: 3}, 3, nil},
		{"given, blank", "\n\nAsset No,S/N\n1,X1\n", &Mapping{HeaderRow: 2}, 0, ErrNoHeader},
		{"given, past the end", "Asset No,S/N\n1,X1\n", &Mapping{HeaderRow: 9}, 0, ErrNoHeader},
		{"one known column", "Serial No,Colour\nX1,red\n", nil, 0, ErrNoHeader},
		{"one known column, mapped", "Serial No,Colour\nX1,red\n",
			&Mapping{Columns: map[Field]string{Serial: "Serial No"}}, 1, nil},
		{"too far down", strings.Repeat("note,\n", HeaderSearchRows) + "Asset No,S/N\n1,X1\n",
			nil, 0, ErrNoHeader},
		{"empty", "", nil, 0, ErrNoHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := Read(strings.NewReader(tt.text), "t.csv", tt.m)
			if !errorIs(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err == nil && reg.Mapping.HeaderRow != tt.wantRow {
				t.Errorf("got header row %d, want %d", reg.Mapping.HeaderRow, tt.wantRow)
			}
		})
	}
}

// TestRowSkipping checks which rows are not assets: blank as far as the
// mapping goes, repeated headers, single cells.
func TestRowSkipping(t *testing.T) {
	text := "Asset No,Serial No,MAC Address,Colour\n" +
		"1,X1,00:1b:63:00:00:01,\n" +
		",,,blue\n" + // nothing mapped
		"Asset No,Serial No,MAC Address,Colour\n" + // the header again, as page breaks print it
		"Total: 2\n" +
		";;;\n" +
		"2,X2,,\n"
	reg := readBytes(t, []byte(text), "t.csv", nil)
	var rows []int
	for _, e := range reg.Entries {
		rows = append(rows, e.Row)
	}
	if diff := cmp.Diff([]int{2, 7}, rows); diff != "" {
		t.Errorf("entry rows (-want +got):\n%s", diff)
	}
	if len(reg.Problems) != 2 || reg.Problems[0].Row != 5 || reg.Problems[1].Row != 6 {
		t.Errorf("got problems %+v, want rows 5 and 6 (single cells)", reg.Problems)
	}
}

func TestDuplicates(t *testing.T) {
	text := "Asset No,Manufacturer,Serial No,MAC Address\n" +
		"A1,Dräger,S1,00:1b:63:00:00:01\n" +
		"a1,,S9,\n" + // the same asset id in another case
		"A3,Draeger Medical,S1,\n" + // the same maker's serial
		"A4,Philips,S1,\n" + // another maker's serial: not the same asset
		"A5,,,00-1B-63-00-00-01\n" + // the same MAC written otherwise
		"A6,,S9,\n" // row 3's serial: row 3 repeats row 2, so this does too
	reg := readBytes(t, []byte(text), "t.csv", nil)
	var got []int
	for _, e := range reg.Entries {
		got = append(got, e.DuplicateOf)
	}
	if diff := cmp.Diff([]int{0, 2, 2, 0, 2, 2}, got); diff != "" {
		t.Errorf("DuplicateOf by row (-want +got):\n%s", diff)
	}
}

func TestCellLimit(t *testing.T) {
	long := strings.Repeat("x", MaxCellBytes+1)
	reg := readBytes(t, []byte("Asset No,Notes,Serial No\nA1,"+long+",S1\n"), "t.csv", nil)
	if len(reg.Entries) != 1 || reg.Entries[0].Fields[Notes] != "" ||
		reg.Entries[0].Serial != "S1" {
		t.Fatalf("got entries %+v, want one without its long note", reg.Entries)
	}
	if len(reg.Problems) != 1 || reg.Problems[0].Field != Notes || len(reg.Problems[0].Value) != 64 {
		t.Errorf("got problems %+v, want one for the note, its value cut to 64 bytes",
			reg.Problems)
	}
}

func TestRowLimit(t *testing.T) {
	defer func(n int) { maxRows = n }(maxRows)
	maxRows = 3
	text := "Asset No,Serial No\n1,A\n2,B\n3,C\n4,D\n5,E\n"
	reg, err := Read(strings.NewReader(text), "t.csv", nil)
	if !errorIs(err, ErrTooLarge) || !strings.Contains(err.Error(), "row 5") {
		t.Fatalf("got error %v, want ErrTooLarge at row 5", err)
	}
	if reg == nil || len(reg.Entries) != 3 {
		t.Fatalf("got %v, want the 3 entries before the limit", reg)
	}
}

func TestProblemLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("Asset No,MAC Address\n")
	for i := range MaxProblems + 5 {
		b.WriteString("A" + strconv.Itoa(i) + ",not-a-mac\n")
	}
	reg := readBytes(t, []byte(b.String()), "t.csv", nil)
	if len(reg.Problems) != MaxProblems || reg.MoreProblems != 5 {
		t.Errorf("got %d problems and %d more, want %d and 5", len(reg.Problems),
			reg.MoreProblems, MaxProblems)
	}
}

// errorIs is errors.Is, where a nil want means no error.
func errorIs(err, want error) bool {
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}

func TestAddressCells(t *testing.T) {
	text := "Asset No,IP Address,Hostname\n" +
		"A1,\"10.0.0.1, 10.0.0.1 / bogus; 010.000.000.002\",10.0.0.3\n"
	reg := readBytes(t, []byte(text), "t.csv", nil)
	wantIPs := []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}
	if diff := cmp.Diff(wantIPs, reg.Entries[0].IPs); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	want := []Problem{
		{Row: 2, Column: "IP Address", Field: IP, Value: "/", Reason: "not an IP address"},
		{Row: 2, Column: "IP Address", Field: IP, Value: "bogus", Reason: "not an IP address"},
	}
	if diff := cmp.Diff(want, reg.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestNoIdentityColumn(t *testing.T) {
	reg := readBytes(t, []byte("Asset No,Description\nA1,Bed\n"), "t.csv", nil)
	if len(reg.Entries) != 1 || len(reg.Problems) != 1 || reg.Problems[0].Row != 1 {
		t.Errorf("got %d entries and problems %+v; want one entry and a problem of "+
			"the header row", len(reg.Entries), reg.Problems)
	}
}
