-- Foundation: accounts, profiles, sessions, API tokens, password resets, blocks, mail outbox.
-- Instants are integer epoch milliseconds (UTC); booleans are 0/1 integers; ids are opaque text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    password_hash    TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    sort_name        TEXT NOT NULL,
    trade            TEXT NOT NULL DEFAULT '',
    bio              TEXT NOT NULL DEFAULT '',
    trade_lc         TEXT NOT NULL DEFAULT '', -- lower-cased in Rust: SQLite's LOWER() folds ASCII only
    bio_lc           TEXT NOT NULL DEFAULT '',
    city_id          BIGINT,
    city_label       TEXT NOT NULL DEFAULT '',
    city_key         TEXT NOT NULL DEFAULT '',
    lat              DOUBLE PRECISION,
    lon              DOUBLE PRECISION,
    timezone         TEXT NOT NULL DEFAULT 'UTC',
    in_person        BIGINT NOT NULL DEFAULT 1,
    virtual          BIGINT NOT NULL DEFAULT 1,
    session_minutes  BIGINT NOT NULL DEFAULT 90,
    company          TEXT NOT NULL DEFAULT 'either',
    home_radius_m    BIGINT NOT NULL DEFAULT 1000,
    vis_trade        TEXT NOT NULL DEFAULT 'everyone',
    vis_bio          TEXT NOT NULL DEFAULT 'everyone',
    vis_skills       TEXT NOT NULL DEFAULT 'everyone',
    vis_city         TEXT NOT NULL DEFAULT 'everyone',
    vis_availability TEXT NOT NULL DEFAULT 'everyone',
    vis_preferences  TEXT NOT NULL DEFAULT 'everyone',
    is_admin         BIGINT NOT NULL DEFAULT 0,
    suspended_at     BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX users_sort ON users (sort_name, id);
CREATE INDEX users_city ON users (city_key);

CREATE TABLE user_tags (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL, -- 'offer' | 'need'
    tag     TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, tag)
);
CREATE INDEX user_tags_tag ON user_tags (kind, tag);

CREATE TABLE availability (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    weekday   BIGINT NOT NULL,
    start_min BIGINT NOT NULL,
    end_min   BIGINT NOT NULL
);
CREATE INDEX availability_user ON availability (user_id);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE blocks (
    blocker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending', -- 'pending' | 'sent' | 'failed'
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
