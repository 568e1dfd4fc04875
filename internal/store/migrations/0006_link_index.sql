-- 0006_link_index: the link index reshaped for a million reports.
--
-- identifier_occurrences and report_links are derived data: `vigil links
-- rebuild` recomputes them from the reports. They lose their foreign keys,
-- which cost a lookup per row in a bulk load, and the occurrences are kept
-- in (identifier, organisation, report) order — clustered on SQLite (WITHOUT
-- ROWID, dropped for PostgreSQL) — so "which reports share this identifier"
-- and "is it already seen in this organisation" are prefix reads, and a
-- rebuild writes them in key order. The report → identifiers direction is
-- the identifiers column of report_links (one row per report) instead of a
-- second index over every occurrence. seen_at is gone: first and last seen
-- come from the reports. identifiers is clustered on its id as well, and
-- loses its (kind, value) index: the id is a hash of kind and value
-- (links.identifierID), so it is the look-up by kind and value.
CREATE TABLE identifiers_v2 (
    id           TEXT NOT NULL PRIMARY KEY,
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    blind        INTEGER NOT NULL DEFAULT 0,
    report_count INTEGER NOT NULL DEFAULT 0,
    org_count    INTEGER NOT NULL DEFAULT 0,
    first_seen   BIGINT NOT NULL DEFAULT 0,
    last_seen    BIGINT NOT NULL DEFAULT 0,
    categories   TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;
INSERT INTO identifiers_v2 SELECT id, kind, value, blind, report_count, org_count, first_seen, last_seen, categories FROM identifiers;
CREATE TABLE identifier_occurrences_v2 (
    identifier_id TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    report_id     TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT '',
    confidence    REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (identifier_id, org_id, report_id)
) WITHOUT ROWID;
INSERT INTO identifier_occurrences_v2 (identifier_id, org_id, report_id, role, confidence)
    SELECT identifier_id, org_id, report_id, role, confidence FROM identifier_occurrences;
DROP TABLE identifier_occurrences;
DROP TABLE identifiers;
ALTER TABLE identifier_occurrences_v2 RENAME TO identifier_occurrences;
ALTER TABLE identifiers_v2 RENAME TO identifiers;
-- Only identifiers that can be counted are ranked (TopIdentifiers).
CREATE INDEX identifiers_by_last_seen ON identifiers(last_seen) WHERE blind = 0;

-- identifiers lists a report's identifiers as "identifier_id:role" separated
-- by spaces, in identifier_id order.
CREATE TABLE report_links_v2 (
    report_id   TEXT PRIMARY KEY,
    cluster_id  TEXT NOT NULL,
    linked_at   BIGINT NOT NULL,
    identifiers TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
INSERT INTO report_links_v2 (report_id, cluster_id, linked_at, identifiers)
    SELECT l.report_id, l.cluster_id, l.linked_at,
        COALESCE((SELECT STRING_AGG(o.identifier_id || ':' || o.role, ' ' ORDER BY o.identifier_id) FROM identifier_occurrences o WHERE o.report_id = l.report_id), '')
    FROM report_links l;
DROP TABLE report_links;
ALTER TABLE report_links_v2 RENAME TO report_links;
CREATE INDEX report_links_by_cluster ON report_links(cluster_id);
