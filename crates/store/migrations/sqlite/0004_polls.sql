-- Time-finding polls: an organiser, invitees, candidate slots (proposed by the server or chosen
-- by the organiser), votes, and the event the winning slot became.

CREATE TABLE polls (
    id               TEXT PRIMARY KEY,
    organiser_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    kind             TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    time_zone        TEXT NOT NULL,
    preset           TEXT NOT NULL DEFAULT '', -- the series to create from the winner, if any
    is_virtual       INTEGER NOT NULL DEFAULT 1,
    place_name       TEXT NOT NULL DEFAULT '',
    city_label       TEXT NOT NULL DEFAULT '',
    event_id         TEXT REFERENCES events (id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    closed_at        INTEGER
);
CREATE INDEX polls_organiser ON polls (organiser_id);

CREATE TABLE poll_invitees (
    poll_id TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (poll_id, user_id)
);
CREATE INDEX poll_invitees_user ON poll_invitees (user_id);

CREATE TABLE poll_slots (
    poll_id  TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    start_at INTEGER NOT NULL,
    end_at   INTEGER NOT NULL,
    explain  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (poll_id, start_at)
);

CREATE TABLE poll_votes (
    poll_id  TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    start_at INTEGER NOT NULL,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    vote     TEXT NOT NULL, -- yes | ifneedbe | no
    PRIMARY KEY (poll_id, start_at, user_id)
);
