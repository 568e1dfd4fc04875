-- 0003_watchlist: sanctions and watch lists, their versions and entries, and
-- the screening hits of report subjects (package screen).

-- watchlists is one row per list; version counts imports that changed it.
CREATE TABLE watchlists (
    name       TEXT PRIMARY KEY,
    format     TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    version    INTEGER NOT NULL,
    entries    INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- watchlist_versions records what each import added, changed and removed.
CREATE TABLE watchlist_versions (
    list_name   TEXT NOT NULL REFERENCES watchlists(name),
    version     INTEGER NOT NULL,
    format      TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    entries     INTEGER NOT NULL,
    added       INTEGER NOT NULL,
    changed     INTEGER NOT NULL,
    removed     INTEGER NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (list_name, version)
);

-- watchlist_entries holds each list's current entries. Multi-valued fields
-- are JSON arrays; hash is the digest of the entry's content, which a
-- screening hit remembers; version is the list version that last changed it.
CREATE TABLE watchlist_entries (
    list_name   TEXT NOT NULL REFERENCES watchlists(name),
    entry_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL DEFAULT '',
    aliases     TEXT NOT NULL DEFAULT '[]',
    birth_dates TEXT NOT NULL DEFAULT '[]',
    countries   TEXT NOT NULL DEFAULT '[]',
    programs    TEXT NOT NULL DEFAULT '[]',
    remarks     TEXT NOT NULL DEFAULT '',
    hash        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (list_name, entry_id)
);

-- screening_hits are report subjects that matched a list entry, for an
-- investigator to confirm or dismiss. One row per (report, subject, list,
-- entry); reviewed_hash is the entry's hash when it was reviewed, so a
-- dismissal holds until the entry changes. score is in ten-thousandths.
CREATE TABLE screening_hits (
    id            TEXT PRIMARY KEY,
    report_id     TEXT NOT NULL REFERENCES reports(id),
    subject       TEXT NOT NULL,
    subject_type  TEXT NOT NULL DEFAULT '',
    list_name     TEXT NOT NULL,
    entry_id      TEXT NOT NULL,
    entry_name    TEXT NOT NULL,
    entry_hash    TEXT NOT NULL,
    list_version  INTEGER NOT NULL,
    score         INTEGER NOT NULL,
    why           TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending',
    reviewer_id   TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    reviewed_at   BIGINT NOT NULL DEFAULT 0,
    reviewed_hash TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX screening_hits_key ON screening_hits(report_id, subject, list_name, entry_id);
CREATE INDEX screening_hits_status ON screening_hits(status, id);
CREATE INDEX screening_hits_entry ON screening_hits(list_name, entry_id);
