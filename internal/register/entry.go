package register

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// row makes an entry of one data row, or skips it: blank rows (as far as the
// mapped columns go), repeated header rows, and rows of a single cell, which
// are notes and totals rather than assets.
func (t *table) row(n int, cells []string) {
	fields := make(map[Field]string, len(t.cols))
	repeat := len(t.cols) >= 2
	for _, c := range t.cols {
		if c.index >= len(cells) {
			repeat = false
			continue
		}
		v := cleanCell(cells[c.index])
		repeat = repeat && v == c.header
		if v == "" {
			continue
		}
		if len(v) > MaxCellBytes {
			t.problem(Problem{Row: n, Column: c.header, Field: c.field, Value: v,
				Reason: fmt.Sprintf("cell of %d bytes, more than %d: ignored", len(v),
					MaxCellBytes)})
			continue
		}
		fields[c.field] = v
	}
	if len(fields) == 0 || repeat {
		return
	}
	if len(t.cols) >= 3 && filled(cells) == 1 {
		t.problem(Problem{Row: n, Value: firstFilled(cells),
			Reason: "only one cell filled: taken for a note, not an asset, and skipped"})
		return
	}
	e := Entry{Row: n, Fields: fields}
	t.identity(&e)
	t.duplicate(&e)
	t.reg.Entries = append(t.reg.Entries, e)
}

func filled(cells []string) int {
	n := 0
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

func firstFilled(cells []string) string {
	for _, c := range cells {
		if v := cleanCell(c); v != "" {
			return v
		}
	}
	return ""
}

// identity normalises the entry's MAC, addresses, host name and serial.
func (t *table) identity(e *Entry) {
	if v := e.Fields[MAC]; v != "" && !placeholder(v) {
		t.mac(e, v)
	}
	if v := e.Fields[IP]; v != "" && !placeholder(v) {
		for _, tok := range splitList(v, ", ;\t\r\n|") {
			t.addIP(e, tok)
		}
	}
	if v := e.Fields[Hostname]; v != "" && !placeholder(v) {
		if _, ok := parseIP(v); ok {
			t.addIP(e, v) // an address where the name should be
		} else {
			e.Hostname = hostKey(v)
		}
	}
	if v := e.Fields[Serial]; v != "" && !placeholder(v) {
		e.Serial = serialKey(v)
	}
}

// mac reads the MAC cell, which may list several; the first valid one is
// the entry's.
func (t *table) mac(e *Entry, v string) {
	for _, tok := range splitList(v, ",;/|\r\n") {
		if tok == "" || placeholder(tok) {
			continue
		}
		m, err := NormaliseMAC(tok)
		switch {
		case err != nil:
			t.problem(Problem{Row: e.Row, Column: t.header(MAC), Field: MAC, Value: tok,
				Reason: err.Error()})
		case e.MAC == "":
			e.MAC = m
		case m != e.MAC:
			t.problem(Problem{Row: e.Row, Column: t.header(MAC), Field: MAC, Value: tok,
				Reason: "a second MAC in the cell: only the first is matched"})
		}
	}
}

func (t *table) addIP(e *Entry, tok string) {
	if placeholder(tok) {
		return
	}
	a, ok := parseIP(tok)
	if !ok {
		t.problem(Problem{Row: e.Row, Column: t.header(IP), Field: IP, Value: tok,
			Reason: "not an IP address"})
		return
	}
	if a.IsUnspecified() {
		return
	}
	s := a.String()
	for _, have := range e.IPs {
		if have == s {
			return
		}
	}
	e.IPs = append(e.IPs, s)
}

func (t *table) header(f Field) string {
	for _, c := range t.cols {
		if c.field == f {
			return c.header
		}
	}
	return ""
}

// duplicate marks an entry whose asset id, MAC, or serial of the same maker
// an earlier entry has; later rows that share a key with it point to the
// same first row.
func (t *table) duplicate(e *Entry) {
	id := strings.ToLower(e.Fields[AssetID])
	if placeholder(id) {
		id = ""
	}
	maker := e.Fields[Manufacturer]
	var field Field
	var what string
	if r, ok := t.byAsset[id]; ok && id != "" {
		e.DuplicateOf, field, what = r, AssetID, "asset id"
	} else if r, ok := t.byMAC[e.MAC]; ok && e.MAC != "" {
		e.DuplicateOf, field, what = r, MAC, "MAC"
	} else if s, ok := t.bySerial[e.Serial]; ok && e.Serial != "" &&
		compatibleMakers(s.maker, maker) {
		e.DuplicateOf, field, what = s.row, Serial, "serial and maker"
	}
	root := e.Row
	if e.DuplicateOf != 0 {
		root = e.DuplicateOf
		t.problem(Problem{Row: e.Row, Column: t.header(field), Field: field,
			Value: e.Fields[field], Reason: fmt.Sprintf("same %s as row %d", what, root)})
	}
	if _, ok := t.byAsset[id]; !ok && id != "" {
		t.byAsset[id] = root
	}
	if _, ok := t.byMAC[e.MAC]; !ok && e.MAC != "" {
		t.byMAC[e.MAC] = root
	}
	if _, ok := t.bySerial[e.Serial]; !ok && e.Serial != "" {
		t.bySerial[e.Serial] = firstSerial{root, maker}
	}
}

// firstSerial is the first entry with a serial, and its maker.
type firstSerial struct {
	row   int
	maker string
}

// compatibleMakers reports whether two makers' names may be the same maker:
// they are, or one is unknown.
func compatibleMakers(a, b string) bool {
	return a == "" || b == "" || sameMaker(a, b)
}

// cleanCell trims a cell, unwraps Excel's ="..." text guard and replaces
// invalid UTF-8.
func cleanCell(v string) string {
	v = strings.TrimFunc(v, unicode.IsSpace)
	if len(v) >= 3 && strings.HasPrefix(v, `="`) && strings.HasSuffix(v, `"`) {
		v = strings.TrimFunc(v[2:len(v)-1], unicode.IsSpace)
	}
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	return v
}

// truncate cuts s to at most n bytes, at a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
