package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// batch writes rows through multi-row INSERT statements: one statement
// per batchRows rows, prepared once per batch, and one for the remainder.
// Fewer, larger statements are what make a merge fast on both backends:
// the cost of a statement is mostly per call, not per row.
type batch struct {
	ctx            context.Context // for the statements
	stop           context.Context // checked before each statement
	tx             *sql.Tx
	prefix, suffix string // "INSERT … VALUES " and " ON CONFLICT …"
	cols, per      int
	positional     bool // "?" placeholders rather than "$n"
	args           []any
	full           *sql.Stmt // the statement of per rows, once prepared
	err            error
}

// batchParams bounds the parameters of one statement, below SQLite's
// limit of 32766 and PostgreSQL's of 65535.
const (
	batchParams = 8000
	batchRows   = 256
)

// newBatch starts a batch whose statements run with ctx and which stops
// with stop's error once stop is done.
func newBatch(ctx, stop context.Context, tx *sql.Tx, d *dialect, prefix string, cols int,
	suffix string) *batch {
	per := max(1, min(batchRows, batchParams/cols))
	return &batch{ctx: ctx, stop: stop, tx: tx, prefix: prefix, suffix: suffix, cols: cols,
		per: per, positional: d.positional, args: make([]any, 0, per*cols)}
}

// add queues one row of b.cols values and writes the batch when it is full.
func (b *batch) add(vals ...any) error {
	if b.err != nil {
		return b.err
	}
	if len(vals) != b.cols {
		b.err = fmt.Errorf("batch row of %d values, want %d", len(vals), b.cols)
		return b.err
	}
	b.args = append(b.args, vals...)
	if len(b.args) == b.per*b.cols {
		b.err = b.flushFull()
	}
	return b.err
}

func (b *batch) flushFull() error {
	if err := b.stop.Err(); err != nil {
		return err
	}
	if b.full == nil {
		st, err := b.tx.PrepareContext(b.ctx, b.statement(b.per))
		if err != nil {
			return err
		}
		b.full = st
	}
	_, err := b.full.ExecContext(b.ctx, b.args...)
	clear(b.args)
	b.args = b.args[:0]
	return err
}

// close writes the rows left and releases the prepared statement.
func (b *batch) close() error {
	if b.err == nil && len(b.args) > 0 {
		if b.err = b.stop.Err(); b.err == nil {
			_, b.err = b.tx.ExecContext(b.ctx, b.statement(len(b.args)/b.cols), b.args...)
		}
	}
	if b.full != nil {
		if err := b.full.Close(); err != nil && b.err == nil {
			b.err = err
		}
	}
	return b.err
}

// statement is the INSERT of rows rows: prefix ($1, …, $cols), (…) suffix,
// or with ? for each $n.
func (b *batch) statement(rows int) string {
	var s strings.Builder
	s.Grow(len(b.prefix) + len(b.suffix) + rows*b.cols*6)
	s.WriteString(b.prefix)
	n := 1
	for r := range rows {
		if r > 0 {
			s.WriteByte(',')
		}
		s.WriteByte('(')
		for c := range b.cols {
			if c > 0 {
				s.WriteByte(',')
			}
			if b.positional {
				s.WriteByte('?')
			} else {
				fmt.Fprintf(&s, "$%d", n)
			}
			n++
		}
		s.WriteByte(')')
	}
	s.WriteString(b.suffix)
	return s.String()
}
