//! Events and per-occurrence overrides (answers, seats and reliability marks are in `rsvps`).
//! Occurrences themselves are never stored: the app expands a series with the domain crate.

use crate::json_rows::JsonQuery;
use crate::{new_id, Db, Result};

pub use crate::rsvps::{Answer, Rsvp, RsvpOutcome};

/// An event or a recurring series, as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct Event {
    pub id: String,
    pub host_id: String,
    pub group_id: Option<String>,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub is_virtual: i64,
    pub place_name: String,
    pub city_id: Option<i64>,
    pub city_label: String,
    pub video_url: String,
    pub start_local: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub rrule: String,
    pub exdates: String,
    pub first_start_at: i64,
    pub last_end_at: Option<i64>,
    pub capacity: Option<i64>,
    pub visibility: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// The venue it takes place at, if any.
    pub venue_id: Option<String>,
    /// A series taking venues in turn: their ids, comma-separated (empty: none).
    pub venue_rotation: String,
    /// Its cover picture (`store::photos`), if the host uploaded one.
    pub cover_id: Option<String>,
    /// How many times its dates or details changed (its calendar entries' `SEQUENCE`).
    pub sequence: i64,
}

/// Events by first start, then id.
pub(crate) fn sort_by_start(events: &mut [Event]) {
    events.sort_unstable_by(|a, b| (a.first_start_at, &a.id).cmp(&(b.first_start_at, &b.id)));
}

/// The columns of an event, as [`Event`] names them and in the order of its fields (lists read
/// as JSON rows rely on that order).
pub(crate) const EVENT_FIELDS: &[&str] = &[
    "id",
    "host_id",
    "group_id",
    "kind",
    "title",
    "description",
    "is_virtual",
    "place_name",
    "city_id",
    "city_label",
    "video_url",
    "start_local",
    "time_zone",
    "duration_minutes",
    "rrule",
    "exdates",
    "first_start_at",
    "last_end_at",
    "capacity",
    "visibility",
    "created_at",
    "updated_at",
    "venue_id",
    "venue_rotation",
    "cover_id",
    "sequence",
];

/// [`EVENT_FIELDS`] as a select list over `events e`.
pub(crate) const EVENT_COLS: &str = "e.id, e.host_id, e.group_id, e.kind, e.title, e.description, e.is_virtual, \
    e.place_name, e.city_id, e.city_label, e.video_url, e.start_local, e.time_zone, e.duration_minutes, \
    e.rrule, e.exdates, e.first_start_at, e.last_end_at, e.capacity, e.visibility, e.created_at, e.updated_at, \
    e.venue_id, e.venue_rotation, e.cover_id, e.sequence";

/// Every stored field of an event except its id, host and timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFields {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub is_virtual: bool,
    pub place_name: String,
    pub city_id: Option<i64>,
    pub city_label: String,
    pub video_url: String,
    pub start_local: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub rrule: String,
    pub exdates: String,
    pub first_start_at: i64,
    pub last_end_at: Option<i64>,
    pub capacity: Option<i64>,
    pub visibility: String,
    /// The group the event belongs to (set when it is made, never changed).
    pub group_id: Option<String>,
    /// The venue it takes place at, if any (its name and city are copied into the place).
    pub venue_id: Option<String>,
    /// A series taking venues in turn: their ids, comma-separated.
    pub venue_rotation: String,
}

/// SQL true when the member bound as `viewer` (e.g. `$1`) may open event `e`: any event outside
/// a group (invite events are unlisted, not secret), their own, and of a group's events those of
/// a group they belong to, or of a group that is not invite-only unless the event is for members.
/// `Db::event_for` applies it to one event, `app::groups::may_open_event` to one already read.
pub fn may_open_sql(viewer: &str) -> String {
    format!(
        "(e.group_id IS NULL OR e.host_id = {viewer} \
          OR EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = e.group_id AND gm.user_id = {viewer}) \
          OR (e.visibility <> 'group' AND EXISTS (SELECT 1 FROM groups gv WHERE gv.id = e.group_id \
                                                    AND gv.visibility <> 'invite')))"
    )
}

/// SQL true when neither the member bound as `viewer` nor event `e`'s host blocked the other.
pub(crate) fn host_not_blocked_sql(viewer: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = {viewer} AND b.blocked_id = e.host_id) \
                                             OR (b.blocker_id = e.host_id AND b.blocked_id = {viewer}))"
    )
}

/// A change to one occurrence, keyed by its original start.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Deserialize)]
pub struct Override {
    pub occurrence_start: i64,
    pub cancelled: i64,
    pub start_local: Option<String>,
    pub duration_minutes: Option<i64>,
    pub title: Option<String>,
}

impl Db {
    /// Stores a new event; returns its id.
    pub async fn create_event(&self, host_id: &str, f: &EventFields, now: i64) -> Result<String> {
        let id = new_id();
        let mut conn = self.write().acquire().await?;
        insert_event(&mut conn, &id, host_id, f, now).await?;
        Ok(id)
    }

    /// Replaces an event's fields.
    pub async fn update_event(&self, id: &str, f: &EventFields, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE events SET kind = $2, title = $3, description = $4, is_virtual = $5, place_name = $6, \
             city_id = $7, city_label = $8, video_url = $9, start_local = $10, time_zone = $11, \
             duration_minutes = $12, rrule = $13, exdates = $14, first_start_at = $15, last_end_at = $16, \
             capacity = $17, visibility = $18, updated_at = $19, venue_id = $20, venue_rotation = $21, \
             sequence = sequence + 1 WHERE id = $1",
        )
        .bind(id)
        .bind(&f.kind)
        .bind(&f.title)
        .bind(&f.description)
        .bind(i64::from(f.is_virtual))
        .bind(&f.place_name)
        .bind(f.city_id)
        .bind(&f.city_label)
        .bind(&f.video_url)
        .bind(&f.start_local)
        .bind(&f.time_zone)
        .bind(f.duration_minutes)
        .bind(&f.rrule)
        .bind(&f.exdates)
        .bind(f.first_start_at)
        .bind(f.last_end_at)
        .bind(f.capacity)
        .bind(&f.visibility)
        .bind(now)
        .bind(&f.venue_id)
        .bind(&f.venue_rotation)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// The event with this id.
    pub async fn event(&self, id: &str) -> Result<Option<Event>> {
        let sql = format!("SELECT {EVENT_COLS} FROM events e WHERE e.id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.read()).await?)
    }

    /// The event with this id if `viewer` may open it ([`may_open_sql`], and neither they nor
    /// its host blocked the other), in one statement: every event route asks this first.
    pub async fn event_for(&self, id: &str, viewer: &str) -> Result<Option<Event>> {
        let sql = format!(
            "SELECT {EVENT_COLS} FROM events e WHERE e.id = $1 AND {may_open} AND {not_blocked}",
            may_open = may_open_sql("$2"),
            not_blocked = host_not_blocked_sql("$2")
        );
        Ok(sqlx::query_as(&sql).bind(id).bind(viewer).fetch_optional(self.read()).await?)
    }

    /// Deletes an event with its overrides and RSVPs.
    pub async fn delete_event(&self, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        // Its dates' messages name it in text (no foreign key).
        sqlx::query("DELETE FROM broadcasts WHERE scope = 'date' AND scope_id LIKE $1 || ':%'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM events WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Events `viewer` may see that may have occurrences in `[from, to)`: public ones, their own,
    /// those they answered, and those for the members of their groups. The caller expands them.
    pub async fn events_between(&self, viewer: &str, from: i64, to: i64) -> Result<Vec<Event>> {
        let inner = format!(
            "SELECT {EVENT_COLS} FROM events e WHERE e.first_start_at < $3 \
               AND (e.last_end_at IS NULL OR e.last_end_at > $2) \
               AND (e.visibility IN ('public', 'group') OR e.host_id = $1 \
                    OR EXISTS (SELECT 1 FROM rsvps r WHERE r.event_id = e.id AND r.user_id = $1)) \
               AND {may_open} AND {not_blocked}",
            may_open = may_open_sql("$1"),
            not_blocked = host_not_blocked_sql("$1")
        );
        self.events_list(&inner, |q| q.bind(viewer.to_owned()).bind(from).bind(to)).await
    }

    /// The events `inner` (a SELECT of [`EVENT_COLS`]) finds, by first start, read as one row
    /// (see `json_rows`); `bind` binds its parameters.
    pub(crate) async fn events_list(
        &self,
        inner: &str,
        bind: impl for<'q> FnOnce(JsonQuery<'q>) -> JsonQuery<'q>,
    ) -> Result<Vec<Event>> {
        // Sorted here: in SQL, sorting whole rows inside the aggregate took a fifth of the time.
        let sql = self.json_rows_sql(inner, EVENT_FIELDS, "");
        let mut events: Vec<Event> = self.json_list(bind(sqlx::query_scalar(&sql))).await?;
        sort_by_start(&mut events);
        Ok(events)
    }

    /// Every event that may have occurrences in `[from, to)` (for background jobs).
    pub(crate) async fn events_window_any(&self, from: i64, to: i64) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {EVENT_COLS} FROM events e WHERE e.first_start_at < $2 \
               AND (e.last_end_at IS NULL OR e.last_end_at > $1) ORDER BY e.first_start_at, e.id"
        );
        Ok(sqlx::query_as(&sql).bind(from).bind(to).fetch_all(self.read()).await?)
    }

    /// Events with an RSVP of `user` (any status) at or after `from`.
    pub async fn events_answered_by(&self, user: &str, from: i64) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {EVENT_COLS} FROM events e WHERE EXISTS (SELECT 1 FROM rsvps r WHERE r.event_id = e.id \
               AND r.user_id = $1 AND r.occurrence_start >= $2) ORDER BY e.first_start_at, e.id"
        );
        Ok(sqlx::query_as(&sql).bind(user).bind(from).fetch_all(self.read()).await?)
    }

    /// The overrides of an event.
    pub async fn overrides(&self, event_id: &str) -> Result<Vec<Override>> {
        Ok(sqlx::query_as(
            "SELECT occurrence_start, cancelled, start_local, duration_minutes, title FROM occurrence_overrides \
             WHERE event_id = $1 ORDER BY occurrence_start",
        )
        .bind(event_id)
        .fetch_all(self.read())
        .await?)
    }

    /// Stores (or replaces) the override of one occurrence.
    pub async fn set_override(&self, event_id: &str, o: &Override) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE events SET sequence = sequence + 1 WHERE id = $1")
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO occurrence_overrides (event_id, occurrence_start, cancelled, start_local, \
             duration_minutes, title) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (event_id, occurrence_start) DO UPDATE SET cancelled = excluded.cancelled, \
             start_local = excluded.start_local, duration_minutes = excluded.duration_minutes, \
             title = excluded.title",
        )
        .bind(event_id)
        .bind(o.occurrence_start)
        .bind(o.cancelled)
        .bind(&o.start_local)
        .bind(o.duration_minutes)
        .bind(&o.title)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves answers and overrides of occurrences starting at or after `from_key` to another event
    /// (the tail of a split series), in one transaction.
    pub async fn move_occurrences(&self, from_event: &str, to_event: &str, from_key: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        for table in ["rsvps", "occurrence_overrides", "reliability_marks", "visitor_answers"] {
            sqlx::query(&format!(
                "UPDATE {table} SET event_id = $2 WHERE event_id = $1 AND occurrence_start >= $3"
            ))
            .bind(from_event)
            .bind(to_event)
            .bind(from_key)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets answers and overrides of occurrences starting at or after `from_key` (they no
    /// longer exist); reliability marks already earned stay.
    pub async fn drop_occurrences(&self, event: &str, from_key: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        for table in ["rsvps", "occurrence_overrides", "visitor_answers"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE event_id = $1 AND occurrence_start >= $2"))
                .bind(event)
                .bind(from_key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Inserts an event with a chosen id on `conn` (inside a caller's transaction, say).
pub(crate) async fn insert_event(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    host_id: &str,
    f: &EventFields,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (id, host_id, kind, title, description, is_virtual, place_name, city_id, \
         city_label, video_url, start_local, time_zone, duration_minutes, rrule, exdates, first_start_at, \
         last_end_at, capacity, visibility, created_at, updated_at, group_id, venue_id, venue_rotation) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $21, $22, $23)",
    )
    .bind(id)
    .bind(host_id)
    .bind(&f.kind)
    .bind(&f.title)
    .bind(&f.description)
    .bind(i64::from(f.is_virtual))
    .bind(&f.place_name)
    .bind(f.city_id)
    .bind(&f.city_label)
    .bind(&f.video_url)
    .bind(&f.start_local)
    .bind(&f.time_zone)
    .bind(f.duration_minutes)
    .bind(&f.rrule)
    .bind(&f.exdates)
    .bind(f.first_start_at)
    .bind(f.last_end_at)
    .bind(f.capacity)
    .bind(&f.visibility)
    .bind(now)
    .bind(&f.group_id)
    .bind(&f.venue_id)
    .bind(&f.venue_rotation)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_select_list_names_every_field_in_order() {
        let listed: Vec<String> = super::EVENT_FIELDS.iter().map(|c| format!("e.{c}")).collect();
        assert_eq!(super::EVENT_COLS, listed.join(", "));
    }
}
