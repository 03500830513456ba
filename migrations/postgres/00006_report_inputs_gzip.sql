-- +goose Up
-- A report's inputs are stored compressed: the gzip of their JSON Lines,
-- whose SHA-256 (uncompressed) stays inputs_sha256. A cycle of 100,000
-- actions takes about 35 MB as text and a tenth of that compressed, and a
-- draft is compiled every night from the report date to the Forum.
-- Compilations made before this version keep their inputs as text.
ALTER TABLE reports ADD COLUMN inputs_gzip BYTEA;

-- +goose Down
ALTER TABLE reports DROP COLUMN inputs_gzip;
