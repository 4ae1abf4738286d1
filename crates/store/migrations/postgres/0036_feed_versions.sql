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
    rev        BIGINT NOT NULL,
    changed_at BIGINT NOT NULL
);

-- Several instances write at once here, so a transaction's triggers only note the scopes they
-- touch (no locks), and the versions move together when it commits, in one statement taking the
-- rows in scope order: two transactions can never wait for each other's versions in a circle.
CREATE TABLE feed_pending (
    tx    BIGINT NOT NULL,
    scope TEXT NOT NULL
);
CREATE INDEX feed_pending_tx ON feed_pending (tx);
-- One row per transaction with scopes pending: its insert schedules the move at commit.
CREATE TABLE feed_flushes (
    tx BIGINT PRIMARY KEY
);

CREATE FUNCTION feed_touch(scopes TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feed_pending (tx, scope) SELECT txid_current(), s FROM unnest(scopes) AS s WHERE s IS NOT NULL;
    INSERT INTO feed_flushes (tx) VALUES (txid_current()) ON CONFLICT DO NOTHING;
END
$$;

CREATE FUNCTION feed_flush() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH mine AS (DELETE FROM feed_pending WHERE tx = NEW.tx RETURNING scope)
    INSERT INTO feed_versions (scope, rev, changed_at)
    SELECT scope, 1, (extract(epoch FROM clock_timestamp()) * 1000)::bigint
    FROM (SELECT DISTINCT scope FROM mine) AS touched ORDER BY scope
    ON CONFLICT (scope) DO UPDATE SET rev = feed_versions.rev + 1,
        changed_at = GREATEST(excluded.changed_at, feed_versions.changed_at + 1000);
    DELETE FROM feed_flushes WHERE tx = NEW.tx;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER feed_flush AFTER INSERT ON feed_flushes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION feed_flush();

-- An event's file, its group's feed, its host's and everyone who answered it.
CREATE FUNCTION feed_event_scopes(ev TEXT) RETURNS TEXT[] LANGUAGE sql STABLE AS $$
    SELECT ARRAY(
        SELECT 'e:' || ev
        UNION SELECT 'u:' || host_id FROM events WHERE id = ev
        UNION SELECT 'g:' || group_id FROM events WHERE id = ev AND group_id IS NOT NULL
        UNION SELECT 'u:' || user_id FROM rsvps WHERE event_id = ev)
$$;

CREATE FUNCTION feed_rsvps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM feed_touch(ARRAY['u:' || NEW.user_id]);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM feed_touch(ARRAY['u:' || OLD.user_id]);
    ELSIF OLD.status IS DISTINCT FROM NEW.status OR OLD.occurrence_start IS DISTINCT FROM NEW.occurrence_start
          OR OLD.user_id IS DISTINCT FROM NEW.user_id THEN
        PERFORM feed_touch(ARRAY['u:' || NEW.user_id, 'u:' || OLD.user_id]);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER feed_rsvps AFTER INSERT OR UPDATE OR DELETE ON rsvps
    FOR EACH ROW EXECUTE FUNCTION feed_rsvps();

-- (A deleted event's answers go with it, each moving its member's feed.)
CREATE FUNCTION feed_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM feed_touch(ARRAY['e:' || OLD.id, 'u:' || OLD.host_id, 'g:' || OLD.group_id]);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM feed_touch(feed_event_scopes(NEW.id) || ARRAY['g:' || NEW.group_id]);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER feed_events AFTER INSERT OR UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION feed_events();

-- One date of an event changed, cancelled or put back: as the event.
CREATE FUNCTION feed_overrides() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM feed_touch(feed_event_scopes(OLD.event_id));
    ELSE
        PERFORM feed_touch(feed_event_scopes(NEW.event_id));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER feed_overrides AFTER INSERT OR UPDATE OR DELETE ON occurrence_overrides
    FOR EACH ROW EXECUTE FUNCTION feed_overrides();

-- A member renamed: their feed (its name), and the files and feeds of every event they host.
CREATE FUNCTION feed_user_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_touch(ARRAY(
        SELECT 'u:' || NEW.id
        UNION SELECT unnest(feed_event_scopes(e.id)) FROM events e WHERE e.host_id = NEW.id));
    RETURN NULL;
END
$$;
CREATE TRIGGER feed_user_rename AFTER UPDATE OF display_name ON users
    FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name) EXECUTE FUNCTION feed_user_rename();

-- Joining or leaving a group (or being removed) changes which of its events a member may see.
CREATE FUNCTION feed_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM feed_touch(ARRAY['u:' || OLD.user_id]);
    ELSE
        PERFORM feed_touch(ARRAY['u:' || NEW.user_id]);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER feed_members AFTER INSERT OR DELETE ON group_members
    FOR EACH ROW EXECUTE FUNCTION feed_members();

-- A group renamed or made more or less visible: its feed, and everyone who answered its events
-- (whether a non-member may still see them depends on the group's visibility).
CREATE FUNCTION feed_group_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_touch(ARRAY(
        SELECT 'g:' || NEW.id
        UNION SELECT 'u:' || r.user_id FROM events e JOIN rsvps r ON r.event_id = e.id WHERE e.group_id = NEW.id));
    RETURN NULL;
END
$$;
CREATE TRIGGER feed_group_update AFTER UPDATE OF name, visibility ON groups
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.visibility IS DISTINCT FROM NEW.visibility)
    EXECUTE FUNCTION feed_group_update();

-- A block hides each one's events from the other.
CREATE FUNCTION feed_blocks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM feed_touch(ARRAY['u:' || OLD.blocker_id, 'u:' || OLD.blocked_id]);
    ELSE
        PERFORM feed_touch(ARRAY['u:' || NEW.blocker_id, 'u:' || NEW.blocked_id]);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER feed_blocks AFTER INSERT OR DELETE ON blocks
    FOR EACH ROW EXECUTE FUNCTION feed_blocks();

-- A venue renamed or moved to another city: every event that takes it, or takes it in turn.
CREATE FUNCTION feed_venue_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_touch(ARRAY(
        SELECT unnest(feed_event_scopes(e.id)) FROM events e
        WHERE e.venue_id = NEW.id OR strpos(e.venue_rotation, NEW.id) > 0));
    RETURN NULL;
END
$$;
CREATE TRIGGER feed_venue_update AFTER UPDATE OF name, city_label ON venues
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.city_label IS DISTINCT FROM NEW.city_label)
    EXECUTE FUNCTION feed_venue_update();
