-- +goose Up
-- The audit log searched by person: a page of one person's entries,
-- newest first, without reading the whole log.
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, created_at);

-- +goose Down
DROP INDEX audit_log_actor_idx;
