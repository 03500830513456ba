-- +goose Up
-- Search finds actions by all the words asked, in any order, each as the
-- beginning of a word, ranked by relevance (package action decides what a
-- query means): a full-text index of the actions' titles and descriptions
-- (FTS5, external content: the text stays in actions only), words folded
-- without case or accents so "securite" finds "Sécurité". Triggers keep it
-- in step with every insert, edit and deletion, however they are made.
CREATE VIRTUAL TABLE actions_fts USING fts5(
    title, description,
    content = 'actions', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- +goose StatementBegin
CREATE TRIGGER actions_fts_insert AFTER INSERT ON actions BEGIN
    INSERT INTO actions_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER actions_fts_delete AFTER DELETE ON actions BEGIN
    INSERT INTO actions_fts (actions_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER actions_fts_update AFTER UPDATE OF title, description ON actions BEGIN
    INSERT INTO actions_fts (actions_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO actions_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
-- +goose StatementEnd
-- The actions written before this migration.
INSERT INTO actions_fts (actions_fts) VALUES ('rebuild');

-- +goose Down
DROP TRIGGER actions_fts_update;
DROP TRIGGER actions_fts_delete;
DROP TRIGGER actions_fts_insert;
DROP TABLE actions_fts;
