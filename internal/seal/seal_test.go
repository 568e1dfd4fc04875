package seal_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-project/vigil/internal/seal"
)

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "master.key")
	k1, err := seal.LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("mode = %v, want 0600", got)
	}
	k2, err := seal.LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if k1.Fingerprint() != k2.Fingerprint() {
		t.Errorf("reloaded key has fingerprint %s, want %s", k2.Fingerprint(), k1.Fingerprint())
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := seal.LoadOrCreate(path); err == nil {
		t.Error("a world-readable master key was accepted")
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

// BenchmarkIdentifier is what the link index pays per new identifier: its
// blind index (the id) and its sealed value.
func BenchmarkIdentifier(b *testing.B) {
	k, _ := seal.New(bytes.Repeat([]byte{1}, seal.KeySize))
	for b.Loop() {
		id := k.BlindIndex("phone", "+85512345678")
		k.SealIdentifier(id, "+85512345678")
	}
}
