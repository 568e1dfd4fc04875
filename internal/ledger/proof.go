package ledger

import (
	"context"
	"fmt"
	"sync"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"

	"github.com/vigil-project/vigil/internal/store"
)

// tileEntry is a tile's hashes as read. A full tile never changes, so the
// inner levels of its subtree are computed once, on first use, and kept with
// it: a proof through a cached full tile then costs no hashing.
type tileEntry struct {
	data []byte
	once sync.Once
	// inner[k] holds the 256>>k node hashes at level k of the tile's
	// subtree (k = 1 … 7); set by once, full tiles only.
	inner [TileHeight][]byte
}

func (t *tileEntry) full() bool { return len(t.data) == TileWidth*HashSize }

// expand computes the inner levels of a full tile.
func (t *tileEntry) expand() {
	t.once.Do(func() {
		below := t.data
		for k := 1; k < TileHeight; k++ {
			n := TileWidth >> k
			level := make([]byte, 0, n*HashSize)
			for i := 0; i < n; i++ {
				level = append(level, hashChildren(below[2*i*HashSize:(2*i+1)*HashSize], below[(2*i+1)*HashSize:(2*i+2)*HashSize])...)
			}
			t.inner[k] = level
			below = level
		}
	})
}

// tileCache keeps recently used tiles. A stored tile only ever grows and a
// prefix never changes, so a cached tile is never wrong, only possibly
// shorter than a request needs. It holds two generations of at most max/2
// tiles each; a hit in the old generation moves the tile to the new one.
type tileCache struct {
	max int
	// mu guards cur and old.
	mu       sync.Mutex
	cur, old map[store.LedgerTileID]*tileEntry
}

func newTileCache(max int) *tileCache {
	return &tileCache{max: max, cur: map[store.LedgerTileID]*tileEntry{}}
}

// get returns the cached tile id if it has at least width hashes.
func (c *tileCache) get(id store.LedgerTileID, width int) *tileEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.cur[id]; ok && len(t.data) >= width*HashSize {
		return t
	}
	if t, ok := c.old[id]; ok && len(t.data) >= width*HashSize {
		c.putLocked(id, t)
		return t
	}
	return nil
}

// put caches tile id unless a copy at least as wide is cached, and returns
// the cached entry. data must not be modified afterwards.
func (c *tileCache) put(id store.LedgerTileID, data []byte) *tileEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.cur[id]; ok && len(t.data) >= len(data) {
		return t
	}
	t := &tileEntry{data: data}
	c.putLocked(id, t)
	return t
}

func (c *tileCache) putLocked(id store.LedgerTileID, t *tileEntry) {
	if len(c.cur) >= c.max/2 {
		c.old, c.cur = c.cur, make(map[store.LedgerTileID]*tileEntry, c.max/2)
	}
	c.cur[id] = t
}

// readTiles returns the tiles in need, each with at least the given width,
// from the cache or the database.
func (l *Log) readTiles(ctx context.Context, need map[store.LedgerTileID]int) (map[store.LedgerTileID]*tileEntry, error) {
	out := make(map[store.LedgerTileID]*tileEntry, len(need))
	var missing []store.LedgerTileID
	for id, w := range need {
		if t := l.tiles.get(id, w); t != nil {
			out[id] = t
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	got, err := l.db.Read().GetLedgerTiles(ctx, missing)
	if err != nil {
		return nil, err
	}
	for _, id := range missing {
		b := got[id]
		if len(b) < need[id]*HashSize || len(b)%HashSize != 0 || len(b) > TileWidth*HashSize {
			return nil, fmt.Errorf("ledger: tile %d/%d has %d bytes, want %d hashes: %w", id.Level, id.Index, len(b), need[id], errTileMissing)
		}
		out[id] = l.tiles.put(id, b)
	}
	return out, nil
}

// hashNodes computes the hashes of nodes from the stored tiles.
func (l *Log) hashNodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	need := make(map[store.LedgerTileID]int, 4)
	for _, id := range ids {
		tid, w := tileOf(id)
		need[tid] = max(need[tid], w)
	}
	tiles, err := l.readTiles(ctx, need)
	if err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(ids))
	for i, id := range ids {
		if hashes[i], err = nodeHash(tiles, id); err != nil {
			return nil, err
		}
	}
	return hashes, nil
}

// InclusionProof returns the RFC 6962 / RFC 9162 inclusion proof of leaf
// index in the tree of the given size. size must not exceed the integrated
// tree.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) ([][]byte, error) {
	if index < 0 || size <= index {
		return nil, fmt.Errorf("ledger: inclusion proof: leaf %d is not in a tree of size %d", index, size)
	}
	nodes, err := proof.Inclusion(uint64(index), uint64(size))
	if err != nil {
		return nil, fmt.Errorf("ledger: inclusion proof: %w", err)
	}
	hashes, err := l.hashNodes(ctx, nodes.IDs)
	if err != nil {
		return nil, fmt.Errorf("ledger: inclusion proof %d in %d: %w", index, size, err)
	}
	p, err := nodes.Rehash(hashes, hashChildren)
	if err != nil {
		return nil, fmt.Errorf("ledger: inclusion proof: %w", err)
	}
	return p, nil
}

// ConsistencyProof returns the RFC 6962 / RFC 9162 consistency proof from
// the tree of size from to the tree of size to.
func (l *Log) ConsistencyProof(ctx context.Context, from, to int64) ([][]byte, error) {
	if from < 0 || to < from {
		return nil, fmt.Errorf("ledger: consistency proof: sizes %d and %d are not in order", from, to)
	}
	nodes, err := proof.Consistency(uint64(from), uint64(to))
	if err != nil {
		return nil, fmt.Errorf("ledger: consistency proof: %w", err)
	}
	hashes, err := l.hashNodes(ctx, nodes.IDs)
	if err != nil {
		return nil, fmt.Errorf("ledger: consistency proof %d to %d: %w", from, to, err)
	}
	p, err := nodes.Rehash(hashes, hashChildren)
	if err != nil {
		return nil, fmt.Errorf("ledger: consistency proof: %w", err)
	}
	if p == nil {
		p = [][]byte{}
	}
	return p, nil
}

// RootAt returns the root hash of the tree of the given size (at most the
// integrated size), computed from the stored tiles.
func (l *Log) RootAt(ctx context.Context, size int64) ([]byte, error) {
	if size < 0 {
		return nil, fmt.Errorf("ledger: root at %d: negative size", size)
	}
	ids := compact.RangeNodes(0, uint64(size), nil)
	hashes, err := l.hashNodes(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("ledger: root at %d: %w", size, err)
	}
	rng, err := rangeFactory.NewRange(0, uint64(size), hashes)
	if err != nil {
		return nil, fmt.Errorf("ledger: root at %d: %w", size, err)
	}
	return rootOf(rng)
}
