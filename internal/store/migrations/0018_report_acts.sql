-- 0018_report_acts: what staff decided about a report outside its cases.
-- A report merged into another (a duplicate) has status 'merged' and
-- merged_into the ID of the report kept; a dismissed one has status
-- 'dismissed' and dismiss_reason one of not_actionable, duplicate, spam,
-- out_of_scope (the note staff wrote is sealed in the audit trail, not
-- here). Both are cleared when the report is reopened. Open columns: an ID
-- and a code, nothing a report's sealed part holds.
ALTER TABLE reports ADD COLUMN merged_into TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN dismiss_reason TEXT NOT NULL DEFAULT '';
-- The duplicates merged into a report, for its page and for re-pointing
-- them when the report kept is itself merged.
CREATE INDEX reports_merged_into ON reports(merged_into) WHERE merged_into <> '';
