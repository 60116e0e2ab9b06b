-- Webhook endpoints, deliveries and their attempts (DESIGN.md §5). Portable SQL: both backends run
-- the same text.

-- A merchant's endpoint. Secrets are stored encrypted (AES-256-GCM, key id in the ciphertext, the
-- merchant id as associated data): the dispatcher needs them to sign. During a rotation overlap the
-- previous secret signs too, until previous_expires_us.
CREATE TABLE webhook_endpoints (
    merchant_id                 TEXT NOT NULL,
    env                         TEXT NOT NULL,
    id                          TEXT NOT NULL,
    url                         TEXT NOT NULL,
    enabled_events              TEXT NOT NULL,
    description                 TEXT,
    status                      TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    secret_ciphertext           TEXT NOT NULL,
    previous_secret_ciphertext  TEXT,
    previous_expires_us         BIGINT,
    failing_since_us            BIGINT,
    created_us                  BIGINT NOT NULL,
    updated_us                  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, env, id)
);
CREATE INDEX webhook_endpoints_list ON webhook_endpoints (merchant_id, env, created_us, id);

-- One delivery per event and subscribed endpoint (plus manual resends). next_attempt_us is NULL
-- once nothing more is scheduled; lease_us marks a claim by a dispatcher until that time (an
-- expired lease is taken over: at-least-once after a crash).
CREATE TABLE webhook_deliveries (
    merchant_id       TEXT NOT NULL,
    env               TEXT NOT NULL,
    id                TEXT NOT NULL,
    endpoint_id       TEXT NOT NULL,
    event_id          TEXT NOT NULL,
    event_type        TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'retrying', 'succeeded', 'exhausted', 'canceled')),
    attempts          BIGINT NOT NULL,
    next_attempt_us   BIGINT,
    lease_us          BIGINT,
    last_status_code  BIGINT,
    last_error        TEXT,
    created_us        BIGINT NOT NULL,
    updated_us        BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, env, id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_us) WHERE next_attempt_us IS NOT NULL;
-- Claims walk each endpoint's due deliveries in order, so a backlog costs nothing per claim.
CREATE INDEX webhook_deliveries_endpoint_due ON webhook_deliveries (merchant_id, env, endpoint_id, next_attempt_us)
    WHERE next_attempt_us IS NOT NULL;
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (merchant_id, env, endpoint_id, created_us, id);

-- Every attempt: when, how long, what came back (body truncated), or why it failed.
CREATE TABLE webhook_attempts (
    merchant_id    TEXT NOT NULL,
    env            TEXT NOT NULL,
    delivery_id    TEXT NOT NULL,
    attempt        BIGINT NOT NULL,
    started_us     BIGINT NOT NULL,
    latency_us     BIGINT NOT NULL,
    status_code    BIGINT,
    response_body  TEXT,
    error_class    TEXT,
    PRIMARY KEY (merchant_id, env, delivery_id, attempt)
);
