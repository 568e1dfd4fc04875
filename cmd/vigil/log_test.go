package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// TestLogAudit stores a statement as intake does, then changes it directly
// in SQL: `vigil log audit` must fail and name it.
func TestLogAudit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "vigil.db")
	db, err := store.Open(ctx, "sqlite:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := seal.Open(ctx, filepath.Join(dir, "master.key"), db)
	if err != nil {
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
	now := time.Now()
	stmtID := store.NewID()
	err = db.Tx(ctx, func(q store.Q) error {
		org := &store.Organisation{ID: store.NewID(), Name: "Hotline", Kind: "hotline", CreatedAt: now.UnixMicro()}
		if err := q.PutOrganisation(ctx, org); err != nil {
			return err
		}
		rep := &store.Report{ID: store.NewID(), OrgID: org.ID, TrackingCode: "T1", SecretHash: []byte("h"), Channel: "web", Language: "en", Status: "new", ReceivedAt: now.UnixMicro(), UpdatedAt: now.UnixMicro()}
		if err := q.PutReport(ctx, rep); err != nil {
			return err
		}
		dk, wrapped, err := keys.NewDataKey(rep.ID)
		if err != nil {
			return err
		}
		if err := q.PutDataKey(ctx, rep.ID, wrapped, now.UnixMicro()); err != nil {
			return err
		}
		if err := q.PutStatement(ctx, &store.Statement{ID: stmtID, ReportID: rep.ID, Kind: "testimony", Language: "en", CreatedAt: now.UnixMicro()}); err != nil {
			return err
		}
		text, salt := []byte("The manager beat us when we missed targets."), make([]byte, 16)
		rand.Read(salt)
		c := "statement:" + stmtID + ":v1:"
		if err := q.PutStatementVersion(ctx, &store.StatementVersion{StatementID: stmtID, Version: 1, Text: dk.Seal(text, c+"text"), Salt: dk.Seal(salt, c+"salt"), CreatedAt: now.UnixMicro()}); err != nil {
			return err
		}
		e := ledger.StatementEntry(stmtID, 1, salt, text, now)
		return q.PutLedgerEntry(ctx, &store.LedgerEntry{ID: store.NewID(), Kind: e.Kind, RecordID: stmtID, Version: 1, Entry: e.Marshal(), ReceivedAt: now.UnixMicro()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Sequence(ctx); err != nil {
		t.Fatal(err)
	}

	out, _, err := runLedgerCmd(t, "log", "audit", "--data", dir)
	if err != nil || !strings.Contains(out, "records: 1 match the log") || !strings.Contains(out, "OK:") {
		t.Fatalf("clean audit: %v\n%s", err, out)
	}
	out, _, err = runLedgerCmd(t, "log", "vkey", "--data", dir)
	if err != nil || strings.TrimSpace(out) != key.VerifierKey() {
		t.Fatalf("log vkey: %v %q", err, out)
	}
	out, _, err = runLedgerCmd(t, "log", "checkpoint", "--data", dir)
	if err != nil || !strings.HasPrefix(out, "vigil.example/log\n1\n") {
		t.Fatalf("log checkpoint: %v %q", err, out)
	}

	// Someone with database access "corrects" the statement.
	raw, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE statement_versions SET text = X'00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF' WHERE statement_id = ?`, stmtID); err != nil {
		t.Fatal(err)
	}
	out, _, err = runLedgerCmd(t, "log", "audit", "--data", dir)
	if err == nil {
		t.Fatalf("audit of a tampered statement succeeded:\n%s", out)
	}
	if !strings.Contains(out, "FAIL statement "+stmtID+" v1 (leaf 0)") {
		t.Fatalf("audit output does not name the statement:\n%s", out)
	}
}
