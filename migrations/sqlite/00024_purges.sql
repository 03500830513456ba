-- +goose Up
-- The outbox of CDN purges: the surrogate keys a decision (an acceptance,
-- a publication) changed, written in the decision's transaction and sent
-- to the configured webhook by a job, again with backoff until it is
-- taken, so that no purge is lost to a crash or a CDN outage.
CREATE TABLE purges (
    id              INTEGER PRIMARY KEY,
    keys            TEXT NOT NULL, -- surrogate keys, space-separated
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    sent_at         DATETIME
);
CREATE INDEX purges_due_idx ON purges (status, next_attempt_at);

-- +goose Down
DROP TABLE purges;
