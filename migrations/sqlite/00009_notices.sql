-- +goose Up
-- Notices: every decision is mailed to the people it concerns, in their
-- language, unless they turned that kind of notice off.

-- A person's language: the one they chose on their account page, or else
-- the one they last used (lang_chosen false). '' until known: English.
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN lang_chosen BOOLEAN NOT NULL DEFAULT 0;
-- The kinds of notice a person turned off, one per line.
ALTER TABLE users ADD COLUMN notices_off TEXT NOT NULL DEFAULT '';

-- A carried action submitted as it was is its own step: "reconfirmed".
-- SQLite changes a CHECK only by building the table again. Acceptances
-- are told in a daily digest: noticed_at says when one was, so that each
-- is told once, and none is lost to a day the digest did not run. The
-- acceptances made before notices existed count as told.
CREATE TABLE review_events_new (
    id          INTEGER PRIMARY KEY,
    action_id   INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    decision    TEXT NOT NULL CHECK (decision IN ('submitted', 'reconfirmed', 'accepted', 'changes_requested', 'withdrawn', 'reopened')),
    version     INTEGER NOT NULL, -- the version of the action this step produced
    comment     TEXT NOT NULL DEFAULT '',
    reviewer_id INTEGER REFERENCES users (id),
    created_at  DATETIME NOT NULL,
    noticed_at  DATETIME
);
INSERT INTO review_events_new (id, action_id, decision, version, comment, reviewer_id, created_at, noticed_at)
    SELECT id, action_id, decision, version, comment, reviewer_id, created_at,
           CASE WHEN decision = 'accepted' THEN created_at END FROM review_events;
DROP TABLE review_events;
ALTER TABLE review_events_new RENAME TO review_events;
CREATE INDEX review_events_action_idx ON review_events (action_id);
CREATE INDEX review_events_unnoticed_idx ON review_events (id) WHERE decision = 'accepted' AND noticed_at IS NULL;

-- +goose Down
CREATE TABLE review_events_old (
    id          INTEGER PRIMARY KEY,
    action_id   INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    decision    TEXT NOT NULL CHECK (decision IN ('submitted', 'accepted', 'changes_requested', 'withdrawn', 'reopened')),
    version     INTEGER NOT NULL, -- the version of the action this step produced
    comment     TEXT NOT NULL DEFAULT '',
    reviewer_id INTEGER REFERENCES users (id),
    created_at  DATETIME NOT NULL
);
INSERT INTO review_events_old (id, action_id, decision, version, comment, reviewer_id, created_at)
    SELECT id, action_id, CASE WHEN decision = 'reconfirmed' THEN 'submitted' ELSE decision END, version, comment,
           reviewer_id, created_at FROM review_events;
DROP TABLE review_events;
ALTER TABLE review_events_old RENAME TO review_events;
CREATE INDEX review_events_action_idx ON review_events (action_id);
ALTER TABLE users DROP COLUMN notices_off;
ALTER TABLE users DROP COLUMN lang_chosen;
ALTER TABLE users DROP COLUMN lang;
