-- A visitor who answered online and came: the host's tap at the door writes them down like a
-- visitor brought along, keeping which answer it was (once per answer). No foreign key: the
-- answer is purged 30 days after the date, the attendance is kept.
ALTER TABLE date_visitors ADD COLUMN answer_id TEXT;
CREATE UNIQUE INDEX date_visitors_answer ON date_visitors (answer_id) WHERE answer_id IS NOT NULL;
