-- Answers to a request for help or an offer of it, straight from the help page: who answered,
-- with an optional word. One per member and post, so answering twice tells the author once.

CREATE TABLE help_replies (
    help_id    TEXT NOT NULL REFERENCES help_posts (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (help_id, user_id)
);
CREATE INDEX help_replies_user ON help_replies (user_id);
