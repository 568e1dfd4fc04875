-- 0013_search: the search index (package search).
--
-- search_terms holds, for every report, the keyed hashes of the normalised
-- terms of its statements ("t") and of its subjects' names ("s"): words,
-- and character n-grams for scripts written without spaces. A term's hash
-- is an HMAC under a key derived from the master key and the report's
-- organisation (seal.SearchHasher), so the table holds no readable text
-- and the SQL cannot compute or invert a term. It is derived data: `vigil
-- search rebuild` recomputes it from the reports.
--
-- Clustered on (term, report_id) (WITHOUT ROWID; dropped for PostgreSQL):
-- a term's reports, newest first, are one backward range read, and "does
-- report R have term T" is one probe. The second index finds a report's
-- rows to delete them when the report is erased.
CREATE TABLE search_terms (
    term      BLOB NOT NULL,
    report_id TEXT NOT NULL,
    PRIMARY KEY (term, report_id)
) WITHOUT ROWID;
CREATE INDEX search_terms_report ON search_terms(report_id);
