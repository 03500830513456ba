-- +goose Up
-- Deadline reminders. Each reminder is decided and written here in the same
-- transaction (with the scheduler's claim of its slot); the unique key
-- makes a second decision for the same organisation, cycle and kind a
-- no-op, so none is sent twice. A sender drains the rows, with retries.

CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    stakeholder_id  INTEGER NOT NULL REFERENCES stakeholders (id),
    cycle_id        INTEGER NOT NULL REFERENCES cycles (id),
    kind            TEXT NOT NULL, -- opens, or deadline_N (N days before the deadline)
    recipients      TEXT NOT NULL, -- addresses, one per line
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    sent_at         DATETIME,
    UNIQUE (stakeholder_id, cycle_id, kind)
);
CREATE INDEX reminders_due_idx ON reminders (status, next_attempt_at);
CREATE INDEX reminders_cycle_idx ON reminders (cycle_id);

-- +goose Down
DROP TABLE reminders;
