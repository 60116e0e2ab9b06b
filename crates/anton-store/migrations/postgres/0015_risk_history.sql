-- The facts the risk rules amount_vs_history and new_destination / shared_bank_account read
-- (docs/risk.md).

-- The trailing 30 days of each merchant's payouts per environment and currency, refreshed hourly
-- by the workers: the 95th percentile of their amounts (nearest rank) and how many there were.
CREATE TABLE risk_history (
    merchant_id  TEXT NOT NULL,
    env          TEXT NOT NULL,
    currency     TEXT NOT NULL,
    p95          BIGINT NOT NULL,
    samples      BIGINT NOT NULL,
    computed_us  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, env, currency)
);

-- A payout's bank account among the merchant's recipients: when it was first seen, and by how
-- many recipients it is shared (the payout-creation batch looks it up by fingerprint).
CREATE INDEX recipients_by_fingerprint ON recipients (merchant_id, env, fingerprint);
