package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/blob/blobtest"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// ackedReport is a report a client saw acknowledged (201).
type ackedReport struct {
	ID, Code, Secret string
	At               time.Time
}

// TestBackupUnderLoad backs up a data directory while a real `vigil serve`
// takes reports from sixteen clients, restores the backup into a new
// directory (and, on PostgreSQL, a new database), copies the keys in, and
// checks that every report acknowledged before the backup started is there
// and trackable, that the ledger audit passes, and that a server on the
// restored directory takes new reports. On both engines.
func TestBackupUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	engineDirs(t, testBackupUnderLoad)
}

func testBackupUnderLoad(t *testing.T, engine store.Engine, dir, dsn string) {
	envv := []string{"VIGIL_DATA=" + dir, "VIGIL_DATABASE=" + dsn}
	_, addr := child(t, envv, "serve", "--demo", "--addr", "127.0.0.1:0", "--public-rate", "100000")

	var mu sync.Mutex
	var acked []ackedReport
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for c := range 16 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				ack, err := postReport(client, addr, fmt.Sprintf("backup test %d-%d", c, i))
				if err != nil {
					if ctx.Err() == nil {
						t.Errorf("client %d: %v", c, err)
					}
					return
				}
				mu.Lock()
				acked = append(acked, ack)
				mu.Unlock()
			}
		})
	}
	// Load until 200 reports are in (at most 30s), back up, and keep the
	// load on until 20 more are acknowledged after the backup.
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	waitFor := func(n int) {
		for deadline := time.Now().Add(30 * time.Second); count() < n && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(200)

	out := filepath.Join(t.TempDir(), "vigil-backup.tar.gz")
	mu.Lock()
	before := append([]ackedReport(nil), acked...)
	mu.Unlock()
	start := time.Now()
	stdout, stderr, err := runOut(envWith(dir, dsn), "", "backup", "--out", out)
	end := time.Now()
	took := end.Sub(start)
	if err != nil {
		t.Fatalf("backup under load: %v\n%s", err, stderr)
	}
	waitFor(count() + 20)
	cancel()
	wg.Wait()
	during := 0
	for _, a := range acked[len(before):] {
		if a.At.Before(end) {
			during++
		}
	}
	if len(before) < 50 || during < 1 {
		t.Fatalf("%d reports acknowledged before the backup and %d while it ran: the load proves little", len(before), during)
	}
	st, _ := os.Stat(out)
	t.Logf("backup of %d+ reports under load: %v, %d bytes; %d more reports acknowledged while it ran", len(before), took.Round(time.Millisecond), st.Size(), during)
	for _, want := range []string{"backup written to " + out, "The keys are NOT in this backup", filepath.Join(dir, "master.key"), filepath.Join(dir, "log.key")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("backup output %q lacks %q", stdout, want)
		}
	}
	m := readManifest(t, out)
	for _, f := range m.Files {
		if strings.HasSuffix(f.Path, ".key") {
			t.Errorf("the backup holds %s", f.Path)
		}
	}
	if want := map[store.Engine]string{store.SQLite: "", store.Postgres: "postgres"}[engine]; m.Database != want {
		t.Errorf("manifest: database %q, want %q", m.Database, want)
	}
	if m.Ledger.Checkpoint == "" || m.Reports < int64(len(before)) {
		t.Errorf("manifest: ledger %+v, %d reports; want a checkpoint and at least %d reports", m.Ledger, m.Reports, len(before))
	}

	// Restore into a new directory; the keys come afterwards.
	restored := filepath.Join(t.TempDir(), "restored")
	rdsn := "sqlite:" + filepath.Join(restored, "vigil.db")
	if engine == store.Postgres {
		rdsn = storetest.DSN(t, engine)
	}
	renv := envWith(restored, rdsn)
	stdout, stderr, err = runOut(renv, "", "restore", out)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, stderr)
	}
	for _, want := range []string{"files match the manifest", "matches the backup's signed checkpoint", filepath.Join(restored, "master.key"), "vigil log audit --data " + restored} {
		if !strings.Contains(stdout, want) {
			t.Errorf("restore output %q lacks %q", stdout, want)
		}
	}
	copyKeys(t, dir, restored)
	if stdout, err := runCmd(t, renv, "", "log", "audit"); err != nil || !strings.Contains(stdout, "OK: every stored record matches the log") {
		t.Fatalf("log audit of the restored directory: %v\n%s", err, stdout)
	}

	// Every report acknowledged before the backup began is there, and
	// its reporter can track it on a server of the restored directory.
	_, raddr := child(t, []string{"VIGIL_DATA=" + restored, "VIGIL_DATABASE=" + rdsn}, "serve", "--addr", "127.0.0.1:0", "--public-rate", "100000")
	var missing sync.Map
	inParallel(8, before, func(a ackedReport) {
		if err := track(client, raddr, a); err != nil {
			missing.Store(a.ID, err)
		}
	})
	n := 0
	missing.Range(func(k, v any) bool {
		if n++; n <= 5 {
			t.Errorf("report %s, acknowledged before the backup: %v", k, v)
		}
		return true
	})
	if n > 0 {
		t.Fatalf("%d of %d reports acknowledged before the backup are not trackable after restore", n, len(before))
	}
	// The restored server takes new reports.
	if _, err := postReport(client, raddr, "after the restore"); err != nil {
		t.Fatalf("a new report on the restored server: %v", err)
	}
	t.Logf("restored: all %d reports acknowledged before the backup are trackable; the ledger audit passes; new reports are taken", len(before))
}

func postReport(client *http.Client, addr, text string) (ackedReport, error) {
	body := fmt.Sprintf(`{"language":"en","narrative":%q,"victims":[{"name":"V","still_held":true}]}`, text)
	res, err := client.Post("http://"+addr+"/api/v1/reports", "application/json", strings.NewReader(body))
	if err != nil {
		return ackedReport{}, err
	}
	defer res.Body.Close()
	var ack struct {
		ID           string `json:"id"`
		TrackingCode string `json:"tracking_code"`
		Secret       string `json:"secret"`
	}
	if err := json.NewDecoder(res.Body).Decode(&ack); err != nil || res.StatusCode != http.StatusCreated || ack.ID == "" {
		return ackedReport{}, fmt.Errorf("POST /api/v1/reports: %s, %v", res.Status, err)
	}
	return ackedReport{ID: ack.ID, Code: ack.TrackingCode, Secret: ack.Secret, At: time.Now()}, nil
}

func track(client *http.Client, addr string, a ackedReport) error {
	req, err := http.NewRequest("GET", "http://"+addr+"/api/v1/track/"+a.Code, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Tracking-Secret", a.Secret)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /api/v1/track/%s: %s %s", a.Code, res.Status, b)
	}
	return nil
}

// readManifest returns the manifest of a backup file.
func readManifest(t *testing.T, path string) *manifest {
	t.Helper()
	var m *manifest
	eachEntry(t, path, func(h *tar.Header, r io.Reader) {
		if h.Name == "manifest.json" {
			m = &manifest{}
			if err := json.NewDecoder(r).Decode(m); err != nil {
				t.Fatal(err)
			}
		}
	})
	if m == nil {
		t.Fatal("no manifest.json")
	}
	return m
}

// eachEntry calls fn for every entry of a (gzipped) tar file.
func eachEntry(t *testing.T, path string, fn func(*tar.Header, io.Reader)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := maybeGunzip(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		fn(h, tr)
	}
}

// TestRestoreRefuses checks what restore refuses: a non-empty directory,
// a file that is not a backup, a backup altered or cut short. Nothing is
// left behind by a refused restore.
func TestRestoreRefuses(t *testing.T) {
	dir := t.TempDir()
	getenv := envWith(dir, "")
	if _, err := runCmd(t, getenv, "", "demo"); err != nil {
		t.Fatal(err)
	}
	// An attachment, so that the backup has more than the database.
	if err := os.MkdirAll(filepath.Join(dir, "attachments"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "attachments", "01test"), []byte("sealed bytes"))
	good := filepath.Join(t.TempDir(), "b.tar")
	if _, err := runCmd(t, getenv, "", "backup", "--out", good); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, getenv, "", "backup", "--out", good); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
	raw := readFile(t, good)
	scratch := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(scratch, name)
		writeFile(t, p, b)
		return p
	}
	// Alter one byte inside the attachment's content.
	altered := bytes.Replace(raw, []byte("sealed bytes"), []byte("sealed bytez"), 1)
	// Rewrite the archive with the manifest left out.
	var noManifest bytes.Buffer
	tw := tar.NewWriter(&noManifest)
	eachEntry(t, good, func(h *tar.Header, r io.Reader) {
		if h.Name != "manifest.json" {
			tw.WriteHeader(h)
			io.Copy(tw, r)
		}
	})
	tw.Close()
	// An entry that escapes the data directory.
	var escape bytes.Buffer
	tw = tar.NewWriter(&escape)
	tw.WriteHeader(&tar.Header{Name: "../evil", Mode: 0o600, Size: 1, Typeflag: tar.TypeReg})
	tw.Write([]byte("x"))
	tw.Close()

	nonEmpty, keysOnly := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(nonEmpty, "notes.txt"), []byte("x"))
	writeFile(t, filepath.Join(keysOnly, "master.key"), readFile(t, filepath.Join(dir, "master.key")))
	for _, c := range []struct {
		name, dir, file, want string
	}{
		{"non-empty directory", nonEmpty, good, "is not empty (it holds notes.txt)"},
		{"keys already in the directory", keysOnly, good, "point VIGIL_MASTER_KEY_FILE and VIGIL_LOG_KEY_FILE at them"},
		{"altered attachment", "", write("altered.tar", altered), "attachments/01test: SHA-256"},
		{"no manifest", "", write("cut.tar", noManifest.Bytes()), "no manifest.json"},
		{"cut short", "", write("short.tar", raw[:len(raw)/2]), "it was cut short"},
		{"not a backup", "", write("notes.txt", []byte("hello\n")), "not a Vigil backup"},
		{"path outside", "", write("escape.tar", escape.Bytes()), "a Vigil backup holds only vigil.db or vigil.pgdump, attachments/ and manifest.json"},
		{"missing file", "", filepath.Join(scratch, "nope.tar"), "no such file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			target := c.dir
			if target == "" {
				target = filepath.Join(t.TempDir(), "new")
			}
			_, err := runCmd(t, envWith(target, ""), "", "restore", c.file)
			if exitCode(err) != 1 || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v (exit %d), want exit 1 and %q", err, exitCode(err), c.want)
			}
			if c.dir == "" {
				if _, err := os.Stat(target); err == nil {
					t.Errorf("a refused restore left %s behind", target)
				}
			}
		})
	}
	// The good one restores, with the attachment.
	target := filepath.Join(t.TempDir(), "new")
	if _, err := runCmd(t, envWith(target, ""), "", "restore", good); err != nil {
		t.Fatal(err)
	}
	if b := readFile(t, filepath.Join(target, "attachments", "01test")); string(b) != "sealed bytes" {
		t.Errorf("restored attachment = %q", b)
	}
	// Restored with a bucket configured, the backup's attachment files go
	// into the bucket (the way to move an installation's files into one).
	fake := blobtest.Start(t, "moved/")
	var kv []string
	for k, v := range fake.Env() {
		kv = append(kv, k, v)
	}
	into := filepath.Join(t.TempDir(), "into-bucket")
	if out, err := runCmd(t, envWith(into, "", kv...), "", "restore", good); err != nil || !strings.Contains(out, "1 attachments copied into s3://"+blobtest.Bucket+"/moved/") {
		t.Fatalf("restore into a bucket: %v\n%s", err, out)
	}
	if b, err := fake.Store(t).Get(context.Background(), "01test"); err != nil || string(b) != "sealed bytes" {
		t.Errorf("the bucket's copy: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(into, "attachments")); err == nil {
		t.Error("restore into a bucket left an attachments directory")
	}
	// A server will not start on it without the master key.
	if err := runBriefly(t, envWith(target, ""), "serve", "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), filepath.Join(target, "master.key")) {
		t.Errorf("serve on a restored directory without the keys: %v", err)
	}
}

// TestBackupProgress checks that a backup that runs longer than the
// threshold reports progress on stderr, in plain lines off a terminal.
func TestBackupProgress(t *testing.T) {
	dir := t.TempDir()
	getenv := envWith(dir, "")
	if _, err := runCmd(t, getenv, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		progress: progressTiming{after: time.Nanosecond, tty: time.Millisecond, plain: time.Millisecond}}
	p := startProgress(e, "test", 100)
	p.Add(40)
	time.Sleep(20 * time.Millisecond)
	p.Add(60)
	p.Done()
	if s := errb.String(); !strings.Contains(s, "vigil: test: 40 B of 100 B (40%)") || !strings.HasSuffix(s, "vigil: test: 100 B of 100 B (100%), 0s, done\n") || strings.Contains(s, "\r") {
		t.Errorf("progress = %q", s)
	}
	errb.Reset()
	if err := run(context.Background(), e, []string{"backup", "--out", filepath.Join(t.TempDir(), "b.tar")}); err != nil {
		t.Fatal(err)
	}
	if s := errb.String(); !strings.Contains(s, "vigil: backup: archive:") {
		t.Errorf("backup progress = %q", s)
	}
	// Quick commands say nothing with the default threshold.
	errb.Reset()
	e.progress = progressTiming{}
	if err := run(context.Background(), e, []string{"backup", "--out", filepath.Join(t.TempDir(), "b.tar")}); err != nil || errb.Len() != 0 {
		t.Errorf("a quick backup printed %q (%v)", errb.String(), err)
	}
}

// TestPostgresBackupRefuses: on PostgreSQL, backup without pg_dump on the
// PATH says what to install; restore refuses a database that is not empty
// and an engine that is not the backup's, leaving nothing restored.
func TestPostgresBackupRefuses(t *testing.T) {
	dir := t.TempDir()
	dsn := storetest.DSN(t, store.Postgres)
	getenv := envWith(dir, dsn)
	if _, err := runCmd(t, getenv, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "b.tar")
	path := os.Getenv("PATH")
	t.Setenv("PATH", t.TempDir())
	if _, err := runCmd(t, getenv, "", "backup", "--out", out); err == nil || !strings.Contains(err.Error(), "pg_dump is not installed") {
		t.Errorf("backup without pg_dump: %v", err)
	}
	t.Setenv("PATH", path)
	if _, err := runCmd(t, getenv, "", "backup", "--out", out); err != nil {
		t.Fatal(err)
	}
	for name, renv := range map[string]func(string) string{
		"a database that is not empty": envWith(filepath.Join(t.TempDir(), "r"), dsn),
		"SQLite":                       envWith(filepath.Join(t.TempDir(), "r"), ""),
	} {
		want := map[bool]string{true: "not empty", false: "backup of a PostgreSQL database"}[strings.HasPrefix(renv("VIGIL_DATABASE"), "postgres")]
		if _, err := runCmd(t, renv, "", "restore", out); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("restore into %s: %v, want %q", name, err, want)
		}
		if _, err := os.Stat(renv("VIGIL_DATA")); !os.IsNotExist(err) {
			t.Errorf("restore into %s left %s behind: %v", name, renv("VIGIL_DATA"), err)
		}
	}
}
