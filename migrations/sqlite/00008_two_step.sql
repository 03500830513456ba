-- +goose Up
-- Two-step sign-in: after the password, a code from an authenticator app
-- (TOTP, RFC 6238), required of the secretariat.

-- A person's authenticator: the shared secret, and the last 30-second step
-- whose code was accepted, so that no code is ever accepted twice.
CREATE TABLE second_factors (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    last_step  INTEGER NOT NULL DEFAULT 0,
    enabled_at DATETIME NOT NULL
);

-- Single-use recovery codes, for a lost phone. Only their SHA-256 is kept.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    used_at    DATETIME,
    UNIQUE (user_id, code_hash)
);

-- A sign-in between the password and the code. The browser holds a random
-- token; only its SHA-256 is kept. secret is the one proposed to a person
-- who is enrolling, until their first code proves their app has it.
CREATE TABLE signin_challenges (
    id         TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT NOT NULL DEFAULT '',
    next       TEXT NOT NULL DEFAULT '/',
    failures   INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);
CREATE INDEX signin_challenges_user_idx ON signin_challenges (user_id);
CREATE INDEX signin_challenges_expires_idx ON signin_challenges (expires_at);

-- +goose Down
DROP TABLE signin_challenges;
DROP TABLE recovery_codes;
DROP TABLE second_factors;
