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
-- come from the reports.
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
ALTER TABLE identifier_occurrences_v2 RENAME TO identifier_occurrences;

-- identifiers lists a report's identifiers as "identifier_id:role" separated
-- by spaces, in identifier_id order.
CREATE TABLE report_links_v2 (
    report_id   TEXT PRIMARY KEY,
    cluster_id  TEXT NOT NULL,
    linked_at   BIGINT NOT NULL,
    identifiers TEXT NOT NULL DEFAULT ''
);
INSERT INTO report_links_v2 (report_id, cluster_id, linked_at, identifiers)
    SELECT l.report_id, l.cluster_id, l.linked_at,
        COALESCE((SELECT STRING_AGG(o.identifier_id || ':' || o.role, ' ' ORDER BY o.identifier_id) FROM identifier_occurrences o WHERE o.report_id = l.report_id), '')
    FROM report_links l;
DROP TABLE report_links;
ALTER TABLE report_links_v2 RENAME TO report_links;
CREATE INDEX report_links_by_cluster ON report_links(cluster_id);
