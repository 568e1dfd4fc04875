package blob_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/blob/blobtest"
)

// stores are the implementations every contract test runs against.
func stores(t *testing.T) map[string]blob.Store {
	return map[string]blob.Store{
		"dir": blob.NewDir(filepath.Join(t.TempDir(), "attachments")),
		"s3":  blobtest.S3(t, "inst-1"),
	}
}

// TestContract: both stores keep what they are given by ID, say
// ErrNotFound for a missing ID, never overwrite an ID with other bytes
// (even when two writers race for it), take the same bytes again, delete,
// and refuse IDs that are not plain names.
func TestContract(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			if err := s.Check(ctx); err != nil {
				t.Fatalf("check: %v", err)
			}
			if _, err := s.Get(ctx, "01missing"); !errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("get missing: got %v, want ErrNotFound", err)
			}
			sealed := bytes.Repeat([]byte{0, 1, 2, 0xff}, 3000)
			if err := s.Put(ctx, "019a-first", sealed); err != nil {
				t.Fatalf("put: %v", err)
			}
			got, err := s.Get(ctx, "019a-first")
			if err != nil || !bytes.Equal(got, sealed) {
				t.Fatalf("get: %d bytes, %v; want %d bytes", len(got), err, len(sealed))
			}
			if err := s.Put(ctx, "019a-first", sealed); err != nil {
				t.Errorf("put the same bytes again: got %v, want nil", err)
			}
			if err := s.Put(ctx, "019a-first", []byte("other")); !errors.Is(err, blob.ErrExists) {
				t.Errorf("put other bytes: got %v, want ErrExists", err)
			}
			if got, _ := s.Get(ctx, "019a-first"); !bytes.Equal(got, sealed) {
				t.Errorf("after the refused overwrite: got %q…, want the first bytes", got[:min(len(got), 8)])
			}
			// Racing writers of one ID: exactly one's bytes are kept and
			// every other is told ErrExists.
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Go(func() { errs[i] = s.Put(ctx, "019a-race", []byte{byte(i)}) })
			}
			wg.Wait()
			won := -1
			for i, err := range errs {
				switch {
				case err == nil && won >= 0:
					t.Errorf("race: writers %d and %d both succeeded", won, i)
				case err == nil:
					won = i
				case !errors.Is(err, blob.ErrExists):
					t.Errorf("race: writer %d: %v", i, err)
				}
			}
			if got, err := s.Get(ctx, "019a-race"); err != nil || won < 0 || !bytes.Equal(got, []byte{byte(won)}) {
				t.Errorf("race: kept %v, %v; winner %d", got, err, won)
			}

			if err := s.Delete(ctx, "019a-first"); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if _, err := s.Get(ctx, "019a-first"); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("get deleted: got %v, want ErrNotFound", err)
			}
			if err := s.Delete(ctx, "019a-first"); err != nil {
				t.Errorf("delete missing: %v", err)
			}
			for _, bad := range []string{"", "../x", "a/b", ".hidden", "a b", string(make([]byte, 129))} {
				if err := s.Put(ctx, bad, sealed); err == nil {
					t.Errorf("put %q was accepted", bad)
				}
				if _, err := s.Get(ctx, bad); err == nil || errors.Is(err, blob.ErrNotFound) {
					t.Errorf("get %q: got %v, want an invalid id", bad, err)
				}
			}
		})
	}
}

// TestDirLayout: the directory store keeps the layout of data directories
// written before it (<dir>/<id>, mode 0600), so they keep working.
func TestDirLayout(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "attachments")
	s := blob.NewDir(dir)
	if err := s.Put(ctx, "019a-new", []byte("sealed")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "019a-new"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("file: %v, %v; want mode 0600", st, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "019a-old"), []byte("written before"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "019a-old"); err != nil || string(got) != "written before" {
		t.Errorf("old file: %q, %v", got, err)
	}
}

// TestS3Prefix: objects are kept under the prefix, so two installations
// on one bucket do not see each other's files, and the bytes kept are the
// bytes given (sealed, never opened or changed by the store).
func TestS3Prefix(t *testing.T) {
	ctx := context.Background()
	cfg := blobtest.Start(t, "/one/").Config
	one, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Prefix = "two"
	two, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := one.Put(ctx, "019a-x", []byte("one's")); err != nil {
		t.Fatal(err)
	}
	if _, err := two.Get(ctx, "019a-x"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("the other prefix: got %v, want ErrNotFound", err)
	}
	if err := two.Put(ctx, "019a-x", []byte("two's")); err != nil {
		t.Errorf("the same id under the other prefix: %v", err)
	}
	cfg.Prefix = ""
	root, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := root.Get(ctx, "019a-x"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("no prefix: %q, %v", got, err)
	}
	if want := "s3://vigil-test/one/ at http://" + cfg.Endpoint; one.String() != want {
		t.Errorf("String: %q, want %q", one.String(), want)
	}
}

// TestS3Unreachable: Check names a missing bucket, and a service that is
// not there, rather than letting the first attachment find out.
func TestS3Unreachable(t *testing.T) {
	ctx := context.Background()
	cfg := blobtest.Start(t, "").Config
	cfg.Bucket = "no-such-bucket"
	s, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx); err == nil {
		t.Error("a missing bucket passed the check")
	}
	cfg.Endpoint = "127.0.0.1:1"
	s, err = blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := s.Check(ctx); err == nil {
		t.Error("an unreachable service passed the check")
	}
}
