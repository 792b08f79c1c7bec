package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/user"
	"time"

	"github.com/wardhq/ward/internal/audit"
	"github.com/wardhq/ward/internal/store"
)

// dataFlags are the flags that say where Ward keeps its data.
type dataFlags struct {
	dir      *string
	database *string
}

func addDataFlags(fs *flag.FlagSet) dataFlags {
	return dataFlags{
		dir: fs.String("data", "./ward-data", "data `directory`: the SQLite database (unless "+
			"-database is given) and the audit key, which is kept outside the database"),
		database: fs.String("database", "", "PostgreSQL `url` (postgres://…) instead of the "+
			"embedded SQLite; also read from WARD_DATABASE"),
	}
}

// data is an open store with its audit keys.
type data struct {
	db   *store.DB
	keys *audit.Keys
	dir  string
}

// open opens (creating when needed) the data directory and the store.
func (f dataFlags) open(ctx context.Context, e *env) (*data, error) {
	dir, url := *f.dir, *f.database
	if url == "" {
		url = os.Getenv("WARD_DATABASE")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	keys, err := audit.LoadOrCreateKeys(dir)
	if err != nil {
		return nil, err
	}
	backend, target := "sqlite", dir
	if url != "" {
		backend, target = "postgres", url
	}
	db, err := store.Open(ctx, backend, target, store.Options{Logger: e.log})
	if errors.Is(err, store.ErrSchemaTooNew) {
		return nil, fmt.Errorf("%w: upgrade ward before using this data", err)
	}
	if err != nil {
		return nil, err
	}
	return &data{db: db, keys: keys, dir: dir}, nil
}

func (d *data) close() { d.db.Close() }

func (d *data) chain() *audit.Chain {
	c, err := audit.NewChain(d.keys.Chain)
	if err != nil {
		panic(err) // LoadOrCreateKeys gives 32-byte keys
	}
	return c
}

// recordCLI writes an audit event for something done at the command line,
// by the operating-system user who ran it.
func recordCLI(ctx context.Context, e *env, d *data, action, object string, detail any) {
	b, err := json.Marshal(detail)
	if err != nil {
		b = []byte("{}")
	}
	ev := store.AuditEvent{Time: time.Now(), Actor: cliActor(), Action: action, Object: object, Detail: b}
	if _, err := d.db.Record(ctx, d.chain(), ev); err != nil {
		e.log.Error("audit event not written", "component", "cli", "err", err, "action", action)
	}
}

// cliActor names who runs a command: "cli:" and the login name.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
