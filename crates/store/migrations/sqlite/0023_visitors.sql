-- Pages for visitors without an account. An event or a group is shown to them only when its
-- host or organiser asks ("show to visitors", off for everything made before), and only while
-- the instance's admin keeps visitor pages on (settings key 'visitor_pages').

ALTER TABLE events ADD COLUMN show_to_visitors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN show_to_visitors INTEGER NOT NULL DEFAULT 0;

-- What a visitor asked to do on a public page (go to an event, join or follow a group), kept
-- on the server under a random token in their cookie until they sign in or sign up, then done
-- for them once. Never read from a URL, so a crafted link cannot make a member act.
CREATE TABLE visitor_intents (
    token_hash  TEXT PRIMARY KEY,
    action      TEXT NOT NULL,      -- going | maybe | join | follow
    target_id   TEXT NOT NULL,      -- the event or group
    occurrence  INTEGER,            -- an event's date (its original start), epoch ms
    expires_at  INTEGER NOT NULL
);
