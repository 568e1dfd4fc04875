-- 0008_keys: which keys this database belongs to. "instance" holds one row
-- per setting of the whole installation; the first two are the fingerprint
-- of the master key that wraps the data keys and the ledger's verifier key.
-- A server refuses to start with a key that does not match, and never
-- creates a new key for a database that already names one, so a missing
-- key file can no longer silently seal new reports under a key nobody else
-- holds.
CREATE TABLE instance (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
