-- A referral chapter's classifications ("Web design", "Accountant"): the organiser keeps the
-- list, each member holds one at most, and each is held by one member at most (a holder who
-- left the group holds nothing).
CREATE TABLE group_classifications (
    group_id  TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    holder_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (group_id, name)
);
CREATE UNIQUE INDEX group_classifications_holder ON group_classifications (group_id, holder_id);
