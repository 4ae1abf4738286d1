-- Changes after which a live-room connection may no longer be allowed in: a member's session,
-- token, account, group standing or answer changed ("user"), a date was cancelled or an event
-- deleted or edited ("event"), a group's settings changed ("group"). Every instance reads the
-- recent rows each second and asks its open room connections for that subject again; rows older
-- than a minute are purged.

CREATE TABLE access_changes (
    id       TEXT PRIMARY KEY,
    scope    TEXT NOT NULL,
    subject  TEXT NOT NULL,
    at       BIGINT NOT NULL
);

CREATE INDEX access_changes_at ON access_changes (at);
