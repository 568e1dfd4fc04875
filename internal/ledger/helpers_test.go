package ledger_test

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/store"
)

const testOrigin = "vigil.test/log"

// newLog returns a ledger on db with a fresh key in a temporary directory.
func newLog(t testing.TB, db *store.DB) (*ledger.Log, *ledger.Key) {
	t.Helper()
	key, err := ledger.LoadOrCreateKey(filepath.Join(t.TempDir(), "log.key"), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.New(db, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l, key
}

// queue adds n pending entries for random statement records and returns
// their IDs in queue order.
func queue(t testing.TB, db *store.DB, n int) []string {
	t.Helper()
	ctx := context.Background()
	es := make([]*store.LedgerEntry, n)
	ids := make([]string, n)
	now := time.Now()
	for i := range es {
		salt := make([]byte, 16)
		rand.Read(salt)
		rec := store.NewID()
		e := ledger.StatementEntry(rec, 1, salt, []byte(fmt.Sprintf("statement %d", i)), now)
		es[i] = &store.LedgerEntry{ID: store.NewID(), Kind: e.Kind, RecordID: rec, Version: 1, Entry: e.Marshal(), ReceivedAt: now.UnixMicro()}
		ids[i] = es[i].ID
	}
	if err := db.Tx(ctx, func(q store.Q) error { return q.PutLedgerEntries(ctx, es) }); err != nil {
		t.Fatal(err)
	}
	return ids
}

// routes mounts the log's handlers as the server does.
func routes(l *ledger.Log) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/log/", l.Handler())
	mux.Handle("GET /api/v1/log/inclusion", l.InclusionHandler())
	mux.Handle("GET /api/v1/log/consistency", l.ConsistencyHandler())
	return mux
}

// get fetches path from h and returns status and body.
func get(t testing.TB, h http.Handler, path string) (int, http.Header, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Result().Header, body
}

// proofJSON fetches a JSON proof route and decodes its proof as tlog hashes.
func proofJSON(t testing.TB, h http.Handler, path string) []tlog.Hash {
	t.Helper()
	code, _, body := get(t, h, path)
	if code != 200 {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	var resp ledger.ProofResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	out := make([]tlog.Hash, len(resp.Proof))
	for i, p := range resp.Proof {
		copy(out[i][:], p)
	}
	return out
}

// httpTiles is a tlog.TileReader that fetches our tiles through the
// handler, translating sumdb tile paths (tile/8/L/N) to C2SP ones (tile/L/N).
type httpTiles struct {
	t testing.TB
	h http.Handler
}

func (httpTiles) Height() int { return ledger.TileHeight }

func (r httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		p := "/log/tile/" + strings.TrimPrefix(tile.Path(), "tile/8/")
		code, _, body := get(r.t, r.h, p)
		if code != 200 {
			return nil, fmt.Errorf("GET %s: %d %s", p, code, body)
		}
		out[i] = body
	}
	return out, nil
}

func (httpTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// memHashes is an independent tree built with x/mod/sumdb/tlog from leaf
// data: its stored hashes, in tlog's storage order.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("hash %d not stored", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

// buildTLog builds the tlog tree of entries.
func buildTLog(t testing.TB, entries [][]byte) memHashes {
	t.Helper()
	var m memHashes
	for n, e := range entries {
		hs, err := tlog.StoredHashes(int64(n), e, m)
		if err != nil {
			t.Fatal(err)
		}
		m = append(m, hs...)
	}
	return m
}

// parseBundle splits an entry bundle.
func parseBundle(t testing.TB, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			t.Fatalf("bundle: truncated length")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			t.Fatalf("bundle: truncated entry")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out
}
