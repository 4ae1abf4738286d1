-- Venues a member privately marks as near their home: suggestions put them last, and say only
-- "near someone's home". (The home radius around a city's centre guessed wrong and named people.)

CREATE TABLE venue_near_home (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    venue_id   TEXT NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, venue_id)
);
CREATE INDEX venue_near_home_venue ON venue_near_home (venue_id);
