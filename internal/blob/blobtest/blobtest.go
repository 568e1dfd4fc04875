// Package blobtest gives tests an S3 store on a real S3 protocol server
// run in the test process (gofakes3 with its in-memory backend), reached
// over HTTP on loopback through the real client, so what is tested is
// the code that talks to a production bucket.
package blobtest

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/vigil-project/vigil/internal/blob"
)

// Bucket is the bucket Server makes.
const Bucket = "vigil-test"

// Server starts an S3 server holding an empty Bucket for the test's
// life and returns the configuration of an S3 store on it (with prefix).
func Server(t testing.TB, prefix string) blob.S3Config {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(Bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return blob.S3Config{Endpoint: u.Host, Bucket: Bucket, Prefix: prefix, Region: "us-east-1",
		AccessKey: "test-access", SecretKey: "test-secret", Insecure: true}
}

// S3 returns an S3 store on a fresh Server.
func S3(t testing.TB, prefix string) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(Server(t, prefix))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
