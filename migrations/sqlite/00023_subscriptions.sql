-- +goose Up
-- Mail subscriptions without an account: an address follows the public
-- actions a set of filters keeps (the actions list's query, in a stable
-- order) and receives a daily or weekly digest in its language, once it
-- has confirmed the address. An unsubscription deletes the row, and with
-- it its tokens and any mail not yet sent.
CREATE TABLE subscriptions (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL,
    filters         TEXT NOT NULL,           -- e.g. country=FR&recommendation=7
    frequency       TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly')),
    lang            TEXT NOT NULL CHECK (lang IN ('en', 'fr')),
    created_at      DATETIME NOT NULL,
    confirmed_at    DATETIME,             -- NULL: nothing is sent but the confirmation
    last_digest_at  DATETIME              -- what was public until then has been told
);
CREATE INDEX subscriptions_email ON subscriptions (email);

-- The secrets in the mail's links, by their SHA-256 only: a confirmation
-- (valid until expires_at) and, in every mail, a link to manage the
-- subscription or leave it.
CREATE TABLE subscription_tokens (
    hash            TEXT PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    purpose         TEXT NOT NULL CHECK (purpose IN ('confirm', 'manage')),
    expires_at      DATETIME,
    created_at      DATETIME NOT NULL
);
CREATE INDEX subscription_tokens_subscription ON subscription_tokens (subscription_id);

-- The subscriptions' outbox, drained by the mail job as the reminders'
-- is: one message per subscription and slot ('confirm-<n>' or a digest's
-- slot), so that a digest is written once whoever runs its slot.
CREATE TABLE subscription_mails (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    slot            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    unsubscribe     TEXT NOT NULL,           -- the one-click address (RFC 8058)
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    sent_at         DATETIME,
    UNIQUE (subscription_id, slot)
);
CREATE INDEX subscription_mails_due ON subscription_mails (status, next_attempt_at);

-- Sign-ups, by the SHA-256 of the address and of the client's IP address,
-- counted to limit them; housekeeping deletes the old ones.
CREATE TABLE subscription_signups (
    id              INTEGER PRIMARY KEY,
    email_hash      TEXT NOT NULL,
    client_hash     TEXT NOT NULL,
    created_at      DATETIME NOT NULL
);
CREATE INDEX subscription_signups_email ON subscription_signups (email_hash, created_at);
CREATE INDEX subscription_signups_client ON subscription_signups (client_hash, created_at);

-- +goose Down
DROP TABLE subscription_signups;
DROP TABLE subscription_mails;
DROP TABLE subscription_tokens;
DROP TABLE subscriptions;
