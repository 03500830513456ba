-- +goose Up
-- Browsers that have signed in to an account before (OWASP's "device
-- cookies"): past the account's limit of failed sign-ins, which strangers
-- can reach, a sign-in from one of them is still judged, under a limit of
-- its own, so that nobody can lock the owner out. The browser holds a
-- random token; only its SHA-256 is kept.
CREATE TABLE signin_devices (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME NOT NULL
);
CREATE INDEX signin_devices_user_idx ON signin_devices (user_id);
CREATE INDEX signin_devices_used_idx ON signin_devices (last_used_at);

-- A failure from a known browser names it, and is counted against it (no
-- foreign key: failures are kept a day, and SQLite cannot drop such a column).
ALTER TABLE signin_failures ADD COLUMN device_id INTEGER;
CREATE INDEX signin_failures_device_idx ON signin_failures (device_id, at);

-- +goose Down
DROP INDEX signin_failures_device_idx;
ALTER TABLE signin_failures DROP COLUMN device_id;
DROP TABLE signin_devices;
