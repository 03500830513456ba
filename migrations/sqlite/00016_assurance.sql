-- +goose Up
-- Assurance: how far an accepted action's claim was checked, apart from
-- its stage. self_declared until the secretariat checks the evidence
-- (evidence_checked) or a reviewer organisation confirms it
-- (independently_verified). A level is set by a review event, which
-- records it ("assurance" by the secretariat, "verified" by a reviewer,
-- "challenge" when a decided challenge lowers the stage or the level);
-- a withdrawal that ends a level records the return to self_declared.
ALTER TABLE actions ADD COLUMN assurance TEXT NOT NULL DEFAULT 'self_declared'
    CHECK (assurance IN ('self_declared', 'evidence_checked', 'independently_verified'));
CREATE INDEX actions_assurance_idx ON actions (assurance) WHERE assurance <> 'self_declared';

-- SQLite changes a CHECK only by building the table again.
CREATE TABLE review_events_new (
    id          INTEGER PRIMARY KEY,
    action_id   INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    decision    TEXT NOT NULL CHECK (decision IN ('submitted', 'reconfirmed', 'accepted', 'changes_requested', 'withdrawn', 'reopened', 'assurance', 'verified', 'challenge')),
    version     INTEGER NOT NULL, -- the version of the action this step produced
    comment     TEXT NOT NULL DEFAULT '',
    reviewer_id INTEGER REFERENCES users (id),
    created_at  DATETIME NOT NULL,
    noticed_at  DATETIME,
    assurance   TEXT CHECK (assurance IN ('self_declared', 'evidence_checked', 'independently_verified'))
);
INSERT INTO review_events_new (id, action_id, decision, version, comment, reviewer_id, created_at, noticed_at)
    SELECT id, action_id, decision, version, comment, reviewer_id, created_at, noticed_at FROM review_events;
DROP TABLE review_events;
ALTER TABLE review_events_new RENAME TO review_events;
CREATE INDEX review_events_action_idx ON review_events (action_id);
CREATE INDEX review_events_unnoticed_idx ON review_events (id) WHERE decision = 'accepted' AND noticed_at IS NULL;
-- The public figures count levels too: a new level compiles them again.
CREATE INDEX review_events_decided_idx ON review_events (id) WHERE decision IN ('accepted', 'withdrawn', 'assurance', 'verified', 'challenge');

-- A reviewer organisation's confirmation of an action, with its own
-- evidence (a JSON array of {kind, url, title}) and a note; the version
-- of the action it confirmed.
CREATE TABLE verifications (
    id             INTEGER PRIMARY KEY,
    action_id      INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    stakeholder_id INTEGER NOT NULL REFERENCES stakeholders (id),
    user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    note           TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    created_at     DATETIME NOT NULL
);
CREATE INDEX verifications_action_idx ON verifications (action_id);

-- +goose Down
DROP TABLE verifications;
CREATE TABLE review_events_old (
    id          INTEGER PRIMARY KEY,
    action_id   INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    decision    TEXT NOT NULL CHECK (decision IN ('submitted', 'reconfirmed', 'accepted', 'changes_requested', 'withdrawn', 'reopened')),
    version     INTEGER NOT NULL, -- the version of the action this step produced
    comment     TEXT NOT NULL DEFAULT '',
    reviewer_id INTEGER REFERENCES users (id),
    created_at  DATETIME NOT NULL,
    noticed_at  DATETIME
);
INSERT INTO review_events_old (id, action_id, decision, version, comment, reviewer_id, created_at, noticed_at)
    SELECT id, action_id, decision, version, comment, reviewer_id, created_at, noticed_at FROM review_events
    WHERE decision NOT IN ('assurance', 'verified', 'challenge');
DROP TABLE review_events;
ALTER TABLE review_events_old RENAME TO review_events;
CREATE INDEX review_events_action_idx ON review_events (action_id);
CREATE INDEX review_events_unnoticed_idx ON review_events (id) WHERE decision = 'accepted' AND noticed_at IS NULL;
CREATE INDEX review_events_decided_idx ON review_events (id) WHERE decision IN ('accepted', 'withdrawn');
DROP INDEX actions_assurance_idx;
ALTER TABLE actions DROP COLUMN assurance;
