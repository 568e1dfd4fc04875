// Package blobtest gives tests an S3 store on a real S3 protocol server
// run in the test process (gofakes3 with its in-memory backend), reached
// over HTTP on loopback through the real client, so what is tested is
// the code that talks to a production bucket.
package blobtest

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/vigil-project/vigil/internal/blob"
)

// Bucket is the bucket Start makes.
const Bucket = "vigil-test"

// Fake is an S3 server holding Bucket, stopped when the test ends.
type Fake struct {
	// Config is an S3 store's configuration on the server, with the
	// prefix given to Start.
	Config blob.S3Config
	// HTTP is the server; closing it makes the bucket unreachable.
	HTTP *httptest.Server
}

// Start starts a Fake with an empty Bucket.
func Start(t testing.TB, prefix string) *Fake {
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
	return &Fake{HTTP: srv, Config: blob.S3Config{Endpoint: u.Host, Bucket: Bucket, Prefix: prefix, Region: "us-east-1",
		AccessKey: "test-access", SecretKey: "test-secret", Insecure: true}}
}

// Env is the VIGIL_ATTACHMENTS_S3_* variables that point Vigil at f.
func (f *Fake) Env() map[string]string {
	c := f.Config
	return map[string]string{
		"VIGIL_ATTACHMENTS_S3_ENDPOINT":   c.Endpoint,
		"VIGIL_ATTACHMENTS_S3_BUCKET":     c.Bucket,
		"VIGIL_ATTACHMENTS_S3_PREFIX":     c.Prefix,
		"VIGIL_ATTACHMENTS_S3_REGION":     c.Region,
		"VIGIL_ATTACHMENTS_S3_ACCESS_KEY": c.AccessKey,
		"VIGIL_ATTACHMENTS_S3_SECRET_KEY": c.SecretKey,
		"VIGIL_ATTACHMENTS_S3_INSECURE":   strconv.FormatBool(c.Insecure),
	}
}

// Store is an S3 store on f.
func (f *Fake) Store(t testing.TB) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(f.Config)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// S3 returns an S3 store on a fresh Fake.
func S3(t testing.TB, prefix string) *blob.S3 {
	t.Helper()
	return Start(t, prefix).Store(t)
}
