-- 0028_search_docs: a report's rows of the search index are listed in
-- search_docs, and search_terms loses its second index (by report).
--
-- The index by report was there only to delete a report's rows when it is
-- erased, and it cost half of what the index adds to intake: every term of
-- a new report was a random insert into two B-trees (both keyed by the
-- 16-byte hash and a 36-character id), and half of the index's size. Now
-- each report (or statement added later) has a search_docs row holding the
-- hashes indexed for it, concatenated (written when they are merged into
-- search_terms, below, or by a rebuild), and erasure reads them back and
-- deletes those rows of search_terms by its key.
--
-- Rows indexed before this migration get one search_docs row each, so
-- their reports can still be erased completely; `vigil search rebuild`
-- writes one row per report.
CREATE TABLE search_docs (
    report_id TEXT NOT NULL,
    terms     BLOB NOT NULL
);
CREATE INDEX search_docs_report ON search_docs(report_id);
INSERT INTO search_docs (report_id, terms) SELECT report_id, term FROM search_terms;
DROP INDEX search_terms_report;

-- search_pending holds, per report (or statement added later), the hashes
-- intake wrote that are not yet in search_terms: intake writes this one row
-- instead of one random insert into search_terms for every term (89 for a
-- generated report), and a background merge moves 500 reports' rows
-- at a time into search_terms in key order, then deletes them here.
-- Searches read both.
CREATE TABLE search_pending (
    id        TEXT PRIMARY KEY,
    report_id TEXT NOT NULL,
    terms     BLOB NOT NULL
);
CREATE INDEX search_pending_report ON search_pending(report_id);
