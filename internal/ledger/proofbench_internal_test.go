package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// BenchmarkInclusionProof measures serving inclusion proofs from a large
// tree: it writes the tiles of a tree of VIGIL_LEDGER_BENCH_LEAVES leaves
// (default 10,000,000) straight into the database — integrating that many
// entries through the sequencer would take minutes — then asks the
// inclusion route for proofs of random leaves against the full tree and
// reports latency percentiles, through the handler and over loopback HTTP.
// The entries themselves are not written: a proof reads only tiles.
//
//	go test -run '^$' -bench BenchmarkInclusionProof -benchtime 20000x ./internal/ledger
func BenchmarkInclusionProof(b *testing.B) {
	size := int64(10_000_000)
	if s := os.Getenv("VIGIL_LEDGER_BENCH_LEAVES"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		size = n
	}
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(fmt.Sprintf("%s/%d", e, size), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, e)
			key, err := LoadOrCreateKey(filepath.Join(b.TempDir(), "log.key"), "vigil.bench/log")
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			root := writeSyntheticTree(b, db, key, size)
			b.Logf("wrote the tiles of %d leaves in %v", size, time.Since(start).Round(time.Millisecond))
			l, err := New(db, key, nil)
			if err != nil {
				b.Fatal(err)
			}
			h := l.InclusionHandler()
			srv := httptest.NewServer(h)
			defer srv.Close()
			client := srv.Client()
			rnd := rand.New(rand.NewPCG(7, 7))
			// Spot-check a proof before timing anything.
			p, err := l.InclusionProof(ctx, size/3, size)
			if err != nil {
				b.Fatal(err)
			}
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(size/3), uint64(size), syntheticLeaf(size/3), p, root); err != nil {
				b.Fatal(err)
			}

			var direct, overHTTP []time.Duration
			b.ResetTimer()
			for b.Loop() {
				i := rnd.Int64N(size)
				req := httptest.NewRequest("GET", "/api/v1/log/inclusion?index="+strconv.FormatInt(i, 10), nil)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				direct = append(direct, time.Since(t0))
				if rec.Code != 200 {
					b.Fatalf("index %d: %d %s", i, rec.Code, rec.Body)
				}
				i = rnd.Int64N(size)
				t0 = time.Now()
				resp, err := client.Get(srv.URL + "/?index=" + strconv.FormatInt(i, 10))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				overHTTP = append(overHTTP, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("index %d: %d", i, resp.StatusCode)
				}
			}
			b.StopTimer()
			report := func(name string, d []time.Duration) {
				slices.Sort(d)
				pct := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))].Microseconds()) }
				b.ReportMetric(pct(0.50), name+"-p50-µs")
				b.ReportMetric(pct(0.99), name+"-p99-µs")
				b.ReportMetric(float64(d[len(d)-1].Microseconds()), name+"-max-µs")
			}
			report("handler", direct)
			report("http", overHTTP)
			b.ReportMetric(0, "ns/op")
		})
	}
}

// syntheticLeaf is the leaf hash of the i'th synthetic entry.
func syntheticLeaf(i int64) []byte {
	var buf [9]byte
	buf[0] = rfc6962.RFC6962LeafHashPrefix
	binary.BigEndian.PutUint64(buf[1:], uint64(i))
	h := sha256.Sum256(buf[:])
	return h[:]
}

// writeSyntheticTree writes the tiles, state and checkpoint of a tree of
// size synthetic leaves in bulk and returns its root.
func writeSyntheticTree(b *testing.B, db *store.DB, key *Key, size int64) []byte {
	ctx := context.Background()
	s := &sequencer{rng: rangeFactory.NewEmptyRange(0)}
	var batch []store.LedgerTile
	flush := func() {
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutLedgerTiles(ctx, batch) }); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := int64(0); i < size; i++ {
		if err := s.rng.Append(syntheticLeaf(i), s.visit); err != nil {
			b.Fatal(err)
		}
		if s.err != nil {
			b.Fatal(s.err)
		}
		if len(s.full) >= 256 {
			batch = append(batch, s.full...)
			s.full = nil
			flush()
		}
	}
	batch = append(batch, s.flush()...)
	flush()
	root, err := rootOf(s.rng)
	if err != nil {
		b.Fatal(err)
	}
	empty := rfc6962.DefaultHasher.EmptyRoot()
	note0, _ := signCheckpoint(Checkpoint{Origin: key.Origin(), Size: 0, Root: empty}, key)
	note, err := signCheckpoint(Checkpoint{Origin: key.Origin(), Size: size, Root: root}, key)
	if err != nil {
		b.Fatal(err)
	}
	err = db.Tx(ctx, func(q store.Q) error {
		if _, err := q.InitLedgerState(ctx, &store.LedgerState{Root: empty, Checkpoint: note0}); err != nil {
			return err
		}
		return q.SetLedgerState(ctx, 0, &store.LedgerState{Size: size, Root: root, Checkpoint: note, UpdatedAt: store.Now()})
	})
	if err != nil {
		b.Fatal(err)
	}
	return root
}
