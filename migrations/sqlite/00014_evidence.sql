-- +goose Up
-- Evidence that outlives its links: every evidence link of an accepted
-- public action is followed, and the copy read at its first successful
-- check (at acceptance) is kept, by the SHA-256 of its bytes.

-- Stored copies, content-addressed: one row per distinct body, however
-- many links point to it; gzip-compressed where that saves space.
CREATE TABLE blobs (
    sha256       TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,      -- the body's own size
    stored_size  INTEGER NOT NULL,      -- what the row holds
    encoding     TEXT NOT NULL CHECK (encoding IN ('gzip', 'identity')),
    content_type TEXT NOT NULL DEFAULT '',
    content      BLOB NOT NULL,
    created_at   DATETIME NOT NULL
);

-- Each followed link, with what its last check found. next_check_at is
-- also the claim of a checker: it moves to the end of the claim's lease
-- while a check is under way, and only that checker may record it.
CREATE TABLE evidence_links (
    action_id        INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'ok', 'redirected', 'changed', 'unreachable', 'broken')),
    captured_sha256  TEXT REFERENCES blobs (sha256),
    captured_at      DATETIME,
    checked_at       DATETIME,
    http_status      INTEGER NOT NULL DEFAULT 0,
    final_url        TEXT NOT NULL DEFAULT '',
    sha256           TEXT NOT NULL DEFAULT '',
    failures         INTEGER NOT NULL DEFAULT 0,
    first_failure_at DATETIME,
    next_check_at    DATETIME NOT NULL,
    broken_noticed   BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (action_id, url)
);
CREATE INDEX evidence_links_due_idx ON evidence_links (next_check_at);
CREATE INDEX evidence_links_captured_idx ON evidence_links (captured_sha256);

-- Every check, as it went.
CREATE TABLE evidence_checks (
    id           INTEGER PRIMARY KEY,
    action_id    INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    url          TEXT NOT NULL,
    checked_at   DATETIME NOT NULL,
    http_status  INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    final_url    TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL
);
CREATE INDEX evidence_checks_link_idx ON evidence_checks (action_id, url, checked_at);

-- +goose Down
DROP TABLE evidence_checks;
DROP TABLE evidence_links;
DROP TABLE blobs;
