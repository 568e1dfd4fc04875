-- 0029_identifier_trust: what the public check may say of an identifier,
-- kept per identifier so a check reads one row.
--
-- Issue 16's trust rules weigh every report naming an identifier (verified
-- or not, how many independent sources, a held burst). Read at each check,
-- that was up to 500 reports joined to their cases and verifications: the
-- check at 1M reports fell from 11,554/s to 442/s. The assessment, with
-- everything else the check reads, is now kept here, written by the trust worker (links.RunTrust) whenever
-- something it depends on changes: a report linked or unlinked, verified or
-- not, put in a case or taken out, an identifier's side or marks. Those
-- changes mark the identifier in trust_pending, in the same transaction;
-- while it is marked (or has no row), the check weighs the reports itself,
-- as before, so no answer is ever stale.
CREATE TABLE identifier_trust (
    identifier_id TEXT NOT NULL PRIMARY KEY,
    verified      INTEGER NOT NULL,
    first_seen    BIGINT NOT NULL,
    last_seen     BIGINT NOT NULL,
    categories    TEXT NOT NULL,
    sources       INTEGER NOT NULL,
    shown         INTEGER NOT NULL,
    held          INTEGER NOT NULL,
    -- What else the check reads, as of the weighing: whether the
    -- identifier is public (Identifier.Public), protected by any
    -- organisation, or marked wrongly reported by any. A change to any of
    -- them marks the identifier too, so a check reads this one row.
    public        INTEGER NOT NULL,
    protected     INTEGER NOT NULL,
    disputed      INTEGER NOT NULL,
    -- changed_at is when the row was last written (microseconds): the
    -- published range reads the rows changed since its last build.
    changed_at    BIGINT NOT NULL
);
CREATE INDEX identifier_trust_changed ON identifier_trust(changed_at);

-- Weighing reads the newest reports naming an identifier, each found by its
-- id: this index holds every column it reads of them, so each is one probe
-- of a small B-tree instead of the key's and then the row's (at 1M reports,
-- cold: 18.5 → 10.6 ms an identifier; as it warms, 11.8 → 3.3 ms).
CREATE INDEX reports_signals ON reports(id, org_id, channel, language, created_by, received_at, incident_types);

-- trust_pending: identifiers whose row must be written again. token
-- changes with every mark, so the worker deletes a mark only if nothing
-- marked the identifier again while it was weighing it.
CREATE TABLE trust_pending (
    identifier_id TEXT NOT NULL PRIMARY KEY,
    token         TEXT NOT NULL
);
-- Every identifier indexed or protected before this migration is weighed
-- once.
INSERT INTO trust_pending (identifier_id, token) SELECT id, '' FROM identifiers;
INSERT INTO trust_pending (identifier_id, token) SELECT DISTINCT identifier_id, '' FROM protected_identifiers
    WHERE identifier_id NOT IN (SELECT id FROM identifiers);
