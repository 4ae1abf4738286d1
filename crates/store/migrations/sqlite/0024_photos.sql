-- Members' photos and events' cover pictures, kept in the database so that every instance
-- serves them (instances share no disk). A photo's id is a hash of its owner, kind and bytes,
-- so its address changes whenever its content does and may be cached for a year.

CREATE TABLE photos (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                                    -- avatar | cover
    event_id    TEXT REFERENCES events(id) ON DELETE CASCADE,     -- a cover's event
    created_at  INTEGER NOT NULL
);
CREATE INDEX photos_owner ON photos (owner_id);
CREATE INDEX photos_event ON photos (event_id);

-- Each photo at each of its sizes, as JPEG with no metadata.
CREATE TABLE photo_files (
    photo_id    TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    size        INTEGER NOT NULL,   -- the width in pixels
    bytes       BLOB NOT NULL,
    PRIMARY KEY (photo_id, size)
);

-- The member's photo and who may see it (everyone | groups | partners, like the other fields),
-- and an event's cover. No foreign keys back to photos: a photo already goes with its owner or
-- its event, and the two sides are changed together in one transaction (store::photos).
ALTER TABLE users ADD COLUMN photo_id TEXT;
ALTER TABLE users ADD COLUMN vis_photo TEXT NOT NULL DEFAULT 'everyone';
ALTER TABLE events ADD COLUMN cover_id TEXT;
