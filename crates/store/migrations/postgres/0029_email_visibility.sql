-- Who may see a member's email address: on their profile, and in the member lists a group's
-- organisers download. Private (partners only) unless they choose otherwise.
ALTER TABLE users ADD COLUMN vis_email TEXT NOT NULL DEFAULT 'partners';
