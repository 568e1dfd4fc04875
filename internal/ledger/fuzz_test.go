package ledger_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// FuzzParseTilePath checks that accepted tile paths are canonical (they
// round-trip) and mean what x/mod/sumdb/tlog reads them as.
func FuzzParseTilePath(f *testing.F) {
	for _, s := range []string{"tile/0/000", "tile/0/x001/x234/067.p/8", "tile/entries/001.p/255", "tile/63/x999/999",
		"tile/0/000.p/0", "tile/00/000", "tile/0/x000/001", "tile/1/01", "tile/entries/000.p/256", "tile/0/x9223372/036/854/775/807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		tile, err := ledger.ParseTilePath(p)
		if err != nil {
			return
		}
		if tile.Path() != p {
			t.Fatalf("%q parses to %+v, which prints as %q", p, tile, tile.Path())
		}
		if tile.Width < 1 || tile.Width > ledger.TileWidth || tile.Index < 0 || tile.Level < ledger.EntriesLevel || tile.Level > 63 {
			t.Fatalf("%q: out of range %+v", p, tile)
		}
		sumdb := "tile/8/" + strings.TrimPrefix(p, "tile/")
		if tile.Level == ledger.EntriesLevel {
			sumdb = "tile/8/data/" + strings.TrimPrefix(p, "tile/entries/")
		}
		tt, err := tlog.ParseTilePath(sumdb)
		if err != nil {
			t.Fatalf("tlog rejects %q: %v", sumdb, err)
		}
		if tt.L != tile.Level || tt.N != tile.Index || tt.W != tile.Width {
			t.Fatalf("%q: tlog reads %+v, we read %+v", p, tt, tile)
		}
	})
}

// FuzzParseReceipt feeds arbitrary documents to the receipt parser and
// verifier: they must fail cleanly, and an accepted receipt must survive a
// round trip.
func FuzzParseReceipt(f *testing.F) {
	// GenerateKey with a nil reader uses crypto/rand.
	_, vkey, err := note.GenerateKey(nil, testOrigin)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"origin":"vigil.test/log","leaf_index":0,"entry":{"v":1,"kind":"statement","record":"r","version":1,"commitment":"00","received":"2026-01-01T00:00:00Z"},"checkpoint":"vigil.test/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— vigil.test/log AAAA\n","inclusion_proof":[],"vkey":"x"}`))
	f.Add([]byte(`{"receipt":{"origin":"o","leaf_index":-1}}`))
	f.Add([]byte(`{"origin":"o","leaf_index":1,"checkpoint":"c","inclusion_proof":["AAAA"]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ledger.ParseReceipt(b)
		if err != nil {
			return
		}
		r.Verify(vkey)
		r.Verify(r.VerifierKey)
		r.CheckContent([]byte("salt"), []byte("content"))
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ledger.ParseReceipt(again); err != nil {
			t.Fatalf("re-encoded receipt rejected: %v\n%s", err, again)
		}
	})
}

// FuzzOpenCheckpoint feeds arbitrary notes to the checkpoint parser.
func FuzzOpenCheckpoint(f *testing.F) {
	skey, _, err := note.GenerateKey(nil, testOrigin)
	if err != nil {
		f.Fatal(err)
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		f.Fatal(err)
	}
	for _, text := range []string{"vigil.test/log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "vigil.test/log\n05\nAAAA\n", "x\n1\n\n", "vigil.test/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\next\n"} {
		signed, err := note.Sign(&note.Note{Text: text}, key.Signer())
		if err != nil {
			continue
		}
		f.Add(signed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cp, err := ledger.OpenCheckpoint(b, key.Verifier())
		if err != nil {
			return
		}
		if cp.Origin != testOrigin || cp.Size < 0 || len(cp.Root) != ledger.HashSize {
			t.Fatalf("accepted %+v", cp)
		}
	})
}

// FuzzParseEntry checks that accepted entries are canonical.
func FuzzParseEntry(f *testing.F) {
	f.Add([]byte(`{"v":1,"kind":"statement","record":"r","version":1,"commitment":"00","received":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"v":1,"kind":"statement","record":"r","version":1,"commitment":"00","received":"x","extra":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ledger.ParseEntry(b)
		if err != nil {
			return
		}
		if string(e.Marshal()) != string(b) {
			t.Fatalf("non-canonical entry accepted: %s", b)
		}
	})
}

// FuzzProofQuery sends arbitrary query strings to the proof routes: the
// answer is 200 with a proof that verifies, 400 or 404, never 500.
func FuzzProofQuery(f *testing.F) {
	db := storetest.Open(f, store.SQLite)
	ctx := context.Background()
	l, _ := newLog(f, db)
	queue(f, db, 300)
	if _, err := l.Sequence(ctx); err != nil {
		f.Fatal(err)
	}
	_, cp, err := l.Checkpoint(ctx)
	if err != nil {
		f.Fatal(err)
	}
	var root tlog.Hash
	copy(root[:], cp.Root)
	h := routes(l)
	for _, q := range []string{"index=0", "index=299&size=300", "index=5&size=2", "index=-1", "index=%00", "size=1", "from=0&to=300", "from=3", "from=9&to=2", "from=1e3", "index=1&index=2"} {
		f.Add(true, q)
		f.Add(false, q)
	}
	f.Fuzz(func(t *testing.T, inclusion bool, query string) {
		path := "/api/v1/log/consistency?"
		if inclusion {
			path = "/api/v1/log/inclusion?"
		}
		if _, err := url.ParseQuery(query); err != nil {
			return // not a request a client can send
		}
		req := httptest.NewRequest("GET", path, nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		code, body := rec.Code, rec.Body.Bytes()
		switch code {
		case 400, 404:
			return
		case 200:
		default:
			t.Fatalf("%s%s: %d %s", path, query, code, body)
		}
		var resp ledger.ProofResponse
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatal(err)
		}
		if inclusion {
			// Only the latest tree's root is at hand; smaller sizes were
			// checked by TestIndependentCheck.
			if *resp.Size == cp.Size {
				leaves, err := db.Read().LedgerLeaves(ctx, *resp.Index, *resp.Index+1)
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckRecord(toTLog(resp.Proof), cp.Size, root, *resp.Index, tlog.RecordHash(leaves[0].Entry)); err != nil {
					t.Fatalf("%s: proof does not verify: %v", query, err)
				}
			}
			return
		}
		if *resp.From == 0 {
			if len(resp.Proof) != 0 {
				t.Fatalf("%s: non-empty proof from the empty tree", query)
			}
			return
		}
		if *resp.To == cp.Size {
			from, err := l.RootAt(ctx, *resp.From)
			if err != nil {
				t.Fatal(err)
			}
			var fromRoot tlog.Hash
			copy(fromRoot[:], from)
			if err := tlog.CheckTree(toTLog(resp.Proof), cp.Size, root, *resp.From, fromRoot); err != nil {
				t.Fatalf("%s: proof does not verify: %v", query, err)
			}
		}
	})
}
