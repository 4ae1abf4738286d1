-- Partners: favourites, who may book me, partnerships, and Focusmate-style slot bookings paired
-- at each slot's lock time. A slot is locked once, by whichever instance inserts its row in
-- slot_locks first, in the same transaction as the pairs it makes.

ALTER TABLE users ADD COLUMN bookable_by TEXT NOT NULL DEFAULT 'everyone'; -- everyone | favourites | nobody

CREATE TABLE favourites (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    favourite_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, favourite_id)
);
CREATE INDEX favourites_of ON favourites (favourite_id);

CREATE TABLE partnerships (
    id           TEXT PRIMARY KEY,
    requester_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    partner_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,            -- accountability | coworking | referral
    message      TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,            -- requested | accepted | declined | ended
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX partnerships_requester ON partnerships (requester_id, status);
CREATE INDEX partnerships_partner ON partnerships (partner_id, status);

CREATE TABLE bookings (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at        INTEGER NOT NULL,     -- UTC ms, on a quarter hour
    duration_minutes INTEGER NOT NULL,     -- 25 | 50 | 75
    goal             TEXT NOT NULL,
    status           TEXT NOT NULL,        -- open | matched | cancelled
    partner_id       TEXT,
    event_id         TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX bookings_slot ON bookings (starts_at, duration_minutes, status);
CREATE INDEX bookings_user ON bookings (user_id, starts_at);

CREATE TABLE slot_locks (
    starts_at        INTEGER NOT NULL,
    duration_minutes INTEGER NOT NULL,
    locked_at        INTEGER NOT NULL,
    pairs            INTEGER NOT NULL,
    unmatched        INTEGER NOT NULL,
    PRIMARY KEY (starts_at, duration_minutes)
);
