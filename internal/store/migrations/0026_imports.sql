-- Rows imported from spreadsheets and KoboToolbox (vigil import, the Kobo
-- webhook): one per source row, keyed by a stable hash of the source and
-- the row's key (or its content), so that importing the same rows again
-- creates nothing. original_at is the row's own date (0: none), beside
-- imported_at, the day it came into Vigil.
CREATE TABLE import_rows (
    org_id      TEXT NOT NULL,
    row_key     TEXT NOT NULL,
    report_id   TEXT NOT NULL,
    source      TEXT NOT NULL,
    line        INTEGER NOT NULL,
    original_at BIGINT NOT NULL DEFAULT 0,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, row_key)
);

-- Attachments a Kobo submission listed that could not be fetched when it
-- was imported (the server was unreachable or refused): kept to fetch later.
CREATE TABLE import_attachments (
    report_id  TEXT NOT NULL,
    url        TEXT NOT NULL,
    name       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, url)
);

-- KoboToolbox REST Service hooks: the secret token in the hook's URL
-- (stored as its SHA-256) names the organisation the submissions go to and
-- the mapping (YAML) that reads them.
CREATE TABLE kobo_hooks (
    id         TEXT NOT NULL PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    token_hash TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    mapping    TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL DEFAULT 0
);
