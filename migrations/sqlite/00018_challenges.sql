-- +goose Up
-- Challenges: a reviewer organisation contests a public accepted action;
-- the secretariat screens it; the action's organisation may reply until
-- reply_due; the secretariat decides, and publishes the three together.
-- Nothing of a challenge is public before published_at. Evidence columns
-- hold JSON arrays of {kind, url, title}.
CREATE TABLE challenges (
    id                  INTEGER PRIMARY KEY,
    action_id           INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    reviewer_id         INTEGER NOT NULL REFERENCES stakeholders (id), -- the reviewer organisation
    filed_by            INTEGER REFERENCES users (id) ON DELETE SET NULL,
    grounds             TEXT NOT NULL CHECK (grounds IN ('evidence_does_not_support', 'contradicted_by_findings', 'outdated', 'other')),
    statement           TEXT NOT NULL,
    evidence            TEXT NOT NULL,
    pseudonymous        BOOLEAN NOT NULL DEFAULT 0,
    state               TEXT NOT NULL CHECK (state IN ('filed', 'inadmissible', 'open', 'decided', 'published')),
    version             INTEGER NOT NULL DEFAULT 1,
    filed_at            DATETIME NOT NULL,
    screened_by         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    screened_at         DATETIME,
    screen_reason       TEXT NOT NULL DEFAULT '', -- why it is inadmissible: told to the reviewer only
    reply_due           DATE,
    reply               TEXT NOT NULL DEFAULT '',
    reply_evidence      TEXT NOT NULL DEFAULT '[]',
    replied_by          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    replied_at          DATETIME,
    outcome             TEXT CHECK (outcome IN ('upheld', 'partly_upheld', 'dismissed')),
    reasons             TEXT NOT NULL DEFAULT '',
    stage_set           TEXT NOT NULL DEFAULT '',     -- the stage the decision gave the action, '' if none
    assurance_set       TEXT NOT NULL DEFAULT '',     -- the level the decision gave it, '' if none
    decided_by          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_at          DATETIME,
    published_by        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    published_at        DATETIME,
    CHECK ((state IN ('filed', 'inadmissible', 'open')) = (outcome IS NULL))
);
CREATE INDEX challenges_action_idx ON challenges (action_id);
CREATE INDEX challenges_reviewer_idx ON challenges (reviewer_id);
CREATE INDEX challenges_published_idx ON challenges (published_at) WHERE state = 'published';
-- One pending challenge per reviewer organisation and action: the
-- service checks it, and this holds it when two are filed at once.
CREATE UNIQUE INDEX challenges_pending_idx ON challenges (reviewer_id, action_id) WHERE state IN ('filed', 'open', 'decided');

-- +goose Down
DROP TABLE challenges;
