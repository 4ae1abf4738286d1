-- Bringing a community in: an organiser's roster import sends one invitation per address, once
-- per group however often the file is imported; people who asked never to get mail from this
-- instance again are not written to; the outbox keeps such bulk mail behind personal mail and
-- sends at a set rate.
CREATE TABLE roster_imports (
    id         TEXT PRIMARY KEY,
    group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX roster_imports_group ON roster_imports (group_id, created_at);

CREATE TABLE roster_entries (
    group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    -- lower case, as checked
    email      TEXT NOT NULL,
    import_id  TEXT NOT NULL REFERENCES roster_imports (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    trade      TEXT NOT NULL,
    skills     TEXT NOT NULL,
    -- the outbox row of its invitation; none when the address had asked for no mail
    mail_id    TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, email)
);
CREATE INDEX roster_entries_import ON roster_entries (import_id);
CREATE INDEX roster_entries_day ON roster_entries (group_id, created_at);

CREATE TABLE mail_optouts (
    email      TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);

-- 1 for mail sent in bulk to people who are not members (invitations): sent after personal
-- mail, and dropped if its addressee asks for no more mail.
ALTER TABLE outbox ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_sent ON outbox (sent_at);

-- The import an invitation was sent by (its page lists imports, not each of their invitations).
ALTER TABLE group_invites ADD COLUMN import_id TEXT REFERENCES roster_imports (id) ON DELETE CASCADE;
