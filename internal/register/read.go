package register

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits on what Read accepts. A register larger than these is split or
// exported as CSV; these bound the memory a malicious file can take.
const (
	MaxCSVBytes   = 512 << 20 // bytes of CSV, after decoding to UTF-8
	MaxLineBytes  = 1 << 20   // bytes in one CSV line, which bounds the cells in a row
	MaxXLSXBytes  = 64 << 20  // bytes of an XLSX file (compressed)
	MaxUnzipBytes = 512 << 20 // bytes of an XLSX file's parts, uncompressed
	MaxRows       = 1_000_000 // entries in a register
	MaxCellBytes  = 32767     // bytes in one cell, Excel's own limit in characters
	MaxProblems   = 10_000    // problems listed; the rest are only counted
)

// Errors that Read wraps, for callers to branch on.
var (
	// ErrFormat means the input is neither a CSV nor an XLSX register.
	ErrFormat = errors.New("not a CSV or XLSX register")
	// ErrTooLarge means the input passed one of the limits above.
	ErrTooLarge = errors.New("register too large")
	// ErrNoHeader means no header row was found.
	ErrNoHeader = errors.New("no header row")
	// ErrMissingColumn means a column of the Mapping is not in the headers.
	ErrMissingColumn = errors.New("no such column")
)

// Register is an asset register as read from one file.
type Register struct {
	Name     string   `json:"name"`               // as given to Read
	Format   string   `json:"format"`             // "csv" or "xlsx"
	Encoding string   `json:"encoding,omitempty"` // of a CSV: "utf-8", "utf-16le", ...
	Sheets   []string `json:"sheets,omitempty"`   // of an XLSX, in workbook order
	Headers  []string `json:"headers"`            // the header row's cells
	// Mapping is the one applied, with what Read detected filled in.
	Mapping  Mapping   `json:"mapping"`
	Entries  []Entry   `json:"entries"`
	Problems []Problem `json:"problems,omitempty"`
	// MoreProblems counts the problems past MaxProblems, not listed.
	MoreProblems int `json:"more_problems,omitempty"`
}

// Entry is one asset of the register: a data row.
type Entry struct {
	// Row is the 1-based row as a spreadsheet shows it (blank rows count).
	Row int `json:"row"`
	// Fields holds the mapped cells that are not empty, as written.
	Fields map[Field]string `json:"fields"`

	// The identity, normalised for matching; each "" or nil when the cell
	// is empty, a placeholder ("N/A", "DHCP") or invalid.
	MAC      string   `json:"mac,omitempty"`      // lower case, colon separated
	IPs      []string `json:"ips,omitempty"`      // as netip.Addr.String gives them
	Hostname string   `json:"hostname,omitempty"` // lower case, no domain
	Serial   string   `json:"serial,omitempty"`   // upper case, no spaces

	// DuplicateOf is the row of an earlier entry with the same asset id,
	// MAC, or serial and maker; 0 if none.
	DuplicateOf int `json:"duplicate_of,omitempty"`
}

// HasKey reports whether the entry has anything to be matched by.
func (e *Entry) HasKey() bool {
	return e.MAC != "" || e.Serial != "" || e.Hostname != "" || len(e.IPs) > 0
}

// Problem is a cell or row that could not be read as it stands. The row is
// kept, without the bad value, unless Reason says it was skipped.
type Problem struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"` // the header, as in the file
	Field  Field  `json:"field,omitempty"`
	Value  string `json:"value,omitempty"` // at most 64 bytes of it
	Reason string `json:"reason"`
}

// Read reads a register from r: XLSX if it is a ZIP archive, CSV otherwise.
// name labels the register and its errors. m, which may be nil, says how
// to read it; what it leaves out is detected.
//
// Read returns what it could read with the error that stopped it: after
// ErrMissingColumn the Register holds the headers, for the user to correct
// the mapping; after ErrTooLarge, the rows before the limit.
func Read(r io.Reader, name string, m *Mapping) (*Register, error) {
	var mp Mapping
	if m != nil {
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("read %s: mapping: %w", name, err)
		}
		mp = *m
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8)
	var reg *Register
	var err error
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		reg, err = readXLSX(br, name, mp)
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		err = fmt.Errorf("a legacy Excel (.xls) or encrypted workbook; save it as .xlsx "+
			"or CSV: %w", ErrFormat)
	default:
		reg, err = readCSV(br, name, mp)
	}
	if err != nil {
		return reg, fmt.Errorf("read %s: %w", name, err)
	}
	return reg, nil
}

// rows is a source of a sheet's rows: the cells and the 1-based row number,
// then io.EOF.
type rows interface {
	next() (cells []string, row int, err error)
}

// table turns the rows of one sheet into a Register's entries.
type table struct {
	reg  *Register
	cols []column
	// The first row of each identity, for telling duplicates.
	byAsset  map[string]int // lower-case asset id → row
	byMAC    map[string]int
	bySerial map[string]firstSerial
}

func newTableOf(reg *Register) *table {
	return &table{reg: reg, byAsset: map[string]int{}, byMAC: map[string]int{},
		bySerial: map[string]firstSerial{}}
}

type column struct {
	field  Field
	index  int
	header string
}

// findHeader reads rows up to the header row and returns it.
func findHeader(src rows, m Mapping) (header []string, row int, err error) {
	if m.HeaderRow > 0 {
		for {
			cells, n, err := src.next()
			if err != nil {
				return nil, 0, headerErr(err, fmt.Sprintf("header row %d is "+
					"past the end", m.HeaderRow))
			}
			if n == m.HeaderRow {
				return cells, n, nil
			}
			if n > m.HeaderRow {
				return nil, 0, fmt.Errorf("header row %d is blank: %w",
					m.HeaderRow, ErrNoHeader)
			}
		}
	}
	need := 2
	if len(m.Columns) == 1 {
		need = 1
	}
	for seen := 0; seen < HeaderSearchRows; {
		cells, n, err := src.next()
		if err != nil {
			return nil, 0, headerErr(err, "")
		}
		if recognised(cells, m.Columns) >= need {
			return cells, n, nil
		}
		if filled(cells) > 0 {
			seen++
		} else if n > maxBlankTop {
			break
		}
	}
	return nil, 0, headerErr(io.EOF, "")
}

// maxRows is MaxRows, lowered by tests.
var maxRows = MaxRows

// maxBlankTop bounds the blank rows searched for the header row.
const maxBlankTop = 1000

func headerErr(err error, what string) error {
	if !errors.Is(err, io.EOF) {
		return err
	}
	if what == "" {
		what = fmt.Sprintf("none of the first %d rows names two known columns "+
			"(such as \"Serial No\" and \"MAC Address\")", HeaderSearchRows)
	}
	return fmt.Errorf("%s: %w", what, ErrNoHeader)
}

// newTable maps the header's columns; it fails if a column of the Mapping
// is not there.
func newTable(reg *Register, header []string, row int, m Mapping) (*table, error) {
	reg.Headers = make([]string, len(header))
	for i, h := range header {
		reg.Headers[i] = cleanCell(h)
	}
	if len(m.Columns) == 0 {
		m.Columns = DetectMapping(reg.Headers).Columns
	}
	m.HeaderRow = row
	t := newTableOf(reg)
	for _, f := range Fields() {
		h, ok := m.Columns[f]
		if !ok {
			continue
		}
		i := columnOf(reg.Headers, h)
		if i < 0 {
			return nil, fmt.Errorf("header row %d: column %q (field %s): %w", row, h, f,
				ErrMissingColumn)
		}
		t.cols = append(t.cols, column{f, i, reg.Headers[i]})
	}
	reg.Mapping = m
	if !t.hasIdentity() {
		t.problem(Problem{Row: row, Reason: "no column of MAC, serial, host name or " +
			"IP address: no entry can be matched"})
	}
	return t, nil
}

func columnOf(headers []string, h string) int {
	for i, c := range headers {
		if c == h {
			return i
		}
	}
	k := headerKey(h)
	for i, c := range headers {
		if k != "" && headerKey(c) == k {
			return i
		}
	}
	return -1
}

func (t *table) hasIdentity() bool {
	for _, c := range t.cols {
		switch c.field {
		case MAC, IP, Hostname, Serial:
			return true
		}
	}
	return false
}

func (t *table) problem(p Problem) { addProblem(t.reg, p) }

func addProblem(reg *Register, p Problem) {
	if len(reg.Problems) >= MaxProblems {
		reg.MoreProblems++
		return
	}
	p.Value = truncate(p.Value, 64)
	reg.Problems = append(reg.Problems, p)
}

// readAll reads the data rows after the header.
func (t *table) readAll(src rows) error {
	for {
		cells, n, err := src.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(t.reg.Entries) >= maxRows {
			return fmt.Errorf("row %d: more than %d entries: %w", n, maxRows, ErrTooLarge)
		}
		t.row(n, cells)
	}
}
