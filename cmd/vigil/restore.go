package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/server"
)

// runRestore restores a backup into a new data directory: it checks every
// file against the manifest's SHA-256, refuses a directory that is not
// empty, and audits the ledger of what it restored. The keys are not in a
// backup: with them in place (NEWDIR/master.key and NEWDIR/log.key, or
// VIGIL_MASTER_KEY_FILE and VIGIL_LOG_KEY_FILE) the audit is the full one
// of `vigil log audit`; without them, only the tree is checked, against
// the manifest's checkpoint, and restore says where the keys go.
func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "restore")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("restore: give one backup FILE (vigil restore --data NEWDIR FILE)%s: %w", flagsAfter(fs.Args()), errUsage)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := emptyDir(cfg.DataDir); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	file := fs.Arg(0)
	start := time.Now()
	m, err := restoreFiles(ctx, e, cfg, file)
	if err != nil {
		return fmt.Errorf("restore: %s: %w", file, err)
	}
	fmt.Fprintf(e.stdout, "restored %s into %s in %v: %d files match the manifest; %d reports; ledger size %d\n",
		file, cfg.DataDir, time.Since(start).Round(time.Millisecond), len(m.Files), m.Reports, m.Ledger.Size)
	return auditRestored(ctx, e, cfg, m)
}

// emptyDir refuses a directory that holds anything; one that does not
// exist is fine.
func emptyDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--data %s: %w", dir, err)
	}
	if len(ents) > 0 {
		hint := ""
		if onlyKeys(ents) {
			hint = "; to have restore run the full audit, keep the key copies elsewhere and point VIGIL_MASTER_KEY_FILE and VIGIL_LOG_KEY_FILE at them, or copy them in after the restore"
		}
		return fmt.Errorf("--data %s is not empty (it holds %s%s): restore only into a new or empty directory, never over data%s", dir, ents[0].Name(), more(len(ents)-1), hint)
	}
	return nil
}

// onlyKeys reports whether every entry is a .key file.
func onlyKeys(ents []os.DirEntry) bool {
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".key") {
			return false
		}
	}
	return true
}

func more(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" and %d more", n)
}

// restoreFiles extracts the backup into a staging directory inside the data
// directory, checks every file against the manifest, and only then moves
// them into place. On any failure the data directory is left as it was
// (removed if restore made it).
func restoreFiles(ctx context.Context, e *env, cfg *config.Config, file string) (m *manifest, err error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	dbPath, sqlite := strings.CutPrefix(cfg.DSN(), "sqlite:")
	if !sqlite {
		// Before reading what may be a large file.
		if err := pgEmpty(ctx, cfg); err != nil {
			return nil, err
		}
	}
	_, statErr := os.Stat(cfg.DataDir)
	made := errors.Is(statErr, os.ErrNotExist)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("make %s: %w", cfg.DataDir, err)
	}
	stage, err := os.MkdirTemp(cfg.DataDir, ".restore-*")
	if err != nil {
		return nil, err
	}
	defer func() {
		os.RemoveAll(stage)
		if err != nil && made {
			os.Remove(cfg.DataDir)
		}
	}()

	p := startProgress(e, "restore", st.Size())
	defer p.Done()
	r, err := maybeGunzip(io.TeeReader(f, p))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(r)
	got := map[string]manifestFile{}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a Vigil backup (a tar file, optionally gzipped): %w", err)
		}
		if m != nil {
			return nil, fmt.Errorf("%s comes after manifest.json: the file was altered", h.Name)
		}
		if h.Name == "manifest.json" {
			b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
			if err != nil {
				return nil, fmt.Errorf("read manifest.json: %w", err)
			}
			m = &manifest{}
			if err := json.Unmarshal(b, m); err != nil {
				return nil, fmt.Errorf("manifest.json: %w", err)
			}
			if m.Format != backupFormat {
				return nil, fmt.Errorf("manifest.json: format %q, want %q", m.Format, backupFormat)
			}
			continue
		}
		if err := backupName(h); err != nil {
			return nil, err
		}
		if _, dup := got[h.Name]; dup {
			return nil, fmt.Errorf("%s is in the backup twice", h.Name)
		}
		sum, n, err := extract(tr, filepath.Join(stage, filepath.FromSlash(h.Name)))
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("the file ends in the middle of %s: it was cut short (an incomplete copy?)", h.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h.Name, err)
		}
		got[h.Name] = manifestFile{Path: h.Name, Size: n, SHA256: sum}
	}
	if m == nil {
		return nil, errors.New("no manifest.json: the backup is incomplete (cut short?) or not a Vigil backup")
	}
	var bad []string
	for _, want := range m.Files {
		have, ok := got[want.Path]
		switch {
		case !ok:
			bad = append(bad, want.Path+": in the manifest, missing from the backup")
		case have.SHA256 != want.SHA256 || have.Size != want.Size:
			bad = append(bad, fmt.Sprintf("%s: SHA-256 %s (%d bytes), the manifest says %s (%d bytes)", want.Path, have.SHA256, have.Size, want.SHA256, want.Size))
		}
		delete(got, want.Path)
	}
	for name := range got {
		bad = append(bad, name+": in the backup, not in the manifest")
	}
	dbName := "vigil.db"
	if m.Database == "postgres" {
		dbName = pgDumpName
	}
	if _, ok := findFile(m, dbName); !ok {
		bad = append(bad, dbName+": not in the manifest")
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("the backup does not match its manifest; nothing was restored:\n  %s", strings.Join(bad, "\n  "))
	}
	// Attachments kept in a bucket: a backup that names one is restored
	// only against a bucket, and the files of one that holds them go
	// into the bucket configured (checked now, before anything moves).
	var bucket blob.Store
	if b := m.AttachmentsNotIncluded; b != nil && !cfg.AttachmentsS3.On() {
		return nil, fmt.Errorf("this backup holds the database alone: its attachments are in the bucket %s (prefix %q) at %s; set VIGIL_ATTACHMENTS_S3_* to that bucket (or a copy of it) to restore; nothing was restored", b.Bucket, b.Prefix, b.Endpoint)
	}
	if cfg.AttachmentsS3.On() {
		if bucket, err = server.OpenAttachments(ctx, cfg); err != nil {
			return nil, fmt.Errorf("%w; nothing was restored", err)
		}
		a := cfg.AttachmentsS3
		if b := m.AttachmentsNotIncluded; b != nil && (b.Endpoint != a.Endpoint || b.Bucket != a.Bucket || strings.Trim(b.Prefix, "/") != strings.Trim(a.Prefix, "/")) {
			fmt.Fprintf(e.stdout, "the backup's attachments were in the bucket %s (prefix %q) at %s; they are looked for in %s: the audit below checks each one\n", b.Bucket, b.Prefix, b.Endpoint, bucket)
		}
	}
	// Into place: the database where the configuration looks for it, the
	// attachments beside it (or in the bucket).
	switch {
	case m.Database == "postgres" && sqlite:
		return nil, errors.New("this is a backup of a PostgreSQL database: set VIGIL_DATABASE to a new, empty PostgreSQL database to restore it into; nothing was restored")
	case m.Database != "postgres" && !sqlite:
		// A SQLite backup restored into PostgreSQL: the move of a Vigil
		// that outgrew SQLite (docs/operations.md).
		if err := moveIntoPostgres(ctx, e, cfg, filepath.Join(stage, "vigil.db")); err != nil {
			return nil, fmt.Errorf("%w; the attachments were not restored", err)
		}
	case !sqlite:
		if err := restorePostgres(ctx, e, cfg, filepath.Join(stage, pgDumpName)); err != nil {
			return nil, fmt.Errorf("%w; the attachments were not restored", err)
		}
	default:
		if _, err := os.Lstat(dbPath); err == nil {
			return nil, fmt.Errorf("%s already exists; nothing was restored", dbPath)
		}
		if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(stage, "vigil.db"), dbPath); err != nil {
			return nil, fmt.Errorf("move the database into place: %w", err)
		}
	}
	att := filepath.Join(stage, "attachments")
	if _, err := os.Stat(att); err == nil {
		if bucket != nil {
			n, err := uploadAttachments(ctx, att, bucket)
			if err != nil {
				return nil, fmt.Errorf("copy the attachments into %s (%d copied): %w", bucket, n, err)
			}
			fmt.Fprintf(e.stdout, "%d attachments copied into %s\n", n, bucket)
		} else if err := os.Rename(att, filepath.Join(cfg.DataDir, "attachments")); err != nil {
			return nil, fmt.Errorf("move the attachments into place: %w", err)
		}
	}
	syncDir(cfg.DataDir)
	return m, nil
}

// uploadAttachments puts the files of dir (checked against the manifest)
// into the bucket under their names; one already there with the same
// bytes is fine (a restore run again), with other bytes an error.
func uploadAttachments(ctx context.Context, dir string, files blob.Store) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ent := range ents {
		b, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err != nil {
			return n, err
		}
		if err := files.Put(ctx, ent.Name(), b); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// maybeGunzip returns r decompressed if it starts as a gzip stream does,
// else r itself (buffered).
func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("not a Vigil backup (a damaged gzip file): %w", err)
		}
		return gz, nil
	}
	return br, nil
}

func findFile(m *manifest, name string) (manifestFile, bool) {
	for _, f := range m.Files {
		if f.Path == name {
			return f, true
		}
	}
	return manifestFile{}, false
}

// backupName refuses an entry that is not vigil.db or attachments/NAME, a
// regular file: nothing in a backup is written anywhere else.
func backupName(h *tar.Header) error {
	if h.Typeflag != tar.TypeReg {
		return fmt.Errorf("%s: not a regular file; a Vigil backup holds only files", h.Name)
	}
	if h.Name == "vigil.db" || h.Name == pgDumpName {
		return nil
	}
	name, ok := strings.CutPrefix(h.Name, "attachments/")
	if !ok || name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return fmt.Errorf("%s: a Vigil backup holds only vigil.db or vigil.pgdump, attachments/ and manifest.json", h.Name)
	}
	return nil
}

// extract writes r to path (mode 0600, synced) and returns its SHA-256
// and length.
func extract(r io.Reader, path string) (string, int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", 0, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// auditRestored audits the restored ledger: fully when the keys are in
// place, otherwise the tree alone, and says where the keys go.
func auditRestored(ctx context.Context, e *env, cfg *config.Config, m *manifest) error {
	_, masterErr := os.Stat(cfg.MasterKeyFile)
	_, logErr := os.Stat(cfg.LogKeyFile)
	if masterErr == nil && logErr == nil {
		var cps [][]byte
		if m.Ledger.Checkpoint != "" {
			cps = append(cps, []byte(m.Ledger.Checkpoint))
		}
		if err := ledgerAudit(ctx, e, cfg, "", cps); err != nil {
			return fmt.Errorf("restore: the restored data does not pass the ledger audit: %w", err)
		}
		fmt.Fprintf(e.stdout, "the restored data directory %s is ready: start it with vigil serve --data %s\n", cfg.DataDir, cfg.DataDir)
		return nil
	}
	// Without the keys: the tree, against the checkpoint in the manifest.
	if m.Ledger.Checkpoint != "" && m.Ledger.VerifierKey != "" {
		v, err := note.NewVerifier(m.Ledger.VerifierKey)
		if err != nil {
			return fmt.Errorf("restore: manifest.json: verifier key: %w", err)
		}
		db, err := openDB(ctx, cfg)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		defer db.Close()
		rep, err := ledger.AuditTree(ctx, db, ledger.AuditOptions{Verifier: v, Checkpoints: [][]byte{[]byte(m.Ledger.Checkpoint)}})
		if err != nil {
			return fmt.Errorf("restore: ledger tree audit: %w", err)
		}
		for _, f := range rep.Failures {
			fmt.Fprintln(e.stdout, "FAIL", f.String())
		}
		if !rep.OK() {
			return fmt.Errorf("restore: the restored ledger tree does not match the backup's checkpoint: %d check(s) failed", len(rep.Failures))
		}
		fmt.Fprintf(e.stdout, "the ledger tree (size %d) matches the backup's signed checkpoint (verified with the verifier key recorded in the backup)\n", rep.Size)
	}
	fp := ""
	if m.MasterKeyFingerprint != "" {
		fp = " (the one with fingerprint " + m.MasterKeyFingerprint + ")"
	}
	fmt.Fprintf(e.stdout, `
The keys are not in a backup. Copy them from your key backup, mode 0600:
  master key%s  ->  %s
  log key  ->  %s
then check every record against the ledger with
  vigil log audit --data %s
A server refuses to start on the restored data without the right master key.
`, fp, abs(cfg.MasterKeyFile), abs(cfg.LogKeyFile), cfg.DataDir)
	return nil
}
