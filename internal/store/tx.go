package store

import (
	"context"
	"database/sql"
	"errors"
)

// querier is what reads need of a *sql.DB or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// write runs fn in a read-write transaction, committed if fn returns nil
// and rolled back otherwise.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.inTx(ctx, nil, fn)
}

// read runs fn in a read-only transaction, so that its queries see one
// state of the database.
func (db *DB) read(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.inTx(ctx, db.dialect.readTx, fn)
}

func (db *DB) inTx(ctx context.Context, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if rerr := ignoreDone(tx.Rollback()); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return tx.Commit()
}

// ignoreDone drops the error of rolling back a transaction that already
// ended (its context was cancelled).
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// affected returns the rows a statement changed, or ErrNotFound for none.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
