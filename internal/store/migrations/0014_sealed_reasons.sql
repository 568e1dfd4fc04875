-- 0014_sealed_reasons: the reason an audit event gives (why a report's
-- sealed fields were revealed, why it was erased, why a case was reopened)
-- is sealed at rest. Reasons often name people ("checking Sokha's
-- brother's phone"), and audit_events.reason held them in plaintext.
--
-- reason_sealed holds the reason sealed under a key derived from the master
-- key, bound to the event's id; reason stays empty for new events. The SQL
-- cannot seal, so the reasons stored before this migration are sealed by a
-- Go step every process that holds the master key runs when it starts
-- (audit.SealStoredReasons): it moves each plaintext reason into
-- reason_sealed and empties reason, and on SQLite then vacuums the file and
-- empties the WAL so the plaintext does not linger in free pages. The
-- partial index finds the rows left to seal without reading the trail.
ALTER TABLE audit_events ADD COLUMN reason_sealed BLOB;
CREATE INDEX audit_plain_reason ON audit_events(id) WHERE reason <> '';
