-- 0016_report_places: the places a report names, one row per distinct name,
-- so that the triage queue's place filter runs in SQL before the page limit
-- (it was applied in Go to one page). place_key is store.PlaceKey of the name
-- (a gazetteer ID, or the name as typed) and folded the name case-folded in
-- Go, so that both engines match a substring the same way. Places are open
-- fields of a report (not sealed), so nothing here is more than the report
-- row already holds. Derived data like report_incident_types: written with
-- the report (store.Q.PutIntake, PutReport) and filled here by Go code for the
-- reports already stored (store.fillReportPlaces); no foreign keys.
CREATE TABLE report_places (
    report_id TEXT NOT NULL,
    org_id    TEXT NOT NULL,
    place_key TEXT NOT NULL,
    folded    TEXT NOT NULL,
    PRIMARY KEY (report_id, folded)
) WITHOUT ROWID;

-- The triage queue lists an organisation's received reports still-held
-- first ((urgent, id) descending, keyset-paged): without this index its
-- first page sorted every received report (138 ms at 20,000 on SQLite in
-- BenchmarkTriageQueue; reports_triage has the language before the urgency).
CREATE INDEX reports_queue ON reports(org_id, status, urgent, id);
