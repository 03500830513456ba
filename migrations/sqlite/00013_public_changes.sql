-- +goose Up
-- The changes the public sees in the actions it is shown: an action of a
-- cycle past its embargo becoming, or ceasing to be, accepted and public.
-- Public answers are revalidated by the newest of them, a number that
-- counts public changes only, so that a validator says nothing of work the
-- public does not see (the newest review event counted every submission).
CREATE TABLE public_changes (
    id         INTEGER PRIMARY KEY,
    action_id  INTEGER NOT NULL REFERENCES actions (id),
    created_at DATETIME NOT NULL
);
-- The newest acceptance or withdrawal of any action, public or not: the
-- dashboard compiles its figures again after one (they count the actions
-- kept for the secretariat), and not after a submission.
CREATE INDEX review_events_decided_idx ON review_events (id) WHERE decision IN ('accepted', 'withdrawn');

-- +goose Down
DROP INDEX review_events_decided_idx;
DROP TABLE public_changes;
