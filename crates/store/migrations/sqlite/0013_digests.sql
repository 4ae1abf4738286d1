-- Things sent once per member and period, claimed in the transaction that queues them, so that
-- several instances (or a crash and a restart) never send one twice: the daily digest
-- ("daily", "2026-12-03"), the Monday email ("weekly", "2026-W49"), and a contact falling
-- overdue ("contact_overdue", "<contact id>@<last contact ms>").

CREATE TABLE sent_once (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic    TEXT NOT NULL,
    period   TEXT NOT NULL,
    sent_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, topic, period)
);
