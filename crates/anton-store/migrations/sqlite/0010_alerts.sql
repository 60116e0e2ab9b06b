-- Per-merchant alerts (docs/reference.md §8). Signals are what the request log's writer and the
-- dispatcher notice (a revoked key used, a key from a browser, a 401, a 5xx, a key from a new
-- address, an endpoint disabled), one row per round and kind; the worker's evaluation claims
-- the unprocessed ones (`processed_us`), folds them into alerts, and later deletes them.
CREATE TABLE alert_signals (
    id            TEXT NOT NULL PRIMARY KEY,
    merchant_id   TEXT NOT NULL,
    env           TEXT NOT NULL,
    rule          TEXT NOT NULL,
    subject       TEXT NOT NULL,               -- a key id, key@address, an endpoint id, or ''
    count         BIGINT NOT NULL,
    created_us    BIGINT NOT NULL,
    last_us       BIGINT NOT NULL,
    detail        TEXT NOT NULL,               -- JSON: the address, the error code, …
    processed_us  BIGINT
);
CREATE INDEX alert_signals_unprocessed ON alert_signals (created_us) WHERE processed_us IS NULL;
CREATE INDEX alert_signals_window ON alert_signals (merchant_id, env, rule, created_us);

-- One row per alert; at most one open (or acknowledged) alert per rule and subject.
CREATE TABLE alerts (
    merchant_id      TEXT NOT NULL,
    env              TEXT NOT NULL,
    id               TEXT NOT NULL,            -- alr_…
    rule             TEXT NOT NULL,
    subject          TEXT NOT NULL,
    status           TEXT NOT NULL,            -- open | acknowledged | resolved
    detail           TEXT NOT NULL,            -- JSON
    count            BIGINT NOT NULL,
    first_seen_us    BIGINT NOT NULL,
    last_seen_us     BIGINT NOT NULL,
    acknowledged_us  BIGINT,
    acknowledged_by  TEXT,
    resolved_us      BIGINT,
    resolved_by      TEXT,                     -- a key id, or 'anton' when the condition cleared
    created_us       BIGINT NOT NULL,
    updated_us       BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, env, id)
);
CREATE INDEX alerts_by_tenant ON alerts (merchant_id, env, created_us, id);
CREATE UNIQUE INDEX alerts_one_open ON alerts (merchant_id, env, rule, subject) WHERE status <> 'resolved';
CREATE INDEX alerts_unresolved ON alerts (rule, last_seen_us) WHERE status <> 'resolved';

-- The addresses each key has been used from (the new-address rule).
CREATE TABLE api_key_addresses (
    merchant_id  TEXT NOT NULL,
    env          TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    source_ip    TEXT NOT NULL,
    first_us     BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, env, key_id, source_ip)
);
