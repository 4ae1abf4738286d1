-- Attempts counted per address or account (failed password checks, sign-ups, reset requests),
-- kept here rather than in each instance's memory so that limits hold across instances. Rows
-- older than the longest window (15 minutes) are purged.

CREATE TABLE throttle_events (
    id      TEXT PRIMARY KEY,
    bucket  TEXT NOT NULL,
    at      BIGINT NOT NULL
);

CREATE INDEX throttle_events_bucket ON throttle_events (bucket, at);
CREATE INDEX throttle_events_at ON throttle_events (at);
