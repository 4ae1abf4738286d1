-- Goals and accountability: goals with tasks, weekly check-ins, comments and cheers, pauses,
-- each group's weekly board, and the nudges sent (once per member, kind and week: the primary key
-- makes "once" hold across instances).

CREATE TABLE goals (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    why          TEXT NOT NULL DEFAULT '',
    target_date  TEXT NOT NULL DEFAULT '',     -- 2027-03-31, or empty
    target_value BIGINT,                      -- e.g. 10 ...
    target_unit  TEXT NOT NULL DEFAULT '',     -- ... client calls
    progress     BIGINT NOT NULL DEFAULT 0,   -- the latest check-in's (count, or percent without a target)
    status       TEXT NOT NULL DEFAULT 'active', -- active | done | dropped
    visibility   TEXT NOT NULL DEFAULT 'private', -- private | partners | group
    group_id     TEXT REFERENCES groups (id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    closed_at    BIGINT
);
CREATE INDEX goals_user ON goals (user_id, status);
CREATE INDEX goals_group ON goals (group_id);

CREATE TABLE goal_tasks (
    id         TEXT PRIMARY KEY,
    goal_id    TEXT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    done       BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX goal_tasks_goal ON goal_tasks (goal_id, created_at);

CREATE TABLE checkins (
    id         TEXT PRIMARY KEY,
    goal_id    TEXT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    week       TEXT NOT NULL,                  -- 2026-W49, in the member's zone when made
    progress   BIGINT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    blockers   TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX checkins_goal ON checkins (goal_id, created_at);
CREATE INDEX checkins_user_week ON checkins (user_id, week);

CREATE TABLE goal_comments (
    id         TEXT PRIMARY KEY,
    goal_id    TEXT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    checkin_id TEXT REFERENCES checkins (id) ON DELETE CASCADE,
    author_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX goal_comments_goal ON goal_comments (goal_id, created_at);

-- A cheer, on a goal or one of its check-ins (target: the goal's or the check-in's id).
CREATE TABLE cheers (
    target_id  TEXT NOT NULL,
    goal_id    TEXT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (target_id, user_id)
);
CREATE INDEX cheers_goal ON cheers (goal_id);

-- Weeks in which a member asked not to be nudged or reported: [from_week, to_week].
CREATE TABLE accountability_pauses (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    from_week  TEXT NOT NULL,
    to_week    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, from_week)
);

CREATE TABLE board_entries (
    group_id    TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    week        TEXT NOT NULL,                 -- in the group's zone
    focus       TEXT NOT NULL,
    outcome     TEXT,                          -- done | partly | not, reported the week after
    reported_at BIGINT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id, week)
);
CREATE INDEX board_entries_week ON board_entries (group_id, week);

CREATE TABLE nudges_sent (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,                     -- remind | partners
    week    TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, week)
);

-- After how many missed weeks a member's accountability partners are told (0: never).
ALTER TABLE users ADD COLUMN nudge_after_weeks BIGINT NOT NULL DEFAULT 2;
