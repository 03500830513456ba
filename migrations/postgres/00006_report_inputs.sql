-- +goose Up
-- A report's inputs, stored in chunks: each the gzip of some of their JSON
-- Lines (chunk 0 the header, then a few thousand actions each), whose
-- SHA-256 all together, uncompressed, is the report's inputs_sha256. A
-- cycle of a million actions is then written and read a chunk at a time,
-- never whole. Compilations made before this version keep their inputs as
-- text in reports.inputs.
CREATE TABLE report_inputs (
    report_id BIGINT NOT NULL REFERENCES reports (id),
    seq       INTEGER NOT NULL,
    chunk     BYTEA NOT NULL,
    PRIMARY KEY (report_id, seq)
);

-- The inputs of a published report are frozen with it.
CREATE TRIGGER report_inputs_frozen BEFORE UPDATE OR DELETE ON report_inputs
    FOR EACH ROW EXECUTE FUNCTION report_artifacts_frozen();
CREATE TRIGGER report_inputs_closed BEFORE INSERT ON report_inputs
    FOR EACH ROW EXECUTE FUNCTION report_artifacts_closed();

-- +goose Down
DROP TABLE report_inputs;
