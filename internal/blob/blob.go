// Package blob keeps attachment files by their attachment's ID: in a
// directory of the data directory (Dir), or in an S3-compatible bucket
// (S3) that several servers share. What it keeps is already sealed with
// the report's data key (package seal), so a store never sees plaintext,
// and a file once stored is never changed: Put refuses to overwrite.
package blob

import (
	"context"
	"errors"
	"fmt"
)

// Store keeps sealed attachment files by ID.
type Store interface {
	// Put stores sealed under id, durably before it returns. An id that
	// already holds other bytes is ErrExists and is left as it is; the
	// same bytes again are no error, so a request retried after its
	// answer was lost does not fail.
	Put(ctx context.Context, id string, sealed []byte) error
	// Get returns the bytes stored under id, or ErrNotFound.
	Get(ctx context.Context, id string) ([]byte, error)
	// Delete removes id, for a file whose record was never committed;
	// a missing id is no error.
	Delete(ctx context.Context, id string) error
	// Check says whether the store can be used now: the directory can be
	// made, the bucket answers and exists.
	Check(ctx context.Context) error
	// String names the store for messages (a path, or s3://bucket/prefix
	// at an endpoint); it holds no secret.
	String() string
}

// ErrNotFound is returned for an ID that holds nothing.
var ErrNotFound = errors.New("blob: not found")

// ErrExists is returned by Put for an ID that already holds other bytes.
var ErrExists = errors.New("blob: already stored with other content")

// checkID refuses an ID that is not a plain name: IDs become file names
// and object keys, so no separators, dots first, or other surprises.
func checkID(id string) error {
	if id == "" || len(id) > 128 || id[0] == '.' {
		return fmt.Errorf("blob: invalid id %q", id)
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return fmt.Errorf("blob: invalid id %q", id)
		}
	}
	return nil
}
