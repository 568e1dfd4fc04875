package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says which bucket of which S3-compatible service an S3 store
// keeps its objects in.
type S3Config struct {
	// Endpoint is the service's host[:port], without a scheme.
	Endpoint string
	// Bucket holds the objects; it must exist.
	Bucket string
	// Prefix is put before each ID to make the object's key (a slash is
	// added if it lacks one), so several installations can share a bucket.
	Prefix string
	// Region is the bucket's region; empty asks the service.
	Region string
	// AccessKey and SecretKey sign the requests (AWS Signature V4).
	AccessKey, SecretKey string
	// Insecure speaks plain HTTP, for a service on the same host or a
	// test; otherwise HTTPS.
	Insecure bool
	// Transport carries the requests; nil uses the client's default.
	Transport http.RoundTripper
}

// S3 keeps files as objects of a bucket on an S3-compatible service
// (through the MinIO client), the key being Prefix+ID. Every server of an
// installation pointed at the same bucket and prefix sees the same files.
type S3 struct {
	client *minio.Client
	// probe is client without retries, for Check: a readiness probe
	// should answer at once that the bucket is out of reach, not after
	// the client's backoff.
	probe  *minio.Client
	bucket string
	prefix string
	name   string
}

var _ Store = (*S3)(nil)

// NewS3 returns the store of cfg. It sends nothing: Check says whether
// the bucket can be reached.
func NewS3(cfg S3Config) (*S3, error) {
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	opts := minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    !cfg.Insecure,
		Region:    cfg.Region,
		Transport: cfg.Transport,
	}
	c, err := minio.New(cfg.Endpoint, &opts)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 endpoint %q: %w", cfg.Endpoint, err)
	}
	opts.MaxRetries = 1
	probe, err := minio.New(cfg.Endpoint, &opts)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 endpoint %q: %w", cfg.Endpoint, err)
	}
	scheme := "https"
	if cfg.Insecure {
		scheme = "http"
	}
	return &S3{client: c, probe: probe, bucket: cfg.Bucket, prefix: prefix,
		name: "s3://" + cfg.Bucket + "/" + prefix + " at " + scheme + "://" + cfg.Endpoint}, nil
}

// String names the bucket, the prefix and the endpoint.
func (s *S3) String() string { return s.name }

func (s *S3) key(id string) string { return s.prefix + id }

// Put uploads sealed under a conditional write (If-None-Match: *), so an
// existing object is never replaced, even by another server racing for
// the same key. The check is the service's, at the moment of the write;
// a service that ignores the header would overwrite only on a repeated
// ID, and IDs are random UUIDv7s (74 random bits beside the time).
func (s *S3) Put(ctx context.Context, id string, sealed []byte) error {
	if err := checkID(id); err != nil {
		return err
	}
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream"}
	opts.SetMatchETagExcept("*")
	_, err := s.client.PutObject(ctx, s.bucket, s.key(id), bytes.NewReader(sealed), int64(len(sealed)), opts)
	if minio.ToErrorResponse(err).Code == minio.PreconditionFailed {
		return same(ctx, s, id, sealed)
	}
	if err != nil {
		return fmt.Errorf("blob: put %s in %s: %w", id, s.name, err)
	}
	return nil
}

// Get downloads the object of id.
func (s *S3) Get(ctx context.Context, id string) ([]byte, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.key(id), minio.GetObjectOptions{})
	if err == nil {
		defer obj.Close()
		var b []byte
		if b, err = io.ReadAll(obj); err == nil {
			return b, nil
		}
	}
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return nil, fmt.Errorf("blob: %s: %w", id, ErrNotFound)
	}
	return nil, fmt.Errorf("blob: get %s from %s: %w", id, s.name, err)
}

// Delete removes the object of id.
func (s *S3) Delete(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.key(id), minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return fmt.Errorf("blob: delete %s from %s: %w", id, s.name, err)
	}
	return nil
}

// Check asks the service whether the bucket exists (a HEAD on it, which
// needs the key to be allowed to list the bucket).
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.probe.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blob: %s: %w", s.name, err)
	}
	if !ok {
		return fmt.Errorf("blob: %s: %w", s.name, errNoBucket)
	}
	return nil
}

var errNoBucket = errors.New("the bucket does not exist")
