package register

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// zipOf makes a ZIP archive of the named parts.
func zipOf(t *testing.T, parts ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(parts); i += 2 {
		w, err := zw.Create(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, parts[i+1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bomb is a workbook whose directory says a part unzips to size bytes.
func bomb(t *testing.T, name string, size uint64) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("xl/workbook.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "<workbook/>")
	raw, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate,
		CompressedSize64: 2, UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	raw.Write([]byte{0x03, 0x00})
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReadErrors checks that bad input gives an error that says what is
// wrong and where, and that callers can branch on.
func TestReadErrors(t *testing.T) {
	xlsx, err := os.ReadFile(xlsxPath)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		input []byte
		m     *Mapping
		want  error
		text  string // in the error's text
	}{
		{"legacy xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), nil, ErrFormat, ".xls"},
		{"pdf", []byte("%PDF-1.7\n..."), nil, ErrFormat, "PDF"},
		{"binary", []byte("MZ\x90\x00\x03\x00\x00\x00"), nil, ErrFormat, "binary"},
		{"zip, not a workbook", zipOf(t, "readme.txt", "hello"), nil, ErrFormat,
			"xl/workbook.xml"},
		{"OpenDocument", zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet",
			"content.xml", "<x/>"), nil, ErrFormat, "OpenDocument"},
		{"truncated workbook", xlsx[:len(xlsx)/2], nil, ErrFormat, "zip"},
		{"declared too large", bomb(t, "xl/worksheets/sheet1.xml", MaxUnzipBytes+1), nil,
			ErrTooLarge, "unzips to more than"},
		{"too much in memory", bomb(t, "xl/styles.xml", maxInMemory+1), nil, ErrTooLarge,
			"in memory"},
		{"header not found", []byte("a,b\n1,2\n"), nil, ErrNoHeader, "first 20 rows"},
		{"mapped column missing", []byte("Serial No,MAC\nX,00:1b:63:00:00:01\n"),
			&Mapping{Columns: map[Field]string{Serial: "Serial No", MAC: "MAC",
				Hostname: "Host Name"}},
			ErrMissingColumn, `header row 1: column "Host Name" (field hostname)`},
		{"unknown field", []byte("x"), &Mapping{Columns: map[Field]string{"colour": "C"}},
			ErrMapping, `unknown field "colour"`},
		{"bad delimiter", []byte("x"), &Mapping{Delimiter: ";;"}, ErrMapping, "delimiter"},
		{"negative header row", []byte("x"), &Mapping{HeaderRow: -1}, ErrMapping, "header_row"},
		{"no such sheet", xlsx, &Mapping{Sheet: "Register"}, ErrNoSheet,
			`sheet "Register" (the workbook has "Cover", "Assets")`},
		{"sheet without header", xlsx, &Mapping{Sheet: "cover"}, ErrNoHeader, `sheet "Cover"`},
		{"line too long", []byte("Serial No,MAC\n" + strings.Repeat("x", MaxLineBytes+1)), nil,
			ErrTooLarge, "line 2 is longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.input), "in.file", tt.m)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "read in.file: ") ||
				!strings.Contains(err.Error(), tt.text) {
				t.Errorf("got error %q, want it to start with the name and say %q", err, tt.text)
			}
		})
	}
}

// TestXLSXSizeLimit feeds a stream longer than MaxXLSXBytes without
// holding it first.
func TestXLSXSizeLimit(t *testing.T) {
	r := io.MultiReader(strings.NewReader("PK\x03\x04"), io.LimitReader(zeros{}, MaxXLSXBytes))
	_, err := Read(r, "big.xlsx", nil)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got error %v, want ErrTooLarge", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestMissingColumnKeepsHeaders checks that a mapping that no longer fits
// the export leaves the headers for the user to map again.
func TestMissingColumnKeepsHeaders(t *testing.T) {
	m := &Mapping{Columns: map[Field]string{Serial: "Serial Number", MAC: "MAC Address"}}
	reg, err := Read(strings.NewReader("Title\nS/N,MAC Address\nX1,00:1b:63:00:00:01\n"),
		"t.csv", m)
	if !errors.Is(err, ErrMissingColumn) || !strings.Contains(err.Error(), "header row 2") {
		t.Fatalf("got error %v, want ErrMissingColumn in header row 2", err)
	}
	if reg == nil || strings.Join(reg.Headers, "|") != "S/N|MAC Address" {
		t.Fatalf("got register %+v, want its headers", reg)
	}
}
