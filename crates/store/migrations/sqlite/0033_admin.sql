-- What instance admins did: suspending, lifting and deleting members, settings changed, reports
-- resolved, dead letters sent again. No foreign key to users: the trail outlives the accounts
-- it names, which is why it keeps their names as they were.
CREATE TABLE admin_actions (
    id          TEXT PRIMARY KEY,
    at          INTEGER NOT NULL,
    admin_id    TEXT NOT NULL,
    admin_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_id   TEXT NOT NULL DEFAULT '',
    target_name TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX admin_actions_at ON admin_actions (at, id);
