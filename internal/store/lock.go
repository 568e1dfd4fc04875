package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrLocked means another process holds the lock of a SQLite database's
// directory.
var ErrLocked = errors.New("store: the data directory is in use by another vigil process")

// LockName is the lock file beside a SQLite database.
const LockName = "vigil.lock"

// LockExclusive makes this process the only one that may hold the lock of
// a SQLite database's directory (an advisory flock on DIR/vigil.lock, which
// records the holder's pid), until [DB.Close] or the process ends. It does
// not wait: if another process holds it, it returns an error wrapping
// [ErrLocked] that names the file and that process. Two servers on one
// SQLite file work but fight over its write lock; `vigil serve` and the
// commands that write in bulk take this lock so that it cannot happen by
// mistake. On PostgreSQL, which several servers share by design, it does
// nothing.
func (db *DB) LockExclusive() error {
	if db.Engine != SQLite || db.lock != nil {
		return nil
	}
	path := filepath.Join(filepath.Dir(db.path), LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: open lock %s: %w", path, err)
	}
	if err := flock(f); err != nil {
		holder := "another process"
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				holder = "process " + strconv.Itoa(pid)
			}
		}
		f.Close()
		if errors.Is(err, ErrLocked) {
			return fmt.Errorf("store: %s holds %s: a vigil server (or a bulk command) already runs on the SQLite database %s; stop it first, or use PostgreSQL to run several servers: %w", holder, path, db.path, ErrLocked)
		}
		return fmt.Errorf("store: lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	db.lock = f
	return nil
}
