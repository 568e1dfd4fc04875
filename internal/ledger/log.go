package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/vigil-project/vigil/internal/store"
)

// Log is the testimony ledger: the sequencer that integrates queued entries
// into the Merkle tree and signs checkpoints, and the read side that serves
// tiles, proofs and receipts. Several processes may share one database: one
// of them sequences at a time (a PostgreSQL advisory lock), all of them
// serve.
type Log struct {
	// MaxBatch is the most entries one sequencer transaction integrates.
	// Set before Run.
	MaxBatch int
	// PollInterval is how often an idle sequencer looks for entries queued
	// without a Notify (by another process). Set before Run.
	PollInterval time.Duration
	// LockRetry is how long a process that is not the sequencer waits
	// before trying to take the sequencer lock again. Set before Run.
	LockRetry time.Duration

	db  *store.DB
	log *slog.Logger
	// key is the signing key (with the next key during a key change).
	// Batches replace it when the keys recorded in the database change
	// (see currentKey), Rename when it renames the log.
	key atomic.Pointer[Key]
	// keyMu is held by a batch from choosing its key to committing its
	// checkpoint, and by Rename, so that no checkpoint is signed by a key
	// while another replaces it.
	keyMu sync.Mutex
	wake  chan struct{}
	tiles *tileCache

	// seqMu is held by whoever sequences in this process (Run or
	// Sequence).
	seqMu sync.Mutex

	// mu guards head, headAt, published and the recent maps.
	mu   sync.Mutex
	head *head
	// headAt is when head was last read from the database or published.
	headAt time.Time
	// published is closed (and replaced) whenever a new head is published
	// by this process, waking Receipt waiters; publishedAt is when that
	// last happened.
	published   chan struct{}
	publishedAt time.Time
	// recent and older map the IDs of entries this process integrated
	// lately to their leaves, so that receipts for them need no query;
	// older is dropped when recent fills.
	recent, older map[string]store.LedgerLeaf
}

// recentMax is how many integrated entries each recent map holds.
const recentMax = 16384

// head is a published checkpoint.
type head struct {
	size int64
	root []byte
	note string
}

// headTTL is how long a process serves a head read from the database before
// reading it again (another process may be the sequencer).
const headTTL = time.Second

// New returns the ledger on db, signing with key. If the database already
// holds a checkpoint, it must verify with key: a changed key or origin would
// silently start a different log.
func New(db *store.DB, key *Key, logger *slog.Logger) (*Log, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l := &Log{
		MaxBatch:     4096,
		PollInterval: 100 * time.Millisecond,
		LockRetry:    time.Second,
		db:           db,
		log:          logger,
		wake:         make(chan struct{}, 1),
		tiles:        newTileCache(2048),
		published:    make(chan struct{}),
	}
	l.key.Store(key)
	st, err := db.Read().GetLedgerState(context.Background())
	if errors.Is(err, store.ErrNotFound) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: open: %w", err)
	}
	if _, err := OpenCheckpoint([]byte(st.Checkpoint), key.Verifier()); err != nil {
		return nil, fmt.Errorf("ledger: the stored checkpoint does not verify with the log key for %q (wrong key file or origin?): %w", key.Origin(), err)
	}
	l.setHead(&head{size: st.Size, root: st.Root, note: st.Checkpoint}, false)
	return l, nil
}

// Origin is the log's origin.
func (l *Log) Origin() string { return l.signingKey().Origin() }

// VerifierKey is the log's public verifier key in note format.
func (l *Log) VerifierKey() string { return l.signingKey().VerifierKey() }

// signingKey is the key checkpoints are signed with now.
func (l *Log) signingKey() *Key { return l.key.Load() }

// Notify wakes the sequencer; intake calls it after committing entries. It
// never blocks.
func (l *Log) Notify() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run sequences until ctx is done: it takes the sequencer lock (waiting
// while another process holds it), then integrates pending entries in
// batches as they arrive, each batch in one transaction that assigns leaf
// indexes, writes tiles and stores the new signed checkpoint. It returns nil
// when ctx is done; errors are logged and retried.
func (l *Log) Run(ctx context.Context) error {
	for {
		err := l.runLocked(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !errors.Is(err, store.ErrConflict) {
			l.log.Error("ledger: sequencer stopped; retrying", "err", err)
		}
		t := time.NewTimer(l.LockRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// runLocked sequences while this process holds the sequencer lock.
func (l *Log) runLocked(ctx context.Context) error {
	l.seqMu.Lock()
	defer l.seqMu.Unlock()
	lock, err := l.db.TryLedgerLock(ctx)
	if err != nil {
		return err
	}
	defer lock.Release()
	l.log.Info("ledger: sequencing", "origin", l.Origin())
	var s *sequencer
	poll := time.NewTicker(l.PollInterval)
	defer poll.Stop()
	for {
		if s == nil {
			if s, err = l.load(ctx, lock); err != nil {
				return err
			}
		}
		// Most drains scan the queue from a recent floor; a full scan
		// every sweepInterval picks up stragglers below it.
		full := time.Since(s.swept) >= sweepInterval
		_, err := l.drain(ctx, s, s.floor(full))
		if errors.Is(err, store.ErrConflict) {
			// Another sequencer moved the tree on: reload and go on.
			l.log.Warn("ledger: tree moved under the sequencer; reloading", "err", err)
			s = nil
			continue
		}
		if err != nil {
			return err
		}
		if full {
			s.swept = time.Now()
		}
	wait:
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-l.wake:
				break wait
			case <-poll.C:
				pending, err := l.db.Read().HasPendingLedgerEntries(ctx, s.floor(time.Since(s.swept) >= sweepInterval))
				if err != nil {
					return err
				}
				if pending {
					break wait
				}
			}
		}
	}
}

// Sequence integrates every pending entry now and returns how many it
// integrated. It is for tools and tests; a server runs Run instead. It fails
// with store.ErrConflict if another process holds the sequencer lock, and
// waits if Run holds it in this process.
func (l *Log) Sequence(ctx context.Context) (int, error) {
	l.seqMu.Lock()
	defer l.seqMu.Unlock()
	lock, err := l.db.TryLedgerLock(ctx)
	if err != nil {
		return 0, fmt.Errorf("ledger: sequence: %w", err)
	}
	defer lock.Release()
	s, err := l.load(ctx, lock)
	if err != nil {
		return 0, err
	}
	total, err := l.drain(ctx, s, "")
	if err != nil || total < l.MaxBatch {
		return total, err
	}
	// Later batches of the drain skipped IDs below the previous batch's;
	// look once more at the whole queue.
	n, err := l.drain(ctx, s, "")
	return total + n, err
}

// drain integrates batches until one comes back short, and returns how
// many entries it integrated. The first batch scans the queue from floor;
// each later one from the previous batch's last ID, since every entry
// pending below it then was taken (see store.LedgerQueueFloor).
func (l *Log) drain(ctx context.Context, s *sequencer, floor string) (int, error) {
	total := 0
	for {
		n, last, err := l.integrate(ctx, s, floor)
		total += n
		if err != nil || n < l.MaxBatch {
			return total, err
		}
		floor = last
	}
}

// floor returns where a batch starts scanning the queue: from the
// beginning for a full sweep, else from the IDs of the last queueSlack.
func (s *sequencer) floor(full bool) string {
	if full {
		return ""
	}
	return store.LedgerQueueFloor(time.Now().Add(-queueSlack))
}

// sequencer is the in-memory state of the tree's right edge while this
// process holds the lock: the compact range of all leaves and, per tile
// level, the rightmost (partial) tile. It is discarded on any error and
// rebuilt from the database.
type sequencer struct {
	lock  *store.LedgerLock
	size  int64
	root  []byte
	rng   *compact.Range
	edges []edgeTile
	// full collects tiles completed during the current batch.
	full []store.LedgerTile
	err  error
	// swept is when a batch last scanned the whole queue.
	swept time.Time
}

// The queue scan (see store.LedgerQueueFloor): batches look at entries
// whose IDs are from the last queueSlack, and every sweepInterval at all of
// them, so an entry whose transaction took longer than queueSlack to commit
// waits at most sweepInterval more.
const (
	queueSlack    = 5 * time.Second
	sweepInterval = 10 * time.Second
)

// edgeTile is the rightmost tile of one level: the next hash of that level
// goes at its end.
type edgeTile struct {
	index  int64
	hashes []byte
	dirty  bool
}

// load reads the tree state, creating the empty tree (with its first
// checkpoint) on first run, and rebuilds the right edge from the tiles.
func (l *Log) load(ctx context.Context, lock *store.LedgerLock) (*sequencer, error) {
	st, err := l.db.Read().GetLedgerState(ctx)
	if errors.Is(err, store.ErrNotFound) {
		if st, err = l.initState(ctx, lock); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("ledger: load: %w", err)
	}
	if _, err := OpenCheckpoint([]byte(st.Checkpoint), l.signingKey().Verifier()); err != nil {
		return nil, fmt.Errorf("ledger: load: stored checkpoint: %w", err)
	}
	size := st.Size
	ids := compact.RangeNodes(0, uint64(size), nil)
	need := map[store.LedgerTileID]int{}
	for _, id := range ids {
		tid, w := tileOf(id)
		need[tid] = max(need[tid], w)
	}
	// The edge tiles: at level L the tree has size>>8L hashes.
	var edges []edgeTile
	for level := 0; ; level++ {
		count := size >> (TileHeight * level)
		if count == 0 && level > 0 {
			break
		}
		e := edgeTile{index: count / TileWidth}
		if w := int(count % TileWidth); w > 0 {
			tid := store.LedgerTileID{Level: level, Index: e.index}
			need[tid] = max(need[tid], w)
		}
		edges = append(edges, e)
		if count == 0 {
			break
		}
	}
	tiles, err := l.readTiles(ctx, need)
	if err != nil {
		return nil, fmt.Errorf("ledger: load: %w", err)
	}
	hashes := make([][]byte, len(ids))
	for i, id := range ids {
		if hashes[i], err = nodeHash(tiles, id); err != nil {
			return nil, fmt.Errorf("ledger: load: %w", err)
		}
	}
	rng, err := rangeFactory.NewRange(0, uint64(size), hashes)
	if err != nil {
		return nil, fmt.Errorf("ledger: load: %w", err)
	}
	root, err := rootOf(rng)
	if err != nil {
		return nil, fmt.Errorf("ledger: load: %w", err)
	}
	if !sameRoot(root, st.Root) {
		return nil, fmt.Errorf("ledger: load: stored tiles give root %x at size %d, the checkpoint says %x: refusing to extend a damaged tree", root, size, st.Root)
	}
	for level := range edges {
		e := &edges[level]
		w := int((size >> (TileHeight * level)) % TileWidth)
		if w > 0 {
			data := tiles[store.LedgerTileID{Level: level, Index: e.index}].data
			e.hashes = append(make([]byte, 0, TileWidth*HashSize), data[:w*HashSize]...)
		}
	}
	l.setHead(&head{size: st.Size, root: st.Root, note: st.Checkpoint}, false)
	return &sequencer{lock: lock, size: size, root: root, rng: rng, edges: edges}, nil
}

// initState stores the empty tree and its signed checkpoint.
func (l *Log) initState(ctx context.Context, lock *store.LedgerLock) (*store.LedgerState, error) {
	l.keyMu.Lock()
	defer l.keyMu.Unlock()
	key := l.signingKey()
	root := rfc6962.DefaultHasher.EmptyRoot()
	note, err := signCheckpoint(Checkpoint{Origin: key.Origin(), Size: 0, Root: root}, key)
	if err != nil {
		return nil, err
	}
	st := &store.LedgerState{Size: 0, Root: root, Checkpoint: note, UpdatedAt: store.Now()}
	err = lock.Tx(ctx, func(q store.Q) error {
		_, err := q.InitLedgerState(ctx, st)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: init: %w", err)
	}
	// Another process may have created it first; read what is stored.
	st, err = l.db.Read().GetLedgerState(ctx)
	if err != nil {
		return nil, fmt.Errorf("ledger: init: %w", err)
	}
	return st, nil
}

// rootOf returns the root hash of a compact range starting at 0.
func rootOf(rng *compact.Range) ([]byte, error) {
	if rng.End() == 0 {
		return rfc6962.DefaultHasher.EmptyRoot(), nil
	}
	root, err := rng.GetRootHash(nil)
	if err != nil {
		return nil, fmt.Errorf("ledger: root: %w", err)
	}
	return root, nil
}

// visit records a new tree node: nodes at multiples of the tile height are
// the hashes tiles store.
func (s *sequencer) visit(id compact.NodeID, hash []byte) {
	if s.err != nil || id.Level%TileHeight != 0 {
		return
	}
	level := int(id.Level / TileHeight)
	for len(s.edges) <= level {
		s.edges = append(s.edges, edgeTile{})
	}
	e := &s.edges[level]
	if want := uint64(e.index)*TileWidth + uint64(len(e.hashes)/HashSize); id.Index != want {
		s.err = fmt.Errorf("ledger: node %d/%d arrived where %d/%d was expected", id.Level, id.Index, id.Level, want)
		return
	}
	if e.hashes == nil {
		e.hashes = make([]byte, 0, TileWidth*HashSize)
	}
	e.hashes = append(e.hashes, hash...)
	e.dirty = true
	if len(e.hashes) == TileWidth*HashSize {
		s.full = append(s.full, store.LedgerTile{Level: level, Index: e.index, Hashes: e.hashes})
		*e = edgeTile{index: e.index + 1}
	}
}

// flush returns the tiles the current batch changed: completed tiles and
// the grown edge tiles.
func (s *sequencer) flush() []store.LedgerTile {
	out := s.full
	s.full = nil
	for level := range s.edges {
		e := &s.edges[level]
		if e.dirty && len(e.hashes) > 0 {
			out = append(out, store.LedgerTile{Level: level, Index: e.index, Hashes: append([]byte(nil), e.hashes...)})
		}
		e.dirty = false
	}
	return out
}

// integrate runs one batch: it assigns leaf indexes to up to MaxBatch
// pending entries, extends the tree, writes the changed tiles and the new
// signed checkpoint, all in one transaction, then publishes the new head.
// It returns the number of entries integrated.
func (l *Log) integrate(ctx context.Context, s *sequencer, floor string) (n int, lastID string, err error) {
	var (
		tiles  []store.LedgerTile
		next   *head
		leaves []store.LedgerLeaf
	)
	start := time.Now()
	l.keyMu.Lock()
	defer l.keyMu.Unlock()
	err = s.lock.Tx(ctx, func(q store.Q) error {
		if err := q.LockLedgerState(ctx, s.size); err != nil {
			return err
		}
		key, err := l.currentKey(ctx, q)
		if err != nil {
			return err
		}
		if s.size == 0 {
			// The empty tree's checkpoint is the only one Rename may
			// replace, perhaps from another process: extend it only if
			// it is still signed by this process's key.
			st, err := q.GetLedgerState(ctx)
			if err != nil {
				return err
			}
			if _, err := OpenCheckpoint([]byte(st.Checkpoint), key.Verifier()); err != nil {
				return fmt.Errorf("ledger: the empty tree's checkpoint is no longer signed by this process's key (renamed at setup by another process? restart this one): %w", err)
			}
		}
		leaves, err = q.SequenceLedgerEntries(ctx, s.size, l.MaxBatch, floor)
		if err != nil {
			return err
		}
		if len(leaves) == 0 {
			return errNothingPending
		}
		for _, leaf := range leaves {
			if err := s.rng.Append(LeafHash(leaf.Entry), s.visit); err != nil {
				return fmt.Errorf("ledger: append leaf %d: %w", leaf.Index, err)
			}
			if s.err != nil {
				return s.err
			}
		}
		size := s.size + int64(len(leaves))
		root, err := rootOf(s.rng)
		if err != nil {
			return err
		}
		note, err := signCheckpoint(Checkpoint{Origin: key.Origin(), Size: size, Root: root}, key)
		if err != nil {
			return err
		}
		tiles = s.flush()
		if err := q.PutLedgerTiles(ctx, tiles); err != nil {
			return err
		}
		if err := q.SetLedgerState(ctx, s.size, &store.LedgerState{Size: size, Root: root, Checkpoint: note, UpdatedAt: store.Now()}); err != nil {
			return err
		}
		n = len(leaves)
		next = &head{size: size, root: root, note: note}
		return nil
	})
	if errors.Is(err, errNothingPending) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("ledger: integrate: %w", err)
	}
	s.size, s.root = next.size, next.root
	for _, t := range tiles {
		l.tiles.put(store.LedgerTileID{Level: t.Level, Index: t.Index}, t.Hashes)
	}
	l.remember(leaves)
	l.setHead(next, true)
	l.log.Debug("ledger: integrated", "entries", n, "size", next.size, "took", time.Since(start))
	return n, leaves[len(leaves)-1].ID, nil
}

// remember records leaves just integrated for quick receipts.
func (l *Log) remember(leaves []store.LedgerLeaf) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, leaf := range leaves {
		if len(l.recent) >= recentMax || l.recent == nil {
			l.older, l.recent = l.recent, make(map[string]store.LedgerLeaf, recentMax)
		}
		l.recent[leaf.ID] = leaf
	}
}

// recentLeaf returns an entry this process integrated lately.
func (l *Log) recentLeaf(id string) (store.LedgerLeaf, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if leaf, ok := l.recent[id]; ok {
		return leaf, true
	}
	leaf, ok := l.older[id]
	return leaf, ok
}

// errNothingPending rolls back a batch that found no entries.
var errNothingPending = errors.New("ledger: nothing pending")

// setHead records h as the latest head if it is newer, and wakes receipt
// waiters when this process published it.
func (l *Log) setHead(h *head, published bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.head == nil || h.size >= l.head.size {
		l.head = h
	}
	l.headAt = time.Now()
	if published {
		l.publishedAt = l.headAt
		close(l.published)
		l.published = make(chan struct{})
	}
}

// latest returns the latest published head of at least minSize if there is
// one, reading the database when the cached head is older than headTTL or
// smaller than minSize. It returns the newest head it knows either way.
func (l *Log) latest(ctx context.Context, minSize int64) (*head, error) {
	l.mu.Lock()
	h, at := l.head, l.headAt
	l.mu.Unlock()
	if h != nil && h.size >= minSize && time.Since(at) < headTTL {
		return h, nil
	}
	st, err := l.db.Read().GetLedgerState(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("ledger: no checkpoint published yet: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: latest checkpoint: %w", err)
	}
	l.setHead(&head{size: st.Size, root: st.Root, note: st.Checkpoint}, false)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head, nil
}

// Checkpoint returns the latest signed checkpoint note and its parsed body.
func (l *Log) Checkpoint(ctx context.Context) (string, Checkpoint, error) {
	h, err := l.latest(ctx, 0)
	if err != nil {
		return "", Checkpoint{}, err
	}
	return h.note, Checkpoint{Origin: l.Origin(), Size: h.size, Root: h.root}, nil
}

// publishedWithin tells whether this process published a head within d:
// its sequencer is at work.
func (l *Log) publishedWithin(d time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Since(l.publishedAt) < d
}

// publishedChan returns the channel closed at the next local publish.
func (l *Log) publishedChan() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.published
}
