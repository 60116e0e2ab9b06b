-- Live payouts over bank files (docs/live-payouts.md). A file is made at a rail's cut-off, in
-- one or more write jobs; each job moves a set of pending payouts to `processing` and records
-- them as the file's items in the same transaction, so a payout is never in a file without
-- having moved, nor moved without being in one.
CREATE TABLE payout_files (
    id             TEXT PRIMARY KEY,
    -- The rail: the currency it pays, lower case (`usd`, `eur`, `gbp`).
    rail           TEXT NOT NULL,
    -- The cut-off the file was made at; one file per rail and cut-off, whichever node makes it.
    cutoff_us      BIGINT NOT NULL,
    -- Unique: transmission is idempotent by name.
    name           TEXT NOT NULL UNIQUE,
    -- `building` (items being added), `sealed` (complete, not yet in the outbox) or
    -- `transmitted` (in the outbox, `sha256` of exactly what was put there).
    status         TEXT NOT NULL,
    -- The file's place among the rail's files of its local day (NACHA's file id modifier) and
    -- its entries' effective date, fixed when the file starts so every render is the same.
    file_number    BIGINT NOT NULL,
    effective_date TEXT NOT NULL,
    payout_count   BIGINT NOT NULL,
    total_minor    BIGINT NOT NULL,
    sha256         TEXT,
    created_us     BIGINT NOT NULL,
    transmitted_us BIGINT,
    -- ACH: when an entry with no return is final (the end of its settlement date); the
    -- settlement pass then pays the file's payouts still `processing`. NULL for ISO files, whose
    -- payouts are paid by the bank's notifications.
    final_us       BIGINT,
    -- Set once the settlement pass has paid what was left.
    settled_us     BIGINT,
    UNIQUE (rail, cutoff_us)
);
CREATE INDEX payout_files_unsent ON payout_files (created_us) WHERE status <> 'transmitted';

CREATE TABLE payout_file_items (
    file_id      TEXT NOT NULL,
    position     BIGINT NOT NULL,
    merchant_id  TEXT NOT NULL,
    env          TEXT NOT NULL,
    payout_id    TEXT NOT NULL,
    -- What the bank's answers quote: the NACHA trace number, or the ISO end-to-end id.
    reference    TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    -- What the file says of the payout, as it was when the payout went in (so a re-render after
    -- a crash is the same bytes, and a later change to the recipient changes nothing sent):
    -- the recipient's name, the account as stored (encrypted, as on the recipient), the ACH
    -- account type, the BIC, and the payout's description.
    name         TEXT NOT NULL,
    account_ciphertext TEXT NOT NULL,
    account_type TEXT,
    bic          TEXT,
    description  TEXT,
    PRIMARY KEY (file_id, position),
    -- **A payout is in at most one file**, whatever crashes or races.
    UNIQUE (merchant_id, env, payout_id)
);
CREATE INDEX payout_file_items_reference ON payout_file_items (reference);

-- Per rail counters that must never repeat (NACHA trace sequences).
CREATE TABLE rail_sequences (
    rail        TEXT PRIMARY KEY,
    next_value  BIGINT NOT NULL
);

-- The cut-off's question: the live payouts of a currency waiting for a file.
CREATE INDEX payouts_live_pending ON payouts (currency, created_us)
    WHERE env = 'live' AND status = 'pending';

-- The bank's files read from a rail's inbox, each applied exactly once per rail: by the
-- SHA-256 of its bytes, whatever its name. A file that cannot be read or applied whole is quarantined: recorded
-- with the reason, nothing of it applied, and logged for the operator.
CREATE TABLE inbound_files (
    sha256       TEXT NOT NULL,
    rail         TEXT NOT NULL,
    name         TEXT NOT NULL,
    -- `nacha_returns`, `pain002`, `camt054`, or `unknown`.
    kind         TEXT NOT NULL,
    -- `applied` or `quarantined`.
    status       TEXT NOT NULL,
    reason       TEXT,
    -- Payouts the file moved.
    moved        BIGINT NOT NULL,
    received_us  BIGINT NOT NULL,
    PRIMARY KEY (rail, sha256)
);
