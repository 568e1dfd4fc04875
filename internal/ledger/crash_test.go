package ledger_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	flog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestHelperSequencer is not a test: TestCrashRecovery runs it in a child
// process that queues entries from several goroutines, runs the sequencer,
// and prints "ACK <entry> <leaf>" for each entry once it is integrated and
// covered by a published checkpoint, and "CP <base64 note>" for each new
// checkpoint its receipts carry, until it is killed.
func TestHelperSequencer(t *testing.T) {
	dsn := os.Getenv("VIGIL_LEDGER_HELPER_DSN")
	if dsn == "" {
		t.Skip("helper process for TestCrashRecovery")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ledger.LoadKey(os.Getenv("VIGIL_LEDGER_HELPER_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.New(db, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	go l.Run(ctx)
	var mu sync.Mutex
	lastCP := int64(-1)
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				id := queue(t, db, 1+rand.IntN(3))[0]
				l.Notify()
				r, err := l.Receipt(ctx, id)
				if err != nil {
					return
				}
				cp, err := r.Verify(key.VerifierKey())
				if err != nil {
					panic(err)
				}
				mu.Lock()
				if cp.Size > lastCP {
					lastCP = cp.Size
					fmt.Fprintf(out, "CP %s\n", base64.StdEncoding.EncodeToString([]byte(r.Checkpoint)))
				}
				fmt.Fprintf(out, "ACK %s %d\n", id, r.LeafIndex)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// TestCrashRecovery kills a sequencing process with SIGKILL while entries are
// being appended, twice, and then checks that no acknowledged entry is
// missing, the tree matches its stored leaves, and the next checkpoint is
// consistent with every checkpoint published before the crashes.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, e)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			db.Close()
			keyPath := filepath.Join(t.TempDir(), "log.key")
			key, err := ledger.LoadOrCreateKey(keyPath, testOrigin)
			if err != nil {
				t.Fatal(err)
			}

			acked := map[string]int64{}
			var seen []checkpointSeen
			for round := 1; round <= 2; round++ {
				killAfter := len(acked) + 100 + rand.IntN(200)
				cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSequencer$", "-test.count=1")
				cmd.Env = append(os.Environ(), "VIGIL_LEDGER_HELPER_DSN="+dsn, "VIGIL_LEDGER_HELPER_KEY="+keyPath)
				stdout, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				cmd.Stderr = os.Stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
				sc := bufio.NewScanner(stdout)
				sc.Buffer(nil, 1<<20)
				killed := false
				for sc.Scan() {
					f := strings.Fields(sc.Text())
					switch {
					case len(f) == 3 && f[0] == "ACK":
						leaf, err := strconv.ParseInt(f[2], 10, 64)
						if err != nil {
							t.Fatal(err)
						}
						acked[f[1]] = leaf
					case len(f) == 2 && f[0] == "CP":
						b, err := base64.StdEncoding.DecodeString(f[1])
						if err != nil {
							t.Fatal(err)
						}
						cp, _, _, err := flog.ParseCheckpoint(b, testOrigin, key.Verifier())
						if err != nil {
							t.Fatal(err)
						}
						var root tlog.Hash
						copy(root[:], cp.Hash)
						seen = append(seen, checkpointSeen{size: int64(cp.Size), root: root, note: b})
					}
					if !killed && len(acked) >= killAfter {
						cmd.Process.Kill() // SIGKILL: no clean-up of any kind
						killed = true
					}
				}
				cmd.Wait()
				timer.Stop()
				if !killed {
					t.Fatalf("round %d: helper ended after %d acks without being killed", round, len(acked))
				}
				t.Logf("round %d: killed after %d acknowledged entries, %d checkpoints seen", round, len(acked), len(seen))
			}

			// Restart: a new sequencer integrates what was queued but not
			// yet integrated, and publishes the next checkpoint.
			db, err = store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			l, err := ledger.New(db, key, nil)
			if err != nil {
				t.Fatal(err)
			}
			queue(t, db, 1)
			var n int
			for {
				// After SIGKILL PostgreSQL may take a moment to drop the dead
				// session's advisory lock.
				if n, err = l.Sequence(ctx); err == nil {
					break
				}
				if !strings.Contains(err.Error(), "held by another process") {
					t.Fatal(err)
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Logf("restart integrated %d pending entries", n)
			note, final, err := l.Checkpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := flog.ParseCheckpoint([]byte(note), testOrigin, key.Verifier()); err != nil {
				t.Fatal(err)
			}

			// No acknowledged entry is missing, and each kept its leaf.
			for id, leaf := range acked {
				e, err := db.Read().GetLedgerEntry(ctx, id)
				if err != nil {
					t.Fatalf("acknowledged entry %s: %v", id, err)
				}
				if e.LeafIndex != leaf {
					t.Fatalf("acknowledged entry %s: leaf %d, acknowledged as %d", id, e.LeafIndex, leaf)
				}
			}
			if pending, _ := db.Read().CountPendingLedgerEntries(ctx); pending != 0 {
				t.Fatalf("%d entries still pending", pending)
			}
			// The tree matches its stored leaves (recomputed by tlog), and
			// the stored tiles match the tree.
			leaves, err := db.Read().LedgerLeaves(ctx, 0, final.Size)
			if err != nil {
				t.Fatal(err)
			}
			entries := make([][]byte, len(leaves))
			for i, leaf := range leaves {
				entries[i] = leaf.Entry
			}
			mem := buildTLog(t, entries)
			var finalRoot tlog.Hash
			copy(finalRoot[:], final.Root)
			if th, err := tlog.TreeHash(final.Size, mem); err != nil || th != finalRoot {
				t.Fatalf("tree of the stored leaves: %v, checkpoint %v (%v)", th, finalRoot, err)
			}
			thr := tlog.TileHashReader(tlog.Tree{N: final.Size, Hash: finalRoot}, httpTiles{t, l.Handler()})
			if th, err := tlog.TreeHash(final.Size, thr); err != nil || th != finalRoot {
				t.Fatalf("tree of the stored tiles: %v (%v)", th, err)
			}
			// The new checkpoint is consistent with every one published
			// before the crashes.
			for _, s := range seen {
				p, err := l.ConsistencyProof(ctx, s.size, final.Size)
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckTree(toTLog(p), final.Size, finalRoot, s.size, s.root); err != nil {
					t.Fatalf("checkpoint %d seen before the crash is not consistent with %d after: %v", s.size, final.Size, err)
				}
			}
			if len(seen) == 0 || len(acked) < 200 {
				t.Fatalf("too little traffic: %d checkpoints, %d acks", len(seen), len(acked))
			}
		})
	}
}
