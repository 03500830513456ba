-- +goose Up
-- Notices: every decision is mailed to the people it concerns, in their
-- language, unless they turned that kind of notice off.

-- A person's language: the one they chose on their account page, or else
-- the one they last used (lang_chosen false). '' until known: English.
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN lang_chosen BOOLEAN NOT NULL DEFAULT FALSE;
-- The kinds of notice a person turned off, one per line.
ALTER TABLE users ADD COLUMN notices_off TEXT NOT NULL DEFAULT '';

-- A carried action submitted as it was is its own step: "reconfirmed".
ALTER TABLE review_events DROP CONSTRAINT review_events_decision_check;
ALTER TABLE review_events ADD CONSTRAINT review_events_decision_check
    CHECK (decision IN ('submitted', 'reconfirmed', 'accepted', 'changes_requested', 'withdrawn', 'reopened'));
-- Acceptances are told in a daily digest: when one was, so that each is
-- told once, and none is lost to a day the digest did not run. The
-- acceptances made before notices existed count as told.
ALTER TABLE review_events ADD COLUMN noticed_at TIMESTAMPTZ;
UPDATE review_events SET noticed_at = created_at WHERE decision = 'accepted';
CREATE INDEX review_events_unnoticed_idx ON review_events (id) WHERE decision = 'accepted' AND noticed_at IS NULL;

-- +goose Down
DROP INDEX review_events_unnoticed_idx;
ALTER TABLE review_events DROP COLUMN noticed_at;
UPDATE review_events SET decision = 'submitted' WHERE decision = 'reconfirmed';
ALTER TABLE review_events DROP CONSTRAINT review_events_decision_check;
ALTER TABLE review_events ADD CONSTRAINT review_events_decision_check
    CHECK (decision IN ('submitted', 'accepted', 'changes_requested', 'withdrawn', 'reopened'));
ALTER TABLE users DROP COLUMN notices_off;
ALTER TABLE users DROP COLUMN lang_chosen;
ALTER TABLE users DROP COLUMN lang;
