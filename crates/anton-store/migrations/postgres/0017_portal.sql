-- The merchant portal (docs/portal.md). Its people: members, their invitations, their sessions,
-- their recovery codes, and the login throttle. No secret is stored as itself: invitation and
-- session tokens and recovery codes as keyed hashes, passwords as Argon2id hashes, TOTP secrets
-- encrypted with the node's keyring.

-- A member belongs to one merchant; an email address is one member while active (a removed
-- member's row stays for the audit log, and the address may be invited again).
CREATE TABLE members (
    merchant_id     TEXT NOT NULL,
    id              TEXT NOT NULL,              -- mbr_…
    email           TEXT NOT NULL,              -- as entered, lower-cased
    role            TEXT NOT NULL,              -- owner | admin | developer | analyst
    password_hash   TEXT NOT NULL,              -- Argon2id, PHC string
    totp_secret     TEXT NOT NULL,              -- encrypted (keyring), AAD the member id
    -- The last TOTP time step accepted: a code is good once (RFC 6238 §5.2).
    totp_last_step  BIGINT NOT NULL DEFAULT 0,
    created_us      BIGINT NOT NULL,
    removed_us      BIGINT,
    PRIMARY KEY (merchant_id, id)
);
CREATE UNIQUE INDEX members_by_email ON members (email) WHERE removed_us IS NULL;

CREATE TABLE invitations (
    token_hash      TEXT PRIMARY KEY,           -- keyed hash of the link's token
    merchant_id     TEXT NOT NULL,
    id              TEXT NOT NULL,              -- inv_…
    email           TEXT NOT NULL,
    role            TEXT NOT NULL,
    invited_by      TEXT NOT NULL,              -- who asked (an audit actor, as text)
    -- The TOTP secret shown while the invitation is being accepted (encrypted, AAD the
    -- invitation id); it becomes the member's.
    totp_secret     TEXT NOT NULL,
    created_us      BIGINT NOT NULL,
    expires_us      BIGINT NOT NULL,
    accepted_us     BIGINT
);
CREATE INDEX invitations_by_merchant ON invitations (merchant_id, created_us);

CREATE TABLE portal_sessions (
    token_hash      TEXT PRIMARY KEY,           -- keyed hash of the cookie's token
    merchant_id     TEXT NOT NULL,
    member_id       TEXT NOT NULL,
    created_us      BIGINT NOT NULL,
    -- Written at most once a minute: the idle timeout's clock.
    last_seen_us    BIGINT NOT NULL,
    -- When the member last proved password and code (login or re-authentication).
    reauth_us       BIGINT NOT NULL,
    ended_us        BIGINT,
    source_ip       TEXT
);
CREATE INDEX portal_sessions_by_member ON portal_sessions (merchant_id, member_id);

CREATE TABLE recovery_codes (
    merchant_id     TEXT NOT NULL,
    member_id       TEXT NOT NULL,
    code_hash       TEXT NOT NULL,
    used_us         BIGINT,
    PRIMARY KEY (merchant_id, member_id, code_hash)
);

-- Failed logins per subject (a keyed hash of an email address, or of a client address) in the
-- current window; a subject over its limit is refused until the window ends.
CREATE TABLE login_throttle (
    subject         TEXT PRIMARY KEY,
    window_start_us BIGINT NOT NULL,
    failures        BIGINT NOT NULL
);

-- A payout's timeline in the portal reads each of its events' deliveries (one per endpoint);
-- the API's `GET /v1/webhook_endpoints/{id}/deliveries?event=` reads through it too.
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (merchant_id, env, event_id);
