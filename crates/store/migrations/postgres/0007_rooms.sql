-- Live rooms: one per virtual occurrence. Every message a room sends (chat, presence, timer,
-- goals) is stored with a per-room sequence number taken from rooms.last_seq in the same
-- transaction, so clients resume from the last id they saw with no gaps or duplicates, on any
-- instance.

CREATE TABLE rooms (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence_start BIGINT NOT NULL,
    timer            TEXT NOT NULL,        -- JSON of domain::room::Timer
    last_seq         BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (event_id, occurrence_start)
);

CREATE TABLE room_messages (
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL,              -- chat | joined | left | timer | goal
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,              -- the frame as sent to clients
    created_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, seq)
);
CREATE INDEX room_messages_created ON room_messages (created_at);

-- Open connections; seen_at is refreshed by the instance holding them, so an instance that dies
-- leaves rows that expire.
CREATE TABLE room_presence (
    conn_id     TEXT PRIMARY KEY,
    room_id     TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instance_id TEXT NOT NULL,
    joined_at   BIGINT NOT NULL,
    seen_at     BIGINT NOT NULL
);
CREATE INDEX room_presence_room ON room_presence (room_id, user_id);
CREATE INDEX room_presence_instance ON room_presence (instance_id);

-- When each member first entered a room: attendance is settled from this.
CREATE TABLE room_visits (
    room_id         TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    first_joined_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

-- Occurrences whose attendance has been settled from the room (once, by one instance).
CREATE TABLE room_checks (
    event_id         TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence_start BIGINT NOT NULL,
    checked_at       BIGINT NOT NULL,
    PRIMARY KEY (event_id, occurrence_start)
);
