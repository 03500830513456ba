-- +goose Up
-- A report's inputs, stored in chunks: each the gzip of some of their JSON
-- Lines (chunk 0 the header, then a few thousand actions each), whose
-- SHA-256 all together, uncompressed, is the report's inputs_sha256. A
-- cycle of a million actions is then written and read a chunk at a time,
-- never whole. Compilations made before this version keep their inputs as
-- text in reports.inputs.
CREATE TABLE report_inputs (
    report_id INTEGER NOT NULL REFERENCES reports (id),
    seq       INTEGER NOT NULL,
    chunk     BLOB NOT NULL,
    PRIMARY KEY (report_id, seq)
);

-- The inputs of a published report are frozen with it.
-- +goose StatementBegin
CREATE TRIGGER report_inputs_frozen BEFORE UPDATE ON report_inputs
WHEN EXISTS (SELECT 1 FROM reports WHERE id = OLD.report_id AND status = 'published')
BEGIN SELECT RAISE(ABORT, 'a published report cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER report_inputs_frozen_delete BEFORE DELETE ON report_inputs
WHEN EXISTS (SELECT 1 FROM reports WHERE id = OLD.report_id AND status = 'published')
BEGIN SELECT RAISE(ABORT, 'a published report cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER report_inputs_closed BEFORE INSERT ON report_inputs
WHEN EXISTS (SELECT 1 FROM reports WHERE id = NEW.report_id AND status = 'published')
BEGIN SELECT RAISE(ABORT, 'a published report cannot be changed'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE report_inputs;
