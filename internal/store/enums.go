package store

import (
	"database/sql"
	"fmt"
)

// The workflow states (PatchState, AlertStatus) are small integers whose
// names are stored and sent as JSON; names[0] is "" for no state. These
// helpers are their String, Parse and UnmarshalText.

// enumName is the name of v, "" for 0, or Type(n) for a value out of range.
func enumName[T ~int](names []string, typ string, v T) string {
	switch {
	case v > 0 && int(v) < len(names):
		return names[v]
	case v == 0:
		return ""
	}
	return fmt.Sprintf("%s(%d)", typ, int(v))
}

// parseEnum is the value of a name; what names the kind in the error.
func parseEnum[T ~int](names []string, what, name string) (T, error) {
	for i, n := range names {
		if i > 0 && n == name {
			return T(i), nil
		}
	}
	return 0, invalidf("unknown %s %.80q", what, name)
}

// unmarshalEnum reads a name into *v; "" is 0.
func unmarshalEnum[T ~int](names []string, what string, v *T, b []byte) error {
	if len(b) == 0 {
		*v = 0
		return nil
	}
	x, err := parseEnum[T](names, what, string(b))
	if err == nil {
		*v = x
	}
	return err
}

// scanner is what a row scan needs of *sql.Row and *sql.Rows.
type scanner interface{ Scan(...any) error }

// collect reads every row of a query with scan; what names the query in
// errors ("store: alerts: …").
func collect[T any](rows *sql.Rows, err error, what string, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, errorf(what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, errorf(what, err)
		}
		out = append(out, v)
	}
	return out, errorf(what, rows.Err())
}
