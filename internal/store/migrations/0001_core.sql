-- Core schema: organisations, staff, reports, statements, cases, referrals,
-- sealed data keys, audit. Times are Unix microseconds (UTC); IDs are UUIDv7
-- text, so ordering by id orders by creation time on both engines.
-- BLOB is rewritten to BYTEA for PostgreSQL; booleans are INTEGER 0/1.

CREATE TABLE organisations (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    country         TEXT NOT NULL DEFAULT '',
    receives_public INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret   TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    hash       BLOB NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0,
    revoked    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    hash       BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- data_keys holds each report's data key wrapped by the master key. Deleting
-- a row is erasure: the report's sealed fields and statement texts can no
-- longer be read, and everything else stays consistent.
CREATE TABLE data_keys (
    report_id  TEXT PRIMARY KEY,
    wrapped    BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE reports (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    tracking_code  TEXT NOT NULL UNIQUE,
    secret_hash    BLOB NOT NULL,
    channel        TEXT NOT NULL,
    language       TEXT NOT NULL,
    country        TEXT NOT NULL DEFAULT '',
    incident_types TEXT NOT NULL,
    victims        TEXT NOT NULL,
    places         TEXT NOT NULL,
    subjects       TEXT NOT NULL DEFAULT '[]',
    urgent         INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    sealed         BLOB,
    erased_at      BIGINT NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL DEFAULT '',
    received_at    BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX reports_org ON reports(org_id, id);
CREATE INDEX reports_status ON reports(status, id);

-- statements are the words of one person at one time. A recantation is a new
-- statement whose recants_id points at the statement it recants.
CREATE TABLE statements (
    id            TEXT PRIMARY KEY,
    report_id     TEXT NOT NULL REFERENCES reports(id),
    kind          TEXT NOT NULL,
    recants_id    TEXT REFERENCES statements(id),
    language      TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT '',
    taken_by      TEXT NOT NULL DEFAULT '',
    circumstances TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX statements_report ON statements(report_id, id);

-- statement_versions are append-only: a correction adds a version, nothing
-- is ever updated. text and salt are sealed with the report's data key.
CREATE TABLE statement_versions (
    statement_id TEXT NOT NULL REFERENCES statements(id),
    version      INTEGER NOT NULL,
    text         BLOB NOT NULL,
    salt         BLOB NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (statement_id, version)
);

-- attachments are content-addressed files stored outside the database.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES reports(id),
    sha256       TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size         BIGINT NOT NULL,
    name         BLOB,
    salt         BLOB NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_report ON attachments(report_id);

CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    title       TEXT NOT NULL,
    status      TEXT NOT NULL,
    urgency     TEXT NOT NULL,
    assignee_id TEXT REFERENCES users(id),
    due_at      BIGINT NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_org ON cases(org_id, id);

CREATE TABLE case_reports (
    case_id   TEXT NOT NULL REFERENCES cases(id),
    report_id TEXT NOT NULL REFERENCES reports(id),
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, report_id)
);
CREATE INDEX case_reports_report ON case_reports(report_id);

CREATE TABLE referrals (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    from_org_id  TEXT NOT NULL REFERENCES organisations(id),
    to_org_id    TEXT NOT NULL REFERENCES organisations(id),
    shared       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    response     TEXT NOT NULL DEFAULT '',
    responded_by TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    responded_at BIGINT NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX referrals_case ON referrals(case_id);
CREATE INDEX referrals_to ON referrals(to_org_id, id);

CREATE TABLE audit_events (
    id            TEXT PRIMARY KEY,
    at            BIGINT NOT NULL,
    actor_id      TEXT NOT NULL DEFAULT '',
    actor_org_id  TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_resource ON audit_events(resource_type, resource_id);

-- ledger_entries queues a commitment for the testimony ledger in the same
-- transaction that stores the record. leaf_index stays NULL until the
-- sequencer integrates the entry into the Merkle tree.
CREATE TABLE ledger_entries (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    version     INTEGER NOT NULL,
    entry       BLOB NOT NULL,
    leaf_index  BIGINT UNIQUE,
    received_at BIGINT NOT NULL
);
CREATE INDEX ledger_entries_record ON ledger_entries(record_id, version);
CREATE INDEX ledger_entries_pending ON ledger_entries(leaf_index, id);
