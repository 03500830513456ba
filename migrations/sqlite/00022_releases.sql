-- +goose Up
-- Citable data releases: {year}.{n}, made when a report is published
-- (n = 1) and by each correction of it. A release is one zip, kept in
-- blobs by its SHA-256 and never changed; the next release of a year
-- supersedes it, and nothing removes it. Only its DOI is recorded later,
-- once the secretariat has minted one.
CREATE TABLE releases (
    id            INTEGER PRIMARY KEY,
    report_id     INTEGER NOT NULL REFERENCES reports (id),
    year          INTEGER NOT NULL,
    n             INTEGER NOT NULL CHECK (n >= 1),
    changelog     TEXT NOT NULL,
    sha256        TEXT NOT NULL REFERENCES blobs (sha256),
    size          INTEGER NOT NULL,
    actions       INTEGER NOT NULL,
    organisations INTEGER NOT NULL,
    doi           TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    created_by    INTEGER REFERENCES users (id),
    UNIQUE (year, n)
);
CREATE INDEX releases_report_idx ON releases (report_id);

-- +goose Down
DROP TABLE releases;
