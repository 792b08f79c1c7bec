package web

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/wardhq/ward/internal/register"
	"github.com/wardhq/ward/internal/store"
)

type registerView struct {
	Latest   *store.RegisterImport
	Mappings []namedMapping
	Fields   []register.Field
}

// namedMapping is a saved column mapping, its columns in field order.
type namedMapping struct {
	Name    string
	Columns []mappedColumn
	Mapping register.Mapping
}

type mappedColumn struct {
	Field  register.Field
	Header string
}

func (s *Server) namedMappings(r *http.Request) ([]namedMapping, error) {
	names, err := s.db.Mappings(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]namedMapping, 0, len(names))
	for _, n := range names {
		m, err := s.db.Mapping(r.Context(), n)
		if err != nil {
			return nil, err
		}
		nm := namedMapping{Name: n, Mapping: m}
		for _, f := range register.Fields() {
			if h, ok := m.Columns[f]; ok {
				nm.Columns = append(nm.Columns, mappedColumn{f, h})
			}
		}
		out = append(out, nm)
	}
	return out, nil
}

// formMapping reads the mapping form: a heading for any of the fields, the
// header row and the sheet.
func formMapping(r *http.Request) (string, register.Mapping, error) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if !shortName(name) {
		return "", register.Mapping{}, &fieldError{"name", "give 1 to 64 characters of text"}
	}
	m := register.Mapping{Columns: map[register.Field]string{},
		Sheet: strings.TrimSpace(r.PostFormValue("sheet"))}
	for _, f := range register.Fields() {
		if h := strings.TrimSpace(r.PostFormValue("col_" + string(f))); h != "" {
			m.Columns[f] = h
		}
	}
	if v := strings.TrimSpace(r.PostFormValue("header_row")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10000 {
			return "", m, &fieldError{"header_row", "must be a row number"}
		}
		m.HeaderRow = n
	}
	for _, v := range append(slices.Collect(maps.Values(m.Columns)), m.Sheet) {
		if err := plainField("heading", v); err != nil {
			return "", m, err
		}
	}
	if len(m.Columns) == 0 {
		return "", m, &fieldError{"columns", "name the heading of at least one column"}
	}
	return name, m, m.Validate()
}

func plainField(field, v string) error {
	if !plainText(v) {
		return &fieldError{field, "is not valid text"}
	}
	return nil
}

func (s *Server) saveMapping(w http.ResponseWriter, r *http.Request) {
	p := who(r.Context())
	name, m, err := formMapping(r)
	if err != nil {
		s.setFlash(w, "The mapping was not saved: "+err.Error())
		http.Redirect(w, r, "/register#mappings", http.StatusSeeOther)
		return
	}
	if err := s.db.SaveMapping(r.Context(), name, m); err != nil {
		s.internal(w, r, err)
		return
	}
	s.record(r, p.name, "register.mapping_save", name, map[string]any{"columns": m.Columns,
		"header_row": m.HeaderRow, "sheet": m.Sheet})
	s.setFlash(w, "Mapping "+name+" saved; choose it when you import.")
	http.Redirect(w, r, "/register#mappings", http.StatusSeeOther)
}
