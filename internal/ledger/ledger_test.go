package ledger_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
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

// checkpointSeen is a checkpoint as a client saw it.
type checkpointSeen struct {
	size int64
	root tlog.Hash
	note []byte
}

// TestIndependentCheck grows a log in uneven batches and checks everything
// it serves with golang.org/x/mod/sumdb/tlog, a second implementation:
// checkpoints (parsed with transparency-dev/formats/log), tiles, entry
// bundles, inclusion and consistency proofs, at every size a checkpoint was
// published for.
func TestIndependentCheck(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, key := newLog(t, db)
		h := routes(l)
		var ids []string
		var seen []checkpointSeen
		rnd := rand.New(rand.NewPCG(1, 2))
		// Cross the level-0 and level-1 tile boundaries, in odd batches.
		for _, n := range []int{1, 1, 2, 5, 250, 1, 300, 1, 255, 700, 3, 65} {
			ids = append(ids, queue(t, db, n)...)
			l.MaxBatch = 1 + rnd.IntN(300)
			if _, err := l.Sequence(ctx); err != nil {
				t.Fatal(err)
			}
			code, hdr, body := get(t, h, "/log/checkpoint")
			if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") || hdr.Get("Cache-Control") != "public, max-age=2" {
				t.Fatalf("checkpoint: %d %q %q", code, hdr.Get("Content-Type"), hdr.Get("Cache-Control"))
			}
			cp, _, _, err := flog.ParseCheckpoint(body, testOrigin, key.Verifier())
			if err != nil {
				t.Fatalf("formats/log rejects our checkpoint: %v\n%s", err, body)
			}
			if int(cp.Size) != len(ids) {
				t.Fatalf("checkpoint size %d, want %d", cp.Size, len(ids))
			}
			var root tlog.Hash
			copy(root[:], cp.Hash)
			seen = append(seen, checkpointSeen{size: int64(cp.Size), root: root, note: body})
		}
		size := int64(len(ids))
		final := seen[len(seen)-1]

		// The leaves, in order, straight from the entry bundles.
		var entries [][]byte
		for n := int64(0); n*256 < size; n++ {
			w := min(256, size-n*256)
			tile := ledger.Tile{Level: ledger.EntriesLevel, Index: n, Width: int(w)}
			code, hdr, body := get(t, h, "/log/"+tile.Path())
			if code != 200 || hdr.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Fatalf("%s: %d %q", tile.Path(), code, hdr.Get("Cache-Control"))
			}
			entries = append(entries, parseBundle(t, body)...)
		}
		if int64(len(entries)) != size {
			t.Fatalf("bundles hold %d entries, want %d", len(entries), size)
		}
		// Leaves are in queue order, since each batch takes the oldest IDs.
		for i, e := range entries {
			got, err := db.Read().GetLedgerEntry(ctx, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			if got.LeafIndex != int64(i) || !bytes.Equal(got.Entry, e) {
				t.Fatalf("leaf %d: entry %s has leaf %d", i, ids[i], got.LeafIndex)
			}
		}

		// tlog's own tree of the same leaves: same tiles, same roots.
		mem := buildTLog(t, entries)
		for _, s := range seen {
			th, err := tlog.TreeHash(s.size, mem)
			if err != nil {
				t.Fatal(err)
			}
			if th != s.root {
				t.Fatalf("size %d: tlog root %v, checkpoint %v", s.size, th, s.root)
			}
		}
		for _, tile := range tlog.NewTiles(ledger.TileHeight, 0, size) {
			want, err := tlog.ReadTileData(tile, mem)
			if err != nil {
				t.Fatal(err)
			}
			p := "/log/tile/" + strings.TrimPrefix(tile.Path(), "tile/8/")
			code, hdr, got := get(t, h, p)
			if code != 200 || !bytes.Equal(got, want) {
				t.Fatalf("%s: %d, tile differs from tlog's", p, code)
			}
			// A tile's URL names its width, so its bytes never change,
			// full or partial: a proxy may keep it for good.
			if cc := hdr.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Fatalf("%s: Cache-Control %q", p, cc)
			}
		}
		// A tlog client reading our tiles authenticates them against the
		// checkpoint and derives the same proofs we serve.
		thr := tlog.TileHashReader(tlog.Tree{N: size, Hash: final.root}, httpTiles{t, h})
		if th, err := tlog.TreeHash(size, thr); err != nil || th != final.root {
			t.Fatalf("tlog over our tiles: %v %v", th, err)
		}
		for _, s := range seen {
			for _, i := range []int64{0, s.size / 3, s.size / 2, s.size - 1} {
				ours := proofJSON(t, h, fmt.Sprintf("/api/v1/log/inclusion?index=%d&size=%d", i, s.size))
				if err := tlog.CheckRecord(ours, s.size, s.root, i, tlog.RecordHash(entries[i])); err != nil {
					t.Fatalf("tlog rejects our inclusion proof %d in %d: %v", i, s.size, err)
				}
				if s.size == size {
					theirs, err := tlog.ProveRecord(size, i, thr)
					if err != nil || !equalHashes(ours, theirs) {
						t.Fatalf("inclusion %d: tlog's proof differs (%v)", i, err)
					}
				}
			}
			for _, to := range seen {
				if to.size < s.size {
					continue
				}
				ours := proofJSON(t, h, fmt.Sprintf("/api/v1/log/consistency?from=%d&to=%d", s.size, to.size))
				if err := tlog.CheckTree(ours, to.size, to.root, s.size, s.root); err != nil {
					t.Fatalf("tlog rejects our consistency proof %d→%d: %v", s.size, to.size, err)
				}
			}
			theirs, err := tlog.ProveTree(size, s.size, thr)
			ours := proofJSON(t, h, fmt.Sprintf("/api/v1/log/consistency?from=%d", s.size))
			if err != nil || !equalHashes(ours, theirs) {
				t.Fatalf("consistency %d→%d: tlog's proof differs (%v)", s.size, size, err)
			}
		}

		// Receipts verify offline and with tlog.
		for _, i := range []int{0, 255, 256, len(ids) - 1} {
			r, err := l.Receipt(ctx, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			cp, err := r.Verify(key.VerifierKey())
			if err != nil {
				t.Fatalf("receipt %d: %v", i, err)
			}
			var root tlog.Hash
			copy(root[:], cp.Root)
			if err := tlog.CheckRecord(toTLog(r.InclusionProof), cp.Size, root, r.LeafIndex, tlog.RecordHash(r.Entry.Marshal())); err != nil {
				t.Fatalf("tlog rejects receipt %d: %v", i, err)
			}
		}
	})
}

// TestTree70000 is the example of C2SP tlog-tiles: a tree of size 70,000
// has 273 full level-0 tiles, a level-0 tile of width 112, one full level-1
// tile, a level-1 tile of width 17 and a level-2 tile of width 1.
func TestTree70000(t *testing.T) {
	if testing.Short() {
		t.Skip("integrates 70,000 leaves")
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, key := newLog(t, db)
		queue(t, db, 69_999)
		if _, err := l.Sequence(ctx); err != nil {
			t.Fatal(err)
		}
		queue(t, db, 1)
		if _, err := l.Sequence(ctx); err != nil {
			t.Fatal(err)
		}
		h := routes(l)
		want := map[string]int{
			"/log/tile/0/272": 200, "/log/tile/0/273": 404, "/log/tile/0/273.p/112": 200, "/log/tile/0/273.p/113": 404,
			"/log/tile/1/000": 200, "/log/tile/1/001.p/17": 200, "/log/tile/1/001": 404,
			"/log/tile/2/000.p/1": 200, "/log/tile/2/000.p/2": 404, "/log/tile/3/000.p/1": 404,
			"/log/tile/entries/273.p/112": 200, "/log/tile/entries/274.p/1": 404,
		}
		for p, code := range want {
			if got, _, _ := get(t, h, p); got != code {
				t.Errorf("GET %s: %d, want %d", p, got, code)
			}
		}
		_, cp, err := l.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var root tlog.Hash
		copy(root[:], cp.Root)
		thr := tlog.TileHashReader(tlog.Tree{N: 70_000, Hash: root}, httpTiles{t, h})
		for _, i := range []int64{0, 65535, 65536, 69_999} {
			theirs, err := tlog.ProveRecord(70_000, i, thr)
			if err != nil {
				t.Fatal(err)
			}
			ours := proofJSON(t, h, fmt.Sprintf("/api/v1/log/inclusion?index=%d", i))
			if !equalHashes(ours, theirs) {
				t.Fatalf("inclusion %d differs from tlog's", i)
			}
		}
		// A restart rebuilds the right edge from the tiles and goes on.
		l2, err := ledger.New(db, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		queue(t, db, 300)
		if _, err := l2.Sequence(ctx); err != nil {
			t.Fatal(err)
		}
		_, cp2, _ := l2.Checkpoint(ctx)
		proof, err := l2.ConsistencyProof(ctx, 70_000, cp2.Size)
		if err != nil {
			t.Fatal(err)
		}
		var root2 tlog.Hash
		copy(root2[:], cp2.Root)
		if err := tlog.CheckTree(toTLog(proof), cp2.Size, root2, 70_000, root); err != nil {
			t.Fatal(err)
		}
	})
}

func toTLog(p [][]byte) []tlog.Hash {
	out := make([]tlog.Hash, len(p))
	for i := range p {
		copy(out[i][:], p[i])
	}
	return out
}

func equalHashes[A, B ~[]tlog.Hash](a A, b B) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRunReceipts runs the sequencer as a server does and takes receipts
// for entries queued concurrently, woken by Notify.
func TestRunReceipts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		l, key := newLog(t, db)
		done := make(chan error, 1)
		go func() { done <- l.Run(ctx) }()
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					id := queue(t, db, 1)[0]
					l.Notify()
					rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
					r, err := l.Receipt(rctx, id)
					rcancel()
					if err != nil {
						errs <- err
						return
					}
					if _, err := r.Verify(key.VerifierKey()); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// An unknown entry is not found, at once.
		if _, err := l.Receipt(ctx, "no-such-entry"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown entry: %v", err)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestReceiptForRecord finds a receipt by record and tells a statement
// version from the recantation link of the same statement.
func TestReceiptForRecord(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, key := newLog(t, db)
		st, recanted := store.NewID(), store.NewID()
		salt := []byte("0123456789abcdef")
		now := time.Now()
		se := ledger.StatementEntry(st, 1, salt, []byte("I was not forced."), now)
		re := ledger.RecantationEntry(st, recanted, salt, now)
		err := db.Tx(ctx, func(q store.Q) error {
			for _, e := range []ledger.Entry{se, re} {
				if err := q.PutLedgerEntry(ctx, &store.LedgerEntry{ID: store.NewID(), Kind: e.Kind, RecordID: st, Version: 1, Entry: e.Marshal(), ReceivedAt: now.UnixMicro()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Pending: bounded wait, then the context's error.
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		_, err = l.ReceiptForRecord(short, ledger.KindStatement, st, 1)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("pending: %v", err)
		}
		if _, err := l.Sequence(ctx); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			kind    string
			content []byte
		}{{ledger.KindStatement, []byte("I was not forced.")}, {ledger.KindRecantation, ledger.RecantationContent(recanted)}} {
			r, err := l.ReceiptForRecord(ctx, c.kind, st, 1)
			if err != nil {
				t.Fatal(err)
			}
			if r.Entry.Kind != c.kind {
				t.Fatalf("got %s, want %s", r.Entry.Kind, c.kind)
			}
			if _, err := r.Verify(key.VerifierKey()); err != nil {
				t.Fatal(err)
			}
			if err := r.CheckContent(salt, c.content); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := l.ReceiptForRecord(ctx, ledger.KindStatement, st, 2); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing version: %v", err)
		}
	})
}

// TestReceiptVerify covers what an offline check must reject.
func TestReceiptVerify(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	l, key := newLog(t, db)
	ids := queue(t, db, 10)
	if _, err := l.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	good, err := l.Receipt(ctx, ids[3])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(good)
	other, err := ledger.LoadOrCreateKey(t.TempDir()+"/k", testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(r *ledger.Receipt)
		vkey   string
		want   error
	}{
		{"good", func(*ledger.Receipt) {}, key.VerifierKey(), nil},
		{"tampered commitment", func(r *ledger.Receipt) { r.Entry.Commitment = strings.Repeat("0", 64) }, key.VerifierKey(), ledger.ErrBadProof},
		{"tampered record", func(r *ledger.Receipt) { r.Entry.RecordID = store.NewID() }, key.VerifierKey(), ledger.ErrBadProof},
		{"other leaf index", func(r *ledger.Receipt) { r.LeafIndex = 4 }, key.VerifierKey(), ledger.ErrBadProof},
		{"tampered proof", func(r *ledger.Receipt) { r.InclusionProof[0][0] ^= 1 }, key.VerifierKey(), ledger.ErrBadProof},
		{"wrong key", func(*ledger.Receipt) {}, other.VerifierKey(), ledger.ErrBadSignature},
		{"tampered checkpoint", func(r *ledger.Receipt) { r.Checkpoint = strings.Replace(r.Checkpoint, "\n10\n", "\n11\n", 1) }, key.VerifierKey(), ledger.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ledger.ParseReceipt(b)
			if err != nil {
				t.Fatal(err)
			}
			tt.mutate(r)
			_, err = r.Verify(tt.vkey)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify: got %v, want %v", err, tt.want)
			}
		})
	}
	r, _ := ledger.ParseReceipt(b)
	if err := r.CheckContent([]byte("salt"), []byte("statement 3")); !errors.Is(err, ledger.ErrContentMismatch) {
		t.Fatalf("wrong content: %v", err)
	}
	// The intake answer's envelope is accepted; unknown fields are not.
	if _, err := ledger.ParseReceipt([]byte(`{"id":"x","receipt":` + string(b) + `}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.ParseReceipt(bytes.Replace(b, []byte(`"origin"`), []byte(`"extra":1,"origin"`), 1)); err == nil {
		t.Fatal("unknown field accepted")
	}
}

// TestProofRoutes covers the JSON proof routes' answers to bad input.
func TestProofRoutes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	l, _ := newLog(t, db)
	queue(t, db, 20)
	if _, err := l.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	inc, con := l.InclusionHandler(), l.ConsistencyHandler()
	tests := []struct {
		h     string
		query string
		code  int
		field string
	}{
		{"inc", "index=3", 200, ""},
		{"inc", "index=3&size=4", 200, ""},
		{"inc", "", 400, "index"},
		{"inc", "index=-1", 400, "index"},
		{"inc", "index=01", 400, "index"},
		{"inc", "index=x", 400, "index"},
		{"inc", "index=99999999999999999999", 400, "index"},
		{"inc", "index=3&size=3", 404, "index"},
		{"inc", "index=20", 404, "index"},
		{"inc", "index=3&size=21", 404, "size"},
		{"inc", "index=3&size=", 200, ""},
		{"con", "from=0", 200, ""},
		{"con", "from=5&to=20", 200, ""},
		{"con", "from=20", 200, ""},
		{"con", "from=6&to=5", 400, "from"},
		{"con", "from=5&to=21", 404, "to"},
		{"con", "to=5", 400, "from"},
		{"con", "from=+5", 400, "from"},
	}
	for _, tt := range tests {
		h := inc
		if tt.h == "con" {
			h = con
		}
		code, hdr, body := get(t, h, "/x?"+tt.query)
		if code != tt.code || hdr.Get("Content-Type") != "application/json" {
			t.Errorf("%s?%s: %d %q, want %d", tt.h, tt.query, code, hdr.Get("Content-Type"), tt.code)
			continue
		}
		if code != 200 {
			var e struct {
				Error struct{ Code, Message, Field string }
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Error.Field != tt.field || e.Error.Code == "" || e.Error.Message == "" {
				t.Errorf("%s?%s: error body %s, want field %q", tt.h, tt.query, body, tt.field)
			}
		}
	}
}

// TestPublicRoutes covers the plain routes and their caching.
func TestPublicRoutes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	l, key := newLog(t, db)
	h := l.Handler()
	// Before the first sequencer run there is no checkpoint yet.
	if code, _, _ := get(t, h, "/log/checkpoint"); code != 404 {
		t.Fatalf("checkpoint before first run: %d", code)
	}
	queue(t, db, 3)
	if _, err := l.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	code, hdr, body := get(t, h, "/log/vkey")
	if code != 200 || strings.TrimSpace(string(body)) != key.VerifierKey() || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("vkey: %d %s", code, body)
	}
	for path, want := range map[string]int{
		"/log/tile/0/000.p/3":       200,
		"/log/tile/0/000.p/2":       200, // a prefix: an older checkpoint's tile
		"/log/tile/0/000.p/4":       404,
		"/log/tile/0/000":           404,
		"/log/tile/0/000.p/0":       404,
		"/log/tile/00/000.p/3":      404,
		"/log/tile/0/0.p/3":         404,
		"/log/tile/0/x000/000.p/3":  404,
		"/log/tile/entries/000.p/3": 200,
		"/log/tile/entries/000":     404,
		"/log/tile/1/000.p/1":       404,
		"/log/tile/64/000.p/1":      404,
	} {
		if code, _, _ := get(t, h, path); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
	req := httptest.NewRequest("GET", "/log/tile/entries/000.p/3", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if ce := rec.Header().Get("Content-Encoding"); ce != "gzip" {
		t.Errorf("entry bundle Content-Encoding %q, want gzip", ce)
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if _, _, want := get(t, h, "/log/tile/entries/000.p/3"); !bytes.Equal(plain, want) {
		t.Error("gzip bundle differs from the plain one")
	}
}

// TestTwoSequencers runs two processes' worth of Log on one database: with
// PostgreSQL only the lock holder sequences and the other takes over when
// it stops; with SQLite both may try, and the state guard keeps one tree.
// Either way every entry gets exactly one leaf and every checkpoint is a
// prefix of the final tree.
func TestTwoSequencers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, key := newLog(t, db)
		b, err := ledger.New(db, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range []*ledger.Log{a, b} {
			l.LockRetry = 20 * time.Millisecond
			l.PollInterval = 10 * time.Millisecond
		}
		actx, stopA := context.WithCancel(ctx)
		bctx, stopB := context.WithCancel(ctx)
		doneA, doneB := make(chan error), make(chan error)
		go func() { doneA <- a.Run(actx) }()
		go func() { doneB <- b.Run(bctx) }()
		var seen []checkpointSeen
		take := func(ids []string) {
			for _, id := range ids {
				rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				r, err := b.Receipt(rctx, id) // b may not be the sequencer
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				cp, err := r.Verify(key.VerifierKey())
				if err != nil {
					t.Fatal(err)
				}
				var root tlog.Hash
				copy(root[:], cp.Root)
				seen = append(seen, checkpointSeen{size: cp.Size, root: root})
			}
		}
		for i := 0; i < 20; i++ {
			ids := queue(t, db, 1+i%7)
			a.Notify()
			b.Notify()
			take(ids)
		}
		stopA()
		if err := <-doneA; err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 10; i++ {
			ids := queue(t, db, 3)
			b.Notify()
			take(ids)
		}
		stopB()
		if err := <-doneB; err != nil {
			t.Fatal(err)
		}
		_, final, err := b.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		leaves, err := db.Read().LedgerLeaves(ctx, 0, final.Size)
		if err != nil {
			t.Fatal(err)
		}
		entries := make([][]byte, len(leaves))
		for i := range leaves {
			entries[i] = leaves[i].Entry
		}
		mem := buildTLog(t, entries)
		for _, s := range seen {
			if th, err := tlog.TreeHash(s.size, mem); err != nil || th != s.root {
				t.Fatalf("checkpoint %d is not a prefix of the final tree", s.size)
			}
		}
		if pending, _ := db.Read().CountPendingLedgerEntries(ctx); pending != 0 {
			t.Fatalf("%d pending", pending)
		}
	})
}
