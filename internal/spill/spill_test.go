package spill

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"testing"
)

// TestSpill: records come back as written, in order, and what is on disk
// is not the plaintext.
func TestSpill(t *testing.T) {
	sp, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if _, err := os.Stat(sp.f.Name()); runtime.GOOS != "windows" && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the spill file has a name in the directory (%v): a killed rebuild would leave it", err)
	}
	secret := "+85512345678"
	var want [][]byte
	for i := range 5000 {
		rec := fmt.Appendf(nil, "%d %s %s", i, secret, bytes.Repeat([]byte{'x'}, i%300))
		want = append(want, rec)
		if err := sp.Put(rec); err != nil {
			t.Fatal(err)
		}
	}
	if sp.Len() != len(want) {
		t.Errorf("Len = %d, want %d", sp.Len(), len(want))
	}
	rd, err := sp.Read()
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		got, err := rd.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !bytes.Equal(got, w) {
			t.Fatalf("record %d = %x, want %x", i, got, w)
		}
	}
	if _, err := rd.Next(); err != io.EOF {
		t.Errorf("after the last record: %v, want io.EOF", err)
	}
	raw, err := io.ReadAll(io.NewSectionReader(sp.f, 0, 1<<30))
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 || bytes.Contains(raw, []byte(secret)) {
		t.Errorf("the spill file (%d bytes) holds the plaintext", len(raw))
	}
}
