-- +goose Up
-- The progress report of each cycle: any number of draft compilations, and
-- at most one published, frozen report. Every compilation keeps its inputs
-- (as TEXT, byte for byte, so their checksum holds); a published report
-- keeps every document it was published with.

CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    cycle_id      INTEGER NOT NULL REFERENCES cycles (id),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    source        TEXT NOT NULL CHECK (source IN ('manual', 'scheduled', 'cli')),
    slot          TEXT NOT NULL DEFAULT '', -- the scheduler's slot, for compilations it made
    cutoff_at     DATETIME NOT NULL,
    compiled_at   DATETIME NOT NULL,
    compiled_by   INTEGER REFERENCES users (id),
    inputs        TEXT NOT NULL,
    inputs_sha256 TEXT NOT NULL,
    published_at  DATETIME,
    published_by  INTEGER REFERENCES users (id),
    renderer      TEXT NOT NULL DEFAULT '' -- the template and wording the documents were published with
);
CREATE INDEX reports_cycle_idx ON reports (cycle_id, compiled_at);
-- One final report per cycle.
CREATE UNIQUE INDEX reports_published_key ON reports (cycle_id) WHERE status = 'published';

CREATE TABLE report_artifacts (
    report_id  INTEGER NOT NULL REFERENCES reports (id),
    format     TEXT NOT NULL,
    lang       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    body       BLOB NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (report_id, format, lang)
);

-- A published report and its documents never change, whatever writes to
-- the database.
-- +goose StatementBegin
CREATE TRIGGER reports_frozen BEFORE UPDATE ON reports WHEN OLD.status = 'published'
BEGIN SELECT RAISE(ABORT, 'a published report cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reports_frozen_delete BEFORE DELETE ON reports WHEN OLD.status = 'published'
BEGIN SELECT RAISE(ABORT, 'a published report cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER report_artifacts_frozen BEFORE UPDATE ON report_artifacts
WHEN EXISTS (SELECT 1 FROM reports WHERE id = OLD.report_id AND status = 'published')
BEGIN SELECT RAISE(ABORT, 'a published report cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER report_artifacts_frozen_delete BEFORE DELETE ON report_artifacts
WHEN EXISTS (SELECT 1 FROM reports WHERE id = OLD.report_id AND status = 'published')
BEGIN SELECT RAISE(ABORT, 'a published report cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER report_artifacts_closed BEFORE INSERT ON report_artifacts
WHEN EXISTS (SELECT 1 FROM reports WHERE id = NEW.report_id AND status = 'published')
BEGIN SELECT RAISE(ABORT, 'a published report cannot be changed'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE report_artifacts;
DROP TABLE reports;
