-- Attendance as referral chapters take it: came late, or sent a substitute (who counts as
-- there), beside present and absent; and visitors a member brought, by name, for one date.
ALTER TABLE rsvps ADD COLUMN arrival TEXT NOT NULL DEFAULT '';    -- '' | 'late' | 'substitute'
ALTER TABLE rsvps ADD COLUMN substitute TEXT NOT NULL DEFAULT ''; -- who came instead
CREATE TABLE date_visitors (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence_start INTEGER NOT NULL,
    name             TEXT NOT NULL,
    -- the member who brought them, as the host wrote it
    invited_by       TEXT NOT NULL DEFAULT '',
    added_by         TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX date_visitors_date ON date_visitors (event_id, occurrence_start);
