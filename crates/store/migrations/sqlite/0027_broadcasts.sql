-- What organisers say to a whole group (an announcement) and hosts to everyone going to one
-- date: kept to show pinned on the group's page and to hold each to a few a day.
CREATE TABLE broadcasts (
    id         TEXT PRIMARY KEY,
    -- 'group' (scope_id: the group) or 'date' (scope_id: "event id:occurrence key")
    scope      TEXT NOT NULL,
    scope_id   TEXT NOT NULL,
    author_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX broadcasts_scope ON broadcasts (scope, scope_id, created_at);
