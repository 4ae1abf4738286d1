-- Reminders before events (sent once per attendee, occurrence and offset, whichever instance
-- gets there first) and the in-app notifications they and other events leave.

ALTER TABLE users ADD COLUMN reminder_minutes TEXT NOT NULL DEFAULT '1440,60';

CREATE TABLE reminders_sent (
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence_start BIGINT NOT NULL,
    minutes_before   BIGINT NOT NULL,
    sent_at          BIGINT NOT NULL,
    PRIMARY KEY (user_id, event_id, occurrence_start, minutes_before)
);

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    link       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
