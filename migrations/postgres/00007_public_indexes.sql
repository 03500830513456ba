-- +goose Up
-- The public list of actions at scale. Its words search matches this very
-- expression, so that the index answers it rather than every accepted
-- action's text being read and split at each request.
CREATE INDEX actions_text_idx ON actions USING gin (to_tsvector('simple', title || ' ' || description));
-- Its pages come newest accepted first, from public accepted actions only.
CREATE INDEX actions_public_idx ON actions (accepted_at DESC, id DESC) WHERE state = 'accepted' AND visibility = 'public';

-- +goose Down
DROP INDEX actions_public_idx;
DROP INDEX actions_text_idx;
