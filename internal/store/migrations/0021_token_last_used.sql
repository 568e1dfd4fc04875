-- When each API token was last used (Unix microseconds; 0: never), written
-- at most once a minute per token, so admins can tell a token in use from
-- one to revoke.
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;
