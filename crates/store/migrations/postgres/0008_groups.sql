-- Groups: referral chapters, coworking circles, meetups and classes, with roles, join requests,
-- invitations, bans, followers, per-member group calendar feeds, and a discussion of posts,
-- replies, "this helped" reactions and reports. Events name their group in events.group_id
-- (present since 0002); a group's visibility decides who may see them.

CREATE TABLE groups (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    is_virtual     BIGINT NOT NULL DEFAULT 0,
    city_id        BIGINT,
    city_label     TEXT NOT NULL DEFAULT '',
    time_zone      TEXT NOT NULL,
    visibility     TEXT NOT NULL,            -- open | request | invite
    members_public BIGINT NOT NULL DEFAULT 0, -- 1: non-members may see the member list
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX groups_visibility ON groups (visibility);

CREATE TABLE group_topics (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    topic    TEXT NOT NULL,
    PRIMARY KEY (group_id, topic)
);
CREATE INDEX group_topics_topic ON group_topics (topic);

CREATE TABLE group_members (
    group_id  TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      TEXT NOT NULL,                -- organiser | moderator | member
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE group_requests (
    group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE group_bans (
    group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    banned_by  TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE group_follows (
    group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

-- Only a hash of an invitation's token is kept. An email invitation may be used once; a link
-- invitation as often as it is shared, until it expires or is revoked.
CREATE TABLE group_invites (
    id         TEXT PRIMARY KEY,
    group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    email      TEXT NOT NULL DEFAULT '',     -- empty: a link to share
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    max_uses   BIGINT,                      -- NULL: unlimited
    uses       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX group_invites_group ON group_invites (group_id);

CREATE TABLE group_feeds (
    group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE posts (
    id           TEXT PRIMARY KEY,
    group_id     TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    author_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,              -- ask | offer | struggle | win | shoutout | idea
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,              -- Markdown as written; rendered safely when shown
    confidential BIGINT NOT NULL DEFAULT 0, -- members only, never in digests or others' exports
    hidden       BIGINT NOT NULL DEFAULT 0, -- hidden by a moderator
    locked       BIGINT NOT NULL DEFAULT 0, -- no more replies
    created_at   BIGINT NOT NULL,
    edited_at    BIGINT,
    activity_at  BIGINT NOT NULL            -- the latest reply, for ordering
);
CREATE INDEX posts_group ON posts (group_id, activity_at);
CREATE INDEX posts_author ON posts (author_id);

CREATE TABLE replies (
    id         TEXT PRIMARY KEY,
    post_id    TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    hidden     BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    edited_at  BIGINT
);
CREATE INDEX replies_post ON replies (post_id, created_at);
CREATE INDEX replies_author ON replies (author_id);

-- "This helped", on a post or a reply (ids are unique across both).
CREATE TABLE helped (
    target_id  TEXT NOT NULL,
    post_id    TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (target_id, user_id)
);
CREATE INDEX helped_post ON helped (post_id);

CREATE TABLE reports (
    id          TEXT PRIMARY KEY,
    group_id    TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    post_id     TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    reply_id    TEXT REFERENCES replies (id) ON DELETE CASCADE,
    reporter_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by TEXT,
    resolution  TEXT NOT NULL DEFAULT ''    -- dismissed | hidden | deleted
);
CREATE INDEX reports_open ON reports (group_id, resolved_at);

CREATE INDEX events_group ON events (group_id);
