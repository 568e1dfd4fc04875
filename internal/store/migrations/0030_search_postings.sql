-- 0030_search_postings: the search index keeps each term's reports as
-- posting blocks instead of a row for every term of every report.
--
-- search_terms had a row per (term, report): 89 a generated report, the
-- report's id as 36 characters of text in each, 7.5 KB a report on SQLite
-- and 15.5 KB on PostgreSQL, most of the database, and inserting them was
-- most of SQLite's one writer's time. A row of search_postings holds up to
-- a hundred of a term's reports as their ids' 16 bytes, ascending
-- (store/postings.go says how a term's blocks are kept: disjoint, in
-- order, the last one, which new reports are appended to, under the key
-- X'FF…FF' so that a merge finds it by key).
--
-- The rows already merged go back to search_pending, ahead of anything
-- intake writes next (their ids sort first), and the server's merge moves
-- them into blocks in the order of their reports; searches find them
-- meanwhile (they read pending rows whole, slowly when there are many:
-- with more than a few tens of thousands of reports, run `vigil search
-- rebuild` after upgrading instead of waiting).
CREATE TABLE search_postings (
    term    BLOB NOT NULL,
    k       BLOB NOT NULL,
    lo      BLOB NOT NULL,
    reports BLOB NOT NULL,
    PRIMARY KEY (term, k)
) WITHOUT ROWID;
DROP TABLE search_terms;
INSERT INTO search_pending (id, report_id, terms)
    SELECT '0-' || report_id || '-' || ROW_NUMBER() OVER (PARTITION BY report_id ORDER BY terms), report_id, terms FROM search_docs;
DELETE FROM search_docs;
