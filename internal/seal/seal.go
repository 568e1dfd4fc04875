// Package seal encrypts identifying data at rest. Each report has its own
// random AES-256 data key; the data key is stored wrapped (AES-256-GCM) by a
// master key that never enters the database. Destroying a report's wrapped
// key makes everything sealed under it unreadable (crypto-shredding).
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the size of master and data keys in bytes (AES-256).
const KeySize = 32

// ErrDestroyed means the data key needed to open a value has been destroyed.
var ErrDestroyed = errors.New("seal: data key destroyed")

// ErrTampered means a sealed value failed authentication.
var ErrTampered = errors.New("seal: sealed value failed authentication")

// Keyring holds the master key. It wraps and unwraps data keys and derives
// the blind-index key. It is safe for concurrent use.
type Keyring struct {
	wrap  cipher.AEAD
	index []byte // HMAC key for blind indexes, derived from the master key
	fp    string
	// ident seals the link index's identifier values; identNonce derives
	// their nonces (see SealIdentifier). Both are derived from the master
	// key.
	ident      cipher.AEAD
	identNonce []byte
}

// LoadOrCreate reads the master key from path (hex), creating it with mode
// 0600 if the file does not exist. A key file readable by group or others is
// refused.
func LoadOrCreate(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("seal: generate master key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("seal: create key dir: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("seal: create master key %s: %w", path, err)
		}
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("seal: write master key: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("seal: sync master key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("seal: close master key: %w", err)
		}
		return New(key)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: read master key: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("seal: stat master key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("seal: master key %s has mode %v: want 0600", path, st.Mode().Perm())
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("seal: master key %s: not hex: %w", path, err)
	}
	return New(key)
}

// New returns a Keyring for a raw master key.
func New(master []byte) (*Keyring, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("seal: master key is %d bytes, want %d", len(master), KeySize)
	}
	aead, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, master)
	mac.Write([]byte("vigil blind index v1"))
	fp := sha256.Sum256(append([]byte("vigil key fingerprint v1"), master...))
	k := &Keyring{wrap: aead, index: mac.Sum(nil), fp: hex.EncodeToString(fp[:8])}
	if k.ident, err = newAEAD(derive(master, "vigil link index seal v1")); err != nil {
		return nil, err
	}
	k.identNonce = derive(master, "vigil link index nonce v1")
	return k, nil
}

// derive derives a 32-byte key for one purpose from the master key.
func derive(master []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, master)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// Fingerprint identifies the master key without revealing it.
func (k *Keyring) Fingerprint() string { return k.fp }

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return aead, nil
}

// DataKey is one report's key. Values sealed with it are bound to the
// record ID given as context, so a sealed value cannot be moved to another
// record unnoticed.
type DataKey struct {
	aead cipher.AEAD
}

// NewDataKey creates a random data key and returns it with its wrapped form
// (to store) for the record id.
func (k *Keyring) NewDataKey(id string) (*DataKey, []byte, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, nil, fmt.Errorf("seal: generate data key: %w", err)
	}
	wrapped := sealWith(k.wrap, raw, []byte("datakey:"+id))
	dk, err := dataKey(raw)
	if err != nil {
		return nil, nil, err
	}
	return dk, wrapped, nil
}

// Unwrap opens a stored data key for record id. A nil wrapped key means the
// key was destroyed.
func (k *Keyring) Unwrap(id string, wrapped []byte) (*DataKey, error) {
	if wrapped == nil {
		return nil, ErrDestroyed
	}
	raw, err := openWith(k.wrap, wrapped, []byte("datakey:"+id))
	if err != nil {
		return nil, fmt.Errorf("seal: unwrap data key of %s: %w", id, err)
	}
	return dataKey(raw)
}

func dataKey(raw []byte) (*DataKey, error) {
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	return &DataKey{aead: aead}, nil
}

// Seal encrypts plaintext bound to context (e.g. "report:ID:sealed").
func (d *DataKey) Seal(plaintext []byte, context string) []byte {
	return sealWith(d.aead, plaintext, []byte(context))
}

// Open decrypts a value sealed with the same context.
func (d *DataKey) Open(sealed []byte, context string) ([]byte, error) {
	return openWith(d.aead, sealed, []byte(context))
}

func sealWith(aead cipher.AEAD, plaintext, ad []byte) []byte {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+ panics
		// internally instead), so this is unreachable.
		panic(fmt.Sprintf("seal: read random nonce: %v", err))
	}
	return aead.Seal(nonce, nonce, plaintext, ad)
}

func openWith(aead cipher.AEAD, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrTampered
	}
	out, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], ad)
	if err != nil {
		return nil, ErrTampered
	}
	return out, nil
}

// BlindIndex returns a keyed hash of a normalised value, for equality
// look-ups on sealed data (for example a victim's phone number) without
// storing the value. kind separates name spaces ("phone", "email", …).
func (k *Keyring) BlindIndex(kind, normalised string) string {
	mac := hmac.New(sha256.New, k.index)
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(normalised))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// SealIdentifier seals an identifier's normalised value for the link index,
// bound to the identifier's id (its blind index). Unlike a report's sealed
// fields it is deterministic — the nonce is a keyed hash of the id and the
// value, as in SIV — so the index computed twice (a new report linked, or
// a rebuild) holds the same bytes and a rebuild rewrites nothing. That
// tells equal values apart from different ones, which the id, a keyed hash
// of the value, tells anyway.
func (k *Keyring) SealIdentifier(id, value string) []byte {
	mac := hmac.New(sha256.New, k.identNonce)
	mac.Write([]byte(id))
	mac.Write([]byte{0})
	mac.Write([]byte(value))
	nonce := mac.Sum(nil)[:k.ident.NonceSize()]
	return k.ident.Seal(nonce, nonce, []byte(value), []byte("identifier:"+id))
}

// OpenIdentifier opens a value SealIdentifier sealed for id.
func (k *Keyring) OpenIdentifier(id string, sealed []byte) (string, error) {
	b, err := openWith(k.ident, sealed, []byte("identifier:"+id))
	if err != nil {
		return "", fmt.Errorf("seal: identifier %s: %w", id, err)
	}
	return string(b), nil
}
