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
