// Package auth authenticates staff (argon2id passwords, TOTP, session cookies,
// bearer API tokens) and decides every access with one pure function, [Can].
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, two passes,
// one lane). Hashes made with other parameters still check, and
// [NeedsRehash] tells the caller to store a new one.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// ArgonMemoryBytes is the memory one password check takes.
const ArgonMemoryBytes = argonMemory * 1024

// ErrBadPassword means the password does not match.
var ErrBadPassword = errors.New("auth: wrong password")

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLen {
		return "", fmt.Errorf("auth: password must be at least %d characters", MinPasswordLen)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// NeedsRehash reports whether hash was made with other parameters than
// HashPassword uses today.
func NeedsRehash(hash string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return true
	}
	return parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", argonMemory, argonTime, argonThreads)
}

// CheckPassword compares password with a hash made by HashPassword.
func CheckPassword(hash, password string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return fmt.Errorf("auth: unknown password hash format")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return fmt.Errorf("auth: password hash parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("auth: password hash salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return fmt.Errorf("auth: password hash key: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrBadPassword
	}
	return nil
}

// TokenPrefix starts every API token, so leaked tokens are easy to find.
const TokenPrefix = "vgl_"

// NewSecret returns a random secret with prefix and the SHA-256 hash to
// store. Secrets have 160 random bits, so a plain hash is enough.
func NewSecret(prefix string) (secret string, hash []byte, err error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("auth: random secret: %w", err)
	}
	secret = prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return secret, HashSecret(secret), nil
}

// HashSecret returns the stored form of a token, session or tracking secret.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
