-- 0007_stats: what the statistics page and the triage queue's incident-type
-- filter read, kept up to date in the transactions that write reports and
-- cases (store.Q.PutIntake, PutReport, PutCase, SetReportStatus) and filled
-- for the rows already stored by Go code run in this migration's transaction
-- (store.fillStats).

-- report_stats is a roll-up of counts per organisation: dim is one of
-- report_month, case_month (keys "2006-01", UTC), nationality, incident_type,
-- place (a gazetteer ID or the name as typed). Writers add to it with one
-- multi-row upsert per batch, rows sorted by primary key.
CREATE TABLE report_stats (
    org_id TEXT NOT NULL,
    dim    TEXT NOT NULL,
    key    TEXT NOT NULL,
    count  BIGINT NOT NULL,
    PRIMARY KEY (org_id, dim, key)
) WITHOUT ROWID;

-- report_incident_types has one row per report and incident type, with the
-- report's organisation, status, urgency and language copied so that one
-- index serves the triage queue's filters and its paging by report id. The
-- language ends the index so that it is checked in the index (a second index
-- with the language before the id cost a third of the intake's write time).
-- WITHOUT ROWID (SQLite only; it is dropped for PostgreSQL) saves one b-tree
-- per row; like the roll-up it is derived data, without foreign keys.
CREATE TABLE report_incident_types (
    report_id     TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    status        TEXT NOT NULL,
    incident_type TEXT NOT NULL,
    urgent        INTEGER NOT NULL,
    language      TEXT NOT NULL,
    PRIMARY KEY (report_id, incident_type)
) WITHOUT ROWID;
CREATE INDEX report_incident_types_triage ON report_incident_types(org_id, status, incident_type, urgent, report_id, language);
