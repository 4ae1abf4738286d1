-- Referrals and give-and-take, and each member's private contacts.
-- A referral slip goes from its giver to its receiver (optionally within a group, for the group's
-- report); its prospect's contact details are for those two only. One-to-ones are logged by
-- either member (a 1:1 session both went to counts without being logged). Help given is recorded
-- by either side and counts once both confirm it. Contacts belong to their owner alone; a contact
-- who is a member is linked, so shared events, one-to-ones and referrals count as keeping in touch.

CREATE TABLE referrals (
    id          TEXT PRIMARY KEY,
    giver_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    receiver_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id    TEXT REFERENCES groups (id) ON DELETE SET NULL,
    prospect    TEXT NOT NULL,
    contact     TEXT NOT NULL DEFAULT '',       -- the prospect's details: giver and receiver only
    need        TEXT NOT NULL DEFAULT '',
    temperature TEXT NOT NULL,                  -- hot | warm | cold
    note        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'received', -- received | contacted | meeting | won | lost
    value_minor INTEGER,                        -- won business, in cents
    currency    TEXT NOT NULL DEFAULT '',
    thanked_at  INTEGER,                        -- "thank you for closed business"
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    closed_at   INTEGER
);
CREATE INDEX referrals_giver ON referrals (giver_id, created_at);
CREATE INDEX referrals_receiver ON referrals (receiver_id, created_at);
CREATE INDEX referrals_group ON referrals (group_id, created_at);

CREATE TABLE referral_history (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    by_user     TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX referral_history_referral ON referral_history (referral_id, at);

CREATE TABLE one_to_ones (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    met_at     INTEGER NOT NULL,                -- when they met
    note       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX one_to_ones_user ON one_to_ones (user_id, met_at);
CREATE INDEX one_to_ones_other ON one_to_ones (other_id, met_at);

CREATE TABLE help_posts (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,                   -- request | offer
    skill      TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    post_id    TEXT REFERENCES posts (id) ON DELETE SET NULL, -- a group's "ask for help" it came from
    open       INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE INDEX help_posts_skill ON help_posts (skill, open);

CREATE TABLE help_given (
    id               TEXT PRIMARY KEY,
    helper_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    helped_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    minutes          INTEGER NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    helper_confirmed INTEGER NOT NULL DEFAULT 0,
    helped_confirmed INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);
CREATE INDEX help_given_helper ON help_given (helper_id);
CREATE INDEX help_given_helped ON help_given (helped_id);

CREATE TABLE contacts (
    id              TEXT PRIMARY KEY,
    owner_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    member_id       TEXT REFERENCES users (id) ON DELETE SET NULL,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL DEFAULT '',
    company         TEXT NOT NULL DEFAULT '',
    trade           TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    met_at          TEXT NOT NULL DEFAULT '',   -- where we met, in words
    cadence_days    INTEGER,                    -- stay in touch this often; none: no reminder
    last_contact_at INTEGER NOT NULL,           -- as logged by hand (shared events etc. add to it)
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX contacts_owner ON contacts (owner_id, name);
CREATE UNIQUE INDEX contacts_owner_member ON contacts (owner_id, member_id);

CREATE TABLE contact_tags (
    contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (contact_id, tag)
);
