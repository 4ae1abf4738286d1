-- What a member sees of their sessions in settings: the browser that signed in (its User-Agent,
-- shortened for display by the app) and when the session was last used (written at most once a
-- minute), so each can be recognised and ended.

ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
