-- Email addresses are verified by a link sent to them. The account works at once; what depends on
-- the address (accepting an invitation sent to it) waits for the link. A link for a new address
-- carries that address, which becomes the account's when the link is followed. Accounts made
-- before this have no verified address until they follow a link.

ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

CREATE TABLE email_verifications (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX email_verifications_user ON email_verifications (user_id);
