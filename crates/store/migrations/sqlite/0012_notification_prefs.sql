-- How each member wants each category of notification (email and in the app, in the app only, or
-- off; no row is the category's default), their quiet hours ("HH:MM" on their own clock; mail
-- waits until they end), and the one-click unsubscribe address an email carries.

CREATE TABLE notification_prefs (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    delivery TEXT NOT NULL,          -- email | in_app | off
    PRIMARY KEY (user_id, category)
);

CREATE TABLE quiet_hours (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    starts  TEXT NOT NULL,
    ends    TEXT NOT NULL
);

ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT NOT NULL DEFAULT '';
