//! Secret calendar feeds: one per member, found by the hash of the token in its URL.

use std::collections::HashMap;

use crate::batch::{by_event, overrides_by_event, AnswerRow, OverrideRow, ANSWER_FIELDS, OVERRIDE_FIELDS};
use crate::events::{
    host_not_blocked_sql, may_open_sql, sort_by_start, Event, Override, EVENT_COLS, EVENT_FIELDS,
};
use crate::json_rows::JsonPart;
use crate::{Db, Result};

/// A member's feed as [`Db::feed_contents`] reads it.
#[derive(Debug, Default)]
pub struct Feed {
    /// The events, by first start.
    pub events: Vec<Event>,
    /// Every override of each, by event id, in occurrence order (perhaps of a few more events).
    pub overrides: HashMap<String, Vec<Override>>,
    /// The member's (occurrence start, status) by event id, from the feed's start on.
    pub answers: HashMap<String, Vec<(i64, String)>>,
    /// Hosts' display names by id.
    pub host_names: HashMap<String, String>,
}

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

    /// Writes down when a feed URL was used, last written at `used`: at most once an hour, and
    /// only then through the writer (calendar apps poll often; a read stays a read).
    pub(crate) async fn touch_feed(&self, hash: &str, used: Option<i64>, now: i64) -> Result<()> {
        if used.is_none_or(|at| at < now - 3_600_000) {
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
        Ok(())
    }

    /// What belongs in a member's feed, in one statement: events they host that have not ended
    /// before `from`, and events where they answered going or maybe for an occurrence at or
    /// after `from`; only those they may open, and none of a host either of them blocked. With
    /// them, every override of those events, the member's answers from `from` on, and the
    /// hosts' names.
    pub async fn feed_contents(&self, user_id: &str, from: i64) -> Result<Feed> {
        // Two indexed lookups (not an OR over every event, which scanned them all).
        let ids = "SELECT h.id FROM events h WHERE h.host_id = $1 AND (h.last_end_at IS NULL OR h.last_end_at > $2) \
                   UNION SELECT r.event_id FROM rsvps r WHERE r.user_id = $1 \
                     AND r.occurrence_start >= $2 AND r.status IN ('going', 'maybe')";
        let events = format!(
            "SELECT {EVENT_COLS} FROM events e WHERE e.id IN (SELECT id FROM ids) AND {may_open} AND {not_blocked}",
            may_open = may_open_sql("$1"),
            not_blocked = host_not_blocked_sql("$1")
        );
        let overrides = "SELECT event_id, occurrence_start, cancelled, start_local, duration_minutes, title \
                         FROM occurrence_overrides WHERE event_id IN (SELECT id FROM ids)";
        let answers = "SELECT event_id, occurrence_start, status FROM rsvps WHERE user_id = $1 \
                       AND occurrence_start >= $2";
        let hosts = "SELECT id, display_name FROM users \
                     WHERE id IN (SELECT x.host_id FROM events x WHERE x.id IN (SELECT id FROM ids))";
        let order = "t.event_id, t.occurrence_start";
        let sql = self.json_parts_sql(
            &format!("ids (id) AS ({ids})"),
            &[
                JsonPart { name: "events", inner: &events, cols: EVENT_FIELDS, order_by: "" },
                JsonPart { name: "overrides", inner: overrides, cols: OVERRIDE_FIELDS, order_by: order },
                JsonPart { name: "answers", inner: answers, cols: ANSWER_FIELDS, order_by: order },
                JsonPart { name: "hosts", inner: hosts, cols: &["id", "display_name"], order_by: "" },
            ],
        );
        #[derive(serde::Deserialize)]
        struct Parts {
            events: Vec<Event>,
            overrides: Vec<OverrideRow>,
            answers: Vec<AnswerRow>,
            hosts: Vec<(String, String)>,
        }
        let q = sqlx::query_scalar(&sql).bind(user_id.to_owned()).bind(from);
        let parts: Parts = self.json_value(q).await?;
        let mut out =
            Feed { events: parts.events, host_names: parts.hosts.into_iter().collect(), ..Feed::default() };
        sort_by_start(&mut out.events);
        overrides_by_event(parts.overrides, &mut out.overrides);
        by_event(parts.answers, &mut out.answers);
        Ok(out)
    }
}
