package register

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ErrNoSheet means the Mapping's sheet is not in the workbook.
var ErrNoSheet = errors.New("no such sheet")

// Bounds on an XLSX beyond MaxXLSXBytes and MaxUnzipBytes. Worksheets and
// the shared strings larger than xmlInMemory are unzipped by excelize to
// the system's temporary directory and read from there; everything else is
// unzipped into memory, at most maxInMemory bytes of it.
const (
	xmlInMemory = 16 << 20
	maxInMemory = 128 << 20
	maxParts    = 10_000
)

func readXLSX(br *bufio.Reader, name string, m Mapping) (reg *Register, err error) {
	data, err := io.ReadAll(io.LimitReader(br, MaxXLSXBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxXLSXBytes {
		return nil, fmt.Errorf("more than %d bytes: %w", MaxXLSXBytes, ErrTooLarge)
	}
	if err := checkZip(data); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil { // excelize is not ours to harden
			err = fmt.Errorf("malformed workbook (%v): %w", p, ErrFormat)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: MaxUnzipBytes, UnzipXMLSizeLimit: xmlInMemory,
	})
	if err != nil {
		return nil, fmt.Errorf("open workbook: %w: %w", err, ErrFormat)
	}
	defer f.Close()
	reg = &Register{Name: name, Format: "xlsx", Sheets: f.GetSheetList()}
	return reg, readSheets(f, reg, m)
}

// checkZip bounds a ZIP archive by its directory, before anything is
// unzipped, and tells an XLSX from other ZIP files. The sizes in the
// directory are binding: archive/zip fails on a part that unzips to more.
func checkZip(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("zip: %w: %w", err, ErrFormat)
	}
	if len(zr.File) > maxParts {
		return fmt.Errorf("%d parts in the workbook, more than %d: %w", len(zr.File),
			maxParts, ErrTooLarge)
	}
	var total, inMemory uint64
	workbook := false
	for _, zf := range zr.File {
		n := strings.ToLower(zf.Name)
		if n == "mimetype" && zf.UncompressedSize64 < 128 && isODS(zf) {
			return fmt.Errorf("an OpenDocument spreadsheet; save it as .xlsx or CSV: %w",
				ErrFormat)
		}
		workbook = workbook || n == "xl/workbook.xml"
		total += zf.UncompressedSize64
		spills := (strings.HasPrefix(n, "xl/worksheets/sheet") || n == "xl/sharedstrings.xml") &&
			zf.UncompressedSize64 > xmlInMemory
		if !spills {
			inMemory += zf.UncompressedSize64
		}
		if total > MaxUnzipBytes || inMemory > maxInMemory {
			return fmt.Errorf("workbook unzips to more than %d bytes (%d in memory): %w",
				MaxUnzipBytes, maxInMemory, ErrTooLarge)
		}
	}
	if !workbook {
		return fmt.Errorf("a ZIP archive without xl/workbook.xml: %w", ErrFormat)
	}
	return nil
}

func isODS(zf *zip.File) bool {
	rc, err := zf.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 128))
	return strings.HasPrefix(string(b), "application/vnd.oasis.opendocument")
}

// readSheets reads the Mapping's sheet or, without one, the first sheet
// with a header row.
func readSheets(f *excelize.File, reg *Register, m Mapping) error {
	sheets := reg.Sheets
	if m.Sheet != "" {
		s, ok := findSheet(reg.Sheets, m.Sheet)
		if !ok {
			return fmt.Errorf("sheet %q (the workbook has %s): %w", m.Sheet,
				quoteList(reg.Sheets), ErrNoSheet)
		}
		sheets = []string{s}
	}
	for _, s := range sheets {
		done, err := readSheet(f, reg, m, s, len(sheets) == 1)
		if done || err != nil {
			return err
		}
	}
	return fmt.Errorf("no sheet of %s has a header row naming two known columns "+
		"in its first %d rows: %w", quoteList(reg.Sheets), HeaderSearchRows, ErrNoHeader)
}

// readSheet reads one sheet. Unless it is the only one to try, a sheet
// without a header row is not an error: done is false and the next is tried.
func readSheet(f *excelize.File, reg *Register, m Mapping, sheet string,
	only bool) (done bool, err error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return false, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	defer it.Close()
	src := &xlsxRows{it: it, reg: reg}
	header, row, err := findHeader(src, m)
	if errors.Is(err, ErrNoHeader) && !only {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	m.Sheet = sheet
	t, err := newTable(reg, header, row, m)
	if err != nil {
		return true, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	if err := t.readAll(src); err != nil {
		return true, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	return true, nil
}

func findSheet(sheets []string, want string) (string, bool) {
	for _, s := range sheets {
		if s == want {
			return s, true
		}
	}
	for _, s := range sheets {
		if strings.EqualFold(s, want) {
			return s, true
		}
	}
	return "", false
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 0 {
		return "no sheets"
	}
	return strings.Join(q, ", ")
}

// xlsxRows numbers a sheet's rows: excelize's Next steps through every row
// number, the rows the sheet leaves out giving no cells.
type xlsxRows struct {
	it  *excelize.Rows
	n   int
	reg *Register
}

func (s *xlsxRows) next() ([]string, int, error) {
	if !s.it.Next() {
		if err := s.it.Error(); err != nil {
			return nil, 0, fmt.Errorf("row %d: %w", s.n+1, err)
		}
		return nil, 0, io.EOF
	}
	s.n++
	cells, err := s.it.Columns()
	if err != nil {
		addProblem(s.reg, Problem{Row: s.n, Reason: "unreadable row, skipped: " + err.Error()})
		return nil, s.n, nil
	}
	return cells, s.n, nil
}
