-- The nodes serving the API, each with a heartbeat (DESIGN.md §9, issue 5). Every API node divides
-- the per-key rate limits by the number of nodes whose heartbeat is fresh, so a key's limit holds
-- across the deployment (docs/operations.md gives the error bound). Portable SQL.
CREATE TABLE nodes (
    id            TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    started_us    BIGINT NOT NULL,
    heartbeat_us  BIGINT NOT NULL
);
