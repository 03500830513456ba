-- +goose Up
-- Invitations into an organisation sent to an address that already has an
-- account. No account is made for them, but the people page lists them as it
-- lists anyone invited who has not yet chosen a password: otherwise the
-- organisation could tell which addresses have an account by which
-- invitations appear there. One per organisation and address; inviting the
-- same address again updates it.
CREATE TABLE invitations_to_accounts (
    id             INTEGER PRIMARY KEY,
    stakeholder_id INTEGER NOT NULL REFERENCES stakeholders (id) ON DELETE CASCADE,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    org_role       TEXT NOT NULL,
    invited_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    invited_at     DATETIME NOT NULL,
    UNIQUE (stakeholder_id, email)
);

-- +goose Down
DROP TABLE invitations_to_accounts;
