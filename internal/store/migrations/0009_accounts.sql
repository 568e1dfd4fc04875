-- 0008_accounts: audit events belong to the organisation whose resource they
-- touch (org_id), so each organisation reads its own trail. The actor's
-- organisation (actor_org_id) differs when a partner acts on a referred
-- case, or an operator on an organisation.
ALTER TABLE audit_events ADD COLUMN org_id TEXT NOT NULL DEFAULT '';

-- Fill org_id for the events already stored, from each resource's owner
-- (store.Q.AuditOrg does the same for new events).
UPDATE audit_events SET org_id = COALESCE((SELECT r.org_id FROM reports r WHERE r.id = audit_events.resource_id), '')
    WHERE resource_type = 'report';
UPDATE audit_events SET org_id = COALESCE((SELECT c.org_id FROM cases c WHERE c.id = audit_events.resource_id), '')
    WHERE resource_type = 'case';
UPDATE audit_events SET org_id = COALESCE((SELECT f.from_org_id FROM referrals f WHERE f.id = audit_events.resource_id), '')
    WHERE resource_type = 'referral';
UPDATE audit_events SET org_id = COALESCE((SELECT r.org_id FROM screening_hits h JOIN reports r ON r.id = h.report_id WHERE h.id = audit_events.resource_id), '')
    WHERE resource_type = 'screening_hit';
UPDATE audit_events SET org_id = COALESCE((SELECT u.org_id FROM users u WHERE u.id = audit_events.resource_id), '')
    WHERE resource_type = 'user';
UPDATE audit_events SET org_id = resource_id WHERE resource_type = 'organisation';
UPDATE audit_events SET org_id = actor_org_id WHERE org_id = '';

CREATE INDEX audit_org ON audit_events(org_id, id);
CREATE INDEX audit_actor_org ON audit_events(actor_org_id, id);

-- Disabling a user ends its sessions and revokes its tokens
-- (store.Q.DeleteUserSessions, RevokeUserTokens); tokens are listed by user.
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX api_tokens_user ON api_tokens(user_id, id);
