package ledger

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/vigil-project/vigil/internal/store"
)

// Tile geometry, fixed by C2SP tlog-tiles.
const (
	// TileHeight is the number of Merkle levels one tile spans.
	TileHeight = 8
	// TileWidth is the number of hashes in a full tile.
	TileWidth = 1 << TileHeight
	// HashSize is the size of a tree hash.
	HashSize = sha256.Size
)

// EntriesLevel is the Level of a Tile that names an entry bundle.
const EntriesLevel = -1

// maxTileIndex bounds tile indexes so that every leaf index stays an int64.
const maxTileIndex = 1<<(63-TileHeight) - 1

// Tile names one C2SP tlog-tiles resource: a hash tile (Level ≥ 0) or an
// entry bundle (Level == EntriesLevel), its index and its width (TileWidth
// for a full tile, 1–255 for a partial one).
type Tile struct {
	Level int
	Index int64
	Width int
}

// Path returns t's path below the log prefix, e.g. "tile/0/x001/x234/067.p/8"
// or "tile/entries/000".
func (t Tile) Path() string {
	var b strings.Builder
	b.WriteString("tile/")
	if t.Level == EntriesLevel {
		b.WriteString("entries")
	} else {
		b.WriteString(strconv.Itoa(t.Level))
	}
	groups := []int64{t.Index % 1000}
	for n := t.Index / 1000; n > 0; n /= 1000 {
		groups = append(groups, n%1000)
	}
	for i := len(groups) - 1; i >= 0; i-- {
		b.WriteByte('/')
		if i > 0 {
			b.WriteByte('x')
		}
		fmt.Fprintf(&b, "%03d", groups[i])
	}
	if t.Width < TileWidth {
		b.WriteString(".p/")
		b.WriteString(strconv.Itoa(t.Width))
	}
	return b.String()
}

// ParseTilePath parses a tile path below the log prefix ("tile/<L>/<N>[.p/<W>]"
// or "tile/entries/<N>[.p/<W>]"). Only the canonical encoding is accepted, so
// every resource has exactly one URL.
func ParseTilePath(p string) (Tile, error) {
	bad := func(why string) (Tile, error) {
		return Tile{}, fmt.Errorf("ledger: tile path %q: %s", p, why)
	}
	rest, ok := strings.CutPrefix(p, "tile/")
	if !ok {
		return bad("does not start with tile/")
	}
	level, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return bad("no index")
	}
	t := Tile{Width: TileWidth}
	if level == "entries" {
		t.Level = EntriesLevel
	} else {
		l, ok := canonicalUint(level, 63)
		if !ok {
			return bad("level is not a number from 0 to 63")
		}
		t.Level = int(l)
	}
	if i := strings.Index(rest, ".p/"); i >= 0 {
		w, ok := canonicalUint(rest[i+3:], TileWidth-1)
		if !ok || w == 0 {
			return bad("partial width is not a number from 1 to 255")
		}
		t.Width = int(w)
		rest = rest[:i]
	}
	elems := strings.Split(rest, "/")
	if len(elems) > 7 {
		return bad("index too large")
	}
	var n int64
	for i, e := range elems {
		if i < len(elems)-1 {
			var ok bool
			if e, ok = strings.CutPrefix(e, "x"); !ok {
				return bad("index element without x prefix")
			}
		}
		if len(e) != 3 || e[0] < '0' || e[0] > '9' || e[1] < '0' || e[1] > '9' || e[2] < '0' || e[2] > '9' {
			return bad("index element is not three digits")
		}
		if i == 0 && len(elems) > 1 && e == "000" {
			return bad("index has a leading zero element")
		}
		d, _ := strconv.Atoi(e)
		if n > (maxTileIndex-int64(d))/1000 {
			return bad("index too large")
		}
		n = n*1000 + int64(d)
	}
	t.Index = n
	return t, nil
}

// canonicalUint parses a decimal number without sign or leading zeros, at
// most limit.
func canonicalUint(s string, limit uint64) (uint64, bool) {
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > limit {
		return 0, false
	}
	return n, true
}

// hashChildren is RFC 6962's interior node hash, SHA-256(0x01 ‖ l ‖ r),
// without the allocations of the generic hasher.
func hashChildren(l, r []byte) []byte {
	var buf [1 + 2*HashSize]byte
	buf[0] = rfc6962.RFC6962NodeHashPrefix
	copy(buf[1:], l)
	copy(buf[1+HashSize:], r)
	h := sha256.Sum256(buf[:])
	return h[:]
}

// LeafHash is RFC 6962's leaf hash of an entry's canonical bytes,
// SHA-256(0x00 ‖ data).
func LeafHash(data []byte) []byte {
	return rfc6962.DefaultHasher.HashLeaf(data)
}

// rangeFactory builds compact ranges with RFC 6962 hashing.
var rangeFactory = &compact.RangeFactory{Hash: hashChildren}

// tileOf returns the tile holding the level-8L descendants of node id and
// the width the tile needs for them: node (8L+k, i) is the Merkle hash of
// tile hashes [i·2^k mod 256, +2^k) of tile i·2^k / 256 at tile level L.
func tileOf(id compact.NodeID) (store.LedgerTileID, int) {
	l := int(id.Level / TileHeight)
	k := id.Level % TileHeight
	first := id.Index << k
	return store.LedgerTileID{Level: l, Index: int64(first >> TileHeight)}, int(first&(TileWidth-1)) + 1<<k
}

// errTileMissing means the stored tree lacks a hash a computation needs.
var errTileMissing = errors.New("tree hash missing from storage")

// nodeHash computes node id from its tile in tiles.
func nodeHash(tiles map[store.LedgerTileID]*tileEntry, id compact.NodeID) ([]byte, error) {
	tid, width := tileOf(id)
	t := tiles[tid]
	if t == nil || len(t.data) < width*HashSize {
		return nil, fmt.Errorf("ledger: node %d/%d (tile %d/%d width %d): %w", id.Level, id.Index, tid.Level, tid.Index, width, errTileMissing)
	}
	k := id.Level % TileHeight
	n := 1 << k
	first := width - n // the node's first hash within the tile
	if n == 1 {
		return append([]byte(nil), t.data[first*HashSize:(first+1)*HashSize]...), nil
	}
	if t.full() {
		t.expand()
		j := first >> k
		return append([]byte(nil), t.inner[k][j*HashSize:(j+1)*HashSize]...), nil
	}
	hs := make([][]byte, n)
	for i := range hs {
		hs[i] = t.data[(first+i)*HashSize : (first+i+1)*HashSize]
	}
	for len(hs) > 1 {
		for i := 0; i < len(hs)/2; i++ {
			hs[i] = hashChildren(hs[2*i], hs[2*i+1])
		}
		hs = hs[:len(hs)/2]
	}
	return hs[0], nil
}

// tileWidthAt returns how many hashes tile (level, index) holds in a tree
// of size: floor(size / 256^level) − index·256, clamped to [0, 256].
func tileWidthAt(level int, index, size int64) int {
	var count int64
	if level == EntriesLevel {
		count = size
	} else {
		count = size >> (TileHeight * uint(level))
	}
	w := count - index*TileWidth
	switch {
	case w <= 0:
		return 0
	case w >= TileWidth:
		return TileWidth
	}
	return int(w)
}
