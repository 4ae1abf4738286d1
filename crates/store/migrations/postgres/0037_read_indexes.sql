-- What visitors see (migration 0023) is a small part of events and groups, yet the home page
-- read every event in its window to find it: the load harness measured the visitor's home page
-- at 2 % of the floor with 5,000 events and none shown. These indexes hold only what is shown.
CREATE INDEX events_for_visitors ON events (first_start_at) WHERE show_to_visitors = 1 AND visibility = 'public';
CREATE INDEX groups_for_visitors ON groups (name) WHERE show_to_visitors = 1;
-- Every event page asks whether its event is a focus pair's session: by event, not by scan.
CREATE INDEX bookings_event ON bookings (event_id) WHERE event_id IS NOT NULL;
-- Seat counts (every list of dates, every event page, the capacity check of each answer) read
-- each answer's status: from this index alone instead of a visit to every row (counting a
-- group's fortnight of dates took half the time in SQLite with it).
CREATE INDEX rsvps_seats ON rsvps (event_id, occurrence_start, status);
