-- 0022_password_reset_zones: an admin's one-time password reset link, and
-- time zones.
--
-- password_resets holds the one-time links an admin makes for another
-- user to set a new password: only the SHA-256 hash of the token, so a
-- copy of the database cannot use them. A link works once (used_at set
-- when it is used) and until expires_at; making a new one for the same
-- user drops the user's earlier unused links.
CREATE TABLE password_resets (
    hash       BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX password_resets_user ON password_resets(user_id);

-- time_zone is an IANA zone name (Asia/Bangkok): the organisation's, by
-- default the one of its country ('' until set: the country decides), and
-- a user's own choice ('' : the organisation's). Times on the staff pages
-- and the daily digest's midnight are in the user's zone.
ALTER TABLE organisations ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
