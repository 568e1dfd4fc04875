package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// AttachmentsS3 are the settings of the S3-compatible bucket attachments
// are kept in (VIGIL_ATTACHMENTS_S3_*), so that several servers share
// them. With no bucket, attachments are files in DataDir/attachments.
type AttachmentsS3 struct {
	// Endpoint is the service's host[:port] (VIGIL_ATTACHMENTS_S3_ENDPOINT),
	// such as s3.eu-west-1.amazonaws.com or minio.internal:9000.
	Endpoint string
	// Bucket holds the objects (VIGIL_ATTACHMENTS_S3_BUCKET); it must
	// exist.
	Bucket string
	// Prefix goes before each attachment's ID in its key
	// (VIGIL_ATTACHMENTS_S3_PREFIX), so installations can share a bucket.
	Prefix string
	// Region is the bucket's region (VIGIL_ATTACHMENTS_S3_REGION); empty
	// asks the service.
	Region string
	// AccessKey and SecretKey sign the requests
	// (VIGIL_ATTACHMENTS_S3_ACCESS_KEY, VIGIL_ATTACHMENTS_S3_SECRET_KEY or
	// …_SECRET_KEY_FILE; else AWS_ACCESS_KEY_ID and
	// AWS_SECRET_ACCESS_KEY).
	AccessKey, SecretKey string
	// Insecure speaks plain HTTP to the endpoint
	// (VIGIL_ATTACHMENTS_S3_INSECURE), for a service on the same host or
	// a private network; otherwise HTTPS.
	Insecure bool
}

// On says attachments are kept in a bucket.
func (a *AttachmentsS3) On() bool { return a.Endpoint != "" || a.Bucket != "" }

// fromEnv reads the VIGIL_ATTACHMENTS_S3_* variables; the keys fall back
// to AWS's usual variables, as the AWS tools read them.
func (a *AttachmentsS3) fromEnv(getenv Getenv) error {
	for name, dst := range map[string]*string{
		"VIGIL_ATTACHMENTS_S3_ENDPOINT":   &a.Endpoint,
		"VIGIL_ATTACHMENTS_S3_BUCKET":     &a.Bucket,
		"VIGIL_ATTACHMENTS_S3_PREFIX":     &a.Prefix,
		"VIGIL_ATTACHMENTS_S3_REGION":     &a.Region,
		"VIGIL_ATTACHMENTS_S3_ACCESS_KEY": &a.AccessKey,
		"VIGIL_ATTACHMENTS_S3_SECRET_KEY": &a.SecretKey,
	} {
		*dst = strings.TrimSpace(getenv(name))
	}
	if f := getenv("VIGIL_ATTACHMENTS_S3_SECRET_KEY_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("config: VIGIL_ATTACHMENTS_S3_SECRET_KEY_FILE: %w", err)
		}
		a.SecretKey = strings.TrimSpace(string(b))
	}
	if a.AccessKey == "" && a.SecretKey == "" {
		a.AccessKey = strings.TrimSpace(getenv("AWS_ACCESS_KEY_ID"))
		a.SecretKey = strings.TrimSpace(getenv("AWS_SECRET_ACCESS_KEY"))
	}
	if v := getenv("VIGIL_ATTACHMENTS_S3_INSECURE"); v != "" {
		b, ok := parseBool(v)
		if !ok {
			return fmt.Errorf("config: VIGIL_ATTACHMENTS_S3_INSECURE: %q is not a boolean", v)
		}
		a.Insecure = b
	}
	return nil
}

// validate refuses half a configuration (attachments would go nowhere, or
// to a directory the other servers do not see) and names the variable.
func (a *AttachmentsS3) validate() []error {
	if !a.On() {
		return nil
	}
	var errs []error
	switch {
	case a.Endpoint == "":
		errs = append(errs, errors.New("VIGIL_ATTACHMENTS_S3_ENDPOINT: required with VIGIL_ATTACHMENTS_S3_BUCKET (host[:port] of the S3 service, such as s3.eu-west-1.amazonaws.com)"))
	case strings.Contains(a.Endpoint, "://"):
		errs = append(errs, fmt.Errorf("VIGIL_ATTACHMENTS_S3_ENDPOINT: %q: give host[:port] without a scheme (HTTPS is used; VIGIL_ATTACHMENTS_S3_INSECURE=true for plain HTTP)", a.Endpoint))
	case strings.ContainsAny(a.Endpoint, "/?#@ "):
		errs = append(errs, fmt.Errorf("VIGIL_ATTACHMENTS_S3_ENDPOINT: %q is not host[:port]", a.Endpoint))
	default:
		if _, port, err := net.SplitHostPort(a.Endpoint); err == nil && port == "" {
			errs = append(errs, fmt.Errorf("VIGIL_ATTACHMENTS_S3_ENDPOINT: %q has an empty port", a.Endpoint))
		}
	}
	if a.Bucket == "" {
		errs = append(errs, errors.New("VIGIL_ATTACHMENTS_S3_BUCKET: required with VIGIL_ATTACHMENTS_S3_ENDPOINT"))
	} else if err := s3utils.CheckValidBucketNameStrict(a.Bucket); err != nil {
		errs = append(errs, fmt.Errorf("VIGIL_ATTACHMENTS_S3_BUCKET: %q: %w", a.Bucket, err))
	}
	if p := strings.Trim(a.Prefix, "/"); strings.Contains(p, "//") || strings.Contains("/"+p+"/", "/../") || strings.Contains("/"+p+"/", "/./") {
		errs = append(errs, fmt.Errorf("VIGIL_ATTACHMENTS_S3_PREFIX: %q has an empty, . or .. segment", a.Prefix))
	}
	if a.AccessKey == "" || a.SecretKey == "" {
		errs = append(errs, errors.New("VIGIL_ATTACHMENTS_S3_ACCESS_KEY and VIGIL_ATTACHMENTS_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): both required with a bucket"))
	}
	return errs
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true, true
	case "0", "false", "no", "off":
		return false, true
	}
	return false, false
}
