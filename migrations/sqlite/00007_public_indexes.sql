-- +goose Up
-- The public list of actions at scale: its pages come newest accepted
-- first, from public accepted actions only. (Words are matched with LIKE
-- on SQLite, which no index serves; PostgreSQL gets a full-text index.)
CREATE INDEX actions_public_idx ON actions (accepted_at DESC, id DESC) WHERE state = 'accepted' AND visibility = 'public';

-- +goose Down
DROP INDEX actions_public_idx;
