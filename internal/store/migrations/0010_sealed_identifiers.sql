-- 0008_sealed_identifiers: the link index holds no identifier in plaintext.
--
-- Before, identifiers.value held every phone number, e-mail and handle read
-- from sealed text in plaintext, and every id was an unkeyed hash of kind
-- and value (a phone number's is found by trying them all). Now an
-- identifier's id is its blind index (an HMAC keyed from the master key)
-- and its value is sealed under a key derived from the master key, bound to
-- the id. The SQL cannot compute either, and the index is derived data, so
-- the three tables are dropped — on SQLite their pages are zeroed (the
-- writer runs with secure_delete) and the file is vacuumed after this
-- migration — and made again empty. A Go step queues a links job for every
-- report; `vigil links rebuild` does the same in bulk, after which the jobs
-- find nothing to add.
--
-- side is what the reports say of an identifier: 'victim' once any report
-- has it as a reporter's or victim's contact (a contact field, or text such
-- as "my number"), else 'recruiter' once any text marks it as the
-- recruiter's or the compound's, else ''. identifier_sides holds what staff
-- said, per organisation; it is not derived, so a rebuild leaves it alone.
-- The public check answers only for an identifier that is recruiter-side
-- by its text or by staff, and victim-side by neither.
DROP TABLE identifiers;
DROP TABLE identifier_occurrences;
DROP TABLE report_links;
CREATE TABLE identifiers (
    id           TEXT NOT NULL PRIMARY KEY,
    kind         TEXT NOT NULL,
    sealed_value BLOB NOT NULL,
    side         TEXT NOT NULL DEFAULT '',
    report_count INTEGER NOT NULL DEFAULT 0,
    org_count    INTEGER NOT NULL DEFAULT 0,
    first_seen   BIGINT NOT NULL DEFAULT 0,
    last_seen    BIGINT NOT NULL DEFAULT 0,
    categories   TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;
-- Only identifiers that can be public are ranked (TopIdentifiers).
CREATE INDEX identifiers_by_last_seen ON identifiers(last_seen) WHERE side <> 'victim';
CREATE TABLE identifier_occurrences (
    identifier_id TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    report_id     TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT '',
    confidence    REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (identifier_id, org_id, report_id)
) WITHOUT ROWID;
CREATE TABLE report_links (
    report_id   TEXT PRIMARY KEY,
    cluster_id  TEXT NOT NULL,
    linked_at   BIGINT NOT NULL,
    identifiers TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX report_links_by_cluster ON report_links(cluster_id);
CREATE TABLE identifier_sides (
    identifier_id TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    side          TEXT NOT NULL,
    set_by        TEXT NOT NULL,
    set_at        BIGINT NOT NULL,
    PRIMARY KEY (identifier_id, org_id)
) WITHOUT ROWID;
