package ledger_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/blob/blobtest"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// fixture is a small database of records with their ledger entries, as
// intake writes them: one report with a corrected statement, a recanting
// statement and an attachment, and a second report that was erased.
type fixture struct {
	db      *store.DB
	raw     *sql.DB // for tampering behind the store's back
	keys    *seal.Keyring
	log     *ledger.Log
	key     *ledger.Key
	files   blob.Store // attachments
	report  string
	stmt    string // statement with versions 1 and 2
	recant  string // statement recanting stmt
	attach  string
	attHash string
	dk      *seal.DataKey
}

func newFixture(t *testing.T, e store.Engine, files blob.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, e)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var raw *sql.DB
	if e == store.SQLite {
		raw, err = sql.Open("sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")+"?_pragma=busy_timeout(10000)")
	} else {
		raw, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	master := make([]byte, seal.KeySize)
	rand.Read(master)
	keys, err := seal.New(master)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, raw: raw, keys: keys, files: files}
	f.log, f.key = newLog(t, db)
	now := time.Now()
	org := &store.Organisation{ID: store.NewID(), Name: "Hotline", Kind: "hotline", CreatedAt: now.UnixMicro()}

	newReport := func(q store.Q) (string, *seal.DataKey, error) {
		r := &store.Report{ID: store.NewID(), OrgID: org.ID, TrackingCode: store.NewID(), SecretHash: []byte("h"), Channel: "web", Language: "en", Status: "new", ReceivedAt: now.UnixMicro(), UpdatedAt: now.UnixMicro()}
		if err := q.PutReport(ctx, r); err != nil {
			return "", nil, err
		}
		dk, wrapped, err := keys.NewDataKey(r.ID)
		if err != nil {
			return "", nil, err
		}
		return r.ID, dk, q.PutDataKey(ctx, r.ID, wrapped, now.UnixMicro())
	}
	putVersion := func(q store.Q, dk *seal.DataKey, stID string, v int, text string) ([]byte, error) {
		salt := make([]byte, 16)
		rand.Read(salt)
		ctxt := "statement:" + stID + ":v" + strconv.Itoa(v)
		if err := q.PutStatementVersion(ctx, &store.StatementVersion{StatementID: stID, Version: v,
			Text: dk.Seal([]byte(text), ctxt+":text"), Salt: dk.Seal(salt, ctxt+":salt"), CreatedAt: now.UnixMicro()}); err != nil {
			return nil, err
		}
		return salt, putEntry(ctx, q, ledger.StatementEntry(stID, v, salt, []byte(text), now))
	}
	err = db.Tx(ctx, func(q store.Q) error {
		if err := q.PutOrganisation(ctx, org); err != nil {
			return err
		}
		var err error
		if f.report, f.dk, err = newReport(q); err != nil {
			return err
		}
		f.stmt, f.recant = store.NewID(), store.NewID()
		if err := q.PutStatement(ctx, &store.Statement{ID: f.stmt, ReportID: f.report, Kind: "testimony", Language: "en", CreatedAt: now.UnixMicro()}); err != nil {
			return err
		}
		if _, err := putVersion(q, f.dk, f.stmt, 1, "They took our passports at the compound."); err != nil {
			return err
		}
		if _, err := putVersion(q, f.dk, f.stmt, 2, "They took our passports at the compound in Shwe Kokko."); err != nil {
			return err
		}
		if err := q.PutStatement(ctx, &store.Statement{ID: f.recant, ReportID: f.report, Kind: "recantation", RecantsID: f.stmt, Language: "en", CreatedAt: now.UnixMicro()}); err != nil {
			return err
		}
		salt, err := putVersion(q, f.dk, f.recant, 1, "I withdraw what I said.")
		if err != nil {
			return err
		}
		if err := putEntry(ctx, q, ledger.RecantationEntry(f.recant, f.stmt, salt, now)); err != nil {
			return err
		}
		// An attachment, sealed with the report's key and stored under its
		// ID; the record keeps the plaintext's SHA-256.
		content := []byte("%PDF-1.4 contract with a recruitment agency")
		sum := sha256.Sum256(content)
		f.attHash = hex.EncodeToString(sum[:])
		f.attach = store.NewID()
		if err := f.files.Put(ctx, f.attach, f.dk.Seal(content, "attachment:"+f.attach+":file")); err != nil {
			return err
		}
		asalt := make([]byte, 16)
		rand.Read(asalt)
		if err := q.PutAttachment(ctx, &store.Attachment{ID: f.attach, ReportID: f.report, SHA256: f.attHash, MediaType: "application/pdf",
			Size: int64(len(content)), Salt: f.dk.Seal(asalt, "attachment:"+f.attach+":salt"), CreatedAt: now.UnixMicro()}); err != nil {
			return err
		}
		if err := putEntry(ctx, q, ledger.AttachmentEntry(f.attach, asalt, content, now)); err != nil {
			return err
		}
		// A second report, erased on request: its key is destroyed.
		erased, dk2, err := newReport(q)
		if err != nil {
			return err
		}
		st2 := store.NewID()
		if err := q.PutStatement(ctx, &store.Statement{ID: st2, ReportID: erased, Kind: "testimony", Language: "en", CreatedAt: now.UnixMicro()}); err != nil {
			return err
		}
		if _, err := putVersion(q, dk2, st2, 1, "My name is …"); err != nil {
			return err
		}
		return q.DeleteDataKey(ctx, erased)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

func putEntry(ctx context.Context, q store.Q, e ledger.Entry) error {
	return q.PutLedgerEntry(ctx, &store.LedgerEntry{ID: store.NewID(), Kind: e.Kind, RecordID: e.RecordID, Version: e.Version, Entry: e.Marshal(), ReceivedAt: time.Now().UnixMicro()})
}

func (f *fixture) audit(t *testing.T, extra ...[]byte) *ledger.AuditReport {
	t.Helper()
	rep, err := ledger.Audit(context.Background(), f.db, ledger.AuditOptions{Keyring: f.keys, Verifier: f.key.Verifier(), Files: f.files, Checkpoints: extra})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (f *fixture) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	res, err := f.raw.Exec(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s: %d rows", query, n)
	}
}

// TestAudit runs on both engines, with the attachment files in a
// directory and in an S3 bucket (an S3 server in the test process).
func TestAudit(t *testing.T) {
	for _, tc := range []struct {
		e     store.Engine
		files string
	}{{store.SQLite, "dir"}, {store.Postgres, "dir"}, {store.SQLite, "s3"}, {store.Postgres, "s3"}} {
		e := tc.e
		newFiles := func(t *testing.T) blob.Store {
			if tc.files == "s3" {
				return blobtest.S3(t, "audit")
			}
			return blob.NewDir(t.TempDir())
		}
		t.Run(string(e)+"/"+tc.files, func(t *testing.T) {
			clean := newFixture(t, e, newFiles(t))
			rep := clean.audit(t)
			if !rep.OK() || rep.Checked != 5 || rep.Erased != 1 || rep.Pending != 0 || rep.Size != 6 {
				t.Fatalf("clean audit: ok=%v checked=%d erased=%d pending=%d size=%d failures=%v", rep.OK(), rep.Checked, rep.Erased, rep.Pending, rep.Size, rep.Failures)
			}
			// A checkpoint seen earlier must still be in the tree.
			cpNote, _, err := clean.log.Checkpoint(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if rep := clean.audit(t, []byte(cpNote)); !rep.OK() {
				t.Fatalf("audit with the current checkpoint: %v", rep.Failures)
			}

			// A validly signed checkpoint the tree does not contain (a
			// split view, or history rewritten with the key) is caught.
			forked, err := note.Sign(&note.Note{Text: "vigil.test/log\n3\n" + base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\n"}, clean.key.Signer())
			if err != nil {
				t.Fatal(err)
			}
			if rep := clean.audit(t, forked); rep.OK() || !strings.Contains(rep.Failures[0].String(), "different root at size 3") {
				t.Fatalf("forked checkpoint: %v", rep.Failures)
			}

			tests := []struct {
				name   string
				tamper func(t *testing.T, f *fixture)
				// want are substrings of the failures, in order.
				want []string
			}{
				{"statement ciphertext altered in SQL", func(t *testing.T, f *fixture) {
					f.exec(t, `UPDATE statement_versions SET text = $1 WHERE statement_id = $2 AND version = 2`, []byte("not what was sealed at all, but long enough"), f.stmt)
				}, []string{"statement " + "STMT" + " v2 (leaf 1): the sealed statement text does not open"}},
				{"statement re-sealed with other words", func(t *testing.T, f *fixture) {
					f.exec(t, `UPDATE statement_versions SET text = $1 WHERE statement_id = $2 AND version = 1`,
						f.dk.Seal([]byte("They never took our passports."), "statement:"+f.stmt+":v1:text"), f.stmt)
				}, []string{"statement STMT v1 (leaf 0): the stored record no longer matches its ledger commitment"}},
				{"statement version deleted", func(t *testing.T, f *fixture) {
					f.exec(t, `DELETE FROM statement_versions WHERE statement_id = $1 AND version = 2`, f.stmt)
				}, []string{"statement STMT v2 (leaf 1): the ledger has an entry for this record, but the record is gone"}},
				{"recantation pointed elsewhere", func(t *testing.T, f *fixture) {
					f.exec(t, `UPDATE statements SET recants_id = $1 WHERE id = $2`, f.recant, f.recant)
				}, []string{"recantation RECANT v1 (leaf 3): the stored record no longer matches"}},
				{"attachment file replaced", func(t *testing.T, f *fixture) {
					// The store never overwrites: replaced behind its back
					// is deleted and put again.
					ctx := context.Background()
					if err := f.files.Delete(ctx, f.attach); err != nil {
						t.Fatal(err)
					}
					if err := f.files.Put(ctx, f.attach, f.dk.Seal([]byte("another file"), "attachment:"+f.attach+":file")); err != nil {
						t.Fatal(err)
					}
				}, []string{"attachment ATTACH v1 (leaf 4): the attachment's content does not match its recorded SHA-256"}},
				{"attachment file gone", func(t *testing.T, f *fixture) {
					if err := f.files.Delete(context.Background(), f.attach); err != nil {
						t.Fatal(err)
					}
				}, []string{"attachment ATTACH v1 (leaf 4): the attachment's file cannot be read: blob: ATTACH: blob: not found"}},
				{"ledger entry rewritten", func(t *testing.T, f *fixture) {
					e := ledger.StatementEntry(f.stmt, 1, []byte("salt"), []byte("They never took our passports."), time.Now())
					f.exec(t, `UPDATE ledger_entries SET entry = $1 WHERE record_id = $2 AND version = 1 AND kind = 'statement'`, e.Marshal(), f.stmt)
				}, []string{"statement STMT v1 (leaf 0): the stored record no longer matches", "tree: stored tile 0/0 does not match", "tree: the stored leaves give root"}},
				{"ledger entry deleted", func(t *testing.T, f *fixture) {
					f.exec(t, `DELETE FROM ledger_entries WHERE record_id = $1 AND kind = 'attachment'`, f.attach)
				}, []string{"attachment ATTACH v1: no ledger entry", "tree: stored leaves are missing"}},
				{"tile altered", func(t *testing.T, f *fixture) {
					f.exec(t, `UPDATE ledger_tiles SET hashes = $1 WHERE level = 0 AND idx = 0`, make([]byte, 6*32))
				}, []string{"tree: stored tile 0/0 does not match"}},
				{"checkpoint replaced", func(t *testing.T, f *fixture) {
					f.exec(t, `UPDATE ledger_state SET checkpoint = $1 WHERE id = 1`, "vigil.test/log\n6\nAAAA\n\n— vigil.test/log AAAA\n")
				}, []string{"tree: the stored checkpoint does not verify"}},
			}
			for _, tt := range tests {
				if tc.files == "s3" && !strings.HasPrefix(tt.name, "attachment") {
					continue // the others touch no file
				}
				t.Run(tt.name, func(t *testing.T) {
					f := newFixture(t, e, newFiles(t))
					tt.tamper(t, f)
					rep := f.audit(t)
					var got []string
					for _, fl := range rep.Failures {
						got = append(got, fl.String())
					}
					if len(got) != len(tt.want) {
						t.Fatalf("failures:\n%s\nwant %d", strings.Join(got, "\n"), len(tt.want))
					}
					r := strings.NewReplacer("STMT", f.stmt, "RECANT", f.recant, "ATTACH", f.attach)
					for i, w := range tt.want {
						if !strings.Contains(got[i], r.Replace(w)) {
							t.Errorf("failure %d: %s\nwant it to contain %q", i, got[i], r.Replace(w))
						}
					}
				})
			}
		})
	}
}
