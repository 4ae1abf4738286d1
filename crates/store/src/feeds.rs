//! Secret calendar feeds: one per member, found by the hash of the token in its URL.

use crate::events::{Event, EVENT_COLS};
use crate::users::{User, USER_COLS};
use crate::{Db, Result};

impl Db {
    /// Makes (or replaces, so the old URL stops working) the member's feed.
    pub async fn set_feed(&self, user_id: &str, token_hash: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, \
             created_at = excluded.created_at, used_at = NULL",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Turns the member's feed off; false when there was none.
    pub async fn revoke_feed(&self, user_id: &str) -> Result<bool> {
        let r = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
            .bind(user_id)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// When the member's feed was made and last fetched, if they have one.
    pub async fn feed_of(&self, user_id: &str) -> Result<Option<(i64, Option<i64>)>> {
        Ok(sqlx::query_as("SELECT created_at, used_at FROM calendar_feeds WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(self.read())
            .await?)
    }

    /// The active member whose feed token hashes to `hash`, noting the fetch (at most hourly, so
    /// calendar apps polling every few minutes do not turn reads into writes).
    pub async fn feed_user(&self, hash: &str, now: i64) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLS} FROM calendar_feeds f JOIN users u ON u.id = f.user_id \
             WHERE f.token_hash = $1 AND u.suspended_at IS NULL"
        );
        let user: Option<User> = sqlx::query_as(&sql).bind(hash).fetch_optional(self.read()).await?;
        if user.is_some() {
            sqlx::query(
                "UPDATE calendar_feeds SET used_at = $2 WHERE token_hash = $1 \
                 AND (used_at IS NULL OR used_at < $3)",
            )
            .bind(hash)
            .bind(now)
            .bind(now - 3_600_000)
            .execute(self.write())
            .await?;
        }
        Ok(user)
    }

    /// What belongs in a member's feed: events they host that have not ended before `from`, and
    /// events where they answered going or maybe for an occurrence at or after `from`.
    pub async fn feed_events(&self, user_id: &str, from: i64) -> Result<Vec<Event>> {
        let inner = format!(
            // Two indexed lookups (not an OR over every event, which scanned them all).
            "SELECT {EVENT_COLS} FROM events e WHERE e.id IN ( \
                 SELECT h.id FROM events h WHERE h.host_id = $1 AND (h.last_end_at IS NULL OR h.last_end_at > $2) \
                 UNION SELECT r.event_id FROM rsvps r WHERE r.user_id = $1 \
                   AND r.occurrence_start >= $2 AND r.status IN ('going', 'maybe')) \
               AND {may_open}",
            may_open = crate::events::may_open_sql("$1")
        );
        self.events_list(&inner, |q| q.bind(user_id.to_owned()).bind(from)).await
    }
}
