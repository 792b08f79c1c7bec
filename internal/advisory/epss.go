package advisory

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// FIRST publishes EPSS scores as one CSV a day:
//
//	#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000
//	cve,epss,percentile
//	CVE-1999-0001,0.01018,0.76416
//
// usually gzip-compressed. Mirrors also keep a time series per CVE, one
// row a day, with the CVE named only by the file:
//
//	date,model,epss,percentile
//	2023-03-07,v3,0.00188,0.54458

// MaxEPSSLine bounds one line of EPSS CSV, in bytes. Real lines are
// under 100.
const MaxEPSSLine = 4096

// MaxEPSSSize bounds the bytes of EPSS CSV read, after decompression: the
// daily file is about 10 MiB, and a small gzip file must not expand
// without end.
const MaxEPSSSize = 256 << 20

// ParseEPSS reads one day's EPSS scores: the CSV FIRST publishes, with or
// without its first comment line, plain or gzip-compressed (told by the
// gzip magic). Model and Date come from the comment line and are empty
// without it. A bad row is an *InvalidError naming its line ("line 12").
// A per-CVE time series is refused here, since it does not name its CVE:
// read it with ParseEPSSSeries.
func ParseEPSS(r io.Reader) (*EPSS, error) {
	lr, err := newEPSSLines(r)
	if err != nil {
		return nil, err
	}
	e := &EPSS{Scores: make(map[string]EPSSScore, epssRowsHint(r))}
	cols, err := lr.header(e)
	if err != nil {
		return nil, err
	}
	if cols.series() {
		return nil, lr.invalid("a per-CVE time series (date,model,epss,percentile) names no CVE")
	}
	if cols.cve < 0 || cols.epss < 0 {
		return nil, lr.invalid("header has no cve and epss columns: not an EPSS file")
	}
	for {
		fields, err := lr.row(cols.n)
		if errors.Is(err, io.EOF) {
			return e, nil
		}
		if err != nil {
			return nil, err
		}
		if err := e.addRow(fields, cols); err != nil {
			return nil, lr.invalid(err.Error())
		}
	}
}

// epssRowsHint guesses the rows of r from its length where it tells it
// (a bytes.Reader does), for a map that need not grow; a daily row is
// about 30 bytes. Compressed input is guessed short, and the map grows.
func epssRowsHint(r io.Reader) int {
	l, ok := r.(interface{ Len() int })
	if !ok {
		return 1 << 12
	}
	return min(l.Len()/30, MaxEPSSSize/30)
}

// ParseEPSSSeries reads a time series of one CVE's EPSS scores (columns
// date, model, epss, percentile) and returns its latest day: Date and
// Model are that row's, and Scores holds the one CVE.
func ParseEPSSSeries(cve string, r io.Reader) (*EPSS, error) {
	if !strings.HasPrefix(cve, "CVE-") {
		return nil, fmt.Errorf("read epss series: %q is not a CVE ID", cve)
	}
	lr, err := newEPSSLines(r)
	if err != nil {
		return nil, err
	}
	var e EPSS
	cols, err := lr.header(&e)
	if err != nil {
		return nil, err
	}
	if !cols.series() || cols.epss < 0 {
		return nil, lr.invalid("header has no date, model and epss columns: not an EPSS time series")
	}
	var latest *EPSS
	for {
		fields, err := lr.row(cols.n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		day, err := seriesRow(cve, fields, cols)
		if err != nil {
			return nil, lr.invalid(err.Error())
		}
		if latest == nil || !day.Date.Before(latest.Date) {
			latest = day
		}
	}
	if latest == nil {
		return nil, lr.invalid("no rows")
	}
	return latest, nil
}

// seriesRow reads one row of a time series as a day's EPSS of one CVE.
func seriesRow(cve string, fields [][]byte, cols epssColumns) (*EPSS, error) {
	day, err := time.Parse(time.DateOnly, string(fields[cols.date]))
	if err != nil {
		return nil, fmt.Errorf("date %q is not YYYY-MM-DD", fields[cols.date])
	}
	s, err := epssScore(fields, cols)
	if err != nil {
		return nil, err
	}
	model := ""
	if cols.model >= 0 {
		model = string(fields[cols.model])
	}
	return &EPSS{Model: model, Date: day, Scores: map[string]EPSSScore{cve: s}}, nil
}

// epssHeader returns the columns of an EPSS file's header, which
// follows an optional comment line; no columns if it has none.
func epssHeader(data []byte) epssColumns {
	lr, err := newEPSSLines(bytes.NewReader(data))
	if err != nil {
		return epssColumns{cve: -1, date: -1}
	}
	var e EPSS
	cols, err := lr.header(&e)
	if err != nil {
		return epssColumns{cve: -1, date: -1}
	}
	return cols
}

// epssLines reads an EPSS CSV line by line, counting lines from 1.
type epssLines struct {
	br   *bufio.Reader
	line int
	n    int64    // bytes read
	max  int64    // the bound on n: MaxEPSSSize
	buf  [][]byte // fields of the current row, reused
}

// newEPSSLines reads r, decompressing it if it starts with the gzip magic.
func newEPSSLines(r io.Reader) (*epssLines, error) {
	br := bufio.NewReaderSize(r, MaxEPSSLine)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read epss gzip header: %w", err)
		}
		br = bufio.NewReaderSize(zr, MaxEPSSLine)
	}
	return &epssLines{br: br, max: MaxEPSSSize}, nil
}

// next returns the next line without its line ending, io.EOF after the
// last.
func (lr *epssLines) next() ([]byte, error) {
	b, err := lr.br.ReadSlice('\n')
	if len(b) > 0 || err == nil {
		lr.line++
	}
	if lr.n += int64(len(b)); lr.n > lr.max {
		return nil, fmt.Errorf("read epss at line %d: more than %d bytes", lr.line, lr.max)
	}
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, lr.invalid(fmt.Sprintf("longer than %d bytes", MaxEPSSLine))
	case errors.Is(err, io.EOF) && len(b) > 0:
		err = nil // a last line without a newline
	case err != nil && !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("read epss at line %d: %w", lr.line+1, err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r")), err
}

// row returns the fields of the next data row, which must have n of
// them; blank lines and comments are passed over.
func (lr *epssLines) row(n int) ([][]byte, error) {
	for {
		b, err := lr.next()
		if err != nil {
			return nil, err
		}
		if len(b) == 0 || b[0] == '#' {
			continue
		}
		lr.buf = splitComma(lr.buf[:0], b)
		if len(lr.buf) != n {
			return nil, lr.invalid(fmt.Sprintf("got %d fields, want %d", len(lr.buf), n))
		}
		return lr.buf, nil
	}
}

// splitComma appends the comma-separated fields of b to dst. EPSS files
// quote nothing.
func splitComma(dst [][]byte, b []byte) [][]byte {
	for {
		i := bytes.IndexByte(b, ',')
		if i < 0 {
			return append(dst, b)
		}
		dst = append(dst, b[:i])
		b = b[i+1:]
	}
}

// epssColumns are the indexes of the known columns, -1 where absent, and
// n the number of columns.
type epssColumns struct {
	cve, epss, percentile, date, model, n int
}

func (c epssColumns) series() bool { return c.cve < 0 && c.date >= 0 }

// header reads the optional comment line into e and the header row.
func (lr *epssLines) header(e *EPSS) (epssColumns, error) {
	b, err := lr.next()
	if errors.Is(err, io.EOF) {
		lr.line = 1
		return epssColumns{}, lr.invalid("empty file")
	}
	if err != nil {
		return epssColumns{}, err
	}
	if len(b) > 0 && b[0] == '#' {
		if err := readEPSSComment(e, string(b[1:])); err != nil {
			return epssColumns{}, lr.invalid(err.Error())
		}
		if b, err = lr.next(); errors.Is(err, io.EOF) {
			return epssColumns{}, lr.invalid("no header after the comment line")
		} else if err != nil {
			return epssColumns{}, err
		}
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	c := epssColumns{cve: -1, epss: -1, percentile: -1, date: -1, model: -1}
	fields := splitComma(nil, b)
	c.n = len(fields)
	for i, f := range fields {
		switch strings.ToLower(string(bytes.TrimSpace(f))) {
		case "cve":
			c.cve = i
		case "epss":
			c.epss = i
		case "percentile":
			c.percentile = i
		case "date":
			c.date = i
		case "model":
			c.model = i
		}
	}
	return c, nil
}

// readEPSSComment reads "model_version:v2023.03.01,score_date:…".
func readEPSSComment(e *EPSS, s string) error {
	for kv := range strings.SplitSeq(s, ",") {
		k, v, _ := strings.Cut(kv, ":")
		switch strings.TrimSpace(k) {
		case "model_version":
			e.Model = strings.TrimSpace(v)
		case "score_date":
			t, err := parseFeedTime(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("score_date: %w", err)
			}
			e.Date = t
		}
	}
	return nil
}

// addRow adds one row of a daily file.
func (e *EPSS) addRow(fields [][]byte, cols epssColumns) error {
	cve := fields[cols.cve]
	if !bytes.HasPrefix(cve, []byte("CVE-")) {
		return fmt.Errorf("%q is not a CVE ID", cve)
	}
	s, err := epssScore(fields, cols)
	if err != nil {
		return fmt.Errorf("%s: %w", cve, err)
	}
	e.Scores[string(cve)] = s
	return nil
}

// epssScore reads the probability and, where there is a column for it,
// the percentile of a row.
func epssScore(fields [][]byte, cols epssColumns) (EPSSScore, error) {
	var s EPSSScore
	var err error
	if s.Probability, err = unitFloat(fields[cols.epss]); err != nil {
		return s, fmt.Errorf("epss: %w", err)
	}
	if cols.percentile >= 0 {
		if s.Percentile, err = unitFloat(fields[cols.percentile]); err != nil {
			return s, fmt.Errorf("percentile: %w", err)
		}
	}
	return s, nil
}

// unitFloat reads a number from 0 to 1.
func unitFloat(b []byte) (float64, error) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1 {
		return 0, fmt.Errorf("%q is not a number from 0 to 1", b)
	}
	return f, nil
}

// invalid is an *InvalidError at the current line.
func (lr *epssLines) invalid(reason string) error {
	return &InvalidError{Format: EPSSFormat, Problems: []Problem{{
		Path: fmt.Sprintf("line %d", lr.line), Reason: reason,
	}}}
}
