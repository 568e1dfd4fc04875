-- 0024_conversations: messages between staff and a report's reporter, and
-- the drafts of reports being written in a chat app (Telegram …).
--
-- A message's text is sealed with its report's data key, so erasing the
-- report erases the conversation. A reporter's message is also a statement
-- of the report (statement_id), committed to the ledger like any other.
-- read_at is when the other side first read it (0: unread): staff read a
-- reporter's message on the report page, the reporter a staff message on
-- the track page or through /status in a chat.
CREATE TABLE report_messages (
    id           TEXT PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES reports(id),
    org_id       TEXT NOT NULL,
    from_staff   INTEGER NOT NULL,
    author_id    TEXT NOT NULL,
    statement_id TEXT NOT NULL,
    language     TEXT NOT NULL,
    text         BLOB NOT NULL,
    created_at   BIGINT NOT NULL,
    read_at      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX report_messages_report ON report_messages(report_id, id);
CREATE INDEX report_messages_unread ON report_messages(org_id, from_staff, read_at);

-- A report being written in a chat: one per chat of a channel, the chat
-- known only by a blind index (seal.Keyring.BlindIndex), never its ID. The
-- draft's content is sealed with its own data key, stored wrapped beside
-- it; deleting the row (sent, cancelled or expired) leaves nothing.
CREATE TABLE chat_drafts (
    channel    TEXT NOT NULL,
    chat       TEXT NOT NULL,
    wrapped    BLOB NOT NULL,
    body       BLOB NOT NULL,
    updated_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (channel, chat)
);
CREATE INDEX chat_drafts_expiry ON chat_drafts(expires_at);

-- Where a channel's poller stopped (Telegram: the next update_id to ask for).
CREATE TABLE chat_cursors (
    channel TEXT PRIMARY KEY,
    next    BIGINT NOT NULL
);
