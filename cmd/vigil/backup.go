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
	"sort"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// backupFormat names the layout of a backup file: a tar (optionally
// gzipped) of vigil.db (SQLite) or vigil.pgdump (PostgreSQL),
// attachments/ID… and, last, manifest.json.
const backupFormat = "vigil-backup/1"

// manifest is manifest.json, the last entry of a backup: what is in it,
// with the SHA-256 of every file, and the ledger as of the snapshot.
type manifest struct {
	Format string `json:"format"`
	// Database is "postgres" for a backup of a PostgreSQL database (its
	// file is vigil.pgdump); empty for SQLite (vigil.db).
	Database      string    `json:"database,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	VigilVersion  string    `json:"vigil_version"`
	SchemaVersion int       `json:"schema_version"`
	Reports       int64     `json:"reports"`
	// Ledger is the ledger's state in the snapshot: its latest signed
	// checkpoint, and the verifier key it verifies with (public).
	Ledger manifestLedger `json:"ledger"`
	// MasterKeyFingerprint names the master key the data is sealed under
	// (the key itself is not in the backup).
	MasterKeyFingerprint string         `json:"master_key_fingerprint,omitempty"`
	Files                []manifestFile `json:"files"`
	// KeysNotIncluded names the key files the backup leaves out.
	KeysNotIncluded []string `json:"keys_not_included"`
	// AttachmentsNotIncluded names the bucket the attachments are kept
	// in when they are (VIGIL_ATTACHMENTS_S3_*): they are not in the
	// backup, which then holds the database alone. Nil: the attachments
	// are the backup's attachments/ files.
	AttachmentsNotIncluded *manifestBucket `json:"attachments_not_included,omitempty"`
}

// manifestBucket names a bucket of sealed attachment objects (no keys).
type manifestBucket struct {
	Endpoint string `json:"endpoint"`
	Bucket   string `json:"bucket"`
	Prefix   string `json:"prefix,omitempty"`
}

type manifestLedger struct {
	Size        int64  `json:"size"`
	Root        string `json:"root,omitempty"`
	Checkpoint  string `json:"checkpoint,omitempty"`
	VerifierKey string `json:"verifier_key,omitempty"`
}

type manifestFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// runBackup writes a backup of a data directory while a server may be
// running on it: a snapshot of the database (SQLite's VACUUM INTO, or
// pg_dump on an exported PostgreSQL snapshot), the attachments, and a
// manifest with every file's SHA-256 and the ledger's checkpoint as of the
// snapshot. The keys are left out.
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	out := fs.String("out", "", "the backup file to write (.tar, or .tar.gz / .tgz to compress); must not exist")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *out == "":
		return fmt.Errorf("backup: --out FILE is required: %w", errUsage)
	case fs.NArg() > 0:
		return fmt.Errorf("backup: unexpected argument %q (the file goes in --out)%s: %w", fs.Arg(0), flagsAfter(fs.Args()), errUsage)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if _, err := os.Lstat(*out); err == nil {
		return fmt.Errorf("backup: %s already exists; choose another --out (a backup never overwrites a file)", *out)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	start := time.Now()
	m, size, err := writeBackup(ctx, e, cfg, db, *out)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "backup written to %s (%d bytes, %d files) in %v\n", *out, size, len(m.Files), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "  %d reports; ledger checkpoint at size %d, root %s\n", m.Reports, m.Ledger.Size, m.Ledger.Root)
	printKeyAdvice(e, cfg, m)
	printBucketAdvice(e, m)
	return nil
}

// printBucketAdvice says the attachments are not in the backup when they
// are kept in a bucket, and how they are backed up instead.
func printBucketAdvice(e *env, m *manifest) {
	b := m.AttachmentsNotIncluded
	if b == nil {
		return
	}
	fmt.Fprintf(e.stdout, `
The attachments are NOT in this backup: they are kept in the bucket
  %s (prefix %q) at %s
as sealed objects (unreadable without the master key), and the backup holds
the database alone. Back the bucket up with the storage service's own tools
(versioning, replication, or a copy such as mc mirror / aws s3 sync); a
restored database expects them there (restore's audit checks each one).
`, b.Bucket, b.Prefix, b.Endpoint)
}

// printKeyAdvice says where the keys the backup leaves out are, and that
// they are kept apart from it.
func printKeyAdvice(e *env, cfg *config.Config, m *manifest) {
	fp := ""
	if m.MasterKeyFingerprint != "" {
		fp = " (fingerprint " + m.MasterKeyFingerprint + ")"
	}
	fmt.Fprintf(e.stdout, `
The keys are NOT in this backup. Without them it cannot be restored:
  master key  %s%s
  log key     %s
Copy both to a separate place (another medium, another location, not beside
this file): whoever holds the backup and the master key together can read
every report. Check the copies once; they do not change.
`, abs(cfg.MasterKeyFile), fp, abs(cfg.LogKeyFile))
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// writeBackup writes the backup of db to out: into out.partial, renamed
// to out once complete and synced.
func writeBackup(ctx context.Context, e *env, cfg *config.Config, db *store.DB, out string) (*manifest, int64, error) {
	dir := filepath.Dir(out)
	tmp, err := os.MkdirTemp(dir, ".vigil-backup-*")
	if err != nil {
		return nil, 0, fmt.Errorf("make a work directory beside %s: %w", out, err)
	}
	defer os.RemoveAll(tmp)

	// 1. The snapshot, with its size shown as it grows.
	snap, dbName := filepath.Join(tmp, "vigil.db"), "vigil.db"
	var m *manifest
	if db.Engine == store.Postgres {
		dbName = pgDumpName
		if snap, m, err = dumpPostgres(ctx, e, cfg, db, tmp); err != nil {
			return nil, 0, err
		}
	} else {
		var dbSize int64
		if st, err := os.Stat(db.Path()); err == nil {
			dbSize = st.Size()
		}
		p := startProgress(e, "backup: snapshot of the database", dbSize)
		stopWatch := watchSize(snap, p)
		err = db.Snapshot(ctx, snap)
		stopWatch()
		p.Done()
		if err != nil {
			return nil, 0, err
		}
		if m, err = describeSnapshot(ctx, cfg, snap); err != nil {
			return nil, 0, err
		}
	}

	// 2. The attachments as they are now: every one the snapshot knows
	// was written (and synced) before its row was committed, and
	// attachment files are never changed or removed. Kept in a bucket,
	// they are not copied: the bucket is named, and backed up apart.
	attDir := filepath.Join(cfg.DataDir, "attachments")
	var atts []os.DirEntry
	if a := cfg.AttachmentsS3; a.On() {
		m.AttachmentsNotIncluded = &manifestBucket{Endpoint: a.Endpoint, Bucket: a.Bucket, Prefix: a.Prefix}
	} else if atts, err = os.ReadDir(attDir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("read %s: %w", attDir, err)
	}
	type item struct {
		name, path string
		size       int64
	}
	st, err := os.Stat(snap)
	if err != nil {
		return nil, 0, err
	}
	items := []item{{dbName, snap, st.Size()}}
	total := st.Size()
	for _, a := range atts {
		if !a.Type().IsRegular() {
			continue
		}
		info, err := a.Info()
		if err != nil {
			return nil, 0, fmt.Errorf("attachment %s: %w", a.Name(), err)
		}
		items = append(items, item{"attachments/" + a.Name(), filepath.Join(attDir, a.Name()), info.Size()})
		total += info.Size()
	}
	sort.Slice(items[1:], func(i, j int) bool { return items[1+i].name < items[1+j].name })

	// 3. The archive.
	partial := out + ".partial"
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("create %s: %w", partial, err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(partial)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	var w io.Writer = bw
	var gz *gzip.Writer
	if strings.HasSuffix(out, ".gz") || strings.HasSuffix(out, ".tgz") {
		// BestSpeed: much of the database is sealed (incompressible)
		// bytes. On 100,000 demo reports (442 MiB) it took 13 s for
		// 206 MB, the default level 33 s for 181 MB.
		gz, _ = gzip.NewWriterLevel(bw, gzip.BestSpeed)
		w = gz
	}
	tw := tar.NewWriter(w)
	p := startProgress(e, "backup: archive", total)
	defer func() {
		if !ok {
			p.Done()
		}
	}()
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		sum, err := addFile(tw, it.name, it.path, it.size, p)
		if err != nil {
			return nil, 0, err
		}
		m.Files = append(m.Files, manifestFile{Path: it.name, Size: it.size, SHA256: sum})
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, 0, err
	}
	mb = append(mb, '\n')
	if err := tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o600, Size: int64(len(mb)), ModTime: m.CreatedAt, Format: tar.FormatPAX}); err != nil {
		return nil, 0, fmt.Errorf("write manifest.json: %w", err)
	}
	if _, err := tw.Write(mb); err != nil {
		return nil, 0, fmt.Errorf("write manifest.json: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, 0, fmt.Errorf("write %s: %w", partial, err)
	}
	if gz != nil {
		if err := gz.Close(); err != nil {
			return nil, 0, fmt.Errorf("write %s: %w", partial, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return nil, 0, fmt.Errorf("write %s: %w", partial, err)
	}
	if err := f.Sync(); err != nil {
		return nil, 0, fmt.Errorf("sync %s: %w", partial, err)
	}
	size, _ := f.Seek(0, io.SeekCurrent)
	if err := f.Close(); err != nil {
		return nil, 0, fmt.Errorf("close %s: %w", partial, err)
	}
	ok = true
	p.Done()
	if _, err := os.Lstat(out); err == nil {
		return nil, 0, fmt.Errorf("%s appeared while the backup ran; the backup is left in %s", out, partial)
	}
	if err := os.Rename(partial, out); err != nil {
		return nil, 0, fmt.Errorf("rename %s to %s: %w", partial, out, err)
	}
	syncDir(dir)
	return m, size, nil
}

// addFile writes size bytes of the file at path into tw as name and
// returns their SHA-256.
func addFile(tw *tar.Writer, name, path string, size int64, p *progress) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: time.Now(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return "", fmt.Errorf("add %s: %w", name, err)
	}
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(tw, h, p), f, size); err != nil {
		return "", fmt.Errorf("add %s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// describeSnapshot starts the manifest from the snapshot itself: its
// schema, its reports and its ledger checkpoint.
func describeSnapshot(ctx context.Context, cfg *config.Config, snap string) (*manifest, error) {
	sdb, err := store.Open(ctx, "sqlite:"+snap)
	if err != nil {
		return nil, fmt.Errorf("open the snapshot: %w", err)
	}
	defer sdb.Close()
	m := newManifest(cfg)
	if m.SchemaVersion, _, err = sdb.SchemaVersion(ctx); err != nil {
		return nil, fmt.Errorf("the snapshot: %w", err)
	}
	if m.Reports, err = sdb.Read().CountReports(ctx); err != nil {
		return nil, fmt.Errorf("the snapshot: %w", err)
	}
	ls, err := sdb.Read().GetLedgerState(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Nothing logged yet.
	case err != nil:
		return nil, fmt.Errorf("the snapshot: %w", err)
	default:
		m.Ledger = manifestLedger{Size: ls.Size, Root: hex.EncodeToString(ls.Root), Checkpoint: ls.Checkpoint}
	}
	describeKeys(cfg, m)
	return m, nil
}

// newManifest starts a manifest with no file.
func newManifest(cfg *config.Config) *manifest {
	return &manifest{Format: backupFormat, CreatedAt: time.Now().UTC(), VigilVersion: version, Files: []manifestFile{},
		KeysNotIncluded: []string{filepath.Base(cfg.MasterKeyFile), filepath.Base(cfg.LogKeyFile)}}
}

// describeKeys records in m the public parts of the keys the backup leaves
// out: the ledger's verifier key and the master key's fingerprint.
func describeKeys(cfg *config.Config, m *manifest) {
	if k, err := ledger.LoadKey(cfg.LogKeyFile); err == nil {
		m.Ledger.VerifierKey = k.VerifierKey()
	}
	if k, err := seal.Load(cfg.MasterKeyFile); err == nil {
		m.MasterKeyFingerprint = k.Fingerprint()
	}
}

// watchSize sets p to the size of the file at path every 200ms, until the
// returned function is called.
func watchSize(path string, p *progress) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if st, err := os.Stat(path); err == nil {
					p.Set(st.Size())
				}
			}
		}
	}()
	return func() { close(done); <-exited }
}

// syncDir makes a rename in dir durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
