-- The per-merchant request log (docs/reference.md §6): one row per API request whose key was
-- recognised (valid, revoked or expired). Never a body, a key or bank details: the route is the
-- template (`/v1/payouts/{id}`), the key is its id. Written in batches, off the request's path;
-- rows older than the retention (30 days by default) are swept per tenant by created_us.
-- One ordered key and nothing else to maintain: created_us is the millisecond the request id
-- carries (id.rs), so a page cursor (an id) finds its row by the key, and entries append at the
-- key's end.
CREATE TABLE request_log (
    merchant_id      TEXT NOT NULL,
    env              TEXT NOT NULL,
    id               TEXT NOT NULL,             -- req_…, as in the Request-Id header
    created_us       BIGINT NOT NULL,           -- when the request arrived: the id's millisecond
    method           TEXT NOT NULL,
    route            TEXT NOT NULL,             -- the route template, `unmatched` for none
    status           BIGINT NOT NULL,
    error_code       TEXT,
    key_id           TEXT NOT NULL,
    source_ip        TEXT,
    user_agent       TEXT,                      -- at most 256 characters
    duration_us      BIGINT NOT NULL,
    idempotency_key  TEXT,
    PRIMARY KEY (merchant_id, env, created_us, id)
);
