-- Calendar feeds are polled far more often than they change. Each feed's content has a version
-- here, moved by triggers in the same transaction as any write that changes what a feed shows,
-- so every instance can answer "not modified" and keep rendered feeds without asking anyone.
-- Scopes:
--   'u:<member>'  the member's own feed, and what they may see of a group's: their answers,
--                 memberships and blocks, their name, and any change to an event they host or
--                 answered (its dates, its host's name, its venues' names);
--   'e:<event>'   one event's file;
--   'g:<group>'   a group's feed (its events, their hosts and venues, the group's name and
--                 visibility).
-- `changed_at` (epoch ms) moves to a later second on every change, even two in one second, so a
-- Last-Modified date is never shared by two versions. Derived data: not exported, rebuilt by the
-- triggers on import.
CREATE TABLE feed_versions (
    scope      TEXT PRIMARY KEY,
    rev        INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Every trigger below ends in this upsert over the scopes it names (a SELECT of one column `s`).
-- (SQLite needs the WHERE before ON CONFLICT to tell the upsert from a join.)

CREATE TRIGGER feed_rsvp_insert AFTER INSERT ON rsvps BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT 'u:' || NEW.user_id, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

CREATE TRIGGER feed_rsvp_update AFTER UPDATE OF status, occurrence_start, user_id ON rsvps
WHEN OLD.status IS NOT NEW.status OR OLD.occurrence_start IS NOT NEW.occurrence_start
     OR OLD.user_id IS NOT NEW.user_id BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'u:' || NEW.user_id AS s UNION SELECT 'u:' || OLD.user_id) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

CREATE TRIGGER feed_rsvp_delete AFTER DELETE ON rsvps BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT 'u:' || OLD.user_id, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

-- An event: its file, its group's feed, its host's and everyone who answered it.
CREATE TRIGGER feed_event_insert AFTER INSERT ON events BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'e:' || NEW.id AS s UNION SELECT 'u:' || NEW.host_id
          UNION SELECT 'g:' || NEW.group_id WHERE NEW.group_id IS NOT NULL) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

CREATE TRIGGER feed_event_update AFTER UPDATE ON events BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'e:' || NEW.id AS s UNION SELECT 'u:' || NEW.host_id UNION SELECT 'u:' || OLD.host_id
          UNION SELECT 'g:' || NEW.group_id WHERE NEW.group_id IS NOT NULL
          UNION SELECT 'g:' || OLD.group_id WHERE OLD.group_id IS NOT NULL
          UNION SELECT 'u:' || r.user_id FROM rsvps r WHERE r.event_id = NEW.id) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

-- (Its answers go with it, each moving its member's feed.)
CREATE TRIGGER feed_event_delete AFTER DELETE ON events BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'e:' || OLD.id AS s UNION SELECT 'u:' || OLD.host_id
          UNION SELECT 'g:' || OLD.group_id WHERE OLD.group_id IS NOT NULL
          UNION SELECT 'u:' || r.user_id FROM rsvps r WHERE r.event_id = OLD.id) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

-- One date of an event changed, cancelled or put back: as the event.
CREATE TRIGGER feed_override_insert AFTER INSERT ON occurrence_overrides BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'e:' || NEW.event_id AS s
          UNION SELECT 'u:' || e.host_id FROM events e WHERE e.id = NEW.event_id
          UNION SELECT 'g:' || e.group_id FROM events e WHERE e.id = NEW.event_id AND e.group_id IS NOT NULL
          UNION SELECT 'u:' || r.user_id FROM rsvps r WHERE r.event_id = NEW.event_id) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

CREATE TRIGGER feed_override_update AFTER UPDATE ON occurrence_overrides BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'e:' || NEW.event_id AS s
          UNION SELECT 'u:' || e.host_id FROM events e WHERE e.id = NEW.event_id
          UNION SELECT 'g:' || e.group_id FROM events e WHERE e.id = NEW.event_id AND e.group_id IS NOT NULL
          UNION SELECT 'u:' || r.user_id FROM rsvps r WHERE r.event_id = NEW.event_id) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

CREATE TRIGGER feed_override_delete AFTER DELETE ON occurrence_overrides BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'e:' || OLD.event_id AS s
          UNION SELECT 'u:' || e.host_id FROM events e WHERE e.id = OLD.event_id
          UNION SELECT 'g:' || e.group_id FROM events e WHERE e.id = OLD.event_id AND e.group_id IS NOT NULL
          UNION SELECT 'u:' || r.user_id FROM rsvps r WHERE r.event_id = OLD.event_id) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

-- A member renamed: their feed (its name), and the files and feeds of every event they host.
CREATE TRIGGER feed_user_rename AFTER UPDATE OF display_name ON users
WHEN OLD.display_name IS NOT NEW.display_name BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'u:' || NEW.id AS s
          UNION SELECT 'e:' || e.id FROM events e WHERE e.host_id = NEW.id
          UNION SELECT 'g:' || e.group_id FROM events e WHERE e.host_id = NEW.id AND e.group_id IS NOT NULL
          UNION SELECT 'u:' || r.user_id FROM events e JOIN rsvps r ON r.event_id = e.id WHERE e.host_id = NEW.id)
    WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

-- Joining or leaving a group (or being removed) changes which of its events a member may see.
CREATE TRIGGER feed_member_insert AFTER INSERT ON group_members BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT 'u:' || NEW.user_id, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

CREATE TRIGGER feed_member_delete AFTER DELETE ON group_members BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT 'u:' || OLD.user_id, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

-- A group renamed or made more or less visible: its feed, and everyone who answered its events
-- (whether a non-member may still see them depends on the group's visibility).
CREATE TRIGGER feed_group_update AFTER UPDATE OF name, visibility ON groups
WHEN OLD.name IS NOT NEW.name OR OLD.visibility IS NOT NEW.visibility BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'g:' || NEW.id AS s
          UNION SELECT 'u:' || r.user_id FROM events e JOIN rsvps r ON r.event_id = e.id WHERE e.group_id = NEW.id)
    WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

-- A block hides each one's events from the other.
CREATE TRIGGER feed_block_insert AFTER INSERT ON blocks BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'u:' || NEW.blocker_id AS s UNION SELECT 'u:' || NEW.blocked_id) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

CREATE TRIGGER feed_block_delete AFTER DELETE ON blocks BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'u:' || OLD.blocker_id AS s UNION SELECT 'u:' || OLD.blocked_id) WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;

-- A venue renamed or moved to another city: every event that takes it, or takes it in turn.
CREATE TRIGGER feed_venue_update AFTER UPDATE OF name, city_label ON venues
WHEN OLD.name IS NOT NEW.name OR OLD.city_label IS NOT NEW.city_label BEGIN
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT s, 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM (SELECT 'e:' || e.id AS s FROM events e
              WHERE e.venue_id = NEW.id OR instr(e.venue_rotation, NEW.id) > 0
          UNION SELECT 'u:' || e.host_id FROM events e
              WHERE e.venue_id = NEW.id OR instr(e.venue_rotation, NEW.id) > 0
          UNION SELECT 'g:' || e.group_id FROM events e
              WHERE e.group_id IS NOT NULL AND (e.venue_id = NEW.id OR instr(e.venue_rotation, NEW.id) > 0)
          UNION SELECT 'u:' || r.user_id FROM events e JOIN rsvps r ON r.event_id = e.id
              WHERE e.venue_id = NEW.id OR instr(e.venue_rotation, NEW.id) > 0)
    WHERE true
    ON CONFLICT (scope) DO UPDATE SET rev = rev + 1, changed_at = MAX(excluded.changed_at, changed_at + 1000);
END;
