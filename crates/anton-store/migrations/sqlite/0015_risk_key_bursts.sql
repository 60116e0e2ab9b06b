-- The fact the risk rule new_key_burst reads (docs/risk.md): how many payouts each API key
-- released within an hour of its creation. A row is written with its key (api_keys::insert)
-- and only payout-creation batches change it, adding the payouts they release while the key is
-- within its first hour, under the row's lock (taken after the balances' locks).
CREATE TABLE risk_key_bursts (
    merchant_id  TEXT NOT NULL,
    env          TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    -- The end of the key's first hour (its creation + 1 h).
    ends_us      BIGINT NOT NULL,
    count        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (merchant_id, env, key_id)
);

-- The keys made before this table: their first hour is counted from now on, if any is left.
INSERT INTO risk_key_bursts (merchant_id, env, key_id, ends_us, count)
SELECT merchant_id, env, id, created_us + 3600000000, 0 FROM api_keys;
