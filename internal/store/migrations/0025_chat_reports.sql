-- 0025_chat_reports: which chat filed which report, so that a reporter who
-- writes to the bot again is given the staff's unread messages and can
-- answer without the tracking code and secret.
--
-- The chat is known only by the same keyed blind index its draft is kept
-- under (seal.Keyring.BlindIndex of "chat:<channel>" and the chat's ID),
-- never by its ID: without the master key the rows do not tell which chat
-- filed a report. A chat may have filed several reports; the newest is the
-- one /reply answers. /delete in the chat deletes its rows, and erasing a
-- report deletes the report's, in the erasure's transaction.
CREATE TABLE chat_reports (
    channel    TEXT NOT NULL,
    chat       TEXT NOT NULL,
    report_id  TEXT NOT NULL REFERENCES reports(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (channel, chat, report_id)
);
CREATE INDEX chat_reports_report ON chat_reports(report_id);
