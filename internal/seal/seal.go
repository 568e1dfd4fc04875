// Package seal encrypts identifying data at rest. Each report has its own
// random AES-256 data key; the data key is stored wrapped (AES-256-GCM) by a
// master key that never enters the database. Destroying a report's wrapped
// key makes everything sealed under it unreadable (crypto-shredding).
package seal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// KeySize is the size of master and data keys in bytes (AES-256).
const KeySize = 32

// ErrDestroyed means the data key needed to open a value has been destroyed.
var ErrDestroyed = errors.New("seal: data key destroyed")

// ErrTampered means a sealed value failed authentication.
var ErrTampered = errors.New("seal: sealed value failed authentication")

// Keyring holds the master key. It wraps and unwraps data keys and derives
// the keys of the blind index, the link index, the search index and audit
// reasons. It is safe for concurrent use.
//
// Two secrets are at work: the master key (the key file), which wraps every
// report's data key, and the derivation root, from which the other keys are
// derived. Until the first rotation the root is the master key itself;
// rotating the master key (see Rotate) keeps the root and stores it in the
// database sealed under the new master key, so nothing derived from it
// changes and no sealed value is rewritten.
type Keyring struct {
	fp    string // the master key's fingerprint
	index []byte // HMAC key for blind indexes, derived from the root
	// ident seals the link index's identifier values; identNonce derives
	// their nonces (see SealIdentifier). Both are derived from the root.
	ident      cipher.AEAD
	identNonce []byte
	// search is the root of the search index's per-organisation term
	// keys (see SearchHasher), derived from the root.
	search []byte
	// audit seals the reasons of audit events (see SealAudit), under a key
	// derived from the root: not a report's data key, so erasing a
	// report leaves the reason given for erasing it readable.
	audit cipher.AEAD
	// root is the derivation root (kept to seal it under a new master key).
	root []byte
	// path is the key file (empty for a keyring made by New). During a
	// rotation the keys in path and path+".next" are picked up, so a running
	// server unwraps keys rewrapped under the new key and wraps new ones
	// with it (see refresh).
	path string
	mu   sync.Mutex
	// keks are the master keys known to wrap data keys, the one that wraps
	// new keys first; guarded by mu, as is checked (the last refresh).
	keks    []*kek
	checked time.Time
}

// kek is one master key as a key-encryption key.
type kek struct {
	raw  []byte
	aead cipher.AEAD
	fp   string
}

func newKEK(raw []byte) (*kek, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("seal: master key is %d bytes, want %d", len(raw), KeySize)
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	fp := sha256.Sum256(append([]byte("vigil key fingerprint v1"), raw...))
	return &kek{raw: raw, aead: aead, fp: hex.EncodeToString(fp[:8])}, nil
}

// ErrKeyMissing means the master key file is missing for a database that
// already has data sealed under a master key.
var ErrKeyMissing = errors.New("seal: master key missing")

// ErrWrongKey means the master key file is not the key the database's data
// is sealed under.
var ErrWrongKey = errors.New("seal: wrong master key")

// fingerprintName is the instance setting that records the master key's
// fingerprint in the database.
const fingerprintName = "master_key_fingerprint"

// rootName is the instance setting that holds the derivation root sealed
// under the master key, once the master key has been rotated; rootNextName
// holds it sealed under the next key while a rotation runs.
const (
	rootName     = "derivation_root"
	rootNextName = "derivation_root_next"
)

// nextSuffix names the file of the key a rotation moves to, beside the key
// file.
const nextSuffix = ".next"

// Binding is the database's side of the master key: the fingerprint it
// recorded, and what it holds sealed under the key. *store.DB implements it.
type Binding interface {
	// InstanceValue returns a recorded instance setting; ok is false when
	// there is none.
	InstanceValue(ctx context.Context, name string) (value string, ok bool, err error)
	// ClaimInstanceValue records value unless a value is recorded already,
	// and returns the recorded one.
	ClaimInstanceValue(ctx context.Context, name, value string) (string, error)
	// SampleDataKey returns one stored wrapped data key; ok is false when
	// there is none.
	SampleDataKey(ctx context.Context) (id string, wrapped []byte, ok bool, err error)
	// HasReports reports whether any report was ever stored.
	HasReports(ctx context.Context) (bool, error)
}

// Open returns the keyring of the master key in path for the database db.
// On the first run (a database with no report and no recorded key) it
// creates the key with mode 0600 and records its fingerprint in db. After
// that it never creates a key: a missing key file is [ErrKeyMissing] and a
// key with another fingerprint is [ErrWrongKey], both naming the file and
// the fingerprint the database expects. A database from before fingerprints
// were recorded gets its fingerprint recorded once the key has opened one
// of its data keys.
func Open(ctx context.Context, path string, db Binding) (*Keyring, error) {
	want, recorded, err := db.InstanceValue(ctx, fingerprintName)
	if err != nil {
		return nil, fmt.Errorf("seal: read the recorded master key fingerprint: %w", err)
	}
	k, err := Load(path)
	if recorded && (errors.Is(err, fs.ErrNotExist) || err == nil && k.fp != want) {
		// A rotation switched the database to the next key and stopped
		// before the key file was replaced by it.
		if nk, nerr := Load(path + nextSuffix); nerr == nil && nk.fp == want {
			k, err = nk, nil
		}
	}
	created := false
	if errors.Is(err, fs.ErrNotExist) {
		if recorded {
			return nil, fmt.Errorf("seal: master key file %s is missing, and this database's reports are sealed under the master key with fingerprint %s: restore that file from your key backup (or point VIGIL_MASTER_KEY_FILE at it); Vigil does not create a new key for a database that has one: %w", path, want, ErrKeyMissing)
		}
		has, herr := db.HasReports(ctx)
		if herr != nil {
			return nil, fmt.Errorf("seal: %w", herr)
		}
		if has {
			return nil, fmt.Errorf("seal: master key file %s is missing, and this database already holds reports sealed under a master key: restore that file from your key backup (or point VIGIL_MASTER_KEY_FILE at it); Vigil does not create a new key for a database that has data: %w", path, ErrKeyMissing)
		}
		if k, err = create(path); errors.Is(err, fs.ErrExist) {
			// Another process sharing the data directory created it
			// first.
			k, err = Load(path)
		} else {
			created = err == nil
		}
	}
	if err != nil {
		return nil, err
	}
	if recorded {
		if want != k.fp {
			return nil, wrongKey(path, k.fp, want)
		}
		return k.opened(ctx, path, db)
	}
	if id, wrapped, ok, err := db.SampleDataKey(ctx); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	} else if ok {
		if _, err := k.Unwrap(id, wrapped); err != nil {
			return nil, fmt.Errorf("seal: master key file %s (fingerprint %s) does not open the data key of report %s: it is not the key this database's reports are sealed under; restore the right file: %w", path, k.fp, id, ErrWrongKey)
		}
	}
	stored, err := db.ClaimInstanceValue(ctx, fingerprintName, k.fp)
	if err != nil {
		return nil, fmt.Errorf("seal: record the master key fingerprint: %w", err)
	}
	if stored != k.fp {
		// Another process recorded its own new key first: nothing was
		// sealed under this one.
		if created {
			os.Remove(path)
		}
		return nil, wrongKey(path, k.fp, stored)
	}
	return k.opened(ctx, path, db)
}

// opened finishes a keyring read from the key file path: the derivation
// root recorded in db (after a rotation) replaces the master key as root,
// and path is remembered for refresh.
func (k *Keyring) opened(ctx context.Context, path string, db Binding) (*Keyring, error) {
	sealed, ok, err := db.InstanceValue(ctx, rootName)
	if err != nil {
		return nil, fmt.Errorf("seal: read the derivation root: %w", err)
	}
	if ok {
		root, err := k.keks[0].openRoot(sealed)
		if err != nil {
			return nil, fmt.Errorf("seal: master key file %s does not open this database's derivation root: %w", path, err)
		}
		if k, err = build(k.keks[0].raw, root); err != nil {
			return nil, err
		}
	}
	k.path = path
	return k, nil
}

// sealRoot seals the derivation root under kk, for the instance table.
func (kk *kek) sealRoot(root []byte) string {
	return hex.EncodeToString(sealWith(kk.aead, root, []byte("derivation root")))
}

// openRoot opens a derivation root sealRoot sealed under kk.
func (kk *kek) openRoot(sealed string) ([]byte, error) {
	b, err := hex.DecodeString(sealed)
	if err != nil {
		return nil, ErrTampered
	}
	return openWith(kk.aead, b, []byte("derivation root"))
}

func wrongKey(path, have, want string) error {
	return fmt.Errorf("seal: master key file %s has fingerprint %s, but this database's reports are sealed under the master key with fingerprint %s: restore that file from your key backup (or point VIGIL_MASTER_KEY_FILE at it): %w", path, have, want, ErrWrongKey)
}

// Load reads the master key from path (hex). A key file readable by group
// or others is refused. The error wraps fs.ErrNotExist when there is no
// file. Servers use [Open], which also checks the key against the database.
func Load(path string) (*Keyring, error) {
	key, err := readKey(path)
	if err != nil {
		return nil, err
	}
	return New(key)
}

// readKey reads a master key file (hex), refusing one readable by group or
// others.
func readKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
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
	return key, nil
}

// create writes a new random master key to path with mode 0600. It fails
// (wrapping fs.ErrExist) rather than overwrite a file.
func create(path string) (*Keyring, error) {
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

// New returns a Keyring for a raw master key that is also its derivation
// root (a key never rotated).
func New(master []byte) (*Keyring, error) {
	return build(master, master)
}

// build returns the Keyring of master key master and derivation root root.
func build(master, root []byte) (*Keyring, error) {
	kk, err := newKEK(master)
	if err != nil {
		return nil, err
	}
	if len(root) != KeySize {
		return nil, fmt.Errorf("seal: derivation root is %d bytes, want %d", len(root), KeySize)
	}
	mac := hmac.New(sha256.New, root)
	mac.Write([]byte("vigil blind index v1"))
	k := &Keyring{fp: kk.fp, index: mac.Sum(nil), root: root, keks: []*kek{kk}}
	if k.ident, err = newAEAD(derive(root, "vigil link index seal v1")); err != nil {
		return nil, err
	}
	k.identNonce = derive(root, "vigil link index nonce v1")
	k.search = derive(root, "vigil search index v1")
	if k.audit, err = newAEAD(derive(root, "vigil audit reason seal v1")); err != nil {
		return nil, err
	}
	return k, nil
}

// derive derives a 32-byte key for one purpose from the master key.
func derive(master []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, master)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// Fingerprint identifies the master key the keyring was opened with,
// without revealing it.
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
// (to store) for the record id. During a rotation it is wrapped under the
// new master key.
func (k *Keyring) NewDataKey(id string) (*DataKey, []byte, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, nil, fmt.Errorf("seal: generate data key: %w", err)
	}
	k.refresh(false)
	wrapped := sealWith(k.known()[0].aead, raw, []byte("datakey:"+id))
	dk, err := dataKey(raw)
	if err != nil {
		return nil, nil, err
	}
	return dk, wrapped, nil
}

// Unwrap opens a stored data key for record id. A nil wrapped key means the
// key was destroyed. A key wrapped under a master key this keyring does not
// hold yet (one a rotation is moving to) is opened once refresh finds it.
func (k *Keyring) Unwrap(id string, wrapped []byte) (*DataKey, error) {
	if wrapped == nil {
		return nil, ErrDestroyed
	}
	raw, _, err := k.unwrap(id, wrapped)
	if errors.Is(err, ErrTampered) && k.refresh(true) {
		raw, _, err = k.unwrap(id, wrapped)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: unwrap data key of %s: %w", id, err)
	}
	return dataKey(raw)
}

// unwrap opens wrapped with whichever known master key wrapped it, and
// returns that key.
func (k *Keyring) unwrap(id string, wrapped []byte) ([]byte, *kek, error) {
	for _, kk := range k.known() {
		if raw, err := openWith(kk.aead, wrapped, []byte("datakey:"+id)); err == nil {
			return raw, kk, nil
		}
	}
	return nil, nil, ErrTampered
}

// known returns the master keys known to wrap data keys, the preferred one
// first.
func (k *Keyring) known() []*kek {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keks
}

// refreshEvery is how often a keyring looks for a rotation's new key when
// it wraps a data key.
const refreshEvery = 2 * time.Second

// refresh reads the key file and the next key file (path+".next") of a
// keyring opened from a file, at most every refreshEvery unless force, and
// learns the keys it did not know. The next key, while there is one, then
// wraps new data keys; after a rotation the key file holds it. It reports
// whether it learnt a key.
func (k *Keyring) refresh(force bool) bool {
	if k.path == "" {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if !force && time.Since(k.checked) < refreshEvery {
		return false
	}
	k.checked = time.Now()
	learnt := false
	keks := slices.Clone(k.keks)
	for _, p := range []string{k.path, k.path + nextSuffix} {
		raw, err := readKey(p)
		if err != nil {
			continue
		}
		kk, err := newKEK(raw)
		if err != nil {
			continue
		}
		i := slices.IndexFunc(keks, func(x *kek) bool { return x.fp == kk.fp })
		if i < 0 {
			keks, i, learnt = append(keks, kk), len(keks), true
		}
		// The next key if there is one, else the key file's, wraps.
		keks[0], keks[i] = keks[i], keks[0]
	}
	k.keks = keks
	return learnt
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

// SearchHasher computes the search index's terms for one organisation: a
// keyed hash (HMAC-SHA-256, truncated to 16 bytes) of a field name and a
// normalised term, under a key derived from the master key and the
// organisation's ID. Like [Keyring.BlindIndex] it allows equality look-ups
// without storing the term; unlike it, the key differs per organisation,
// so equal words in two organisations' reports give unrelated hashes and
// the index cannot be joined across organisations. A SearchHasher is not
// safe for concurrent use; make one per goroutine.
type SearchHasher struct {
	mac hash.Hash
	buf []byte
}

// SearchHasher returns the term hasher of organisation orgID.
func (k *Keyring) SearchHasher(orgID string) *SearchHasher {
	key := hmac.New(sha256.New, k.search)
	key.Write([]byte("org\x00"))
	key.Write([]byte(orgID))
	return &SearchHasher{mac: hmac.New(sha256.New, key.Sum(nil))}
}

// SearchTermSize is the size in bytes of a search term hash.
const SearchTermSize = 16

// Term returns the keyed hash of term in field ("t" for text, "s" for a
// subject's name, …).
func (h *SearchHasher) Term(field, term string) []byte {
	h.mac.Reset()
	h.mac.Write([]byte(field))
	h.mac.Write([]byte{0})
	h.mac.Write([]byte(term))
	h.buf = h.mac.Sum(h.buf[:0])
	return append([]byte(nil), h.buf[:SearchTermSize]...)
}

// SealAudit seals the reason an audit event gives (why a report was
// revealed, erased, a case reopened), bound to the event's id so a sealed
// reason cannot be moved to another event unnoticed.
func (k *Keyring) SealAudit(eventID, reason string) []byte {
	return sealWith(k.audit, []byte(reason), []byte("audit:"+eventID))
}

// OpenAudit opens a reason SealAudit sealed for eventID.
func (k *Keyring) OpenAudit(eventID string, sealed []byte) (string, error) {
	b, err := openWith(k.audit, sealed, []byte("audit:"+eventID))
	if err != nil {
		return "", fmt.Errorf("seal: reason of audit event %s: %w", eventID, err)
	}
	return string(b), nil
}
