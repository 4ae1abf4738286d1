-- A secret made on a page (an API token, a calendar feed address) is kept here for the session
-- that made it, for the page it redirects to: read once, then gone, and for five minutes at most,
-- so a reload makes nothing new and shows nothing again. Signing out drops it with the session.

CREATE TABLE shown_once (
    session_hash TEXT NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    secret       TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (session_hash, kind)
);
