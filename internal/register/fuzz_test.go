package register

import (
	"archive/zip"
	"bytes"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// maxFuzzInput keeps each input, and so the memory of one run, small.
const maxFuzzInput = 256 << 10

// checkRegister is what holds of any register Read returns without error:
// rows ascend, entries have a value, keys are normalised, and the mapping
// Read reports reads the input to the same entries again.
func checkRegister(t *testing.T, data []byte, reg *Register) {
	t.Helper()
	last := reg.Mapping.HeaderRow
	for _, e := range reg.Entries {
		if e.Row <= last {
			t.Fatalf("entry row %d after row %d", e.Row, last)
		}
		last = e.Row
		if len(e.Fields) == 0 {
			t.Fatalf("row %d: entry without fields", e.Row)
		}
		if e.MAC != "" {
			if m, err := NormaliseMAC(e.MAC); err != nil || m != e.MAC {
				t.Fatalf("row %d: MAC %q not normalised", e.Row, e.MAC)
			}
		}
		for f, v := range e.Fields {
			if v == "" || len(v) > MaxCellBytes || !f.Valid() {
				t.Fatalf("row %d: bad field %s=%q", e.Row, f, truncate(v, 80))
			}
		}
	}
	if len(reg.Problems) > MaxProblems {
		t.Fatalf("%d problems listed, more than %d", len(reg.Problems), MaxProblems)
	}
	m := reg.Mapping
	again, err := Read(bytes.NewReader(data), "again", &m)
	if err != nil {
		t.Fatalf("read again with the mapping %+v: %v", m, err)
	}
	if diff := cmp.Diff(reg.Entries, again.Entries); diff != "" {
		t.Fatalf("read again with the mapping %+v (-first +again):\n%s", m, diff)
	}
}

func addSeeds(f *testing.F, paths ...string) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzReadCSV(f *testing.F) {
	addSeeds(f, csvPath, semicolonPath)
	f.Add([]byte("Serial No\tMAC\tIP\nX\t00:1b:63:00:00:01\t10.0.0.1, 10.0.0.2\n"))
	f.Add([]byte("\xff\xfeS\x00/\x00N\x00,\x00M\x00A\x00C\x00\n\x00"))
	f.Add([]byte("sep=|\nAsset No|Host Name\n\"1\n2\"|\\\\ws01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput || bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			return
		}
		reg, err := Read(bytes.NewReader(data), "fuzz.csv", nil)
		if err != nil {
			return
		}
		checkRegister(t, data, reg)
	})
}

// ci-fuzz: 3000x (excelize reads about 280 workbooks a second)
func FuzzReadXLSX(f *testing.F) {
	addSeeds(f, xlsxPath)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		reg, err := Read(bytes.NewReader(data), "fuzz.xlsx", nil)
		if err != nil {
			return
		}
		checkRegister(t, data, reg)
	})
}

// FuzzXLSXSheet mutates the XML of the sample workbook's data sheet and
// shared strings, which random changes to the compressed file seldom
// reach.
//
// ci-fuzz: 3000x (excelize reads about 280 workbooks a second)
func FuzzXLSXSheet(f *testing.F) {
	parts := xlsxParts(f)
	for name := range parts {
		if strings.HasPrefix(name, "docProps/") || strings.HasPrefix(name, "xl/theme/") {
			delete(parts, name) // optional, and costly to parse each time
		}
	}
	f.Add(parts["xl/worksheets/sheet2.xml"], parts["xl/sharedStrings.xml"])
	f.Add([]byte(`<worksheet><sheetData><row r="3"><c r="A3" t="inlineStr"><is><t>MAC`+
		`</t></is></c><c r="B3" t="inlineStr"><is><t>S/N</t></is></c></row><row r="1048576">`+
		`<c r="XFD1048576" t="s"><v>2</v></c></row></sheetData></worksheet>`), []byte("<sst/>"))
	f.Fuzz(func(t *testing.T, sheet, shared []byte) {
		if len(sheet)+len(shared) > maxFuzzInput {
			return
		}
		data := rezip(t, parts, map[string][]byte{"xl/worksheets/sheet2.xml": sheet,
			"xl/sharedStrings.xml": shared})
		reg, err := Read(bytes.NewReader(data), "fuzz.xlsx", nil)
		if err != nil {
			return
		}
		checkRegister(t, data, reg)
	})
}

func xlsxParts(tb testing.TB) map[string][]byte {
	b, err := os.ReadFile(xlsxPath)
	if err != nil {
		tb.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			tb.Fatal(err)
		}
		parts[zf.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
	}
	return parts
}

func rezip(tb testing.TB, parts, replace map[string][]byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range slices.Sorted(maps.Keys(parts)) { // [Content_Types].xml first
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		body := parts[name]
		if r, ok := replace[name]; ok {
			body = r
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func FuzzNormaliseMAC(f *testing.F) {
	for _, s := range []string{"00:1b:63:84:45:e6", "00-1B-63-84-45-E6", "001b.6384.45e6",
		"001B638445E6", "0:1b:63:84:5:e6", "00 1b 63 84 45 e6", "00:30:E6:GG:01:02"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := NormaliseMAC(s)
		if err != nil {
			return
		}
		if len(m) != 17 || strings.ToLower(m) != m || strings.Count(m, ":") != 5 {
			t.Fatalf("NormaliseMAC(%q) = %q, not lower-case colon form", s, m)
		}
		bare := strings.ReplaceAll(m, ":", "")
		for _, form := range []string{m, strings.ToUpper(bare),
			strings.ReplaceAll(m, ":", "-"), bare[:4] + "." + bare[4:8] + "." + bare[8:]} {
			if again, err := NormaliseMAC(form); err != nil || again != m {
				t.Fatalf("NormaliseMAC(%q) = %q, %v; want %q as for %q", form, again, err, m, s)
			}
		}
	})
}
