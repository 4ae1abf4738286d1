//! What visitors without an account may see (migration 0023): events and groups their host or
//! organiser chose to show, while the admin keeps visitor pages on; and what a visitor asked to
//! do, kept until they sign in.

use crate::events::{Event, EVENT_COLS};
use crate::groups::{Group, GROUP_COLS};
use crate::{Db, Result};

/// SQL true when event `e` is shown to visitors: its host asked, it is listed (not invite-only
/// and not for a group's members), its group (if any) is not invite-only, and its host's
/// account is not suspended. The one rule every visitor read goes through.
pub const VISITOR_EVENT_SQL: &str = "e.show_to_visitors = 1 AND e.visibility = 'public' \
    AND (e.group_id IS NULL OR EXISTS (SELECT 1 FROM groups vg WHERE vg.id = e.group_id AND vg.visibility <> 'invite')) \
    AND EXISTS (SELECT 1 FROM users vu WHERE vu.id = e.host_id AND vu.suspended_at IS NULL)";

/// SQL true when group `g` is shown to visitors: its organisers asked and it is not invite-only.
pub const VISITOR_GROUP_SQL: &str = "g.show_to_visitors = 1 AND g.visibility <> 'invite'";

/// What a visitor asked to do.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Intent {
    /// going | maybe | join | follow
    pub action: String,
    pub target_id: String,
    pub occurrence: Option<i64>,
}

impl Db {
    /// Whether the admin keeps visitor pages on (they are, until turned off). A plain read:
    /// every visitor's page asks it, so it writes nothing.
    pub async fn visitor_pages_on(&self) -> Result<bool> {
        let v: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'visitor_pages'")
            .fetch_optional(self.read())
            .await?;
        Ok(v.as_deref() != Some("off"))
    }

    /// Turns visitor pages on or off for the whole instance.
    pub async fn set_visitor_pages(&self, on: bool) -> Result<()> {
        let value = if on { "on" } else { "off" };
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('visitor_pages', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(value)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Shows an event to visitors, or stops.
    pub async fn set_event_shown(&self, id: &str, shown: bool) -> Result<()> {
        sqlx::query("UPDATE events SET show_to_visitors = $2 WHERE id = $1")
            .bind(id)
            .bind(i64::from(shown))
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Whether the event's host asked to show it to visitors.
    pub async fn event_shown(&self, id: &str) -> Result<bool> {
        let v: Option<i64> = sqlx::query_scalar("SELECT show_to_visitors FROM events WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read())
            .await?;
        Ok(v == Some(1))
    }

    /// Shows a group to visitors, or stops.
    pub async fn set_group_shown(&self, id: &str, shown: bool) -> Result<()> {
        sqlx::query("UPDATE groups SET show_to_visitors = $2 WHERE id = $1")
            .bind(id)
            .bind(i64::from(shown))
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Whether the group's organisers asked to show it to visitors.
    pub async fn group_shown(&self, id: &str) -> Result<bool> {
        let v: Option<i64> = sqlx::query_scalar("SELECT show_to_visitors FROM groups WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read())
            .await?;
        Ok(v == Some(1))
    }

    /// The event, if visitors may see it ([`VISITOR_EVENT_SQL`]).
    pub async fn visitor_event(&self, id: &str) -> Result<Option<Event>> {
        let sql = format!("SELECT {EVENT_COLS} FROM events e WHERE e.id = $1 AND {VISITOR_EVENT_SQL}");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.read()).await?)
    }

    /// Events visitors may see that may have dates in `[from, to)`, by first start; `group`
    /// keeps those of one group. The caller expands them.
    pub async fn visitor_events(&self, from: i64, to: i64, group: Option<&str>) -> Result<Vec<Event>> {
        let inner = format!(
            "SELECT {EVENT_COLS} FROM events e WHERE e.first_start_at < $2 \
               AND (e.last_end_at IS NULL OR e.last_end_at > $1) AND {VISITOR_EVENT_SQL} \
               AND ($3 = '' OR e.group_id = $3)"
        );
        let group = group.unwrap_or("").to_owned();
        self.events_list(&inner, |q| q.bind(from).bind(to).bind(group)).await
    }

    /// The group, if visitors may see it ([`VISITOR_GROUP_SQL`]).
    pub async fn visitor_group(&self, id: &str) -> Result<Option<Group>> {
        let sql = format!("SELECT {GROUP_COLS} FROM groups g WHERE g.id = $1 AND {VISITOR_GROUP_SQL}");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.read()).await?)
    }

    /// Every group visitors may see, with its member count, largest first.
    pub async fn visitor_groups(&self) -> Result<Vec<(Group, i64)>> {
        let sql = format!(
            "SELECT {GROUP_COLS}, (SELECT COUNT(*) FROM group_members c WHERE c.group_id = g.id) AS members \
             FROM groups g WHERE {VISITOR_GROUP_SQL} ORDER BY members DESC, g.name, g.id"
        );
        let rows: Vec<GroupCount> = sqlx::query_as(&sql).fetch_all(self.read()).await?;
        Ok(rows.into_iter().map(|r| (r.group, r.members)).collect())
    }

    /// Keeps what a visitor asked to do under the hash of their token, until `expires_at`.
    /// Intents nobody came back for are deleted here once their time is up.
    pub async fn keep_intent(
        &self,
        token_hash: &str,
        intent: &Intent,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM visitor_intents WHERE expires_at <= $1")
            .bind(now)
            .execute(self.write())
            .await?;
        sqlx::query(
            "INSERT INTO visitor_intents (token_hash, action, target_id, occurrence, expires_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash) DO UPDATE SET action = excluded.action, \
             target_id = excluded.target_id, occurrence = excluded.occurrence, expires_at = excluded.expires_at",
        )
        .bind(token_hash)
        .bind(&intent.action)
        .bind(&intent.target_id)
        .bind(intent.occurrence)
        .bind(expires_at)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Takes the intent kept under `token_hash`, if still live; either way it is gone afterwards,
    /// so it is done once.
    pub async fn take_intent(&self, token_hash: &str, now: i64) -> Result<Option<Intent>> {
        let row: Option<(String, String, Option<i64>, i64)> = sqlx::query_as(
            "DELETE FROM visitor_intents WHERE token_hash = $1 RETURNING action, target_id, occurrence, expires_at",
        )
        .bind(token_hash)
        .fetch_optional(self.write())
        .await?;
        Ok(row.filter(|r| r.3 > now).map(|(action, target_id, occurrence, _)| Intent {
            action,
            target_id,
            occurrence,
        }))
    }
}

#[derive(sqlx::FromRow)]
struct GroupCount {
    #[sqlx(flatten)]
    group: Group,
    members: i64,
}
