-- 0005_triage_index: the triage queue filters a organisation's received reports
-- by language and urgency and pages by id; without this index a filter that
-- matches few reports scans all of them.
CREATE INDEX reports_triage ON reports(org_id, status, language, urgent, id);
