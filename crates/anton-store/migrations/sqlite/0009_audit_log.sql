-- The per-merchant audit log (docs/reference.md §7): one row per security-relevant action, in
-- the transaction of the change it records. Append-only and tamper-evident: `seq` counts a
-- merchant's entries from 1 without gaps, and `hash` is SHA-256 over the previous entry's hash
-- and this entry's fields (anton_store::audit::chain_hash), so editing, removing or reordering
-- a row breaks the chain that `anton audit verify` walks. Never a secret: before/after hold what
-- the API shows of the object.
CREATE TABLE audit_log (
    merchant_id   TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    env           TEXT NOT NULL,
    id            TEXT NOT NULL,               -- aud_…
    created_us    BIGINT NOT NULL,
    action        TEXT NOT NULL,               -- api_key.revoked, webhook_endpoint.updated, …
    actor_type    TEXT NOT NULL,               -- api_key | operator | system
    actor_id      TEXT,                        -- the key id, the operator's OS user
    source_ip     TEXT,
    request_id    TEXT,
    object_type   TEXT NOT NULL,
    object_id     TEXT NOT NULL,
    before_json   TEXT,
    after_json    TEXT,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    PRIMARY KEY (merchant_id, seq)
);
-- The API lists a tenant's entries newest first by (created_us, id), like every list.
CREATE INDEX audit_log_by_tenant ON audit_log (merchant_id, env, created_us, id);
-- The chain's counter, and the row an append locks: entries of one merchant are numbered one at
-- a time (`UPDATE … RETURNING`), across nodes too.
ALTER TABLE merchants ADD COLUMN audit_seq BIGINT NOT NULL DEFAULT 0;
