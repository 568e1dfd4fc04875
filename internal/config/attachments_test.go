package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/config"
)

// TestAttachmentsS3: the bucket settings are read from the environment
// (the keys from AWS's variables when Vigil's are unset, the secret from a
// file), and a half or wrong configuration is refused naming the variable.
func TestAttachmentsS3(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := map[string]string{
		"VIGIL_ATTACHMENTS_S3_ENDPOINT":   "minio.internal:9000",
		"VIGIL_ATTACHMENTS_S3_BUCKET":     "vigil-attachments",
		"VIGIL_ATTACHMENTS_S3_PREFIX":     "prod/",
		"VIGIL_ATTACHMENTS_S3_ACCESS_KEY": "AK",
		"VIGIL_ATTACHMENTS_S3_SECRET_KEY": "SK",
		"VIGIL_ATTACHMENTS_S3_INSECURE":   "true",
	}
	with := func(change map[string]string) map[string]string {
		env := map[string]string{}
		for k, v := range full {
			env[k] = v
		}
		for k, v := range change {
			env[k] = v
		}
		return env
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want config.AttachmentsS3 // when err is ""
		err  string
	}{
		{name: "unset", env: map[string]string{"AWS_ACCESS_KEY_ID": "ignored"}, want: config.AttachmentsS3{AccessKey: "ignored"}},
		{name: "full", env: full, want: config.AttachmentsS3{Endpoint: "minio.internal:9000", Bucket: "vigil-attachments", Prefix: "prod/", AccessKey: "AK", SecretKey: "SK", Insecure: true}},
		{name: "aws keys", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_ACCESS_KEY": "", "VIGIL_ATTACHMENTS_S3_SECRET_KEY": "", "AWS_ACCESS_KEY_ID": "AWSAK", "AWS_SECRET_ACCESS_KEY": "AWSSK", "VIGIL_ATTACHMENTS_S3_INSECURE": ""}),
			want: config.AttachmentsS3{Endpoint: "minio.internal:9000", Bucket: "vigil-attachments", Prefix: "prod/", AccessKey: "AWSAK", SecretKey: "AWSSK"}},
		{name: "secret file", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_SECRET_KEY": "", "VIGIL_ATTACHMENTS_S3_SECRET_KEY_FILE": secret}),
			want: config.AttachmentsS3{Endpoint: "minio.internal:9000", Bucket: "vigil-attachments", Prefix: "prod/", AccessKey: "AK", SecretKey: "from-file", Insecure: true}},
		{name: "no endpoint", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_ENDPOINT": ""}), err: "VIGIL_ATTACHMENTS_S3_ENDPOINT: required"},
		{name: "no bucket", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_BUCKET": ""}), err: "VIGIL_ATTACHMENTS_S3_BUCKET: required"},
		{name: "scheme", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_ENDPOINT": "https://s3.example.org"}), err: "VIGIL_ATTACHMENTS_S3_ENDPOINT: \"https://s3.example.org\": give host[:port] without a scheme"},
		{name: "path", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_ENDPOINT": "s3.example.org/bucket"}), err: "VIGIL_ATTACHMENTS_S3_ENDPOINT: \"s3.example.org/bucket\" is not host[:port]"},
		{name: "bad bucket", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_BUCKET": "Vigil_Files"}), err: "VIGIL_ATTACHMENTS_S3_BUCKET: \"Vigil_Files\""},
		{name: "bad prefix", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_PREFIX": "a/../b"}), err: "VIGIL_ATTACHMENTS_S3_PREFIX"},
		{name: "no secret", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_SECRET_KEY": ""}), err: "VIGIL_ATTACHMENTS_S3_ACCESS_KEY and VIGIL_ATTACHMENTS_S3_SECRET_KEY"},
		{name: "not a boolean", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_INSECURE": "sometimes"}), err: "VIGIL_ATTACHMENTS_S3_INSECURE: \"sometimes\" is not a boolean"},
		{name: "missing secret file", env: with(map[string]string{"VIGIL_ATTACHMENTS_S3_SECRET_KEY_FILE": "/nonexistent/secret"}), err: "VIGIL_ATTACHMENTS_S3_SECRET_KEY_FILE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.FromEnv(func(k string) string { return tc.env[k] })
			if err == nil {
				err = c.Validate()
			}
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("got %v, want an error with %q", err, tc.err)
			case tc.err == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tc.err == "" && c.AttachmentsS3 != tc.want:
				t.Fatalf("got %+v, want %+v", c.AttachmentsS3, tc.want)
			}
		})
	}
}
