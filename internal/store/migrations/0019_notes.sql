-- 0019_notes: a case's internal notes, and how a statement staff took
-- reached them.
--
-- A note is staff's own working text about a case. Its text is sealed with
-- the case's data key (data_keys, keyed by the case's ID as a report's key
-- is by the report's; made with the case's first note), never stored in
-- clear. Editing adds a version; every version stays readable to those who
-- may read the case's notes. Partners never read them.
CREATE TABLE case_notes (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version    INTEGER NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, id);

CREATE TABLE case_note_versions (
    note_id    TEXT NOT NULL REFERENCES case_notes(id),
    version    INTEGER NOT NULL,
    text       BLOB NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (note_id, version)
);

-- A statement staff took (by phone, in person, in a chat, from a letter):
-- the channel it came by; created_by is the staff member who took it.
-- Empty for a statement filed by the reporter.
ALTER TABLE statements ADD COLUMN channel TEXT NOT NULL DEFAULT '';

-- A report staff entered (by phone, in person, from a letter) says when the
-- reporter first made contact: the start of that day, Unix microseconds,
-- UTC; 0 when not given. created_by already names who entered it.
ALTER TABLE reports ADD COLUMN contacted_at BIGINT NOT NULL DEFAULT 0;
