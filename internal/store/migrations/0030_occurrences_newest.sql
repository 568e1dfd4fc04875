-- 0030_occurrences_newest: an identifier's occurrences in report order.
--
-- The trust worker (and the check, for an identifier not weighed yet) reads
-- the newest 500 reports naming an identifier. The primary key orders an
-- identifier's occurrences by organisation first, so every one of them was
-- read and sorted to find the newest: for a recruiter's number named in
-- 30,000 reports, 30,000 rows read and sorted each time one more report
-- named it. Through this index the newest are the first 500 entries read.
CREATE INDEX identifier_occurrences_newest ON identifier_occurrences(identifier_id, report_id);
