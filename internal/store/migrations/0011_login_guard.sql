-- 0011_login_guard: sign-ins are throttled per account, a TOTP code is
-- used once, and an organisation requires a second factor of its admins,
-- coordinators and operators unless it says otherwise.
--
-- login_throttle counts failed sign-ins in a row under a hash of the
-- e-mail address as typed (auth.ThrottleKey), for known and unknown
-- addresses alike, so a lockout does not tell which accounts exist. A
-- successful sign-in deletes the row; rows idle for a day are pruned.
CREATE TABLE login_throttle (
    key          BLOB PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX login_throttle_updated ON login_throttle(updated_at);

-- totp_step is the last TOTP time step a sign-in used; a code of that step
-- or an earlier one is refused.
ALTER TABLE users ADD COLUMN totp_step BIGINT NOT NULL DEFAULT 0;

-- totp_optional: 0 (the default, also for organisations made before this
-- migration) requires a second factor of the roles auth.NeedsSecondFactor
-- names.
ALTER TABLE organisations ADD COLUMN totp_optional INTEGER NOT NULL DEFAULT 0;
