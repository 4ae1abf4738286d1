-- A member's chat allowance is counted from their recent messages in the room, on every
-- instance alike.

CREATE INDEX room_messages_sender ON room_messages (room_id, user_id, created_at);
