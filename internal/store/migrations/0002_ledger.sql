-- 0002_ledger: the testimony ledger's Merkle tree (package ledger).
--
-- The tree is stored as C2SP tlog-tiles: tile (level, idx) is the
-- concatenation of up to 256 SHA-256 hashes at Merkle level 8*level, starting
-- at hash number idx*256 of that level. The rightmost tile of each level grows
-- in place until it is full; a prefix of a tile never changes, so any older
-- tree size can still be proven from the same rows. One row covers 256 leaves
-- (level 0), so an append writes a handful of rows whatever the batch size.
CREATE TABLE ledger_tiles (
    level  INTEGER NOT NULL,
    idx    BIGINT NOT NULL,
    hashes BLOB NOT NULL,
    PRIMARY KEY (level, idx)
);

-- ledger_state is one row (id 1): the integrated tree size, its root and the
-- signed checkpoint for exactly that size. The sequencer updates it in the
-- transaction that assigns leaf indexes and writes tiles, guarded by the
-- previous size, so a checkpoint always describes committed leaves and two
-- sequencers can never both extend the same tree.
CREATE TABLE ledger_state (
    id         INTEGER PRIMARY KEY,
    size       BIGINT NOT NULL,
    root       BLOB NOT NULL,
    checkpoint TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The sequencer's queue: only pending entries are in this partial index, so
-- taking the next batch stays cheap however large the log grows. It replaces
-- ledger_entries_pending from 0001 (leaf_index already has its UNIQUE index).
CREATE INDEX ledger_entries_queue ON ledger_entries(id) WHERE leaf_index IS NULL;
DROP INDEX ledger_entries_pending;
