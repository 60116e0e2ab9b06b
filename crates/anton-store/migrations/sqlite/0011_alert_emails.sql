-- Alert emails (docs/reference.md §8): the addresses a merchant's alerts are mailed to (the
-- operator sets them), and the outbox the worker's mailer sends from — written in the
-- transaction of the alert change it announces, so a change is never mailed twice nor lost.
ALTER TABLE merchants ADD COLUMN alert_emails TEXT NOT NULL DEFAULT '[]';
CREATE TABLE alert_emails (
    id               TEXT NOT NULL PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    env              TEXT NOT NULL,
    alert_id         TEXT NOT NULL,
    event            TEXT NOT NULL,             -- raised | resolved
    created_us       BIGINT NOT NULL,
    next_attempt_us  BIGINT,                    -- NULL once sent or given up
    attempts         BIGINT NOT NULL DEFAULT 0,
    sent_us          BIGINT,
    last_error       TEXT
);
CREATE INDEX alert_emails_due ON alert_emails (next_attempt_us) WHERE next_attempt_us IS NOT NULL;
