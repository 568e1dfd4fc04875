package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir keeps files in a directory, one file per ID named by the ID (the
// layout of <data>/attachments since the first release, so existing data
// directories keep working). It is for one server, or several that share
// the directory over a file system that honours O_EXCL.
type Dir struct {
	path string
}

var _ Store = (*Dir)(nil)

// NewDir returns the store of the directory path; it is made (mode 0700)
// on the first Put or Check.
func NewDir(path string) *Dir { return &Dir{path: path} }

// Path is the directory, for the free-space watermark and backups.
func (d *Dir) Path() string { return d.path }

// String is the directory's path.
func (d *Dir) String() string { return d.path }

// Put writes sealed to a new file created exclusively (never over one
// that exists), syncs it and the directory, and removes what it wrote if
// any step fails.
func (d *Dir) Put(ctx context.Context, id string, sealed []byte) error {
	if err := checkID(id); err != nil {
		return err
	}
	if err := os.MkdirAll(d.path, 0o700); err != nil {
		return fmt.Errorf("blob: attachments directory: %w", err)
	}
	path := filepath.Join(d.path, id)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return same(ctx, d, id, sealed)
	}
	if err != nil {
		return fmt.Errorf("blob: write %s: %w", id, err)
	}
	_, err = f.Write(sealed)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("blob: write %s: %w", id, err)
	}
	// The name must be as durable as the bytes: the record committed
	// next promises the file is there after a crash.
	if dir, err := os.Open(d.path); err == nil {
		err = dir.Sync()
		dir.Close()
		if err != nil {
			return fmt.Errorf("blob: sync %s: %w", d.path, err)
		}
	}
	return nil
}

// Get reads the file of id.
func (d *Dir) Get(ctx context.Context, id string) ([]byte, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(d.path, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blob: %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: read %s: %w", id, err)
	}
	return b, nil
}

// Delete removes the file of id.
func (d *Dir) Delete(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(d.path, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", id, err)
	}
	return nil
}

// Check makes the directory if it is missing.
func (d *Dir) Check(ctx context.Context) error {
	if err := os.MkdirAll(d.path, 0o700); err != nil {
		return fmt.Errorf("blob: attachments directory: %w", err)
	}
	return nil
}

// same answers a Put on an ID that exists: no error when it holds the
// same bytes, ErrExists otherwise.
func same(ctx context.Context, s Store, id string, sealed []byte) error {
	have, err := s.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("blob: %s exists and cannot be compared: %w", id, err)
	}
	if !bytes.Equal(have, sealed) {
		return fmt.Errorf("blob: %s: %w", id, ErrExists)
	}
	return nil
}
