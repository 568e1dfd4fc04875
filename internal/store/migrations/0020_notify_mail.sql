-- 0019_notify_mail: notifications by e-mail, and the periodic ones.
-- dedupe names the event a notification is about when the same event could
-- be noticed twice (the deadline sweep sees an overdue case every time it
-- runs): one notification per user, kind and dedupe. mailed_at is when the
-- notification went out by e-mail (alone or in a digest), 0 until then.
ALTER TABLE notifications ADD COLUMN dedupe TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN mailed_at BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX notifications_dedupe ON notifications(user_id, kind, dedupe) WHERE dedupe <> '';
CREATE INDEX notifications_unmailed ON notifications(user_id, mailed_at);

-- notify_settings is how each staff member wants to be told by e-mail:
-- mail is 'each' (a message per notification), 'digest' (one a day) or
-- 'none'; lang the language of the messages; digest_at when the last
-- digest went out. A user without a row gets each, in English.
CREATE TABLE notify_settings (
    user_id   TEXT PRIMARY KEY REFERENCES users(id),
    mail      TEXT NOT NULL DEFAULT 'each',
    lang      TEXT NOT NULL DEFAULT 'en',
    digest_at BIGINT NOT NULL DEFAULT 0
);

-- The deadline sweep reads the open cases due before a moment.
CREATE INDEX cases_due ON cases(due_at) WHERE due_at > 0;
