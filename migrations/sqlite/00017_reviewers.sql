-- +goose Up
-- Reviewer organisations: verified civil-society or academic organisations
-- the secretariat designates to challenge accepted actions and to confirm
-- them as independently verified. reviewer_since is the day the flag was
-- last turned on; reviewer_until, when set, the last day it holds.
ALTER TABLE stakeholders ADD COLUMN reviewer BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE stakeholders ADD COLUMN reviewer_since DATE;
ALTER TABLE stakeholders ADD COLUMN reviewer_until DATE;

-- +goose Down
ALTER TABLE stakeholders DROP COLUMN reviewer_until;
ALTER TABLE stakeholders DROP COLUMN reviewer_since;
ALTER TABLE stakeholders DROP COLUMN reviewer;
