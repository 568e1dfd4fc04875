-- Webhooks out (issue #17): an organisation's HTTPS endpoints and the
-- events each wants. The signing secret is sealed with the endpoint's own
-- data key (kept in data_keys under 'webhook:' || id, so a master-key
-- rotation rewraps it); deleting an endpoint destroys that key.
CREATE TABLE webhook_endpoints (
    id         TEXT NOT NULL PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    url        TEXT NOT NULL,
    events     TEXT NOT NULL,
    secret     BLOB NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    deleted_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id, deleted_at);

-- One event to send to one endpoint: written in the transaction of the
-- event (or of the job that fans a report out), sent by the
-- webhook.deliver job. payload is the exact body sent: IDs and codes only.
-- status: pending, delivered, failed.
CREATE TABLE webhook_deliveries (
    id           TEXT NOT NULL PRIMARY KEY,
    endpoint_id  TEXT NOT NULL REFERENCES webhook_endpoints(id),
    org_id       TEXT NOT NULL,
    event        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    next_at      BIGINT NOT NULL DEFAULT 0,
    last_code    INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);

-- Every attempt at a delivery: when, the HTTP status (0: none), how long
-- it took and the error, truncated; never more of the answer than 200
-- bytes.
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id),
    attempt     INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    status_code INTEGER NOT NULL,
    duration_ms BIGINT NOT NULL,
    error       TEXT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
