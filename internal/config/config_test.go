package config_test

import (
	"testing"

	"github.com/vigil-project/vigil/internal/config"
)

// TestUploadSettings: the upload quotas and the watermark have safe
// defaults and read sizes with units from the environment.
func TestUploadSettings(t *testing.T) {
	c, err := config.FromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.AttachClientHourly != 30<<20 || c.AttachHourly != 500<<20 || c.MinFreeDisk != 1<<30 {
		t.Errorf("defaults: %d, %d, %d", c.AttachClientHourly, c.AttachHourly, c.MinFreeDisk)
	}
	env := map[string]string{"VIGIL_ATTACH_CLIENT_HOURLY": "10MiB", "VIGIL_ATTACH_HOURLY": "2 GB", "VIGIL_MIN_FREE_DISK": "0"}
	c, err = config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.AttachClientHourly != 10<<20 || c.AttachHourly != 2e9 || c.MinFreeDisk != 0 {
		t.Errorf("from the environment: %d, %d, %d", c.AttachClientHourly, c.AttachHourly, c.MinFreeDisk)
	}
	for _, bad := range []string{"lots", "-5MB", "1.5GiB", "99999999999GiB"} {
		env["VIGIL_MIN_FREE_DISK"] = bad
		if _, err := config.FromEnv(func(k string) string { return env[k] }); err == nil {
			t.Errorf("VIGIL_MIN_FREE_DISK=%q was accepted", bad)
		}
	}
}
