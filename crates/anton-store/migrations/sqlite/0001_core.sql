-- Anton core schema (SQLite). Kept in step with ../postgres/0001_core.sql: same tables, columns and
-- meaning; only types differ. Released migrations are never edited: add a new file instead.
--
-- Conventions:
-- * Every tenant table's primary key starts with (merchant_id, env): a row can only be found by
--   naming its merchant and environment, so an unscoped lookup cannot be written by accident.
-- * Times are unix microseconds (BIGINT, *_us). Money is BIGINT minor units. JSON is TEXT.

-- A business using Anton. Rate limits are operator settings (requests per second per key).
CREATE TABLE merchants (
    id                     TEXT PRIMARY KEY,
    name                   TEXT NOT NULL,
    rate_limit_live_per_s  BIGINT NOT NULL DEFAULT 100,
    rate_limit_test_per_s  BIGINT NOT NULL DEFAULT 25,
    created_us             BIGINT NOT NULL
);

-- API keys. Only a keyed hash of the key is stored (key_hash); prefix and last4 are for display.
CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    env             TEXT NOT NULL CHECK (env IN ('test', 'live')),
    kind            TEXT NOT NULL CHECK (kind IN ('secret', 'restricted')),
    name            TEXT NOT NULL,
    key_hash        TEXT NOT NULL UNIQUE,
    display_prefix  TEXT NOT NULL,
    last4           TEXT NOT NULL,
    scopes          TEXT NOT NULL,              -- space-separated scope names
    allowed_cidrs   TEXT NOT NULL DEFAULT '',   -- space-separated CIDRs; empty = any address
    expires_us      BIGINT,                     -- set by --expires-in and by rolling (grace period)
    revoked_us      BIGINT,
    exposed_us      BIGINT,                     -- first time the key was seen with browser markers
    last_used_us    BIGINT,                     -- updated at most once a minute per key
    created_by      TEXT NOT NULL,
    created_us      BIGINT NOT NULL
);
CREATE INDEX api_keys_by_merchant ON api_keys (merchant_id, env, created_us);

-- Recipients. The full account number exists only inside account_ciphertext (AES-256-GCM, key id
-- inside the text); last4 and fingerprint (keyed HMAC, per merchant) are what the API shows.
CREATE TABLE recipients (
    merchant_id         TEXT NOT NULL,
    env                 TEXT NOT NULL,
    id                  TEXT NOT NULL,
    name                TEXT NOT NULL,
    email               TEXT,
    bank_type           TEXT NOT NULL,
    country             TEXT NOT NULL,
    currency            TEXT NOT NULL,
    bank_code           TEXT,
    account_type        TEXT,
    last4               TEXT NOT NULL,
    fingerprint         TEXT NOT NULL,
    account_ciphertext  TEXT NOT NULL,
    bank_changed_us     BIGINT NOT NULL,   -- for the "bank details changed recently" risk rule
    metadata            TEXT NOT NULL,
    created_us          BIGINT NOT NULL,
    updated_us          BIGINT NOT NULL,
    deleted_us          BIGINT,
    PRIMARY KEY (merchant_id, env, id)
);
CREATE INDEX recipients_list ON recipients (merchant_id, env, created_us, id);

-- Payouts. rail_due_us says when the rail should next act (NULL: nothing to do); rail_lease_us is a
-- worker's lease while it acts, so a crashed worker's payout is picked up again after the lease.
CREATE TABLE payouts (
    merchant_id      TEXT NOT NULL,
    env              TEXT NOT NULL,
    id               TEXT NOT NULL,
    recipient_id     TEXT NOT NULL,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    currency         TEXT NOT NULL,
    status           TEXT NOT NULL,
    failure_code     TEXT,
    failure_message  TEXT,
    description      TEXT,
    metadata         TEXT NOT NULL,
    outcome_last4    TEXT NOT NULL,   -- destination's last four at creation (the simulator's input)
    arrival_date     TEXT,
    rail_due_us      BIGINT,
    rail_lease_us    BIGINT,
    created_us       BIGINT NOT NULL,
    updated_us       BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, env, id)
);
CREATE INDEX payouts_list ON payouts (merchant_id, env, created_us, id);
CREATE INDEX payouts_rail_due ON payouts (rail_due_us) WHERE rail_due_us IS NOT NULL;

-- Current balance per ledger account: a cache of the postings below, updated in the same
-- transaction. `available` can never go negative (the CHECK is the last line of defence; the
-- conditional UPDATE in the code is the first).
CREATE TABLE balances (
    merchant_id  TEXT NOT NULL,
    env          TEXT NOT NULL,
    currency     TEXT NOT NULL,
    account      TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, env, currency, account),
    CHECK (account <> 'available' OR amount >= 0)
);

-- Immutable, balanced postings: `amount` moves from `debit` to `credit`. Shown as balance
-- transactions. Summing them per account reproduces `balances` exactly.
CREATE TABLE balance_transactions (
    merchant_id  TEXT NOT NULL,
    env          TEXT NOT NULL,
    id           TEXT NOT NULL,
    type         TEXT NOT NULL,
    currency     TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount > 0),
    debit        TEXT NOT NULL,
    credit       TEXT NOT NULL CHECK (credit <> debit),
    source_id    TEXT,
    created_us   BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, env, id)
);
CREATE INDEX balance_transactions_list ON balance_transactions (merchant_id, env, created_us, id);

-- Events, written in the same transaction as the change that caused them. The body is the exact
-- JSON every reader and every webhook delivery gets. fanout_us is the outbox marker: NULL until the
-- webhook dispatcher has created this event's deliveries.
CREATE TABLE events (
    merchant_id  TEXT NOT NULL,
    env          TEXT NOT NULL,
    id           TEXT NOT NULL,
    type         TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_us   BIGINT NOT NULL,
    fanout_us    BIGINT,
    PRIMARY KEY (merchant_id, env, id)
);
CREATE INDEX events_list ON events (merchant_id, env, created_us, id);
CREATE INDEX events_outbox ON events (created_us) WHERE fanout_us IS NULL;

-- Idempotency records: the first response to a POST with an Idempotency-Key, with a fingerprint of
-- the request. Written in the same transaction as the request's side effects.
CREATE TABLE idempotency_keys (
    merchant_id  TEXT NOT NULL,
    env          TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       BIGINT NOT NULL,
    body         TEXT NOT NULL,
    created_us   BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, env, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_us);
