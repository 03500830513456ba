-- +goose Up
-- The crosswalk: other frameworks on commercial spyware, their provisions,
-- and the recommendations each provision is evidenced by. Reference data
-- the secretariat owns (imported from a YAML file, edited on its pages),
-- versioned like every edit. Titles are short paraphrases; fr_unofficial
-- says a framework's French title is a translation of pctracker's own;
-- note keeps what the compiler said of a framework or provision (sources
-- not read, links less than clear).
CREATE TABLE frameworks (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    title_en      TEXT NOT NULL,
    title_fr      TEXT NOT NULL,
    fr_unofficial BOOLEAN NOT NULL DEFAULT 0,
    issued        DATE,
    source        TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    position      INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);

CREATE TABLE provisions (
    id           INTEGER PRIMARY KEY,
    framework_id INTEGER NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    title_en     TEXT NOT NULL,
    title_fr     TEXT NOT NULL,
    confidence   TEXT NOT NULL CHECK (confidence IN ('high', 'medium')),
    note         TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (framework_id, key)
);

CREATE TABLE provision_recommendations (
    provision_id          INTEGER NOT NULL REFERENCES provisions (id) ON DELETE CASCADE,
    recommendation_number INTEGER NOT NULL REFERENCES recommendations (number),
    PRIMARY KEY (provision_id, recommendation_number)
);
CREATE INDEX provision_recommendations_number_idx ON provision_recommendations (recommendation_number);

-- What an organisation or the secretariat said of one action and one
-- provision, against what its recommendations derive: 'declared' adds a
-- provision, 'removed' takes a derived one away. No row: derived only.
CREATE TABLE action_provisions (
    action_id    INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    provision_id INTEGER NOT NULL REFERENCES provisions (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('declared', 'removed')),
    PRIMARY KEY (action_id, provision_id)
);
CREATE INDEX action_provisions_provision_idx ON action_provisions (provision_id);

-- The history of those statements, kept by name should the provision go.
CREATE TABLE provision_link_events (
    id            INTEGER PRIMARY KEY,
    action_id     INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    provision_id  INTEGER REFERENCES provisions (id) ON DELETE SET NULL,
    framework_key TEXT NOT NULL,
    provision_key TEXT NOT NULL,
    change        TEXT NOT NULL CHECK (change IN ('added', 'removed')),
    kind          TEXT NOT NULL CHECK (kind IN ('derived', 'declared')),
    reason        TEXT NOT NULL DEFAULT '',
    user_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    DATETIME NOT NULL
);
CREATE INDEX provision_link_events_action_idx ON provision_link_events (action_id);

-- Each import of a crosswalk file; the first start loads the initial one
-- when none was ever imported.
CREATE TABLE crosswalk_imports (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT NOT NULL,
    frameworks INTEGER NOT NULL,
    provisions INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL
);

-- Every link of an action to a provision and how it was made: derived
-- from a recommendation both share (unless removed), or declared.
CREATE VIEW provision_links AS
    SELECT ar.action_id, pr.provision_id, 'derived' AS kind
    FROM action_recommendations ar
    JOIN provision_recommendations pr ON pr.recommendation_number = ar.recommendation_number
    WHERE NOT EXISTS (SELECT 1 FROM action_provisions ap WHERE ap.action_id = ar.action_id AND ap.provision_id = pr.provision_id)
    UNION
    SELECT action_id, provision_id, 'declared' AS kind FROM action_provisions WHERE kind = 'declared';

-- +goose Down
DROP VIEW provision_links;
DROP TABLE crosswalk_imports;
DROP TABLE provision_link_events;
DROP TABLE action_provisions;
DROP TABLE provision_recommendations;
DROP TABLE provisions;
DROP TABLE frameworks;
