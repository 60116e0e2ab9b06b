-- Risk rules for unusual payout activity (docs/risk.md).

-- The rules a merchant changed from their defaults, per environment; a rule without a row is at
-- its default. `limits`: JSON, an amount per currency or a count.
CREATE TABLE risk_rules (
    merchant_id  TEXT NOT NULL,
    env          TEXT NOT NULL,
    rule         TEXT NOT NULL,
    enabled      BIGINT NOT NULL,
    action       TEXT NOT NULL,
    limits       TEXT NOT NULL,
    updated_us   BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, env, rule)
);

-- The outflow windows of an `available` balance: the payouts released (created into pending or
-- approved) in the current UTC clock hour and day, kept on the balance row so the creation
-- batch reads and updates them under the lock it already takes (0 on other accounts).
ALTER TABLE balances ADD COLUMN out_hour_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE balances ADD COLUMN out_hour_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE balances ADD COLUMN out_hour_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE balances ADD COLUMN out_day_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE balances ADD COLUMN out_day_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE balances ADD COLUMN out_day_sum BIGINT NOT NULL DEFAULT 0;

-- A payout's risk assessment (rules evaluated, those that fired, the figures) and, for a payout
-- held for review, its review (who asked, who decided, when and why): JSON object text.
ALTER TABLE payouts ADD COLUMN risk TEXT;
ALTER TABLE payouts ADD COLUMN review TEXT;

-- The review expiry sweep reads the held payouts only.
CREATE INDEX payouts_in_review ON payouts (created_us) WHERE status = 'requires_review';
