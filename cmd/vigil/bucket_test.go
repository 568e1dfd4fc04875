package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/blob/blobtest"
	"github.com/vigil-project/vigil/internal/intake/intaketest"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestAttachmentsInBucket runs the commands that touch attachment files
// with them kept in a bucket (an S3 server in the test process), on both
// engines: `vigil log audit` reads each from the bucket and names one
// that is gone; `vigil backup` leaves them out and names the bucket;
// `vigil restore` of that backup refuses without a bucket and, with one,
// restores the database whose audit passes against the bucket; a bucket
// out of reach stops serve at start with the variable named.
func TestAttachmentsInBucket(t *testing.T) {
	engineDirs(t, func(t *testing.T, engine store.Engine, dir, dsn string) {
		ctx := context.Background()
		fake := blobtest.Start(t, "vigil/")
		var kv []string
		for k, v := range fake.Env() {
			kv = append(kv, k, v)
		}
		getenv := envWith(dir, dsn, kv...)
		if _, err := runCmd(t, getenv, "", "demo"); err != nil {
			t.Fatal(err)
		}
		// An attachment added by staff, as the server does, and logged.
		photo := intaketest.JPEG(64, 48, 3)
		var attID string
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: getenv, log: slog.New(slog.DiscardHandler)}
		err := withServer(ctx, e, "test", nil, func(srv *server.Server) error {
			if _, ok := srv.Files.(*blob.S3); !ok {
				t.Fatalf("the server keeps attachments in %s, not the bucket", srv.Files)
			}
			rs, err := srv.DB.Read().ListReports(ctx, store.ReportFilter{Limit: 1})
			if err != nil || len(rs) == 0 {
				t.Fatalf("the demo's reports: %d, %v", len(rs), err)
			}
			r := rs[0]
			a := auth.Actor{UserID: "test", OrgID: r.OrgID, Role: auth.Coordinator}
			v, err := srv.Intake.AddAttachment(ctx, a, r.ID, "file", "gate.jpg", bytes.NewReader(photo))
			if err != nil {
				return err
			}
			attID = v.ID
			_, err = srv.Ledger.Sequence(ctx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "attachments", attID)); err == nil {
			t.Fatal("the attachment was written to the data directory")
		}
		bucket := fake.Store(t)
		if sealed, err := bucket.Get(ctx, attID); err != nil || bytes.Contains(sealed, photo[len(photo)-64:]) {
			t.Fatalf("the bucket's object (%d bytes, %v) is not sealed", len(sealed), err)
		}

		out, err := runCmd(t, getenv, "", "log", "audit")
		if err != nil || !strings.Contains(out, "OK:") {
			t.Fatalf("audit with the attachment in the bucket: %v\n%s", err, out)
		}

		// The backup holds the database alone and names the bucket.
		backup := filepath.Join(t.TempDir(), "b.tar")
		out, err = runCmd(t, getenv, "", "backup", "--out", backup)
		if err != nil || !strings.Contains(out, "The attachments are NOT in this backup") || !strings.Contains(out, blobtest.Bucket) {
			t.Fatalf("backup: %v\n%s", err, out)
		}
		var m manifest
		eachEntry(t, backup, func(h *tar.Header, r io.Reader) {
			if strings.HasPrefix(h.Name, "attachments/") {
				t.Errorf("the backup holds %s", h.Name)
			}
			if h.Name == "manifest.json" {
				if err := json.NewDecoder(r).Decode(&m); err != nil {
					t.Fatal(err)
				}
			}
		})
		if b := m.AttachmentsNotIncluded; b == nil || b.Bucket != blobtest.Bucket || b.Prefix != "vigil/" || b.Endpoint != fake.Config.Endpoint {
			t.Fatalf("manifest: attachments_not_included = %+v", b)
		}
		newDSN := func(target string) string {
			if engine == store.SQLite {
				return "sqlite:" + filepath.Join(target, "vigil.db")
			}
			return storetest.DSN(t, engine)
		}
		target := filepath.Join(t.TempDir(), "without")
		_, err = runCmd(t, envWith(target, newDSN(target)), "", "restore", backup)
		if exitCode(err) != 1 || !strings.Contains(err.Error(), "its attachments are in the bucket "+blobtest.Bucket) {
			t.Fatalf("restore without the bucket: %v", err)
		}
		target = filepath.Join(t.TempDir(), "with")
		keys := []string{"VIGIL_MASTER_KEY_FILE", filepath.Join(dir, "master.key"), "VIGIL_LOG_KEY_FILE", filepath.Join(dir, "log.key")}
		out, err = runCmd(t, envWith(target, newDSN(target), append(kv, keys...)...), "", "restore", backup)
		if err != nil || !strings.Contains(out, "OK:") {
			t.Fatalf("restore with the bucket: %v\n%s", err, out)
		}

		// The file gone from the bucket: the audit names it.
		if err := bucket.Delete(ctx, attID); err != nil {
			t.Fatal(err)
		}
		out, err = runCmd(t, getenv, "", "log", "audit")
		if err == nil || !strings.Contains(out, "FAIL attachment "+attID) || !strings.Contains(out, "not found") {
			t.Fatalf("audit with the attachment gone: %v\n%s", err, out)
		}

		// The bucket out of reach: serve and the audit stop with it named.
		fake.HTTP.Close()
		err = runBriefly(t, getenv, "serve", "--addr", "127.0.0.1:0")
		if err == nil || !strings.Contains(err.Error(), "VIGIL_ATTACHMENTS_S3_") || !strings.Contains(err.Error(), "s3://"+blobtest.Bucket+"/vigil/") {
			t.Fatalf("serve with the bucket out of reach: %v", err)
		}
	})
}
