package intake_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/blob/blobtest"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/intake/intaketest"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestAttachmentInBucket adds attachments with the files kept in a bucket
// (an S3 server in the test process): the object is the sealed file, not
// the photo; a second service on the same database and bucket (another
// server) opens it; the export reads it back; and the free-disk watermark,
// which is about this machine's disk, refuses a file for a directory but
// not for a bucket.
func TestAttachmentInBucket(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		fake := blobtest.Start(t, "vigil/")
		e.in.Files = fake.Store(t)
		// A full disk, as the watermark would measure it.
		e.in.Uploads.MinFreeDisk = 1 << 30
		e.in.FreeSpace = func(string) (int64, error) { return 0, nil }
		coord := e.actors["coordinator@hotline"]
		ack := e.submit(t, "", &intake.Submission{Language: "en", Narrative: "They kept us in a building near the river."})
		photo := intaketest.JPEG(320, 200, 9)
		v, err := e.in.AddAttachment(ctx, coord, ack.ID, "file", "room.jpg", bytes.NewReader(photo))
		if err != nil {
			t.Fatalf("attach to a bucket with the disk full: %v", err)
		}
		sealed, err := fake.Store(t).Get(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sealed) <= len(photo) || bytes.Contains(sealed, photo[100:164]) {
			t.Fatalf("the object (%d bytes) is not the sealed photo (%d bytes)", len(sealed), len(photo))
		}

		// Another server: its own intake service on the same database, keys
		// and bucket.
		keys, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		other := intake.New(db, keys, nil, nil, slog.New(slog.DiscardHandler))
		other.Files = fake.Store(t)
		_, got, err := other.OpenOriginal(ctx, coord, ack.ID, v.ID)
		if err != nil || !bytes.Equal(got, photo) {
			t.Fatalf("the other server opened %d bytes, %v; want the photo", len(got), err)
		}
		if list, err := other.Attachments(ctx, coord, ack.ID); err != nil || len(list) != 1 || list[0].Name != "room.jpg" {
			t.Errorf("the other server lists %+v, %v", list, err)
		}
		if _, err := other.Thumbnail(ctx, coord, ack.ID, v.ID); err != nil {
			t.Errorf("the other server's thumbnail: %v", err)
		}
		var exported [][]byte
		if err := e.in.ExportAttachments(ctx, coord, ack.ID, func(_ intake.AttachmentView, b []byte) error {
			exported = append(exported, b)
			return nil
		}); err != nil || len(exported) != 1 || !bytes.Equal(exported[0], photo) {
			t.Errorf("export: %d files, %v", len(exported), err)
		}

		// The object gone: opening it is an error, not a photo.
		if err := fake.Store(t).Delete(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := other.OpenOriginal(ctx, coord, ack.ID, v.ID); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("open a missing object: %v; want ErrNotFound", err)
		}

		// The same full disk refuses a file for a directory.
		e.in.Files = blob.NewDir(t.TempDir())
		var refused *intake.RefusedError
		if _, err := e.in.AddAttachment(ctx, coord, ack.ID, "file", "room.jpg", bytes.NewReader(photo)); !errors.As(err, &refused) || refused.Reason != intake.RefusedDiskSpace {
			t.Errorf("attach to a directory with the disk full: %v; want %s", err, intake.RefusedDiskSpace)
		}
	})
}
