-- +goose Up
-- Who granted each deadline extension, and when its current deadline was
-- granted: the cycle page lists them so that the secretariat can see, and
-- revoke, what a colleague gave. Extensions granted before this was
-- recorded have no granted_by.
ALTER TABLE deadline_extensions RENAME COLUMN created_at TO granted_at;
ALTER TABLE deadline_extensions ADD COLUMN granted_by BIGINT REFERENCES users (id);

-- +goose Down
ALTER TABLE deadline_extensions DROP COLUMN granted_by;
ALTER TABLE deadline_extensions RENAME COLUMN granted_at TO created_at;
