package auth

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func TestLockFor(t *testing.T) {
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {1, 0}, {4, 0},
		{5, time.Minute}, {6, 2 * time.Minute}, {7, 4 * time.Minute},
		{10, 32 * time.Minute}, {11, time.Hour}, {1000, time.Hour},
	} {
		if got := LockFor(tt.failures); got != tt.want {
			t.Errorf("LockFor(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
}

func TestTOTPStep(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXP"
	now := time.Unix(1_800_000_015, 0)
	for _, tt := range []struct {
		name string
		at   time.Time
		want int64
		ok   bool
	}{
		{"this step", now, now.Unix() / TOTPPeriod, true},
		{"the step before (clock skew)", now.Add(-TOTPPeriod * time.Second), now.Unix()/TOTPPeriod - 1, true},
		{"the step after", now.Add(TOTPPeriod * time.Second), now.Unix()/TOTPPeriod + 1, true},
		{"two steps before", now.Add(-2 * TOTPPeriod * time.Second), 0, false},
	} {
		code, err := totp.GenerateCode(secret, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		step, ok := TOTPStep(secret, code, now)
		if ok != tt.ok || (ok && step != tt.want) {
			t.Errorf("%s: step %d, %v; want %d, %v", tt.name, step, ok, tt.want, tt.ok)
		}
	}
	for _, code := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := TOTPStep(secret, code, now); ok {
			t.Errorf("code %q accepted", code)
		}
	}
}
