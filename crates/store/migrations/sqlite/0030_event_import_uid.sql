-- The UID a group's event had in the calendar file it was imported from, so importing the same
-- calendar again updates it rather than adding it twice.
ALTER TABLE events ADD COLUMN import_uid TEXT;
CREATE UNIQUE INDEX events_import_uid ON events (group_id, import_uid);
