-- +goose Up
-- Sign-in, sessions, invitations and password resets, API idempotency, and
-- per-organisation deadline extensions.

-- A signed-in session. The cookie holds a random token; only its SHA-256 is
-- kept, so a copy of this table signs nobody in.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Failed sign-ins, counted per account and per client address.
CREATE TABLE signin_failures (
    id      INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    ip      TEXT NOT NULL,
    at      DATETIME NOT NULL
);
CREATE INDEX signin_failures_account_idx ON signin_failures (account, at);
CREATE INDEX signin_failures_ip_idx ON signin_failures (ip, at);

-- Single-use links sent by mail: invitations and password resets.
CREATE TABLE account_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id),
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id);

-- The first answer to a POST with an Idempotency-Key, replayed on retry.
CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- A later deadline for one organisation in one cycle.
CREATE TABLE deadline_extensions (
    cycle_id       INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    stakeholder_id INTEGER NOT NULL REFERENCES stakeholders (id) ON DELETE CASCADE,
    deadline       DATE NOT NULL,
    created_at     DATETIME NOT NULL,
    PRIMARY KEY (cycle_id, stakeholder_id)
);

-- +goose Down
DROP TABLE deadline_extensions;
DROP TABLE idempotency_keys;
DROP TABLE account_tokens;
DROP TABLE signin_failures;
DROP TABLE sessions;
