package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// FreeFailures is how many failed sign-ins in a row an account gets before
// it is locked. Each failure after that locks it for twice as long as the
// one before, from LockBase up to LockMax.
const (
	FreeFailures = 5
	LockBase     = time.Minute
	LockMax      = time.Hour
)

// LockFor is how long an account is locked after its failures-th failed
// sign-in in a row: nothing for the first FreeFailures-1, then LockBase,
// doubling, at most LockMax.
func LockFor(failures int) time.Duration {
	if failures < FreeFailures {
		return 0
	}
	d := LockBase
	for i := FreeFailures; i < failures && d < LockMax; i++ {
		d *= 2
	}
	return min(d, LockMax)
}

// LockedError means an account is locked after too many failed sign-ins:
// no password is checked until Until. Unknown e-mail addresses lock the
// same way, so a lockout tells nothing about which accounts exist.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("auth: too many failed sign-ins for this account; try again after %s", e.Until.UTC().Format(time.RFC3339))
}

// ThrottleKey is the key failed sign-ins are counted under: a hash of the
// e-mail address as typed (trimmed, lower-cased), whether or not an
// account has it.
func ThrottleKey(email string) []byte {
	h := sha256.Sum256([]byte("vigil login throttle\x00" + strings.ToLower(strings.TrimSpace(email))))
	return h[:]
}

// TOTPPeriod is the TOTP time step, in seconds (RFC 6238's default, which
// authenticator apps use).
const TOTPPeriod = 30

// TOTPStep returns the time step whose code code is, for secret, allowing
// one step of clock skew either way; ok is false when code matches none.
// The caller accepts a step only once (later than the last one used), so
// a code seen over a shoulder or in a proxy log cannot be used again.
func TOTPStep(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, skew := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(skew*TOTPPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / TOTPPeriod, true
		}
	}
	return 0, false
}

// secondFactorRoles are the roles that must sign in with a second factor
// when their organisation requires it (the default).
var secondFactorRoles = []Role{Admin, Coordinator, Operator}

// NeedsSecondFactor reports whether role r must have a second factor in an
// organisation that requires it.
func NeedsSecondFactor(r Role) bool { return slices.Contains(secondFactorRoles, r) }
