-- +goose Up
-- Whether the secretariat accepts an action only when it cites at least
-- one evidence link. The application gives new cycles 'required'; cycles
-- that exist when this runs keep what they were run under ('optional'):
-- their accepted actions were judged by that rule, and actions waiting in
-- their queue must not be refused mid-review by a rule nobody chose. The
-- secretariat switches a running cycle to 'required' on its page.
ALTER TABLE cycles ADD COLUMN evidence TEXT NOT NULL DEFAULT 'optional'
    CHECK (evidence IN ('required', 'optional'));

-- +goose Down
ALTER TABLE cycles DROP COLUMN evidence;
