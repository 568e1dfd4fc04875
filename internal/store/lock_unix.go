//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// flock takes an exclusive advisory lock on f without waiting, or returns
// ErrLocked.
func flock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}
