-- Visitors answering a public event without an account, where its host lets them: a name and an
-- address, confirmed by a link mailed to it (a pending answer lapses after 24 hours), a seat
-- once confirmed, cancelled by the same link, and gone 30 days after the date unless an account
-- proves that address and takes the answer over.
ALTER TABLE events ADD COLUMN visitor_answers INTEGER NOT NULL DEFAULT 0;

CREATE TABLE visitor_answers (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence_start INTEGER NOT NULL,
    name             TEXT NOT NULL,
    email            TEXT NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL,            -- pending | going | cancelled
    created_at       INTEGER NOT NULL,
    confirmed_at     INTEGER,
    reminded_at      INTEGER,
    UNIQUE (event_id, occurrence_start, email)
);
CREATE INDEX visitor_answers_email ON visitor_answers (email);
CREATE INDEX visitor_answers_start ON visitor_answers (occurrence_start);

-- Who holds or waits for a seat at a date: members' answers, and visitors' confirmed ones.
-- Every count of seats reads this, so the two kinds of answer share one capacity.
CREATE VIEW seat_holders AS
    SELECT event_id, occurrence_start, status FROM rsvps
    UNION ALL
    SELECT event_id, occurrence_start, 'going' AS status FROM visitor_answers WHERE status = 'going';
