-- Each member's secret calendar feed: only a hash of the token in the URL is kept, so a copy
-- of the database does not let anyone read members' calendars. One feed per member; making a
-- new one replaces (and so revokes) the old.

CREATE TABLE calendar_feeds (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);
