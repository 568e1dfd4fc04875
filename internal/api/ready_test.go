package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/blob/blobtest"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestReady: /readyz is 200 on a current database whose ledger keeps up,
// 503 naming the ledger when a testimony has waited too long for the
// sequencer, and 503 naming the database when it is gone; /healthz (alive)
// stays a separate question.
func TestReady(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		// A server whose background workers do not run: no sequencer, as
		// a cluster whose sequencer died (the API harness runs one, which
		// would sequence the entry below whenever it woke).
		mux := servertest.New(t, servertest.Options{DB: db}).Handler()
		ready := func() (int, map[string]any) {
			t.Helper()
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("readyz: %v: %s", err, rec.Body)
			}
			return rec.Code, body
		}
		if code, body := ready(); code != http.StatusOK || body["status"] != "ready" {
			t.Fatalf("fresh database: %d %v", code, body)
		}
		ctx := context.Background()
		// An entry waiting a minute.
		err := db.Tx(ctx, func(q store.Q) error {
			return q.PutLedgerEntry(ctx, &store.LedgerEntry{ID: "e1", Kind: "statement", RecordID: "s1", Version: 1, Entry: []byte("x"),
				ReceivedAt: time.Now().Add(-time.Minute).UnixMicro()})
		})
		if err != nil {
			t.Fatal(err)
		}
		code, body := ready()
		checks, _ := body["checks"].(map[string]any)
		if code != http.StatusServiceUnavailable || body["status"] != "not_ready" || checks["ledger"] == "ok" || checks["database"] != "ok" {
			t.Fatalf("stalled ledger: %d %v", code, body)
		}
		db.Close()
		code, body = ready()
		checks, _ = body["checks"].(map[string]any)
		if code != http.StatusServiceUnavailable || checks["database"] != "unreachable" {
			t.Fatalf("database gone: %d %v", code, body)
		}
	})
}

// TestReadyBucket: with attachments kept in a bucket, /readyz checks the
// bucket answers, and says 503 naming the attachments when it does not
// (a server that takes reports but cannot keep their files is not ready).
func TestReadyBucket(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fake := blobtest.Start(t, "vigil/")
		srv := servertest.New(t, servertest.Options{DB: db, Config: func(c *config.Config) {
			a := fake.Config
			c.AttachmentsS3 = config.AttachmentsS3{Endpoint: a.Endpoint, Bucket: a.Bucket, Prefix: a.Prefix, Region: a.Region, AccessKey: a.AccessKey, SecretKey: a.SecretKey, Insecure: a.Insecure}
		}})
		ready := func() (int, map[string]any) {
			t.Helper()
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("readyz: %v: %s", err, rec.Body)
			}
			checks, _ := body["checks"].(map[string]any)
			return rec.Code, checks
		}
		if code, checks := ready(); code != http.StatusOK || checks["attachments"] != "ok" {
			t.Fatalf("bucket up: %d %v", code, checks)
		}
		fake.HTTP.Close()
		start := time.Now()
		if code, checks := ready(); code != http.StatusServiceUnavailable || checks["attachments"] != "unreachable" || checks["database"] != "ok" {
			t.Fatalf("bucket down: %d %v", code, checks)
		}
		if d := time.Since(start); d > 2500*time.Millisecond {
			t.Errorf("readyz took %v with the bucket down", d)
		}
	})
}
