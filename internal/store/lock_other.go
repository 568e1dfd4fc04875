//go:build !unix

package store

import "os"

// flock does nothing where flock(2) does not exist: the lock is advisory
// and only guards against a mistake.
func flock(*os.File) error { return nil }
