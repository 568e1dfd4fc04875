package seal_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestOpen checks that a master key is made only for a database that has
// none, and that a missing or different key is refused, naming the file and
// the expected fingerprint, on both engines.
func TestOpen(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		path := filepath.Join(dir, "keys", "master.key")
		k1, err := seal.Open(ctx, path, db)
		if err != nil {
			t.Fatalf("first run: %v", err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != 0o600 {
			t.Errorf("mode = %v, want 0600", got)
		}
		if fp, ok, err := db.InstanceValue(ctx, "master_key_fingerprint"); err != nil || !ok || fp != k1.Fingerprint() {
			t.Errorf("recorded fingerprint = %q, %v, %v; want %s", fp, ok, err, k1.Fingerprint())
		}
		k2, err := seal.Open(ctx, path, db)
		if err != nil {
			t.Fatal(err)
		}
		if k1.Fingerprint() != k2.Fingerprint() {
			t.Errorf("reopened key has fingerprint %s, want %s", k2.Fingerprint(), k1.Fingerprint())
		}

		// A key file for another installation is refused.
		other := filepath.Join(dir, "other.key")
		writeKey(t, other, 3)
		_, err = seal.Open(ctx, other, db)
		wantRefusal(t, err, seal.ErrWrongKey, other, k1.Fingerprint())

		// A missing key is refused and not replaced.
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		_, err = seal.Open(ctx, path, db)
		wantRefusal(t, err, seal.ErrKeyMissing, path, k1.Fingerprint())
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a refused start left a key file: %v", err)
		}

		if err := os.Chmod(other, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := seal.Load(other); err == nil {
			t.Error("a world-readable master key was accepted")
		}
	})
}

// TestOpenUnrecorded checks a database sealed before fingerprints were
// recorded: the right key is accepted and recorded, a wrong or missing one
// refused.
func TestOpenUnrecorded(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		right := filepath.Join(dir, "right.key")
		k := writeKey(t, right, 4)
		putSealedReport(t, db, k)

		_, err := seal.Open(ctx, filepath.Join(dir, "missing.key"), db)
		wantRefusal(t, err, seal.ErrKeyMissing, filepath.Join(dir, "missing.key"), "")
		if _, err := os.Stat(filepath.Join(dir, "missing.key")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a refused start made a key file: %v", err)
		}
		wrong := filepath.Join(dir, "wrong.key")
		writeKey(t, wrong, 5)
		_, err = seal.Open(ctx, wrong, db)
		wantRefusal(t, err, seal.ErrWrongKey, wrong, "")
		if _, ok, _ := db.InstanceValue(ctx, "master_key_fingerprint"); ok {
			t.Error("a wrong key's fingerprint was recorded")
		}

		if _, err := seal.Open(ctx, right, db); err != nil {
			t.Fatalf("the right key: %v", err)
		}
		if fp, _, _ := db.InstanceValue(ctx, "master_key_fingerprint"); fp != k.Fingerprint() {
			t.Errorf("recorded fingerprint = %q, want %s", fp, k.Fingerprint())
		}
	})
}

func wantRefusal(t *testing.T, err, want error, path, fingerprint string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fingerprint) {
		t.Errorf("error %q does not name the file %s and the fingerprint %q", err, path, fingerprint)
	}
}

// writeKey writes a master key of repeated b to path and returns it.
func writeKey(t *testing.T, path string, b byte) *seal.Keyring {
	t.Helper()
	raw := bytes.Repeat([]byte{b}, seal.KeySize)
	if err := os.WriteFile(path, []byte(hex.EncodeToString(raw)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := seal.New(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// putSealedReport stores a report with a data key wrapped by k, as a
// database written before fingerprints were recorded holds.
func putSealedReport(t *testing.T, db *store.DB, k *seal.Keyring) {
	t.Helper()
	ctx := context.Background()
	now := store.Now()
	err := db.Tx(ctx, func(q store.Q) error {
		org := &store.Organisation{ID: store.NewID(), Name: "Hotline", Kind: "hotline", CreatedAt: now}
		if err := q.PutOrganisation(ctx, org); err != nil {
			return err
		}
		rep := &store.Report{ID: store.NewID(), OrgID: org.ID, TrackingCode: "T1", SecretHash: []byte("h"), Channel: "web", Language: "en", Status: "new", ReceivedAt: now, UpdatedAt: now}
		if err := q.PutReport(ctx, rep); err != nil {
			return err
		}
		_, wrapped, err := k.NewDataKey(rep.ID)
		if err != nil {
			return err
		}
		return q.PutDataKey(ctx, rep.ID, wrapped, now)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSealRoundTrip(t *testing.T) {
	k, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	dk, wrapped, err := k.NewDataKey("r1")
	if err != nil {
		t.Fatal(err)
	}
	ct := dk.Seal([]byte("Sok Dara, +85512345678"), "report:r1:sealed")
	if bytes.Contains(ct, []byte("Sok Dara")) {
		t.Fatal("ciphertext contains plaintext")
	}
	dk2, err := k.Unwrap("r1", wrapped)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := dk2.Open(ct, "report:r1:sealed")
	if err != nil || string(pt) != "Sok Dara, +85512345678" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"other context", func() error { _, err := dk2.Open(ct, "report:r2:sealed"); return err }, seal.ErrTampered},
		{"flipped bit", func() error {
			bad := bytes.Clone(ct)
			bad[len(bad)-1] ^= 1
			_, err := dk2.Open(bad, "report:r1:sealed")
			return err
		}, seal.ErrTampered},
		{"short", func() error { _, err := dk2.Open([]byte{1, 2}, "report:r1:sealed"); return err }, seal.ErrTampered},
		{"wrong record for key", func() error { _, err := k.Unwrap("r2", wrapped); return err }, seal.ErrTampered},
		{"destroyed key", func() error { _, err := k.Unwrap("r1", nil); return err }, seal.ErrDestroyed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestBlindIndex(t *testing.T) {
	k1, _ := seal.New(bytes.Repeat([]byte{1}, seal.KeySize))
	k2, _ := seal.New(bytes.Repeat([]byte{2}, seal.KeySize))
	a := k1.BlindIndex("phone", "+85512345678")
	if a != k1.BlindIndex("phone", "+85512345678") {
		t.Error("blind index is not deterministic")
	}
	if a == k1.BlindIndex("email", "+85512345678") {
		t.Error("kinds share a name space")
	}
	if a == k2.BlindIndex("phone", "+85512345678") {
		t.Error("blind index does not depend on the key")
	}
}

func TestSealIdentifier(t *testing.T) {
	k1, _ := seal.New(bytes.Repeat([]byte{1}, seal.KeySize))
	k2, _ := seal.New(bytes.Repeat([]byte{2}, seal.KeySize))
	id := k1.BlindIndex("phone", "+85512345678")
	a := k1.SealIdentifier(id, "+85512345678")
	if bytes.Contains(a, []byte("85512345678")) {
		t.Fatalf("sealed value holds the plaintext: %q", a)
	}
	if !bytes.Equal(a, k1.SealIdentifier(id, "+85512345678")) {
		t.Error("sealing an identifier is not deterministic: a rebuild would rewrite every row")
	}
	if bytes.Equal(a, k1.SealIdentifier(id, "+85512345679")) || bytes.Equal(a, k2.SealIdentifier(id, "+85512345678")) {
		t.Error("the sealed value does not depend on the value and the key")
	}
	if v, err := k1.OpenIdentifier(id, a); err != nil || v != "+85512345678" {
		t.Errorf("open = %q, %v", v, err)
	}
	if _, err := k1.OpenIdentifier(k1.BlindIndex("phone", "+1"), a); !errors.Is(err, seal.ErrTampered) {
		t.Errorf("a value moved to another identifier opened: %v", err)
	}
	if _, err := k2.OpenIdentifier(id, a); !errors.Is(err, seal.ErrTampered) {
		t.Errorf("another key opened the value: %v", err)
	}
}

// TestSealAudit checks that an audit reason is sealed (no plaintext),
// opens only for its own event and under the master key it was sealed
// with, and does not depend on any report's data key.
func TestSealAudit(t *testing.T) {
	k1, _ := seal.New(bytes.Repeat([]byte{1}, seal.KeySize))
	k2, _ := seal.New(bytes.Repeat([]byte{2}, seal.KeySize))
	const reason = "checking Sokha's brother's phone"
	a := k1.SealAudit("ev1", reason)
	if bytes.Contains(a, []byte("Sokha")) {
		t.Fatalf("sealed reason holds the plaintext: %q", a)
	}
	if v, err := k1.OpenAudit("ev1", a); err != nil || v != reason {
		t.Errorf("open = %q, %v", v, err)
	}
	if _, err := k1.OpenAudit("ev2", a); !errors.Is(err, seal.ErrTampered) {
		t.Errorf("a reason moved to another event opened: %v", err)
	}
	if _, err := k2.OpenAudit("ev1", a); !errors.Is(err, seal.ErrTampered) {
		t.Errorf("another key opened the reason: %v", err)
	}
	if v, err := k1.OpenAudit("ev1", k1.SealAudit("ev1", "")); err != nil || v != "" {
		t.Errorf("empty reason: %q, %v", v, err)
	}
}

// BenchmarkIdentifier is what the link index pays per new identifier: its
// blind index (the id) and its sealed value.
func BenchmarkIdentifier(b *testing.B) {
	k, _ := seal.New(bytes.Repeat([]byte{1}, seal.KeySize))
	for b.Loop() {
		id := k.BlindIndex("phone", "+85512345678")
		k.SealIdentifier(id, "+85512345678")
	}
}
