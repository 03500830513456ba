-- +goose Up
-- The domain model of pctracker, SQLite dialect. The PostgreSQL folder holds the
-- same tables and columns (a test proves it); only types differ. Times are
-- stored as UTC text, which sorts and compares in time order.

CREATE TABLE recommendations (
    number         INTEGER PRIMARY KEY CHECK (number BETWEEN 1 AND 99),
    slug           TEXT NOT NULL UNIQUE,
    title_en       TEXT NOT NULL,
    title_fr       TEXT NOT NULL,
    description_en TEXT NOT NULL,
    description_fr TEXT NOT NULL
);

-- Which organisation kinds a recommendation is addressed to.
CREATE TABLE recommendation_addressees (
    recommendation_number INTEGER NOT NULL REFERENCES recommendations (number) ON DELETE CASCADE,
    kind                  TEXT NOT NULL,
    PRIMARY KEY (recommendation_number, kind)
);

-- Sub-principles, such as the five Tech Accord principles of recommendation 9.
CREATE TABLE recommendation_principles (
    recommendation_number INTEGER NOT NULL REFERENCES recommendations (number) ON DELETE CASCADE,
    position              INTEGER NOT NULL,
    text_en               TEXT NOT NULL,
    text_fr               TEXT NOT NULL,
    PRIMARY KEY (recommendation_number, position)
);

CREATE TABLE stakeholders (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL, -- the name case-folded in Go, so both engines compare names alike
    kind            TEXT NOT NULL CHECK (kind IN ('state', 'public_authority', 'company', 'civil_society', 'academia', 'international_org')),
    country         TEXT NOT NULL DEFAULT '',
    website         TEXT NOT NULL DEFAULT '',
    supporter_since DATE,
    verified        BOOLEAN NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    active          BOOLEAN NOT NULL DEFAULT 1,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX stakeholders_name_key ON stakeholders (name_key);
CREATE INDEX stakeholders_kind_country_idx ON stakeholders (kind, country);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('secretariat', 'supporter')),
    stakeholder_id INTEGER REFERENCES stakeholders (id),
    org_role       TEXT NOT NULL DEFAULT '' CHECK (org_role IN ('', 'member', 'focal_point')),
    password_hash  TEXT NOT NULL DEFAULT '',
    disabled       BOOLEAN NOT NULL DEFAULT 0,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    CHECK ((role = 'supporter' AND stakeholder_id IS NOT NULL AND org_role <> '')
        OR (role = 'secretariat' AND stakeholder_id IS NULL AND org_role = ''))
);
-- Emails are stored lower-cased (in Go, which folds every script alike).
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_stakeholder_idx ON users (stakeholder_id);

-- API tokens: only a SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE cycles (
    id         INTEGER PRIMARY KEY,
    year       INTEGER NOT NULL UNIQUE,
    opens_at   DATE NOT NULL,
    deadline   DATE NOT NULL,
    report_at  DATE NOT NULL,
    forum_date DATE NOT NULL,
    embargo    TEXT NOT NULL CHECK (embargo IN ('immediate', 'forum')),
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    CHECK (opens_at < deadline AND deadline <= report_at AND report_at <= forum_date)
);

CREATE TABLE actions (
    id             INTEGER PRIMARY KEY,
    stakeholder_id INTEGER NOT NULL REFERENCES stakeholders (id),
    cycle_id       INTEGER NOT NULL REFERENCES cycles (id),
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    stage          TEXT NOT NULL CHECK (stage IN ('planned', 'in_progress', 'adopted', 'implemented', 'discontinued')),
    measure_type   TEXT NOT NULL,
    scope          TEXT NOT NULL CHECK (scope IN ('organisation', 'national', 'regional', 'international')),
    start_date     DATE,
    end_date       DATE,
    visibility     TEXT NOT NULL CHECK (visibility IN ('public', 'secretariat')),
    state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'accepted', 'changes_requested', 'withdrawn')),
    version        INTEGER NOT NULL DEFAULT 1,
    carried_from   INTEGER REFERENCES actions (id),
    created_by     INTEGER REFERENCES users (id),
    updated_by     INTEGER REFERENCES users (id),
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    submitted_at   DATETIME,
    accepted_at    DATETIME
);
CREATE INDEX actions_cycle_state_idx ON actions (cycle_id, state);
CREATE INDEX actions_stakeholder_cycle_idx ON actions (stakeholder_id, cycle_id);
-- One continuation of an action per cycle: carrying forward twice creates nothing.
CREATE UNIQUE INDEX actions_carried_from_key ON actions (cycle_id, carried_from);

CREATE TABLE action_recommendations (
    action_id             INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    recommendation_number INTEGER NOT NULL REFERENCES recommendations (number),
    PRIMARY KEY (action_id, recommendation_number)
);
CREATE INDEX action_recommendations_number_idx ON action_recommendations (recommendation_number);

CREATE TABLE evidence (
    id        INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('law', 'regulation', 'policy', 'procurement_notice', 'disclosure_policy', 'report', 'press_release', 'other')),
    url       TEXT NOT NULL,
    title     TEXT NOT NULL
);
CREATE INDEX evidence_action_idx ON evidence (action_id);

-- A full snapshot of an action at every saved change.
CREATE TABLE action_versions (
    id         INTEGER PRIMARY KEY,
    action_id  INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    snapshot   TEXT NOT NULL,
    changed_by INTEGER REFERENCES users (id),
    changed_at DATETIME NOT NULL,
    UNIQUE (action_id, version)
);

CREATE TABLE review_events (
    id          INTEGER PRIMARY KEY,
    action_id   INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    decision    TEXT NOT NULL CHECK (decision IN ('submitted', 'accepted', 'changes_requested', 'withdrawn', 'reopened')),
    version     INTEGER NOT NULL, -- the version of the action this step produced
    comment     TEXT NOT NULL DEFAULT '',
    reviewer_id INTEGER REFERENCES users (id),
    created_at  DATETIME NOT NULL
);
CREATE INDEX review_events_action_idx ON review_events (action_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER REFERENCES users (id),
    actor       TEXT NOT NULL,
    verb        TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    details     TEXT NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id);

-- The once-only ledger of scheduled work: one row per job and slot.
CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY,
    job         TEXT NOT NULL,
    slot        TEXT NOT NULL,
    node        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    error       TEXT NOT NULL DEFAULT '',
    started_at  DATETIME NOT NULL,
    finished_at DATETIME,
    UNIQUE (job, slot)
);

-- +goose Down
DROP TABLE job_runs;
DROP TABLE audit_log;
DROP TABLE review_events;
DROP TABLE action_versions;
DROP TABLE evidence;
DROP TABLE action_recommendations;
DROP TABLE actions;
DROP TABLE cycles;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE stakeholders;
DROP TABLE recommendation_principles;
DROP TABLE recommendation_addressees;
DROP TABLE recommendations;
