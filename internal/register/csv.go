package register

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// sniffBytes is how much of a CSV is looked at to tell its encoding and
// delimiter.
const sniffBytes = 64 << 10

// delimiters are the separators a CSV may use, the likeliest first.
var delimiters = []rune{',', ';', '\t', '|'}

func readCSV(br *bufio.Reader, name string, m Mapping) (*Register, error) {
	reg := &Register{Name: name, Format: "csv"}
	src, enc, err := decodeText(br)
	if err != nil {
		return nil, err
	}
	reg.Encoding = enc
	text := bufio.NewReaderSize(&limitReader{r: src, left: MaxCSVBytes}, sniffBytes)
	sep, hasSep := excelSep(text)
	switch {
	case m.Delimiter != "":
	case hasSep:
		m.Delimiter = string(sep)
	default:
		head, _ := text.Peek(sniffBytes)
		m.Delimiter = string(sniffDelimiter(head, m.Columns))
	}
	cr := csv.NewReader(text)
	cr.Comma, _ = utf8.DecodeRuneInString(m.Delimiter)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	recs := &csvRows{r: cr, nextLine: 1}

	header, row, err := findHeader(recs, m)
	if err != nil {
		return reg, err
	}
	t, err := newTable(reg, header, row, m)
	if err != nil {
		return reg, err
	}
	return reg, t.readAll(recs)
}

// decodeText tells the encoding of a text file by its byte-order mark or,
// without one, by whether it is valid UTF-8, and returns it as UTF-8.
func decodeText(br *bufio.Reader) (io.Reader, string, error) {
	head, _ := br.Peek(sniffBytes)
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
		return br, "utf-8", nil
	case bytes.HasPrefix(head, []byte("\xff\xfe")):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Reader(br),
			"utf-16le", nil
	case bytes.HasPrefix(head, []byte("\xfe\xff")):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Reader(br),
			"utf-16be", nil
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return nil, "", fmt.Errorf("a PDF report, not an export of the data: %w", ErrFormat)
	case bytes.IndexByte(head, 0) >= 0:
		return nil, "", fmt.Errorf("binary data: %w", ErrFormat)
	case validUTF8Prefix(head):
		return br, "utf-8", nil
	}
	// Excel's plain "CSV" on Windows writes the ANSI code page.
	return charmap.Windows1252.NewDecoder().Reader(br), "windows-1252", nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a character cut off
// at its end.
func validUTF8Prefix(b []byte) bool {
	for cut := 0; cut < utf8.UTFMax && cut <= len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// excelSep reads Excel's "sep=;" first line, which names the delimiter
// and which Excel does not show as a row.
func excelSep(text *bufio.Reader) (rune, bool) {
	head, _ := text.Peek(16)
	if len(head) < 5 || !bytes.EqualFold(head[:4], []byte("sep=")) {
		return 0, false
	}
	d, n := utf8.DecodeRune(head[4:])
	rest := head[4+n:]
	end := 0
	switch {
	case bytes.HasPrefix(rest, []byte("\r\n")):
		end = 4 + n + 2
	case bytes.HasPrefix(rest, []byte("\n")):
		end = 4 + n + 1
	default:
		return 0, false
	}
	if d == utf8.RuneError || d == '"' {
		return 0, false
	}
	text.Discard(end)
	return d, true
}

// sniffDelimiter picks the delimiter under which some row of the head names
// the most known columns, then the one that splits a row into most cells.
func sniffDelimiter(head []byte, cols map[Field]string) rune {
	best, bestKnown, bestCells := delimiters[0], -1, -1
	for _, d := range delimiters {
		cr := csv.NewReader(bytes.NewReader(head))
		cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord = d, -1, true, true
		known, cells := 0, 0
		for range HeaderSearchRows {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			known, cells = max(known, recognised(rec, cols)), max(cells, len(rec))
		}
		if known > bestKnown || known == bestKnown && cells > bestCells {
			best, bestKnown, bestCells = d, known, cells
		}
	}
	return best
}

// csvRows numbers a CSV's records as a spreadsheet shows them: encoding/csv
// skips blank lines, which a spreadsheet shows as blank rows.
type csvRows struct {
	r        *csv.Reader
	row      int
	nextLine int // the line after the previous record
}

func (s *csvRows) next() ([]string, int, error) {
	rec, err := s.r.Read()
	if err != nil {
		return nil, 0, err // a csv.ParseError or the limitReader's names the line
	}
	line, _ := s.r.FieldPos(0)
	s.row += 1 + max(line-s.nextLine, 0)
	last, _ := s.r.FieldPos(len(rec) - 1)
	s.nextLine = last + strings.Count(rec[len(rec)-1], "\n") + 1
	return rec, s.row, nil
}

// limitReader fails with ErrTooLarge past MaxCSVBytes in all or
// MaxLineBytes in a line.
type limitReader struct {
	r     io.Reader
	left  int64 // bytes still allowed
	line  int   // bytes since the last newline
	lines int   // newlines so far
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, fmt.Errorf("more than %d bytes: %w", MaxCSVBytes, ErrTooLarge)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	for b := p[:n]; len(b) > 0; {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.line += len(b)
			break
		}
		l.line += i
		if l.line > MaxLineBytes {
			break
		}
		l.line, l.lines, b = 0, l.lines+1, b[i+1:]
	}
	if l.line > MaxLineBytes {
		return n, fmt.Errorf("line %d is longer than %d bytes: %w", l.lines+1, MaxLineBytes,
			ErrTooLarge)
	}
	return n, err
}
