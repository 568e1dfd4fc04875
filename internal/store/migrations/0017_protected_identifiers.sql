-- 0017_protected_identifiers: what the public check may trust.
--
-- Three anonymous reports made any number answer "reported" with no staff
-- review, so a compound could smear a rescuer's hotline. The check now
-- counts (in bands) only verified reports: a report in a case, or one staff
-- marked verified here. Unverified reports answer apart, and only when they
-- are independent (links.Check says which signals count).
--
-- report_verifications: a staff member's word that a report is credible
-- (POST /api/v1/reports/{id}/verified, audited). Deleting the row takes the
-- word back. Not derived: a links rebuild leaves it alone.
CREATE TABLE report_verifications (
    report_id   TEXT PRIMARY KEY REFERENCES reports(id),
    org_id      TEXT NOT NULL,
    verified_by TEXT NOT NULL,
    verified_at BIGINT NOT NULL
);

-- protected_identifiers: an organisation's own and its partners' numbers,
-- handles and domains (hotlines, embassies, NGOs). The check answers
-- "known legitimate contact" for them and no report moves them.
-- identifier_id is the blind index of the normalised value (as
-- identifiers.id), sealed_value the value sealed as identifiers'
-- (seal.Keyring.SealIdentifier), so no value is stored in plaintext.
CREATE TABLE protected_identifiers (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    identifier_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    sealed_value  BLOB NOT NULL,
    country       TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX protected_identifiers_org ON protected_identifiers(org_id, identifier_id);
CREATE INDEX protected_identifiers_identifier ON protected_identifiers(identifier_id);

-- identifier_disputes: an organisation's word that an identifier was
-- wrongly reported (the reason is in the audit trail, sealed). While any
-- organisation holds it, the check answers as for an identifier never
-- reported. Like identifier_sides, not derived.
CREATE TABLE identifier_disputes (
    identifier_id TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    set_by        TEXT NOT NULL,
    set_at        BIGINT NOT NULL,
    PRIMARY KEY (identifier_id, org_id)
) WITHOUT ROWID;
