-- Events: one concept for every gathering. A row is a single event or a recurring series,
-- stored as its first local start, IANA zone and RRULE; occurrences are expanded lazily by the
-- domain crate. Per-occurrence changes and RSVPs are keyed by the occurrence's original start
-- (UTC epoch ms), which never changes even if that occurrence is moved.

CREATE TABLE events (
    id               TEXT PRIMARY KEY,
    host_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id         TEXT,
    kind             TEXT NOT NULL,            -- cowork | accountability | meeting | workshop | meetup
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    is_virtual       INTEGER NOT NULL DEFAULT 0,
    place_name       TEXT NOT NULL DEFAULT '',
    city_id          INTEGER,
    city_label       TEXT NOT NULL DEFAULT '',
    video_url        TEXT NOT NULL DEFAULT '',
    start_local      TEXT NOT NULL,            -- 2026-03-25T18:00
    time_zone        TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    rrule            TEXT NOT NULL DEFAULT '', -- empty: a single event
    exdates          TEXT NOT NULL DEFAULT '', -- comma-separated local starts
    first_start_at   INTEGER NOT NULL,         -- UTC ms of the first occurrence
    last_end_at      INTEGER,                  -- UTC ms when the series is over; NULL: endless
    capacity         INTEGER,
    visibility       TEXT NOT NULL DEFAULT 'public', -- public | invite
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX events_window ON events (first_start_at, last_end_at);
CREATE INDEX events_host ON events (host_id);

CREATE TABLE occurrence_overrides (
    event_id         TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence_start INTEGER NOT NULL,         -- original UTC ms
    cancelled        INTEGER NOT NULL DEFAULT 0,
    start_local      TEXT,                     -- moved to
    duration_minutes INTEGER,
    title            TEXT,
    PRIMARY KEY (event_id, occurrence_start)
);

CREATE TABLE rsvps (
    event_id         TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence_start INTEGER NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status           TEXT NOT NULL,            -- going | maybe | declined | waitlisted
    goal             TEXT NOT NULL DEFAULT '',
    goal_done        INTEGER,                  -- NULL: not reported yet
    attended         INTEGER,                  -- NULL: not marked
    queued_at        INTEGER NOT NULL,         -- first come, first served on the waitlist
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (event_id, occurrence_start, user_id)
);
CREATE INDEX rsvps_user ON rsvps (user_id, occurrence_start);

CREATE TABLE reliability_marks (
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence_start INTEGER NOT NULL,
    kind             TEXT NOT NULL,            -- late_cancel | no_show
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (user_id, event_id, occurrence_start, kind)
);
