package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/config"
)

func TestWarnings(t *testing.T) {
	safe := config.Defaults()
	safe.LogOrigin = "hotline.example.org/log"
	safe.DataDir = t.TempDir()
	tests := []struct {
		name string
		mod  func(*config.Config)
		want []string // a word of each warning, in order
	}{
		{"safe", func(*config.Config) {}, nil},
		{"placeholder origin", func(c *config.Config) { c.LogOrigin = config.DefaultLogOrigin }, []string{"placeholder"}},
		{"plain cookies on loopback", func(c *config.Config) { c.SecureCookies = false }, nil},
		{"plain cookies on localhost", func(c *config.Config) { c.SecureCookies, c.Addr = false, "localhost:8080" }, nil},
		{"plain cookies on the LAN", func(c *config.Config) { c.SecureCookies, c.Addr = false, "192.168.1.20:8080" }, []string{"Secure"}},
		{"plain cookies on every address", func(c *config.Config) { c.SecureCookies, c.Addr = false, ":8080" }, []string{"Secure"}},
		{"secure cookies on the LAN", func(c *config.Config) { c.Addr = "0.0.0.0:8080" }, nil},
		{"private key files", func(c *config.Config) { c.MasterKeyFile, c.LogKeyFile = keyFile(t, 0o600), keyFile(t, 0o400) }, nil},
		{"key files others read", func(c *config.Config) { c.MasterKeyFile, c.LogKeyFile = keyFile(t, 0o644), keyFile(t, 0o640) }, []string{"chmod 600", "chmod 600"}},
	}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		tests = append(tests, struct {
			name string
			mod  func(*config.Config)
			want []string
		}{"data directory in memory", func(c *config.Config) { c.DataDir = "/dev/shm" }, []string{"tmpfs"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := safe
			tt.mod(&c)
			got := config.Warnings(&c)
			if len(got) != len(tt.want) {
				t.Fatalf("warnings %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("warning %d %q does not say %q", i, got[i], w)
				}
			}
		})
	}
}

// keyFile writes a key file with mode perm and returns its path.
func keyFile(t *testing.T, perm os.FileMode) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "k.key")
	if err := os.WriteFile(f, []byte("key"), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f, perm); err != nil { // past the umask
		t.Fatal(err)
	}
	return f
}
