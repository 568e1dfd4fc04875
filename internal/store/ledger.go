package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The testimony ledger's tables (migration 0002): ledger_tiles holds the
// Merkle tree as C2SP tlog-tiles, ledger_state the integrated size with its
// signed checkpoint, and ledger_entries (0001) the entries themselves.

// LedgerState is the ledger's head: the integrated tree size, its root hash
// and the signed checkpoint for exactly that size.
type LedgerState struct {
	Size       int64
	Root       []byte
	Checkpoint string
	UpdatedAt  int64
}

// LedgerTile is one stored tile: up to 256 32-byte hashes at Merkle level
// 8*Level, starting at hash Index*256 of that level.
type LedgerTile struct {
	Level  int
	Index  int64
	Hashes []byte
}

// LedgerTileID names a tile.
type LedgerTileID struct {
	Level int
	Index int64
}

// LedgerLeaf is an integrated entry: its leaf index and its canonical bytes.
type LedgerLeaf struct {
	ID    string
	Index int64
	Entry []byte
}

// ledgerLockKey is the PostgreSQL advisory lock the sequencer holds.
const ledgerLockKey = 7215002

// LedgerLock is the right to sequence the ledger. On PostgreSQL it is a
// session advisory lock held on a dedicated connection, and the sequencer's
// transactions run on that connection, so losing the connection loses the
// lock and fails the transaction. On SQLite the single writer connection
// already serialises writers and the lock is nominal. Either way the state
// row's size guard, not the lock, is what rules out a fork.
type LedgerLock struct {
	db   *DB
	conn *sql.Conn // PostgreSQL only
}

// TryLedgerLock takes the sequencer lock without waiting; ErrConflict means
// another process holds it.
func (db *DB) TryLedgerLock(ctx context.Context) (*LedgerLock, error) {
	if db.Engine != Postgres {
		return &LedgerLock{db: db}, nil
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: ledger lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, ledgerLockKey).Scan(&ok); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: ledger lock: %w", err)
	}
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("store: ledger lock: held by another process: %w", ErrConflict)
	}
	return &LedgerLock{db: db, conn: conn}, nil
}

// Tx runs fn in one write transaction on the lock's connection.
func (l *LedgerLock) Tx(ctx context.Context, fn func(q Q) error) error {
	if l.conn == nil {
		return l.db.Tx(ctx, fn)
	}
	return inTx(ctx, l.conn, l.db, fn)
}

// Release gives the lock up. If the unlock cannot be confirmed the
// connection is discarded rather than returned to the pool still holding it.
func (l *LedgerLock) Release() error {
	if l.conn == nil {
		return nil
	}
	var ok bool
	err := l.conn.QueryRowContext(context.Background(), `SELECT pg_advisory_unlock($1)`, ledgerLockKey).Scan(&ok)
	if err != nil || !ok {
		// Returning ErrBadConn from Raw makes database/sql close the
		// connection, which ends the session and its locks.
		l.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	l.conn.Close()
	if err != nil {
		return fmt.Errorf("store: ledger unlock: %w", err)
	}
	return nil
}

// InitLedgerState creates the state row for an empty tree if there is none
// yet, and reports whether it did.
func (q Q) InitLedgerState(ctx context.Context, s *LedgerState) (bool, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO ledger_state (id, size, root, checkpoint, updated_at) VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
		s.Size, s.Root, s.Checkpoint, s.UpdatedAt)
	if err != nil {
		return false, fmt.Errorf("store: init ledger state: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: init ledger state: %w", err)
	}
	return n == 1, nil
}

// GetLedgerState returns the ledger's head, ErrNotFound before the first
// sequencer run.
func (q Q) GetLedgerState(ctx context.Context) (*LedgerState, error) {
	var s LedgerState
	err := q.q.QueryRowContext(ctx, `SELECT size, root, checkpoint, updated_at FROM ledger_state WHERE id = 1`).Scan(&s.Size, &s.Root, &s.Checkpoint, &s.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: ledger state: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get ledger state: %w", err)
	}
	return &s, nil
}

// LockLedgerState locks the state row for the rest of the transaction if the
// stored size is still size, and returns ErrConflict otherwise (another
// sequencer moved the tree on). On PostgreSQL a second sequencer blocks here
// until the first commits and then gets ErrConflict.
func (q Q) LockLedgerState(ctx context.Context, size int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE ledger_state SET updated_at = updated_at WHERE id = 1 AND size = $1`, size)
	if err != nil {
		return fmt.Errorf("store: lock ledger state: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: lock ledger state: %w", err)
	}
	if n != 1 {
		return fmt.Errorf("store: ledger state is no longer at size %d: %w", size, ErrConflict)
	}
	return nil
}

// SetLedgerState moves the head from prevSize to s; ErrConflict if the
// stored size is no longer prevSize.
func (q Q) SetLedgerState(ctx context.Context, prevSize int64, s *LedgerState) error {
	res, err := q.q.ExecContext(ctx, `UPDATE ledger_state SET size = $1, root = $2, checkpoint = $3, updated_at = $4 WHERE id = 1 AND size = $5`,
		s.Size, s.Root, s.Checkpoint, s.UpdatedAt, prevSize)
	if err != nil {
		return fmt.Errorf("store: set ledger state: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: set ledger state: %w", err)
	}
	if n != 1 {
		return fmt.Errorf("store: ledger state is no longer at size %d: %w", prevSize, ErrConflict)
	}
	return nil
}

// SequenceLedgerEntries assigns leaf indexes start, start+1, … to at most
// limit pending entries and returns them ordered by leaf index. Run it after
// LockLedgerState in the same transaction. Pending entries are taken in
// index order, which is about arrival order; within a batch leaves follow
// entry IDs. Each engine gets the statements its planner handles best: both
// must look pending rows up through an index and touch only those rows,
// however large the table and whatever its statistics say.
//
// floor, when not empty, skips pending entries with smaller IDs (see
// LedgerQueueFloor); SQLite ignores it.
func (q Q) SequenceLedgerEntries(ctx context.Context, start int64, limit int, floor string) ([]LedgerLeaf, error) {
	var out []LedgerLeaf
	var err error
	if q.engine == Postgres {
		out, err = q.sequencePostgres(ctx, start, limit, floor)
	} else {
		out, err = q.sequenceSQLite(ctx, start, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("store: sequence ledger entries: %w", err)
	}
	// Place each leaf at its offset, checking the indexes are dense.
	sorted := make([]LedgerLeaf, len(out))
	for _, l := range out {
		off := l.Index - start
		if off < 0 || off >= int64(len(out)) || sorted[off].Entry != nil {
			return nil, fmt.Errorf("store: sequence ledger entries: leaf index %d outside [%d, %d)", l.Index, start, start+int64(len(out)))
		}
		sorted[off] = l
	}
	return sorted, nil
}

// sequenceSQLite numbers a batch and updates it in one statement: the batch
// is materialised first and each row is then found by primary key.
func (q Q) sequenceSQLite(ctx context.Context, start int64, limit int) ([]LedgerLeaf, error) {
	rows, err := q.q.QueryContext(ctx, `UPDATE ledger_entries SET leaf_index = $1 + s.rn - 1
		FROM (SELECT p.pid, row_number() OVER (ORDER BY p.pid) AS rn
		      FROM (SELECT id AS pid FROM ledger_entries WHERE leaf_index IS NULL LIMIT $2) AS p) AS s
		WHERE ledger_entries.id = s.pid
		RETURNING id, entry, leaf_index`, start, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]LedgerLeaf, 0, min(limit, 1024))
	for rows.Next() {
		var l LedgerLeaf
		if err := rows.Scan(&l.ID, &l.Entry, &l.Index); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// sequencePostgres reads a batch through the queue index from floor on, then
// updates it from arrays, which the planner joins by primary key (a subquery
// join can turn into a sequential scan when statistics overestimate the
// queue).
func (q Q) sequencePostgres(ctx context.Context, start int64, limit int, floor string) ([]LedgerLeaf, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, entry FROM ledger_entries WHERE leaf_index IS NULL AND id >= $1 ORDER BY id LIMIT $2`, floor, limit)
	if err != nil {
		return nil, err
	}
	out := make([]LedgerLeaf, 0, min(limit, 1024))
	for rows.Next() {
		var l LedgerLeaf
		if err := rows.Scan(&l.ID, &l.Entry); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, l)
	}
	err = rows.Err()
	rows.Close()
	if err != nil || len(out) == 0 {
		return out, err
	}
	slices.SortFunc(out, func(a, b LedgerLeaf) int { return strings.Compare(a.ID, b.ID) })
	ids := make([]string, len(out))
	idx := make([]int64, len(out))
	for i := range out {
		out[i].Index = start + int64(i)
		ids[i], idx[i] = out[i].ID, out[i].Index
	}
	res, err := q.q.ExecContext(ctx, `UPDATE ledger_entries AS e SET leaf_index = u.idx
		FROM unnest($1::text[], $2::bigint[]) AS u(id, idx)
		WHERE e.id = u.id AND e.leaf_index IS NULL`, ids, idx)
	if err != nil {
		return nil, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, err
	}
	if n != int64(len(out)) {
		return nil, fmt.Errorf("%d of %d entries were no longer pending: %w", n, len(out), ErrConflict)
	}
	return out, nil
}

// LedgerQueueFloor returns the smallest ID NewID can have produced at t or
// later. On PostgreSQL, integrating an entry leaves a dead index entry
// behind for the queue until vacuum; scanning the queue from a recent floor
// skips them. An entry whose ID is below the floor (its transaction took
// longer than the slack the caller allows, or its ID is not a UUIDv7) is
// found by the next scan without a floor, which the sequencer runs
// periodically.
func LedgerQueueFloor(t time.Time) string {
	ms := uint64(t.UnixMilli())
	return fmt.Sprintf("%08x-%04x", ms>>16, ms&0xffff)
}

// HasPendingLedgerEntries reports whether any entry with an ID of at least
// floor ("" for any) waits for the sequencer. SQLite ignores floor.
func (q Q) HasPendingLedgerEntries(ctx context.Context, floor string) (bool, error) {
	var one int
	query := `SELECT 1 FROM ledger_entries WHERE leaf_index IS NULL LIMIT 1`
	args := []any{}
	if q.engine == Postgres {
		query = `SELECT 1 FROM ledger_entries WHERE leaf_index IS NULL AND id >= $1 ORDER BY id LIMIT 1`
		args = append(args, floor)
	}
	err := q.q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: pending ledger entries: %w", err)
	}
	return true, nil
}

// OldestPendingLedgerEntry returns when the oldest entry still waiting for
// the sequencer was received (Unix microseconds), or 0 when none waits.
func (q Q) OldestPendingLedgerEntry(ctx context.Context) (int64, error) {
	var at sql.NullInt64
	if err := q.q.QueryRowContext(ctx, `SELECT MIN(received_at) FROM ledger_entries WHERE leaf_index IS NULL`).Scan(&at); err != nil {
		return 0, fmt.Errorf("store: oldest pending ledger entry: %w", err)
	}
	return at.Int64, nil
}

// CountPendingLedgerEntries returns how many entries wait for the sequencer.
func (q Q) CountPendingLedgerEntries(ctx context.Context) (int64, error) {
	var n int64
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_entries WHERE leaf_index IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count pending ledger entries: %w", err)
	}
	return n, nil
}

// PutLedgerTiles writes tiles, replacing stored ones, in one statement. A
// stored tile is only ever replaced by a tile at least as wide (tiles grow,
// never shrink); ErrConflict otherwise.
func (q Q) PutLedgerTiles(ctx context.Context, tiles []LedgerTile) error {
	for len(tiles) > 0 {
		chunk := tiles[:min(len(tiles), 300)]
		tiles = tiles[len(chunk):]
		var b strings.Builder
		args := make([]any, 0, 3*len(chunk))
		b.WriteString(`INSERT INTO ledger_tiles (level, idx, hashes) VALUES `)
		for i, t := range chunk {
			if i > 0 {
				b.WriteString(",")
			}
			n := 3 * i
			fmt.Fprintf(&b, "($%d,$%d,$%d)", n+1, n+2, n+3)
			args = append(args, t.Level, t.Index, t.Hashes)
		}
		b.WriteString(` ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes WHERE length(ledger_tiles.hashes) <= length(excluded.hashes)`)
		res, err := q.q.ExecContext(ctx, b.String(), args...)
		if err != nil {
			return fmt.Errorf("store: put ledger tiles: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: put ledger tiles: %w", err)
		}
		if n != int64(len(chunk)) {
			return fmt.Errorf("store: put ledger tiles: a stored tile would shrink: %w", ErrConflict)
		}
	}
	return nil
}

// GetLedgerTiles returns the stored tiles among ids, keyed by ID; missing
// tiles are absent from the map.
func (q Q) GetLedgerTiles(ctx context.Context, ids []LedgerTileID) (map[LedgerTileID][]byte, error) {
	out := make(map[LedgerTileID][]byte, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 200)]
		ids = ids[len(chunk):]
		var b strings.Builder
		args := make([]any, 0, 2*len(chunk))
		b.WriteString(`SELECT level, idx, hashes FROM ledger_tiles WHERE `)
		for i, id := range chunk {
			if i > 0 {
				b.WriteString(" OR ")
			}
			b.WriteString("(level = $" + strconv.Itoa(2*i+1) + " AND idx = $" + strconv.Itoa(2*i+2) + ")")
			args = append(args, id.Level, id.Index)
		}
		rows, err := q.q.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("store: get ledger tiles: %w", err)
		}
		for rows.Next() {
			var id LedgerTileID
			var h []byte
			if err := rows.Scan(&id.Level, &id.Index, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: get ledger tiles: %w", err)
			}
			out[id] = h
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: get ledger tiles: %w", err)
		}
	}
	return out, nil
}

// LedgerLeaves returns the integrated entries with leaf indexes in
// [start, end), ordered by index. A gap is an error.
func (q Q) LedgerLeaves(ctx context.Context, start, end int64) ([]LedgerLeaf, error) {
	out := make([]LedgerLeaf, 0, max(0, min(end-start, 1024)))
	err := q.EachLedgerLeaf(ctx, start, end, func(l LedgerLeaf) error {
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachLedgerLeaf calls fn for each integrated entry with a leaf index in
// [start, end), in index order, and fails at the first gap.
func (q Q) EachLedgerLeaf(ctx context.Context, start, end int64, fn func(l LedgerLeaf) error) error {
	rows, err := q.q.QueryContext(ctx, `SELECT id, leaf_index, entry FROM ledger_entries WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index`, start, end)
	if err != nil {
		return fmt.Errorf("store: ledger leaves: %w", err)
	}
	defer rows.Close()
	next := start
	for rows.Next() {
		var l LedgerLeaf
		if err := rows.Scan(&l.ID, &l.Index, &l.Entry); err != nil {
			return fmt.Errorf("store: ledger leaves: %w", err)
		}
		if l.Index != next {
			return fmt.Errorf("store: ledger leaves: leaf %d: %w", next, ErrNotFound)
		}
		next++
		if err := fn(l); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: ledger leaves: %w", err)
	}
	if next != end {
		return fmt.Errorf("store: ledger leaves: leaf %d: %w", next, ErrNotFound)
	}
	return nil
}

const ledgerEntryCols = `id, kind, record_id, version, entry, leaf_index, received_at`

func scanLedgerEntry(row interface{ Scan(...any) error }) (*LedgerEntry, error) {
	var e LedgerEntry
	var idx sql.NullInt64
	if err := row.Scan(&e.ID, &e.Kind, &e.RecordID, &e.Version, &e.Entry, &idx, &e.ReceivedAt); err != nil {
		return nil, err
	}
	e.LeafIndex = -1
	if idx.Valid {
		e.LeafIndex = idx.Int64
	}
	return &e, nil
}

// GetLedgerEntry returns the entry with id (LeafIndex -1 while pending).
func (q Q) GetLedgerEntry(ctx context.Context, id string) (*LedgerEntry, error) {
	v, err := scanLedgerEntry(q.hotRow(ctx, `SELECT `+ledgerEntryCols+` FROM ledger_entries WHERE id = $1`, id))
	return found(v, err, "ledger entry", id)
}

// FindLedgerEntry returns the first-queued entry for version of a record of
// kind.
func (q Q) FindLedgerEntry(ctx context.Context, kind, recordID string, version int) (*LedgerEntry, error) {
	e, err := scanLedgerEntry(q.q.QueryRowContext(ctx, `SELECT `+ledgerEntryCols+` FROM ledger_entries WHERE record_id = $1 AND version = $2 AND kind = $3 ORDER BY id LIMIT 1`,
		recordID, version, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: ledger entry %s %s v%d: %w", kind, recordID, version, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find ledger entry: %w", err)
	}
	return e, nil
}

// PutLedgerEntries queues many entries with multi-row inserts (bulk loads
// and benchmarks; intake uses PutLedgerEntry inside its own transaction).
func (q Q) PutLedgerEntries(ctx context.Context, es []*LedgerEntry) error {
	const perStmt = 500 // 6 parameters each, well under both engines' limits
	for len(es) > 0 {
		chunk := es[:min(len(es), perStmt)]
		es = es[len(chunk):]
		var b strings.Builder
		args := make([]any, 0, 6*len(chunk))
		b.WriteString(`INSERT INTO ledger_entries (id, kind, record_id, version, entry, leaf_index, received_at) VALUES `)
		for i, e := range chunk {
			if i > 0 {
				b.WriteString(",")
			}
			n := 6 * i
			fmt.Fprintf(&b, "($%d,$%d,$%d,$%d,$%d,NULL,$%d)", n+1, n+2, n+3, n+4, n+5, n+6)
			args = append(args, e.ID, e.Kind, e.RecordID, e.Version, e.Entry, e.ReceivedAt)
		}
		if _, err := q.q.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store: put ledger entries: %w", err)
		}
	}
	return nil
}

// LedgerAuditRecord is one stored record with what the ledger needs to
// recompute its commitment, joined with its ledger entry (EntryID empty when
// there is none). Sealed values are ciphertext; WrappedKey is nil once the
// report's data key was destroyed.
type LedgerAuditRecord struct {
	Kind       string
	ReportID   string
	RecordID   string
	Version    int
	WrappedKey []byte
	// Text is the sealed statement text (statements), RecantsID the
	// recanted statement (recantations), SHA256 the file name
	// (attachments).
	Text      []byte
	RecantsID string
	SHA256    string
	// Salt is the sealed salt.
	Salt []byte

	EntryID   string
	Entry     []byte
	LeafIndex int64
}

// Each query below reads one kind of record in one statement, so records and
// entries written in one transaction are seen together.
var ledgerAuditQueries = map[string]string{
	"statement": `SELECT s.report_id, v.statement_id, v.version, k.wrapped, v.text, '', '', v.salt, e.id, e.entry, e.leaf_index
		FROM statement_versions v JOIN statements s ON s.id = v.statement_id
		LEFT JOIN data_keys k ON k.report_id = s.report_id
		LEFT JOIN ledger_entries e ON e.record_id = v.statement_id AND e.version = v.version AND e.kind = 'statement'
		ORDER BY s.report_id, v.statement_id, v.version`,
	"recantation": `SELECT s.report_id, s.id, 1, k.wrapped, NULL, s.recants_id, '', v.salt, e.id, e.entry, e.leaf_index
		FROM statements s
		LEFT JOIN statement_versions v ON v.statement_id = s.id AND v.version = 1
		LEFT JOIN data_keys k ON k.report_id = s.report_id
		LEFT JOIN ledger_entries e ON e.record_id = s.id AND e.version = 1 AND e.kind = 'recantation'
		WHERE s.recants_id IS NOT NULL
		ORDER BY s.report_id, s.id`,
	"attachment": `SELECT a.report_id, a.id, 1, k.wrapped, NULL, '', a.sha256, a.salt, e.id, e.entry, e.leaf_index
		FROM attachments a
		LEFT JOIN data_keys k ON k.report_id = a.report_id
		LEFT JOIN ledger_entries e ON e.record_id = a.id AND e.version = 1 AND e.kind = 'attachment'
		ORDER BY a.report_id, a.id`,
}

// EachLedgerAuditRecord calls fn for every stored record of kind
// ("statement", "recantation" or "attachment") joined with its entries, one
// call per (record, entry) pair, ordered by report.
func (q Q) EachLedgerAuditRecord(ctx context.Context, kind string, fn func(r *LedgerAuditRecord) error) error {
	query, ok := ledgerAuditQueries[kind]
	if !ok {
		return fmt.Errorf("store: ledger audit: unknown kind %q", kind)
	}
	rows, err := q.q.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("store: ledger audit %s: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		r := LedgerAuditRecord{Kind: kind, LeafIndex: -1}
		var recants, entryID sql.NullString
		var idx sql.NullInt64
		if err := rows.Scan(&r.ReportID, &r.RecordID, &r.Version, &r.WrappedKey, &r.Text, &recants, &r.SHA256, &r.Salt, &entryID, &r.Entry, &idx); err != nil {
			return fmt.Errorf("store: ledger audit %s: %w", kind, err)
		}
		r.RecantsID, r.EntryID = recants.String, entryID.String
		if idx.Valid {
			r.LeafIndex = idx.Int64
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: ledger audit %s: %w", kind, err)
	}
	return nil
}

// OrphanLedgerEntries returns the entries whose record no longer exists (or
// is no longer a recantation, for recantation links), and entries of an
// unknown kind.
func (q Q) OrphanLedgerEntries(ctx context.Context) ([]*LedgerEntry, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+ledgerEntryCols+` FROM ledger_entries e WHERE
		(e.kind = 'statement' AND NOT EXISTS (SELECT 1 FROM statement_versions v WHERE v.statement_id = e.record_id AND v.version = e.version))
		OR (e.kind = 'recantation' AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.id = e.record_id AND s.recants_id IS NOT NULL AND e.version = 1))
		OR (e.kind = 'attachment' AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.id = e.record_id AND e.version = 1))
		OR e.kind NOT IN ('statement', 'recantation', 'attachment')
		ORDER BY e.id`)
	if err != nil {
		return nil, fmt.Errorf("store: orphan ledger entries: %w", err)
	}
	defer rows.Close()
	var out []*LedgerEntry
	for rows.Next() {
		e, err := scanLedgerEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("store: orphan ledger entries: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// LedgerStorage is what the ledger occupies on disk, in bytes.
type LedgerStorage struct {
	// Entries is ledger_entries with its indexes.
	Entries int64
	// Tree is ledger_tiles and ledger_state with their indexes.
	Tree int64
}

// LedgerStorageBytes measures the ledger's tables. On PostgreSQL it uses
// pg_total_relation_size; on SQLite the dbstat table when the driver has it.
func (db *DB) LedgerStorageBytes(ctx context.Context) (LedgerStorage, error) {
	var s LedgerStorage
	if db.Engine == Postgres {
		err := db.w.QueryRowContext(ctx, `SELECT pg_total_relation_size('ledger_entries'), pg_total_relation_size('ledger_tiles') + pg_total_relation_size('ledger_state')`).Scan(&s.Entries, &s.Tree)
		if err != nil {
			return s, fmt.Errorf("store: ledger storage: %w", err)
		}
		return s, nil
	}
	err := db.w.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN name IN ('ledger_entries', 'ledger_entries_record', 'ledger_entries_queue') OR name LIKE 'sqlite_autoindex_ledger_entries%' THEN pgsize END), 0),
		COALESCE(SUM(CASE WHEN name IN ('ledger_tiles', 'ledger_state') OR name LIKE 'sqlite_autoindex_ledger_tiles%' THEN pgsize END), 0)
		FROM dbstat`).Scan(&s.Entries, &s.Tree)
	if err != nil {
		return s, fmt.Errorf("store: ledger storage (dbstat): %w", err)
	}
	return s, nil
}
