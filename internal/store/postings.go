package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/uuid"
)

// The search index keeps each term's reports as posting blocks, rows of
// search_postings (term, k, lo, reports) (migration 0030): reports is up
// to postingBlock report ids, 16 bytes each (the UUID's bytes, whose order
// is the order of the ids' text), ascending. A term's blocks are disjoint
// and ordered: k is the row's key, lo the block's lower bound (above every
// report of the term's earlier blocks, at or below every report of this
// one); for every block but the term's last, k = lo; the last, the one
// new reports are appended to, has k = openKey, above every id, so that a
// merge finds the last blocks of all its terms by key. Every term with a
// block has a last one.
//
// A row per term and report (89 a generated report: 60 bytes each with
// the id as text, 7.5 KB a report on SQLite, 15.5 on PostgreSQL) made the
// index most of the database's size and the merge most of SQLite's
// writer's time; a block holds up to a hundred of a term's reports in one
// row.

// postingBlock is how many reports a block holds at most: 1.6 KB, under
// PostgreSQL's threshold (about 2 KB) for moving a row's value out of line
// and under what a 16 KiB SQLite page keeps in the page.
const postingBlock = 100

// idSize is a report id's size in a block.
const idSize = 16

// openKey is the key of a term's last block.
var openKey = bytes.Repeat([]byte{0xff}, idSize)

// searchLockKey is the PostgreSQL advisory lock every writer of posting
// blocks holds until its transaction ends (see linksLockKey for the
// others): a merge reads a term's last block and writes it back, so two
// at once would lose one's reports.
const searchLockKey = 7215005

// rid is a report id in a block.
type rid [idSize]byte

func (r rid) String() string { return uuid.UUID(r).String() }

// reportKey is report id id as a block holds it. Only a UUID in its
// canonical text (lower-case hex, dashes) has bytes in the same order as
// its text, so any other id is refused.
func reportKey(id string) (rid, error) {
	u, err := uuid.Parse(id)
	if err != nil || u.String() != id || rid(u) == rid(openKey) {
		return rid{}, fmt.Errorf("store: search index: report id %q is not a UUID in canonical form", id)
	}
	return rid(u), nil
}

// block is a posting block read or about to be written.
type block struct {
	key []byte // the row's key as read (nil: a new block)
	lo  rid
	ids []rid
}

func (b *block) open() bool { return b.key != nil && bytes.Equal(b.key, openKey) }

// decodeBlock reads a block's row.
func decodeBlock(key, lo, reports []byte) (*block, error) {
	if len(lo) != idSize || len(reports)%idSize != 0 {
		return nil, fmt.Errorf("store: search index: a block with a %d-byte bound and a %d-byte list", len(lo), len(reports))
	}
	b := &block{key: bytes.Clone(key), lo: rid(lo), ids: make([]rid, len(reports)/idSize)}
	for i := range b.ids {
		b.ids[i] = rid(reports[i*idSize:])
	}
	return b, nil
}

func encodeIDs(ids []rid) []byte {
	out := make([]byte, 0, len(ids)*idSize)
	for _, r := range ids {
		out = append(out, r[:]...)
	}
	return out
}

func ridCompare(a, b rid) int { return bytes.Compare(a[:], b[:]) }

// add puts r in the block, in order, once.
func (b *block) add(r rid) {
	i, found := slices.BinarySearchFunc(b.ids, r, ridCompare)
	if !found {
		b.ids = slices.Insert(b.ids, i, r)
	}
	if ridCompare(r, b.lo) < 0 {
		b.lo = r
	}
}

// has reports whether the block holds r.
func (b *block) has(r rid) bool {
	_, found := slices.BinarySearchFunc(b.ids, r, ridCompare)
	return found
}

// lockSearch takes searchLockKey on PostgreSQL.
func (q Q) lockSearch(ctx context.Context) error {
	if q.engine != Postgres {
		return nil
	}
	if _, err := q.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, searchLockKey); err != nil {
		return fmt.Errorf("store: lock the search index: %w", err)
	}
	return nil
}

// lastBlocks reads the last block of each of terms that has one.
func (q Q) lastBlocks(ctx context.Context, terms [][]byte) (map[string]*block, error) {
	out := make(map[string]*block, len(terms))
	for len(terms) > 0 {
		chunk := terms[:min(len(terms), 500)]
		terms = terms[len(chunk):]
		args := []any{openKey}
		for _, t := range chunk {
			args = append(args, t)
		}
		rs, err := q.q.QueryContext(ctx, `SELECT term, lo, reports FROM search_postings WHERE k = $1 AND term IN (`+numbered(len(chunk), 2)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var term, lo, reports []byte
			if err := rs.Scan(&term, &lo, &reports); err != nil {
				rs.Close()
				return nil, err
			}
			b, err := decodeBlock(openKey, lo, reports)
			if err != nil {
				rs.Close()
				return nil, err
			}
			out[string(term)] = b
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// blockAt reads term's block whose key is the greatest at or below r,
// the last block aside, nil if none.
func (q Q) blockAt(ctx context.Context, term []byte, r rid) (*block, error) {
	blocks, err := q.readBlocks(ctx, `SELECT k, lo, reports FROM search_postings WHERE term = $1 AND k <= $2 AND k <> $3 ORDER BY k DESC LIMIT 1`, term, r[:], openKey)
	if err != nil || len(blocks) == 0 {
		return nil, err
	}
	return blocks[0], nil
}

// readBlocks reads the blocks a query selects (k, lo, reports).
func (q Q) readBlocks(ctx context.Context, query string, args ...any) ([]*block, error) {
	rs, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var blocks []*block
	for rs.Next() {
		var k, lo, reports []byte
		if err := rs.Scan(&k, &lo, &reports); err != nil {
			return nil, err
		}
		b, err := decodeBlock(k, lo, reports)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, b)
	}
	return blocks, rs.Err()
}

// termBlocks is what a merge or an erasure changes of one term's blocks:
// the blocks read, by their key.
type termBlocks struct {
	term    []byte
	last    *block
	changed map[string]*block
}

// addPostings adds ts's reports to their terms' blocks. A report newer
// than every report of a term (almost all, as reports are merged in the
// order they came) is appended to the term's last block without any other
// read; an older one (a statement added to an older report, or reports
// merged out of order) is put in the block it falls in.
func (q Q) addPostings(ctx context.Context, ts []SearchTerm) error {
	if len(ts) == 0 {
		return nil
	}
	if err := q.lockSearch(ctx); err != nil {
		return err
	}
	byTerm := map[string][]rid{}
	for _, t := range ts {
		r, err := reportKey(t.ReportID)
		if err != nil {
			return err
		}
		byTerm[string(t.Term)] = append(byTerm[string(t.Term)], r)
	}
	terms := make([][]byte, 0, len(byTerm))
	for t := range byTerm {
		terms = append(terms, []byte(t))
	}
	slices.SortFunc(terms, bytes.Compare)
	last, err := q.lastBlocks(ctx, terms)
	if err != nil {
		return fmt.Errorf("store: search index: %w", err)
	}
	var writes []*termBlocks
	for _, term := range terms {
		ids := byTerm[string(term)]
		slices.SortFunc(ids, ridCompare)
		ids = slices.Compact(ids)
		tb := &termBlocks{term: term, last: last[string(term)], changed: map[string]*block{}}
		if tb.last == nil {
			// A new term: one last block, split when written.
			tb.last = &block{lo: ids[0], ids: ids}
			writes = append(writes, tb)
			continue
		}
		var older []rid
		for i, r := range ids {
			if n := len(tb.last.ids); n > 0 && ridCompare(r, tb.last.ids[n-1]) > 0 {
				tb.last.ids = append(tb.last.ids, ids[i:]...)
				break
			}
			if ridCompare(r, tb.last.lo) >= 0 {
				tb.last.add(r)
				continue
			}
			older = append(older, r)
		}
		if err := q.placeOlder(ctx, tb, older); err != nil {
			return fmt.Errorf("store: search index: %w", err)
		}
		writes = append(writes, tb)
	}
	return q.writeBlocks(ctx, writes)
}

// placeOlder puts reports below the bound of tb's last block (ascending)
// into the blocks they fall in, read with one statement: from the block
// the oldest falls in to the newest's.
func (q Q) placeOlder(ctx context.Context, tb *termBlocks, older []rid) error {
	if len(older) == 0 {
		return nil
	}
	lo, hi := older[0], older[len(older)-1]
	blocks, err := q.readBlocks(ctx, `SELECT k, lo, reports FROM search_postings WHERE term = $1 AND k <> $2 AND k <= $3
		AND k >= COALESCE((SELECT k FROM search_postings WHERE term = $1 AND k <> $2 AND k <= $4 ORDER BY k DESC LIMIT 1), $5) ORDER BY k`,
		tb.term, openKey, hi[:], lo[:], []byte{})
	if err == nil && len(blocks) == 0 {
		// All below the term's first block but the last, if it has one:
		// that block takes them (its bound falls).
		blocks, err = q.readBlocks(ctx, `SELECT k, lo, reports FROM search_postings WHERE term = $1 AND k <> $2 ORDER BY k LIMIT 1`, tb.term, openKey)
	}
	if err != nil {
		return err
	}
	j := 0
	for _, r := range older {
		for j+1 < len(blocks) && ridCompare(blocks[j+1].lo, r) <= 0 {
			j++
		}
		// No block but the last: the last takes it.
		b := tb.last
		if len(blocks) > 0 {
			b = blocks[j]
			tb.changed[string(b.key)] = b
		}
		b.add(r)
	}
	return nil
}

// writeBlocks writes the last block and the changed blocks of each term
// (blockRows), and deletes the rows whose key is no longer written or
// that are left empty; it deletes before it writes.
func (q Q) writeBlocks(ctx context.Context, tbs []*termBlocks) error {
	var rows [][]any
	var gone [][]byte // term, key pairs, flattened
	for _, tb := range tbs {
		all := make([]*block, 0, len(tb.changed)+1)
		for _, b := range tb.changed {
			all = append(all, b)
		}
		if tb.last != nil {
			all = append(all, tb.last)
		}
		for _, b := range all {
			written, kept := blockRows(tb.term, b, b == tb.last)
			rows = append(rows, written...)
			if b.key != nil && !kept {
				gone = append(gone, tb.term, b.key)
			}
		}
	}
	for i := 0; i < len(gone); i += 2 {
		if err := q.exec(ctx, "search_postings", `DELETE FROM search_postings WHERE term = $1 AND k = $2`, gone[i], gone[i+1]); err != nil {
			return fmt.Errorf("store: search index: %w", err)
		}
	}
	if err := q.insertMany(ctx, "search_postings", "term, k, lo, reports", rows, "ON CONFLICT (term, k) DO UPDATE SET lo = excluded.lo, reports = excluded.reports"); err != nil {
		return fmt.Errorf("store: search index: %w", err)
	}
	return nil
}

// blockRows returns the rows (term, k, lo, reports) of block b of term,
// split into blocks of at most postingBlock reports: a term's last block
// (last) into full blocks and the rest, which stays the last, any other
// evenly. kept says whether one of them has b's key (a block's first keeps
// it unless its bound fell; a last block's rest always does).
func blockRows(term []byte, b *block, last bool) (rows [][]any, kept bool) {
	if len(b.ids) == 0 {
		return nil, false
	}
	n := (len(b.ids) + postingBlock - 1) / postingBlock
	per := (len(b.ids) + n - 1) / n
	if last {
		per = postingBlock
	}
	for i := 0; i < len(b.ids); i += per {
		chunk := b.ids[i:min(len(b.ids), i+per)]
		lo := chunk[0]
		if i == 0 {
			lo = b.lo
		}
		key := lo[:]
		if last && i+per >= len(b.ids) {
			key = openKey
		}
		kept = kept || bytes.Equal(key, b.key)
		rows = append(rows, []any{term, bytes.Clone(key), bytes.Clone(lo[:]), encodeIDs(chunk)})
	}
	return rows, kept
}

// removePostings removes report r from the blocks of terms. A term whose
// last block is left empty gets its block before that as its last.
func (q Q) removePostings(ctx context.Context, terms [][]byte, reportID string) error {
	if len(terms) == 0 {
		return nil
	}
	r, err := reportKey(reportID)
	if err != nil {
		return err
	}
	if err := q.lockSearch(ctx); err != nil {
		return err
	}
	last, err := q.lastBlocks(ctx, terms)
	if err != nil {
		return fmt.Errorf("store: search index: %w", err)
	}
	var writes []*termBlocks
	for _, term := range terms {
		tb := &termBlocks{term: term, last: last[string(term)], changed: map[string]*block{}}
		b := tb.last
		if b == nil {
			continue
		}
		if ridCompare(r, b.lo) < 0 {
			// Below the last block: in the block before it falls in, if any.
			if b, err = q.blockAt(ctx, term, r); err != nil {
				return fmt.Errorf("store: search index: %w", err)
			}
			if b == nil {
				continue
			}
			tb.changed[string(b.key)] = b
		}
		if !b.has(r) {
			continue
		}
		i, _ := slices.BinarySearchFunc(b.ids, r, ridCompare)
		b.ids = slices.Delete(b.ids, i, i+1)
		if b == tb.last && len(b.ids) == 0 {
			// The block before becomes the last.
			prev, err := q.blockAt(ctx, term, rid(openKey))
			if err != nil {
				return fmt.Errorf("store: search index: %w", err)
			}
			if prev != nil {
				gone := &block{key: prev.key}
				tb.changed[string(prev.key)] = gone
				prev.key = openKey
				writes = append(writes, &termBlocks{term: term, last: prev, changed: map[string]*block{}})
			}
		}
		writes = append(writes, tb)
	}
	// writeBlocks deletes before it writes: an emptied last block's row
	// is gone before the block before it is written under its key.
	return q.writeBlocks(ctx, writes)
}

// prober answers whether reports have a term, reading the term's blocks
// that hold them a few at a time and keeping them: asked about reports
// newest first (a walk's candidates), it reads each block once.
type prober struct {
	q    Q
	term []byte
	read bool
	last *block
	// blocks are the blocks, newest first, with the greatest keys at or
	// below bound (the last block aside); whole when they reach the
	// term's first.
	fetched bool
	bound   rid
	blocks  []*block
	whole   bool
}

// proberPrefetch is how many blocks a prober reads at once.
const proberPrefetch = 8

func (p *prober) has(ctx context.Context, r rid) (bool, error) {
	if !p.read {
		last, err := p.q.lastBlocks(ctx, [][]byte{p.term})
		if err != nil {
			return false, err
		}
		p.last, p.read = last[string(p.term)], true
	}
	if p.last == nil {
		return false, nil
	}
	if ridCompare(r, p.last.lo) >= 0 {
		return p.last.has(r), nil
	}
	if !p.fetched || ridCompare(r, p.bound) > 0 || (!p.whole && ridCompare(r, p.blocks[len(p.blocks)-1].lo) < 0) {
		if err := p.fetch(ctx, r); err != nil {
			return false, err
		}
	}
	for _, b := range p.blocks {
		if ridCompare(r, b.lo) >= 0 {
			return b.has(r), nil
		}
	}
	// Below the term's first block.
	return false, nil
}

func (p *prober) fetch(ctx context.Context, r rid) error {
	blocks, err := p.q.readBlocks(ctx, `SELECT k, lo, reports FROM search_postings WHERE term = $1 AND k <= $2 ORDER BY k DESC LIMIT `+strconv.Itoa(proberPrefetch), p.term, r[:])
	if err != nil {
		return err
	}
	p.blocks = blocks
	p.fetched, p.bound, p.whole = true, r, len(p.blocks) < proberPrefetch
	return nil
}

// probers answer whether reports have every one of terms.
type probers []*prober

func (q Q) probers(terms [][]byte) probers {
	ps := make(probers, len(terms))
	for i, t := range terms {
		ps[i] = &prober{q: q, term: t}
	}
	return ps
}

func (ps probers) hasAll(ctx context.Context, r rid) (bool, error) {
	for _, p := range ps {
		ok, err := p.has(ctx, r)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// walk yields term's reports below before (all when before is nil),
// newest first, reading its blocks a few at a time, until yield returns
// false.
func (q Q) walk(ctx context.Context, term []byte, before *rid, yield func(rid) (bool, error)) error {
	bound := rid(openKey)
	if before != nil {
		bound = *before
	}
	query := `SELECT k, lo, reports FROM search_postings WHERE term = $1 AND (k < $2 OR (k = $3 AND lo < $2)) ORDER BY k DESC LIMIT ` + strconv.Itoa(proberPrefetch)
	for {
		blocks, err := q.readBlocks(ctx, query, term, bound[:], openKey)
		if err != nil {
			return err
		}
		for _, b := range blocks {
			for i := len(b.ids) - 1; i >= 0; i-- {
				if before != nil && ridCompare(b.ids[i], *before) >= 0 {
					continue
				}
				more, err := yield(b.ids[i])
				if err != nil || !more {
					return err
				}
			}
		}
		if len(blocks) < proberPrefetch {
			return nil
		}
		// The next blocks are those below the oldest read (never the last).
		bound = blocks[len(blocks)-1].lo
	}
}

// termReportsUpTo returns how many reports term has, counted up to at least
// limit (the blocks' sizes summed until they reach it).
func (q Q) termReportsUpTo(ctx context.Context, term []byte, limit int) (int, error) {
	rs, err := q.q.QueryContext(ctx, `SELECT LENGTH(reports) FROM search_postings WHERE term = $1`, term)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	n := 0
	for n < limit && rs.Next() {
		var size int
		if err := rs.Scan(&size); err != nil {
			return 0, err
		}
		n += size / idSize
	}
	return n, rs.Err()
}

// loadBlocks packs rows of the index, given in key order (term, then
// report), into blocks: full ones, and the rest as each term's last.
func loadBlocks(n int, row func(i int) SearchTerm) ([][]any, error) {
	var out [][]any
	var term []byte
	var ids []rid
	flush := func() {
		if len(ids) > 0 {
			ids = slices.Compact(ids)
			rows, _ := blockRows(term, &block{lo: ids[0], ids: ids}, true)
			out = append(out, rows...)
		}
		ids = nil
	}
	for i := range n {
		t := row(i)
		r, err := reportKey(t.ReportID)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(t.Term, term) {
			flush()
			term = bytes.Clone(t.Term)
		}
		if len(ids) > 0 && ridCompare(r, ids[len(ids)-1]) < 0 {
			return nil, fmt.Errorf("store: load search index: rows not in key order at %d", i)
		}
		ids = append(ids, r)
	}
	flush()
	return out, nil
}
