package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
)

// loadConfig reads VIGIL_* variables into a Config and registers --data on
// fs. Call validate after fs.Parse.
// subcommand starts a command group's subcommand (vigil GROUP SUB …): the
// subcommand named in args, its flag set and the configuration; a missing
// subcommand is a usage error naming the ones there are.
func subcommand(e *env, group string, args, subs []string) (string, *flag.FlagSet, *config.Config, error) {
	want := strings.Join(subs[:len(subs)-1], ", ") + " or " + subs[len(subs)-1]
	if len(args) == 0 {
		return "", nil, nil, fmt.Errorf("%s: want %s: %w", group, want, errUsage)
	}
	fs := newFlags(e, group+" "+args[0])
	cfg, err := loadConfig(e, fs)
	return args[0], fs, cfg, err
}

func loadConfig(e *env, fs *flag.FlagSet) (*config.Config, error) {
	c, err := config.FromEnv(e.getenv)
	if err != nil {
		return nil, err
	}
	c.Flags(fs)
	return &c, nil
}

// errNoDatabase means a command that needs an existing database found none.
var errNoDatabase = errors.New("no Vigil database")

// openDB opens the configured database, which must exist: only serve,
// migrate and demo create one (with createDB). Nothing is created on disk
// when it is missing. One with an older schema is refused until
// `vigil migrate` runs.
func openDB(ctx context.Context, c *config.Config) (*store.DB, error) {
	if err := checkExists(c); err != nil {
		return nil, err
	}
	return openSchema(ctx, c, func(db *store.DB) error {
		where := "in " + c.DataDir + " (vigil.db has no schema)"
		if db.Engine == store.Postgres {
			where = "in the PostgreSQL database of VIGIL_DATABASE (it has no Vigil schema)"
		}
		return fmt.Errorf("%w %s; run vigil migrate or vigil serve first", errNoDatabase, where)
	})
}

// openStaff validates c and opens the existing database for the account
// commands (user, token): the account service on it, and the function that
// closes it.
func openStaff(ctx context.Context, c *config.Config) (*staff.Service, func() error, error) {
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	db, err := openDB(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return staff.New(db, c.SessionTTL), db.Close, nil
}

// openSchema opens the configured database and checks its schema is
// current; a database with no schema yet is handed to empty first (which
// migrates it, or refuses it).
func openSchema(ctx context.Context, c *config.Config, empty func(*store.DB) error) (*store.DB, error) {
	db, err := openStore(ctx, c)
	if err != nil {
		return nil, err
	}
	have, _, err := db.SchemaVersion(ctx)
	if err == nil && have == 0 {
		err = empty(db)
	}
	if err == nil {
		err = db.CheckSchema(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// checkExists refuses a SQLite database file that does not exist, naming
// the data directory the command looked in.
func checkExists(c *config.Config) error {
	path, ok := strings.CutPrefix(c.DSN(), "sqlite:")
	if !ok {
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("open the database: %w", err)
	}
	where := "in " + c.DataDir
	if c.Database != "" {
		where = "at " + path
	}
	return fmt.Errorf("%w %s; use --data DIR (or run vigil migrate / vigil serve first)", errNoDatabase, where)
}

// createDB opens the configured database, creating it (and the data
// directory) if there is none; a brand-new one is migrated. For serve and
// demo.
func createDB(ctx context.Context, c *config.Config) (*store.DB, error) {
	return openSchema(ctx, c, func(db *store.DB) error {
		_, err := db.Migrate(ctx)
		return err
	})
}

// openStore opens the configured database as it is, with the configured
// pool size.
func openStore(ctx context.Context, c *config.Config) (*store.DB, error) {
	return store.OpenWith(ctx, c.DSN(), store.Options{MaxConns: c.DBMaxConns, Replica: c.DatabaseReplica})
}

// openKeyring opens the master key for db: created on the first run only,
// refused when it is missing or is not the key db's data is sealed under.
func openKeyring(ctx context.Context, c *config.Config, db *store.DB) (*seal.Keyring, error) {
	return seal.Open(ctx, c.MasterKeyFile, db)
}

// parseConfig parses args into fs and validates c: the start of every
// subcommand that reads the configuration.
func parseConfig(fs *flag.FlagSet, c *config.Config, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return c.Validate()
}

// parseAndOpen parses args into fs, validates c and opens the database: the
// start of every subcommand that touches the data directory.
func parseAndOpen(ctx context.Context, fs *flag.FlagSet, c *config.Config, args []string) (*store.DB, error) {
	if err := parseConfig(fs, c, args); err != nil {
		return nil, err
	}
	return openDB(ctx, c)
}

// withDB runs fn on the existing database, for the one-word subcommands
// that take only the common flags.
func withDB(ctx context.Context, e *env, name string, args []string, fn func(*config.Config, *store.DB) error) error {
	fs := newFlags(e, name)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	db, err := parseAndOpen(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(cfg, db)
}

// withServer runs fn on a server assembled on the existing database, for
// the one-word subcommands (`links rebuild`, `search rebuild`) that take
// only the common flags.
func withServer(ctx context.Context, e *env, name string, args []string, fn func(*server.Server) error) error {
	return withDB(ctx, e, name, args, func(cfg *config.Config, db *store.DB) error {
		srv, err := openServer(ctx, e, cfg, db)
		if err != nil {
			return err
		}
		return fn(srv)
	})
}

// openServer assembles a server (services, keys, workers not started) on an
// open database, for subcommands that use the services. Like serve, they
// refuse to run beside a server on the same SQLite database.
func openServer(ctx context.Context, e *env, c *config.Config, db *store.DB) (*server.Server, error) {
	if err := db.LockExclusive(); err != nil {
		return nil, err
	}
	keys, err := openKeyring(ctx, c, db)
	if err != nil {
		return nil, err
	}
	return server.New(ctx, c, db, keys, e.log)
}
