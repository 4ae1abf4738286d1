-- How many times an event's dates or details changed: its calendar entries' SEQUENCE, so that
-- calendar apps take a change (a moved or cancelled date) over the copy they hold.
ALTER TABLE events ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
