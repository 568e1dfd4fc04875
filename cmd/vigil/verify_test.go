package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/store"
)

// runLedgerCmd runs a subcommand in-process and returns its output.
func runLedgerCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(""),
		stdout: &out,
		stderr: &errOut,
		getenv: func(string) string { return "" },
		log:    slog.New(slog.DiscardHandler),
	}
	err = run(context.Background(), e, args)
	return out.String(), errOut.String(), err
}

// receiptFixture logs one statement and writes its receipt to a file.
func receiptFixture(t *testing.T) (receiptPath, vkey, salt, text string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key, err := ledger.LoadOrCreateKey(filepath.Join(dir, "log.key"), "vigil.example/log")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.New(db, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	text = "They kept us in building C and took our phones.\n"
	saltB := []byte("16 bytes of salt")
	e := ledger.StatementEntry(store.NewID(), 1, saltB, []byte(text), time.Now())
	id := store.NewID()
	err = db.Tx(ctx, func(q store.Q) error {
		return q.PutLedgerEntry(ctx, &store.LedgerEntry{ID: id, Kind: e.Kind, RecordID: e.RecordID, Version: 1, Entry: e.Marshal(), ReceivedAt: store.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := l.Receipt(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(r, "", "  ")
	receiptPath = filepath.Join(dir, "receipt.json")
	if err := os.WriteFile(receiptPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return receiptPath, key.VerifierKey(), hex.EncodeToString(saltB), text
}

func TestVerify(t *testing.T) {
	good, vkey, salt, text := receiptFixture(t)
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodJSON, _ := os.ReadFile(good)
	var r map[string]any
	json.Unmarshal(goodJSON, &r)
	r["entry"].(map[string]any)["version"] = 2.0
	b, _ := json.Marshal(r)
	tampered := write("tampered.json", string(b))
	otherKey, err := ledger.LoadOrCreateKey(filepath.Join(dir, "other.key"), "vigil.example/log")
	if err != nil {
		t.Fatal(err)
	}
	content := write("statement.txt", text)
	wrongContent := write("wrong.txt", "They treated us well.\n")
	vkeyFile := write("vkey", vkey+"\n")

	tests := []struct {
		name    string
		args    []string
		wantErr string // "" for success
		wantOut string
		warn    bool // the unpinned-key warning
	}{
		{"good, pinned key", []string{"--vkey", vkey, good}, "", "is leaf 0 of log vigil.example/log", false},
		{"good, key from a file", []string{"--vkey", vkeyFile, good}, "", "OK:", false},
		{"good, embedded key", []string{good}, "", "OK:", true},
		{"good with content", []string{"--vkey", vkey, "--content", content, "--salt", salt, good}, "", "is exactly what the entry commits to", false},
		{"tampered entry", []string{"--vkey", vkey, tampered}, "receipt is NOT valid: ledger: leaf 0 in tree of size 1: inclusion proof does not match", "", false},
		{"wrong key", []string{"--vkey", otherKey.VerifierKey(), good}, "not signed by the log's key", "", false},
		{"wrong content", []string{"--vkey", vkey, "--content", wrongContent, "--salt", salt, good}, "content and salt do not match", "", false},
		{"wrong salt", []string{"--vkey", vkey, "--content", content, "--salt", "00" + salt[2:], good}, "content and salt do not match", "", false},
		{"content without salt", []string{"--content", content, good}, "go together", "", false},
		{"not a receipt", []string{"--vkey", vkey, content}, "parse receipt", "", false},
		{"no receipt", []string{"--vkey", vkey}, "want one receipt file", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runLedgerCmd(t, append([]string{"verify"}, tt.args...)...)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("err %v; stderr %s", err, errOut)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout %q, want %q", out, tt.wantOut)
			}
			if got := strings.Contains(errOut, "warning: checked against the verifier key embedded"); got != tt.warn {
				t.Errorf("warning shown: %v, want %v (%s)", got, tt.warn, errOut)
			}
		})
	}
	// Usage errors exit 2.
	if _, _, err := runLedgerCmd(t, "verify", "--content", content, good); !errors.Is(err, errUsage) {
		t.Errorf("usage error: %v", err)
	}
	// The receipt can come on stdin.
	var out bytes.Buffer
	e := &env{stdin: bytes.NewReader(goodJSON), stdout: &out, stderr: io.Discard, getenv: func(string) string { return "" }, log: slog.New(slog.DiscardHandler)}
	if err := run(context.Background(), e, []string{"verify", "--vkey", vkey, "-"}); err != nil {
		t.Fatal(err)
	}
}
