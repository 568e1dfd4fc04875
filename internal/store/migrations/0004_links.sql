-- 0004_links: the identifier link index and durable follow-up jobs.

-- identifiers holds each normalised identifier once. Victims' own contact
-- details are stored as a keyed hash (blind = 1), never in clear, and are
-- never counted by the public check. The aggregates are kept up to date as
-- reports are linked, so a check is one indexed read.
CREATE TABLE identifiers (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    blind        INTEGER NOT NULL DEFAULT 0,
    report_count INTEGER NOT NULL DEFAULT 0,
    org_count    INTEGER NOT NULL DEFAULT 0,
    first_seen   BIGINT NOT NULL DEFAULT 0,
    last_seen    BIGINT NOT NULL DEFAULT 0,
    categories   TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX identifiers_kind_value ON identifiers(kind, value);
CREATE INDEX identifiers_last_seen ON identifiers(last_seen);

CREATE TABLE identifier_occurrences (
    identifier_id TEXT NOT NULL REFERENCES identifiers(id),
    report_id     TEXT NOT NULL REFERENCES reports(id),
    org_id        TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT '',
    confidence    REAL NOT NULL DEFAULT 0,
    seen_at       BIGINT NOT NULL,
    PRIMARY KEY (identifier_id, report_id)
);
CREATE INDEX identifier_occurrences_report ON identifier_occurrences(report_id);

-- report_links gives each linked report its cluster: the connected component
-- of reports sharing identifiers, named by its earliest report's id.
CREATE TABLE report_links (
    report_id  TEXT PRIMARY KEY REFERENCES reports(id),
    cluster_id TEXT NOT NULL,
    linked_at  BIGINT NOT NULL
);
CREATE INDEX report_links_cluster ON report_links(cluster_id);

-- jobs are follow-up work queued in the intake transaction: a restart loses
-- none. A job is claimed by moving run_after past a lease; done_at marks it
-- finished.
CREATE TABLE jobs (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    report_id  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    run_after  BIGINT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    done_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX jobs_pending ON jobs(done_at, run_after, id);
