// Command gen makes the other forms of testdata/ward7-assets.csv: the same
// register as a Windows-1252, semicolon-delimited CSV with Excel's "sep="
// line, and as an XLSX workbook whose cells have the types a CMMS export
// gives them. Each keeps every asset on the same spreadsheet row.
//
// Run it from internal/register: go run ./testdata/gen
package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	b, err := os.ReadFile("testdata/ward7-assets.csv")
	if err != nil {
		return err
	}
	rows, err := readRows(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	if err != nil {
		return err
	}
	if err := writeSemicolon("testdata/ward7-assets-semicolon.csv", rows); err != nil {
		return err
	}
	return writeXLSX("testdata/ward7-assets.xlsx", rows)
}

// readRows returns the records by spreadsheet row (1-based), blank lines
// being blank rows.
func readRows(b []byte) (map[int][]string, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord, cr.LazyQuotes = -1, true
	rows := map[int][]string{}
	row, next := 0, 1
	for {
		rec, err := cr.Read()
		if err != nil {
			break
		}
		line, _ := cr.FieldPos(0)
		row += 1 + line - next
		last, _ := cr.FieldPos(len(rec) - 1)
		next = last + strings.Count(rec[len(rec)-1], "\n") + 1
		rows[row] = rec
	}
	return rows, nil
}

func maxRow(rows map[int][]string) int {
	n := 0
	for r := range rows {
		n = max(n, r)
	}
	return n
}

func writeSemicolon(path string, rows map[int][]string) error {
	var out strings.Builder
	out.WriteString("sep=;\r\n")
	for r := 1; r <= maxRow(rows); r++ {
		for i, c := range rows[r] {
			if i > 0 {
				out.WriteByte(';')
			}
			switch {
			case strings.HasPrefix(c, `="`):
				out.WriteString(c) // Excel's text guard is written bare
			case strings.ContainsAny(c, ";\"\n"):
				out.WriteString(`"` + strings.ReplaceAll(c, `"`, `""`) + `"`)
			default:
				out.WriteString(c)
			}
		}
		out.WriteString("\r\n")
	}
	enc, err := charmap.Windows1252.NewEncoder().String(out.String())
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(enc), 0o644)
}

func writeXLSX(path string, rows map[int][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Cover"); err != nil {
		return err
	}
	f.SetCellValue("Cover", "A1", "St Elsewhere General Hospital NHS Trust")
	f.SetCellValue("Cover", "A2", "Medical equipment register, Ward 7 and associated areas")
	f.SetCellValue("Cover", "A4", "Exported from the CMMS; filter: Site = St Elsewhere General")
	if _, err := f.NewSheet("Assets"); err != nil {
		return err
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14}) // d/m/yyyy as the locale shows it
	if err != nil {
		return err
	}
	for r := 1; r <= maxRow(rows); r++ {
		for c, v := range rows[r] {
			if v == "" {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(c+1, r)
			if err != nil {
				return err
			}
			if err := setCell(f, cell, v, r > 3 && c == 14, date); err != nil {
				return err
			}
		}
	}
	return f.SaveAs(path)
}

// setCell writes v as the type Excel would give it: dates and plain
// numbers as numbers, the rest as text.
func setCell(f *excelize.File, cell, v string, isDate bool, date int) error {
	const sheet = "Assets"
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, `="`) {
		return f.SetCellStr(sheet, cell, strings.TrimSuffix(strings.TrimPrefix(v, `="`), `"`))
	}
	if t, err := time.Parse("02/01/2006", v); err == nil && isDate {
		if err := f.SetCellValue(sheet, cell, t); err != nil {
			return err
		}
		return f.SetCellStyle(sheet, cell, cell, date)
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && !strings.HasPrefix(v, "0") {
		return f.SetCellInt(sheet, cell, n)
	}
	return f.SetCellStr(sheet, cell, v)
}
