-- Venues: cafés, libraries, coworking spaces and other places to work, added and edited by
-- members (every edit recorded with who and when), reviewed by those who went to an event there,
-- and merged when two rows are the same place (the duplicate points at the one kept). Events may
-- take place at a venue, or a series may take its venues in turn.

CREATE TABLE venues (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,                 -- cafe | library | coworking | other
    address       TEXT NOT NULL DEFAULT '',
    city_id       INTEGER,
    city_label    TEXT NOT NULL DEFAULT '',
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    time_zone     TEXT NOT NULL,                 -- its opening hours are in this zone
    noise         INTEGER NOT NULL,              -- 1 silent .. 5 loud, as stated
    wifi          INTEGER NOT NULL DEFAULT 0,
    outlets       INTEGER NOT NULL DEFAULT 0,    -- 0 none, 1 some, 2 plenty
    price         INTEGER NOT NULL DEFAULT 1,    -- 1 .. 4
    hours         TEXT NOT NULL DEFAULT '',      -- Mon-Fri 08:00-18:00; Sat 09:00-13:00
    exceptions    TEXT NOT NULL DEFAULT '',      -- 2026-12-25 closed
    accessibility TEXT NOT NULL DEFAULT '',
    created_by    TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    merged_into   TEXT                           -- set on a duplicate: the venue it became
);
CREATE INDEX venues_city ON venues (city_id);
CREATE INDEX venues_place ON venues (lat, lon);

CREATE TABLE venue_edits (
    id         TEXT PRIMARY KEY,
    venue_id   TEXT NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    user_id    TEXT REFERENCES users (id) ON DELETE SET NULL,
    at         INTEGER NOT NULL,
    summary    TEXT NOT NULL                  -- what changed, in words
);
CREATE INDEX venue_edits_venue ON venue_edits (venue_id, at);

CREATE TABLE venue_reviews (
    id               TEXT PRIMARY KEY,
    venue_id         TEXT NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL,
    occurrence_start INTEGER NOT NULL,
    noise            INTEGER NOT NULL,
    wifi             INTEGER NOT NULL,
    outlets          INTEGER NOT NULL,
    good_for_work    INTEGER NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    UNIQUE (venue_id, user_id, event_id, occurrence_start)
);
CREATE INDEX venue_reviews_venue ON venue_reviews (venue_id, created_at);

ALTER TABLE events ADD COLUMN venue_id TEXT;
-- A series that takes venues in turn: their ids, comma-separated, the first for the first date.
ALTER TABLE events ADD COLUMN venue_rotation TEXT NOT NULL DEFAULT '';
CREATE INDEX events_venue ON events (venue_id);
