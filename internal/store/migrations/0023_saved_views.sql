-- A staff member's saved list views: a name for the filters of the triage
-- queue or the case list, as the list page writes them in its URL. Each
-- belongs to one account and is read only by it.
CREATE TABLE saved_views (
    id         TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    list       TEXT NOT NULL,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, list, name)
);

-- The case notes a referral shares with its partner, each at the version
-- it had when the case was referred (an edit afterwards is not shared).
-- None by default: a note is internal unless the referrer chose it.
CREATE TABLE referral_notes (
    referral_id  TEXT NOT NULL REFERENCES referrals(id),
    note_id      TEXT NOT NULL REFERENCES case_notes(id),
    note_version INTEGER NOT NULL,
    PRIMARY KEY (referral_id, note_id)
);
